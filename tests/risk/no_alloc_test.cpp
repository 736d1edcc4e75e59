// Hot-path guarantee: a risk check (and recording the order) allocates nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "bparb/risk/risk_gate.hpp"

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../support/counting_new.hpp"

namespace bparb {
namespace {

TEST(RiskHotPath, CheckAndRecordDoNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  ManualClock clock(1'795'132'800LL * kUsPerSecond);
  RiskLimits limits;
  limits.max_orders_per_minute = 1000;
  RiskGate gate(limits, clock);
  MarketSpec perp;
  perp.imf.present = true;
  perp.imf.base = Decimal::from_string("0.02");
  perp.imf.factor = Decimal::from_string("0.0001");
  OrderCheck o;
  o.notional_usd = Decimal::from_int(100);
  o.position_notional_after_usd = Decimal::from_int(100);
  o.perp_spec = &perp;
  o.perp_notional_after_usd = Decimal::from_int(100);
  const AccountRisk a{Decimal::from_int(5000), Decimal::zero(), Decimal::zero(), Decimal::zero()};
  g_allocs = 0;
  g_counting = true;
  ::operator delete(::operator new(8));
  g_counting = false;
  ASSERT_EQ(g_allocs.load(), 1);

  g_allocs = 0;
  g_counting = true;
  int allowed = 0;
  for (int i = 0; i < 5000; ++i) {
    clock.advance_us(100 * kUsPerMs);
    o.book = BookHealth{true, clock.now_us()};
    allowed += gate.check_and_record(o, a).allowed ? 1 : 0;
    gate.update(a);
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_EQ(allowed, 5000);  // 600 orders/min < 1000 cap
}

}  // namespace
}  // namespace bparb
