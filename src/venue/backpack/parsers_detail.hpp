#pragma once
// Internal helpers shared by the parsers_*.cpp files: simdjson access with number-or-string tolerance,
// mapped to ParseError. Not a public header.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  // One past the last byte of the current document: bounds the hand-written fast paths, which read
  // the bytes directly (the padding after the document may hold stale data from an earlier frame).
  const char* doc_end = nullptr;
  // Copies of the stream name and symbol made by fast_depth_frame, so that its views, like simdjson's
  // (which point into the parser's string buffer), stay valid after the caller's frame buffer is gone,
  // until the next parse on this parser.
  char fast_strings[256];

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

// Up to 9 leading digits at p (bounded by end): count (10 = "more than 9", the caller declines) and
// value. A scalar loop: exchange numbers are short ("150.14", "743.68", and Binance's as imported,
// "61800.3"); an 8-byte SWAR version measured no faster on either recorded stream and costs more
// instructions (BENCHMARKS.md §7).
inline int leading_digits(const char* p, const char* end, std::uint64_t& value) noexcept {
  const char* const b = p;
  const char* const stop = end - p > 10 ? p + 10 : end;  // one bound per digit instead of two
  std::uint64_t v = 0;
  while (p != stop && static_cast<unsigned char>(*p - '0') <= 9) v = v * 10 + static_cast<unsigned>(*p++ - '0');
  value = v;
  return static_cast<int>(p - b);
}

