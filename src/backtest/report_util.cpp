// Formatting primitives shared by the report writers: locale-free numbers (std::to_chars), UTC time,
// escaping, "nice" axis ticks and deterministic down-sampling.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/backtest/report.hpp"
#include "bparb/core/json_escape.hpp"

namespace bparb::backtest::report_detail {
namespace {

// Howard Hinnant's days_from_civil inverse: proleptic Gregorian date of a day count since 1970-01-01.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

void append_2(std::string& s, unsigned v) {
  s += static_cast<char>('0' + (v / 10) % 10);
  s += static_cast<char>('0' + v % 10);
}

}  // namespace

std::string format_fixed(double v, int decimals) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  decimals = std::clamp(decimals, 0, 12);
  std::array<char, 400> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
  if (ec != std::errc{}) return "nan";
  std::string s(buf.data(), end);
  // "-0.000" (a tiny negative rounded away) reads as a sign that is not there.
  if (!s.empty() && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string format_utc(TimestampUs t) {
  std::int64_t secs = t / kUsPerSecond;
  if (t < 0 && secs * kUsPerSecond != t) --secs;
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs - days * 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  std::string s = std::to_string(y);
  while (s.size() < 4) s.insert(s.begin(), '0');
  s += '-';
  append_2(s, m);
  s += '-';
  append_2(s, d);
  s += ' ';
  append_2(s, static_cast<unsigned>(rem / 3600));
  s += ':';
  append_2(s, static_cast<unsigned>(rem / 60 % 60));
  s += ':';
  append_2(s, static_cast<unsigned>(rem % 60));
  return s;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  json_escape_append(out, s, Utf8Policy::kReplaceInvalid);
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(s, i);
      if (n == 0) {
        out += kUtf8Replacement;
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters have no business in a page; tabs/newlines become spaces.
        out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

namespace {

// 1, 2 or 5 times a power of ten, nearest to (round) or at least (!round) x.
double nice_number(double x, bool round) {
  const double expv = std::floor(std::log10(x));
  const double f = x / std::pow(10.0, expv);
  double nf = 10;
  if (round) {
    nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  } else {
    nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  }
  return nf * std::pow(10.0, expv);
}

}  // namespace

Ticks nice_ticks(double lo, double hi, int target) {
  Ticks t;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi < lo) std::swap(lo, hi);
  // Far beyond any basis or P&L figure; keeps the step arithmetic finite for absurd inputs.
  constexpr double kLimit = 1e15;
  lo = std::clamp(lo, -kLimit, kLimit);
  hi = std::clamp(hi, -kLimit, kLimit);
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(lo))) {
    // A flat series still gets an axis around it.
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  target = std::max(target, 2);
  const double range = nice_number(hi - lo, false);
  t.step = nice_number(range / (target - 1), true);
  const double first = std::floor(lo / t.step);
  const double last = std::ceil(hi / t.step);
  t.lo = first * t.step;
  t.hi = last * t.step;
  const auto n = static_cast<std::int64_t>(std::llround(last - first));
  for (std::int64_t i = 0; i <= n && i <= 1000; ++i) {
    double v = (first + static_cast<double>(i)) * t.step;
    if (std::fabs(v) < t.step * 1e-9) v = 0;  // no "-0" or 1e-17 labels
    t.values.push_back(v);
  }
  return t;
}

TimeTicks nice_time_ticks(TimestampUs lo, TimestampUs hi, int target) {
  static constexpr std::array<DurationUs, 37> kSteps{1'000,
                                                     2'000,
                                                     5'000,
                                                     10'000,
                                                     20'000,
                                                     50'000,
                                                     100'000,
                                                     200'000,
                                                     500'000,
                                                     kUsPerSecond,
                                                     2 * kUsPerSecond,
                                                     5 * kUsPerSecond,
                                                     10 * kUsPerSecond,
                                                     15 * kUsPerSecond,
                                                     30 * kUsPerSecond,
                                                     60 * kUsPerSecond,
                                                     120 * kUsPerSecond,
                                                     300 * kUsPerSecond,
                                                     600 * kUsPerSecond,
                                                     900 * kUsPerSecond,
                                                     1800 * kUsPerSecond,
                                                     kUsPerHour,
                                                     2 * kUsPerHour,
                                                     3 * kUsPerHour,
                                                     6 * kUsPerHour,
                                                     12 * kUsPerHour,
                                                     kUsPerDay,
                                                     2 * kUsPerDay,
                                                     7 * kUsPerDay,
                                                     14 * kUsPerDay,
                                                     30 * kUsPerDay,
                                                     60 * kUsPerDay,
                                                     90 * kUsPerDay,
                                                     180 * kUsPerDay,
                                                     365 * kUsPerDay,
                                                     730 * kUsPerDay,
                                                     1825 * kUsPerDay};
  TimeTicks t;
  if (hi < lo) std::swap(lo, hi);
  target = std::max(target, 1);
  const DurationUs span = hi - lo;
  t.step = kSteps.back();
  for (DurationUs s : kSteps) {
    if ((span + s - 1) / s <= target) {  // intervals, rounded up
      t.step = s;
      break;
    }
  }
  // Multiples of the step since the epoch: whole minutes, hours and UTC days land on round labels.
  TimestampUs first = lo / t.step * t.step;
  if (first < lo) first += t.step;
  for (TimestampUs v = first; v <= hi && t.values.size() < 100; v += t.step) t.values.push_back(v);
  return t;
}

std::vector<XY> downsample(const std::vector<XY>& points, std::size_t max_points) {
  max_points = std::max<std::size_t>(max_points, 4);
  if (points.size() <= max_points) return points;
  std::vector<XY> out;
  out.reserve(max_points);
  out.push_back(points.front());
  const std::size_t interior = points.size() - 2;
  const std::size_t buckets = (max_points - 2) / 2;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t begin = 1 + b * interior / buckets;
    const std::size_t end = 1 + (b + 1) * interior / buckets;
    if (begin >= end) continue;
    std::size_t imin = begin, imax = begin;
    for (std::size_t i = begin; i < end; ++i) {
      if (points[i].y < points[imin].y) imin = i;
      if (points[i].y > points[imax].y) imax = i;
    }
    out.push_back(points[std::min(imin, imax)]);
    if (imin != imax) out.push_back(points[std::max(imin, imax)]);
  }
  out.push_back(points.back());
  return out;
}

}  // namespace bparb::backtest::report_detail
