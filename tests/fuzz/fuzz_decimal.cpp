// Decimal::parse / parse_rounded / format on arbitrary text. Properties: exact parse round-trips through
// format(); format_fixed never exceeds kMaxChars; parse_rounded agrees with parse when parse is exact;
// mul/div/round_to on parsed values never trip UBSan.
#include <fuzzer/FuzzedDataProvider.h>

#include "bparb/core/decimal.hpp"
#include "fuzz_util.hpp"

using bparb::Decimal;
using bparb::DecimalParseError;
using bparb::Rounding;

namespace {
constexpr Rounding kModes[] = {Rounding::kDown, Rounding::kUp, Rounding::kTowardZero, Rounding::kAwayFromZero,
                               Rounding::kNearest};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const std::string a_text = fdp.ConsumeRandomLengthString(64);
  const std::string b_text = fdp.ConsumeRandomLengthString(64);
  const Rounding mode = kModes[fdp.ConsumeIntegralInRange<int>(0, 4)];
  const int places = fdp.ConsumeIntegralInRange<int>(0, 9);

  Decimal a;
  const DecimalParseError ea = Decimal::parse(a_text, a);
  (void)bparb::to_string(ea);
  char buf[Decimal::kMaxChars + 8];
  if (ea == DecimalParseError::kOk) {
    const std::size_t n = a.format(buf);
    FUZZ_CHECK(n > 0 && n < Decimal::kMaxChars);
    Decimal back;
    FUZZ_CHECK(Decimal::parse(std::string_view(buf, n), back) == DecimalParseError::kOk);
    FUZZ_CHECK(back == a);
    FUZZ_CHECK(a.str() == std::string_view(buf, n));
    const std::size_t m = a.format_fixed(buf, places);
    FUZZ_CHECK(m > 0 && m < Decimal::kMaxChars);
    FUZZ_CHECK(a.decimals() >= 0 && a.decimals() <= Decimal::kScale);
    for (Rounding r : kModes) {
      Decimal c;
      FUZZ_CHECK(Decimal::parse_rounded(a_text, c, r) == DecimalParseError::kOk);
      FUZZ_CHECK(c == a);
    }
  }
  Decimal r;
  const DecimalParseError er = Decimal::parse_rounded(a_text, r, mode);
  if (er == DecimalParseError::kOk) {
    const std::size_t n = r.format(buf);
    Decimal back;
    FUZZ_CHECK(Decimal::parse(std::string_view(buf, n), back) == DecimalParseError::kOk && back == r);
  }

  Decimal b;
  if (ea == DecimalParseError::kOk && Decimal::parse(b_text, b) == DecimalParseError::kOk) {
    (void)a.mul(b, mode);
    if (!b.is_zero()) (void)a.div(b, mode);
    if (b.is_positive()) {
      (void)a.round_to(b, mode);
      (void)a.is_multiple_of(b);
      (void)a.to_units(b, mode);
    }
  }
  return 0;
}
