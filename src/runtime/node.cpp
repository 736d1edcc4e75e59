#include "bparb/runtime/node.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace bparb::runtime {

Node::Node(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock, RiskGate& risk,
           const LogLines& lines, JournalWriter& journal, ServiceNotice& service, const NodeOptions& options)
    : log_(std::move(log)),
      clock_(clock),
      risk_(risk),
      lines_(lines),
      journal_(journal),
      service_(service),
      options_(options),
      timer_(io),
      final_timer_(io) {}

void Node::start(exec::ArbEngine& engine, Portfolio& portfolio, Reconciler& reconciler, std::vector<PairRef> pairs,
                 NodeHooks hooks) {
  engine_ = &engine;
  portfolio_ = &portfolio;
  reconciler_ = &reconciler;
  pairs_ = std::move(pairs);
  hooks_ = std::move(hooks);
  arm_timer();
}

void Node::cancel() noexcept {
  timer_.cancel();
}

bool Node::any_open() const noexcept {
  for (const PairRef& p : pairs_)
    if (portfolio_->has_open(p.index)) return true;
  return false;
}

// The soak report's "max unhedged" and its longest stretch above the threshold (dust from base-asset fees
// stays below it).
void Node::track_unhedged(TimestampUs now) {
  Decimal total;
  for (const PairRef& p : pairs_) {
    const PositionState& pos = portfolio_->position(p.index);
    if (!pos.open) continue;
    const Decimal mark = hooks_.mark(*p.perp);
    total += (pos.spot.quantity() + pos.perp.quantity()).abs().mul(mark, Rounding::kNearest);
  }
  if (total > max_unhedged_usd_) max_unhedged_usd_ = total;
  if (total > options_.unhedged_threshold_usd) {
    if (unhedged_since_us_ == 0) unhedged_since_us_ = now;
    longest_unhedged_us_ = std::max(longest_unhedged_us_, now - unhedged_since_us_);
  } else {
    unhedged_since_us_ = 0;
  }
}

void Node::arm_timer() {
  timer_.expires_after(std::chrono::microseconds(options_.tick_us));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const TimestampUs now = clock_.now_us();
    engine_->on_timer(now);
    if (hooks_.tick) hooks_.tick(now);
    track_unhedged(now);
    const bool idle = engine_->idle() && (!hooks_.idle || hooks_.idle());
    if (shutting_down_ && ((idle && !(flatten_ && any_open())) || now >= shutdown_deadline_us_)) {
      if (flatten_ && any_open())
        log_->error(
            "Shutdown: positions still open after {} s (flatten_on_shutdown); they stay as they are and "
            "the next start recovers them",
            options_.shutdown_timeout_us / kUsPerSecond);
      return finish();
    }
    arm_timer();
  });
}

void Node::begin_shutdown(const char* why) {
  if (shutting_down_ || !engine_) return;
  shutting_down_ = true;
  reconciler_->stop();
  service_.stopping();
  shutdown_deadline_us_ = clock_.now_us() + options_.shutdown_timeout_us;
  flatten_ = options_.flatten_on_shutdown;
  if (hooks_.shutdown_positions)
    log_->info("Shutting down ({}): cancelling resting orders; {}", why, hooks_.shutdown_positions());
  else
    log_->info("Shutting down ({}): no new positions; cancelling resting orders; {}", why,
               flatten_ ? "closing open positions (flatten_on_shutdown)" : "open positions stay hedged");
  engine_->stop_opening();
  if (flatten_) {
    for (const PairRef& p : pairs_) {
      if (engine_->force_exit(p.index, ExitReason::kFlattenOnShutdown))
        log_->warn("Shutdown: closing position {} (reduce-only, flatten_on_shutdown)", p.base);
    }
  }
  std::vector<exec::LiveOrder> live;
  engine_->live_orders(live);
  if (!live.empty()) hooks_.cancel_orders(live);
}

// Before exit, after the flatten: one last look at the exchange's fills and funding, so a fill the stream
// lost or a payment that settled since the last poll is in this run's P&L. Bounded: a venue that does not
// answer in time does not hold the exit (the next start books the rest).
void Node::finish() {
  if (finishing_) return;
  finishing_ = true;
  final_timer_.expires_after(std::chrono::microseconds(options_.final_pass_timeout_us));
  final_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    log_->warn("Shutdown: final reconciliation did not answer in time; the next start books what is missing");
    finish_now();
  });
  reconciler_->final_pass([this] {
    final_timer_.cancel();
    finish_now();
  });
}

void Node::finish_now() {
  if (finished_) return;
  finished_ = true;
  if (hooks_.stats_lines)
    for (const std::string& l : hooks_.stats_lines()) log_->info("{}", l);
  else
    lines_.stats(portfolio_->stats(), risk_.state());
  journal_.daily_pnl(portfolio_->stats().realized_net);
  hooks_.stop();
}

}  // namespace bparb::runtime
