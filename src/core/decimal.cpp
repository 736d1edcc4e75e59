#include "bparb/core/decimal.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace bparb {
namespace {

__extension__ using i128 = __int128;  // GCC extension; pedantic-clean
constexpr std::int64_t kPow10[] = {1,          10,          100,          1000,          10000,
                                   100000,     1000000,     10000000,     100000000,     1000000000,
                                   10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
                                   100000000000000LL, 1000000000000000LL, 10000000000000000LL,
                                   100000000000000000LL, 1000000000000000000LL};

// q = n / d rounded per mode (d != 0).
i128 div_round(i128 n, i128 d, Rounding mode) noexcept {
  i128 q = n / d;
  i128 r = n % d;
  if (r == 0) return q;
  const bool neg = (n < 0) != (d < 0);
  switch (mode) {
    case Rounding::kTowardZero:
      return q;
    case Rounding::kAwayFromZero:
      return neg ? q - 1 : q + 1;
    case Rounding::kDown:
      return neg ? q - 1 : q;
    case Rounding::kUp:
      return neg ? q : q + 1;
    case Rounding::kNearest: {
      i128 ar = r < 0 ? -r : r;
      i128 ad = d < 0 ? -d : d;
      if (2 * ar >= ad) return neg ? q - 1 : q + 1;
      return q;
    }
  }
  return q;
}

DecimalParseError parse_impl(std::string_view s, Decimal& out, bool exact, Rounding mode) noexcept {
  if (s.empty()) return DecimalParseError::kEmpty;
  std::size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return DecimalParseError::kInvalid;
  std::uint64_t int_part = 0;
  std::size_t int_digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++int_digits) {
    if (int_part > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return DecimalParseError::kOverflow;
    int_part = int_part * 10 + static_cast<std::uint64_t>(s[i] - '0');
  }
  std::uint64_t frac = 0;
  int frac_digits = 0;
  bool extra_nonzero = false;
  int first_extra = -1;  // first digit beyond the 9th, for rounding
  std::size_t frac_count = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_count) {
      int d = s[i] - '0';
      if (frac_digits < Decimal::kScale) {
        frac = frac * 10 + static_cast<std::uint64_t>(d);
        ++frac_digits;
      } else {
        if (first_extra < 0) first_extra = d;
        if (d != 0) extra_nonzero = true;
      }
    }
    if (frac_count == 0 && int_digits == 0) return DecimalParseError::kInvalid;
  }
  if (i != s.size() || (int_digits == 0 && frac_count == 0)) return DecimalParseError::kInvalid;
  if (int_part > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / Decimal::kOne))
    return DecimalParseError::kOverflow;
  frac *= static_cast<std::uint64_t>(kPow10[Decimal::kScale - frac_digits]);
  // Unsigned so the sum cannot overflow; the magnitude stays within INT64_MAX so that the range is
  // symmetric (negation and abs() are always defined). Found by fuzz_decimal.
  const std::uint64_t umag = int_part * static_cast<std::uint64_t>(Decimal::kOne) + frac;
  if (umag > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return DecimalParseError::kOverflow;
  std::int64_t mag = static_cast<std::int64_t>(umag);
  if (extra_nonzero) {
    if (exact) return DecimalParseError::kTooPrecise;
    // Magnitude was truncated; adjust per mode on the signed value.
    bool bump = false;
    switch (mode) {
      case Rounding::kTowardZero: bump = false; break;
      case Rounding::kAwayFromZero: bump = true; break;
      case Rounding::kDown: bump = neg; break;
      case Rounding::kUp: bump = !neg; break;
      case Rounding::kNearest: bump = first_extra >= 5; break;
    }
    if (bump) {
      if (mag == std::numeric_limits<std::int64_t>::max()) return DecimalParseError::kOverflow;
      ++mag;
    }
  }
  out = Decimal::from_raw(neg ? -mag : mag);
  return DecimalParseError::kOk;
}

}  // namespace

const char* to_string(DecimalParseError e) noexcept {
  switch (e) {
    case DecimalParseError::kOk: return "ok";
    case DecimalParseError::kEmpty: return "empty decimal";
    case DecimalParseError::kInvalid: return "not a decimal number";
    case DecimalParseError::kTooPrecise: return "more than 9 decimal places";
    case DecimalParseError::kOverflow: return "decimal out of range";
  }
  return "?";
}

DecimalParseError Decimal::parse(std::string_view s, Decimal& out) noexcept {
  return parse_impl(s, out, true, Rounding::kTowardZero);
}

