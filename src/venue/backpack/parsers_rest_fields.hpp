#pragma once
// Field readers shared by the REST response parsers (parsers_rest.cpp: markets, market data and account;
// parsers_rest_orders.cpp: orders, fills, funding payments and error answers). Not a public header.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parsers_detail.hpp"

namespace bparb::backpack::detail {

#define BPARB_FIELDS_AS(obj, where, K, V, ST, ...)                                                                \
  do {                                                                                                            \
    ParseError ST = for_each_field(obj, where, [&](std::string_view K, od::value & V) -> ParseError __VA_ARGS__); \
    if (!ST.ok()) return ST;                                                                                      \
  } while (0)
#define BPARB_FIELDS(obj, where, ...) BPARB_FIELDS_AS(obj, where, k, v, fe_status, __VA_ARGS__)

// Small "required fields" tracker keyed by the order fields are listed in.
struct Required {
  std::uint64_t bits = 0;
  void set(int i) noexcept { bits |= std::uint64_t{1} << i; }
  bool has(int i) const noexcept { return (bits >> i) & 1u; }
};

inline ParseError opt_string(od::value& v, std::string& out, const char* field) {
  if (is_null(v)) {
    out.clear();
    return ok();
  }
  std::string_view s;
  BPARB_TRY(scalar_text(v, s, field));
  out.assign(s);
  return ok();
}

inline ParseError req_string(od::value& v, std::string& out, const char* field) {
  std::string_view s;
  BPARB_TRY(get_string(v, s, field));
  out.assign(s);
  return ok();
}

inline ParseError opt_decimal(od::value& v, std::optional<Decimal>& out, const char* field, bool rounded = false) {
  if (is_null(v)) {
    out.reset();
    return ok();
  }
  Decimal d;
  BPARB_TRY(get_decimal(v, d, field, rounded));
  out = d;
  return ok();
}

// Nullable decimal where null means zero (e.g. maxPrice: no limit).
inline ParseError decimal_or_zero(od::value& v, Decimal& out, const char* field, bool rounded = false) {
  if (is_null(v)) {
    out = Decimal{};
    return ok();
  }
  return get_decimal(v, out, field, rounded);
}

inline ParseError opt_bool(od::value& v, std::optional<bool>& out, const char* field) {
  if (is_null(v)) {
    out.reset();
    return ok();
  }
  bool b = false;
  BPARB_TRY(get_bool(v, b, field));
  out = b;
  return ok();
}

inline ParseError bool_or_false(od::value& v, bool& out, const char* field) {
  if (is_null(v)) {
    out = false;
    return ok();
  }
  return get_bool(v, out, field);
}

inline ParseError int_or_zero(od::value& v, std::int64_t& out, const char* field) {
  if (is_null(v)) {
    out = 0;
    return ok();
  }
  return get_int(v, out, field);
}

inline ParseError opt_client_id(od::value& v, std::optional<std::uint32_t>& out, const char* field) {
  if (is_null(v)) {
    out.reset();
    return ok();
  }
  std::string_view s;
  BPARB_TRY(scalar_text(v, s, field));
  if (s.empty()) {  // fills history sends clientId as a string; treat "" as absent
    out.reset();
    return ok();
  }
  std::int64_t x = 0;
  BPARB_TRY(int_from_text(s, x, field));
  if (x < 0 || x > 0xFFFFFFFFll) return fail(ParseErrc::kOutOfRange, field);
  out = static_cast<std::uint32_t>(x);
  return ok();
}

template <class T, class Fn>
inline ParseError array_of(JsonParser& p, JsonInput in, std::vector<T>& out, const char* where, Fn&& fn) {
  out.clear();
  od::document doc;
  od::array arr;
  BPARB_TRY(root_array(p, in, doc, arr, where));
  for (auto el_res : arr) {
    od::value el;
    BPARB_SJ(el_res.get(el), where);
    od::json_type t;
    BPARB_TRY(value_type(el, t, where));
    if (t != od::json_type::object) return fail(ParseErrc::kWrongType, where);
    od::object obj;
    BPARB_SJ(el.get_object().get(obj), where);
    T item{};
    BPARB_TRY(fn(obj, item));
    out.push_back(std::move(item));
  }
  return ok();
}

template <class T, class Fn>
inline ParseError single(JsonParser& p, JsonInput in, T& out, const char* where, Fn&& fn) {
  od::document doc;
  od::object obj;
  BPARB_TRY(root_object(p, in, doc, obj, where));
  out = T{};
  return fn(obj, out);
}

}  // namespace bparb::backpack::detail
