// parse_time_arg (declared in runner.hpp): the --from/--to arguments of a backtest.
#include <cstdint>
#include <string>

#include "bparb/backtest/runner.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::backtest {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(const std::string& s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

bool parse_time_arg(const std::string& s, TimestampUs& out) noexcept {
  if (s.empty()) return false;
  // Unix seconds, optionally with a fraction ("1723161255" / "1723161255.5").
  if (s.find('-') == std::string::npos) {
    for (char c : s)
      if ((c < '0' || c > '9') && c != '.') return false;
    Decimal d;
    if (s.front() == '.' || s.back() == '.' || Decimal::parse(s, d) != DecimalParseError{}) return false;
    out = d.to_units(Decimal::from_raw(1'000), Rounding::kDown);  // 1e-6 s
    return true;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d))
    return false;
  std::size_t p = 10;
  std::int64_t frac_us = 0;
  if (p < s.size() && s[p] != 'Z') {
    if ((s[p] != 'T' && s[p] != ' ') || !digits(s, p + 1, 2, h) || p + 3 >= s.size() || s[p + 3] != ':' ||
        !digits(s, p + 4, 2, mi))
      return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, se)) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        std::int64_t scale = 100'000;
        const std::size_t start = p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          frac_us += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) return false;
      }
    }
  }
  if (p < s.size() && s[p] == 'Z') ++p;
  if (p != s.size()) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  out = ((days * 24 + h) * 60 + mi) * 60 * kUsPerSecond + se * kUsPerSecond + frac_us;
  return true;
}

}  // namespace bparb::backtest
