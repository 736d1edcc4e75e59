#include "bparb/app/xarb_node.hpp"

#include <fmt/format.h>

#include <exception>
#include <utility>

#include "bparb/exec/arb_engine.hpp"
#include "bparb/strategy/cross_venue/xarb_text.hpp"
#include "bparb/strategy/fee_model.hpp"

namespace bparb::app {

CrossVenueStrategyParams cross_venue_params(const XarbConfig& x) {
  CrossVenueStrategyParams p;
  p.xarb = x.params;
  p.backpack_slippage_buffer = bps_to_fraction(x.backpack_slippage_bps);
  p.lighter_slippage_buffer = bps_to_fraction(x.lighter_slippage_bps);
  p.opening_delay_us = x.opening_delay_us;
  p.leg_order = x.leg_order;
  p.first_leg_timeout_us = x.first_leg_timeout_us;
  return p;
}

XarbNode::XarbNode(std::shared_ptr<spdlog::logger> log, const Clock& clock, const XarbConfig& cfg,
                   const std::string& csv_dir)
    : log_(std::move(log)), clock_(clock), cfg_(cfg), strategy_(cross_venue_params(cfg)) {
  strategy_.set_observer(this);
  csv_.emplace(csv_dir, cfg_.coin, clock_);
  log_->info("Cross-venue CSV files: {}/bbo_{}_<date>.csv (every 5 s) and {}/trades_{}_<date>.csv", csv_dir, cfg_.coin,
             csv_dir, cfg_.coin);
}

void XarbNode::reload(const XarbConfig& next) {
  XarbConfig applied = next;
  applied.coin = cfg_.coin;
  applied.backpack_market = cfg_.backpack_market;
  applied.lighter_market = cfg_.lighter_market;
  applied.csv_dir = cfg_.csv_dir;
  cfg_ = std::move(applied);
  strategy_.set_params(cross_venue_params(cfg_));
}

void XarbNode::csv_failed(const std::exception& e) {
  // The journal is the record of truth: a file error must not stop trading.
  log_->error("Cross-venue CSV files disabled: {}", e.what());
  csv_.reset();
}

void XarbNode::on_tick(const XarbVenueView& v, TimestampUs now) {
  (void)now;
  if (strategy_.pair_count() == 0) return;
  strategy_.set_venue_state(0, VenueId::kBackpack, v.backpack);
  strategy_.set_venue_state(0, VenueId::kLighter, v.lighter);
  if (v.backpack_funding) strategy_.set_funding(0, VenueId::kBackpack, *v.backpack_funding);
  if (v.lighter_funding) strategy_.set_funding(0, VenueId::kLighter, *v.lighter_funding);
  if (!csv_ || v.backpack_book == nullptr || v.lighter_book == nullptr) return;
  if (!v.backpack_book->valid() || !v.lighter_book->valid()) return;  // a row of blanks tells nobody anything
  XarbBboSample s;
  s.backpack_bid = v.backpack_book->best_bid().price;
  s.backpack_ask = v.backpack_book->best_ask().price;
  s.lighter_bid = v.lighter_book->best_bid().price;
  s.lighter_ask = v.lighter_book->best_ask().price;
  const XarbQuote& q = strategy_.last_quote(0);
  s.has_signal = q.tradeable;
  s.signal = q.direction;
  try {
    csv_->on_bbo(s);
  } catch (const std::exception& e) {
    csv_failed(e);
  }
}

void XarbNode::on_funding_booked(VenueId venue, Decimal amount) noexcept {
  funding_[venue == VenueId::kLighter ? 1 : 0] += amount;
}

std::vector<std::string> XarbNode::stats_lines() const {
  std::vector<std::string> out;
  if (strategy_.pair_count() == 0) return out;
  out.push_back(fmt::format("Cross-venue stats {}: opened={} closed={} funding backpack={} USDC lighter={} USDC",
                            cfg_.coin, opened_, closed_, funding_[0].str(), funding_[1].str()));
  char buf[512];
  const std::size_t n = format_refusal_counts(strategy_.refusals(0), cfg_.coin, buf, sizeof buf);
  out.emplace_back(buf, n);
  return out;
}

void XarbNode::on_xarb_opportunity(std::uint32_t pair, const XarbQuote& q) {
  char buf[768];
  const std::size_t n = format_opportunity(q, strategy_.pair_name(pair), buf, sizeof buf);
  log_->info("{}", std::string_view(buf, n));
}

void XarbNode::on_xarb_exit(std::uint32_t pair, const XarbExitSignal& s, const XarbPosition& pos) {
  char buf[768];
  const std::size_t n = format_exit(s, pos, strategy_.pair_name(pair), buf, sizeof buf);
  log_->info("{}", std::string_view(buf, n));
}

void XarbNode::on_pair_fill(const exec::PairInfo&, const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee) {
  LegTally& t = trade_[o.leg == exec::LegIndex::kSpot ? 0 : 1];
  t.quantity += qty;
  t.notional += qty.mul(price, Rounding::kNearest);
  t.fee += fee;
  t.side = o.side;
}

void XarbNode::write_trade(XarbDirection d) {
  const LegTally &b = trade_[0], &l = trade_[1];
  XarbTradeSample t;
  t.direction = d;
  t.quantity = b.quantity < l.quantity ? b.quantity : l.quantity;
  t.backpack_price = b.quantity.is_positive() ? b.notional.div(b.quantity, Rounding::kNearest) : Decimal{};
  t.lighter_price = l.quantity.is_positive() ? l.notional.div(l.quantity, Rounding::kNearest) : Decimal{};
  t.backpack_fee = b.fee;
  t.lighter_fee = l.fee;
  trade_ = {};
  if (!csv_) return;
  try {
    csv_->on_trade(t);
  } catch (const std::exception& e) {
    csv_failed(e);
  }
}

void XarbNode::on_pair_opened(const exec::PairInfo&, const PositionState& pos) {
  ++opened_;
  last_entry_long_ = pos.spot.quantity().is_positive();
  write_trade(last_entry_long_ ? XarbDirection::kLongBackpack : XarbDirection::kShortBackpack);
}

void XarbNode::on_pair_closed(const exec::PairInfo&, const PositionState& pos) {
  ++closed_;
  // The exit trade goes the other way: closing a long Backpack leg sells it (the ShortBackpack shape), so the
  // two rows' pnl_estimate add up to the round trip's, fees included. Its own fills say which way it went (a
  // position restored at start-up had no entry in this run); buying on Backpack or selling on Lighter is the
  // LongBackpack shape.
  (void)pos;
  bool long_shape = !last_entry_long_;
  if (trade_[0].quantity.is_positive())
    long_shape = trade_[0].side == Side::kBid;
  else if (trade_[1].quantity.is_positive())
    long_shape = trade_[1].side == Side::kAsk;
  write_trade(long_shape ? XarbDirection::kLongBackpack : XarbDirection::kShortBackpack);
}

}  // namespace bparb::app
