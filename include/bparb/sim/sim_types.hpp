#pragma once
// Plain data shared by bpsim's pure exchange core (Exchange, MarketModel) and the server around it.
// Field names follow Backpack's REST/WS names (docs/backpack.md §3, §5, §7) so the server only serialises.
// Money is always bparb::Decimal; timestamps are microseconds from the injected Clock.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"

namespace bparb::sim {

// Dense index of an account inside one Exchange (0, 1, 2... in creation order).
using AccountId = std::uint32_t;
using OrderId = std::uint64_t;  // rendered as a decimal string on the wire ("4227701917")

// Backpack OrderExpiryReason, exact names via expiry_reason_name().
enum class ExpiryReason : std::uint8_t {
  kAccountTradingSuspended,
  kBorrowRequiresLendRedeem,
  kFillOrKill,
  kInsufficientBorrowableQuantity,
  kInsufficientFunds,
  kInsufficientLiquidity,
  kInvalidPrice,
  kInvalidQuantity,
  kImmediateOrCancel,
  kInsufficientMargin,
  kLiquidation,
  kNegativeEquity,
  kPostOnlyMode,
  kPostOnlyTaker,
  kPriceOutOfBounds,
  kReduceOnlyNotReduced,
  kSelfTradePrevention,
  kStopWithoutPosition,
  kPriceImpact,
  kUnknown,
  kUserPermissions,
  kMaxStopOrdersPerPosition,
  kPositionLimit,
  kSlippageToleranceExceeded,
};
std::string_view expiry_reason_name(ExpiryReason r) noexcept;  // "PostOnlyTaker" ...

// "123" -> 123. False for empty, non-digits, or overflow (the server then answers RESOURCE_NOT_FOUND).
bool parse_order_id(std::string_view s, OrderId& out) noexcept;

// ---------------------------------------------------------------------------------------------
// Requests

// POST /api/v1/order body after parsing (the server maps JSON -> this; validation is the Exchange's).
struct SimOrderRequest {
  std::string symbol;
  Side side = Side::kBid;
  OrderType order_type = OrderType::kLimit;
  std::optional<Decimal> quantity;        // base quantity (Limit: required; Market: this or quote_quantity)
  std::optional<Decimal> quote_quantity;  // Market only: max quote to spend (Bid) / receive (Ask)
  std::optional<Decimal> price;           // Limit only
  TimeInForce time_in_force = TimeInForce::kGtc;
  bool post_only = false;
  std::optional<bool> reduce_only;  // perps only; echoed back as given (null when absent)
  std::optional<std::uint32_t> client_id;
  SelfTradePrevention self_trade_prevention = SelfTradePrevention::kRejectTaker;
  // Spot margin (autoBorrow): a spot sell may take the base it lacks as a borrow against the account's
  // free collateral (the balance goes negative and counts as a liability). Without it a sell beyond
  // the free balance is INSUFFICIENT_FUNDS, as on Backpack. autoBorrowRepay / autoLendRedeem are
  // accepted; a buy always nets against a negative balance (no separate borrow book is modelled).
  bool auto_borrow = false;
  bool auto_borrow_repay = false;
  bool auto_lend_redeem = false;
};

// Identifies one order for cancel/query: exactly one of the two must be set.
struct OrderRef {
  std::optional<OrderId> order_id;
  std::optional<std::uint32_t> client_id;
};

// Filters for the /wapi/v1/history/* endpoints. Results are newest first unless ascending.
struct FillQuery {
  std::optional<std::string> symbol;
  std::optional<OrderId> order_id;
  std::optional<std::int64_t> from_ms;  // inclusive, fill timestamp in ms
  std::optional<std::int64_t> to_ms;    // inclusive
  std::size_t limit = 100;              // the real API caps at 1000; the exchange clamps to that
  std::size_t offset = 0;
  bool ascending = false;
};
struct OrderHistoryQuery {
  std::optional<std::string> symbol;
  std::optional<OrderId> order_id;
  std::size_t limit = 100;
  std::size_t offset = 0;
  bool ascending = false;
};
struct FundingHistoryQuery {
  std::optional<std::string> symbol;
  std::size_t limit = 100;
  std::size_t offset = 0;
  bool ascending = false;
};

// One page plus the total count (for X-TOTAL / X-PAGE-COUNT headers).
template <class T>
struct Page {
  std::vector<T> items;
  std::size_t total = 0;
};

// ---------------------------------------------------------------------------------------------
// Account-side records

// An order as REST returns it (LimitOrder / MarketOrder) and as the order stream describes it.
struct SimOrder {
  OrderId id = 0;
  AccountId account = 0;
  std::optional<std::uint32_t> client_id;
  std::string symbol;
  Side side = Side::kBid;
  OrderType order_type = OrderType::kLimit;
  TimeInForce time_in_force = TimeInForce::kGtc;
  std::optional<Decimal> price;           // Limit only
  std::optional<Decimal> quantity;        // current quantity (reduce-only trimming lowers it)
  std::optional<Decimal> quote_quantity;  // Market with quoteQuantity only
  Decimal executed_quantity;
  Decimal executed_quote_quantity;
  bool post_only = false;
  std::optional<bool> reduce_only;
  SelfTradePrevention self_trade_prevention = SelfTradePrevention::kRejectTaker;
  OrderStatus status = OrderStatus::kNew;
  std::optional<ExpiryReason> expiry_reason;  // set when status == Expired
  TimestampUs created_at_us = 0;              // REST createdAt = this / 1000 (ms)
  TimestampUs updated_at_us = 0;

