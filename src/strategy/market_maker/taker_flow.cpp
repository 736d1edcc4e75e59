#include "bparb/strategy/market_maker/taker_flow.hpp"

#include <algorithm>

namespace bparb {
namespace {

__extension__ using i128 = __int128;  // GCC extension; pedantic-clean

// a / b as a Decimal at 1e-9, half away from zero (a, b > 0), clamped to [1/kMaxRatio, kMaxRatio].
Decimal clamped_ratio(std::int64_t a, std::int64_t b) noexcept {
  constexpr i128 kMax = static_cast<i128>(TakerFlow::kMaxRatio) * Decimal::kOne;
  constexpr i128 kMin = Decimal::kOne / TakerFlow::kMaxRatio;
  if (b <= 0) return Decimal::from_raw(static_cast<std::int64_t>(kMax));
  if (a <= 0) return Decimal::from_raw(static_cast<std::int64_t>(kMin));
  const i128 num = static_cast<i128>(a) * Decimal::kOne;
  i128 r = (2 * num + b) / (2 * static_cast<i128>(b));
  r = std::clamp(r, kMin, kMax);
  return Decimal::from_raw(static_cast<std::int64_t>(r));
}

}  // namespace

TakerFlow::TakerFlow(DurationUs window_us, Decimal ema_alpha, Decimal switch_ratio, DurationUs min_hold_us,
                     std::size_t capacity)
    : ring_(std::max<std::size_t>(capacity, 1)),
      window_us_(window_us),
      alpha_(ema_alpha),
      switch_ratio_(switch_ratio),
      min_hold_us_(min_hold_us) {}

void TakerFlow::pop_oldest() noexcept {
  const Entry& e = ring_[head_];
  (e.taker_buy ? buy_tl_ : sell_tl_) -= e.notional_tl;
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
  --count_;
}

void TakerFlow::evict(TimestampUs now) noexcept {
  // A trade exactly window_us old has left the window: the window is (now - window, now].
  while (count_ > 0 && ring_[head_].at_us <= now - window_us_) pop_oldest();
}

void TakerFlow::on_trade(const PublicTrade& t) noexcept {
  const TimestampUs at = std::max(t.at_us, last_trade_);
  last_trade_ = at;
  if (t.price_ticks <= 0 || t.qty_lots <= 0) return;
  evict(at);
  if (count_ == ring_.size()) {
    pop_oldest();
    ++overflowed_;
  }
  const bool taker_buy = !t.buyer_is_maker;
  const std::int64_t notional = t.price_ticks * t.qty_lots;
  std::size_t tail = head_ + count_;
  if (tail >= ring_.size()) tail -= ring_.size();
  ring_[tail] = Entry{at, notional, taker_buy};
  ++count_;
  (taker_buy ? buy_tl_ : sell_tl_) += notional;

  const Decimal r = clamped_ratio(buy_tl_, sell_tl_);
  if (!has_ema_) {
    ema_ = r;
    has_ema_ = true;
  } else {
    ema_ += (r - ema_).mul(alpha_, Rounding::kNearest);
  }
  choose_side(at);
}

void TakerFlow::advance(TimestampUs now) noexcept {
  evict(now);
  choose_side(now);
}

void TakerFlow::choose_side(TimestampUs now) noexcept {
  if (!has_ema_) return;
  // ema >= R selects the ask; ema <= 1/R (exactly: ema x R <= 1) selects the bid.
  std::optional<Side> want;
  if (ema_ >= switch_ratio_) {
    want = Side::kAsk;
  } else if (static_cast<i128>(ema_.raw()) * switch_ratio_.raw() <= static_cast<i128>(Decimal::kOne) * Decimal::kOne) {
    want = Side::kBid;
  }
  if (!want) return;
  if (has_side_ && (*want == side_ || now - side_since_ < min_hold_us_)) return;
  if (has_side_) ++switches_;
  has_side_ = true;
  side_ = *want;
  side_since_ = now;
}

}  // namespace bparb
