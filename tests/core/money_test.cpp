#include "bparb/core/money.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace bparb {
namespace {

Decimal money_dec(const char* s) {
  return Decimal::from_string(s);
}

TEST(Money, RoundsHalfAwayFromZeroToTheCent) {
  EXPECT_EQ(format_usd(money_dec("2.164")), "2.16");
  EXPECT_EQ(format_usd(money_dec("2.165")), "2.17");
  EXPECT_EQ(format_usd(money_dec("-2.165")), "-2.17");
  EXPECT_EQ(format_usd(money_dec("-1.994999999")), "-1.99");
  EXPECT_EQ(format_usd(money_dec("0.004")), "0.00");
  EXPECT_EQ(format_usd(money_dec("-0.004")), "0.00");  // never "-0.00"
  EXPECT_EQ(format_usd(money_dec("-0.005")), "-0.01");
  EXPECT_EQ(format_usd(money_dec("123456.999")), "123457.00");
  EXPECT_EQ(format_cents(-5), "-0.05");
  EXPECT_EQ(format_cents(0), "0.00");
}

// The README's old example printed spread 2.16, fees 1.99, net 0.16 (truncated): the parts must add up.
TEST(Money, PartsAddUpToThePrintedTotal) {
  const std::array<Decimal, 3> parts{money_dec("2.164"), money_dec("-1.995"), money_dec("0.004")};
  std::array<std::int64_t, 3> c{};
  const std::int64_t total = split_cents(parts, c);
  EXPECT_EQ(total, 17);
  EXPECT_EQ(c[0], 216);
  EXPECT_EQ(c[1], -199);  // the largest remainder takes the missing cent
  EXPECT_EQ(c[2], 0);
  EXPECT_EQ(c[0] + c[1] + c[2], total);
}

TEST(Money, SplitOverRandomPartsAlwaysAddsUpAndStaysWithinACent) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::int64_t> raw(-5'000'000'000'000, 5'000'000'000'000);
  for (int i = 0; i < 20'000; ++i) {
    std::array<Decimal, 4> parts{};
    Decimal sum;
    for (Decimal& p : parts) {
      p = Decimal::from_raw(raw(rng) / (i % 3 == 0 ? 1'000'000 : 1));
      sum += p;
    }
    std::array<std::int64_t, 4> c{};
    const std::int64_t total = split_cents(parts, c);
    ASSERT_EQ(total, to_cents(sum));
    ASSERT_EQ(c[0] + c[1] + c[2] + c[3], total) << i;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const std::int64_t exact_floor = parts[k].to_units(Decimal::from_raw(10'000'000), Rounding::kDown);
      ASSERT_GE(c[k], exact_floor) << i;
      ASSERT_LE(c[k], exact_floor + 1) << i;
    }
  }
}

}  // namespace
}  // namespace bparb
