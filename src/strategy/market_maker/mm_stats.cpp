#include "bparb/strategy/market_maker/mm_stats.hpp"

#include <algorithm>

namespace bparb {
namespace {

__extension__ using i128 = __int128;  // GCC extension; pedantic-clean

constexpr i128 kOne128 = Decimal::kOne;

// a x b at 1e-9, half away from zero; `exact` tells whether anything was rounded.
Decimal product(Decimal a, Decimal b, bool& exact) noexcept {
  const i128 p = static_cast<i128>(a.raw()) * b.raw();
  const i128 q = p / kOne128;
  const i128 r = p % kOne128;
  exact = r == 0;
  i128 out = q;
  if (2 * (r < 0 ? -r : r) >= kOne128) out += p < 0 ? -1 : 1;
  return Decimal::from_raw(static_cast<std::int64_t>(out));
}

// V(m) = s x q x (m - p).
Decimal value(Decimal signed_qty, Decimal mid, Decimal price, std::int64_t* inexact) noexcept {
  bool exact = true;
  const Decimal v = product(signed_qty, mid - price, exact);
  if (!exact && inexact != nullptr) ++*inexact;
  return v;
}

}  // namespace

MmStats::MmStats(std::size_t pending_capacity) : ring_(std::max<std::size_t>(pending_capacity, 1)) {}

void MmStats::resolve(std::uint64_t n, int h, Decimal mid) noexcept {
  const Pending& p = at(n);
  resolved_[h] += value(p.signed_qty, mid, p.price, &inexact_) - p.v0;
}

void MmStats::on_fill(const MmFill& f) noexcept {
  const Decimal sq = f.side == Side::kBid ? f.quantity : -f.quantity;
  net_qty_ += sq;
  cash_ += value(sq, Decimal::zero(), f.price, &inexact_);  // -s x q x p
  const Decimal v0 = value(sq, f.mid, f.price, &inexact_);
  if (last_mid_.is_zero()) last_mid_ = f.mid;
  if (f.hedge) {
    ++hedge_fills_;
    hedge_v0_ += v0;
    hedge_fees_ += f.fee;
    return;
  }
  ++quote_fills_;
  spread_ += v0;
  quote_fees_ += f.fee;
  if (f.maker) {
    ++maker_fills_;
    maker_volume_ += value(f.quantity, f.price, Decimal::zero(), &inexact_);  // q x p
  }
  if (added_ - cursor_[2] == ring_.size()) {
    // Full: the oldest fill takes its remaining markouts now, at the latest mid.
    const std::uint64_t oldest = cursor_[2];
    for (int h = 0; h < 3; ++h) {
      if (cursor_[h] <= oldest) {
        resolve(oldest, h, last_mid_);
        cursor_[h] = oldest + 1;
      }
    }
    ++forced_;
  }
  at(added_) = Pending{f.at_us, sq, f.price, v0};
  ++added_;
}

void MmStats::on_mid(TimestampUs now, Decimal mid) noexcept {
  last_mid_ = mid;
  for (int h = 0; h < 3; ++h) {
    while (cursor_[h] < added_ && at(cursor_[h]).at_us + kHorizonsUs[h] <= now) {
      resolve(cursor_[h], h, mid);
      ++cursor_[h];
    }
  }
}

void MmStats::on_funding(Decimal amount) noexcept {
  funding_ += amount;
}

void MmStats::on_quote_presence(TimestampUs now, bool quoting, bool at_touch) noexcept {
  if (presence_known_ && now > presence_at_) {
    if (was_quoting_) quoting_us_ += now - presence_at_;
    if (was_at_touch_) touch_us_ += now - presence_at_;
  }
  presence_known_ = true;
  presence_at_ = now;
  was_quoting_ = quoting;
  was_at_touch_ = quoting && at_touch;
}

MmReport MmStats::report() const noexcept {
  MmReport r;
  r.maker_volume_usd = maker_volume_;
  r.quote_fills = quote_fills_;
  r.maker_fills = maker_fills_;
  r.hedge_fills = hedge_fills_;
  r.quotes_placed = placed_;
  r.cancels = cancels_;
  r.post_only_rejects = rejects_;
  if (quote_fills_ > 0) r.cancel_to_fill = Decimal::from_int(cancels_).div_int(quote_fills_, Rounding::kNearest);
  r.quoting_us = quoting_us_;
  r.at_touch_us = touch_us_;
  r.last_mid = last_mid_;
  r.position = net_qty_;

  // Markouts not yet due stand at the latest mid.
  Decimal markout[3];
  for (int h = 0; h < 3; ++h) {
    markout[h] = resolved_[h];
    for (std::uint64_t n = cursor_[h]; n < added_; ++n) {
      const Pending& p = at(n);
      markout[h] += value(p.signed_qty, last_mid_, p.price, nullptr) - p.v0;
    }
  }
  r.markout_1s = markout[0];
  r.markout_5s = markout[1];
  r.markout_30s = markout[2];
  r.markouts_pending = static_cast<std::int64_t>(added_ - cursor_[2]);

  const Decimal marked = value(net_qty_, last_mid_, Decimal::zero(), nullptr) + cash_;  // sum of V(mid now)
  r.spread_capture = spread_;
  r.adverse_selection = markout[2];
  r.inventory = marked - (spread_ + markout[2]) - hedge_v0_;
  r.fees = -quote_fees_;
  r.funding = funding_;
  r.hedge_cost = hedge_v0_ - hedge_fees_;
  r.total = marked - quote_fees_ - hedge_fees_ + funding_;

  if (maker_volume_.is_positive()) {
    const i128 num = static_cast<i128>(r.total.raw()) * 1'000'000 * kOne128;
    const i128 den = maker_volume_.raw();
    i128 q = num / den;
    const i128 rem = num % den;
    if (2 * (rem < 0 ? -rem : rem) >= den) q += num < 0 ? -1 : 1;
    r.net_per_million = Decimal::from_raw(static_cast<std::int64_t>(q));
  }
  return r;
}

}  // namespace bparb
