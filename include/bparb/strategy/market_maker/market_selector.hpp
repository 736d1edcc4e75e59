#pragma once
// Which perps the market maker quotes when `[mm.selector]` is enabled: a pure ranking of the venue's perps from
// their 24 h quote volume (the public tickers), their spread and the notional at the top of their book (the
// public depth). The daemon fetches the numbers at start-up and on SIGHUP (app/mm_selector.hpp); this file
// only decides, so the rule is tested without a venue (docs/market_maker.md "Market selector").
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bparb/core/decimal.hpp"

namespace bparb {

struct MarketSelectorParams {
  bool enabled = false;
  std::int64_t max_markets = 1;                                 // quote at most this many, the busiest first
  Decimal min_quote_volume_usd = Decimal::from_int(1'000'000);  // 24 h quote volume at least this
  Decimal max_spread_bps = Decimal::from_int(5);                // (ask - bid) / mid at most this, in bps
  Decimal min_top_depth_usd = Decimal::from_int(500);           // the thinner top level at least this notional
  std::vector<std::string> exclude;                             // never these symbols
};

// One perp's numbers as the venue gave them. A side of the book that is empty has a zero price.
struct MarketSnapshot {
  std::string symbol;
  Decimal quote_volume_usd;  // 24 h
  bool book_known = false;   // false: the depth was not fetched (it failed the volume test first) or failed
  Decimal best_bid, bid_quantity, best_ask, ask_quantity;
};

enum class SelectorVerdict : std::uint8_t {
  kChosen,
  kExcluded,     // listed in exclude
  kLowVolume,    // 24 h quote volume below min_quote_volume_usd
  kNoBook,       // no depth, or a side of the book empty
  kWideSpread,   // spread above max_spread_bps
  kThinTop,      // top-of-book notional below min_top_depth_usd
  kBeyondLimit,  // qualified, but max_markets busier ones were chosen
};
const char* to_string(SelectorVerdict v) noexcept;

struct MarketRanking {
  std::string symbol;
  SelectorVerdict verdict = SelectorVerdict::kChosen;
  int rank = 0;  // 1 = the busiest qualified market; 0 = did not qualify
  Decimal quote_volume_usd;
  Decimal spread_bps;     // 2 decimals; zero when the book is not known
  Decimal top_depth_usd;  // min(bid price x quantity, ask price x quantity), to the cent
};

// Every snapshot's verdict: chosen first (by rank), then the qualified ones beyond the limit, then the rest in
// the order given. Qualified markets rank by 24 h quote volume, then the tighter spread, then the symbol.
std::vector<MarketRanking> rank_markets(std::span<const MarketSnapshot> markets, const MarketSelectorParams& p);

// "SOL_USDC_PERP chosen (#1): 24h volume 1234567.89 USD >= 1000000, spread 0.67 bps <= 5, top depth 640.12 USD
// >= 500" or "... not chosen: spread 12.5 bps > 5 (24h volume ..., top depth ...)": the log line of a decision.
std::string describe(const MarketRanking& r, const MarketSelectorParams& p);

// Every problem with the parameters, one message each naming `section`.key, the value and the allowed range.
std::vector<std::string> validate_selector_params(const MarketSelectorParams& p, std::string_view section);

}  // namespace bparb
