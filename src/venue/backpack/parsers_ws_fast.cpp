// WebSocket frames of the usual shapes read straight from the bytes (depth, bookTicker and trade frames with
// plain values): no simdjson document, no string copies. Each reader only ever accepts what the simdjson path
// (parsers_ws.cpp) accepts, with the same result; on anything else it declines and that path decides.
#include <cstring>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parsers_detail.hpp"

namespace bparb::backpack {

using namespace detail;  // NOLINT(google-build-using-namespace): local helper vocabulary

namespace {

// A JSON string of printable ASCII without escapes, p at the opening quote; p moves past the closing one.
bool plain_string(const char*& p, const char* end, std::string_view& out) noexcept {
  if (p == end || *p != '"') return false;
  const char* const b = ++p;
#if defined(__SSE2__)
  // 16 bytes at a time: the first quote, and whether a control byte, DEL, a non-ASCII byte (negative as a
  // signed byte) or a backslash comes before it.
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
    const __m128i bad_bytes =
        _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    const unsigned bad = static_cast<unsigned>(_mm_movemask_epi8(bad_bytes));
    if (quotes != 0) {
      const int q = __builtin_ctz(quotes);
      if ((bad & ((1u << q) - 1)) != 0) return false;
      out = std::string_view(b, static_cast<std::size_t>(p + q - b));
      p += q + 1;
      return true;
    }
    if (bad != 0) return false;
    p += 16;
  }
#endif
  while (p != end && *p != '"') {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c > 0x7e || c == '\\') return false;
    ++p;
  }
  if (p == end) return false;
  out = std::string_view(b, static_cast<std::size_t>(p - b));
  ++p;
  return true;
}

// The value of an int field (fast_int_token's shapes); p moves past it.
bool plain_int(const char*& p, const char* end, std::int64_t& out) noexcept {
  const char* const next = fast_int_token_to(p, end, out);
  if (next == nullptr) return false;
  p = next;
  return true;
}

// Bit of a depth data key in fast_depth_data's `seen` mask, -1 for a key it does not read.
inline int depth_key_bit(char k) noexcept {
  switch (k) {
    case 'e':
      return 0;
    case 'E':
      return 1;
    case 'T':
      return 2;
    case 's':
      return 3;
    case 'U':
      return 4;
    case 'u':
      return 5;
    case 'a':
      return 6;
    case 'b':
      return 7;
    default:
      return -1;
  }
}

// The data object of a depth frame; p at '{', moves past '}'.
bool fast_depth_data(const char*& p, const char* end, DepthDelta& d) noexcept {
  d.clear();
  if (p == end || *p != '{') return false;
  ++p;
  std::uint32_t seen = 0;  // bit per key, duplicates go to the simdjson path
  skip_json_ws(p, end);
  if (p != end && *p == '}') return false;  // no fields: s/U/u missing
  for (;;) {
    char k = 0;
    if (end - p >= 3 && p[0] == '"' && p[2] == '"' && p[1] > 0x20 && p[1] < 0x7f && p[1] != '"' && p[1] != '\\') {
      k = p[1];  // the usual one-letter key, as plain_string would read it
      p += 3;
    } else {
      std::string_view key;
      if (!plain_string(p, end, key) || key.size() != 1) return false;
      k = key[0];
    }
    skip_json_ws(p, end);
    if (p == end || *p != ':') return false;
    ++p;
    skip_json_ws(p, end);
    const int key_bit = depth_key_bit(k);
    if (key_bit < 0) return false;
    const std::uint32_t bit = 1u << key_bit;
    if (seen & bit) return false;
    seen |= bit;
    switch (k) {
      case 'e': {
        std::string_view ev;
        if (!plain_string(p, end, ev) || ev != "depth") return false;
        break;
      }
      case 'E':
        if (!plain_int(p, end, d.event_time_us)) return false;
        break;
      case 'T':
        if (!plain_int(p, end, d.engine_time_us)) return false;
        break;
      case 's':
        if (!plain_string(p, end, d.symbol)) return false;
        break;
      case 'U':
        if (!plain_int(p, end, d.first_update_id)) return false;
        break;
      case 'u':
        if (!plain_int(p, end, d.last_update_id)) return false;
        break;
      case 'a':
        p = fast_levels_to(p, end, d.asks);
        if (p == nullptr) return false;
        break;
      case 'b':
        p = fast_levels_to(p, end, d.bids);
        if (p == nullptr) return false;
        break;
      default:
        return false;
    }
    skip_json_ws(p, end);
    if (p == end) return false;
    if (*p == '}') {
      ++p;
      break;
    }
    if (*p != ',') return false;
    ++p;
    skip_json_ws(p, end);
  }
  constexpr std::uint32_t kS = 1u << 3, kU = 1u << 4, ku = 1u << 5;
  return (seen & (kS | kU | ku)) == (kS | kU | ku) && d.first_update_id <= d.last_update_id;
}

