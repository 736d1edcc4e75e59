#pragma once
// Bytes -> messages.hpp structs, with simdjson on-demand (kept out of this header behind JsonParser).
//
// Every parser returns a ParseError (code kOk on success) and never throws on malformed input.
// WS-frame parsers (hot path) do not allocate once the output's vectors are warm. Numeric fields are
// accepted as JSON numbers OR strings everywhere (docs/backpack.md §5).
//
// Input padding: simdjson reads up to kJsonPadding bytes past the end. Pass JsonInput with the real
// buffer capacity when the buffer has that slack (zero-copy); otherwise the JsonParser copies the
// bytes into its own reused padded scratch buffer (grows once, then allocation-free).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/venue/backpack/messages.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace bparb::backpack {

constexpr std::size_t kJsonPadding = 64;  // == SIMDJSON_PADDING (static_assert in the .cpp)

struct JsonInput {
  const char* data = nullptr;
  std::size_t size = 0;
  std::size_t capacity = 0;  // readable bytes at data; >= size + kJsonPadding means zero-copy

  JsonInput() = default;
  JsonInput(const char* d, std::size_t n, std::size_t cap) noexcept : data(d), size(n), capacity(cap) {}
  // Unknown slack: the parser will copy into its padded scratch.
  JsonInput(std::string_view s) noexcept : data(s.data()), size(s.size()), capacity(s.size()) {}    // NOLINT
  JsonInput(const std::string& s) noexcept : data(s.data()), size(s.size()), capacity(s.size()) {}  // NOLINT
  JsonInput(const char* s) noexcept : JsonInput(std::string_view(s)) {}                             // NOLINT
  // A std::string's capacity is usable padding (reserve size + kJsonPadding to make this zero-copy).
  static JsonInput from_string(const std::string& s) noexcept { return {s.data(), s.size(), s.capacity()}; }
};

enum class ParseErrc : std::uint8_t {
  kOk = 0,
  kInvalidJson,    // not JSON / truncated / trailing garbage
  kWrongType,      // e.g. object expected, got array; string where a bool must be
  kMissingField,   // required field absent or null
  kBadNumber,      // not a decimal / integer (e.g. "N/A", "1e5", "")
  kOutOfRange,     // integer beyond int64/uint32, decimal beyond ±9.2e9 or > 9 decimals
  kBadEnum,        // unknown side / status / order type / ...
  kBadTimestamp,   // not int ms nor naive ISO date-time
  kBadValue,       // semantically invalid (e.g. both orderId and clientId, bad percent-escape)
  kUnknownStream,  // envelope ok but not a stream type this function decodes
  kTooLarge,       // input larger than the parser's maximum document size
};
const char* to_string(ParseErrc e) noexcept;

// `field` is a static string naming the JSON field or path ("data.U", "filters.price.tickSize").
struct ParseError {
  ParseErrc code = ParseErrc::kOk;
  const char* field = "";
  bool ok() const noexcept { return code == ParseErrc::kOk; }
  std::string message() const;  // "data.U: not a number" (cold path: allocates)
};

// One per connection / caller, reused (not thread-safe). Holds simdjson's ondemand::parser and a
// padded scratch buffer.
class JsonParser {
 public:
  explicit JsonParser(std::size_t max_document_bytes = 64u << 20);
  ~JsonParser();
  JsonParser(JsonParser&&) noexcept;
  JsonParser& operator=(JsonParser&&) noexcept;
  JsonParser(const JsonParser&) = delete;
  JsonParser& operator=(const JsonParser&) = delete;

