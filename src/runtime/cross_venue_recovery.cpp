#include "bparb/runtime/cross_venue_recovery.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace bparb::runtime {

CrossVenueRecovery::CrossVenueRecovery(std::shared_ptr<spdlog::logger> log, const Clock& clock, JournalWriter& journal,
                                       exec::ReconciliationVenue& backpack, exec::ReconciliationVenue& lighter,
                                       PairRef pair, RecoveryOptions opts)
    : log_(std::move(log)),
      clock_(clock),
      journal_(journal),
      backpack_(backpack),
      lighter_(lighter),
      pair_(std::move(pair)),
      opts_(std::move(opts)) {}

void CrossVenueRecovery::run(std::span<const RecoveredFill> made_while_down,
                             std::function<void(const std::string&)> fail, std::function<void()> done) {
  fail_ = std::move(fail);
  load_journal_position();
  for (const RecoveredFill& f : made_while_down) book(f);
  // Both venues' positions, then the comparison: one answer each, Backpack first.
  backpack_.positions(
      [this, done = std::move(done)](const exec::VenueError* err, std::span<const exec::PositionReport> bp) mutable {
        if (err) return fail_(err->request + " failed: " + err->message);
        Decimal bp_held, bp_entry;
        for (const exec::PositionReport& p : bp)
          if (p.symbol == pair_.spot->symbol) {
            bp_held = p.net_quantity;
            bp_entry = p.entry_price;
          }
        lighter_.positions([this, bp_held, bp_entry, done = std::move(done)](const exec::VenueError* e,
                                                                             std::span<const exec::PositionReport> lt) {
          if (e) return fail_("Lighter: " + e->request + " failed: " + e->message);
          Decimal lt_held, lt_entry;
          for (const exec::PositionReport& p : lt)
            if (p.symbol == pair_.perp->symbol) {
              lt_held = p.net_quantity;
              lt_entry = p.entry_price;
            }
          compare(bp_held, bp_entry, lt_held, lt_entry);
          if (!fail_) return;  // refused (compare called fail_)
          done();
        });
      });
}

void CrossVenueRecovery::load_journal_position() {
  journal::Journal* jr = journal_.journal();
  if (!jr) return;
  auto open = jr->open_positions();
  if (!open) throw std::runtime_error("journal " + jr->path() + ": reading positions: " + jr->last_error());
  for (const journal::PositionRecord& r : *open) {
    if (r.pair != pair_.base) continue;
    // A row written before the legs' venues were recorded says Backpack for both, symbols unknown.
    const bool legs_known = !r.spot_symbol.empty() || !r.perp_symbol.empty();
    if (legs_known && (r.spot_venue != VenueId::kBackpack || r.perp_venue != VenueId::kLighter ||
                       r.spot_symbol != pair_.spot->symbol || r.perp_symbol != pair_.perp->symbol)) {
      log_->error(
          "Journal: open position #{} {} has legs {} {} / {} {}, not this config's Backpack {} / Lighter {}; it stays "
          "as it is",
          r.position_id, r.pair, venue_name(r.spot_venue), r.spot_symbol, venue_name(r.perp_venue), r.perp_symbol,
          pair_.spot->symbol, pair_.perp->symbol);
      continue;
    }
    record_ = r;
    if (!r.spot_qty.is_zero()) legs_[0].apply(r.spot_qty, r.spot_cost.div(r.spot_qty, Rounding::kNearest));
    if (!r.perp_qty.is_zero()) legs_[1].apply(r.perp_qty, r.perp_cost.div(r.perp_qty, Rounding::kNearest));
    realized_ = r.realized;
    fees_ = r.fees;
    funding_ = r.funding;
    opened_us_ = r.opened_us;
    log_->info("Journal: open position #{} {} backpack={} lighter={} (opened {})", r.position_id, r.pair,
               r.spot_qty.str(), r.perp_qty.str(), r.opened_us);
    return;
  }
}

// Booked as the engine books a perp fill (docs/money.md): the fee is quote (USDC) on both venues.
void CrossVenueRecovery::book(const RecoveredFill& f) {
  int leg = -1;
  if (f.venue == VenueId::kBackpack && f.symbol == pair_.spot->symbol) leg = 0;
  if (f.venue == VenueId::kLighter && f.symbol == pair_.perp->symbol) leg = 1;
  if (leg < 0) return;
  const Decimal signed_qty = f.side == Side::kBid ? f.quantity : -f.quantity;
  realized_ += legs_[leg].apply(signed_qty, f.price);
  fees_ += f.fee;
  if (opened_us_ == 0) opened_us_ = f.time_us;
  ++fills_recovered_;
}

