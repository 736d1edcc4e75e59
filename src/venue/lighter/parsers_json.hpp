// Private to the Lighter parsers (parsers_rest.cpp, parsers_ws.cpp, parsers_elements.cpp): the simdjson
// document holder behind JsonParser, the field readers every parser uses, and the readers of the elements
// that REST answers and WebSocket frames share.
#pragma once
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <vector>

#include "bparb/venue/lighter/parsers.hpp"

namespace bparb::lighter {

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);

struct JsonParser::Impl {
  explicit Impl(std::size_t max_bytes) : parser(max_bytes), max_document_bytes(max_bytes) {
    // Reserving up front keeps a frame larger than any before from allocating on the frame path; a
    // failure only means that the first large frame allocates.
    [[maybe_unused]] const simdjson::error_code reserved =
        parser.allocate(std::min<std::size_t>(max_bytes, std::size_t{64} * 1024));
  }
  simdjson::ondemand::parser parser;
  std::string scratch;
  std::size_t max_document_bytes;

  simdjson::error_code iterate(JsonInput in, simdjson::ondemand::document& doc) noexcept {
    if (in.size > max_document_bytes) return simdjson::CAPACITY;
    if (in.data != nullptr && in.capacity >= in.size + simdjson::SIMDJSON_PADDING)
      return parser.iterate(in.data, in.size, in.capacity).get(doc);
    const std::size_t need = in.size + simdjson::SIMDJSON_PADDING;
    if (scratch.size() < need) {
      try {
        scratch.resize(need);
      } catch (...) {
        return simdjson::MEMALLOC;
      }
    }
    if (in.size != 0) std::memcpy(scratch.data(), in.data, in.size);
    std::memset(scratch.data() + in.size, 0, simdjson::SIMDJSON_PADDING);
    return parser.iterate(scratch.data(), in.size, scratch.size()).get(doc);
  }
};

namespace json {

namespace od = simdjson::ondemand;

inline ParseError fail(ParseErrc c, const char* field) noexcept {
  return ParseError{c, field, 0};
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

#define LCAT2(a, b) a##b
#define LCAT(a, b) LCAT2(a, b)
// Unique names: the macros nest inside the lambdas of each other.
#define LTRY(expr) LTRY_N(expr, LCAT(e_, __COUNTER__))
#define LTRY_N(expr, name)                                                                 \
  do {                                                                                     \
    const ::bparb::lighter::ParseError name = (expr);                                      \
    if (!name.ok()) return name; /* NOLINT(bugprone-macro-parentheses): a declared name */ \
  } while (0)

#define LSJ(expr, field)                                                \
  do {                                                                  \
    ::simdjson::error_code sj_ = (expr);                                \
    if (sj_ != ::simdjson::SUCCESS) return fail(map_error(sj_), field); \
  } while (0)

inline bool is_null(od::value& v) noexcept {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS || t != od::json_type::null) return false;
  bool n = false;
  return v.is_null().get(n) == simdjson::SUCCESS && n;
}

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Text of a string (unescaped) or of a number token.
inline ParseError scalar_text(od::value& v, std::string_view& out, const char* field) noexcept {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::string) {
    LSJ(v.get_string().get(out), field);
    return ok();
  }
  if (t == od::json_type::number) {
    out = trim(v.raw_json_token());
    return ok();
  }
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  return fail(ParseErrc::kWrongType, field);
}

inline ParseError int_from_text(std::string_view s, std::int64_t& out, const char* field) noexcept {
  if (s.empty()) return fail(ParseErrc::kBadNumber, field);
  const char* b = s.data();
  const char* e = s.data() + s.size();
  std::int64_t v = 0;  // from_chars stores a value even when text follows it: assign only on success
  auto r = std::from_chars(b, e, v);
  if (r.ec == std::errc::result_out_of_range) return fail(ParseErrc::kOutOfRange, field);
  if (r.ec != std::errc() || r.ptr != e) return fail(ParseErrc::kBadNumber, field);
  out = v;
  return ok();
}

inline ParseError get_int(od::value& v, std::int64_t& out, const char* field) noexcept {
  std::string_view s;
  LTRY(scalar_text(v, s, field));
  return int_from_text(s, out, field);
}

inline ParseError get_int_range(od::value& v, std::int64_t& out, std::int64_t lo, std::int64_t hi,
                                const char* field) noexcept {
  LTRY(get_int(v, out, field));
  if (out < lo || out > hi) return fail(ParseErrc::kOutOfRange, field);
  return ok();
}

template <class T>
ParseError get_small(od::value& v, T& out, std::int64_t lo, std::int64_t hi, const char* field) noexcept {
  std::int64_t x = 0;
  LTRY(get_int_range(v, x, lo, hi, field));
  out = static_cast<T>(x);
  return ok();
}

