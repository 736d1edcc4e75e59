// Why a hand-written reader: order_book updates are the one high-rate frame (docs/lighter.md), and a
// generic on-demand walk (key unescaping, number re-scanning, the Decimal parser) costs several times
// what this single pass over ~350 bytes does. It accepts a strict subset of JSON and declines the rest.
#include "parsers_fast.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace bparb::lighter::detail {

namespace {

enum class Key : std::uint8_t {
  kNone,
  kAsks,
  kBids,
  kBeginNonce,
  kChannel,
  kCode,
  kLastUpdatedAt,
  kNonce,
  kOffset,
  kOrderBook,
  kPrice,
  kSize,
  kTimestamp,
  kType,
};

struct Cursor {
  const char* p;
  const char* end;

  bool eat(char c) noexcept {
    if (p == end || *p != c) return false;
    ++p;
    return true;
  }
  // One of the known keys, as '"name":' compared in place (no per-byte scan): returns its id, or kNoKey
  // for anything else (an unknown key, an escape, truncation), which makes the caller decline.
  template <std::size_t N>
  bool lit(const char (&s)[N]) noexcept {
    constexpr std::size_t n = N - 1;
    if (static_cast<std::size_t>(end - p) < n || std::memcmp(p, s, n) != 0) return false;
    p += n;
    return true;
  }
  Key key() noexcept {
    if (end - p < 2 || *p != '"') return Key::kNone;
    ++p;
    switch (*p) {
      case 'a':
        return lit("asks\":") ? Key::kAsks : Key::kNone;
      case 'b':
        if (lit("bids\":")) return Key::kBids;
        return lit("begin_nonce\":") ? Key::kBeginNonce : Key::kNone;
      case 'c':
        if (lit("channel\":")) return Key::kChannel;
        return lit("code\":") ? Key::kCode : Key::kNone;
      case 'l':
        return lit("last_updated_at\":") ? Key::kLastUpdatedAt : Key::kNone;
      case 'n':
        return lit("nonce\":") ? Key::kNonce : Key::kNone;
      case 'o':
        if (lit("offset\":")) return Key::kOffset;
        return lit("order_book\":") ? Key::kOrderBook : Key::kNone;
      case 'p':
        return lit("price\":") ? Key::kPrice : Key::kNone;
      case 's':
        return lit("size\":") ? Key::kSize : Key::kNone;
      case 't':
        if (lit("timestamp\":")) return Key::kTimestamp;
        return lit("type\":") ? Key::kType : Key::kNone;
      default:
        return Key::kNone;
    }
  }
  // A non-negative integer token (1..18 digits, no leading zero unless "0"), followed by ',' or '}'.
  bool uint_token(std::int64_t& out) noexcept {
    const char* b = p;
    std::uint64_t v = 0;
    // Eight digits at a time while they last (the µs timestamps and nonces have 10..16 digits).
    while (end - p >= 8 && p - b < 16) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      const std::uint64_t d = w - 0x3030303030303030u;
      // Every byte a digit: each byte of d is <= 9, i.e. (d + 0x76) has no high bit and w had '3' nibbles.
      if (((d | (d + 0x7676767676767676u)) & 0x8080808080808080u) != 0) break;
      std::uint64_t x = d;
      x = (x * 10) + (x >> 8);
      x = (((x & 0x000000FF000000FFu) * 0x000F424000000064u) +
           (((x >> 16) & 0x000000FF000000FFu) * 0x0000271000000001u)) >>
          32;
      v = v * 100000000u + (x & 0xFFFFFFFFu);
      p += 8;
    }
    while (p != end && static_cast<unsigned char>(*p - '0') <= 9) v = v * 10 + static_cast<unsigned>(*p++ - '0');
    const auto n = p - b;
    if (n == 0 || n > 18 || (n > 1 && *b == '0') || p == end || (*p != ',' && *p != '}')) return false;
    out = static_cast<std::int64_t>(v);
    return true;
  }
  // A plain ASCII string (no escapes, no control bytes).
  bool string(std::string_view& out) noexcept {
    if (!eat('"')) return false;
    const char* b = p;
    while (p != end && *p != '"') {
      // Escapes, control bytes and non-ASCII (whose UTF-8 validity the generic parser checks) decline.
      if (*p == '\\' || static_cast<unsigned char>(*p) < 0x20 || static_cast<unsigned char>(*p) >= 0x80) return false;
      ++p;
    }
    if (p == end) return false;
    out = std::string_view(b, static_cast<std::size_t>(p - b));
    ++p;
    return true;
  }
  // "digits[.digits]" (1..9 digits each side, no leading zero before more digits) as a Decimal.
  bool decimal_string(Decimal& out) noexcept {
    static constexpr std::int64_t kScale[10] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                                10000,      1000,      100,      10,      1};
    if (!eat('"')) return false;
    const char* b = p;
    std::int64_t ip = 0;
    // At most ten digits are read (ten means "too many"): the value cannot overflow.
    while (p != end && p - b < 10 && static_cast<unsigned char>(*p - '0') <= 9) ip = ip * 10 + (*p++ - '0');
    const auto ni = p - b;
    if (ni == 0 || ni > 9 || (ni > 1 && *b == '0') || p == end) return false;
    std::int64_t fp = 0;
    long nf = 0;
    if (*p == '.') {
      ++p;
      const char* f = p;
      while (p != end && p - f < 10 && static_cast<unsigned char>(*p - '0') <= 9) fp = fp * 10 + (*p++ - '0');
      nf = p - f;
      if (nf == 0 || nf > 9) return false;
    }
    if (!eat('"')) return false;
    out = Decimal::from_raw(ip * Decimal::kOne + fp * kScale[nf]);
    return true;
  }
  bool levels(std::vector<LevelUpdate>& out, bool positive_price_only) noexcept {
    out.clear();
    if (!eat('[')) return false;
    if (eat(']')) return true;
    for (;;) {
      LevelUpdate u;
      if (!eat('{') || key() != Key::kPrice || !decimal_string(u.price) || !eat(',') || key() != Key::kSize ||
          !decimal_string(u.quantity) || !eat('}'))
        return false;
      if (positive_price_only && !u.price.is_positive()) return false;
      if (out.size() == out.capacity()) return false;  // growth: left to the generic path
      out.push_back(u);
      if (eat(']')) return true;
      if (!eat(',')) return false;
    }
  }
};

