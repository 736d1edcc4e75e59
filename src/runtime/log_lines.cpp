#include "bparb/runtime/log_lines.hpp"

#include <cstdio>
#include <iterator>

#include "bparb/core/money.hpp"

namespace bparb::runtime {
namespace {
std::string usd(Decimal d) {
  return format_usd(d);
}
}  // namespace

std::string pct(Decimal fraction, int places) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%%", places, fraction.to_double() * 100.0);
  return buf;
}

PnlCents pnl_cents(Decimal realized, Decimal fees_paid, Decimal funding) {
  const Decimal parts[3] = {realized, -fees_paid, funding};
  std::int64_t cents[3];
  const std::int64_t total = split_cents(parts, cents);
  return {format_cents(total), format_cents(cents[0]), format_cents(cents[1]), format_cents(cents[2])};
}

std::string pnl_parts(Decimal realized, Decimal fees_paid, Decimal funding) {
  const PnlCents c = pnl_cents(realized, fees_paid, funding);
  return fmt::format("pnl={} USD (spread {} fees {} funding {})", c.total, c.spread, c.fees, c.funding);
}

void LogLines::opportunity(const exec::PairInfo& p, const BasisQuote& q) const {
  const ConfidenceFactors& c = q.confidence;
  log_->info(
      "Found opportunity {} {} spread={} net={} confidence={:.2f} (= {:.2f} base {:+.2f} liquidity[depth {:.1f}x] "
      "{:+.2f} spread_quality {:+.2f} stale {:+.2f} resync {:+.2f} volatility[sd {:.5f}]) size={} ({} USD, limited "
      "by "
      "{}) fees={} funding={} plan={}{}{}",
      p.name, to_string(q.direction), pct(q.entry_spread), pct(q.net_expected), c.total, c.base, c.liquidity,
      c.depth_ratio, c.spread_quality, c.stale_penalty, c.resync_penalty, c.volatility_penalty, c.basis_stddev,
      q.quantity.str(), usd(q.notional_usd), to_string(q.size_limited_by), pct(q.fee_fraction), pct(q.funding_fraction),
      to_string(q.plan), q.tradeable ? "" : " not traded: ", q.tradeable ? "" : to_string(q.refusal));
  if (log_->should_log(spdlog::level::debug)) {
    char buf[1024];
    describe(q, buf, sizeof buf);
    log_->debug("Quote detail: {}", buf);
  }
}

void LogLines::entry_refused(const exec::PairInfo& p, std::string_view leg, const RiskDecision& d) const {
  log_->warn("Risk refused {} {} leg: rule={} limit={} value={} state={}", p.name, leg, d.rule_name(), d.limit.str(),
             d.value.str(), to_string(d.state));
}

void LogLines::position_opened(const exec::PairInfo& p, std::uint64_t id, const PositionState& pos,
                               const BasisQuote& q) const {
  if (p.spot->is_perp()) {
    // A cross-venue pair (leg 0 Backpack's perp, leg 1 Lighter's): the entry spread per unit, sell minus buy.
    const bool long_bp = pos.spot.quantity().is_positive();
    const Decimal bp = pos.spot.average_price().abs(), lt = pos.perp.average_price().abs();
    log_->info("Opened position #{} {} {} backpack={} lighter={} spread={} USD per unit notional={} USD fees={} USD",
               id, p.name, long_bp ? "LongBackpack" : "ShortBackpack", pos.spot.quantity().str(),
               pos.perp.quantity().str(), (long_bp ? lt - bp : bp - lt).str(), usd(pos.entry_notional),
               usd(pos.fees_usd));
    return;
  }
  log_->info("Opened position #{} {} {} spot={} perp={} entry_basis={} notional={} USD fees={} USD", id, p.name,
             to_string(q.direction), pos.spot.quantity().str(), pos.perp.quantity().str(), pct(pos.entry_basis),
             usd(pos.entry_notional), usd(pos.fees_usd));
}

void LogLines::exit_signal(const exec::PairInfo& p, std::uint64_t id, const ExitSignal& s) const {
  log_->info("Exit signal position #{} {} reason={} exit_basis={} pnl_if_closed={} held={}s", id, p.name,
             to_string(s.reason), pct(s.exit_basis), pct(s.pnl_fraction_if_closed), s.held_us / kUsPerSecond);
}

void LogLines::position_closed(const exec::PairInfo& p, std::uint64_t id, const PositionState& pos,
                               ExitReason r) const {
  log_->info("Closed position #{} {} {} reason={} held={}s", id, p.name,
             pnl_parts(pos.realized_pnl, pos.fees_usd, pos.funding), to_string(r),
             (pos.closed_at_us - pos.opened_at_us) / kUsPerSecond);
}

void LogLines::trade_abandoned(const exec::PairInfo& p, std::string_view why) const {
  log_->info("Entry on {} abandoned: {}", p.name, why);
}

void LogLines::fill(const exec::PairInfo& p, const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
                    std::string_view fee_symbol, bool maker) const {
  log_->info("Fill {} {} {} {} @ {} fee={} {} {} (#{} {})", p.name, o.market->symbol, side_name(o.side), qty.str(),
             price.str(), fee.str(), fee_symbol, maker ? "maker" : "taker", o.client_id,
             exec::order_purpose_name(o.purpose));
}

