// Hot-path guarantee: once the pairs are registered, fills, funding, marks and the daily P&L
// allocate nothing. Global operator new is replaced in this test binary to count allocations.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>

#include "bparb/portfolio/portfolio.hpp"

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../support/counting_new.hpp"

namespace bparb {
namespace {

TEST(PortfolioHotPath, FillsFundingAndDailyPnlDoNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  Portfolio pf(2);
  const PairIndex p = pf.add_pair(Decimal::from_string("0.00001"));
  const std::array<Marks, 1> marks{Marks{Decimal::from_int(100), Decimal::from_int(101)}};
  const TimestampUs t0 = 1'795'132'800LL * kUsPerSecond;
  g_allocs = 0;
  g_counting = true;
  ::operator delete(::operator new(8));
  g_counting = false;
  ASSERT_EQ(g_allocs.load(), 1);

  g_allocs = 0;
  g_counting = true;
  std::int64_t check = 0;
  for (int i = 0; i < 500; ++i) {
    const TimestampUs t = t0 + i * kUsPerHour;  // crosses several UTC midnights
    pf.apply_fill(p, Fill{Leg::kSpot, Side::kBid, Decimal::from_int(100), Decimal::one(), Decimal::from_string("0.001"),
                          FeeAsset::kBase, t});
    pf.apply_fill(p, Fill{Leg::kPerp, Side::kAsk, Decimal::from_int(101), Decimal::one(), Decimal::from_string("0.04"),
                          FeeAsset::kQuote, t});
    pf.apply_funding(p, Decimal::from_string("0.01"), t);
    check += pf.daily_pnl(t, marks).raw();
    pf.apply_fill(p, Fill{Leg::kSpot, Side::kAsk, Decimal::from_int(100), Decimal::from_string("0.999"),
                          Decimal::from_string("0.1"), FeeAsset::kQuote, t});
    pf.apply_fill(p, Fill{Leg::kPerp, Side::kBid, Decimal::from_int(101), Decimal::one(), Decimal::from_string("0.04"),
                          FeeAsset::kQuote, t});
    check += static_cast<std::int64_t>(pf.stats().closed);
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_EQ(pf.stats().closed, 500u);
  EXPECT_NE(check, 0);
}

}  // namespace
}  // namespace bparb