bool finish(WsFrame& out, std::int64_t market, bool snapshot) noexcept {
  BookFrame& b = out.book;
  b.market_id = market;
  b.snapshot = snapshot;
  b.levels.first_update_id = b.begin_nonce;
  b.levels.last_update_id = b.nonce;
  b.levels.engine_time_us = b.last_updated_at_us;
  b.levels.event_time_us = b.timestamp_ms * kUsPerMs;
  out.snapshot = snapshot;
  out.type = WsType::kOrderBook;
  out.trades.clear();
  out.orders.clear();
  out.positions.clear();
  return true;
}

// The venue's own key order (docs/lighter.md), matched as whole literals between the values: no key
// dispatch, no string scanning. Accepts a subset of what the key-by-key reader below accepts, with the
// same values; anything else returns false and that reader runs.
bool fixed_order_frame(const char* begin, const char* end, WsFrame& out) noexcept {
  Cursor c{begin, end};
  BookFrame& b = out.book;
  if (!c.lit(R"({"channel":"order_book:)")) return false;
  const char* m = c.p;
  // Up to 19 digits are read (19 means "too many") into an unsigned value, which 19 nines still fit.
  std::uint64_t market_digits = 0;
  while (c.p != c.end && c.p - m < 19 && static_cast<unsigned char>(*c.p - '0') <= 9)
    market_digits = market_digits * 10 + static_cast<unsigned>(*c.p++ - '0');
  const auto digits = c.p - m;
  if (digits == 0 || digits > 18 || (digits > 1 && *m == '0')) return false;
  const auto market = static_cast<std::int64_t>(market_digits);
  std::int64_t ignored = 0;
  b.levels.bids.clear();
  b.levels.asks.clear();
  if (!c.lit(R"(","last_updated_at":)") || !c.uint_token(ignored) || !c.lit(R"(,"offset":)") ||
      !c.uint_token(ignored) || !c.lit(R"(,"order_book":{"code":0,"asks":)") || !c.levels(b.levels.asks, true) ||
      !c.lit(R"(,"bids":)") || !c.levels(b.levels.bids, true) || !c.lit(R"(,"offset":)") || !c.uint_token(b.offset) ||
      !c.lit(R"(,"nonce":)") || !c.uint_token(b.nonce) || !c.lit(R"(,"last_updated_at":)") ||
      !c.uint_token(b.last_updated_at_us) || !c.lit(R"(,"begin_nonce":)") || !c.uint_token(b.begin_nonce) ||
      !c.lit(R"(},"timestamp":)") || !c.uint_token(b.timestamp_ms) || b.timestamp_ms > INT64_MAX / kUsPerMs ||
      !c.lit(R"(,"type":")"))
    return false;
  bool snapshot = false;
  if (c.lit(R"(update/order_book"})")) {
    snapshot = false;
  } else if (c.lit(R"(subscribed/order_book"})")) {
    snapshot = true;
  } else {
    return false;
  }
  while (c.p != c.end && (*c.p == ' ' || *c.p == '\n' || *c.p == '\r' || *c.p == '\t')) ++c.p;
  if (c.p != c.end) return false;
  return finish(out, market, snapshot);
}

