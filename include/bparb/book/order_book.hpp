#pragma once
// One market's L2 order book (Backpack `depth.<symbol>` + REST /depth snapshots).
//
// Why this layout (CppTrader / ITCH books): near the touch, levels are a flat sorted array of integer
// {price_ticks, qty_lots} per side, with the BEST level at the BACK: almost every update hits the top
// few levels, so finding, inserting or erasing there moves only a handful of elements, and best
// bid/ask is just back(). That array is a WINDOW of the best levels (docs/order_book.md): levels deeper
// than the window are parked in pages of a few dozen levels each, so an insert or erase thousands of
// levels deep (Binance diffs do ~25 of those a frame) moves at most one page instead of every level up
// to the touch. The window spills its worst levels into the pages when it grows past its bound and
// refills from them when it drains. Every query answers for the whole book; walks run through the
// window and continue into the pages. Capacity is reserved up front, so once warm an update allocates
// nothing. Prices and quantities are integers in units of the market's tick and step; Decimal is only
// the interface. Nothing here reads a clock or throws on the hot path.
//
// The book itself does not check update-id sequencing; DepthSync (depth_sync.hpp) does, and marks
// the book valid/invalid. Consumers must check valid() before trusting any query.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"

namespace bparb {

// One resting level in integer units of the market (price in ticks, quantity in lots).
struct PriceLevel {
  std::int64_t price_ticks = 0;
  std::int64_t qty_lots = 0;
  friend bool operator==(const PriceLevel&, const PriceLevel&) = default;
};

// A level as Decimal for callers that do not want to deal in ticks/lots. `empty` is true when the
// requested level does not exist (side empty / index past the last level); price and quantity are
// then zero.
struct BookLevel {
  Decimal price;
  Decimal quantity;
  bool empty = true;
};

// Why a price/quantity from the feed was refused. Each is a data error: the level is skipped and
// counted, never rounded into the book.
enum class LevelError : std::uint8_t {
  kOk = 0,
  kBadPrice,     // price <= 0
  kOffTick,      // price not a multiple of tick_size
  kBadQuantity,  // quantity < 0
  kOffStep,      // quantity not a multiple of step_size
  kDuplicate,    // the same price twice in one snapshot side (one entry kept, each extra one counted)
};
const char* to_string(LevelError e) noexcept;

// Outcome of applying a delta or loading a snapshot.
struct ApplyResult {
  std::uint32_t applied = 0;   // levels accepted (inserted, replaced, deleted, or delete of a missing level)
  std::uint32_t rejected = 0;  // levels skipped as data errors
  LevelError first_error = LevelError::kOk;
  bool ok() const noexcept { return rejected == 0; }
};

// Result of walking the book as a taker. All money in Decimal, never doubles.
struct BookFill {
  Decimal quantity;         // base quantity filled (a whole number of lots)
  Decimal notional;         // quote amount: sum(price * qty) over touched levels (exact when tick*step fits 1e-9,
                            // otherwise rounded adversely for the taker: up for buys, down for sells)
  Decimal vwap;             // notional / quantity, rounded ADVERSELY for the taker (up for buys, down for sells);
                            // zero when nothing filled
  Decimal best_price;       // first level touched (zero when nothing filled)
  Decimal worst_price;      // last level touched (zero when nothing filled)
  std::int32_t levels = 0;  // number of levels touched (the last one possibly partially)
  bool complete = false;    // true if the whole request could be filled from the book (within any price limit)
};

// A level's price and quantity in the market's ticks and lots, with the checks the book makes of every level
// (positive price on the tick grid, non-negative quantity on the step grid). Whatever follows a book level by
// level (the backtest venue's mirror) converts with the same object, so both accept exactly the same levels.
// When tick/step raw is 10^k (every real market) the division is by a constant the compiler turns into a
// multiply: two 64-bit divisions per level would dominate a depth frame.
// Inline: it runs for every level of every depth frame, in the book and again in the venue's mirror.
class LevelUnits {
 public:
  LevelUnits(Decimal tick_size, Decimal step_size) noexcept;
  LevelError convert(Decimal price, Decimal quantity, std::int64_t& ticks, std::int64_t& lots) const noexcept {
    if (!price.is_positive()) return LevelError::kBadPrice;
    if (!div_exact(price.raw(), tick_raw_, tick_pow10_, ticks)) return LevelError::kOffTick;
    if (quantity.is_negative()) return LevelError::kBadQuantity;
    if (!div_exact(quantity.raw(), step_raw_, step_pow10_, lots)) return LevelError::kOffStep;
    return LevelError::kOk;
  }