// The value of k <= 8 decimal digits (0-9, one per byte, first digit in the lowest byte of w; bytes from k
// on are ignored): shifted so that the digits end at the top byte, then pairs, quads and the eight combined
// by three multiplications.
inline std::uint64_t swar_digits(std::uint64_t w, int k) noexcept {
  if (k == 0) return 0;
  w <<= 8 * (8 - k);  // the missing leading digits read as zeros
  w = (w * 10) + (w >> 8);
  w = (((w & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
       (((w >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
      32;
  return w;
}

// One pass over a JSON string body (p just after the opening quote) of the form digits[.digits] with at
// most 9 digits either side, closed by '"' before `end`: the value goes to `out` and p past the quote.
// Anything else (escapes, signs, exponents, longer numbers, no digits) returns false.
// With 32 bytes left, a number of at most 8 digits either side is classified 16 bytes at a time (where the
// quote is, that every byte before it is a digit but one '.') and converted 8 digits at a time; everything
// else, and the last bytes of a document, take the digit loop. Both give the same answer.
inline bool fast_number_string(const char*& p, const char* end, Decimal& out) noexcept {
  static constexpr std::uint64_t kScaleOf[10] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                                 10000,      1000,      100,      10,      1};
#if defined(__SSE2__)
  if (end - p >= 32) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
    if (quotes != 0) {
      const int q = __builtin_ctz(quotes);  // body length
      const unsigned body = (1u << q) - 1;
      const unsigned dots = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')))) & body;
      const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
      const unsigned digits =
          static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d))) & body;
      if ((digits | dots) == body && (dots & (dots - 1)) == 0) {
        const int int_digits = dots != 0 ? __builtin_ctz(dots) : q;
        const int frac_digits = dots != 0 ? q - int_digits - 1 : 0;
        if (int_digits <= 8 && frac_digits <= 8 && int_digits + frac_digits > 0) {
          constexpr std::uint64_t kZeros = 0x3030303030303030ull;
          std::uint64_t w;
          std::memcpy(&w, p, 8);
          std::uint64_t units = 0;  // the value in units of 10^-frac_digits
          if (q <= 8) {
            // The usual price or quantity ("61800.3", "3.330"): close the gap of the '.' and convert once.
            if (dots != 0) {
              const std::uint64_t before_dot = (std::uint64_t{1} << (8 * int_digits)) - 1;
              w = (w & before_dot) | ((w >> 8) & ~before_dot);  // before subtracting: '.' - '0' would borrow
            }
            units = swar_digits(w - kZeros, int_digits + frac_digits);
          } else {
            std::uint64_t f;
            std::memcpy(&f, p + int_digits + 1, 8);
            units =
                swar_digits(w - kZeros, int_digits) * kScaleOf[9 - frac_digits] + swar_digits(f - kZeros, frac_digits);
          }
          out = Decimal::from_raw(static_cast<std::int64_t>(units * kScaleOf[frac_digits]));
          p += q + 1;
          return true;
        }
      }
    }
  }
#endif
  std::uint64_t ip = 0;
  const int int_digits = leading_digits(p, end, ip);
  if (int_digits > 9) return false;
  p += int_digits;
  std::uint64_t fp = 0;
  int frac_digits = 0;
  if (p != end && *p == '.') {
    ++p;
    frac_digits = leading_digits(p, end, fp);
    if (frac_digits > 9) return false;
    p += frac_digits;
  }
  if (p == end || *p != '"' || (int_digits == 0 && frac_digits == 0)) return false;
  ++p;
  out = Decimal::from_raw(static_cast<std::int64_t>(ip * 1000000000u + fp * kScaleOf[frac_digits]));
  return true;
}

inline void skip_json_ws(const char*& p, const char* end) noexcept {
  if (p != end && static_cast<unsigned char>(*p) > ' ') return;  // the usual case: no whitespace at all
  while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
}

// Hand-written reader for the common level array [["price","qty"],...] straight from the document
// bytes: no simdjson value iteration, no string unescaping copy, one pass per number. It only ever
// reports success, and only for arrays where get_levels succeeds with the same values; on anything
// else (a number token, a third element, a bad decimal, a non-positive price, truncation) it returns
// false having changed nothing but `out`, and the caller runs get_levels, which gives the exact same
// answer (error or not) as before. The value is left unconsumed: simdjson skips it by its structural
// index, which for such a plain array ends at the same ']'.
// fast_levels that also reports where the array ends: one past its ']', or nullptr when it declines.
inline const char* fast_levels_to(const char* p, const char* end, std::vector<LevelUpdate>& out) noexcept {
  out.clear();
  if (p == nullptr || end == nullptr || p >= end || *p != '[') return nullptr;
  ++p;
  skip_json_ws(p, end);
  if (p != end && *p == ']') return p + 1;
  for (;;) {
    if (p == end || *p != '[') return nullptr;
    ++p;
    LevelUpdate u;
    for (int n = 0; n < 2; ++n) {
      skip_json_ws(p, end);
      if (p == end || *p != '"') return nullptr;
      ++p;
      if (!fast_number_string(p, end, n == 0 ? u.price : u.quantity)) return nullptr;
      skip_json_ws(p, end);
      if (p == end || *p != (n == 0 ? ',' : ']')) return nullptr;
      ++p;
    }
    if (u.price.raw() <= 0 || u.quantity.is_negative()) return nullptr;
    out.push_back(u);
    skip_json_ws(p, end);
    if (p == end) return nullptr;
    if (*p == ']') return p + 1;
    if (*p != ',') return nullptr;
    ++p;
    skip_json_ws(p, end);
  }
}

inline bool fast_levels(const char* p, const char* end, std::vector<LevelUpdate>& out) noexcept {
  return fast_levels_to(p, end, out) != nullptr;
}

// Integer straight from the document bytes for the common shapes "1795132835300000" (a string of
// digits) and 1234 (a number token followed by a delimiter): 1..17 digits, nothing else. Returns false
// for anything else (signs, escapes, exponents, longer numbers, no delimiter before `end`) and the
// caller runs get_int, which gives the same value for everything accepted here.
// fast_int_token that also reports where the token ends: one past its closing quote (quoted) or at the
// delimiter (number token), or nullptr when it declines.
inline const char* fast_int_token_to(const char* p, const char* end, std::int64_t& out) noexcept {
  if (p == nullptr || end == nullptr || p >= end) return nullptr;
  const bool quoted = *p == '"';
  if (quoted) ++p;
  const char* const b = p;
  std::uint64_t v = 0;
  // Eight digits at a time while at least eight bytes remain (E and T are 16-digit microsecond stamps):
  // it only consumes digits the byte loop below would consume too, and stays under its 18-digit bound.
  while (end - p >= 8 && p - b <= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if ((((w & 0xF0F0F0F0F0F0F0F0u) | (((w + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4)) != 0x3333333333333333u))
      break;
    w -= 0x3030303030303030u;                                           // bytes 0..9, first digit in the lowest byte
    w = (w * 10) + (w >> 8);                                            // pairs
    w = (((w & 0x000000FF000000FFu) * 0x000F424000000064u) +            // * (100 + 1e6 << 32)
         (((w >> 16) & 0x000000FF000000FFu) * 0x0000271000000001u)) >>  // * (1 + 1e4 << 32)
        32;
    v = v * 100000000u + (w & 0xFFFFFFFFu);
    p += 8;
  }
  while (p != end && p - b < 18 && static_cast<unsigned char>(*p - '0') <= 9)
    v = v * 10 + static_cast<unsigned>(*p++ - '0');
  if (p == b || p - b >= 18 || p == end) return nullptr;
  const char c = *p;
  if (quoted ? c != '"' : !(c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t'))
    return nullptr;
  out = static_cast<std::int64_t>(v);
  return quoted ? p + 1 : p;
}

inline bool fast_int_token(const char* p, const char* end, std::int64_t& out) noexcept {
  return fast_int_token_to(p, end, out) != nullptr;
}

inline ParseError get_int_fast(od::value& v, std::int64_t& out, const char* field, const char* doc_end) noexcept {
  if (fast_int_token(v.raw_json_token().data(), doc_end, out)) return ok();
  return get_int(v, out, field);
}

// Whole depth frame {"stream":"depth.…","data":{"e":"depth","E":…,"s":…,"a":[…],"b":[…],"U":…,"u":…,"T":…}}
// (either member order, any field order, JSON whitespace) read straight from the bytes [b, e): no
// simdjson at all. It accepts only that exact shape with plain ASCII strings (no escapes), each data
// field at most once, levels and ints as fast_levels / fast_int_token accept them, s/U/u present and
// U <= u, nothing but whitespace after the root; such a document is valid JSON and parse_ws_frame's
// simdjson path gives the same frame. Returns false for everything else, having changed nothing the
// caller relies on: parse_ws_frame then runs the simdjson path, which decides (and reports errors).
// The stream and symbol are copied into `strings` (capacity `cap`; longer ones decline) and the views
// point there, the same lifetime as the simdjson path's views into the parser's string buffer.
bool fast_depth_frame(const char* b, const char* e, WsFrame& out, char* strings, std::size_t cap) noexcept;
// The same for bookTicker and trade frames too (plain decimal strings, the keys their simdjson readers use;
// parsers_ws_fast.cpp): what parse_ws_frame tries first.
bool fast_ws_frame(const char* b, const char* e, WsFrame& out, char* strings, std::size_t cap) noexcept;

// parse_ws_frame without the fast_depth_frame shortcut (the reference the fast path is tested against).
ParseError parse_ws_frame_simdjson(JsonParser& p, JsonInput in, WsFrame& out) noexcept;

// get_levels with the fast reader first (see fast_levels); doc_end bounds the document bytes.
inline ParseError get_levels_fast(od::value& v, std::vector<LevelUpdate>& out, const char* field,
                                  const char* doc_end) noexcept {
  if (fast_levels(v.raw_json_token().data(), doc_end, out)) return ok();
  return get_levels(v, out, field);
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