void CrossVenueRecovery::compare(Decimal bp_held, Decimal bp_entry, Decimal lt_held, Decimal lt_entry) {
  const Decimal bp_journal = legs_[0].quantity();
  const Decimal lt_journal = legs_[1].quantity();
  const Decimal tolerance = std::max(pair_.spot->step_size, pair_.perp->step_size);
  if (bp_held == bp_journal && lt_held == lt_journal) {
    if (bp_held.is_zero() && lt_held.is_zero()) return;  // flat: an open row is archived by restore()
    restore_ = true;
    unwind_ = (bp_held + lt_held).abs() > tolerance;
    return;
  }
  const std::string what = "Backpack holds " + bp_held.str() + " " + pair_.spot->symbol + " and Lighter " +
                           lt_held.str() + " " + pair_.perp->symbol + " but the journal explains " + bp_journal.str() +
                           " and " + lt_journal.str();
  const UnexplainedDecision d = decide_unexplained(opts_, *log_, {"pair " + pair_.base + ": " + what, true, true});
  switch (d.action) {
    case RecoveryOptions::Unexplained::kRefuse: {
      auto fail = std::move(fail_);
      fail_ = nullptr;
      return fail(d.refusal);
    }
    case RecoveryOptions::Unexplained::kFlag:
      flagged_ = true;
      record_.reset();  // its row stays open as it is
      return;
    case RecoveryOptions::Unexplained::kAdopt: {
      const Decimal held[2] = {bp_held, lt_held};
      const Decimal entry[2] = {bp_entry, lt_entry};
      for (int i = 0; i < 2; ++i) {
        const Decimal price = entry[i].is_positive() ? entry[i] : legs_[i].average_price().abs();
        LegPosition leg;
        if (!held[i].is_zero() && price.is_positive()) leg.apply(held[i], price);
        legs_[i] = leg;
      }
      restore_ = !legs_[0].flat() || !legs_[1].flat();
      unwind_ = true;
      return;
    }
  }
}

void CrossVenueRecovery::restore(exec::ArbEngine& engine, Portfolio& portfolio, RiskGate& risk,
                                 const std::function<void(const StateChange&, std::string_view)>& on_state) {
  const TimestampUs now = clock_.now_us();
  if (restore_) {
    RestoredState rp;
    rp.spot_qty = legs_[0].quantity();
    rp.spot_cost = legs_[0].cost();
    rp.perp_qty = legs_[1].quantity();
    rp.perp_cost = legs_[1].cost();
    rp.realized_pnl = realized_;
    rp.fees_usd = fees_;
    rp.funding = funding_;
    rp.entry_basis = record_ ? record_->entry_basis : Decimal{};
    rp.opened_at_us = opened_us_;
    if (!engine.restore_position(pair_.index, rp, now)) {
      log_->error("Recovery: could not restore {} (backpack {} lighter {}); starting ReduceOnly", pair_.base,
                  rp.spot_qty.str(), rp.perp_qty.str());
      flagged_ = true;
    } else {
      const PositionState& pos = portfolio.position(pair_.index);
      // The position keeps its number and its journal row across the restart.
      if (record_) journal_.restore_position_id(pos.id, record_->position_id);
      journal_.position(pair_.base, pos);
      log_->warn(
          "Recovery: restored position {} backpack={} lighter={} as #{} (realized {} fees {} funding {} so far; {} "
          "fill(s) made while down)",
          pair_.base, rp.spot_qty.str(), rp.perp_qty.str(), journal_.position_id(pos.id), rp.realized_pnl.str(),
          rp.fees_usd.str(), rp.funding.str(), fills_recovered_);
      if (unwind_) {
        log_->warn("Recovery: {} legs are not delta-neutral (backpack {} vs lighter {}): unwinding both legs to flat",
                   pair_.base, rp.spot_qty.str(), rp.perp_qty.str());
        engine.force_exit(pair_.index, ExitReason::kRecoveryUnwind);
      }
    }
  } else if (record_) {
    // Flat on both venues (closed while we were down): the row is archived with what those fills realized.
    journal::PositionRecord old = *record_;
    old.open = false;
    old.closed_us = now;
    old.spot_qty = legs_[0].quantity();
    old.spot_cost = legs_[0].cost();
    old.perp_qty = legs_[1].quantity();
    old.perp_cost = legs_[1].cost();
    old.realized = realized_;
    old.fees = fees_;
    journal::Journal* jr = journal_.journal();
    if (jr && !jr->upsert_position(old).ok()) journal_.fail();
    log_->info("Journal: position #{} {} is flat on both venues; archived", old.position_id, old.pair);
  }
  if (flagged_) {
    StateChange c = risk.set_reduce_only(StateReason::kOperator);
    on_state(c, "recovery: a cross-venue position the journal cannot explain (unexplained_positions = flag)");
  }
}

}  // namespace bparb::runtime
