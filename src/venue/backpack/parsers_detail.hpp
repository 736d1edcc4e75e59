#pragma once
// Internal helpers shared by the parsers_*.cpp files: simdjson access with number-or-string tolerance,
// mapped to ParseError. Not a public header.
#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <string_view>
#include <utility>

#include <algorithm>

#include "bparb/venue/backpack/parsers.hpp"

namespace bparb::backpack {

struct JsonParser::Impl {
  // Reserve the parser's internal buffers up front: otherwise simdjson re-allocates whenever a frame
  // larger than any before arrives (it happens in normal operation, e.g. as update ids gain digits),
  // which is a heap allocation on the per-frame path. 64 KiB covers every WS frame; larger REST bodies
  // (cold path) still grow it.
  explicit Impl(std::size_t max_bytes) : parser(max_bytes), max_document_bytes(max_bytes) {
    // A failure here only means the first frame allocates instead; parsing reports real errors.
    [[maybe_unused]] const simdjson::error_code reserved = parser.allocate(std::min<std::size_t>(max_bytes, 64 * 1024));
  }
  simdjson::ondemand::parser parser;
  std::string scratch;  // padded copy when the caller's buffer has no slack
  std::size_t max_document_bytes;

  // Starts a document over `in`, copying into `scratch` only when `in` lacks SIMDJSON_PADDING slack.
  simdjson::error_code iterate(JsonInput in, simdjson::ondemand::document& doc) noexcept;
};

namespace detail {

namespace od = simdjson::ondemand;

inline ParseError fail(ParseErrc c, const char* field) noexcept {
  return ParseError{c, field};
}
inline ParseError ok() noexcept {
  return ParseError{};
}

inline ParseErrc map_error(simdjson::error_code e) noexcept {
  switch (e) {
    case simdjson::INCORRECT_TYPE:
      return ParseErrc::kWrongType;
    case simdjson::NUMBER_OUT_OF_RANGE:
      return ParseErrc::kOutOfRange;
    case simdjson::NUMBER_ERROR:
      return ParseErrc::kBadNumber;
    case simdjson::NO_SUCH_FIELD:
      return ParseErrc::kMissingField;
    case simdjson::CAPACITY:
      return ParseErrc::kTooLarge;
    default:
      return ParseErrc::kInvalidJson;
  }
}
inline ParseError from_simdjson(simdjson::error_code e, const char* field) noexcept {
  return ParseError{map_error(e), field};
}

#define BPARB_TRY(expr)                        \
  do {                                         \
    ::bparb::backpack::ParseError e_ = (expr); \
    if (!e_.ok()) return e_;                   \
  } while (0)

#define BPARB_SJ(expr, field)                                                                    \
  do {                                                                                           \
    ::simdjson::error_code sj_ = (expr);                                                         \
    if (sj_ != ::simdjson::SUCCESS) return ::bparb::backpack::detail::from_simdjson(sj_, field); \
  } while (0)

inline std::string_view trim_ws(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

// Type of a value; a malformed token surfaces as an error here.
inline ParseError value_type(od::value& v, od::json_type& t, const char* field) noexcept {
  BPARB_SJ(v.type().get(t), field);
  return ok();
}

inline bool is_null(od::value& v) noexcept {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS) return false;
  if (t != od::json_type::null) return false;
  // type() only peeks at the first byte; make sure it really is the literal null.
  bool n = false;
  return v.is_null().get(n) == simdjson::SUCCESS && n;
}

// Text of a string value (unescaped) or of a number token; nothing else.
inline ParseError scalar_text(od::value& v, std::string_view& out, const char* field) noexcept {
  od::json_type t;
  BPARB_TRY(value_type(v, t, field));
  if (t == od::json_type::string) {
    BPARB_SJ(v.get_string().get(out), field);
    return ok();
  }
  if (t == od::json_type::number) {
    out = trim_ws(v.raw_json_token());
    return ok();
  }
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  return fail(ParseErrc::kWrongType, field);
}

inline ParseError decimal_from_text(std::string_view s, Decimal& out, bool rounded, const char* field) noexcept {
  const DecimalParseError e = rounded ? Decimal::parse_rounded(s, out, Rounding::kNearest) : Decimal::parse(s, out);
  switch (e) {
    case DecimalParseError::kOk:
      return ok();
    case DecimalParseError::kOverflow:
    case DecimalParseError::kTooPrecise:
      return fail(ParseErrc::kOutOfRange, field);
    default:
      return fail(ParseErrc::kBadNumber, field);
  }
}

// Decimal from a JSON string or number. `rounded`: values that legitimately carry more than 9
// decimals (funding estimates, notionals, PnL) are rounded to nearest 1e-9; prices, quantities and
// fees must be exact.
inline ParseError get_decimal(od::value& v, Decimal& out, const char* field, bool rounded = false) noexcept {
  std::string_view s;
  BPARB_TRY(scalar_text(v, s, field));
  return decimal_from_text(s, out, rounded, field);
}

inline ParseError get_decimal_rounded(od::value& v, Decimal& out, const char* field) noexcept {
  return get_decimal(v, out, field, true);
}

// Same with null -> present=false.
inline ParseError get_opt_decimal(od::value& v, Decimal& out, bool& present, const char* field,
                                  bool rounded = false) noexcept {
  if (is_null(v)) {
    present = false;
    out = Decimal{};
    return ok();
  }
  present = true;
  return get_decimal(v, out, field, rounded);
}

inline ParseError int_from_text(std::string_view s, std::int64_t& out, const char* field) noexcept {
  if (s.empty()) return fail(ParseErrc::kBadNumber, field);
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, out);
  if (r.ec == std::errc::result_out_of_range) return fail(ParseErrc::kOutOfRange, field);
  if (r.ec != std::errc() || r.ptr != e) return fail(ParseErrc::kBadNumber, field);
  return ok();
}

// Integer from a JSON number or a string of digits (µs/ms timestamps, update ids, trade ids).
inline ParseError get_int(od::value& v, std::int64_t& out, const char* field) noexcept {
  std::string_view s;
  BPARB_TRY(scalar_text(v, s, field));
  return int_from_text(s, out, field);
}

inline ParseError get_u32(od::value& v, std::uint32_t& out, const char* field) noexcept {
  std::int64_t x = 0;
  BPARB_TRY(get_int(v, x, field));
  if (x < 0 || x > 0xFFFFFFFFll) return fail(ParseErrc::kOutOfRange, field);
  out = static_cast<std::uint32_t>(x);
  return ok();
}

inline ParseError get_string(od::value& v, std::string_view& out, const char* field) noexcept {
  od::json_type t;
  BPARB_TRY(value_type(v, t, field));
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  if (t != od::json_type::string) return fail(ParseErrc::kWrongType, field);
  BPARB_SJ(v.get_string().get(out), field);
  return ok();
}

// Ids (order ids, trade ids) may come as strings or numbers: keep the text.
inline ParseError get_id_text(od::value& v, std::string_view& out, const char* field) noexcept {
  return scalar_text(v, out, field);
}

// Bool from a JSON literal (or, tolerantly, the strings "true"/"false").
inline ParseError get_bool(od::value& v, bool& out, const char* field) noexcept {
  od::json_type t;
  BPARB_TRY(value_type(v, t, field));
  if (t == od::json_type::boolean) {
    BPARB_SJ(v.get_bool().get(out), field);
    return ok();
  }
  if (t == od::json_type::string) {
    std::string_view s;
    BPARB_SJ(v.get_string().get(s), field);
    if (s == "true") {
      out = true;
      return ok();
    }
    if (s == "false") {
      out = false;
      return ok();
    }
  }
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  return fail(ParseErrc::kWrongType, field);
}

template <class Enum, class Fn>
ParseError get_enum(od::value& v, Enum& out, Fn parse_fn, const char* field) noexcept {
  std::string_view s;
  BPARB_TRY(get_string(v, s, field));
  if (!parse_fn(s, out)) return fail(ParseErrc::kBadEnum, field);
  return ok();
}

// Timestamp in ms from an int (number/string) or a naive ISO text.
inline ParseError get_timestamp_ms(od::value& v, std::int64_t& out, const char* field) noexcept {
  std::string_view s;
  BPARB_TRY(scalar_text(v, s, field));
  if (!s.empty() && s.find_first_of("-:T ") != std::string_view::npos && s.front() != '-') {
    if (!parse_naive_datetime_ms(s, out)) return fail(ParseErrc::kBadTimestamp, field);
    return ok();
  }
  ParseError e = int_from_text(s, out, field);
  if (!e.ok() && e.code == ParseErrc::kBadNumber) e.code = ParseErrc::kBadTimestamp;
  return e;
}

// Levels [["price","qty"],...] appended to `out` (cleared first). Exact decimals.
inline ParseError get_levels(od::value& v, std::vector<LevelUpdate>& out, const char* field) noexcept {
  out.clear();
  od::array arr;
  BPARB_SJ(v.get_array().get(arr), field);
  for (auto lvl_res : arr) {
    od::value lvl;
    BPARB_SJ(lvl_res.get(lvl), field);
    od::array pair;
    BPARB_SJ(lvl.get_array().get(pair), field);
    LevelUpdate u;
    int n = 0;
    for (auto x_res : pair) {
      od::value x;
      BPARB_SJ(x_res.get(x), field);
      if (n == 0) {
        BPARB_TRY(get_decimal(x, u.price, field));
      } else if (n == 1) {
        BPARB_TRY(get_decimal(x, u.quantity, field));
      } else {
        return fail(ParseErrc::kWrongType, field);  // more than [price, qty]
      }
      ++n;
    }
    if (n != 2) return fail(ParseErrc::kWrongType, field);
    if (u.price.raw() <= 0 || u.quantity.is_negative()) return fail(ParseErrc::kBadValue, field);
    out.push_back(u);
  }
  return ok();
}

// Runs fn(key, value) for every field of the object; fn returns ParseError.
template <class Fn>
ParseError for_each_field(od::object& obj, const char* where, Fn&& fn) noexcept {
  for (auto field_res : obj) {
    od::field f;
    BPARB_SJ(std::move(field_res).get(f), where);
    std::string_view key;
    BPARB_SJ(f.unescaped_key().get(key), where);
    od::value v = f.value();
    BPARB_TRY(fn(key, v));
  }
  return ok();
}

// The root is not the container we wanted: say "malformed" if it is not even a valid scalar
// ("not json", "tru"), otherwise "wrong type" ("[1,2]" where an object was expected, "42").
inline ParseError wrong_root(od::document& doc, od::json_type t, const char* where) noexcept {
  bool valid = true;
  switch (t) {
    case od::json_type::string: {
      std::string_view s;
      valid = doc.get_string().get(s) == simdjson::SUCCESS;
      break;
    }
    case od::json_type::number: {
      double d = 0;
      valid = doc.get_double().get(d) == simdjson::SUCCESS;
      break;
    }
    case od::json_type::boolean: {
      bool b = false;
      valid = doc.get_bool().get(b) == simdjson::SUCCESS;
      break;
    }
    case od::json_type::null: {
      bool n = false;
      valid = doc.is_null().get(n) == simdjson::SUCCESS && n;
      break;
    }
    default:
      break;
  }
  return fail(valid ? ParseErrc::kWrongType : ParseErrc::kInvalidJson, where);
}

// Opens the document root as an object / array.
inline ParseError root_object(JsonParser& p, JsonInput in, od::document& doc, od::object& obj,
                              const char* where) noexcept {
  BPARB_SJ(p.impl().iterate(in, doc), where);
  od::json_type t;
  BPARB_SJ(doc.type().get(t), where);
  if (t != od::json_type::object) return wrong_root(doc, t, where);
  BPARB_SJ(doc.get_object().get(obj), where);
  return ok();
}

inline ParseError root_array(JsonParser& p, JsonInput in, od::document& doc, od::array& arr,
                             const char* where) noexcept {
  BPARB_SJ(p.impl().iterate(in, doc), where);
  od::json_type t;
  BPARB_SJ(doc.type().get(t), where);
  if (t != od::json_type::array) return wrong_root(doc, t, where);
  BPARB_SJ(doc.get_array().get(arr), where);
  return ok();
}

}  // namespace detail
}  // namespace bparb::backpack
