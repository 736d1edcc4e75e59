#include "bparb/strategy/cross_venue/xarb_text.hpp"

#include <cstdio>

namespace bparb {
namespace {

// A fraction in bps as exact text ("0.00025" -> "2.5").
const char* bps(Decimal fraction, char* b) noexcept {
  (fraction * 10'000).format(b);
  return b;
}
const char* dec(Decimal d, char* b) noexcept {
  d.format(b);
  return b;
}
const char* signed_bps(Decimal fraction, char* b) noexcept {
  if (fraction.is_negative()) return bps(fraction, b);
  b[0] = '+';
  bps(fraction, b + 1);
  return b;
}
const char* trade_side(Side s) noexcept {
  return s == Side::kBid ? "buy" : "sell";
}

std::size_t finish(int n, char* buf, std::size_t cap) noexcept {
  if (n < 0) {
    buf[0] = '\0';
    return 0;
  }
  return static_cast<std::size_t>(n) < cap ? static_cast<std::size_t>(n) : cap - 1;
}

}  // namespace

std::size_t format_opportunity(const XarbQuote& q, std::string_view coin, char* buf, std::size_t cap) noexcept {
  if (buf == nullptr || cap == 0) return 0;
  char b[12][Decimal::kMaxChars + 1];
  const int n = std::snprintf(
      buf, cap,
      "Found opportunity %.*s %s spread=%s (%s bps) net=%s bps (%s USD) confidence=%.2f size=%s "
      "backpack=%s vwap=%s lighter=%s vwap=%s fees=%s bps slip=%s bps funding=%s bps (%lldh/%lldh) exit=%s bps "
      "size_by=%s %s",
      static_cast<int>(coin.size()), coin.data(), to_string(q.direction), dec(q.spread_usd, b[0]),
      bps(q.entry_spread, b[1]), bps(q.net_edge, b[2]), dec(q.expected_profit_usd, b[3]), q.confidence.total,
      dec(q.quantity, b[4]), trade_side(q.backpack.side), dec(q.backpack.vwap, b[5]), trade_side(q.lighter.side),
      dec(q.lighter.vwap, b[6]), bps(q.fee_fraction, b[7]), bps(q.slippage_allowance, b[8]),
      signed_bps(q.funding_fraction, b[9]), static_cast<long long>(q.funding_settlements_backpack),
      static_cast<long long>(q.funding_settlements_lighter), bps(q.expected_exit_spread, b[10]),
      to_string(q.size_limited_by), q.tradeable ? "TRADEABLE" : to_string(q.refusal));
  return finish(n, buf, cap);
}

std::size_t format_refusal(const XarbQuote& q, std::string_view coin, char* buf, std::size_t cap) noexcept {
  if (buf == nullptr || cap == 0) return 0;
  char b[4][Decimal::kMaxChars + 1];
  int n;
  if (q.economics_valid) {
    n = std::snprintf(buf, cap, "Refused %.*s %s reason=%s venue=%.*s spread=%s net=%s bps confidence=%.2f size=%s",
                      static_cast<int>(coin.size()), coin.data(), to_string(q.direction), to_string(q.refusal),
                      static_cast<int>(venue_name(q.refused_venue).size()), venue_name(q.refused_venue).data(),
                      dec(q.spread_usd, b[0]), bps(q.net_edge, b[1]), q.confidence.total, dec(q.quantity, b[2]));
  } else {
    n = std::snprintf(buf, cap, "Refused %.*s %s reason=%s venue=%.*s", static_cast<int>(coin.size()), coin.data(),
                      to_string(q.direction), to_string(q.refusal),
                      static_cast<int>(venue_name(q.refused_venue).size()), venue_name(q.refused_venue).data());
  }
  return finish(n, buf, cap);
}

std::size_t format_exit(const XarbExitSignal& s, const XarbPosition& pos, std::string_view coin, char* buf,
                        std::size_t cap) noexcept {
  if (buf == nullptr || cap == 0) return 0;
  char b[6][Decimal::kMaxChars + 1];
  const char* spread = s.prices_valid ? dec(s.exit_spread_usd, b[0]) : "unpriced";
  const char* pnl = s.prices_valid ? dec(s.pnl_if_closed_usd, b[1]) : "unpriced";
  const int n =
      std::snprintf(buf, cap,
                    "Closing %.*s %s reason=%s exit_spread=%s pnl=%s USD (%s bps) held=%llds funding_against=%s bps/h "
                    "reduce_only backpack=%s %s lighter=%s %s",
                    static_cast<int>(coin.size()), coin.data(), to_string(pos.direction), to_string(s.reason), spread,
                    pnl, bps(s.pnl_fraction, b[2]), static_cast<long long>(s.held_us / kUsPerSecond),
                    bps(s.adverse_funding_fraction, b[3]), trade_side(s.backpack.side), dec(s.backpack.quantity, b[4]),
                    trade_side(s.lighter.side), dec(s.lighter.quantity, b[5]));
  return finish(n, buf, cap);
}

std::size_t format_refusal_counts(const XarbRefusalCounts& c, std::string_view coin, char* buf,
                                  std::size_t cap) noexcept {
  if (buf == nullptr || cap == 0) return 0;
  int n = std::snprintf(buf, cap, "Refusals %.*s total=%llu", static_cast<int>(coin.size()), coin.data(),
                        static_cast<unsigned long long>(c.total_refused()));
  if (n < 0) return finish(n, buf, cap);
  std::size_t len = finish(n, buf, cap);
  for (std::size_t i = 1; i < kXarbRefusalCount && len + 1 < cap; ++i) {
    const XarbRefusal r = static_cast<XarbRefusal>(i);
    if (c.count(r) == 0) continue;
    n = std::snprintf(buf + len, cap - len, " %s=%llu", to_string(r), static_cast<unsigned long long>(c.count(r)));
    if (n < 0) break;
    len += static_cast<std::size_t>(n) < cap - len ? static_cast<std::size_t>(n) : cap - len - 1;
  }
  return len;
}

}  // namespace bparb
