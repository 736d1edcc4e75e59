#include "bparb/runtime/reconciler.hpp"

#include <chrono>
#include <utility>

#include "bparb/runtime/fills_window.hpp"
#include "bparb/runtime/ingest_fill.hpp"
#include "bparb/runtime/log_lines.hpp"

namespace bparb::runtime {

Reconciler::Reconciler(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock,
                       JournalWriter& journal, exec::ReconciliationVenue& venue, std::vector<PairRef> pairs,
                       std::string quote_asset, FeeSchedule fees, ReconcilerOptions opts)
    : log_(std::move(log)),
      clock_(clock),
      journal_(journal),
      venue_(venue),
      pairs_(std::move(pairs)),
      quote_asset_(std::move(quote_asset)),
      fees_(fees),
      opts_(opts),
      account_timer_(io),
      funding_timer_(io),
      fills_timer_(io) {}

const PairRef* Reconciler::pair_of(std::string_view symbol) const noexcept {
  for (const PairRef& p : pairs_)
    if (p.spot->symbol == symbol || p.perp->symbol == symbol) return &p;
  return nullptr;
}

void Reconciler::start(exec::ArbEngine& engine, Portfolio& portfolio, ClientId first_client_id) {
  engine_ = &engine;
  portfolio_ = &portfolio;
  first_client_id_ = first_client_id;
  poll_account();
  baseline_funding();
  schedule_fills_reconcile();
}

void Reconciler::cancel() {
  account_timer_.cancel();
  funding_timer_.cancel();
  fills_timer_.cancel();
}

void Reconciler::journal_daily_pnl() {
  journal_.daily_pnl(portfolio_->stats().realized_net);
}

void Reconciler::poll_account() {
  venue_.account([this](const exec::VenueError* err, const exec::EquityReport& eq,
                        const std::span<const exec::BalanceReport>* balances) {
    if (err) {
      log_->warn("Account poll failed: {} {}", err->code, err->message);
      return schedule_account_poll();
    }
    if (balances && !opts_.feeds_engine_account) {
      net_equity_ = eq.net_equity;
      equity_ = eq;  // this venue's margin: the operator's figures and the cross-venue strategy's cap there
      engine_->on_venue_account(opts_.venue, exec::VenueAccount{true, eq.net_equity, eq.available, eq.locked});
    }
    if (balances && opts_.feeds_engine_account) {
      exec::AccountSnapshot snap;
      snap.view.fees = fees_;
      snap.net_equity = eq.net_equity;
      net_equity_ = eq.net_equity;
      equity_ = eq;
      snap.view.available_margin = eq.available;
      snap.initial_margin_used = eq.locked;
      for (const exec::BalanceReport& bal : *balances) {
        if (bal.asset == quote_asset_) snap.view.available_quote = bal.available;
        for (const PairRef& p : pairs_)
          if (bal.asset == p.spot->base_symbol) snap.available_base[p.index] = bal.available;
      }
      engine_->on_account(snap, clock_.now_us());
    }
    journal_daily_pnl();
    schedule_account_poll();
  });
}

void Reconciler::schedule_account_poll() {
  if (stopping_) return;
  account_timer_.expires_after(std::chrono::microseconds(opts_.account_poll_us));
  account_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) poll_account();
  });
}

// ---- Fills reconciliation (fills cross-checked with the venue's fills history). The private stream is the
// fast path; a fill it lost (a dropped frame, a WebSocket drop during a fill) is found in the history and
// booked once (the journal and the engine dedup by trade id). A row must be missing on two polls in a row
// before it is booked, so a stream frame still in flight is not raced.
void Reconciler::schedule_fills_reconcile() {
  if (stopping_ || !engine_) return;
  fills_timer_.expires_after(std::chrono::microseconds(opts_.fills_reconcile_us));
  fills_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) reconcile_fills(false, {});
  });
}

// `final_pass` (before exit): every fill the engine is missing is booked at once, without waiting for a
// second poll (nothing is in flight any more); `done` runs after the answer is booked.
void Reconciler::reconcile_fills(bool final_pass, std::function<void()> done) {
  std::int64_t oldest_suspect_ms = 0;
  for (const auto& [trade_id, ts_ms] : fills_suspect_)
    if (oldest_suspect_ms == 0 || ts_ms < oldest_suspect_ms) oldest_suspect_ms = ts_ms;
  const std::int64_t sent_ms = clock_.now_us() / kUsPerMs;
  const std::int64_t from_ms =
      fills_window_from_ms(opts_.started_us / kUsPerMs, fills_last_ok_sent_ms_, oldest_suspect_ms);
  venue_.recent_fills(
      from_ms, 1000,
      [this, sent_ms, final_pass, done = std::move(done)](const exec::VenueError* err,
                                                          std::span<const exec::FillReport> fills) {
        const auto next = [&] {
          if (done) return done();
          schedule_fills_reconcile();
        };
        if (err) {
          log_->debug("Fills reconciliation: GET fills failed ({} {}); next poll retries", err->code, err->message);
          return next();
        }
        const ClientId lo = first_client_id_;
        const ClientId hi = engine_->next_client_id();
        fills_last_ok_sent_ms_ = sent_ms;
        std::map<std::int64_t, std::int64_t> still_missing;  // trade id -> venue timestamp (ms)
        for (const exec::FillReport& f : fills) {            // oldest first
          if (!f.has_client_id || f.trade_id < 0 || f.client_id < lo || f.client_id >= hi) continue;
          if (engine_->trade_known(f.client_id, f.trade_id) != exec::ArbEngine::TradeKnown::kMissing) continue;
          if (!final_pass && !fills_suspect_.count(f.trade_id)) {
            still_missing.emplace(f.trade_id, f.time_us / kUsPerMs);
            continue;
          }
          if (fills_reported_.insert(f.trade_id).second) {
            ++fills_missing_from_stream_;
            log_->warn(
                "Fills reconciliation: trade {} of order #{} ({} {} {} @ {}) is in the fills history "
                "but never came on the order stream; booking it",
                f.trade_id, f.client_id, f.symbol, side_name(f.side), f.quantity.str(), f.price.str());
            if (on_mismatch_)
              on_mismatch_(
                  fmt::format("trade {} of order #{} ({} {} {} @ {}) was missing from the order stream; "
                              "booked from the fills history",
                              f.trade_id, f.client_id, f.symbol, side_name(f.side), f.quantity.str(), f.price.str()));
          }
          ingest_fill(journal_, f, [this](const exec::FillReport& r) {
            engine_->on_order_update(fill_update(r), clock_.now_us());
            // The order's own end was lost with its stream too: once this fill completes it, the engine holds it
            // filled and no query will follow, so its intent is closed here (else it stays open in the journal).
            const oms::Order* o = engine_->orders().find(r.client_id);
            if (o && o->state() == oms::OrderState::kFilled)
              journal_.ack(r.client_id, {}, journal::OrderRecordState::kFilled, o->booked(), opts_.venue);
          });
        }
        fills_suspect_ = std::move(still_missing);
        next();
      });
}

