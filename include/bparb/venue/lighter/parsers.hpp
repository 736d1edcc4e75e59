#pragma once
// Lighter REST bodies and WebSocket frames -> messages.hpp (simdjson on-demand behind JsonParser).
//
// Every parser returns a ParseError (kOk on success) and never throws on malformed input. Numeric
// fields are accepted as JSON numbers or strings. A REST body whose `code` is not 200 gives kApiError
// with `api_code` set (see lighter_error_from_code / classify); the frame parser reports venue error
// frames as WsType::kError instead. parse_ws_frame allocates nothing once the frame's vectors are warm.
//
// Input padding: simdjson reads up to kJsonPadding bytes past the end. A JsonInput whose capacity
// leaves that slack is parsed in place; otherwise the bytes are copied into the parser's own reused
// scratch buffer (grows once).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/venue/lighter/messages.hpp"

namespace bparb::lighter {

constexpr std::size_t kJsonPadding = 64;  // == SIMDJSON_PADDING (static_assert in the .cpp)

struct JsonInput {
  const char* data = nullptr;
  std::size_t size = 0;
  std::size_t capacity = 0;  // readable bytes at data; >= size + kJsonPadding means in place

  JsonInput() = default;
  JsonInput(const char* d, std::size_t n, std::size_t cap) noexcept : data(d), size(n), capacity(cap) {}
  JsonInput(std::string_view s) noexcept : data(s.data()), size(s.size()), capacity(s.size()) {}    // NOLINT
  JsonInput(const std::string& s) noexcept : data(s.data()), size(s.size()), capacity(s.size()) {}  // NOLINT
  JsonInput(const char* s) noexcept : JsonInput(std::string_view(s)) {}                             // NOLINT
};

enum class ParseErrc : std::uint8_t {
  kOk = 0,
  kInvalidJson,   // not JSON / truncated
  kWrongType,     // object expected, got array; ...
  kMissingField,  // required field absent or null
  kBadNumber,     // not a decimal / integer
  kOutOfRange,    // beyond the field's range, or a decimal finer than 1e-9
  kBadEnum,       // unknown status / type / side text
  kBadValue,      // semantically invalid (negative size, bad channel name, bad tx hash)
  kApiError,      // well-formed body with code != 200: see ParseError::api_code
  kTooLarge,      // beyond the parser's maximum document size
};
const char* to_string(ParseErrc e) noexcept;

struct ParseError {
  ParseErrc code = ParseErrc::kOk;
  const char* field = "";     // static text naming the field ("order_book.asks")
  std::int64_t api_code = 0;  // with kApiError: the venue's code
  bool ok() const noexcept { return code == ParseErrc::kOk; }
  LighterError venue_error() const noexcept {
    return code == ParseErrc::kApiError ? lighter_error_from_code(api_code) : LighterError::kNone;
  }
  std::string message() const;  // cold path
};

// One per connection / caller, reused, not thread-safe.
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

// One text frame. Decoded: connected, ping, pong, error, subscribed|update/order_book,
// subscribed|update/trade, subscribed|update/account_orders, .../account_all_orders, .../account_all,
// jsonapi/sendtx replies; other well-formed frames -> kUnknown with ok status. Malformed -> error and
// out.type kNone.
// order_book frames of the venue's exact shape take a hand-written single-pass reader; anything it
// does not recognise goes through the generic simdjson walk, which is the reference for both.
ParseError parse_ws_frame(JsonParser& p, JsonInput in, WsFrame& out) noexcept;
// The generic walk alone (equivalence tests and the fuzz target compare the two).
ParseError parse_ws_frame_generic(JsonParser& p, JsonInput in, WsFrame& out) noexcept;

// ---------------------------------------------------------------- REST (cold path)

// orderBookDetails: perp and spot lists appended in that order. orderBooks: the `order_books` list.
ParseError parse_order_book_details(JsonParser& p, JsonInput in, std::vector<MarketDetails>& out);
ParseError parse_order_books(JsonParser& p, JsonInput in, std::vector<MarketDetails>& out);
// account?by=index: the first (only) account.
ParseError parse_account(JsonParser& p, JsonInput in, Account& out);
ParseError parse_next_nonce(JsonParser& p, JsonInput in, std::int64_t& out);
// apikeys: every listed key (an empty list is a valid answer).
ParseError parse_api_keys(JsonParser& p, JsonInput in, std::vector<ApiKeyInfo>& out);
ParseError parse_send_tx(JsonParser& p, JsonInput in, SendTxResult& out);
ParseError parse_send_tx_batch(JsonParser& p, JsonInput in, SendTxBatchResult& out);
// accountActiveOrders / accountInactiveOrders.
ParseError parse_orders(JsonParser& p, JsonInput in, OrdersPage& out);
// trades / recentTrades.
ParseError parse_trades(JsonParser& p, JsonInput in, TradesPage& out);
ParseError parse_position_funding(JsonParser& p, JsonInput in, FundingPage& out);
// funding-rates: every listed row (any exchange).
ParseError parse_funding_rates(JsonParser& p, JsonInput in, std::vector<FundingRate>& out);
// Any body: its code and message (code 200 and empty message for a success body).
ParseError parse_api_status(JsonParser& p, JsonInput in, std::int64_t& code, std::string& message);

}  // namespace bparb::lighter
