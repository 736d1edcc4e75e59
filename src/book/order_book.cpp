#include "bparb/book/order_book.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace bparb {
namespace {

__extension__ using i128 = __int128;

constexpr std::int64_t kNoBuyLimit = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kNoSellLimit = 0;  // every resting bid is > 0 ticks
// Levels inspected linearly from the top before falling back to binary search: updates cluster at
// the best few levels, where a short backwards scan beats a binary search's unpredictable branches.
constexpr std::size_t kLinearScan = 8;
// Window bounds (docs/order_book.md): the window spills down to kWindowKeep levels when it grows past
// kWindowMax and refills up to kWindowKeep when it drains below kWindowMin.
constexpr std::size_t kWindowMin = OrderBook::kNearLevels;
constexpr std::size_t kWindowKeep = 64;
constexpr std::size_t kWindowMax = 128;

using book_detail::kPageLevels;
using book_detail::Ladder;
using book_detail::LevelPage;

constexpr std::size_t kNoPageHint = std::numeric_limits<std::size_t>::max();  // set_deep(): no previous deep level

constexpr std::int64_t pow10(int k) noexcept {
  std::int64_t v = 1;
  while (k-- > 0) v *= 10;
  return v;
}

std::int8_t pow10_exponent(std::int64_t raw) noexcept {
  for (int k = 0; k <= 18; ++k)
    if (raw == pow10(k)) return static_cast<std::int8_t>(k);
  return -1;
}

// n / d rounded toward +inf (up = true) or -inf, for d > 0.
i128 div_dir(i128 n, i128 d, bool up) noexcept {
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
std::size_t find_pos(const std::vector<PriceLevel>& v, std::int64_t ticks) noexcept {
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

// Insertion point of `ticks` in one page (n >= 1): branchless binary search.
template <bool kBid>
std::size_t page_pos(const LevelPage& p, std::int64_t ticks) noexcept {
  const PriceLevel* const data = p.lv.data();
  const PriceLevel* base = data;
  std::size_t n = p.n;
  while (n > 1) {
    const std::size_t half = n / 2;
    base = before<kBid>(base[half].price_ticks, ticks) ? base + half : base;
    n -= half;
  }
  return static_cast<std::size_t>(base - data) + (before<kBid>(base->price_ticks, ticks) ? 1 : 0);
}

// page_of() within l.page_first[lo, lo + n), which holds the answer: branchless.
template <bool kBid>
std::size_t page_in(const Ladder& l, std::int64_t ticks, std::size_t lo, std::size_t n) noexcept {
  const std::int64_t* const data = l.page_first.data();
  const std::int64_t* base = data + lo;
  while (n > 1) {
    const std::size_t half = n / 2;
    base = before<kBid>(ticks, base[half]) ? base : base + half;
    n -= half;
  }
  return static_cast<std::size_t>(base - data);
}

// Index in l.pages of the page that holds `ticks` or where it belongs: the last page whose first level
// does not sort after it (page 0 if `ticks` sorts before every deep level). l.pages is not empty.
template <bool kBid>
std::size_t page_of(const Ladder& l, std::int64_t ticks) noexcept {
  return page_in<kBid>(l, ticks, 0, l.page_first.size());
}

// The same page, searched outward from page `hint` (doubling steps, then a binary search over the last step):
// a depth frame lists each side's levels in price order, so a frame's next deep level is usually in the page
// of the one before or a few pages on. Any hint gives the right page; a far one costs about two searches.
template <bool kBid>
std::size_t page_near(const Ladder& l, std::int64_t ticks, std::size_t hint) noexcept {
  const std::vector<std::int64_t>& first = l.page_first;
  const std::size_t n = first.size();
  if (hint >= n) return page_of<kBid>(l, ticks);
  std::size_t step = 1;
  if (!before<kBid>(ticks, first[hint])) {  // at or after page `hint`
    std::size_t lo = hint;
    while (lo + step < n && !before<kBid>(ticks, first[lo + step])) {
      lo += step;
      step *= 2;
    }
    return page_in<kBid>(l, ticks, lo, std::min(step, n - lo));
  }
  std::size_t hi = hint;  // first[hi] sorts after `ticks`: the page is below hi (or page 0)
  while (hi >= step && before<kBid>(ticks, first[hi - step])) {
    hi -= step;
    step *= 2;
  }
  if (hi == 0) return 0;
  const std::size_t lo = hi >= step ? hi - step : 0;
  return page_in<kBid>(l, ticks, lo, hi - lo);
}

// A free page (grows the pool only when the book is deeper than the reserve; amortized).
std::uint32_t take_page(Ladder& l) noexcept {
  if (!l.free_pages.empty()) {
    const std::uint32_t id = l.free_pages.back();
    l.free_pages.pop_back();
    l.pool[id].n = 0;
    return id;
  }
  l.pool.emplace_back();
  return static_cast<std::uint32_t>(l.pool.size() - 1);
}

// Remove the page at index `pi` of l.pages (it is empty or has been merged away).
void drop_page(Ladder& l, std::size_t pi) noexcept {
  l.free_pages.push_back(l.pages[pi]);
  l.pages.erase(l.pages.begin() + static_cast<std::ptrdiff_t>(pi));
  l.page_first.erase(l.page_first.begin() + static_cast<std::ptrdiff_t>(pi));
}

// Append a level that is better than every deep level at the deep tier's best end.
void push_deep_best(Ladder& l, const PriceLevel& lv) noexcept {
  if (l.pages.empty() || l.pool[l.pages.back()].n == kPageLevels) {
    const std::uint32_t id = take_page(l);
    l.pages.push_back(id);
    l.page_first.push_back(lv.price_ticks);
  }
  LevelPage& p = l.pool[l.pages.back()];
  p.lv[p.n++] = lv;
  ++l.deep_levels;
}

// A page that fell below a quarter full is merged into a neighbour when both fit in three quarters of a
// page, so that deletes do not leave the pool fragmented into nearly empty pages.
void merge_sparse(Ladder& l, std::size_t pi) noexcept {
  constexpr std::size_t kSparse = kPageLevels / 4;
  constexpr std::size_t kMerged = kPageLevels * 3 / 4;
  if (l.pool[l.pages[pi]].n >= kSparse) return;
  if (pi + 1 < l.pages.size()) {
    LevelPage& p = l.pool[l.pages[pi]];
    const LevelPage& q = l.pool[l.pages[pi + 1]];
    if (p.n + q.n <= kMerged) {
      std::copy(q.lv.begin(), q.lv.begin() + q.n, p.lv.begin() + p.n);
      p.n += q.n;
      drop_page(l, pi + 1);
      return;
    }
  }
  if (pi > 0) {
    LevelPage& p = l.pool[l.pages[pi - 1]];
    const LevelPage& q = l.pool[l.pages[pi]];
    if (p.n + q.n <= kMerged) {
      std::copy(q.lv.begin(), q.lv.begin() + q.n, p.lv.begin() + p.n);
      p.n += q.n;
      drop_page(l, pi);
    }
  }
}

// Delete the level at `pos` of page `pi`.
[[gnu::noinline]] void erase_deep(Ladder& l, std::size_t pi, std::size_t pos) noexcept {
  LevelPage* p = &l.pool[l.pages[pi]];
  std::copy(p->lv.begin() + static_cast<std::ptrdiff_t>(pos + 1), p->lv.begin() + p->n,
            p->lv.begin() + static_cast<std::ptrdiff_t>(pos));
  --p->n;
  --l.deep_levels;
  if (p->n == 0) {
    drop_page(l, pi);
  } else {
    l.page_first[pi] = p->lv[0].price_ticks;
    merge_sparse(l, pi);
  }
}

// Insert a level at `pos` of page `pi` (its insertion point there).
[[gnu::noinline]] void insert_deep(Ladder& l, std::size_t pi, std::size_t pos, std::int64_t price_ticks,
                                   std::int64_t qty_lots) noexcept {
  LevelPage* p = &l.pool[l.pages[pi]];
  if (p->n == kPageLevels) {  // split: the upper half moves to a new page right after this one
    constexpr std::size_t kHalf = kPageLevels / 2;
    const std::uint32_t id = take_page(l);
    p = &l.pool[l.pages[pi]];  // take_page may have moved the pool
    LevelPage& q = l.pool[id];
    std::copy(p->lv.begin() + kHalf, p->lv.end(), q.lv.begin());
    q.n = kPageLevels - kHalf;
    p->n = kHalf;
    l.pages.insert(l.pages.begin() + static_cast<std::ptrdiff_t>(pi + 1), id);
    l.page_first.insert(l.page_first.begin() + static_cast<std::ptrdiff_t>(pi + 1), q.lv[0].price_ticks);
    if (pos > kHalf) {  // never at the new page's front: that level stays last in this one
      p = &q;
      pos -= kHalf;
    }
  }
  std::copy_backward(p->lv.begin() + static_cast<std::ptrdiff_t>(pos), p->lv.begin() + p->n, p->lv.begin() + p->n + 1);
  p->lv[pos] = PriceLevel{price_ticks, qty_lots};
  ++p->n;
  ++l.deep_levels;
  if (pos == 0) l.page_first[pi] = price_ticks;  // only page 0 takes a level before its first
}

// Set a deep level (one that sorts before the window's worst level). `hint`: the page of the caller's previous
// deep level (anything past the last page when there is none); set to this level's page. Most deep levels of a
// depth frame only change a quantity: that is done in line, inserts and deletes are calls.
template <bool kBid>
inline void set_deep(Ladder& l, std::int64_t price_ticks, std::int64_t qty_lots, std::size_t& hint) noexcept {
  const std::size_t pi = page_near<kBid>(l, price_ticks, hint);
  hint = pi;
  LevelPage& p = l.pool[l.pages[pi]];
  const std::size_t pos = page_pos<kBid>(p, price_ticks);
  const bool found = pos < p.n && p.lv[pos].price_ticks == price_ticks;
  if (found && qty_lots != 0) {
    p.lv[pos].qty_lots = qty_lots;
  } else if (found) {
    erase_deep(l, pi, pos);
  } else if (qty_lots != 0) {
    insert_deep(l, pi, pos, price_ticks, qty_lots);
  }
}

// The window grew past kWindowMax: its worst levels move to the deep tier's best end, keeping kWindowKeep.
void spill(Ladder& l) noexcept {
  const std::size_t m = l.window.size() - kWindowKeep;
  for (std::size_t i = 0; i < m; ++i) push_deep_best(l, l.window[i]);
  l.window.erase(l.window.begin(), l.window.begin() + static_cast<std::ptrdiff_t>(m));
}

// The window drained below kWindowMin: move the best deep levels under it, up to kWindowKeep levels.
void refill(Ladder& l) noexcept {
  const std::size_t m = std::min(kWindowKeep - l.window.size(), l.deep_levels);
  l.window.insert(l.window.begin(), m, PriceLevel{});
  for (std::size_t i = m; i > 0; --i) {
    LevelPage& p = l.pool[l.pages.back()];
    l.window[i - 1] = p.lv[--p.n];
    if (p.n == 0) drop_page(l, l.pages.size() - 1);
  }
  l.deep_levels -= m;
}

// Set one level of a side to an absolute quantity (zero deletes); ticks > 0 and lots >= 0 already checked.
// Inlined into apply()'s loop: no call and no side dispatch per level. The caller clears l.flat_current
// (once per delta, not per level).
template <bool kBid>
[[gnu::always_inline]] inline void set_level(Ladder& l, std::int64_t price_ticks, std::int64_t qty_lots,
                                             std::size_t& hint) noexcept {
  std::vector<PriceLevel>& v = l.window;
  if (l.deep_levels != 0 && before<kBid>(price_ticks, v.front().price_ticks)) {
    set_deep<kBid>(l, price_ticks, qty_lots, hint);
    return;
  }
  const std::size_t pos = find_pos<kBid>(v, price_ticks);
  const bool found = pos < v.size() && v[pos].price_ticks == price_ticks;
  if (qty_lots == 0) {
    if (!found) return;
    v.erase(v.begin() + static_cast<std::ptrdiff_t>(pos));
    if (v.size() < kWindowMin && l.deep_levels != 0) refill(l);
  } else if (found) {
    v[pos].qty_lots = qty_lots;
  } else {
    v.insert(v.begin() + static_cast<std::ptrdiff_t>(pos), PriceLevel{price_ticks, qty_lots});
    if (v.size() > kWindowMax) spill(l);
  }
}

// Empty a side; its pages go back to the free list (capacity kept).
void clear_ladder(Ladder& l) noexcept {
  l.window.clear();
  for (std::uint32_t id : l.pages) l.free_pages.push_back(id);
  l.pages.clear();
  l.page_first.clear();
  l.deep_levels = 0;
  l.flat_current = false;
}

// Lay a side out from `sorted` (book order, best at back): the best kWindowKeep levels in the window, the
// rest in pages filled to kLoadFill so that the first inserts there do not split at once.
void load_ladder(Ladder& l, const std::vector<PriceLevel>& sorted) noexcept {
  constexpr std::size_t kLoadFill = kPageLevels * 3 / 4;
  clear_ladder(l);
  const std::size_t n = sorted.size();
  const std::size_t w = std::min(n, kWindowKeep);
  const std::size_t deep = n - w;
  for (std::size_t i = 0; i < deep; i += kLoadFill) {
    const std::uint32_t id = take_page(l);
    LevelPage& p = l.pool[id];
    const std::size_t k = std::min(kLoadFill, deep - i);
    std::copy(sorted.begin() + static_cast<std::ptrdiff_t>(i), sorted.begin() + static_cast<std::ptrdiff_t>(i + k),
              p.lv.begin());
    p.n = static_cast<std::uint32_t>(k);
    l.pages.push_back(id);
    l.page_first.push_back(p.lv[0].price_ticks);
  }
  l.deep_levels = deep;
  l.window.assign(sorted.begin() + static_cast<std::ptrdiff_t>(deep), sorted.end());
}

// Visit a side's levels best first; `f(level)` returns false to stop.
template <class F>
inline void for_each_best_first(const Ladder& l, F&& f) noexcept {
  for (std::size_t i = l.window.size(); i > 0; --i)
    if (!f(l.window[i - 1])) return;
  for (std::size_t k = l.pages.size(); k > 0; --k) {
    const LevelPage& p = l.pool[l.pages[k - 1]];
    for (std::size_t i = p.n; i > 0; --i)
      if (!f(p.lv[i - 1])) return;
  }
}

template <bool kBid>
std::int64_t lots_at_impl(const Ladder& l, std::int64_t ticks) noexcept {
  if (l.deep_levels != 0 && before<kBid>(ticks, l.window.front().price_ticks)) {
    const LevelPage& p = l.pool[l.pages[page_of<kBid>(l, ticks)]];
    const std::size_t pos = page_pos<kBid>(p, ticks);
    return pos < p.n && p.lv[pos].price_ticks == ticks ? p.lv[pos].qty_lots : 0;
  }
  const std::size_t pos = find_pos<kBid>(l.window, ticks);
  return pos < l.window.size() && l.window[pos].price_ticks == ticks ? l.window[pos].qty_lots : 0;
}

// Bring a snapshot side into book order (ascending key, best at back), dropping duplicate prices.
// Returns the number of duplicates removed. No allocation (in-place sort).
std::uint32_t sort_side(std::vector<PriceLevel>& v, std::int64_t sign) noexcept {
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

void note_error(ApplyResult& r, LevelError e) noexcept {
  if (e == LevelError::kOk) {
    ++r.applied;
  } else {
    if (r.rejected == 0) r.first_error = e;
    ++r.rejected;
  }
}

}  // namespace

LevelUnits::LevelUnits(Decimal tick_size, Decimal step_size) noexcept
    : tick_raw_(tick_size.raw()),
      step_raw_(step_size.raw()),
      tick_pow10_(pow10_exponent(tick_size.raw())),
      step_pow10_(pow10_exponent(step_size.raw())) {}

const char* to_string(LevelError e) noexcept {
  switch (e) {
    case LevelError::kOk:
      return "ok";
    case LevelError::kBadPrice:
      return "price not positive";
    case LevelError::kOffTick:
      return "price not on tick";
    case LevelError::kBadQuantity:
      return "quantity negative";
    case LevelError::kOffStep:
      return "quantity not on step";
    case LevelError::kDuplicate:
      return "duplicate price in snapshot";
  }
  return "?";
}

OrderBook::OrderBook(const MarketSpec& spec, std::size_t reserve_levels_per_side)
    : tick_(spec.tick_size), step_(spec.step_size), units_(spec.tick_size, spec.step_size) {
  if (!tick_.is_positive() || !step_.is_positive())
    throw std::invalid_argument("OrderBook for market \"" + spec.symbol + "\": tick_size (" + tick_.str() +
                                ") and step_size (" + step_.str() + ") must be positive");
  // Pages for the reserve at half fill (after splits), plus the window and the levels() buffer.
  const std::size_t pages = reserve_levels_per_side / (kPageLevels / 2) + 4;
  for (Ladder* l : {&bids_, &asks_}) {
    l->window.reserve(kWindowMax + 1);
    l->pool.reserve(pages);
    l->free_pages.reserve(pages);
    l->pages.reserve(pages);
    l->page_first.reserve(pages);
    l->flat.reserve(reserve_levels_per_side);
  }
  applied_bids_.reserve(reserve_levels_per_side);
  applied_asks_.reserve(reserve_levels_per_side);
}

std::int64_t OrderBook::price_to_ticks(Decimal price) const noexcept {
  return price.raw() / tick_.raw();
}

LevelError OrderBook::apply_level(Side side, Decimal price, Decimal quantity) noexcept {
  std::int64_t ticks = 0;
  std::int64_t lots = 0;
  LevelError e = units_.convert(price, quantity, ticks, lots);
  if (e != LevelError::kOk) {
    ++rejected_levels_;
    return e;
  }
  return apply_level_ticks(side, ticks, lots);
}

LevelError OrderBook::apply_level_ticks(Side side, std::int64_t price_ticks, std::int64_t qty_lots) noexcept {
  if (price_ticks <= 0) {
    ++rejected_levels_;
    return LevelError::kBadPrice;
  }
  if (qty_lots < 0) {
    ++rejected_levels_;
    return LevelError::kBadQuantity;
  }
  std::size_t no_hint = kNoPageHint;
  if (side == Side::kBid) {
    bids_.flat_current = false;
    set_level<true>(bids_, price_ticks, qty_lots, no_hint);
  } else {
    asks_.flat_current = false;
    set_level<false>(asks_, price_ticks, qty_lots, no_hint);
  }
  return LevelError::kOk;
}

void OrderBook::stamp(TimestampUs engine_us, TimestampUs received_us) noexcept {
  last_engine_us_ = engine_us;
  last_update_us_ = received_us != 0 ? received_us : engine_us;
}

ApplyResult OrderBook::apply(const DepthDelta& delta, TimestampUs received_us) noexcept {
  ApplyResult r;
  // Same checks and counts as apply_level() per level, with the level write inlined per side.
  auto side = [&]<bool kBid>(const std::vector<LevelUpdate>& levels, Ladder& v, std::vector<std::int64_t>& applied) {
    applied.clear();
    if (!levels.empty()) v.flat_current = false;
    std::size_t hint = kNoPageHint;  // the page of this side's previous deep level
    for (const LevelUpdate& l : levels) {
      std::int64_t ticks = 0;
      std::int64_t lots = 0;
      const LevelError e = units_.convert(l.price, l.quantity, ticks, lots);
      if (e != LevelError::kOk) {
        ++rejected_levels_;
        note_error(r, e);
        continue;
      }
      set_level<kBid>(v, ticks, lots, hint);  // ticks > 0 (positive price, exact), lots >= 0: kOk
      applied.push_back(ticks);
      ++r.applied;
    }
  };
  side.template operator()<true>(delta.bids, bids_, applied_bids_);
  side.template operator()<false>(delta.asks, asks_, applied_asks_);
  last_update_id_ = delta.last_update_id;
  stamp(delta.engine_time_us, received_us);
  return r;
}

ApplyResult OrderBook::load_snapshot(const DepthSnapshot& snapshot, TimestampUs received_us) noexcept {
  ApplyResult r;
  // Each side is sorted in its levels() buffer, then laid out as window + pages; the buffer then holds
  // exactly the side, so it stays current for levels().
  auto load = [&](const std::vector<LevelUpdate>& in, Ladder& lad, Side side) {
    std::vector<PriceLevel>& out = lad.flat;
    out.clear();
    for (const LevelUpdate& l : in) {
      std::int64_t ticks = 0;
      std::int64_t lots = 0;
      LevelError e = units_.convert(l.price, l.quantity, ticks, lots);
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
    load_ladder(lad, out);
    lad.flat_current = true;
  };
  load(snapshot.bids, bids_, Side::kBid);
  load(snapshot.asks, asks_, Side::kAsk);
  last_update_id_ = snapshot.last_update_id;
  stamp(snapshot.timestamp_us, received_us);
  valid_since_us_ = last_update_us_;
  valid_ = true;
  return r;
}

void OrderBook::clear() noexcept {
  clear_ladder(bids_);
  clear_ladder(asks_);
  valid_ = false;
}

BookLevel OrderBook::level(Side side, std::size_t i) const noexcept {
  const Ladder& l = ladder(side);
  const PriceLevel* found = nullptr;
  if (i < l.window.size()) {
    found = &l.window[l.window.size() - 1 - i];
  } else if (i < l.window.size() + l.deep_levels) {
    std::size_t j = i - l.window.size();  // index below the window, 0 = best deep level
    for (std::size_t k = l.pages.size(); k > 0; --k) {
      const LevelPage& p = l.pool[l.pages[k - 1]];
      if (j < p.n) {
        found = &p.lv[p.n - 1 - j];
        break;
      }
      j -= p.n;
    }
  }
  if (found == nullptr) return BookLevel{};
  return BookLevel{ticks_to_price(found->price_ticks), lots_to_quantity(found->qty_lots), false};
}

const PriceLevel* OrderBook::top(Side side) const noexcept {
  const std::vector<PriceLevel>& v = ladder(side).window;
  return v.empty() ? nullptr : &v.back();
}

std::span<const PriceLevel> OrderBook::levels(Side side) const noexcept {
  const Ladder& l = ladder(side);
  if (l.deep_levels == 0) return std::span<const PriceLevel>(l.window);
  if (!l.flat_current) {
    l.flat.clear();
    for (std::uint32_t id : l.pages) {
      const LevelPage& p = l.pool[id];
      l.flat.insert(l.flat.end(), p.lv.begin(), p.lv.begin() + p.n);
    }
    l.flat.insert(l.flat.end(), l.window.begin(), l.window.end());
    l.flat_current = true;
  }
  return std::span<const PriceLevel>(l.flat);
}

std::int64_t OrderBook::lots_at(Side side, std::int64_t price_ticks) const noexcept {
  return side == Side::kBid ? lots_at_impl<true>(bids_, price_ticks) : lots_at_impl<false>(asks_, price_ticks);
}

Decimal OrderBook::mid() const noexcept {
  if (bids_.window.empty() || asks_.window.empty()) return Decimal::zero();
  i128 sum = static_cast<i128>(bids_.window.back().price_ticks + asks_.window.back().price_ticks) * tick_.raw();
  return Decimal::from_raw(static_cast<std::int64_t>(sum / 2));
}

std::int64_t OrderBook::spread_ticks() const noexcept {
  if (bids_.window.empty() || asks_.window.empty()) return 0;
  return asks_.window.back().price_ticks - bids_.window.back().price_ticks;
}

Decimal OrderBook::spread() const noexcept {
  return ticks_to_price(spread_ticks());
}

double OrderBook::spread_bps() const noexcept {
  if (bids_.window.empty() || asks_.window.empty()) return 0.0;
  const double b = static_cast<double>(bids_.window.back().price_ticks);
  const double a = static_cast<double>(asks_.window.back().price_ticks);
  return (a - b) / ((a + b) / 2.0) * 1e4;
}

bool OrderBook::crossed() const noexcept {
  return !bids_.window.empty() && !asks_.window.empty() &&
         bids_.window.back().price_ticks >= asks_.window.back().price_ticks;
}

Decimal OrderBook::quantity_within_bps(Side side, Decimal bps) const noexcept {
  const Ladder& lad = ladder(side);
  const std::vector<PriceLevel>& v = lad.window;
  if (v.empty() || bps.is_negative()) return Decimal::zero();
  // threshold = best * (1 -/+ bps/1e4), in ticks; 1e4 bps at 1e-9 scale = 1e13 raw.
  constexpr i128 kDen = static_cast<i128>(10'000) * Decimal::kOne;
  const i128 best = v.back().price_ticks;
  std::int64_t lots = 0;
  if (side == Side::kBid) {
    // Inclusive lower bound, rounded up onto the grid (inward).
    const i128 threshold = div_dir(best * (kDen - bps.raw()), kDen, /*up=*/true);
    for_each_best_first(lad, [&](const PriceLevel& l) {
      if (l.price_ticks < threshold) return false;
      lots += l.qty_lots;
      return true;
    });
  } else {
    const i128 threshold = div_dir(best * (kDen + bps.raw()), kDen, /*up=*/false);
    for_each_best_first(lad, [&](const PriceLevel& l) {
      if (l.price_ticks > threshold) return false;
      lots += l.qty_lots;
      return true;
    });
  }
  return lots_to_quantity(lots);
}

BookFill OrderBook::walk_impl(Side taker_side, std::int64_t want_lots, std::int64_t limit_ticks) const noexcept {
  const bool buy = taker_side == Side::kBid;
  const Ladder& v = buy ? asks_ : bids_;
  BookFill f;
  i128 sum_tl = 0;  // sum of price_ticks * lots
  std::int64_t filled = 0;
  std::int64_t first_ticks = 0;
  std::int64_t last_ticks = 0;
  for_each_best_first(v, [&](const PriceLevel& l) {
    if (filled >= want_lots) return false;
    if (buy ? l.price_ticks > limit_ticks : l.price_ticks < limit_ticks) return false;
    const std::int64_t take = std::min(l.qty_lots, want_lots - filled);
    sum_tl += static_cast<i128>(l.price_ticks) * take;
    filled += take;
    if (f.levels == 0) first_ticks = l.price_ticks;
    last_ticks = l.price_ticks;
    ++f.levels;
    return true;
  });
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

BookFill OrderBook::walk(Side taker_side, Decimal quantity) const noexcept {
  if (quantity.is_negative()) return BookFill{};
  const std::int64_t lots = quantity.to_units(step_, Rounding::kDown);
  return walk_impl(taker_side, lots, taker_side == Side::kBid ? kNoBuyLimit : kNoSellLimit);
}

BookFill OrderBook::walk(Side taker_side, Decimal quantity, Decimal limit_price) const noexcept {
  if (quantity.is_negative()) return BookFill{};
  const std::int64_t lots = quantity.to_units(step_, Rounding::kDown);
  // A buyer pays at most the limit (round down onto the grid), a seller receives at least it (round up).
  const bool buy = taker_side == Side::kBid;
  const std::int64_t limit_ticks = limit_price.to_units(tick_, buy ? Rounding::kDown : Rounding::kUp);
  return walk_impl(taker_side, lots, limit_ticks);
}

BookFill OrderBook::walk_notional(Side taker_side, Decimal quote_amount) const noexcept {
  BookFill f;
  if (quote_amount.is_negative()) return f;
  const bool buy = taker_side == Side::kBid;
  const Ladder& v = buy ? asks_ : bids_;
  // Exact comparison in units of 1e-18 quote: cost of one lot at t ticks = t * tick_raw * step_raw.
  const i128 unit = static_cast<i128>(tick_.raw()) * step_.raw();
  i128 budget = static_cast<i128>(quote_amount.raw()) * Decimal::kOne;
  i128 sum_tl = 0;
  std::int64_t filled = 0;
  std::int64_t first_ticks = 0;
  std::int64_t last_ticks = 0;
  bool budget_bound = false;
  for_each_best_first(v, [&](const PriceLevel& l) {
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
      return false;
    }
    return true;
  });
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

}  // namespace bparb