// Exact unless `rounded` (PnL and funding values may carry more than nine decimals).
inline ParseError get_decimal(od::value& v, Decimal& out, const char* field, bool rounded = false) noexcept {
  std::string_view s;
  LTRY(scalar_text(v, s, field));
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

inline ParseError get_string(od::value& v, std::string_view& out, const char* field) noexcept {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  if (t != od::json_type::string) return fail(ParseErrc::kWrongType, field);
  LSJ(v.get_string().get(out), field);
  return ok();
}

inline ParseError get_bool(od::value& v, bool& out, const char* field) noexcept {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::boolean) {
    LSJ(v.get_bool().get(out), field);
    return ok();
  }
  if (t == od::json_type::number) {  // 0/1 flags
    std::int64_t x = 0;
    LTRY(get_int_range(v, x, 0, 1, field));
    out = x == 1;
    return ok();
  }
  if (t == od::json_type::null) return fail(ParseErrc::kMissingField, field);
  return fail(ParseErrc::kWrongType, field);
}

// Calls f(key, value) for each field of the object in `v`, in document order.
template <class F>
ParseError for_each_field(od::value& v, const char* field, F&& f) {
  od::object obj;
  LSJ(v.get_object().get(obj), field);
  for (auto fr : obj) {
    od::field fl;
    LSJ(std::move(fr).get(fl), field);
    std::string_view key;
    LSJ(fl.unescaped_key().get(key), field);
    od::value val = fl.value();
    LTRY(f(key, val));
  }
  return ok();
}

template <class F>
ParseError for_each_element(od::value& v, const char* field, F&& f) {
  od::array arr;
  LSJ(v.get_array().get(arr), field);
  for (auto er : arr) {
    od::value el;
    LSJ(er.get(el), field);
    LTRY(f(el));
  }
  return ok();
}

// Elements of a list that the venue sends either flat ([...]) or keyed by market ({"0":[...],...}).
template <class F>
ParseError for_each_keyed_element(od::value& v, const char* field, F&& f) {
  od::json_type t;
  LSJ(v.type().get(t), field);
  if (t == od::json_type::array) return for_each_element(v, field, f);
  if (t == od::json_type::null) return ok();
  return for_each_field(v, field, [&](std::string_view, od::value& inner) noexcept -> ParseError {
    od::json_type it;
    LSJ(inner.type().get(it), field);
    if (it == od::json_type::array) return for_each_element(inner, field, f);
    return f(inner);  // positions: one object per market
  });
}

// A reused element at the end of `vec`: keeps the elements' own capacity across frames.
template <class T>
T& next_slot(std::vector<T>& vec, std::size_t& used) {
  if (used == vec.size()) vec.emplace_back();
  T& t = vec[used++];
  t = T{};
  return t;
}

// ---------------------------------------------------------------- REST envelope

// Runs `f` over the fields of the top-level object; a `code` other than 200 turns into kApiError
// (reported in preference to any missing-field error, since failure bodies lack the payload).
template <class F>
ParseError rest_body(JsonParser& p, JsonInput in, F&& f) {
  od::document doc;
  LSJ(p.impl().iterate(in, doc), "body");
  od::value root;
  LSJ(doc.get_value().get(root), "body");
  std::int64_t code = 200;
  bool api_failed = false;
  ParseError payload_error;
  const ParseError e = for_each_field(root, "body", [&](std::string_view k, od::value& x) -> ParseError {
    if (k == "code") {
      // A repeated key: the last one counts, as for every other field; an unreadable one is an error
      // of its own, not a venue error.
      const ParseError ce = get_int(x, code, "code");
      api_failed = ce.ok() && code != 200;
      return ce;
    }
    if (api_failed) return ok();  // skip the payload of a failure body
    ParseError pe = f(k, x);
    if (!pe.ok() && payload_error.ok()) payload_error = pe;
    return pe;
  });
  if (api_failed) return ParseError{ParseErrc::kApiError, "code", code};
  if (!payload_error.ok()) return payload_error;
  LTRY(e);
  return ok();
}

inline std::string_view channel_tail(std::string_view ch) noexcept {
  const std::size_t c = ch.find_first_of(":/");
  return c == std::string_view::npos ? std::string_view{} : ch.substr(c + 1);
}

// Element readers shared by REST answers and WebSocket frames (parsers_elements.cpp).
ParseError parse_market_details(od::value& v, MarketDetails& m) noexcept;
ParseError parse_order(od::value& v, Order& o) noexcept;
ParseError parse_trade(od::value& v, Trade& t) noexcept;
ParseError parse_position(od::value& v, Position& p) noexcept;
ParseError parse_asset(od::value& v, Asset& a) noexcept;
ParseError parse_funding(od::value& v, PositionFunding& f) noexcept;
ParseError get_tx_hash(od::value& v, TxHashHex& out, const char* field) noexcept;

}  // namespace json
}  // namespace bparb::lighter