 private:
  template <std::int64_t kDivisor>
  static bool div_exact_by(std::int64_t raw, std::int64_t& q) noexcept {
    q = raw / kDivisor;
    return raw % kDivisor == 0;
  }
  // q = raw / divisor; true if exact. `k` (divisor == 10^k, or -1) picks a constant divisor.
  static bool div_exact(std::int64_t raw, std::int64_t divisor, int k, std::int64_t& q) noexcept {
    switch (k) {
      case 0:
        q = raw;
        return true;
      case 1:
        return div_exact_by<10>(raw, q);
      case 2:
        return div_exact_by<100>(raw, q);
      case 3:
        return div_exact_by<1'000>(raw, q);
      case 4:
        return div_exact_by<10'000>(raw, q);
      case 5:
        return div_exact_by<100'000>(raw, q);
      case 6:
        return div_exact_by<1'000'000>(raw, q);
      case 7:
        return div_exact_by<10'000'000>(raw, q);
      case 8:
        return div_exact_by<100'000'000>(raw, q);
      case 9:
        return div_exact_by<1'000'000'000>(raw, q);
      case 10:
        return div_exact_by<10'000'000'000>(raw, q);
      case 11:
        return div_exact_by<100'000'000'000>(raw, q);
      case 12:
        return div_exact_by<1'000'000'000'000>(raw, q);
      default:
        q = raw / divisor;
        return raw % divisor == 0;
    }
  }

  std::int64_t tick_raw_ = 1;
  std::int64_t step_raw_ = 1;
  std::int8_t tick_pow10_ = -1;  // k when tick raw == 10^k, else -1
  std::int8_t step_pow10_ = -1;
};

namespace book_detail {

// A run of consecutive deep levels in book order (worst first, like the window).
inline constexpr std::size_t kPageLevels = 64;
struct LevelPage {
  std::uint32_t n = 0;
  std::array<PriceLevel, kPageLevels> lv{};
};

// One side: the window of best levels plus the deep levels in pages. Every window level is better
// than every deep level; while any deep level exists the window holds at least kWindowMin levels.
struct Ladder {
  std::vector<PriceLevel> window;         // best at back
  std::vector<LevelPage> pool;            // page storage, addressed by index
  std::vector<std::uint32_t> free_pages;  // unused pool entries
  std::vector<std::uint32_t> pages;       // deep pages in book order; back() borders the window
  std::vector<std::int64_t> page_first;   // parallel to `pages`: the price of each page's first level, so that
                                          // finding a deep level's page searches one flat array
  std::size_t deep_levels = 0;            // levels in `pages`
  mutable std::vector<PriceLevel> flat;   // the whole side for levels() once the book is deeper than the window
  mutable bool flat_current = false;      // `flat` matches the side (cleared by every mutation)
};

}  // namespace book_detail

class OrderBook {
 public:
  using Fill = BookFill;
  static constexpr std::size_t kDefaultReserveLevels = 2048;  // per side; Backpack snapshots are <= 1000
  // near_levels() holds at least min(level_count(side), kNearLevels) levels.
  static constexpr std::size_t kNearLevels = 16;

  // Copies tick_size/step_size (no reference to `spec` is kept). Start-up only: throws
  // std::invalid_argument naming the market if tick or step is not positive.
  explicit OrderBook(const MarketSpec& spec, std::size_t reserve_levels_per_side = kDefaultReserveLevels);

