#include "bparb/runtime/recovery.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "bparb/core/money.hpp"
#include "bparb/runtime/ingest_fill.hpp"

namespace bparb::runtime {
namespace {
std::string usd(Decimal d) {
  return format_usd(d);
}
}  // namespace

Recovery::Recovery(std::shared_ptr<spdlog::logger> log, const Clock& clock, JournalWriter& journal,
                   exec::ReconciliationVenue& venue, const InstrumentTable& markets, std::vector<PairRef> pairs,
                   RecoveryOptions opts)
    : log_(std::move(log)),
      clock_(clock),
      journal_(journal),
      venue_(venue),
      markets_(markets),
      pairs_(std::move(pairs)),
      opts_(std::move(opts)) {}

const PairRef* Recovery::pair_named(std::string_view base) const noexcept {
  for (const PairRef& p : pairs_)
    if (p.base == base) return &p;
  return nullptr;
}

void Recovery::run(std::function<void(const std::string&)> fail, std::function<void()> done) {
  fail_ = std::move(fail);
  done_ = std::move(done);
  load_journal_positions();
  find_swept_markets();
  cancel_orphans(0);
}

void Recovery::find_swept_markets() {
  swept_.clear();
  journal::Journal* jr = journal_.journal();
  if (!opts_.sweep_journal_markets || !jr) return;
  auto intents = jr->open_intents();
  if (!intents) throw std::runtime_error("journal " + jr->path() + ": reading open intents: " + jr->last_error());
  for (const journal::OpenIntent& oi : *intents) {
    const std::string& sym = oi.intent.symbol;
    if (oi.intent.venue != opts_.venue || sym.empty() || markets_.find(opts_.venue, sym)) continue;
    if (std::find(swept_.begin(), swept_.end(), sym) != swept_.end()) continue;
    swept_.push_back(sym);
    log_->warn(
        "Journal: an order of an earlier run may rest on {}{}, a market this run does not trade (#{} {} {}): its "
        "orders are cancelled and its fills fetched too",
        venue_prefix(), sym, oi.intent.client_id, oi.intent.purpose, side_name(oi.intent.side));
  }
}

void Recovery::load_journal_positions() {
  recovered_.assign(pairs_.size(), Recovered{});
  journal::Journal* jr = journal_.journal();
  if (!jr) return;
  auto open = jr->open_positions();
  if (!open) throw std::runtime_error("journal " + jr->path() + ": reading positions: " + jr->last_error());
  for (const journal::PositionRecord& r : *open) {
    if (!opts_.cross_venue_pair.empty() && r.pair == opts_.cross_venue_pair) continue;  // both venues' at once
    if (r.spot_venue != opts_.venue && r.perp_venue != opts_.venue) continue;           // another venue's recovery
    const PairRef* pr = pair_named(r.pair);
    if (!pr) {
      log_->error("Journal: open position #{} on {} but that pair is not traded by this config; it stays as it is",
                  r.position_id, r.pair);
      continue;
    }
    Recovered& rc = recovered_[pr->index];
    rc.record = r;
    if (!r.spot_qty.is_zero()) rc.spot.apply(r.spot_qty, r.spot_cost.div(r.spot_qty, Rounding::kNearest));
    if (!r.perp_qty.is_zero()) rc.perp.apply(r.perp_qty, r.perp_cost.div(r.perp_qty, Rounding::kNearest));
    rc.realized = r.realized;
    rc.fees = r.fees;
    rc.funding = r.funding;
    rc.opened_us = r.opened_us;
    log_->info("Journal: open position #{} {} spot={} perp={} (opened {})", r.position_id, r.pair, r.spot_qty.str(),
               r.perp_qty.str(), r.opened_us);
  }
}

// The lines of a venue other than Backpack (the first) name it: the same symbol may exist on both.
std::string Recovery::venue_prefix() const {
  return opts_.venue == VenueId::kBackpack ? std::string() : std::string(venue_name(opts_.venue)) + " ";
}

std::size_t Recovery::venue_market(std::size_t i) const noexcept {
  while (i < markets_.size() && markets_[static_cast<InstrumentId>(i)].venue != opts_.venue) ++i;
  return i;
}

// Orders resting from an earlier run on our markets are cancelled before anything else.
void Recovery::cancel_orphans(std::size_t i) {
  i = venue_market(i);
  if (i >= sweep_end()) return recover_fills(0);
  venue_.open_order_count(sweep_symbol(i), [this, i](const exec::VenueError* err, std::size_t count) {
    if (err || count == 0) return cancel_orphans(i + 1);
    log_->warn("Cancelling {} orphan order(s) on {}{}", count, venue_prefix(), sweep_symbol(i));
    venue_.cancel_all(sweep_symbol(i), [this, i](const exec::VenueError* e) {
      if (e) return fail_("cancelling orphan orders on " + sweep_symbol(i) + " failed: " + e->message);
      cancel_orphans(i + 1);
    });
  });
}

// Fills the venue made for our client ids that the journal has not seen (crash between a send and its
// answer, or before the stream delivered).
void Recovery::recover_fills(std::size_t i) {
  journal::Journal* jr = journal_.journal();
  if (i == 0) {
    recover_from_ms_ = 0;
    if (jr) {
      auto last = jr->last_fill_time_us();
      auto intents = jr->open_intents();
      if (!last || !intents) return fail_("journal " + jr->path() + ": " + jr->last_error());
      // This venue's orders only: another venue's are settled by its own recovery, after its own fills.
      open_intents_.clear();
      for (journal::OpenIntent& oi : *intents)
        if (oi.intent.venue == opts_.venue) open_intents_.push_back(std::move(oi));
      TimestampUs from = *last ? **last : 0;
      for (const journal::OpenIntent& oi : open_intents_)
        if (from == 0 || oi.intent.created_us < from) from = oi.intent.created_us;
      // A minute of slack: fills of different symbols reach the journal in stream order, not time order.
      if (from > 0) recover_from_ms_ = std::max<std::int64_t>(1, from / kUsPerMs - 60'000);
    }
    if (recover_from_ms_ == 0) return settle_open_intents();
    log_->info("Journal: {} open intent(s); fetching fills since {} ms to reconcile", open_intents_.size(),
               recover_from_ms_);
  }
  i = venue_market(i);
  if (i >= sweep_end()) return settle_open_intents();
  constexpr std::size_t kPage = 1000;
  venue_.fills_since(sweep_symbol(i), recover_from_ms_, kPage,
                     [this, i](const exec::VenueError* err, std::span<const exec::FillReport> fills) {
                       if (err) return fail_(err->request + " for " + sweep_symbol(i) + " failed: " + err->message);
                       if (fills.size() >= kPage)
                         log_->warn(
                             "Journal: 1000 fills on {} since the last journaled one; older ones beyond the page are "
                             "not reconciled",
                             sweep_symbol(i));
                       for (const exec::FillReport& f : fills) recover_fill(f);
                       recover_fills(i + 1);
                     });
}

void Recovery::recover_fill(const exec::FillReport& f) {
  if (!f.has_client_id || f.trade_id < 0) return;
  auto intent = journal_.journal()->find_intent(f.client_id);
  if (!intent || !*intent) return;  // not ours (another process, manual trading)
  const journal::IntentRecord& in = (*intent)->intent;
  ingest_fill(journal_, f, [&](const exec::FillReport& r) {
    log_->warn("Journal: recovered fill made while bparb was down: {} {} {} @ {} trade {} (#{} {} {})", r.symbol,
               side_name(r.side), r.quantity.str(), r.price.str(), r.trade_id, r.client_id, in.pair, in.purpose);
    // A single order (the market maker's, journaled under its market's symbol) belongs to no pair: the journal
    // has the fill; the market maker reads its position from the venue.
    const PairRef* pr = pair_named(in.pair);
    if (!pr) {
      unpaired_fills_.push_back({r.venue, std::string(r.symbol), r.client_id, r.trade_id, r.side, r.price, r.quantity,
                                 r.fee, std::string(r.fee_symbol), r.time_us});
      return;
    }
    Recovered& rc = recovered_[pr->index];
    const Decimal signed_qty = r.side == Side::kBid ? r.quantity : -r.quantity;
    // Booked as the portfolio books a fill (docs/money.md): a base-asset fee of either sign moves the spot leg.
    if (in.leg == "spot") {
      rc.realized += rc.spot.apply(signed_qty, r.price);
      if (r.fee_symbol == pr->spot->base_symbol) {
        rc.realized += rc.spot.remove_for_fee(r.fee, r.price);
        rc.fees += r.fee.mul(r.price, Rounding::kNearest);
      } else {
        rc.fees += r.fee;
      }
    } else {
      rc.realized += rc.perp.apply(signed_qty, r.price);
      rc.fees += r.fee;
    }
    if (rc.opened_us == 0) rc.opened_us = r.time_us;
    ++rc.fills_recovered;
  });
}

// Every order of the last run is gone from the book now (cancelled above, or IOC): settle its intent with
// what the journal knows it executed.
void Recovery::settle_open_intents() {
  journal::Journal* jr = journal_.journal();
  if (jr && !open_intents_.empty()) {
    std::unordered_map<ClientId, Decimal> executed;
    if (auto fills = jr->fills_since(recover_from_ms_ * kUsPerMs)) {
      for (const journal::FillRecord& f : *fills) executed[f.client_id] += f.quantity;
    }
    for (const journal::OpenIntent& oi : open_intents_) {
      const Decimal done = executed[oi.intent.client_id];
      const auto state =
          done >= oi.intent.quantity ? journal::OrderRecordState::kFilled : journal::OrderRecordState::kCancelled;
      if (!jr->record_ack({oi.intent.client_id, oi.exchange_order_id, state, done, clock_.now_us(), oi.intent.venue})
               .ok())
        return fail_("journal " + jr->path() + ": " + jr->last_error());
      log_->info("Journal: order #{} of the last run ({} {} {} {} {}) settled as {} with {} executed",
                 oi.intent.client_id, oi.intent.purpose, oi.intent.symbol, side_name(oi.intent.side),
                 oi.intent.quantity.str(), oi.acked ? "acked" : "never acked", journal::order_record_state_name(state),
                 done.str());
    }
  }
  reconcile_positions();
}

UnexplainedDecision decide_unexplained(const RecoveryOptions& opts, spdlog::logger& log,
                                       const UnexplainedPosition& position) {
  using U = RecoveryOptions::Unexplained;
  const std::string& what = position.subject;
  const char* it = position.two_legs ? "them" : "it";
  UnexplainedDecision d;
  d.action = opts.unexplained;
  switch (opts.unexplained) {
    case U::kRefuse:
      d.refusal = what + "; close " + it + " by hand, or set [recovery] unexplained_positions = \"flag\" (start " +
                  "reduce-only)" + (position.adoptable ? std::string(" or \"adopt\" (unwind ") + it + ")" : "") +
                  " in " + opts.source_path + " (bparb never trades on top of positions it cannot explain)";
      break;
    case U::kFlag:
      log.error("Recovery: {}; [recovery] unexplained_positions = flag: starting ReduceOnly, the {} left alone", what,
                position.two_legs ? "positions are" : "position is");
      break;
    case U::kAdopt:
      if (!position.adoptable) {
        log.error(
            "Recovery: {}; [recovery] unexplained_positions = adopt unwinds a pair's position, and no pair "
            "trades this market: starting ReduceOnly as with flag, the position is left alone",
            what);
        d.action = U::kFlag;
        break;
      }
      log.warn("Recovery: {}; [recovery] unexplained_positions = adopt: taking {} over and unwinding {} to flat", what,
               it, position.two_legs ? "both legs" : "it");
      break;
  }
  return d;
}

void Recovery::reconcile_positions() {
  venue_.positions([this](const exec::VenueError* err, std::span<const exec::PositionReport> positions) {
    if (err) return fail_(err->request + " failed: " + err->message);
    for (const PairRef& p : pairs_) {
      Decimal exchange_perp;
      Decimal entry_price;
      for (const auto& pos : positions) {
        if (pos.symbol == p.perp->symbol) {
          exchange_perp = pos.net_quantity;
          entry_price = pos.entry_price;
        }
      }
      Recovered& rc = recovered_[p.index];
      const Decimal journal_perp = rc.perp.quantity();
      const Decimal spot = rc.spot.quantity();
      const Decimal tolerance = std::max(p.spot->step_size, p.perp->step_size);
      if (exchange_perp == journal_perp) {
        if (journal_perp.is_zero() && spot.abs() <= tolerance) continue;  // flat
        rc.restore = true;
        rc.unwind = (spot + journal_perp).abs() > tolerance;
        continue;
      }
      const std::string what = "the exchange holds " + exchange_perp.str() + " " + p.perp->symbol +
                               " but the journal explains " + journal_perp.str() + " (spot leg " + spot.str() + ")";
      const UnexplainedDecision d = decide_unexplained(opts_, *log_, {"pair " + p.base + ": " + what, false, true});
      switch (d.action) {
        case RecoveryOptions::Unexplained::kRefuse:
          return fail_(d.refusal);
        case RecoveryOptions::Unexplained::kFlag:
          flagged_ = true;
          rc = Recovered{};
          break;
        case RecoveryOptions::Unexplained::kAdopt: {
          LegPosition perp;
          const Decimal price = entry_price.is_positive() ? entry_price : rc.perp.average_price();
          if (price.is_positive()) perp.apply(exchange_perp, price);
          rc.perp = perp;
          rc.restore = !perp.flat() || !spot.is_zero();
          rc.unwind = true;
          break;
        }
      }
    }
    if (opts_.check_single_positions && !reconcile_single_positions(positions)) return;
    check_equity();
  });
}

bool Recovery::in_a_pair(std::string_view symbol) const noexcept {
  for (const PairRef& p : pairs_)
    if (p.spot->symbol == symbol || p.perp->symbol == symbol) return true;
  for (const std::string& m : opts_.cross_venue_markets)
    if (m == symbol) return true;
  return false;
}

// A market no pair trades has no journal position: what the journal knows of it is its single orders' fills
// (intents without a pair). A position they do not add up to was opened by hand, by another program on the
// account, or before this journal: the same policy as a pair's unexplained perp.
bool Recovery::reconcile_single_positions(std::span<const exec::PositionReport> positions) {
  journal::Journal* jr = journal_.journal();
  std::vector<journal::FillRecord> fills;
  bool fills_read = false;
  for (std::size_t i = venue_market(0); i < markets_.size(); i = venue_market(i + 1)) {
    const std::string& symbol = symbol_of(i);
    if (in_a_pair(symbol)) continue;
    Decimal held;
    for (const exec::PositionReport& pos : positions)
      if (pos.symbol == symbol) held = pos.net_quantity;
    if (jr != nullptr && !fills_read) {
      auto all = jr->fills_since(0);
      if (!all) {
        fail_("journal " + jr->path() + ": " + jr->last_error());
        return false;
      }
      fills = std::move(*all);
      fills_read = true;
    }
    Decimal explained;
    for (const journal::FillRecord& f : fills) {
      if (f.venue != opts_.venue || f.symbol != symbol || f.client_id == 0) continue;
      auto intent = jr->find_intent(f.client_id);
      if (!intent || !*intent || !(*intent)->intent.pair.empty()) continue;  // not ours, or a pair's leg
      explained += f.side == Side::kBid ? f.quantity : -f.quantity;
    }
    if (held == explained) continue;
    const std::string what = venue_prefix() + symbol + ": the exchange holds " + held.str() +
                             " but the journal's single orders explain " + explained.str();
    const UnexplainedDecision d = decide_unexplained(opts_, *log_, {what, false, false});
    if (d.action == RecoveryOptions::Unexplained::kRefuse) {
      fail_(d.refusal);
      return false;
    }
    flagged_ = true;
  }
  return true;
}

// Refuse to start below the configured equity floor: the risk gate would refuse every entry anyway, and an
// operator should hear it at start-up, not discover it in the logs hours later.
void Recovery::check_equity() {
  venue_.equity([this](const exec::VenueError* err, const exec::EquityReport& c) {
    if (err) return fail_(err->request + " failed: " + err->message);
    if (c.net_equity < opts_.min_account_balance_usd)
      return fail_("net equity " + usd(c.net_equity) + " USD is below risk.min_account_balance_usd " +
                   usd(opts_.min_account_balance_usd) + " USD (" + opts_.source_path + ")");
    if (opts_.venue == VenueId::kBackpack)
      log_->info("Account net equity {} USD (available {} USD)", usd(c.net_equity), usd(c.available));
    else
      log_->info("{} account net equity {} USD (available {} USD)", venue_name(opts_.venue), usd(c.net_equity),
                 usd(c.available));
    done_();
  });
}

void Recovery::restore(exec::ArbEngine& engine, Portfolio& portfolio, RiskGate& risk,
                       const std::function<void(const StateChange&, std::string_view)>& on_state) {
  const TimestampUs now = clock_.now_us();
  for (const PairRef& p : pairs_) {
    Recovered& rc = recovered_[p.index];
    if (!rc.restore) continue;
    RestoredState rp;
    rp.spot_qty = rc.spot.quantity();
    rp.spot_cost = rc.spot.cost();
    rp.perp_qty = rc.perp.quantity();
    rp.perp_cost = rc.perp.cost();
    rp.realized_pnl = rc.realized;
    rp.fees_usd = rc.fees;
    rp.funding = rc.funding;
    rp.entry_basis = rc.record ? rc.record->entry_basis : Decimal{};
    rp.opened_at_us = rc.opened_us;
    if (!engine.restore_position(p.index, rp, now)) {
      log_->error("Recovery: could not restore {} (spot {} perp {}); starting ReduceOnly", p.base, rp.spot_qty.str(),
                  rp.perp_qty.str());
      flagged_ = true;
      continue;
    }
    const PositionState& pos = portfolio.position(p.index);
    // A position keeps its number across restarts: its journal row goes on (one row per position, so the
    // journal's rows add up to the account's P&L).
    if (rc.record) journal_.restore_position_id(pos.id, rc.record->position_id);
    journal_.position(p.base, pos);
    log_->warn(
        "Recovery: restored position {} spot={} perp={} as #{} (realized {} fees {} funding {} so far; {} "
        "fill(s) made while down)",
        p.base, rp.spot_qty.str(), rp.perp_qty.str(), journal_.position_id(pos.id), rp.realized_pnl.str(),
        rp.fees_usd.str(), rp.funding.str(), rc.fills_recovered);
    if (rc.unwind) {
      log_->warn("Recovery: {} legs are not delta-neutral (spot {} vs perp {}): unwinding both legs to flat", p.base,
                 rp.spot_qty.str(), rp.perp_qty.str());
      engine.force_exit(p.index, ExitReason::kRecoveryUnwind);
    }
  }
  journal::Journal* jr = journal_.journal();
  // Open journal positions that the venue no longer shows (closed while we were down): archive them.
  for (const PairRef& p : pairs_) {
    Recovered& rc = recovered_[p.index];
    if (rc.restore || !rc.record) continue;
    journal::PositionRecord old = *rc.record;
    old.open = false;
    old.closed_us = now;
    old.spot_qty = rc.spot.quantity();
    old.spot_cost = rc.spot.cost();
    old.perp_qty = rc.perp.quantity();
    old.perp_cost = rc.perp.cost();
    old.realized = rc.realized;  // with the fills made while we were down
    old.fees = rc.fees;
    if (jr && !jr->upsert_position(old).ok()) journal_.fail();
    log_->info("Journal: position #{} {} is flat on the exchange; archived", old.position_id, old.pair);
  }
  if (jr) {
    // The daily loss budget survives restarts within the same UTC day.
    Decimal carried = journal_.daily_carried();
    if (auto b = jr->daily_baseline(); b && *b && (*b)->day_start_us == utc_day_start(now)) {
      carried = (*b)->baseline;
      engine.restore_daily_pnl((*b)->day_start_us, carried);
      log_->info("Journal: today's P&L so far {} USD carried over (daily loss limit {} USD)", usd(carried),
                 usd(opts_.max_daily_loss_usd));
    }
    journal_.restore_daily(utc_day_start(now), carried, portfolio.stats().realized_net);
    if (auto st = jr->trading_state(); st && *st && (*st)->state != "Active") {
      const journal::TradingStateRecord& t = **st;
      const bool stale_daily_loss =
          t.reason.rfind(to_string(StateReason::kDailyLoss), 0) == 0 && utc_day_start(t.since_us) != utc_day_start(now);
      if (opts_.resume || stale_daily_loss) {
        log_->warn("Journal: last run ended {} ({}); starting Active ({})", t.state, t.reason,
                   opts_.resume ? "--resume" : "a new UTC day resets the daily loss budget");
        if (!jr->set_trading_state({"Active", opts_.resume ? "operator: --resume" : "new UTC day", now}).ok())
          journal_.fail();
      } else {
        StateChange c =
            t.state == "Halted" ? risk.halt(StateReason::kOperator) : risk.set_reduce_only(StateReason::kOperator);
        log_->error("Journal: trading state {} restored from the last run ({}); `bparb run --resume` starts Active",
                    t.state, t.reason);
        (void)c;
      }
    }
  }
  if (flagged_) {
    StateChange c = risk.set_reduce_only(StateReason::kOperator);
    on_state(c, "recovery: a position the journal cannot explain (unexplained_positions = flag)");
  }
}

}  // namespace bparb::runtime