void LogLines::fill(const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee, std::string_view fee_symbol,
                    bool maker) const {
  log_->info("Fill {} {} {} @ {} fee={} {} {} (#{} {})", o.market->symbol, side_name(o.side), qty.str(), price.str(),
             fee.str(), fee_symbol, maker ? "maker" : "taker", o.client_id, exec::order_purpose_name(o.purpose));
}

void LogLines::order_rejected(const exec::OrderSpec& o, std::string_view code, std::string_view message) const {
  log_->warn("Order #{} {} rejected: {} {}", o.client_id, o.market->symbol, code, message);
}

void LogLines::leg_risk(const exec::PairInfo& p, const exec::LegRiskDecision& d) const {
  if (d.action == exec::LegRiskAction::kFailed) {
    log_->error("LEG RISK {}: {} (net delta {} {}) — no new positions until resolved", p.name, d.reason,
                d.net_delta.str(), p.spot->base_symbol);
  } else {
    log_->warn("Hedging {}: {} {} {} {} (net delta {})", p.name, exec::leg_risk_action_name(d.action),
               d.leg == exec::LegIndex::kSpot ? p.spot->symbol : p.perp->symbol, side_name(d.side), d.quantity.str(),
               d.net_delta.str());
  }
}

void LogLines::order_rejected(const exec::PairInfo& p, const exec::OrderSpec& o, std::string_view code,
                              std::string_view message) const {
  log_->warn("Order #{} {} {} rejected: {} {}", o.client_id, p.name, o.market->symbol, code, message);
}

void LogLines::trading_state(const StateChange& c, std::string_view why) const {
  log_->error("Trading state {} -> {} ({}, {})", to_string(c.from), to_string(c.to), to_string(c.reason), why);
}

void LogLines::stats(const StrategyStats& s, TradingState st) const {
  const PnlCents c = pnl_cents(s.realized_pnl, s.fees, s.funding);
  log_->info(
      "Strategy stats: opportunities={} executed={} open={} closed={} win_rate={:.1f}% realized_pnl={} fees={} "
      "funding={} net={} state={}",
      s.opportunities, s.executed, s.open, s.closed, s.win_rate * 100.0, c.spread, c.fees, c.funding, c.total,
      to_string(st));
}

void LogLines::exposure(Decimal max_unhedged_usd, DurationUs longest_unhedged_us) const {
  log_->info("Exposure: max unhedged {} USD, longest unhedged {} ms", usd(max_unhedged_usd),
             longest_unhedged_us / kUsPerMs);
}

void LogLines::funding(const exec::PairInfo& p, Decimal amount, const FundingOutcome& o, std::uint64_t id) const {
  const char* verb = amount.is_negative() ? "paid" : "received";
  switch (o.target) {
    case FundingTarget::kOpenPosition:
      log_->info("Funding {} {} {} USDC (position #{})", p.name, verb, amount.abs().str(), id);
      break;
    case FundingTarget::kClosedPosition:
      // The position's record changes after its Closed line: restate it.
      log_->info("Funding {} {} {} USDC for closed position #{}: now {}", p.name, verb, amount.abs().str(), id,
                 pnl_parts(o.position.realized_pnl, o.position.fees_usd, o.position.funding));
      break;
    case FundingTarget::kNoPosition:
    case FundingTarget::kUnknownPair:
      log_->info("Funding {} {} {} USDC (no position of this run held it; counted in the totals)", p.name, verb,
                 amount.abs().str());
      break;
  }
}

void LogLines::fill_problem(const exec::PairInfo& p, const exec::OrderSpec& o, FillProblem why, Decimal qty,
                            Decimal price, Decimal fee, std::string_view fee_symbol) const {
  const bool fee_only = why == FillProblem::kBaseFeeOnPerp || why == FillProblem::kFeeInOtherAsset;
  log_->error(
      "Fill {} {} {} {} @ {} fee={} {} (#{}) could not be booked in full: {}; {}; leg risk hedges what the "
      "exchange reported; no new positions until an operator has checked the account",
      p.name, o.market->symbol, side_name(o.side), qty.str(), price.str(), fee.str(), fee_symbol, o.client_id,
      to_string(why), fee_only ? "the quantity is booked, the fee is not" : "nothing was booked");
}

void LogLines::placing(std::span<const exec::OrderSpec> legs) const {
  if (legs.empty()) return;
  // Formatted into stack buffers (spdlog's own is 250 bytes inline): no heap for a usual batch line.
  fmt::basic_memory_buffer<char, 512> desc;
  bool maker = false;
  for (const exec::OrderSpec& o : legs) {
    if (desc.size() != 0) fmt::format_to(std::back_inserter(desc), ", ");
    fmt::format_to(std::back_inserter(desc), "{} {} {} @ {} ({}{}{} #{})", o.market->symbol, side_name(o.side),
                   o.quantity.str_fixed(o.market->quantity_decimals()), o.price.str_fixed(o.market->price_decimals()),
                   tif_name(o.tif), o.post_only ? " post-only" : "", o.reduce_only ? " reduce-only" : "", o.client_id);
    maker = maker || o.post_only;
  }
  log_->info("Placing {} {} orders ({}): {}", legs.size(), maker ? "MAKER" : "TAKER",
             exec::order_purpose_name(legs.front().purpose), std::string_view(desc.data(), desc.size()));
}

}  // namespace bparb::runtime