void Reconciler::final_pass(std::function<void()> done) {
  funding_timer_.cancel();
  fills_timer_.cancel();
  reconcile_fills(true, [this, done = std::move(done)]() mutable { poll_funding(std::move(done)); });
}

namespace {
std::string funding_key(const exec::FundingReport& f) {
  return std::string(f.symbol) + "@" + std::to_string(f.interval_end_ms);
}
}  // namespace

// Funding payments are booked from the venue's own history, once each (the journal is the dedup of record
// across runs; seen_funding_ within one), to the position that held the perp at the venue's settlement time
// (docs/money.md).
void Reconciler::baseline_funding() {
  fetch_funding([this](std::span<const exec::FundingReport> payments) {
    for (const auto& f : payments) {
      seen_funding_.insert(funding_key(f));
      if (!journal_.funding(std::string(f.symbol), f.interval_end_ms, f.quantity, opts_.venue))
        continue;  // an earlier run's
      const PairRef* p = pair_of(f.symbol);
      if (!p) continue;
      const TimestampUs settled_us = f.interval_end_ms * kUsPerMs;
      log_->warn("Journal: funding {} {} USDC for the interval ending {} was settled while bparb was down", f.symbol,
                 f.quantity.str(), f.interval_end_ms);
      if (portfolio_->has_open(p->index) && portfolio_->position(p->index).opened_venue_us <= settled_us) {
        engine_->on_funding_payment(p->index, f.quantity, settled_us);  // the restored position held it
        continue;
      }
      book_funding_to_journal_position(*p, f.quantity, settled_us);
    }
    schedule_funding_poll();
  });
}

// A payment for a position of an earlier run that is closed now: its journal row takes it, and today's P&L
// (this run's totals) counts it, since no run has reported it yet.
void Reconciler::book_funding_to_journal_position(const PairRef& p, Decimal amount, TimestampUs settled_us) {
  engine_->on_funding_payment(p.index, amount, settled_us);  // totals; no position of this run held it
  journal::Journal* jr = journal_.journal();
  if (!jr) return;
  auto held = jr->position_held_at(p.base, settled_us);
  if (!held) return journal_.fail();
  if (!*held) {
    log_->warn("Journal: no position of {} was open when that funding settled; it counts in the totals only", p.base);
    return;
  }
  journal::PositionRecord r = **held;
  r.funding += amount;
  if (!jr->upsert_position(r).ok()) return journal_.fail();
  log_->info("Journal: funding {} USDC booked to position #{} {} (closed): now {}", amount.str(), r.position_id, p.base,
             pnl_parts(r.realized, r.fees, r.funding));
}

// One look at the funding history; `done` runs with the payments oldest first (empty on failure).
void Reconciler::fetch_funding(std::function<void(std::span<const exec::FundingReport>)> done) {
  venue_.funding_history(
      1000, [this, done = std::move(done)](const exec::VenueError* err, std::span<const exec::FundingReport> payments) {
        if (err) {
          log_->debug("Funding poll failed ({} {}); the next poll retries", err->code, err->message);
          return done({});
        }
        done(payments);
      });
}

// Books what the history has that this run has not seen. Returns through `done` when booked.
void Reconciler::poll_funding(std::function<void()> done) {
  fetch_funding([this, done = std::move(done)](std::span<const exec::FundingReport> payments) {
    for (const auto& f : payments) {
      if (!seen_funding_.insert(funding_key(f)).second) continue;
      if (!journal_.funding(std::string(f.symbol), f.interval_end_ms, f.quantity, opts_.venue))
        continue;  // an earlier run's
      if (const PairRef* p = pair_of(f.symbol))
        engine_->on_funding_payment(p->index, f.quantity, f.interval_end_ms * kUsPerMs);
      else if (on_unpaired_funding_)
        on_unpaired_funding_(f.symbol, f.quantity, f.interval_end_ms * kUsPerMs);
    }
    done();
  });
}

void Reconciler::schedule_funding_poll() {
  if (stopping_) return;
  funding_timer_.expires_after(std::chrono::microseconds(opts_.funding_poll_us));
  funding_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) poll_funding([this] { schedule_funding_poll(); });
  });
}

void Reconciler::poll_funding_soon() {
  if (stopping_ || funding_soon_pending_ || !engine_) return;
  funding_soon_pending_ = true;
  poll_funding([this] { funding_soon_pending_ = false; });
}

}  // namespace bparb::runtime