DecimalParseError Decimal::parse_rounded(std::string_view s, Decimal& out, Rounding mode) noexcept {
  return parse_impl(s, out, false, mode);
}

Decimal Decimal::from_string(std::string_view s) {
  Decimal d;
  auto e = parse(s, d);
  if (e != DecimalParseError::kOk)
    throw std::invalid_argument("invalid decimal \"" + std::string(s) + "\": " + to_string(e));
  return d;
}

Decimal Decimal::mul(Decimal o, Rounding mode) const noexcept {
  i128 p = static_cast<i128>(raw_) * static_cast<i128>(o.raw_);
  return Decimal(static_cast<std::int64_t>(div_round(p, kOne, mode)));
}

Decimal Decimal::div(Decimal o, Rounding mode) const noexcept {
  if (o.raw_ == 0) return Decimal(0);
  i128 n = static_cast<i128>(raw_) * kOne;
  return Decimal(static_cast<std::int64_t>(div_round(n, o.raw_, mode)));
}

Decimal Decimal::div_int(std::int64_t k, Rounding mode) const noexcept {
  if (k == 0) return Decimal(0);
  return Decimal(static_cast<std::int64_t>(div_round(raw_, k, mode)));
}

Decimal Decimal::round_to(Decimal increment, Rounding mode) const noexcept {
  if (increment.raw_ <= 0) return *this;
  i128 units = div_round(raw_, increment.raw_, mode);
  return Decimal(static_cast<std::int64_t>(units * increment.raw_));
}

bool Decimal::is_multiple_of(Decimal increment) const noexcept {
  return increment.raw_ > 0 && raw_ % increment.raw_ == 0;
}

std::int64_t Decimal::to_units(Decimal increment, Rounding mode) const noexcept {
  if (increment.raw_ <= 0) return 0;
  return static_cast<std::int64_t>(div_round(raw_, increment.raw_, mode));
}

int Decimal::decimals() const noexcept {
  std::int64_t r = raw_ < 0 ? -raw_ : raw_;
  int d = kScale;
  while (d > 0 && r % 10 == 0) {
    r /= 10;
    --d;
  }
  return d;
}

std::size_t Decimal::format_fixed(char* buf, int decimals) const noexcept {
  if (decimals < 0) decimals = 0;
  if (decimals > kScale) decimals = kScale;
  std::uint64_t mag = raw_ < 0 ? static_cast<std::uint64_t>(-(raw_ + 1)) + 1 : static_cast<std::uint64_t>(raw_);
  std::uint64_t ip = mag / kOne;
  std::uint64_t fp = (mag % kOne) / static_cast<std::uint64_t>(kPow10[kScale - decimals]);
  char tmp[32];
  std::size_t n = 0;
  // fraction digits, reversed
  for (int k = 0; k < decimals; ++k) {
    tmp[n++] = static_cast<char>('0' + fp % 10);
    fp /= 10;
  }
  if (decimals > 0) tmp[n++] = '.';
  do {
    tmp[n++] = static_cast<char>('0' + ip % 10);
    ip /= 10;
  } while (ip != 0);
  bool all_zero = true;
  for (std::size_t k = 0; k < n; ++k)
    if (tmp[k] != '0' && tmp[k] != '.') all_zero = false;
  std::size_t o = 0;
  if (raw_ < 0 && !all_zero) buf[o++] = '-';
  while (n > 0) buf[o++] = tmp[--n];
  buf[o] = '\0';
  return o;
}

std::size_t Decimal::format(char* buf) const noexcept { return format_fixed(buf, decimals()); }

std::string Decimal::str() const {
  char b[kMaxChars];
  return std::string(b, format(b));
}

std::string Decimal::str_fixed(int decimals) const {
  char b[kMaxChars];
  return std::string(b, format_fixed(b, decimals));
}

Decimal Decimal::from_double(double v, Rounding mode) noexcept {
  double scaled = v * static_cast<double>(kOne);
  double r = 0;
  switch (mode) {
    case Rounding::kDown: r = std::floor(scaled); break;
    case Rounding::kUp: r = std::ceil(scaled); break;
    case Rounding::kTowardZero: r = std::trunc(scaled); break;
    case Rounding::kAwayFromZero: r = scaled < 0 ? std::floor(scaled) : std::ceil(scaled); break;
    case Rounding::kNearest: r = std::round(scaled); break;
  }
  if (!(r < 9.2e18 && r > -9.2e18)) return Decimal(0);
  return Decimal(static_cast<std::int64_t>(r));
}

}  // namespace bparb