  struct Impl;
  Impl& impl() noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------- WebSocket (hot path, noexcept)

// Decodes one WS text frame: envelope {"stream":..,"data":{..}} (keys in any order) or the error frame
// {"id":..,"error":{..}}. Sets out.type and fills the matching member (depth: out.depth is cleared
// and refilled, capacity kept). Streams handled: depth.<s> / depth.<N>ms.<s>, bookTicker.<s>,
// trade.<s>, markPrice.<s>, ticker.<s>, account.orderUpdate[.<s>], account.positionUpdate[.<s>];
// others -> type kUnknown with ok status. Malformed frames -> error, out.type kNone.
ParseError parse_ws_frame(JsonParser& p, JsonInput in, WsFrame& out) noexcept;

// Payload-level parsers for the `data` object alone (used by tests and bpsim's round-trip checks).
ParseError parse_depth_event(JsonParser& p, JsonInput in, DepthDelta& out) noexcept;
ParseError parse_book_ticker_event(JsonParser& p, JsonInput in, BookTickerEvent& out) noexcept;
ParseError parse_trade_event(JsonParser& p, JsonInput in, TradeEvent& out) noexcept;
ParseError parse_mark_price_event(JsonParser& p, JsonInput in, MarkPriceEvent& out) noexcept;
ParseError parse_ticker_event(JsonParser& p, JsonInput in, TickerEvent& out) noexcept;
ParseError parse_order_update_event(JsonParser& p, JsonInput in, OrderUpdateEvent& out) noexcept;
ParseError parse_position_update_event(JsonParser& p, JsonInput in, PositionUpdateEvent& out) noexcept;

// ---------------------------------------------------------------- REST responses (cold path)

ParseError parse_markets(JsonParser& p, JsonInput in, std::vector<MarketSpec>& out);  // array
ParseError parse_market(JsonParser& p, JsonInput in, MarketSpec& out);                // one object
ParseError parse_depth_snapshot(JsonParser& p, JsonInput in, DepthSnapshot& out);
ParseError parse_ticker(JsonParser& p, JsonInput in, Ticker& out);
ParseError parse_tickers(JsonParser& p, JsonInput in, std::vector<Ticker>& out);
ParseError parse_mark_prices(JsonParser& p, JsonInput in, std::vector<MarkPrice>& out);
ParseError parse_funding_rates(JsonParser& p, JsonInput in, std::vector<FundingRate>& out);
ParseError parse_account_summary(JsonParser& p, JsonInput in, AccountSummary& out);
ParseError parse_capital(JsonParser& p, JsonInput in, std::vector<Balance>& out);
ParseError parse_collateral(JsonParser& p, JsonInput in, CollateralSummary& out);
ParseError parse_positions(JsonParser& p, JsonInput in, std::vector<Position>& out);
ParseError parse_order(JsonParser& p, JsonInput in, Order& out);                // execute / query / cancel response
ParseError parse_orders(JsonParser& p, JsonInput in, std::vector<Order>& out);  // open orders, history, cancel-all
ParseError parse_batch_results(JsonParser& p, JsonInput in, std::vector<BatchOrderResult>& out);
ParseError parse_fills(JsonParser& p, JsonInput in, std::vector<Fill>& out);
ParseError parse_funding_payments(JsonParser& p, JsonInput in, std::vector<FundingPayment>& out);
ParseError parse_api_error(JsonParser& p, JsonInput in, ApiError& out);
// /api/v1/time is plain text ms ("1753131712992", surrounding whitespace allowed).
ParseError parse_server_time(std::string_view body, std::int64_t& out_ms) noexcept;

// Timestamp helpers: naive-UTC ISO "2025-07-27T18:05:40.897" / "2025-07-19 13:09:00" (fraction of
// 0..9 digits, optional trailing 'Z') -> ms since the epoch (fraction truncated to ms).
bool parse_naive_datetime_ms(std::string_view s, std::int64_t& out_ms) noexcept;

// ---------------------------------------------------------------- Server side (bpsim)

// An order body as received. `params` holds every non-null top-level field as (key, value text) in
// received order, the text being exactly what the client signed: strings unquoted/unescaped, numbers
// as their raw JSON token, booleans "true"/"false". Unknown keys are kept in params (they were signed)
// but not interpreted.
struct OrderExecutePayload {
  std::string symbol;
  Side side = Side::kBid;
  OrderType order_type = OrderType::kLimit;
  std::optional<Decimal> quantity;
  std::optional<Decimal> quote_quantity;
  std::optional<Decimal> price;
  std::optional<TimeInForce> time_in_force;
  std::optional<bool> post_only;
  std::optional<bool> reduce_only;
  std::optional<std::uint32_t> client_id;
  std::optional<SelfTradePrevention> self_trade_prevention;
  std::optional<bool> auto_lend;
  std::optional<bool> auto_lend_redeem;
  std::optional<bool> auto_borrow;
  std::optional<bool> auto_borrow_repay;
  std::optional<std::uint16_t> broker_id;
  std::vector<ParamText> params;
};

// One JSON object (POST /api/v1/order). An array here is kWrongType (the real API rejects it too).
// Checks field types/enums only; business rules (Limit needs price, ...) are the server's job.
ParseError parse_order_execute_payload(JsonParser& p, JsonInput in, OrderExecutePayload& out);
// JSON array of objects (POST /api/v1/orders). An empty array is kBadValue.
ParseError parse_order_execute_batch(JsonParser& p, JsonInput in, std::vector<OrderExecutePayload>& out);

// DELETE /api/v1/order {symbol, orderId|clientId} and DELETE /api/v1/orders {symbol, orderType?}.
struct CancelPayload {
  std::string symbol;
  std::optional<std::string> order_id;  // accepted as JSON string or integer
  std::optional<std::uint32_t> client_id;
  std::optional<std::string> order_type;  // cancel-all filter: "RestingLimitOrder" | "ConditionalOrder"
  std::vector<ParamText> params;
};
// Requires symbol; rejects orderId together with clientId (kBadValue). Does not require either id
// (so it also serves cancel-all); the route checks what it needs.
ParseError parse_cancel_payload(JsonParser& p, JsonInput in, CancelPayload& out);

// "k=v&k2=v2" (no leading '?'), '+' -> space and %XX percent-decoding on keys and values. Empty
// string -> no params. A piece without '=' is a key with empty value. Bad escapes -> kBadValue.
ParseError parse_query_string(std::string_view query, std::vector<ParamText>& out);

}  // namespace bparb::backpack
