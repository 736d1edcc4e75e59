#pragma once
// Typed results of Lighter's REST answers and WebSocket frames (docs/lighter.md). Money fields are exact
// Decimal (or the venue's integer units where the venue sends integers); never a double. Vectors are
// reused by the parsers: once warm, re-parsing the same kind of frame allocates nothing.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::lighter {

// ---------------------------------------------------------------- venue error codes

// The venue's 21xxx (transaction) and 23xxx (rate limit) codes bparb acts on (docs/lighter.md, "Error
// codes"). Any other non-200 code maps to kOtherTx (21xxx), kOtherRateLimit (23xxx) or kOther.
enum class LighterError : std::uint16_t {
  kNone = 0,
  kInvalidNonce = 21104,
  kBatchNonceNotConsecutive = 21105,
  kInvalidPublicKey = 21108,
  kTxNotFound = 21500,
  kInvalidTxInfo = 21501,
  kUnsupportedTxType = 21505,
  kTooManyPendingTxs = 21506,
  kBelowMaintenanceMargin = 21507,
  kBelowInitialMargin = 21508,
  kInvalidOrderIndex = 21700,
  kInvalidBaseAmount = 21701,
  kInvalidPrice = 21702,
  kInvalidIsAsk = 21703,
  kInvalidOrderType = 21704,
  kInvalidTimeInForce = 21705,
  kInvalidBaseQuoteAmount = 21706,
  kNotOwner = 21707,
  kOrderInactive = 21709,
  kInvalidExpiry = 21711,
  kInvalidClientOrderIndex = 21727,
  kClientOrderIndexExists = 21728,
  kReduceOnlyIncreasesPosition = 21732,
  kPriceTooFarFromMark = 21734,
  kNotEnoughMargin = 21739,
  kTooManyRequests = 23000,
  kTooManySubscriptions = 23001,
  kTooManyAccounts = 23002,
  kTooManyConnections = 23003,
  kOtherTx = 21000,         // a 21xxx code not listed above
  kOtherRateLimit = 23999,  // a 23xxx code not listed above
  kOther = 1,               // any other code that is not 200
};
// 200 is success (kNone); every other code, 0 included, is an error.
LighterError lighter_error_from_code(std::int64_t code) noexcept;
const char* to_string(LighterError e) noexcept;

// What a caller does about an error answer.
enum class ErrorAction : std::uint8_t {
  kNone,         // success
  kRetry,        // transient (too many pending txs, server trouble): try again later, same content
  kResyncNonce,  // the nonce was wrong: fetch nextNonce once, re-sign, resend
  kReject,       // the transaction itself is refused: do not resend it as is
  kRateLimit,    // slow down (23xxx): back off before any further request
};
ErrorAction classify(LighterError e) noexcept;
const char* to_string(ErrorAction a) noexcept;

// ---------------------------------------------------------------- REST

enum class MarketKind : std::uint8_t { kPerp, kSpot };

// One entry of orderBookDetails (perp or spot list) or orderBooks (the lighter subset: no margin
// fractions, `has_margin_fractions` false there).
struct MarketDetails {
  std::int64_t market_id = 0;  // 64-bit: the venue has listed ids beyond the signer's int16 field
  std::string symbol;
  MarketKind kind = MarketKind::kPerp;
  bool active = false;
  std::uint8_t size_decimals = 0;   // base_amount = qty * 10^size_decimals
  std::uint8_t price_decimals = 0;  // price = px * 10^price_decimals
  std::uint8_t quote_decimals = 0;
  Decimal min_base_amount;
  Decimal min_quote_amount;
  Decimal order_quote_limit;  // zero when absent
  Decimal taker_fee_pct;      // percent, as the venue sends them
  Decimal maker_fee_pct;
  Decimal liquidation_fee_pct;
  bool has_margin_fractions = false;
  std::uint16_t default_initial_margin_fraction = 0;  // units of 1/10,000
  std::uint16_t min_initial_margin_fraction = 0;
  std::uint16_t maintenance_margin_fraction = 0;
  std::uint16_t closeout_margin_fraction = 0;

  Decimal tick_size() const noexcept;  // 10^-price_decimals
  Decimal step_size() const noexcept;  // 10^-size_decimals
};

struct Position {
  std::int64_t market_id = 0;
  std::string symbol;
  std::int8_t sign = 0;  // 1 long, -1 short (0 when flat and the venue says so)
  Decimal size;          // absolute, as sent
  Decimal signed_size;   // size * sign
  Decimal avg_entry_price;
  Decimal position_value;
  Decimal unrealized_pnl;
  Decimal realized_pnl;
  Decimal liquidation_price;
  Decimal allocated_margin;
  std::int64_t open_order_count = 0;
  std::int64_t pending_order_count = 0;
  std::uint8_t margin_mode = 0;  // 0 cross, 1 isolated
};

struct Asset {
  std::string symbol;
  std::int64_t asset_id = 0;
  Decimal balance;
  Decimal locked_balance;
};

struct Account {
  std::int64_t index = 0;
  std::int64_t status = 0;
  Decimal collateral;
  Decimal available_balance;
  Decimal total_asset_value;
  std::int64_t total_order_count = 0;
  std::int64_t pending_order_count = 0;
  std::vector<Position> positions;
  std::vector<Asset> assets;
};

enum class OrderKind : std::uint8_t {
  kLimit,
  kMarket,
  kStopLoss,
  kStopLossLimit,
  kTakeProfit,
  kTakeProfitLimit,
  kTwap,
  kTwapSub,
  kLiquidation,
};
enum class OrderTimeInForce : std::uint8_t { kGoodTillTime, kImmediateOrCancel, kPostOnly };
enum class OrderStatus : std::uint8_t {
  kInProgress,
  kPending,
  kOpen,
  kFilled,
  kCanceled,  // every "canceled-<reason>" status; `cancel_reason` keeps the text
};

