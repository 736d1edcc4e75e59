#pragma once
// Tiny append-only JSON writer for bpsim's REST bodies and WS frames. Decimals are written as JSON
// strings in canonical form ("150.25"), like the real API; absent optionals are written as null.
// Commas are placed automatically (a small stack of "first element" flags; nesting depth <= 32).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bparb/core/decimal.hpp"

namespace bparb::sim {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) noexcept : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);

  JsonWriter& str(std::string_view v);               // escaped JSON string
  JsonWriter& dec(Decimal d);                        // "1.5" (string)
  JsonWriter& dec(const std::optional<Decimal>& d);  // string or null
  JsonWriter& num(std::int64_t v);
  JsonWriter& unum(std::uint64_t v);
  JsonWriter& num_str(std::int64_t v);  // integer as a JSON string ("1754903057555305")
  JsonWriter& boolean(bool v);
  JsonWriter& boolean(const std::optional<bool>& v);  // bool or null
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // a pre-rendered JSON value

  // key + value shorthands
  JsonWriter& kv(std::string_view k, std::string_view v) { return key(k).str(v); }
  JsonWriter& kv(std::string_view k, const char* v) { return key(k).str(v); }
  JsonWriter& kv(std::string_view k, Decimal v) { return key(k).dec(v); }
  JsonWriter& kv(std::string_view k, const std::optional<Decimal>& v) { return key(k).dec(v); }
  JsonWriter& kv_num(std::string_view k, std::int64_t v) { return key(k).num(v); }
  JsonWriter& kv_bool(std::string_view k, bool v) { return key(k).boolean(v); }
  JsonWriter& kv_null(std::string_view k) { return key(k).null(); }

 private:
  void value_prefix();

  std::string& out_;
  bool first_[32] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

// Appends `s` escaped as JSON string content (no quotes).
void json_escape_append(std::string& out, std::string_view s);

// Naive UTC ISO date-time with milliseconds as the history endpoints print it: "2025-07-27T18:05:40.897".
std::string iso_naive_ms(std::int64_t ms);
// Without fraction: "2025-08-01T16:00:00" (funding intervalEndTimestamp).
std::string iso_naive_s(std::int64_t ms);

}  // namespace bparb::sim
