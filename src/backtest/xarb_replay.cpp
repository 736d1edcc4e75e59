#include "xarb_replay.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace bparb::backtest {

DurationUs lighter_taker_delay_us(LighterFeeTier tier) noexcept {
  return tier == LighterFeeTier::kPremium ? 200 * kUsPerMs : 300 * kUsPerMs;
}

XarbReplay::XarbReplay(const XarbSetup& setup, InstrumentTable& instruments, InstrumentId backpack,
                       const ManualClock& clock, const VenueLatency& latency)
    : setup_(setup), strategy_(setup.params), backpack_(backpack) {
  if (setup_.lighter.type != MarketType::kPerp)
    throw std::invalid_argument("backtest: cross_venue: Lighter's market " + setup_.lighter.symbol + " must be PERP");
  const InstrumentFees fees = lighter_tier_fees(setup_.params.xarb.lighter_fee_tier);
  lighter_ = instruments.add(VenueId::kLighter, setup_.lighter, fees);
  lighter_spec_ = &instruments.market(lighter_);
  taker_delay_us_ = lighter_taker_delay_us(setup_.params.xarb.lighter_fee_tier);
  SimVenueConfig vc;
  vc.markets.push_back(lighter_spec_);
  vc.fees.perp_maker_bps = fees.maker_bps;
  vc.fees.perp_taker_bps = fees.taker_bps;
  vc.quote_symbol = setup_.lighter.quote_symbol;
  vc.quote_balance = setup_.lighter_quote_balance;
  vc.latency = latency;
  vc.latency.seed = latency.seed + 1;  // its own draws: Backpack's sequence stays what it was
  vc.taker_delay_us = taker_delay_us_;
  venue_ = std::make_unique<SimVenue>(clock, std::move(vc));
  backpack_orders_.reserve(8);
  lighter_orders_.reserve(8);
}

void XarbReplay::place_orders(std::span<const exec::OrderSpec> specs, SimVenue& backpack) {
  backpack_orders_.clear();
  lighter_orders_.clear();
  for (const exec::OrderSpec& o : specs) (o.instrument == lighter_ ? lighter_orders_ : backpack_orders_).push_back(o);
  if (!backpack_orders_.empty()) backpack.place_orders(backpack_orders_);
  if (!lighter_orders_.empty()) venue_->place_orders(lighter_orders_);
}

void XarbReplay::push_state(exec::ArbEngine& engine) {
  const sim::CollateralSummary c = venue_->collateral();
  exec::VenueAccount a;
  a.known = true;
  a.net_equity = c.net_equity;
  a.available_margin = c.net_equity_available;
  a.initial_margin_used = c.net_equity_locked;
  engine.on_venue_account(VenueId::kLighter, a);
  // A replay's streams never drop and its clocks and nonces are its own: the gate reads the books and margin.
  strategy_.set_venue_state(0, VenueId::kBackpack, {true, true, true, Decimal{}});
  strategy_.set_venue_state(0, VenueId::kLighter, {true, true, true, c.net_equity_available});
}

void XarbReplay::on_fill(const exec::OrderSpec& o) noexcept {
  if (o.instrument == lighter_) {
    ++fills_lighter_;
  } else if (o.instrument == backpack_) {
    ++fills_backpack_;
  }
}

void XarbReplay::finish(BacktestResult& result, const PairSeries& spreads) const {
  CrossVenueResult x;
  x.coin = setup_.coin;
  x.backpack_symbol = setup_.backpack.symbol;
  x.lighter_symbol = setup_.lighter.symbol;
  x.long_backpack = spreads.perp_premium;  // leg 1 bid over leg 0 ask: Lighter's bid over Backpack's ask
  x.short_backpack = spreads.spot_premium;
  x.trades = result.trades.size();
  for (const TradeRecord& t : result.trades)
    if (t.closed_us != 0) ++x.closed;
  x.fills_backpack = fills_backpack_;
  x.fills_lighter = fills_lighter_;
  x.spread = result.spread_capture;
  x.fees = result.fees;
  x.funding = result.funding;
  x.net = result.net_pnl;
  const XarbRefusalCounts& r = strategy_.refusals(0);
  for (std::size_t i = 1; i < kXarbRefusalCount; ++i) {
    const auto reason = static_cast<XarbRefusal>(i);
    if (r.count(reason) != 0) x.refused.push_back({to_string(reason), r.count(reason)});
  }
  x.lighter_taker_delay_us = taker_delay_us_;
  result.cross_venue = std::move(x);
}

}  // namespace bparb::backtest