// A JSON string holding a plain decimal (fast_number_string's shape); p at the opening quote, moves past it.
bool plain_decimal(const char*& p, const char* end, Decimal& out) noexcept {
  if (p == end || *p != '"') return false;
  ++p;
  return fast_number_string(p, end, out);
}

// The literal true or false; p moves past it (the caller checks the delimiter after it).
bool plain_bool(const char*& p, const char* end, bool& out) noexcept {
  if (end - p >= 4 && std::memcmp(p, "true", 4) == 0) {
    out = true;
    p += 4;
    return true;
  }
  if (end - p >= 5 && std::memcmp(p, "false", 5) == 0) {
    out = false;
    p += 5;
    return true;
  }
  return false;
}

// The members of a data object whose keys are single letters; p at '{', moves past '}'. `field(k, p)` reads
// the value of key k (p at its first byte) and returns false to decline; `bit_of(k)` is k's bit in a mask of
// keys seen (-1: a key this reader does not handle). A repeated key declines.
template <class BitOf, class Field>
bool fast_fields(const char*& p, const char* end, BitOf bit_of, Field field) noexcept {
  if (p == end || *p != '{') return false;
  ++p;
  std::uint32_t seen = 0;
  skip_json_ws(p, end);
  if (p != end && *p == '}') return false;
  for (;;) {
    std::string_view key;
    if (!plain_string(p, end, key) || key.size() != 1) return false;
    skip_json_ws(p, end);
    if (p == end || *p != ':') return false;
    ++p;
    skip_json_ws(p, end);
    const int b = bit_of(key[0]);
    if (b < 0 || (seen >> b & 1u) != 0) return false;
    seen |= 1u << b;
    if (!field(key[0], p)) return false;
    skip_json_ws(p, end);
    if (p == end) return false;
    if (*p == '}') {
      ++p;
      return true;
    }
    if (*p != ',') return false;
    ++p;
    skip_json_ws(p, end);
  }
}

// A bookTicker data object with the keys book_ticker_obj reads, prices and sizes as plain decimal strings;
// anything else (null sides, other keys, numbers as tokens) declines to the simdjson path.
bool fast_book_ticker_data(const char*& p, const char* end, BookTickerEvent& t) noexcept {
  t = BookTickerEvent{};
  bool has_symbol = false;
  bool a = false, A = false, b = false, B = false;
  const auto bit_of = [](char k) noexcept {
    switch (k) {
      case 'e':
        return 0;
      case 'E':
        return 1;
      case 'T':
        return 2;
      case 's':
        return 3;
      case 'u':
        return 4;
      case 'a':
        return 5;
      case 'A':
        return 6;
      case 'b':
        return 7;
      case 'B':
        return 8;
      default:
        return -1;
    }
  };
  const auto field = [&](char k, const char*& q) noexcept {
    switch (k) {
      case 'e': {
        std::string_view ev;
        return plain_string(q, end, ev) && ev == "bookTicker";
      }
      case 'E':
        return plain_int(q, end, t.event_time_us);
      case 'T':
        return plain_int(q, end, t.engine_time_us);
      case 's':
        has_symbol = true;
        return plain_string(q, end, t.symbol);
      case 'u':
        return plain_int(q, end, t.update_id);
      case 'a':
        a = plain_decimal(q, end, t.ask_price);
        return a;
      case 'A':
        A = plain_decimal(q, end, t.ask_quantity);
        return A;
      case 'b':
        b = plain_decimal(q, end, t.bid_price);
        return b;
      default:
        B = plain_decimal(q, end, t.bid_quantity);
        return B;
    }
  };
  if (!fast_fields(p, end, bit_of, field) || !has_symbol) return false;
  t.has_ask = a && A;
  t.has_bid = b && B;
  return true;
}