  // --- Mutation --------------------------------------------------------------------------------
  // Apply one depth delta (absolute quantities, zero deletes). Levels that are off tick/step or
  // negative are skipped and counted (see rejected_levels()). Records delta.last_update_id and the
  // timestamps: last_update_us() becomes `received_us` if non-zero, else delta.engine_time_us.
  // Does NOT check sequencing and does not change valid().
  ApplyResult apply(const DepthDelta& delta, TimestampUs received_us = 0) noexcept;
  // The prices (ticks) of the levels of `side` the last apply() accepted, in the delta's order, repeats
  // included: what it changed, already converted, for whatever follows the book level by level (the backtest
  // venue's mirror) so that a level is not converted twice. Only apply() sets it (reserved like the levels: no
  // allocation unless a delta is wider than the reserve).
  std::span<const std::int64_t> applied_ticks(Side side) const noexcept {
    return std::span<const std::int64_t>(side == Side::kBid ? applied_bids_ : applied_asks_);
  }
  // Set one level to an absolute quantity (zero deletes; deleting a missing level is a no-op).
  LevelError apply_level(Side side, Decimal price, Decimal quantity) noexcept;
  // Same in integer units (simulator, benchmarks). price_ticks must be > 0, qty_lots >= 0.
  LevelError apply_level_ticks(Side side, std::int64_t price_ticks, std::int64_t qty_lots) noexcept;
  // Replace the whole book with a REST snapshot. Input order does not matter (Backpack sends both
  // sides ascending, best bid last; we sort defensively). Zero quantities are skipped silently,
  // bad levels are skipped and counted. Sets last_update_id() and marks the book valid.
  ApplyResult load_snapshot(const DepthSnapshot& snapshot, TimestampUs received_us = 0) noexcept;
  // Empty both sides and mark invalid (keeps capacity).
  void clear() noexcept;
  // Set by DepthSync: false until synced and after a sequence gap. Becoming valid records
  // valid_since_us() = last_update_us().
  void set_valid(bool v) noexcept {
    if (v && !valid_) valid_since_us_ = last_update_us_;
    valid_ = v;
  }

  // --- State -------------------------------------------------------------------------------------
  bool valid() const noexcept { return valid_; }
  std::int64_t last_update_id() const noexcept { return last_update_id_; }
  // Local receive time of the last change if the caller gave one, otherwise the exchange engine time.
  TimestampUs last_update_us() const noexcept { return last_update_us_; }
  TimestampUs last_engine_time_us() const noexcept { return last_engine_us_; }
  // clock.now_us() - last_update_us(). Meaningful against the clock that stamped received_us.
  DurationUs age_us(const Clock& clock) const noexcept { return clock.now_us() - last_update_us_; }
  // When the book last became valid (snapshot load / DepthSync sync), same time base as last_update_us():
  // lets a strategy distrust a freshly resynced book. 0 if never valid.
  TimestampUs valid_since_us() const noexcept { return valid_since_us_; }
  std::uint64_t rejected_levels() const noexcept { return rejected_levels_; }  // lifetime count of data errors

  Decimal tick_size() const noexcept { return tick_; }
  Decimal step_size() const noexcept { return step_; }
  std::int64_t price_to_ticks(Decimal price) const noexcept;  // truncating; for aligned prices only
  Decimal ticks_to_price(std::int64_t ticks) const noexcept { return Decimal::from_units(ticks, tick_); }
  Decimal lots_to_quantity(std::int64_t lots) const noexcept { return Decimal::from_units(lots, step_); }

