#pragma once
// The JSON pieces every answer of the operator surface is written with (status, metrics help, read views):
// one definition, so every endpoint escapes strings and writes money and durations the same way.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/json_escape.hpp"

namespace bparb::service::json_out {

inline void str(std::string& o, std::string_view v) {
  o += '"';
  json_escape_append(o, v, Utf8Policy::kReplaceInvalid);
  o += '"';
}
inline void key(std::string& o, std::string_view k) {
  str(o, k);
  o += ':';
}
// Money as a decimal string, never a float.
inline void dec(std::string& o, Decimal d) {
  str(o, d.str());
}
inline void num(std::string& o, std::int64_t v) {
  o += std::to_string(v);
}
inline void boolean(std::string& o, bool b) {
  o += b ? "true" : "false";
}
// Microseconds as exact decimal seconds ("12.000345").
inline std::string seconds(DurationUs us) {
  const char* sign = us < 0 ? "-" : "";
  const DurationUs a = us < 0 ? -us : us;
  return fmt::format("{}{}.{:06d}", sign, a / kUsPerSecond, a % kUsPerSecond);
}

}  // namespace bparb::service::json_out