  bool is_open() const noexcept { return status == OrderStatus::kNew || status == OrderStatus::kPartiallyFilled; }
  std::string id_str() const { return std::to_string(id); }
};

// One of the account's fills (/wapi/v1/history/fills row, WS orderFill details).
struct SimFill {
  std::int64_t trade_id = 0;  // per-symbol sequence shared with the public trade stream
  OrderId order_id = 0;
  std::optional<std::uint32_t> client_id;
  std::string symbol;
  Side side = Side::kBid;
  Decimal price;
  Decimal quantity;
  Decimal fee;             // always >= 0 (rebates are not modelled unless a fee override is negative)
  std::string fee_symbol;  // spot Bid: base asset; spot Ask: quote; perp: USDC (quote)
  bool is_maker = false;
  TimestampUs timestamp_us = 0;
};

// /wapi/v1/history/funding row.
struct FundingPayment {
  std::string symbol;
  Decimal quantity;      // + received / - paid, in USDC
  Decimal funding_rate;  // fraction for the interval (not bps)
  std::int64_t interval_end_ms = 0;
  Decimal position;  // the signed base quantity it was paid on (+ long / - short)
};

// /api/v1/capital entry.
struct BalanceView {
  std::string asset;
  Decimal available;
  Decimal locked;  // held by resting spot orders
  Decimal staked;  // always 0 in the simulator
};

// /api/v1/capital/collateral collateral[] row.
struct CollateralRow {
  std::string symbol;
  Decimal asset_mark_price;
  Decimal total_quantity;
  Decimal balance_notional;  // index * total
  Decimal collateral_weight;
  Decimal collateral_value;  // index * total * weight
  Decimal open_order_quantity;
  Decimal lend_quantity;  // always 0
  Decimal available_quantity;
};

// /api/v1/capital/collateral (MarginAccountSummary).
struct CollateralSummary {
  Decimal assets_value;      // sum of balance_notional (positive balances)
  Decimal borrow_liability;  // notional of negative balances (as a positive number)
  std::vector<CollateralRow> collateral;
  Decimal imf;  // account initial margin fraction = imf_required / exposure (0 if none)
  Decimal mmf;
  Decimal unsettled_equity;                // always 0 (auto-realize settles P&L into USDC at once)
  Decimal liabilities_value;               // == borrow_liability
  std::optional<Decimal> margin_fraction;  // net_equity / futures exposure notional; null with no exposure
  Decimal net_equity;                      // collateral values + unrealized P&L - liabilities
  Decimal net_equity_available;            // net_equity - net_equity_locked
  Decimal net_equity_locked;               // initial margin required by positions and open perp orders
  Decimal net_exposure_futures;            // sum |position notional| at mark
  Decimal pnl_unrealized;
};

// A perp position (/api/v1/position row; WS position stream fields in comments).
struct PositionView {
  std::string symbol;
  std::uint64_t position_id = 0;  // i
  Decimal net_quantity;           // q (+long / -short)
  Decimal net_cost;               // signed cost basis (+long / -short)
  Decimal entry_price;            // B  = net_cost / net_quantity (resets on flip)
  Decimal break_even_price;       // b  = (net_cost + fees paid - funding received) / net_quantity
  Decimal mark_price;             // M
  Decimal index_price;
  Decimal pnl_realized;                // p  (since the position opened; also settled into USDC at once)
  Decimal pnl_unrealized;              // P  = net_quantity * mark - net_cost
  Decimal cumulative_funding_payment;  // + received / - paid since the position opened
  Decimal imf;                         // f  fraction for this position's notional
  Decimal mmf;                         // m
  Decimal net_exposure_quantity;       // Q  worst case incl. open orders (signed by the larger side)
  Decimal net_exposure_notional;       // n  |Q| * mark
  Decimal est_liquidation_price;       // l  (placeholder 0 like the live stream since 2025-09-01)
  MarginFunction imf_function;
  MarginFunction mmf_function;
};

// GET /api/v1/account.
struct AccountSummaryView {
  bool auto_borrow_settlements = false;
  bool auto_lend = false;
  bool auto_realize_pnl = true;
  bool auto_repay_borrows = false;
  Decimal borrow_limit;
  Decimal futures_maker_fee;  // bps
  Decimal futures_taker_fee;
  Decimal spot_maker_fee;
  Decimal spot_taker_fee;
  Decimal leverage_limit;
  std::uint64_t limit_orders = 0;  // open limit orders
  std::uint64_t trigger_orders = 0;
  bool liquidating = false;
  Decimal position_limit;
};

// ---------------------------------------------------------------------------------------------
// Public market data

struct TickerView {
  std::string symbol;
  Decimal first_price;  // o (first trade price in the rolling 24h; last price when no trades)
  Decimal last_price;   // c
  Decimal price_change;
  Decimal price_change_percent;  // fraction, e.g. -0.031279
  Decimal high;
  Decimal low;
  Decimal volume;  // base
  Decimal quote_volume;
  std::int64_t trades = 0;
};

struct MarkPriceView {
  std::string symbol;
  Decimal mark_price;
  Decimal index_price;
  Decimal funding_rate;                        // estimate for the current interval (fraction); 0 for spot
  std::int64_t next_funding_timestamp_ms = 0;  // 0 for spot
};

// /api/v1/fundingRates row.
struct FundingRateRecord {
  std::string symbol;
  std::int64_t interval_end_ms = 0;
  Decimal funding_rate;
};

// /api/v1/trades row.
struct PublicTrade {
  std::int64_t id = 0;
  Decimal price;
  Decimal quantity;
  Decimal quote_quantity;
  TimestampUs timestamp_us = 0;  // REST renders ms
  bool is_buyer_maker = false;
};

// ---------------------------------------------------------------------------------------------
// Events (delivered synchronously to ExchangeListener; references are valid during the call only)

// depth.<symbol>: DepthDelta from book/depth_types.hpp (symbol points at the Exchange's own string).
// U..u are contiguous per symbol and in the same id space as depth_snapshot().last_update_id.

struct BookTickerEvent {
  std::string_view symbol;
  std::optional<Decimal> bid_price, bid_quantity;  // b, B (nullopt when the side is empty)
  std::optional<Decimal> ask_price, ask_quantity;  // a, A
  std::int64_t update_id = 0;                      // u (own per-symbol counter)
  TimestampUs engine_time_us = 0;                  // T
};

struct TradeEvent {
  std::string_view symbol;
  std::int64_t trade_id = 0;    // t (sequential per symbol)
  Decimal price;                // p
  Decimal quantity;             // q
  OrderId buyer_order_id = 0;   // b
  OrderId seller_order_id = 0;  // a
  bool buyer_is_maker = false;  // m
  TimestampUs engine_time_us = 0;
};

struct MarkPriceEvent {
  const MarkPriceView* view = nullptr;  // p, i, f, n
  bool is_perp = false;                 // spot: only p is meaningful
  TimestampUs engine_time_us = 0;
};

struct TickerEvent {
  const TickerView* view = nullptr;
  TimestampUs engine_time_us = 0;
};

enum class OrderEventType : std::uint8_t { kAccepted, kFill, kCancelled, kExpired, kModified };
std::string_view order_event_name(OrderEventType t) noexcept;  // "orderAccepted", "orderFill", ...

// account.orderUpdate: order carries the state AFTER the event (X status, z/Z cumulative, q quantity).
struct OrderEvent {
  AccountId account = 0;
  OrderEventType type = OrderEventType::kAccepted;
  const SimOrder* order = nullptr;
  // orderFill only:
  std::int64_t trade_id = 0;    // t
  Decimal fill_quantity;        // l
  Decimal fill_price;           // L
  bool is_maker = false;        // m
  Decimal fee;                  // n
  std::string_view fee_symbol;  // N
  TimestampUs engine_time_us = 0;
};

enum class PositionEventType : std::uint8_t { kOpened, kAdjusted, kClosed };
std::string_view position_event_name(PositionEventType t) noexcept;  // "positionOpened", ...

// account.positionUpdate. For kClosed the view has net_quantity 0 and the final realized P&L.
struct PositionEvent {
  AccountId account = 0;
  PositionEventType type = PositionEventType::kAdjusted;
  const PositionView* position = nullptr;
  TimestampUs engine_time_us = 0;
};

}  // namespace bparb::sim
