// The market selector's rule (market_selector.hpp): filters, then the busiest markets first.
#include "bparb/strategy/market_maker/market_selector.hpp"

#include <algorithm>

#include "bparb/core/money.hpp"

namespace bparb {
namespace {

const Decimal kBps = Decimal::from_int(10'000);
const Decimal kHundredth = Decimal::from_string("0.01");

bool excluded(const MarketSelectorParams& p, const std::string& symbol) {
  return std::find(p.exclude.begin(), p.exclude.end(), symbol) != p.exclude.end();
}

// The figures of one market, and whether it passes every filter.
MarketRanking measure(const MarketSnapshot& m, const MarketSelectorParams& p) {
  MarketRanking r;
  r.symbol = m.symbol;
  r.quote_volume_usd = m.quote_volume_usd;
  const bool book = m.book_known && m.best_bid.is_positive() && m.best_ask > m.best_bid &&
                    m.bid_quantity.is_positive() && m.ask_quantity.is_positive();
  if (book) {
    const Decimal mid = (m.best_bid + m.best_ask).div_int(2, Rounding::kNearest);
    r.spread_bps = (m.best_ask - m.best_bid)
                       .mul(kBps, Rounding::kNearest)
                       .div(mid, Rounding::kNearest)
                       .round_to(kHundredth, Rounding::kNearest);
    const Decimal bid_usd = m.best_bid.mul(m.bid_quantity, Rounding::kDown);
    const Decimal ask_usd = m.best_ask.mul(m.ask_quantity, Rounding::kDown);
    r.top_depth_usd = std::min(bid_usd, ask_usd).round_to(kHundredth, Rounding::kDown);
  }
  if (excluded(p, m.symbol)) {
    r.verdict = SelectorVerdict::kExcluded;
  } else if (m.quote_volume_usd < p.min_quote_volume_usd) {
    r.verdict = SelectorVerdict::kLowVolume;
  } else if (!book) {
    r.verdict = SelectorVerdict::kNoBook;
  } else if (r.spread_bps > p.max_spread_bps) {
    r.verdict = SelectorVerdict::kWideSpread;
  } else if (r.top_depth_usd < p.min_top_depth_usd) {
    r.verdict = SelectorVerdict::kThinTop;
  } else {
    r.verdict = SelectorVerdict::kChosen;  // qualified; the limit is applied after ranking
  }
  return r;
}

}  // namespace

const char* to_string(SelectorVerdict v) noexcept {
  switch (v) {
    case SelectorVerdict::kChosen:
      return "chosen";
    case SelectorVerdict::kExcluded:
      return "excluded";
    case SelectorVerdict::kLowVolume:
      return "low_volume";
    case SelectorVerdict::kNoBook:
      return "no_book";
    case SelectorVerdict::kWideSpread:
      return "wide_spread";
    case SelectorVerdict::kThinTop:
      return "thin_top";
    case SelectorVerdict::kBeyondLimit:
      return "beyond_max_markets";
  }
  return "?";
}

std::vector<MarketRanking> rank_markets(std::span<const MarketSnapshot> markets, const MarketSelectorParams& p) {
  std::vector<MarketRanking> qualified;
  std::vector<MarketRanking> rest;
  for (const MarketSnapshot& m : markets) {
    MarketRanking r = measure(m, p);
    (r.verdict == SelectorVerdict::kChosen ? qualified : rest).push_back(std::move(r));
  }
  std::stable_sort(qualified.begin(), qualified.end(), [](const MarketRanking& a, const MarketRanking& b) {
    if (a.quote_volume_usd != b.quote_volume_usd) return a.quote_volume_usd > b.quote_volume_usd;
    if (a.spread_bps != b.spread_bps) return a.spread_bps < b.spread_bps;
    return a.symbol < b.symbol;
  });
  for (std::size_t i = 0; i < qualified.size(); ++i) {
    qualified[i].rank = static_cast<int>(i + 1);
    if (static_cast<std::int64_t>(i) >= p.max_markets) qualified[i].verdict = SelectorVerdict::kBeyondLimit;
  }
  qualified.insert(qualified.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return qualified;
}

std::string describe(const MarketRanking& r, const MarketSelectorParams& p) {
  const std::string volume = "24h volume " + format_usd(r.quote_volume_usd) + " USD";
  const std::string spread = "spread " + r.spread_bps.str() + " bps";
  const std::string depth = "top depth " + r.top_depth_usd.str() + " USD";
  switch (r.verdict) {
    case SelectorVerdict::kChosen:
      return r.symbol + " chosen (#" + std::to_string(r.rank) + "): " + volume + " >= " + p.min_quote_volume_usd.str() +
             ", " + spread + " <= " + p.max_spread_bps.str() + ", " + depth + " >= " + p.min_top_depth_usd.str();
    case SelectorVerdict::kBeyondLimit:
      return r.symbol + " not chosen: ranked #" + std::to_string(r.rank) + ", beyond max_markets " +
             std::to_string(p.max_markets) + " (" + volume + ", " + spread + ", " + depth + ")";
    case SelectorVerdict::kExcluded:
      return r.symbol + " not chosen: excluded ([mm.selector] exclude)";
    case SelectorVerdict::kLowVolume:
      return r.symbol + " not chosen: " + volume + " < " + p.min_quote_volume_usd.str();
    case SelectorVerdict::kNoBook:
      return r.symbol + " not chosen: no two-sided book (" + volume + ")";
    case SelectorVerdict::kWideSpread:
      return r.symbol + " not chosen: " + spread + " > " + p.max_spread_bps.str() + " (" + volume + ", " + depth + ")";
    case SelectorVerdict::kThinTop:
      return r.symbol + " not chosen: " + depth + " < " + p.min_top_depth_usd.str() + " (" + volume + ", " + spread +
             ")";
  }
  return r.symbol;
}

std::vector<std::string> validate_selector_params(const MarketSelectorParams& p, std::string_view section) {
  std::vector<std::string> out;
  const std::string s(section);
  if (p.max_markets < 1 || p.max_markets > 8)
    out.push_back(s + ".max_markets: " + std::to_string(p.max_markets) + " is out of range; allowed: 1 to 8");
  if (p.min_quote_volume_usd.is_negative())
    out.push_back(s + ".min_quote_volume_usd: " + p.min_quote_volume_usd.str() + " is out of range; allowed: >= 0");
  if (!p.max_spread_bps.is_positive() || p.max_spread_bps > Decimal::from_int(1'000))
    out.push_back(s + ".max_spread_bps: " + p.max_spread_bps.str() + " is out of range; allowed: > 0 and <= 1000");
  if (p.min_top_depth_usd.is_negative())
    out.push_back(s + ".min_top_depth_usd: " + p.min_top_depth_usd.str() + " is out of range; allowed: >= 0");
  return out;
}

}  // namespace bparb
