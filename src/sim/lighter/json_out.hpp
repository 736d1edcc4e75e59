#pragma once
// Small JSON writing helpers for the simulated Lighter's answers (cold path: strings are built).
#include <cstdint>
#include <string>
#include <string_view>

#include "bparb/core/decimal.hpp"

namespace bparb::sim::lighter::json {

inline void str(std::string& o, std::string_view s) {
  o += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      o += ' ';
    } else {
      o += c;
    }
  }
  o += '"';
}
inline void key(std::string& o, std::string_view k) {
  if (!o.empty() && o.back() != '{' && o.back() != '[') o += ',';
  str(o, k);
  o += ':';
}
inline void kv(std::string& o, std::string_view k, std::string_view v) {
  key(o, k);
  str(o, v);
}
inline void kv(std::string& o, std::string_view k, std::int64_t v) {
  key(o, k);
  o += std::to_string(v);
}
inline void kb(std::string& o, std::string_view k, bool v) {
  key(o, k);
  o += v ? "true" : "false";
}
// A decimal as a string with exactly `decimals` places, as the venue writes amounts.
inline void kd(std::string& o, std::string_view k, Decimal v, int decimals) {
  key(o, k);
  str(o, v.str_fixed(decimals));
}
inline void raw(std::string& o, std::string_view k, std::string_view json) {
  key(o, k);
  o += json;
}
// Appends a value (object/array text) to an array being built.
inline void item(std::string& o, std::string_view json) {
  if (o.back() != '[') o += ',';
  o += json;
}

}  // namespace bparb::sim::lighter::json
