// TakerFlow: the side follows scripted taker bursts and respects the minimum hold.
#include "bparb/strategy/market_maker/taker_flow.hpp"

#include <gtest/gtest.h>

#include "mm_test_util.hpp"

namespace bparb::mmtest {
namespace {

TakerFlow make_flow(std::size_t capacity = TakerFlow::kDefaultCapacity) {
  return TakerFlow(2'000 * kMs, D("0.4"), D("1.3"), 1'500 * kMs, capacity);
}

void burst(TakerFlow& f, TimestampUs at, bool taker_buy, int n, std::int64_t lots = 10) {
  for (int i = 0; i < n; ++i) f.on_trade(PublicTrade{at, 15'000, lots, !taker_buy});
}

TEST(TakerFlow, BuyerIsMakerMeansTheTakerSold) {
  TakerFlow f = make_flow();
  f.on_trade(PublicTrade{kT0, 15'000, 3, /*buyer_is_maker=*/true});
  f.on_trade(PublicTrade{kT0, 15'001, 2, false});
  EXPECT_EQ(f.sell_notional_tl(), 45'000);
  EXPECT_EQ(f.buy_notional_tl(), 30'002);
}

TEST(TakerFlow, NoSideBeforeAnyTradeThenTheEmaOfTheClampedRatio) {
  TakerFlow f = make_flow();
  EXPECT_FALSE(f.side().has_value());
  EXPECT_FALSE(f.has_ratio());
  burst(f, kT0, true, 1);              // no sells: the ratio is clamped to 10
  burst(f, kT0, false, 1);             // 1:1
  EXPECT_EQ(f.ratio_ema(), D("6.4"));  // 10, then 10 + 0.4 x (1 - 10)
  EXPECT_EQ(f.side(), Side::kAsk);
}

TEST(TakerFlow, SideFollowsBurstsAndRespectsTheHold) {
  TakerFlow f = make_flow();
  burst(f, kT0, true, 3);
  ASSERT_EQ(f.side(), Side::kAsk);  // aggressive buyers: our ask gets lifted
  // 1 s later a heavy sell burst: the ratio says bid but the ask is held for 1.5 s.
  burst(f, kT0 + 1'000 * kMs, false, 20, 100);
  EXPECT_LT(f.ratio_ema(), D("0.769"));
  EXPECT_EQ(f.side(), Side::kAsk);
  f.advance(kT0 + 1'499 * kMs);
  EXPECT_EQ(f.side(), Side::kAsk);
  f.advance(kT0 + 1'500 * kMs);
  EXPECT_EQ(f.side(), Side::kBid);
  EXPECT_EQ(f.side_since_us(), kT0 + 1'500 * kMs);
  EXPECT_EQ(f.switches(), 1u);
  // Balanced flow afterwards keeps the bid.
  for (int i = 0; i < 20; ++i) {
    const TimestampUs t = kT0 + (4'000 + 100 * i) * kMs;
    burst(f, t, false, 1);
    burst(f, t, true, 1);
  }
  EXPECT_EQ(f.side(), Side::kBid);
}

TEST(TakerFlow, TheSwitchRatioIsInclusive) {
  // alpha 1: the EMA is the latest ratio. Sells of 100'000 tick-lots, then buys of 130'000: exactly 1.3.
  TakerFlow f(2'000 * kMs, D("1"), D("1.3"), 0);
  f.on_trade(PublicTrade{kT0, 10'000, 10, true});
  ASSERT_EQ(f.side(), Side::kBid);
  f.on_trade(PublicTrade{kT0, 10'000, 13, false});
  EXPECT_EQ(f.ratio_ema(), D("1.3"));
  EXPECT_EQ(f.side(), Side::kAsk);
}

TEST(TakerFlow, TradesLeaveTheWindow) {
  TakerFlow f = make_flow();
  burst(f, kT0, true, 2);
  burst(f, kT0 + 1'000 * kMs, false, 1);
  EXPECT_EQ(f.trades_in_window(), 3u);
  f.advance(kT0 + 2'000 * kMs);  // the first two are exactly 2 s old: out
  EXPECT_EQ(f.trades_in_window(), 1u);
  EXPECT_EQ(f.buy_notional_tl(), 0);
  EXPECT_EQ(f.sell_notional_tl(), 150'000);
  f.advance(kT0 + 3'000 * kMs);
  EXPECT_EQ(f.trades_in_window(), 0u);
}

TEST(TakerFlow, AFullRingDropsTheOldestAndCountsIt) {
  TakerFlow f = make_flow(4);
  burst(f, kT0, true, 6);
  EXPECT_EQ(f.trades_in_window(), 4u);
  EXPECT_EQ(f.overflowed(), 2u);
  EXPECT_EQ(f.buy_notional_tl(), 4 * 150'000);
}

}  // namespace
}  // namespace bparb::mmtest
