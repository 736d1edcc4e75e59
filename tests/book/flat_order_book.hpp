#pragma once
// Test-only reference: the order book as one flat sorted array per side (best at the back, every level
// in it), exactly as OrderBook was before its deep levels moved to pages. The windowed OrderBook must
// answer every query exactly as this does (window_equivalence_test.cpp). Not linked into any binary.
#include <algorithm>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "bparb/book/order_book.hpp"

namespace bparb::reference {

class FlatOrderBook {
 public:
  using Fill = BookFill;
  static constexpr std::size_t kDefaultReserveLevels = 2048;

  explicit FlatOrderBook(const MarketSpec& spec, std::size_t reserve_levels_per_side = kDefaultReserveLevels);

  ApplyResult apply(const DepthDelta& delta, TimestampUs received_us = 0) noexcept;
  LevelError apply_level(Side side, Decimal price, Decimal quantity) noexcept;
  LevelError apply_level_ticks(Side side, std::int64_t price_ticks, std::int64_t qty_lots) noexcept;
  ApplyResult load_snapshot(const DepthSnapshot& snapshot, TimestampUs received_us = 0) noexcept;
  void clear() noexcept;
  void set_valid(bool v) noexcept {
    if (v && !valid_) valid_since_us_ = last_update_us_;
    valid_ = v;
  }

  bool valid() const noexcept { return valid_; }
  std::int64_t last_update_id() const noexcept { return last_update_id_; }
  TimestampUs last_update_us() const noexcept { return last_update_us_; }
  TimestampUs last_engine_time_us() const noexcept { return last_engine_us_; }
  DurationUs age_us(const Clock& clock) const noexcept { return clock.now_us() - last_update_us_; }
  TimestampUs valid_since_us() const noexcept { return valid_since_us_; }
  std::uint64_t rejected_levels() const noexcept { return rejected_levels_; }

  Decimal tick_size() const noexcept { return tick_; }
  Decimal step_size() const noexcept { return step_; }
  std::int64_t price_to_ticks(Decimal price) const noexcept;
  Decimal ticks_to_price(std::int64_t ticks) const noexcept { return Decimal::from_units(ticks, tick_); }
  Decimal lots_to_quantity(std::int64_t lots) const noexcept { return Decimal::from_units(lots, step_); }

  BookLevel best_bid() const noexcept { return level(Side::kBid, 0); }
  BookLevel best_ask() const noexcept { return level(Side::kAsk, 0); }
  BookLevel level(Side side, std::size_t i) const noexcept;
  std::size_t level_count(Side side) const noexcept { return side == Side::kBid ? bids_.size() : asks_.size(); }
  bool empty(Side side) const noexcept { return level_count(side) == 0; }
  std::span<const PriceLevel> levels(Side side) const noexcept {
    return side == Side::kBid ? std::span<const PriceLevel>(bids_) : std::span<const PriceLevel>(asks_);
  }
  const PriceLevel* top(Side side) const noexcept;

  Decimal mid() const noexcept;
  Decimal spread() const noexcept;
  std::int64_t spread_ticks() const noexcept;
  double spread_bps() const noexcept;
  bool crossed() const noexcept;

  Decimal quantity_within_bps(Side side, Decimal bps) const noexcept;

  BookFill walk(Side taker_side, Decimal quantity) const noexcept;
  BookFill walk(Side taker_side, Decimal quantity, Decimal limit_price) const noexcept;
  BookFill walk_notional(Side taker_side, Decimal quote_amount) const noexcept;

 private:
  std::vector<PriceLevel>& side_levels(Side s) noexcept { return s == Side::kBid ? bids_ : asks_; }
  LevelError to_units(Decimal price, Decimal quantity, std::int64_t& ticks, std::int64_t& lots) const noexcept;
  BookFill walk_impl(Side taker_side, std::int64_t want_lots, std::int64_t limit_ticks) const noexcept;
  void stamp(TimestampUs engine_us, TimestampUs received_us) noexcept;

