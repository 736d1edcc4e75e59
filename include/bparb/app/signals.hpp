#pragma once
// Process signals -> daemon actions, delivered on the daemon's io_context (never in signal context).
//
//   SIGTERM, SIGINT (first)     kShutdown    stop opening, cancel resting orders, settle, exit 0
//   SIGTERM, SIGINT (again)     kForceExit   operator insists: exit now (systemd's stop timeout also ends it)
//   SIGHUP                      kReload      re-read the config (thresholds only; see restart_required_changes)
//   SIGUSR1                     kDumpStatus  log positions, orders, trading state
//   SIGUSR2                     kReopenLog   reopen the log file at its configured path (after logrotate renamed it)
// SIGPIPE is ignored process-wide by the watcher (a peer closing a socket must be an error code, not death).
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace bparb::app {

enum class SignalAction : std::uint8_t { kShutdown, kForceExit, kReload, kDumpStatus, kReopenLog, kIgnore };
std::string_view signal_action_name(SignalAction a) noexcept;  // "shutdown", "force-exit", ...

// Pure mapping used by SignalWatcher. `shutdown_requests_before` counts earlier SIGTERM/SIGINT.
SignalAction classify_signal(int signo, std::uint32_t shutdown_requests_before) noexcept;

class SignalWatcher {
 public:
  using Handler = std::function<void(SignalAction action, int signo)>;

  // Installs the handlers (start-up: allocates, may throw boost::system::system_error) and waits
  // asynchronously; `handler` runs on `io`'s thread. Destruction stops watching (pending waits cancelled).
  SignalWatcher(boost::asio::io_context& io, Handler handler);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Stops watching (e.g. at the end of a graceful shutdown). Idempotent.
  void cancel() noexcept;
  std::uint32_t shutdown_requests() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bparb::app