  // --- Queries (O(1) unless stated) -------------------------------------------------------------
  BookLevel best_bid() const noexcept { return level(Side::kBid, 0); }
  BookLevel best_ask() const noexcept { return level(Side::kAsk, 0); }
  // i = 0 is the best level of that side.
  // O(pages) when i is past the window (deeper than near_levels()).
  BookLevel level(Side side, std::size_t i) const noexcept;
  std::size_t level_count(Side side) const noexcept {
    const book_detail::Ladder& l = ladder(side);
    return l.window.size() + l.deep_levels;
  }
  bool empty(Side side) const noexcept { return level_count(side) == 0; }
  // All levels of the side, best at the BACK (bids ascending by price, asks descending). Invalidated by
  // mutation. Free while the side fits in the window; otherwise the first call after a change copies
  // the whole side into a per-side buffer (O(levels), and an allocation if the side is deeper than the
  // reserve), so it is for whole-book consumers (resync compares, tests), not per-update paths: those
  // use near_levels(), lots_at() and the walks. Not safe to call concurrently on the same book.
  std::span<const PriceLevel> levels(Side side) const noexcept;
  // The best levels, best at the BACK: at least min(level_count(side), kNearLevels) of them, all of
  // them when the side fits in the window. O(1), no copy.
  std::span<const PriceLevel> near_levels(Side side) const noexcept {
    return std::span<const PriceLevel>(ladder(side).window);
  }
  // Quantity resting at exactly `price_ticks` on `side`, in lots (0 if no level there). O(log levels).
  std::int64_t lots_at(Side side, std::int64_t price_ticks) const noexcept;
  // Best level in ticks/lots; nullptr if the side is empty.
  const PriceLevel* top(Side side) const noexcept;

  // (best_bid + best_ask) / 2: exact when tick_size is a multiple of 2e-9 (every real tick), otherwise
  // truncated at 1e-9. Zero if either side is empty.
  Decimal mid() const noexcept;
  // best_ask - best_bid (may be <= 0 if crossed). Zero if either side is empty.
  Decimal spread() const noexcept;
  std::int64_t spread_ticks() const noexcept;  // 0 if either side is empty
  double spread_bps() const noexcept;          // spread / mid * 1e4, for signals/logging only; 0 if a side is empty
  bool crossed() const noexcept;               // best_bid >= best_ask (both sides present): corrupt data

  // Total quantity resting on `side` at prices within `bps` basis points of THAT side's best price
  // (bids: price >= best * (1 - bps/1e4); asks: price <= best * (1 + bps/1e4); boundary inclusive,
  // threshold rounded inward onto the tick grid). O(levels inside). Zero if the side is empty.
  Decimal quantity_within_bps(Side side, Decimal bps) const noexcept;

  // Walk the opposite side as a taker: taker_side kBid buys from the asks, kAsk sells into the bids.
  // `quantity` is converted to whole lots rounding DOWN (a fill cannot be a fraction of a step).
  // A zero request (or one below a single step) returns an empty, complete fill; a negative one an
  // empty, incomplete fill.
  // O(levels touched).
  BookFill walk(Side taker_side, Decimal quantity) const noexcept;
  // Same, but never touches a level worse than `limit_price` (IOC limit order). `complete` is false if
  // the limit stopped it.
  BookFill walk(Side taker_side, Decimal quantity, Decimal limit_price) const noexcept;
  // How much base a quote budget buys (kBid) or how much base must be sold to raise it (kAsk): the
  // largest whole-lot quantity whose notional does not exceed `quote_amount`. `complete` is true when
  // the budget (not the book) was the limit, i.e. less than one more lot at the next price fits.
  BookFill walk_notional(Side taker_side, Decimal quote_amount) const noexcept;

 private:
  const book_detail::Ladder& ladder(Side s) const noexcept { return s == Side::kBid ? bids_ : asks_; }
  BookFill walk_impl(Side taker_side, std::int64_t want_lots, std::int64_t limit_ticks) const noexcept;
  void stamp(TimestampUs engine_us, TimestampUs received_us) noexcept;

  Decimal tick_;
  Decimal step_;
  LevelUnits units_;
  book_detail::Ladder bids_;                // ascending price: best (highest) at back
  book_detail::Ladder asks_;                // descending price: best (lowest) at back
  std::vector<std::int64_t> applied_bids_;  // applied_ticks()
  std::vector<std::int64_t> applied_asks_;
  std::int64_t last_update_id_ = 0;
  TimestampUs last_update_us_ = 0;
  TimestampUs last_engine_us_ = 0;
  TimestampUs valid_since_us_ = 0;
  std::uint64_t rejected_levels_ = 0;
  bool valid_ = false;
};

}  // namespace bparb
