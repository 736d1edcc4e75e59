#include "bparb/core/decimal.hpp"

#include <gtest/gtest.h>

namespace bparb {
namespace {

Decimal D(const char* s) { return Decimal::from_string(s); }

TEST(Decimal, ParsesExchangeStrings) {
  EXPECT_EQ(D("150.25").raw(), 150'250'000'000);
  EXPECT_EQ(D("0.00001").raw(), 10'000);
  EXPECT_EQ(D("-0.5").raw(), -500'000'000);
  EXPECT_EQ(D("1.00000").raw(), Decimal::kOne);
  EXPECT_EQ(D(".5").raw(), 500'000'000);
  EXPECT_EQ(D("7.").raw(), 7 * Decimal::kOne);
  EXPECT_EQ(D("+3").raw(), 3 * Decimal::kOne);
}

TEST(Decimal, RejectsMalformed) {
  Decimal d;
  EXPECT_EQ(Decimal::parse("", d), DecimalParseError::kEmpty);
  EXPECT_EQ(Decimal::parse("-", d), DecimalParseError::kInvalid);
  EXPECT_EQ(Decimal::parse(".", d), DecimalParseError::kInvalid);
  EXPECT_EQ(Decimal::parse("1e5", d), DecimalParseError::kInvalid);
  EXPECT_EQ(Decimal::parse("1.2.3", d), DecimalParseError::kInvalid);
  EXPECT_EQ(Decimal::parse(" 1", d), DecimalParseError::kInvalid);
  EXPECT_EQ(Decimal::parse("N/A", d), DecimalParseError::kInvalid);
  EXPECT_EQ(Decimal::parse("0.0000000001", d), DecimalParseError::kTooPrecise);
  EXPECT_EQ(Decimal::parse("99999999999", d), DecimalParseError::kOverflow);
  // Just past INT64_MAX at 1e-9, both signs (fuzz_decimal reproducers): no signed overflow.
  EXPECT_EQ(Decimal::parse("9223372036.854775808", d), DecimalParseError::kOverflow);
  EXPECT_EQ(Decimal::parse("-9223372036.854775808", d), DecimalParseError::kOverflow);
  EXPECT_EQ(Decimal::parse("9223372036.999999999", d), DecimalParseError::kOverflow);
  EXPECT_EQ(Decimal::parse_rounded("9223372036.8547758079", d, Rounding::kUp), DecimalParseError::kOverflow);
  ASSERT_EQ(Decimal::parse("-9223372036.854775807", d), DecimalParseError::kOk);
  EXPECT_EQ(d.abs().str(), "9223372036.854775807");
  EXPECT_EQ(Decimal::parse("0.0000000010", d), DecimalParseError::kOk);  // trailing zero is exact
  EXPECT_THROW(Decimal::from_string("abc"), std::invalid_argument);
}

TEST(Decimal, ParseRoundedFundingRate) {
  Decimal d;
  ASSERT_EQ(Decimal::parse_rounded("-0.0000039641039274236048482914", d, Rounding::kNearest), DecimalParseError::kOk);
  EXPECT_EQ(d.raw(), -3964);
  ASSERT_EQ(Decimal::parse_rounded("0.0000000015", d, Rounding::kNearest), DecimalParseError::kOk);
  EXPECT_EQ(d.raw(), 2);
  ASSERT_EQ(Decimal::parse_rounded("0.0000000015", d, Rounding::kDown), DecimalParseError::kOk);
  EXPECT_EQ(d.raw(), 1);
  ASSERT_EQ(Decimal::parse_rounded("-0.0000000015", d, Rounding::kDown), DecimalParseError::kOk);
  EXPECT_EQ(d.raw(), -2);
}

TEST(Decimal, FormatsCanonicalAndFixed) {
  EXPECT_EQ(D("150.250").str(), "150.25");
  EXPECT_EQ(D("0").str(), "0");
  EXPECT_EQ(D("-0.000001").str(), "-0.000001");
  EXPECT_EQ(D("118343.51853741").str(), "118343.51853741");
  EXPECT_EQ(D("150.2").str_fixed(2), "150.20");
  EXPECT_EQ(D("12").str_fixed(0), "12");
  EXPECT_EQ(D("-0.001").str_fixed(2), "0.00");  // no "-0.00"
  EXPECT_EQ(D("9223372036.854775807").str(), "9223372036.854775807");
  EXPECT_EQ(Decimal::from_raw(INT64_MIN + 1).str(), "-9223372036.854775807");
}

TEST(Decimal, RoundsToTickWithExplicitDirection) {
  Decimal tick = D("0.01");
  EXPECT_EQ(D("150.257").round_to(tick, Rounding::kDown), D("150.25"));
  EXPECT_EQ(D("150.251").round_to(tick, Rounding::kUp), D("150.26"));
  EXPECT_EQ(D("150.255").round_to(tick, Rounding::kNearest), D("150.26"));
  EXPECT_EQ(D("-150.257").round_to(tick, Rounding::kDown), D("-150.26"));
  EXPECT_EQ(D("-150.257").round_to(tick, Rounding::kTowardZero), D("-150.25"));
  EXPECT_EQ(D("150.25").round_to(tick, Rounding::kUp), D("150.25"));
  EXPECT_EQ(D("0.123456").round_to(D("0.00001"), Rounding::kDown), D("0.12345"));
  EXPECT_TRUE(D("3.75").is_multiple_of(D("0.25")));
  EXPECT_FALSE(D("3.7").is_multiple_of(D("0.25")));
  EXPECT_EQ(D("150.25").to_units(tick), 15025);
  EXPECT_EQ(Decimal::from_units(15025, tick), D("150.25"));
  EXPECT_EQ(D("0.01").decimals(), 2);
  EXPECT_EQ(D("10").decimals(), 0);
  EXPECT_EQ(D("0.00001").decimals(), 5);
}

TEST(Decimal, MultipliesAndDividesExactly) {
  EXPECT_EQ(D("150.25").mul(D("0.5"), Rounding::kNearest), D("75.125"));
  EXPECT_EQ(D("118343.51853741").mul(D("0.00633"), Rounding::kNearest), D("749.114472342"));
  // fee 0.1% of 3.81428 = 0.00381428
  EXPECT_EQ(D("3.81428").mul(D("0.001"), Rounding::kNearest), D("0.00381428"));
  EXPECT_EQ(D("1").div(D("3"), Rounding::kDown), D("0.333333333"));
  EXPECT_EQ(D("1").div(D("3"), Rounding::kUp), D("0.333333334"));
  EXPECT_EQ(D("-1").div(D("3"), Rounding::kDown), D("-0.333333334"));
  EXPECT_EQ(D("10").div_int(4, Rounding::kTowardZero), D("2.5"));
  EXPECT_EQ(D("1").div(Decimal::zero(), Rounding::kDown), Decimal::zero());
}

}  // namespace
}  // namespace bparb
