#pragma once
// Backpack signing strings (docs/backpack.md §1.2/§1.3) and the endpoint → instruction table (§1.4).
//
//   instruction=<i>&<k1=v1&k2=v2 sorted by key>&timestamp=<ms>&window=<ms>
//
// Values are signed exactly as sent: decimal strings verbatim, booleans lowercase, integers plain,
// absent fields omitted. Batch execute repeats "instruction=orderExecute&" before every order's sorted
// params and appends timestamp/window once. The server re-renders the parsed params, so the body and
// the signing string must carry byte-identical value text (RequestWriter guarantees it).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bparb::backpack {

class SigningKey;

constexpr std::int64_t kDefaultWindowMs = 5000;
constexpr std::int64_t kMaxWindowMs = 60000;

// One signed key/value; both views must stay alive while the string is built.
struct SignParam {
  std::string_view key;
  std::string_view value;  // exactly as sent (bools "true"/"false", decimals as the body string)
};

// Owning key/value pair, e.g. as received by the bpsim server (parsers.hpp) before it rebuilds the
// signing string.
struct ParamText {
  std::string key;
  std::string value;
  bool operator==(const ParamText&) const = default;
};

// Sorts `params` by key (plain byte order) in place and writes the signing string into out[0..cap).
// Returns its length, or 0 if `cap` is too small (nothing useful is left in out then). No allocation.
// Duplicate keys are kept in their (stable) relative order.
std::size_t build_signing_string(std::string_view instruction, std::span<SignParam> params, std::int64_t timestamp_ms,
                                 std::int64_t window_ms, char* out, std::size_t cap) noexcept;

// Batch form (docs/backpack.md §1.3): for each order "instruction=<i>&<its sorted params>", joined with '&', then
// "&timestamp=..&window=.." once. An order with no params contributes just "instruction=<i>".
// Sorts each order's params in place. Returns the length or 0 if `cap` is too small.
std::size_t build_batch_signing_string(std::string_view instruction, std::span<std::span<SignParam>> orders,
                                       std::int64_t timestamp_ms, std::int64_t window_ms, char* out,
                                       std::size_t cap) noexcept;

// Convenience overloads returning std::string (tools, tests, the simulator). Inputs are not modified.
std::string signing_string(std::string_view instruction, std::span<const SignParam> params, std::int64_t timestamp_ms,
                           std::int64_t window_ms);
std::string signing_string(std::string_view instruction, std::span<const ParamText> params, std::int64_t timestamp_ms,
                           std::int64_t window_ms);
std::string batch_signing_string(std::string_view instruction, std::span<const std::vector<ParamText>> orders,
                                 std::int64_t timestamp_ms, std::int64_t window_ms);

// WebSocket subscribe message. With a key: private form, signing
// "instruction=subscribe&timestamp=<ts>&window=<w>" and adding
//   "signature":["<X-API-Key>","<sig>","<ts>","<window>"]   (all four as JSON strings).
// With nullptr: public form {"method":"SUBSCRIBE","params":[...]}. Stream names are written as JSON
// strings (escaped if needed).
std::string ws_subscribe_message(std::span<const std::string_view> streams, const SigningKey* key_or_null,
                                 std::int64_t timestamp_ms, std::int64_t window_ms);
// Same for UNSUBSCRIBE (ccxt re-signs private unsubscribes; harmless for public ones).
std::string ws_unsubscribe_message(std::span<const std::string_view> streams, const SigningKey* key_or_null,
                                   std::int64_t timestamp_ms, std::int64_t window_ms);

// Instruction for a signed endpoint, e.g. ("POST", "/api/v1/order") -> "orderExecute",
// ("GET", "/wapi/v1/history/fills") -> "fillHistoryQueryAll". `method` is upper-case HTTP method;
// `path` has no query string. Returns an empty view for public/unknown endpoints (send unsigned).
std::string_view instruction_for(std::string_view method, std::string_view path) noexcept;

}  // namespace bparb::backpack
