// The market selector's rule: every filter with its numbers, the ranking by 24 h volume, the limit.
#include "bparb/strategy/market_maker/market_selector.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace bparb {
namespace {

Decimal selector_dec(const char* s) {
  return Decimal::from_string(s);
}

MarketSnapshot snap(const char* sym, const char* volume, const char* bid, const char* bid_qty, const char* ask,
                    const char* ask_qty) {
  MarketSnapshot m;
  m.symbol = sym;
  m.quote_volume_usd = selector_dec(volume);
  m.book_known = true;
  m.best_bid = selector_dec(bid);
  m.bid_quantity = selector_dec(bid_qty);
  m.best_ask = selector_dec(ask);
  m.ask_quantity = selector_dec(ask_qty);
  return m;
}

MarketSelectorParams params() {
  MarketSelectorParams p;
  p.enabled = true;
  p.max_markets = 2;
  p.min_quote_volume_usd = selector_dec("1000000");
  p.max_spread_bps = selector_dec("5");
  p.min_top_depth_usd = selector_dec("500");
  p.exclude = {"JUP_USDC_PERP"};
  return p;
}

const MarketRanking& of(const std::vector<MarketRanking>& rs, const std::string& sym) {
  for (const MarketRanking& r : rs)
    if (r.symbol == sym) return r;
  static const MarketRanking none;
  ADD_FAILURE() << sym << " missing";
  return none;
}

TEST(MarketSelector, RanksQualifiedMarketsByVolumeAndChoosesUpToTheLimit) {
  const std::vector<MarketSnapshot> m = {
      snap("SOL_USDC_PERP", "40000000", "150.00", "10", "150.01", "8"),        // 0.67 bps, top 1200.08
      snap("BTC_USDC_PERP", "90000000", "95000.0", "0.1", "95000.1", "0.05"),  // 0.01 bps, top 4750.00
      snap("ETH_USDC_PERP", "20000000", "3500.00", "1", "3500.01", "1"),       // qualified, third
      snap("SUI_USDC_PERP", "5000000", "3.5000", "1000", "3.5100", "1000"),    // 28.53 bps: too wide
      snap("JUP_USDC_PERP", "99000000", "0.8000", "9000", "0.8001", "9000"),   // excluded
      snap("DOGE_USDC_PERP", "500000", "0.1", "1", "0.10001", "1"),            // too little volume
      snap("XRP_USDC_PERP", "3000000", "2.0000", "100", "2.0001", "300"),      // top 200.00: too thin
  };
  const std::vector<MarketRanking> rs = rank_markets(m, params());
  ASSERT_EQ(rs.size(), m.size());
  EXPECT_EQ(rs[0].symbol, "BTC_USDC_PERP");
  EXPECT_EQ(rs[0].verdict, SelectorVerdict::kChosen);
  EXPECT_EQ(rs[0].rank, 1);
  EXPECT_EQ(rs[1].symbol, "SOL_USDC_PERP");
  EXPECT_EQ(rs[1].verdict, SelectorVerdict::kChosen);
  EXPECT_EQ(rs[1].spread_bps, selector_dec("0.67"));
  EXPECT_EQ(rs[1].top_depth_usd, selector_dec("1200.08"));
  EXPECT_EQ(rs[2].symbol, "ETH_USDC_PERP");
  EXPECT_EQ(rs[2].verdict, SelectorVerdict::kBeyondLimit);
  EXPECT_EQ(rs[2].rank, 3);
  EXPECT_EQ(of(rs, "SUI_USDC_PERP").verdict, SelectorVerdict::kWideSpread);
  EXPECT_EQ(of(rs, "SUI_USDC_PERP").spread_bps, selector_dec("28.53"));
  EXPECT_EQ(of(rs, "JUP_USDC_PERP").verdict, SelectorVerdict::kExcluded);
  EXPECT_EQ(of(rs, "DOGE_USDC_PERP").verdict, SelectorVerdict::kLowVolume);
  EXPECT_EQ(of(rs, "XRP_USDC_PERP").verdict, SelectorVerdict::kThinTop);
  EXPECT_EQ(of(rs, "XRP_USDC_PERP").top_depth_usd, selector_dec("200"));
  EXPECT_EQ(of(rs, "XRP_USDC_PERP").rank, 0);
}

TEST(MarketSelector, EachDecisionReadsWithItsNumbers) {
  const MarketSelectorParams p = params();
  const std::vector<MarketSnapshot> m = {
      snap("SOL_USDC_PERP", "40000000", "150.00", "10", "150.01", "8"),
      snap("ETH_USDC_PERP", "20000000", "3500.00", "1", "3500.01", "1"),
      snap("BTC_USDC_PERP", "90000000", "95000.0", "0.1", "95000.1", "0.05"),
      snap("SUI_USDC_PERP", "5000000", "3.5000", "1000", "3.5100", "1000"),
      snap("DOGE_USDC_PERP", "500000", "0.1", "1", "0.10001", "1"),
      snap("JUP_USDC_PERP", "99000000", "0.8000", "9000", "0.8001", "9000"),
  };
  const std::vector<MarketRanking> rs = rank_markets(m, p);
  EXPECT_EQ(describe(of(rs, "SOL_USDC_PERP"), p),
            "SOL_USDC_PERP chosen (#2): 24h volume 40000000.00 USD >= 1000000, spread 0.67 bps <= 5, top depth "
            "1200.08 USD >= 500");
  EXPECT_EQ(describe(of(rs, "ETH_USDC_PERP"), p),
            "ETH_USDC_PERP not chosen: ranked #3, beyond max_markets 2 (24h volume 20000000.00 USD, spread 0.03 bps, "
            "top depth 3500 USD)");
  EXPECT_EQ(describe(of(rs, "SUI_USDC_PERP"), p),
            "SUI_USDC_PERP not chosen: spread 28.53 bps > 5 (24h volume 5000000.00 USD, top depth 3500 USD)");
  EXPECT_EQ(describe(of(rs, "DOGE_USDC_PERP"), p), "DOGE_USDC_PERP not chosen: 24h volume 500000.00 USD < 1000000");
  EXPECT_EQ(describe(of(rs, "JUP_USDC_PERP"), p), "JUP_USDC_PERP not chosen: excluded ([mm.selector] exclude)");
}

TEST(MarketSelector, AMarketWithoutATwoSidedBookIsNotChosen) {
  MarketSnapshot unknown;
  unknown.symbol = "SOL_USDC_PERP";
  unknown.quote_volume_usd = selector_dec("40000000");
  MarketSnapshot one_sided = snap("ETH_USDC_PERP", "20000000", "3500.00", "1", "0", "0");
  const std::vector<MarketSnapshot> m = {unknown, one_sided};
  const std::vector<MarketRanking> rs = rank_markets(m, params());
  EXPECT_EQ(of(rs, "SOL_USDC_PERP").verdict, SelectorVerdict::kNoBook);
  EXPECT_EQ(of(rs, "ETH_USDC_PERP").verdict, SelectorVerdict::kNoBook);
}

TEST(MarketSelector, EqualVolumesRankTheTighterSpreadFirst) {
  MarketSelectorParams p = params();
  p.max_markets = 1;
  const std::vector<MarketSnapshot> m = {
      snap("AAA_USDC_PERP", "2000000", "10.00", "100", "10.02", "100"),  // 20 bps
      snap("BBB_USDC_PERP", "2000000", "10.00", "100", "10.01", "100"),  // 10 bps
  };
  p.max_spread_bps = selector_dec("25");
  const std::vector<MarketRanking> rs = rank_markets(m, p);
  EXPECT_EQ(rs[0].symbol, "BBB_USDC_PERP");
  EXPECT_EQ(rs[0].verdict, SelectorVerdict::kChosen);
  EXPECT_EQ(rs[1].verdict, SelectorVerdict::kBeyondLimit);
}

TEST(MarketSelector, ParametersOutOfRangeAreNamedWithTheirValue) {
  MarketSelectorParams p;
  p.max_markets = 0;
  p.max_spread_bps = selector_dec("0");
  p.min_top_depth_usd = selector_dec("-1");
  const std::vector<std::string> e = validate_selector_params(p, "mm.selector");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "mm.selector.max_markets: 0 is out of range; allowed: 1 to 8");
  EXPECT_EQ(e[1], "mm.selector.max_spread_bps: 0 is out of range; allowed: > 0 and <= 1000");
  EXPECT_EQ(e[2], "mm.selector.min_top_depth_usd: -1 is out of range; allowed: >= 0");
  EXPECT_TRUE(validate_selector_params(MarketSelectorParams{}, "mm.selector").empty());
}

}  // namespace
}  // namespace bparb
