// MmStats: the P&L parts add up exactly to the total of the fills, which matches an independent cash-flow
// count, and the printed parts add up to the cent.
#include <gtest/gtest.h>

#include <array>

#include "bparb/core/money.hpp"
#include "bparb/strategy/market_maker/mm_stats.hpp"
#include "mm_test_util.hpp"

namespace bparb::mmtest {
namespace {

MmFill fill(TimestampUs at, Side side, const char* price, const char* qty, const char* fee, const char* mid,
            bool hedge = false) {
  MmFill f;
  f.at_us = at;
  f.side = side;
  f.price = D(price);
  f.quantity = D(qty);
  f.fee = D(fee);
  f.maker = !hedge;
  f.hedge = hedge;
  f.mid = D(mid);
  return f;
}

TEST(MmStats, MarkoutsUseTheFirstMidAtOrAfterEachHorizon) {
  MmStats s;
  s.on_fill(fill(kT0, Side::kBid, "149.99", "1", "0.03", "150.00"));  // spread capture +0.01
  s.on_mid(kT0 + 500 * kMs, D("149.98"));
  s.on_mid(kT0 + 1'200 * kMs, D("149.95"));   // 1 s markout: -0.05
  s.on_mid(kT0 + 6'000 * kMs, D("149.90"));   // 5 s: -0.10
  s.on_mid(kT0 + 31'000 * kMs, D("150.05"));  // 30 s: +0.05
  s.on_mid(kT0 + 40'000 * kMs, D("150.20"));
  const MmReport r = s.report();
  EXPECT_EQ(r.spread_capture, D("0.01"));
  EXPECT_EQ(r.markout_1s, D("-0.05"));
  EXPECT_EQ(r.markout_5s, D("-0.1"));
  EXPECT_EQ(r.markout_30s, D("0.05"));
  EXPECT_EQ(r.adverse_selection, D("0.05"));
  EXPECT_EQ(r.inventory, D("0.15"));  // 150.05 -> 150.20 on 1 long
  EXPECT_EQ(r.fees, D("-0.03"));
  EXPECT_EQ(r.total, D("0.18"));  // 150.20 - 149.99 - 0.03
  EXPECT_EQ(r.markouts_pending, 0);
}

TEST(MmStats, PartsSumExactlyToTheTotalAndToTheCent) {
  MmStats s(8);  // small ring: some fills take their markouts early
  Decimal cash;  // independent count: what the fills paid and received, fees and funding
  Decimal qty;
  const auto book = [&](const MmFill& f) {
    s.on_fill(f);
    const Decimal notional = f.price.mul(f.quantity, Rounding::kNearest);
    cash += f.side == Side::kBid ? -notional : notional;
    cash -= f.fee;
    qty += f.side == Side::kBid ? f.quantity : -f.quantity;
  };
  TimestampUs t = kT0;
  // A scripted session: quotes filled on both sides, the mid wandering, rebates and fees, one hedge.
  const char* mids[] = {"150.005", "150.015", "149.995", "149.985", "150.025", "150.035", "150.005", "149.975"};
  for (int i = 0; i < 40; ++i) {
    t += 700 * kMs;
    const Decimal mid = D(mids[i % 8]);
    s.on_mid(t, mid);
    const bool buy = (i * 7) % 3 != 0;
    const Decimal px = buy ? mid - D("0.005") : mid + D("0.005");
    MmFill f;
    f.at_us = t;
    f.side = buy ? Side::kBid : Side::kAsk;
    f.price = px;
    f.quantity = D(i % 2 == 0 ? "0.06" : "0.13");
    f.fee = f.price.mul(f.quantity, Rounding::kNearest).mul(D("0.0002"), Rounding::kNearest);  // 2 bps
    f.maker = true;
    f.mid = mid;
    book(f);
    s.on_cancel();
    s.on_quote_placed();
    if (i == 20) {  // over the cap: a taker hedge at the touch, 5 bps fee
      MmFill h = fill(t, Side::kAsk, "149.98", "0.5", "0.037495", "149.985", true);
      book(h);
    }
  }
  s.on_funding(D("-0.0123"));
  cash += D("-0.0123");
  s.on_mid(t + 10'000 * kMs, D("150.115"));
  const MmReport r = s.report();

  const Decimal parts = r.spread_capture + r.adverse_selection + r.inventory + r.fees + r.funding + r.hedge_cost;
  EXPECT_EQ(parts, r.total);
  // The same total from cash flows: cash + position at the last mid.
  EXPECT_EQ(r.total, cash + qty.mul(D("150.115"), Rounding::kNearest));
  EXPECT_EQ(r.position, qty);
  EXPECT_EQ(s.inexact_values(), 0);
  EXPECT_GT(s.forced_markouts(), 0u);
  EXPECT_GT(r.markouts_pending, 0);

  std::array<Decimal, 6> p{r.spread_capture, r.adverse_selection, r.inventory, r.fees, r.funding, r.hedge_cost};
  std::array<std::int64_t, 6> cents{};
  const std::int64_t total_cents = split_cents(p, cents);
  std::int64_t sum = 0;
  for (std::int64_t c : cents) sum += c;
  EXPECT_EQ(sum, total_cents);
  EXPECT_EQ(total_cents, to_cents(r.total));

  EXPECT_EQ(r.quote_fills, 40);
  EXPECT_EQ(r.hedge_fills, 1);
  EXPECT_EQ(r.cancel_to_fill, D("1"));
  EXPECT_TRUE(r.spread_capture.is_positive());  // half a tick on every quote fill
  EXPECT_TRUE(r.fees.is_negative());
  EXPECT_TRUE(r.hedge_cost.is_negative());
}

TEST(MmStats, HeadlineIsNetPerMillionOfMakerVolume) {
  MmStats s;
  // 100 USD of maker volume, 2 bps fee (0.02), bought at the mid and marked there: -0.02 per 100 USD.
  s.on_fill(fill(kT0, Side::kBid, "100", "1", "0.02", "100"));
  s.on_mid(kT0 + 40'000 * kMs, D("100"));
  const MmReport r = s.report();
  EXPECT_EQ(r.maker_volume_usd, D("100"));
  EXPECT_EQ(r.total, D("-0.02"));
  EXPECT_EQ(r.net_per_million, D("-200"));  // a cost of 200 USD per million = 2 bps
}

TEST(MmStats, TimeAtTheTouch) {
  MmStats s;
  s.on_quote_presence(kT0, true, true);
  s.on_quote_presence(kT0 + 1'000 * kMs, true, false);
  s.on_quote_presence(kT0 + 3'000 * kMs, false, false);
  s.on_quote_presence(kT0 + 9'000 * kMs, true, true);
  const MmReport r = s.report();
  EXPECT_EQ(r.quoting_us, 3'000 * kMs);
  EXPECT_EQ(r.at_touch_us, 1'000 * kMs);
}

}  // namespace
}  // namespace bparb::mmtest
