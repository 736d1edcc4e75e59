#pragma once
// Plain structs for Backpack REST responses and WebSocket frames (filled by parsers.hpp).
//
// REST structs own their strings (cold path). WS structs are reused frame after frame: their
// string_views point into the frame buffer or the JsonParser's scratch and are valid only until the
// next parse with the same JsonParser; their vectors keep capacity, so no allocation once warm.
// Nullable exchange fields are std::optional (REST) or a has_* flag (WS).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"

namespace bparb::backpack {

// Backpack's clientId is an unsigned 32-bit integer (docs/backpack.md §2); the kernel's ids are 64-bit, so
// whatever sends one checks it against this first and never truncates.
inline constexpr ClientId kMaxBackpackClientId = 0xFFFF'FFFFu;

// ---------------------------------------------------------------- REST

// GET /api/v1/markets (array) and /api/v1/market (object) parse into bparb::MarketSpec
// (market_spec.hpp); fields MarketSpec has no slot for (createdAt, meanMarkPriceBand, ...) are ignored.

// GET /api/v1/ticker(s). priceChangePercent may be non-numeric ("N/A") -> nullopt.
struct Ticker {
  std::string symbol;
  Decimal first_price;
  Decimal last_price;
  Decimal price_change;
  std::optional<Decimal> price_change_percent;  // fraction (e.g. -0.031279), not percent
  Decimal high;
  Decimal low;
  Decimal volume;
  Decimal quote_volume;
  std::int64_t trades = 0;
};

// GET /api/v1/markPrices (array even with ?symbol=). funding_rate: fraction for the current interval.
struct MarkPrice {
  std::string symbol;
  Decimal funding_rate;  // parsed with parse_rounded (estimates carry > 9 decimals)
  Decimal index_price;
  Decimal mark_price;
  std::int64_t next_funding_timestamp_ms = 0;
};

// GET /api/v1/fundingRates rows.
struct FundingRate {
  std::string symbol;
  std::int64_t interval_end_timestamp_ms = 0;  // from naive-UTC ISO text
  Decimal funding_rate;
};

// GET /api/v1/account. Fees in basis points (negative = rebate).
struct AccountSummary {
  bool auto_borrow_settlements = false;
  bool auto_lend = false;
  bool auto_realize_pnl = false;
  bool auto_repay_borrows = false;
  Decimal borrow_limit;
  Decimal futures_maker_fee_bps;
  Decimal futures_taker_fee_bps;
  Decimal spot_maker_fee_bps;
  Decimal spot_taker_fee_bps;
  Decimal leverage_limit;
  std::int64_t limit_orders = 0;
  std::int64_t trigger_orders = 0;
  bool liquidating = false;
  Decimal position_limit;
};

// GET /api/v1/capital: {"USDC":{"available":..,"locked":..,"staked":..},...} in document order.
struct Balance {
  std::string asset;
  Decimal available;
  Decimal locked;  // in open orders
  Decimal staked;
};

// GET /api/v1/capital/collateral collateral[] row.
struct CollateralAsset {
  std::string symbol;
  Decimal asset_mark_price;
  Decimal total_quantity;
  Decimal balance_notional;
  Decimal collateral_weight;
  Decimal collateral_value;
  Decimal open_order_quantity;
  Decimal lend_quantity;
  Decimal available_quantity;
};

// GET /api/v1/capital/collateral (MarginAccountSummary). Derived values are rounded to 1e-9.
struct CollateralSummary {
  Decimal assets_value;
  Decimal borrow_liability;
  Decimal imf;
  Decimal mmf;
  std::optional<Decimal> margin_fraction;
  Decimal net_equity;
  Decimal net_equity_available;
  Decimal net_equity_locked;
  Decimal net_exposure_futures;
  Decimal pnl_unrealized;
  Decimal unsettled_equity;
  Decimal liabilities_value;
  std::vector<CollateralAsset> collateral;
};

// GET /api/v1/position rows (FuturePositionWithMargin). net_quantity: +long / -short.
struct Position {
  std::string symbol;
  std::string position_id;
  Decimal break_even_price;
  Decimal entry_price;
  Decimal est_liquidation_price;
  Decimal imf;
  Decimal mmf;
  MarginFunction imf_function;
  MarginFunction mmf_function;
  Decimal mark_price;
  Decimal net_cost;
  Decimal net_quantity;
  Decimal net_exposure_quantity;
  Decimal net_exposure_notional;
  Decimal pnl_realized;
  Decimal pnl_unrealized;
  Decimal cumulative_funding_payment;
  std::int64_t subaccount_id = 0;
  std::int64_t user_id = 0;
};

// Order as returned by execute / open orders / order query / order history. createdAt arrives as
// int ms (execute, open orders) or naive ISO text (history); both end up in created_at_ms.
struct Order {
  std::string id;
  std::optional<std::uint32_t> client_id;
  std::int64_t created_at_ms = 0;
  std::string symbol;
  Side side = Side::kBid;
  OrderType order_type = OrderType::kLimit;
  OrderStatus status = OrderStatus::kNew;
  std::optional<TimeInForce> time_in_force;
  std::optional<Decimal> price;
  std::optional<Decimal> quantity;
  std::optional<Decimal> quote_quantity;
  Decimal executed_quantity;
  Decimal executed_quote_quantity;
  std::optional<bool> post_only;
  std::optional<bool> reduce_only;
  std::optional<SelfTradePrevention> self_trade_prevention;
  std::optional<Decimal> trigger_price;
  std::optional<std::string> trigger_quantity;  // may be "12.5%"
  std::string expiry_reason;                    // e.g. "PostOnlyTaker"; empty if null/absent
  std::string system_order_type;                // history only; empty if null/absent
  std::string related_order_id;
  std::string strategy_id;
};

// POST /api/v1/orders element: {"operation":"Ok",...order} or {"operation":"Err","code","message"}.
struct BatchOrderResult {
  bool ok = false;
  Order order;          // when ok
  std::string code;     // when !ok
  std::string message;  // when !ok
};

// GET /wapi/v1/history/fills rows (OrderFill). clientId is a JSON STRING here.
struct Fill {
  std::int64_t trade_id = 0;  // null for some system fills -> 0, has_trade_id false
  bool has_trade_id = false;
  std::string order_id;
  std::optional<std::uint32_t> client_id;
  std::string symbol;
  Side side = Side::kBid;
  Decimal price;
  Decimal quantity;
  Decimal fee;
  std::string fee_symbol;
  bool is_maker = false;
  std::int64_t timestamp_ms = 0;  // naive ISO text (or int ms) -> ms
  std::string system_order_type;  // empty if null
};

// GET /wapi/v1/history/funding rows. quantity: + received / - paid (quote asset).
struct FundingPayment {
  std::int64_t user_id = 0;
  std::int64_t subaccount_id = 0;
  std::string symbol;
  Decimal quantity;
  std::int64_t interval_end_timestamp_ms = 0;
  Decimal funding_rate;
};

// Error body {"code":"INVALID_CLIENT_REQUEST","message":"..."}.
struct ApiError {
  std::string code;
  std::string message;
};

// ---------------------------------------------------------------- WebSocket

enum class WsFrameType : std::uint8_t {
  kNone,
  kDepth,
  kBookTicker,
  kTrade,
  kMarkPrice,
  kTicker,
  kOrderUpdate,
  kPositionUpdate,
  kError,    // {"id":..,"error":{"code","message"}}
  kUnknown,  // well-formed envelope for a stream we don't decode (kline, openInterest, ...) or an ack
};
const char* to_string(WsFrameType t) noexcept;

// bookTicker.<symbol>. A side may be null when that side of the book is empty.
struct BookTickerEvent {
  std::string_view symbol;
  bool has_ask = false;
  bool has_bid = false;
  Decimal ask_price;
  Decimal ask_quantity;
  Decimal bid_price;
  Decimal bid_quantity;
  std::int64_t update_id = 0;
  TimestampUs event_time_us = 0;
  TimestampUs engine_time_us = 0;
};

// trade.<symbol>
struct TradeEvent {
  std::string_view symbol;
  Decimal price;
  Decimal quantity;
  std::string_view buyer_order_id;   // b
  std::string_view seller_order_id;  // a
  std::int64_t trade_id = 0;         // t
  bool buyer_is_maker = false;       // m
  TimestampUs event_time_us = 0;
  TimestampUs engine_time_us = 0;
};

// markPrice.<symbol>. f/i/n are absent on prediction markets (has_funding false).
struct MarkPriceEvent {
  std::string_view symbol;
  Decimal mark_price;  // p
  bool has_funding = false;
  Decimal funding_rate;              // f (estimate, rounded to 1e-9 nearest)
  Decimal index_price;               // i
  std::int64_t next_funding_ms = 0;  // n
  TimestampUs event_time_us = 0;
  TimestampUs engine_time_us = 0;
};

// ticker.<symbol> (24h rolling, every second)
struct TickerEvent {
  std::string_view symbol;
  Decimal open;             // o
  Decimal close;            // c
  Decimal high;             // h
  Decimal low;              // l
  Decimal volume;           // v
  Decimal quote_volume;     // V
  std::int64_t trades = 0;  // n
  TimestampUs event_time_us = 0;
};

enum class OrderEventType : std::uint8_t {
  kOrderAccepted,
  kOrderCancelled,
  kOrderExpired,
  kOrderFill,
  kOrderModified,
  kTriggerPlaced,
  kTriggerFailed,
};
const char* to_string(OrderEventType t) noexcept;
bool parse_order_event_type(std::string_view s, OrderEventType& out) noexcept;

// account.orderUpdate(.<symbol>) — single-letter fields (docs/backpack.md §7). Optional ones carry has_*.
struct OrderUpdateEvent {
  OrderEventType event = OrderEventType::kOrderAccepted;  // e
  TimestampUs event_time_us = 0;                          // E
  TimestampUs engine_time_us = 0;                         // T
  std::string_view symbol;                                // s
  std::string_view order_id;                              // i
  bool has_client_id = false;
  std::uint32_t client_id = 0;               // c
  Side side = Side::kBid;                    // S
  OrderType order_type = OrderType::kLimit;  // o ("LIMIT"/"MARKET")
  bool has_time_in_force = false;
  TimeInForce time_in_force = TimeInForce::kGtc;  // f
  bool has_quantity = false;
  Decimal quantity;  // q
  bool has_quote_quantity = false;
  Decimal quote_quantity;  // Q
  bool has_price = false;
  Decimal price;  // p
  bool has_trigger_price = false;
  Decimal trigger_price;                   // P
  std::string_view trigger_quantity;       // Y (text; may be a percentage)
  OrderStatus status = OrderStatus::kNew;  // X
  std::string_view expiry_reason;          // R
  bool has_trade_id = false;
  std::int64_t trade_id = 0;        // t
  Decimal fill_quantity;            // l
  Decimal fill_price;               // L
  bool has_fill = false;            // l and L present
  Decimal executed_quantity;        // z
  Decimal executed_quote_quantity;  // Z
  bool is_maker = false;            // m
  bool has_fee = false;
  Decimal fee;                  // n
  std::string_view fee_symbol;  // N
  bool has_self_trade_prevention = false;
  SelfTradePrevention self_trade_prevention = SelfTradePrevention::kRejectTaker;  // V
  std::string_view origin;            // O ("USER", "LIQUIDATION_AUTOCLOSE", ...)
  std::string_view related_order_id;  // I
  std::string_view strategy_id;       // H
  bool post_only = false;             // y
  bool reduce_only = false;           // r
  void clear() noexcept { *this = OrderUpdateEvent{}; }
};

enum class PositionEventType : std::uint8_t { kSnapshot, kPositionAdjusted, kPositionOpened, kPositionClosed };
const char* to_string(PositionEventType t) noexcept;

// account.positionUpdate(.<symbol>). The snapshot sent on subscribe has no `e` -> kSnapshot.
struct PositionUpdateEvent {
  PositionEventType event = PositionEventType::kSnapshot;
  TimestampUs event_time_us = 0;   // E
  TimestampUs engine_time_us = 0;  // T
  std::string_view symbol;         // s
  std::int64_t position_id = 0;    // i (number or string)
  Decimal break_even_price;        // b
  Decimal entry_price;             // B
  Decimal imf;                     // f
  Decimal mmf;                     // m
  Decimal mark_price;              // M
  Decimal net_quantity;            // q (+long / -short)
  Decimal net_exposure_quantity;   // Q
  Decimal net_exposure_notional;   // n
  Decimal pnl_realized;            // p
  Decimal pnl_unrealized;          // P
  Decimal est_liquidation_price;   // l (placeholder 0 since 2025-09-01)
  void clear() noexcept { *this = PositionUpdateEvent{}; }
};

// {"id":null,"error":{"code":4006,"message":"Invalid stream"}}
struct WsErrorEvent {
  std::int64_t code = 0;
  std::string_view message;
  bool has_id = false;
  std::int64_t id = 0;
};

// One decoded frame. Only the member named by `type` is meaningful; the others keep their capacity.
struct WsFrame {
  WsFrameType type = WsFrameType::kNone;
  std::string_view stream;  // "depth.SOL_USDC_PERP" (empty for error frames)
  DepthDelta depth;
  BookTickerEvent book_ticker;
  TradeEvent trade;
  MarkPriceEvent mark_price;
  TickerEvent ticker;
  OrderUpdateEvent order_update;
  PositionUpdateEvent position_update;
  WsErrorEvent error;
};

}  // namespace bparb::backpack
