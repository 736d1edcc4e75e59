#include "bparb/runtime/operator.hpp"

#include <chrono>
#include <cstdlib>
#include <utility>

namespace bparb::runtime {

Operator::Operator(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, ServiceNotice& service)
    : log_(std::move(log)), service_(service), watchdog_timer_(io) {}

void Operator::arm_watchdog() {
  const DurationUs every = service_.watchdog_ping_interval_us();
  if (every <= 0) return;
  service_.watchdog_ping();
  watchdog_timer_.expires_after(std::chrono::microseconds(every));
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) arm_watchdog();
  });
}

void Operator::cancel() noexcept {
  watchdog_timer_.cancel();
}

ReloadOutcome Operator::reload(std::string_view path, const std::function<ReloadOutcome()>& load,
                               exec::ArbEngine* engine, RiskGate& risk, std::string_view trigger) {
  service_.reloading();
  log_->info("{}: reloading {}", trigger, path);
  ReloadOutcome r = load();
  ++reloads_[static_cast<std::size_t>(r.status)];
  if (r.status == ReloadOutcome::Status::kInvalid) {
    log_->error("{}: {} is invalid; keeping the running settings:\n{}", trigger, path, r.error);
    service_.ready();
    return r;
  }
  if (r.status == ReloadOutcome::Status::kUnreadable) {
    log_->error("{}: cannot reload {}: {}; keeping the running settings", trigger, path, r.error);
    service_.ready();
    return r;
  }
  for (const std::string& c : r.restart_required)
    log_->warn("{}: {} needs a restart; keeping the running value", trigger, c);
  if (engine) engine->set_params(r.params);
  risk.set_limits(r.limits);
  if (r.changes.empty()) {
    log_->info("{}: reloaded {}: no threshold changed", trigger, path);
  } else {
    std::string list;
    for (const std::string& c : r.changes) list += (list.empty() ? "" : ", ") + c;
    log_->info("{}: reloaded {}: {}", trigger, path, list);
  }
  service_.ready();
  return r;
}

void Operator::log_status(const RiskGate& risk, const exec::ArbEngine* engine, const Portfolio* portfolio,
                          std::span<const PairRef> pairs, const JournalWriter& journal) const {
  std::string pos;
  if (portfolio) {
    for (const PairRef& p : pairs) {
      const PositionState& s = portfolio->position(p.index);
      if (!s.open) continue;
      pos += fmt::format(" {} #{} spot={} perp={};", p.base, journal.position_id(s.id), s.spot.quantity().str(),
                         s.perp.quantity().str());
    }
  }
  std::vector<std::pair<const MarketSpec*, ClientId>> live;
  if (engine) engine->live_orders(live);
  const journal::Journal* jr = journal.journal();
  log_->info("Status: state {} | live orders {} | open positions:{} | journal {}", to_string(risk.state()), live.size(),
             pos.empty() ? " none" : pos,
             jr ? (jr->healthy() ? "healthy" : "FAILED: " + jr->last_error()) : std::string("disabled"));
}

void Operator::shutdown_requested(int signo) const {
  log_->warn("Received signal {}: stopping (no new positions, cancelling resting orders)", signo);
}

void Operator::force_exit(int signo) const {
  log_->critical("Received signal {} again: exiting now without settling (the next start recovers)", signo);
  spdlog::default_logger()->flush();
  std::_Exit(130);
}

}  // namespace bparb::runtime