struct Order {
  std::int64_t order_index = 0;
  std::int64_t client_order_index = 0;
  std::int64_t market_index = 0;
  std::int64_t owner_account_index = 0;
  Decimal initial_base_amount;
  Decimal remaining_base_amount;
  Decimal filled_base_amount;
  Decimal filled_quote_amount;
  Decimal price;
  Decimal trigger_price;
  bool is_ask = false;
  OrderKind type = OrderKind::kLimit;
  OrderTimeInForce time_in_force = OrderTimeInForce::kGoodTillTime;
  bool reduce_only = false;
  std::int64_t order_expiry_ms = 0;
  OrderStatus status = OrderStatus::kOpen;
  // With kCanceled: the reason after "canceled-" ("expired", "post-only", ...; "" for a plain cancel,
  // "other" for a reason this build does not know). Static text: an order costs no allocation.
  const char* cancel_reason = "";
  std::int64_t nonce = 0;
  std::int64_t timestamp_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct Trade {
  std::int64_t trade_id = 0;
  std::int64_t market_id = 0;
  Decimal size;
  Decimal price;
  Decimal usd_amount;
  std::int64_t ask_id = 0;
  std::int64_t bid_id = 0;
  std::int64_t ask_account_id = 0;
  std::int64_t bid_account_id = 0;
  bool is_maker_ask = false;
  std::int64_t block_height = 0;
  std::int64_t timestamp_ms = 0;
};

struct PositionFunding {
  std::int64_t timestamp = 0;
  std::int64_t market_id = 0;
  std::int64_t funding_id = 0;
  Decimal change;  // signed USDC amount paid (-) or received (+)
  Decimal rate;
  Decimal position_size;
  bool long_side = true;
  Decimal discount;
};

// funding-rates: the current funding rate of one market on one exchange. Lighter lists its own markets beside
// other exchanges' (`exchange` "lighter", "binance", ...); `rate` is a fraction over 8 hours (docs/lighter.md,
// "Funding").
struct FundingRate {
  std::int64_t market_id = 0;
  std::string exchange;
  std::string symbol;
  Decimal rate;
};

// A page of orders / trades / fundings; `next_cursor` empty on the last page.
struct OrdersPage {
  std::vector<Order> orders;
  std::string next_cursor;
};
struct TradesPage {
  std::vector<Trade> trades;
  std::string next_cursor;
};
struct FundingPage {
  std::vector<PositionFunding> fundings;
  std::string next_cursor;
};

using TxHashHex = std::array<char, 80>;  // the 40-byte message hash, lowercase hex

// apikeys: one API key registered for an account (docs/lighter.md, "REST answers").
struct ApiKeyInfo {
  std::int64_t account_index = 0;
  std::int64_t api_key_index = 0;
  std::int64_t nonce = 0;
  std::string public_key;  // hex of the 40-byte key, lowercased, without "0x"
};

// sendTx (REST) or jsonapi/sendtx (WebSocket) accepted: the API took the transaction. It says nothing
// about its outcome (docs/lighter.md, "Sending").
struct SendTxResult {
  TxHashHex tx_hash{};
  std::int64_t predicted_execution_time_ms = 0;
  std::int64_t volume_quota_remaining = -1;  // -1 when absent
};

struct SendTxBatchResult {
  std::vector<TxHashHex> tx_hashes;
  std::int64_t predicted_execution_time_ms = 0;
  std::int64_t volume_quota_remaining = -1;
};

// ---------------------------------------------------------------- WebSocket

// One order_book/{market} frame: snapshot (`subscribed/order_book`) or update (`update/order_book`).
// `levels.bids`/`levels.asks` hold absolute sizes (zero removes); levels.first_update_id = begin_nonce,
// levels.last_update_id = nonce, levels.engine_time_us = last_updated_at.
struct BookFrame {
  std::int64_t market_id = 0;
  bool snapshot = false;
  std::int64_t offset = 0;  // not contiguous: never used for continuity
  std::int64_t nonce = 0;
  std::int64_t begin_nonce = 0;
  TimestampUs last_updated_at_us = 0;
  std::int64_t timestamp_ms = 0;
  DepthDelta levels;
};

enum class WsType : std::uint8_t {
  kNone,  // nothing decoded (malformed frame)
  kConnected,
  kOrderBook,      // -> book
  kTrade,          // -> trades (trade/{m})
  kAccountOrders,  // -> orders (account_orders / account_all_orders)
  kAccountAll,     // -> orders, trades, positions
  kPing,           // answer {"type":"pong"}
  kPong,
  kError,    // -> error_code, error_message
  kSendTx,   // jsonapi/sendtx reply: -> send_tx or error_code/error_message
  kUnknown,  // a well-formed frame of a type not decoded here
};

struct WsFrame {
  WsType type = WsType::kNone;
  bool snapshot = false;  // subscribed/... rather than update/...
  BookFrame book;
  std::vector<Trade> trades;
  std::vector<Order> orders;
  std::vector<Position> positions;
  std::int64_t account = 0;
  std::int64_t error_code = 0;
  std::string_view error_message;  // valid until the next parse with the same JsonParser
  SendTxResult send_tx;
  // jsonapi/sendtx replies: the request's "id" echoed back, when it is a decimal integer; -1 otherwise.
  std::int64_t request_id = -1;
};

}  // namespace bparb::lighter