// A trade data object with the keys trade_obj reads except the order ids (b, a), which decline, as does a
// null trade id or a quoted maker flag.
bool fast_trade_data(const char*& p, const char* end, TradeEvent& t) noexcept {
  t = TradeEvent{};
  bool has_symbol = false, has_price = false, has_quantity = false;
  const auto bit_of = [](char k) noexcept {
    switch (k) {
      case 'e':
        return 0;
      case 'E':
        return 1;
      case 'T':
        return 2;
      case 's':
        return 3;
      case 'p':
        return 4;
      case 'q':
        return 5;
      case 't':
        return 6;
      case 'm':
        return 7;
      default:
        return -1;
    }
  };
  const auto field = [&](char k, const char*& q) noexcept {
    switch (k) {
      case 'e': {
        std::string_view ev;
        return plain_string(q, end, ev) && ev == "trade";
      }
      case 'E':
        return plain_int(q, end, t.event_time_us);
      case 'T':
        return plain_int(q, end, t.engine_time_us);
      case 's':
        has_symbol = true;
        return plain_string(q, end, t.symbol);
      case 'p':
        has_price = true;
        return plain_decimal(q, end, t.price);
      case 'q':
        has_quantity = true;
        return plain_decimal(q, end, t.quantity);
      case 't':
        return plain_int(q, end, t.trade_id);
      default:
        return plain_bool(q, end, t.buyer_is_maker);
    }
  };
  return fast_fields(p, end, bit_of, field) && has_symbol && has_price && has_quantity;
}

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// {"stream":...,"data":{...}} for the frame types this reader knows (depth only when `depth_only`); the
// stream and symbol are copied into `strings` so that the views outlive the input, like simdjson's.
bool fast_frame(const char* b, const char* e, WsFrame& out, char* strings, std::size_t cap, bool depth_only) noexcept {
  if (b == nullptr || e == nullptr || b >= e || strings == nullptr) return false;
  const char* p = b;
  skip_json_ws(p, e);
  if (p == e || *p != '{') return false;
  ++p;
  bool has_stream = false, has_data = false;
  std::string_view stream;
  WsFrameType type = WsFrameType::kDepth;  // a data member before the stream is read as depth
  for (int member = 0; member < 2; ++member) {
    skip_json_ws(p, e);
    std::string_view key;
    if (!plain_string(p, e, key)) return false;
    skip_json_ws(p, e);
    if (p == e || *p != ':') return false;
    ++p;
    skip_json_ws(p, e);
    if (key == "stream" && !has_stream) {
      if (!plain_string(p, e, stream)) return false;
      const WsFrameType t = starts_with(stream, "depth.")        ? WsFrameType::kDepth
                            : starts_with(stream, "bookTicker.") ? WsFrameType::kBookTicker
                            : starts_with(stream, "trade.")      ? WsFrameType::kTrade
                                                                 : WsFrameType::kUnknown;
      if (t == WsFrameType::kUnknown || (depth_only && t != WsFrameType::kDepth)) return false;
      if (has_data && t != type) return false;
      type = t;
      has_stream = true;
    } else if (key == "data" && !has_data) {
      bool ok = false;
      switch (type) {
        case WsFrameType::kBookTicker:
          ok = fast_book_ticker_data(p, e, out.book_ticker);
          break;
        case WsFrameType::kTrade:
          ok = fast_trade_data(p, e, out.trade);
          break;
        default:
          ok = fast_depth_data(p, e, out.depth);
          break;
      }
      if (!ok) return false;
      has_data = true;
    } else {
      return false;
    }
    skip_json_ws(p, e);
    if (p == e) return false;
    if (member == 0 && *p != ',') return false;
    if (member == 1 && *p != '}') return false;
    ++p;
  }
  skip_json_ws(p, e);
  if (p != e) return false;
  std::string_view* symbol = type == WsFrameType::kBookTicker ? &out.book_ticker.symbol
                             : type == WsFrameType::kTrade    ? &out.trade.symbol
                                                              : &out.depth.symbol;
  if (stream.size() + symbol->size() > cap) return false;
  std::memcpy(strings, stream.data(), stream.size());
  std::memcpy(strings + stream.size(), symbol->data(), symbol->size());
  out.type = type;
  out.stream = std::string_view(strings, stream.size());
  *symbol = std::string_view(strings + stream.size(), symbol->size());
  out.error = WsErrorEvent{};
  return true;
}

}  // namespace

namespace detail {

bool fast_depth_frame(const char* b, const char* e, WsFrame& out, char* strings, std::size_t cap) noexcept {
  return fast_frame(b, e, out, strings, cap, true);
}

bool fast_ws_frame(const char* b, const char* e, WsFrame& out, char* strings, std::size_t cap) noexcept {
  return fast_frame(b, e, out, strings, cap, false);
}

}  // namespace detail

}  // namespace bparb::backpack
