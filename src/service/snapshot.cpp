#include "bparb/service/snapshot.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <iterator>

#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/two_leg_trade.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/service/trading_metrics.hpp"

namespace bparb::service {
namespace {

std::string_view phase_name(exec::PairPhase p) noexcept {
  switch (p) {
    case exec::PairPhase::kFlat:
      return "flat";
    case exec::PairPhase::kEntering:
      return "entering";
    case exec::PairPhase::kOpen:
      return "open";
    case exec::PairPhase::kExiting:
      return "exiting";
  }
  return "unknown";
}

LegView leg_view(const MarketSpec* m, const LegPosition& leg) {
  LegView v;
  if (m) v.symbol = m->symbol;
  v.quantity = leg.quantity();
  if (!leg.flat()) v.average_price = leg.average_price();
  return v;
}

}  // namespace

void Tally::refusal(TimestampUs now, std::string_view pair, std::string_view leg, const RiskDecision& d) {
  const auto i = static_cast<std::size_t>(d.rule);
  if (i < kRules) ++refusals_[i];
  // Assigned in place: once the strings have grown to the longest pair name, a refusal allocates nothing.
  if (!last_) last_.emplace();
  last_->at_us = now;
  last_->pair.assign(pair);
  last_->leg.assign(leg);
  last_->rule = d.rule_name();
  last_->limit = d.limit;
  last_->value = d.value;
}

void collect_trading(Snapshot& s, const RiskGate& risk, const exec::ArbEngine* engine, const Portfolio* portfolio) {
  s.trading_state = to_string(risk.state());
  s.state_reason = to_string(risk.state_reason());
  s.trading = engine != nullptr && portfolio != nullptr;
  s.opening_paused = engine != nullptr && !engine->opening_enabled();
  s.pairs.clear();
  s.open_orders = 0;
  if (engine) s.orders_rejected_by_reason = engine->rejected_by_class();
  if (!s.trading) return;
  s.orders.clear();
  engine->orders().for_each([&](const oms::Order& o) {
    if (is_terminal(o.state())) return;
    const exec::OrderSpec spec = exec::order_spec_of(o);
    OrderView& v = s.orders.emplace_back();
    v.client_id = o.client_id();
    if (o.market()) v.symbol = o.market()->symbol;
    if (spec.pair < engine->pair_count()) v.pair = engine->pair(spec.pair).name;
    v.side = spec.side;
    v.price = spec.price;
    v.quantity = spec.quantity;
    v.filled = o.booked();
    v.purpose = exec::order_purpose_name(spec.purpose);
    v.state = oms::order_state_name(o.state());
    v.post_only = spec.post_only;
    v.reduce_only = spec.reduce_only;
    v.sent_us = o.sent_us();
  });
  s.open_orders = s.orders.size();
  for (PairIndex i = 0; i < engine->pair_count(); ++i) {
    const exec::PairInfo& info = engine->pair(i);
    const PositionState& pos = portfolio->position(i);
    PairView v;
    v.name = info.name;
    v.phase = phase_name(engine->phase(i));
    v.open = pos.open;
    v.position_id = pos.id;
    v.spot = leg_view(info.spot, pos.spot);
    v.perp = leg_view(info.perp, pos.perp);
    v.realized_pnl = pos.realized_pnl;
    v.fees_usd = pos.fees_usd;
    v.funding = pos.funding;
    v.entry_basis = pos.entry_basis;
    v.opened_us = pos.opened_at_us;
    if (info.spot_book && info.perp_book && info.spot_book->valid() && info.perp_book->valid()) {
      const Decimal spot_mid = info.spot_book->mid();
      const Decimal perp_mid = info.perp_book->mid();
      if (spot_mid > Decimal::zero() && perp_mid > Decimal::zero()) {
        v.has_basis = true;
        v.spot_mid = spot_mid;
        v.perp_mid = perp_mid;
        v.basis = (perp_mid - spot_mid).div(spot_mid, Rounding::kNearest);
      }
    }
    s.pairs.push_back(std::move(v));
  }
  const StrategyStats st = portfolio->stats();
  s.run_pnl = {st.realized_pnl, st.fees, st.funding};
}

void collect_tally(Snapshot& s, const Tally& t) {
  s.orders_sent = t.sent();
  s.orders_rejected = t.rejected();
  s.orders_cancelled = t.cancelled();
  s.fills = t.fills();
  s.refusals.clear();
  for (std::size_t i = 0; i < Tally::kRules; ++i) {
    const auto r = static_cast<RiskRule>(i);
    if (t.refusals(r) > 0) s.refusals.push_back({rule_name(r), t.refusals(r)});
  }
  s.last_refusal = t.last_refusal();
}

void collect_venue_metrics(Snapshot& s, VenueHealth& v, const TradingMetrics& m) {
  v.order_ack = m.order_ack();
  v.tick_to_order = m.tick_to_order();
  for (const TradingMetrics::MarketFlow& f : m.flows())
    for (const auto l : {TradingMetrics::kMaker, TradingMetrics::kTaker})
      s.liquidity.push_back(
          {v.name, f.market->symbol, l == TradingMetrics::kMaker ? "maker" : "taker", f.fills[l], f.notional[l]});
}

void collect_metrics(Snapshot& s, VenueHealth& v, const TradingMetrics& m) {
  s.liquidity.clear();
  collect_venue_metrics(s, v, m);
  s.funding_rates.clear();
  for (std::size_t i = 0; i < s.pairs.size(); ++i)
    if (const Decimal* r = m.funding_rate(static_cast<PairIndex>(i)); r && !s.pairs[i].perp.symbol.empty())
      s.funding_rates.push_back({s.pairs[i].perp.symbol, *r});
}

DurationUs latency_quantile_us(const LatencyHistogram& h, std::uint32_t permille) noexcept {
  constexpr auto& kBounds = LatencyHistogram::kBoundsUs;
  if (h.count() == 0) return 0;
  if (permille > 1000) permille = 1000;
  const std::uint64_t rank = h.count() * permille;  // x1000
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    const std::uint64_t in = h.bucket(i);
    if (in > 0 && (below + in) * 1000 >= rank) {
      if (i == LatencyHistogram::kBuckets - 1) return kBounds.back();
      const DurationUs lower = i == 0 ? 0 : kBounds[i - 1];
      const std::uint64_t into = rank > below * 1000 ? rank - below * 1000 : 0;
      return lower + static_cast<DurationUs>(static_cast<std::uint64_t>(kBounds[i] - lower) * into / (in * 1000));
    }
    below += in;
  }
  return kBounds.back();
}

std::string sha256_file_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

void DailySplit::update(Snapshot& s) noexcept {
  const TimestampUs day_us = 86'400 * kUsPerSecond;
  const TimestampUs day = s.taken_us - s.taken_us % day_us;
  s.today_since_us = s.started_us > day ? s.started_us : day;
  s.today_pnl = {};
  if (!s.trading) return;  // nothing traded yet; restored positions are not in the totals yet either
  if (day != day_start_us_) {
    // The first trading snapshot of a UTC day (or of the run) is the baseline: what positions restored at
    // start-up realized belongs to earlier days.
    day_start_us_ = day;
    baseline_ = s.run_pnl;
  }
  s.today_pnl = {s.run_pnl.spread - baseline_.spread, s.run_pnl.fees - baseline_.fees,
                 s.run_pnl.funding - baseline_.funding};
}

}  // namespace bparb::service