bool any_order_frame(const char* begin, const char* end, WsFrame& out) noexcept;

}  // namespace

bool fast_book_frame(const char* begin, const char* end, WsFrame& out) noexcept {
  return fixed_order_frame(begin, end, out) || any_order_frame(begin, end, out);
}

namespace {

bool any_order_frame(const char* begin, const char* end, WsFrame& out) noexcept {
  Cursor c{begin, end};
  BookFrame& b = out.book;
  std::string_view type;
  std::string_view channel;
  bool has_book = false;
  bool has_nonce = false;
  bool has_begin = false;
  std::int64_t ignored = 0;
  if (!c.eat('{')) return false;
  for (;;) {
    const Key k = c.key();
    bool ok = false;
    if (k == Key::kChannel) {
      ok = c.string(channel);
    } else if (k == Key::kType) {
      ok = c.string(type);
    } else if (k == Key::kTimestamp) {
      ok = c.uint_token(b.timestamp_ms) && b.timestamp_ms <= INT64_MAX / kUsPerMs;
    } else if (k == Key::kOffset || k == Key::kLastUpdatedAt) {
      ok = c.uint_token(ignored);
    } else if (k == Key::kOrderBook) {
      has_book = true;
      b.levels.bids.clear();
      b.levels.asks.clear();
      if (!c.eat('{')) return false;
      for (;;) {
        const Key bk = c.key();
        bool bok = false;
        if (bk == Key::kAsks) {
          bok = c.levels(b.levels.asks, true);
        } else if (bk == Key::kBids) {
          bok = c.levels(b.levels.bids, true);
        } else if (bk == Key::kNonce) {
          has_nonce = true;
          bok = c.uint_token(b.nonce);
        } else if (bk == Key::kBeginNonce) {
          has_begin = true;
          bok = c.uint_token(b.begin_nonce);
        } else if (bk == Key::kOffset) {
          bok = c.uint_token(b.offset);
        } else if (bk == Key::kLastUpdatedAt) {
          bok = c.uint_token(b.last_updated_at_us);
        } else if (bk == Key::kCode) {
          std::int64_t code = 0;
          bok = c.uint_token(code) && code == 0;
        }
        if (!bok) return false;
        if (c.eat('}')) break;
        if (!c.eat(',')) return false;
      }
      ok = true;
    }
    if (!ok) return false;
    if (c.eat('}')) break;
    if (!c.eat(',')) return false;
  }
  while (c.p != c.end && (*c.p == ' ' || *c.p == '\n' || *c.p == '\r' || *c.p == '\t')) ++c.p;
  if (c.p != c.end) return false;
  bool snapshot = false;
  if (type == "update/order_book") {
    snapshot = false;
  } else if (type == "subscribed/order_book") {
    snapshot = true;
  } else {
    return false;
  }
  if (!has_book || !has_nonce || (!snapshot && !has_begin)) return false;
  constexpr std::string_view kPrefix = "order_book:";
  if (!channel.starts_with(kPrefix)) return false;
  const std::string_view m = channel.substr(kPrefix.size());
  if (m.empty() || m.size() > 18 || (m.size() > 1 && m[0] == '0')) return false;
  std::int64_t market = 0;
  for (char ch : m) {
    if (static_cast<unsigned char>(ch - '0') > 9) return false;
    market = market * 10 + (ch - '0');
  }
  return finish(out, market, snapshot);
}

}  // namespace

}  // namespace bparb::lighter::detail
