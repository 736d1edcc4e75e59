#pragma once
// Fixed-point decimal for prices, quantities, fees, balances and P&L.
//
// Why fixed scale 1e-9: every Backpack price/quantity/fee fits in 9 decimals (BTC qty step 1e-5,
// prices up to 8 dp), int64 at 1e-9 holds ±9.2e9 which covers any notional this daemon trades, and
// one fixed scale makes +,- and comparisons plain integer ops on the hot path. Multiplication and
// division go through __int128 with an explicit rounding direction. Never build an order field from
// a double: parse strings to Decimal, round to tick/step, format with format_fixed().
#include <cstddef>
#include <cstdint>
#include <compare>
#include <string>
#include <string_view>

namespace bparb {

enum class Rounding : std::uint8_t {
  kDown,          // toward -infinity (floor)
  kUp,            // toward +infinity (ceil)
  kTowardZero,    // truncate
  kAwayFromZero,  //
  kNearest,       // half away from zero
};

enum class DecimalParseError : std::uint8_t {
  kOk = 0,
  kEmpty,
  kInvalid,        // not [-+]digits[.digits]
  kTooPrecise,     // more than 9 significant decimals and the caller asked for exactness
  kOverflow,       // magnitude beyond int64 at 1e-9
};

const char* to_string(DecimalParseError e) noexcept;

class Decimal {
 public:
  static constexpr int kScale = 9;
  static constexpr std::int64_t kOne = 1'000'000'000;
  // Longest text format_* can produce: sign + 10 integer digits + '.' + 9 decimals + NUL.
  static constexpr std::size_t kMaxChars = 24;

  constexpr Decimal() noexcept = default;
  static constexpr Decimal from_raw(std::int64_t raw) noexcept { return Decimal(raw); }
  static constexpr Decimal from_int(std::int64_t v) noexcept { return Decimal(v * kOne); }
  static constexpr Decimal zero() noexcept { return Decimal(0); }
  static constexpr Decimal one() noexcept { return Decimal(kOne); }

  // Exact parse: fails with kTooPrecise if digits beyond 1e-9 are non-zero. No allocation.
  static DecimalParseError parse(std::string_view s, Decimal& out) noexcept;
  // Lossy parse for values that legitimately carry more digits (funding-rate estimates such as
  // "-0.0000039641039274236048482914"): extra digits are rounded with `mode`.
  static DecimalParseError parse_rounded(std::string_view s, Decimal& out, Rounding mode) noexcept;
  // Convenience for start-up code and tests; throws std::invalid_argument naming the text.
  static Decimal from_string(std::string_view s);

  constexpr std::int64_t raw() const noexcept { return raw_; }
  constexpr bool is_zero() const noexcept { return raw_ == 0; }
  constexpr bool is_negative() const noexcept { return raw_ < 0; }
  constexpr bool is_positive() const noexcept { return raw_ > 0; }
  constexpr Decimal abs() const noexcept { return Decimal(raw_ < 0 ? -raw_ : raw_); }

  constexpr Decimal operator-() const noexcept { return Decimal(-raw_); }
  constexpr Decimal operator+(Decimal o) const noexcept { return Decimal(raw_ + o.raw_); }
  constexpr Decimal operator-(Decimal o) const noexcept { return Decimal(raw_ - o.raw_); }
  constexpr Decimal& operator+=(Decimal o) noexcept { raw_ += o.raw_; return *this; }
  constexpr Decimal& operator-=(Decimal o) noexcept { raw_ -= o.raw_; return *this; }
  constexpr Decimal operator*(std::int64_t k) const noexcept { return Decimal(raw_ * k); }
  constexpr auto operator<=>(const Decimal&) const noexcept = default;

  // a*b and a/b at 1e-9 with explicit rounding (intermediate in 128 bits).
  Decimal mul(Decimal o, Rounding mode) const noexcept;
  Decimal div(Decimal o, Rounding mode) const noexcept;  // o must be non-zero
  Decimal div_int(std::int64_t k, Rounding mode) const noexcept;

  // Round to a multiple of `increment` (tick or step size, > 0).
  Decimal round_to(Decimal increment, Rounding mode) const noexcept;
  bool is_multiple_of(Decimal increment) const noexcept;
  // Number of whole increments (value must be a multiple; otherwise rounded with `mode`).
  std::int64_t to_units(Decimal increment, Rounding mode = Rounding::kTowardZero) const noexcept;
  static constexpr Decimal from_units(std::int64_t units, Decimal increment) noexcept {
    return Decimal(units * increment.raw_);
  }

  // Decimal places needed to print this value exactly ("0.01" -> 2, "1" -> 0, "0.00001" -> 5).
  int decimals() const noexcept;

  // Canonical text: no trailing zeros, "0" for zero, "-0.5" style. Returns chars written
  // (buffer of at least kMaxChars). No allocation.
  std::size_t format(char* buf) const noexcept;
  // Exactly `decimals` places (rounded toward zero if the value has more), e.g. for order fields
  // aligned to a tick of 0.01 -> "150.20".
  std::size_t format_fixed(char* buf, int decimals) const noexcept;
  std::string str() const;
  std::string str_fixed(int decimals) const;

  // For signals, ratios and logging only. Never feed back into an order field.
  double to_double() const noexcept { return static_cast<double>(raw_) / static_cast<double>(kOne); }
  static Decimal from_double(double v, Rounding mode) noexcept;

 private:
  constexpr explicit Decimal(std::int64_t raw) noexcept : raw_(raw) {}
  std::int64_t raw_ = 0;
};

}  // namespace bparb
