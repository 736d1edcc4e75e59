#pragma once
// The operator's side of a running node: the status line (SIGUSR1), what a SIGHUP reload applies, the
// signal-driven exit lines and the service manager's watchdog keep-alive. Which signal means what and how
// the config file is read belong to the application: it maps signals to these calls and hands reload
// already-parsed values (or the reason the file was refused), so runtime/ needs neither the config format
// nor the service manager's protocol.
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/recovery.hpp"

namespace bparb::runtime {

// What the operator code tells the service manager (systemd's sd_notify in the daemon).
class ServiceNotice {
 public:
  virtual ~ServiceNotice() = default;
  virtual void ready() noexcept = 0;
  virtual void reloading() noexcept = 0;
  virtual void stopping() noexcept = 0;
  virtual void watchdog_ping() noexcept = 0;
  // How often to ping from the event loop; 0 = no watchdog.
  virtual DurationUs watchdog_ping_interval_us() const noexcept = 0;
};

// A SIGHUP reload as parsed by the application.
struct ReloadOutcome {
  enum class Status : std::uint8_t {
    kApplied,     // the file is valid: apply `params`/`limits`
    kInvalid,     // the file failed validation (`error` lists why)
    kUnreadable,  // the file could not be read or parsed (`error` says why)
  };
  Status status = Status::kUnreadable;
  std::string error;
  std::vector<std::string> restart_required;  // settings that changed but only take effect on a restart
  std::vector<std::string> changes;           // thresholds that changed, as "name old -> new"
  exec::EngineParams params;
  RiskLimits limits;
};

class Operator {
 public:
  Operator(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, ServiceNotice& service);

  // Pings the watchdog now and then every watchdog_ping_interval_us(), from the event loop itself: a wedged
  // loop stops the pings and the service manager restarts the process. Nothing when there is no watchdog.
  void arm_watchdog();
  void cancel() noexcept;  // stops the keep-alive (end of the run)

  // SIGHUP (or the operator's POST /api/v1/reload: `trigger` names which, at the head of the log lines):
  // thresholds only. `load` parses the file; an invalid file keeps every running setting. `engine` may be
  // null (still starting up): the new parameters then only reach the risk gate, and the engine is built
  // later from the application's (already updated) configuration. Returns what `load` said.
  ReloadOutcome reload(std::string_view path, const std::function<ReloadOutcome()>& load, exec::ArbEngine* engine,
                       RiskGate& risk, std::string_view trigger = "SIGHUP");

  // Reloads of this run that ended with `status`.
  std::uint64_t reloads(ReloadOutcome::Status status) const noexcept {
    return reloads_[static_cast<std::size_t>(status)];
  }

  // SIGUSR1: one line with the trading state, live orders, open positions and the journal's health.
  void log_status(const RiskGate& risk, const exec::ArbEngine* engine, const Portfolio* portfolio,
                  std::span<const PairRef> pairs, const JournalWriter& journal) const;

  // The lines of the first and of a repeated stop request. force_exit does not return: it flushes the log
  // and ends the process without settling (exit status 130; the next start recovers).
  void shutdown_requested(int signo) const;
  [[noreturn]] void force_exit(int signo) const;

 private:
  std::shared_ptr<spdlog::logger> log_;
  ServiceNotice& service_;
  boost::asio::steady_timer watchdog_timer_;
  std::array<std::uint64_t, 3> reloads_{};  // by ReloadOutcome::Status
};

}  // namespace bparb::runtime