  Decimal tick_;
  Decimal step_;
  std::int8_t tick_pow10_ = -1;
  std::int8_t step_pow10_ = -1;
  std::vector<PriceLevel> bids_;
  std::vector<PriceLevel> asks_;
  std::int64_t last_update_id_ = 0;
  TimestampUs last_update_us_ = 0;
  TimestampUs last_engine_us_ = 0;
  TimestampUs valid_since_us_ = 0;
  std::uint64_t rejected_levels_ = 0;
  bool valid_ = false;
};

__extension__ using i128 = __int128;

constexpr std::int64_t kNoBuyLimit = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kNoSellLimit = 0;  // every resting bid is > 0 ticks
// Levels inspected linearly from the top before falling back to binary search: updates cluster at
// the best few levels, where a short backwards scan beats a binary search's unpredictable branches.
constexpr std::size_t kLinearScan = 8;

constexpr std::int64_t pow10(int k) noexcept {
  std::int64_t v = 1;
  while (k-- > 0) v *= 10;
  return v;
}

inline std::int8_t pow10_exponent(std::int64_t raw) noexcept {
  for (int k = 0; k <= 18; ++k)
    if (raw == pow10(k)) return static_cast<std::int8_t>(k);
  return -1;
}

template <int K>
inline bool div_exact_pow10(std::int64_t raw, std::int64_t& q) noexcept {
  constexpr std::int64_t d = pow10(K);
  q = raw / d;
  return raw % d == 0;
}

// q = raw / divisor; true if exact. `k` (from pow10_exponent(divisor)) picks a constant divisor.
inline bool div_exact(std::int64_t raw, std::int64_t divisor, int k, std::int64_t& q) noexcept {
  switch (k) {
    case 0:
      q = raw;
      return true;
    case 1:
      return div_exact_pow10<1>(raw, q);
    case 2:
      return div_exact_pow10<2>(raw, q);
    case 3:
      return div_exact_pow10<3>(raw, q);
    case 4:
      return div_exact_pow10<4>(raw, q);
    case 5:
      return div_exact_pow10<5>(raw, q);
    case 6:
      return div_exact_pow10<6>(raw, q);
    case 7:
      return div_exact_pow10<7>(raw, q);
    case 8:
      return div_exact_pow10<8>(raw, q);
    case 9:
      return div_exact_pow10<9>(raw, q);
    case 10:
      return div_exact_pow10<10>(raw, q);
    case 11:
      return div_exact_pow10<11>(raw, q);
    case 12:
      return div_exact_pow10<12>(raw, q);
    default:
      q = raw / divisor;
      return raw % divisor == 0;
  }
}

// n / d rounded toward +inf (up = true) or -inf, for d > 0.
inline i128 div_dir(i128 n, i128 d, bool up) noexcept {
  i128 q = n / d;
  i128 r = n % d;
  if (r != 0) {
    if (up && r > 0) ++q;
    if (!up && r < 0) --q;
  }
  return q;
}

// Sort key: both sides are kept ascending by key with the best level at the back.
// Bids: key = price (highest best). Asks: key = -price (lowest best).
inline std::int64_t key_of(std::int64_t sign, std::int64_t price_ticks) noexcept {
  return sign * price_ticks;
}
inline std::int64_t sign_of(Side s) noexcept {
  return s == Side::kBid ? 1 : -1;
}

// "a sorts before b" in the array order of one side (bids ascending price, asks descending).
template <bool kBid>
inline bool before(std::int64_t a_ticks, std::int64_t b_ticks) noexcept {
  if constexpr (kBid) {
    return a_ticks < b_ticks;
  } else {
    return a_ticks > b_ticks;
  }
}

// First index whose level does not sort before `ticks` (its insertion point). Updates cluster at the
// top, so scan a few levels back from the best first; deeper, a branchless binary search (conditional
// moves instead of unpredictable branches: deep updates land at random depths).
template <bool kBid>
inline std::size_t find_pos(const std::vector<PriceLevel>& v, std::int64_t ticks) noexcept {
  std::size_t i = v.size();
  for (std::size_t steps = 0; i > 0 && steps < kLinearScan; ++steps) {
    if (before<kBid>(v[i - 1].price_ticks, ticks)) return i;
    --i;
  }
  if (i == 0) return 0;
  const PriceLevel* const data = v.data();
  const PriceLevel* base = data;
  std::size_t n = i;  // the answer lies in [base, base + n]
  while (n > 1) {
    const std::size_t half = n / 2;
    base = before<kBid>(base[half].price_ticks, ticks) ? base + half : base;
    n -= half;
  }
  return static_cast<std::size_t>(base - data) + (before<kBid>(base->price_ticks, ticks) ? 1 : 0);
}

// Set one level of a side to an absolute quantity (zero deletes); ticks > 0 and lots >= 0 already checked.
// Inlined into apply()'s loop: no call and no side dispatch per level.
template <bool kBid>
inline void set_level(std::vector<PriceLevel>& v, std::int64_t price_ticks, std::int64_t qty_lots) noexcept {
  const std::size_t pos = find_pos<kBid>(v, price_ticks);
  const bool found = pos < v.size() && v[pos].price_ticks == price_ticks;
  if (qty_lots == 0) {
    if (found) v.erase(v.begin() + static_cast<std::ptrdiff_t>(pos));
  } else if (found) {
    v[pos].qty_lots = qty_lots;
  } else {
    // Grows only when the book is deeper than the reserve (rare; amortized).
    v.insert(v.begin() + static_cast<std::ptrdiff_t>(pos), PriceLevel{price_ticks, qty_lots});
  }
}

// Bring a snapshot side into book order (ascending key, best at back), dropping duplicate prices.
// Returns the number of duplicates removed. No allocation (in-place sort).
inline std::uint32_t sort_side(std::vector<PriceLevel>& v, std::int64_t sign) noexcept {
  auto less = [sign](const PriceLevel& a, const PriceLevel& b) {
    return key_of(sign, a.price_ticks) < key_of(sign, b.price_ticks);
  };
  // Backpack sends both sides ascending by price: bids arrive in book order, asks reversed.
  if (!std::is_sorted(v.begin(), v.end(), less)) {
    std::reverse(v.begin(), v.end());
    if (!std::is_sorted(v.begin(), v.end(), less)) std::sort(v.begin(), v.end(), less);
  }
  auto last = std::unique(v.begin(), v.end(),
                          [](const PriceLevel& a, const PriceLevel& b) { return a.price_ticks == b.price_ticks; });
  auto removed = static_cast<std::uint32_t>(v.end() - last);
  v.erase(last, v.end());
  return removed;
}

inline void note_error(ApplyResult& r, LevelError e) noexcept {
  if (e == LevelError::kOk) {
    ++r.applied;
  } else {
    if (r.rejected == 0) r.first_error = e;
    ++r.rejected;
  }
}

FlatOrderBook::FlatOrderBook(const MarketSpec& spec, std::size_t reserve_levels_per_side)
    : tick_(spec.tick_size),
      step_(spec.step_size),
      tick_pow10_(pow10_exponent(spec.tick_size.raw())),
      step_pow10_(pow10_exponent(spec.step_size.raw())) {
  if (!tick_.is_positive() || !step_.is_positive())
    throw std::invalid_argument("OrderBook for market \"" + spec.symbol + "\": tick_size (" + tick_.str() +
                                ") and step_size (" + step_.str() + ") must be positive");
  bids_.reserve(reserve_levels_per_side);
  asks_.reserve(reserve_levels_per_side);
}

inline std::int64_t FlatOrderBook::price_to_ticks(Decimal price) const noexcept {
  return price.raw() / tick_.raw();
}

inline LevelError FlatOrderBook::to_units(Decimal price, Decimal quantity, std::int64_t& ticks,
                                          std::int64_t& lots) const noexcept {
  if (!price.is_positive()) return LevelError::kBadPrice;
  if (!div_exact(price.raw(), tick_.raw(), tick_pow10_, ticks)) return LevelError::kOffTick;
  if (quantity.is_negative()) return LevelError::kBadQuantity;
  if (!div_exact(quantity.raw(), step_.raw(), step_pow10_, lots)) return LevelError::kOffStep;
  return LevelError::kOk;
}

inline LevelError FlatOrderBook::apply_level(Side side, Decimal price, Decimal quantity) noexcept {
  std::int64_t ticks = 0;
  std::int64_t lots = 0;
  LevelError e = to_units(price, quantity, ticks, lots);
  if (e != LevelError::kOk) {
    ++rejected_levels_;
    return e;
  }
  return apply_level_ticks(side, ticks, lots);
}

inline LevelError FlatOrderBook::apply_level_ticks(Side side, std::int64_t price_ticks,
                                                   std::int64_t qty_lots) noexcept {
  if (price_ticks <= 0) {
    ++rejected_levels_;
    return LevelError::kBadPrice;
  }
  if (qty_lots < 0) {
    ++rejected_levels_;
    return LevelError::kBadQuantity;
  }
  if (side == Side::kBid) {
    set_level<true>(bids_, price_ticks, qty_lots);
  } else {
    set_level<false>(asks_, price_ticks, qty_lots);
  }
  return LevelError::kOk;
}

inline void FlatOrderBook::stamp(TimestampUs engine_us, TimestampUs received_us) noexcept {
  last_engine_us_ = engine_us;
  last_update_us_ = received_us != 0 ? received_us : engine_us;
}

inline ApplyResult FlatOrderBook::apply(const DepthDelta& delta, TimestampUs received_us) noexcept {
  ApplyResult r;
  // Same checks and counts as apply_level() per level, with the level write inlined per side.
  auto side = [&]<bool kBid>(const std::vector<LevelUpdate>& levels, std::vector<PriceLevel>& v) {
    for (const LevelUpdate& l : levels) {
      std::int64_t ticks = 0;
      std::int64_t lots = 0;
      const LevelError e = to_units(l.price, l.quantity, ticks, lots);
      if (e != LevelError::kOk) {
        ++rejected_levels_;
        note_error(r, e);
        continue;
      }
      set_level<kBid>(v, ticks, lots);  // ticks > 0 (positive price, exact), lots >= 0: kOk
      ++r.applied;
    }
  };
  side.template operator()<true>(delta.bids, bids_);
  side.template operator()<false>(delta.asks, asks_);
  last_update_id_ = delta.last_update_id;
  stamp(delta.engine_time_us, received_us);
  return r;
}

inline ApplyResult FlatOrderBook::load_snapshot(const DepthSnapshot& snapshot, TimestampUs received_us) noexcept {
  ApplyResult r;
  bids_.clear();
  asks_.clear();
  auto load = [&](const std::vector<LevelUpdate>& in, std::vector<PriceLevel>& out, Side side) {
    for (const LevelUpdate& l : in) {
      std::int64_t ticks = 0;
      std::int64_t lots = 0;
      LevelError e = to_units(l.price, l.quantity, ticks, lots);
      note_error(r, e);
      if (e != LevelError::kOk) {
        ++rejected_levels_;
        continue;
      }
      if (lots != 0) out.push_back(PriceLevel{ticks, lots});
    }
    std::uint32_t dups = sort_side(out, sign_of(side));
    for (std::uint32_t k = 0; k < dups; ++k) {
      // The duplicate was counted as applied above; move it to rejected.
      --r.applied;
      note_error(r, LevelError::kDuplicate);
      ++rejected_levels_;
    }
  };
  load(snapshot.bids, bids_, Side::kBid);
  load(snapshot.asks, asks_, Side::kAsk);
  last_update_id_ = snapshot.last_update_id;
  stamp(snapshot.timestamp_us, received_us);
  valid_since_us_ = last_update_us_;
  valid_ = true;
  return r;
}

inline void FlatOrderBook::clear() noexcept {
  bids_.clear();
  asks_.clear();
  valid_ = false;
}

inline BookLevel FlatOrderBook::level(Side side, std::size_t i) const noexcept {
  const std::vector<PriceLevel>& v = side == Side::kBid ? bids_ : asks_;
  if (i >= v.size()) return BookLevel{};
  const PriceLevel& l = v[v.size() - 1 - i];
  return BookLevel{ticks_to_price(l.price_ticks), lots_to_quantity(l.qty_lots), false};
}

inline const PriceLevel* FlatOrderBook::top(Side side) const noexcept {
  const std::vector<PriceLevel>& v = side == Side::kBid ? bids_ : asks_;
  return v.empty() ? nullptr : &v.back();
}

inline Decimal FlatOrderBook::mid() const noexcept {
  if (bids_.empty() || asks_.empty()) return Decimal::zero();
  i128 sum = static_cast<i128>(bids_.back().price_ticks + asks_.back().price_ticks) * tick_.raw();
  return Decimal::from_raw(static_cast<std::int64_t>(sum / 2));
}

inline std::int64_t FlatOrderBook::spread_ticks() const noexcept {
  if (bids_.empty() || asks_.empty()) return 0;
  return asks_.back().price_ticks - bids_.back().price_ticks;
}

inline Decimal FlatOrderBook::spread() const noexcept {
  return ticks_to_price(spread_ticks());
}

inline double FlatOrderBook::spread_bps() const noexcept {
  if (bids_.empty() || asks_.empty()) return 0.0;
  const double b = static_cast<double>(bids_.back().price_ticks);
  const double a = static_cast<double>(asks_.back().price_ticks);
  return (a - b) / ((a + b) / 2.0) * 1e4;
}

inline bool FlatOrderBook::crossed() const noexcept {
  return !bids_.empty() && !asks_.empty() && bids_.back().price_ticks >= asks_.back().price_ticks;
}

inline Decimal FlatOrderBook::quantity_within_bps(Side side, Decimal bps) const noexcept {
  const std::vector<PriceLevel>& v = side == Side::kBid ? bids_ : asks_;
  if (v.empty() || bps.is_negative()) return Decimal::zero();
  // threshold = best * (1 -/+ bps/1e4), in ticks; 1e4 bps at 1e-9 scale = 1e13 raw.
  constexpr i128 kDen = static_cast<i128>(10'000) * Decimal::kOne;
  const i128 best = v.back().price_ticks;
  std::int64_t lots = 0;
  if (side == Side::kBid) {
    // Inclusive lower bound, rounded up onto the grid (inward).
    const i128 threshold = div_dir(best * (kDen - bps.raw()), kDen, /*up=*/true);
    for (std::size_t i = v.size(); i > 0 && v[i - 1].price_ticks >= threshold; --i) lots += v[i - 1].qty_lots;
  } else {
    const i128 threshold = div_dir(best * (kDen + bps.raw()), kDen, /*up=*/false);
    for (std::size_t i = v.size(); i > 0 && v[i - 1].price_ticks <= threshold; --i) lots += v[i - 1].qty_lots;
  }
  return lots_to_quantity(lots);
}

inline BookFill FlatOrderBook::walk_impl(Side taker_side, std::int64_t want_lots,
                                         std::int64_t limit_ticks) const noexcept {
  const bool buy = taker_side == Side::kBid;
  const std::vector<PriceLevel>& v = buy ? asks_ : bids_;
  BookFill f;
  i128 sum_tl = 0;  // sum of price_ticks * lots
  std::int64_t filled = 0;
  std::int64_t first_ticks = 0;
  std::int64_t last_ticks = 0;
  for (std::size_t i = v.size(); i > 0 && filled < want_lots; --i) {
    const PriceLevel& l = v[i - 1];
    if (buy ? l.price_ticks > limit_ticks : l.price_ticks < limit_ticks) break;
    const std::int64_t take = std::min(l.qty_lots, want_lots - filled);
    sum_tl += static_cast<i128>(l.price_ticks) * take;
    filled += take;
    if (f.levels == 0) first_ticks = l.price_ticks;
    last_ticks = l.price_ticks;
    ++f.levels;
  }
  f.complete = filled == want_lots;
  if (filled == 0) return f;
  f.quantity = lots_to_quantity(filled);
  f.best_price = ticks_to_price(first_ticks);
  f.worst_price = ticks_to_price(last_ticks);
  // notional = sum_tl * tick * step (raw: / 1e9); vwap = sum_tl * tick / lots. Adverse = up for a buyer.
  f.notional = Decimal::from_raw(
      static_cast<std::int64_t>(div_dir(sum_tl * tick_.raw() * step_.raw(), static_cast<i128>(Decimal::kOne), buy)));
  f.vwap = Decimal::from_raw(static_cast<std::int64_t>(div_dir(sum_tl * tick_.raw(), filled, buy)));
  return f;
}

inline BookFill FlatOrderBook::walk(Side taker_side, Decimal quantity) const noexcept {
  if (quantity.is_negative()) return BookFill{};
  const std::int64_t lots = quantity.to_units(step_, Rounding::kDown);
  return walk_impl(taker_side, lots, taker_side == Side::kBid ? kNoBuyLimit : kNoSellLimit);
}

inline BookFill FlatOrderBook::walk(Side taker_side, Decimal quantity, Decimal limit_price) const noexcept {
  if (quantity.is_negative()) return BookFill{};
  const std::int64_t lots = quantity.to_units(step_, Rounding::kDown);
  // A buyer pays at most the limit (round down onto the grid), a seller receives at least it (round up).
  const bool buy = taker_side == Side::kBid;
  const std::int64_t limit_ticks = limit_price.to_units(tick_, buy ? Rounding::kDown : Rounding::kUp);
  return walk_impl(taker_side, lots, limit_ticks);
}

inline BookFill FlatOrderBook::walk_notional(Side taker_side, Decimal quote_amount) const noexcept {
  BookFill f;
  if (quote_amount.is_negative()) return f;
  const bool buy = taker_side == Side::kBid;
  const std::vector<PriceLevel>& v = buy ? asks_ : bids_;
  // Exact comparison in units of 1e-18 quote: cost of one lot at t ticks = t * tick_raw * step_raw.
  const i128 unit = static_cast<i128>(tick_.raw()) * step_.raw();
  i128 budget = static_cast<i128>(quote_amount.raw()) * Decimal::kOne;
  i128 sum_tl = 0;
  std::int64_t filled = 0;
  std::int64_t first_ticks = 0;
  std::int64_t last_ticks = 0;
  bool budget_bound = false;
  for (std::size_t i = v.size(); i > 0; --i) {
    const PriceLevel& l = v[i - 1];
    const i128 per_lot = unit * l.price_ticks;
    const i128 level_cost = per_lot * l.qty_lots;
    // Whole level affordable: no 128-bit division (slow) except on the last, partial level.
    const std::int64_t take = level_cost <= budget ? l.qty_lots : static_cast<std::int64_t>(budget / per_lot);
    if (take > 0) {
      sum_tl += static_cast<i128>(l.price_ticks) * take;
      filled += take;
      budget -= per_lot * take;
      if (f.levels == 0) first_ticks = l.price_ticks;
      last_ticks = l.price_ticks;
      ++f.levels;
    }
    if (take < l.qty_lots) {
      budget_bound = true;  // less than one more lot fits at this price
      break;
    }
  }
  // The book ran out: still complete if the budget is exactly spent.
  f.complete = budget_bound || budget == 0;
  if (filled == 0) return f;
  f.quantity = lots_to_quantity(filled);
  f.best_price = ticks_to_price(first_ticks);
  f.worst_price = ticks_to_price(last_ticks);
  f.notional = Decimal::from_raw(
      static_cast<std::int64_t>(div_dir(sum_tl * tick_.raw() * step_.raw(), static_cast<i128>(Decimal::kOne), buy)));
  f.vwap = Decimal::from_raw(static_cast<std::int64_t>(div_dir(sum_tl * tick_.raw(), filled, buy)));
  return f;
}

}  // namespace bparb::reference
