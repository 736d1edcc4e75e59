#pragma once
// systemd integration (Type=notify): readiness, status line, watchdog keep-alive and stop notice via
// the sd_notify protocol (our own non-blocking datagram send; libsystemd for the watchdog settings). Inert when the
// daemon is not started by systemd (NOTIFY_SOCKET unset): every call then returns kInert and costs nothing, so the
// daemon calls it unconditionally.
//
// Daemon usage:
//   ServiceNotifier svc;                        // reads NOTIFY_SOCKET / WATCHDOG_USEC once
//   ... start-up, reconcile ...
//   svc.ready();  svc.status("trading 5 pairs");
//   if (svc.watchdog_interval_us() > 0) arm a timer every svc.watchdog_ping_interval_us() -> watchdog_ping()
//   on SIGHUP: svc.reloading(); reload; svc.ready();   (RELOADING=1 + MONOTONIC_USEC, then READY=1)
//   on shutdown: svc.stopping();
// Ping the watchdog from the event loop itself (not a helper thread): a wedged loop must stop the pings
// so systemd restarts the process.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/runtime/operator.hpp"

namespace bparb::app {

enum class NotifyResult : std::uint8_t {
  kSent,   // delivered to systemd
  kInert,  // not running under systemd (NOTIFY_SOCKET unset): nothing done
  kError,  // NOTIFY_SOCKET set but sending failed (errno in last_errno())
};
std::string_view notify_result_name(NotifyResult r) noexcept;

class ServiceNotifier {
 public:
  // Longest STATUS= text sent; longer text is cut (systemd shows one line anyway).
  static constexpr std::size_t kMaxStatusChars = 400;

  // Reads the environment (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID). Does not modify it, so child
  // processes would inherit it — the daemon starts none.
  ServiceNotifier() noexcept;

  bool enabled() const noexcept { return enabled_; }
  // WatchdogSec as seen by this process (0 = no watchdog, or WATCHDOG_PID names another process).
  DurationUs watchdog_interval_us() const noexcept { return watchdog_us_; }
  // Half the interval, as sd_watchdog_enabled(3) recommends; 0 when there is no watchdog.
  DurationUs watchdog_ping_interval_us() const noexcept { return watchdog_us_ / 2; }

  NotifyResult ready() noexcept;  // READY=1 (+ STATUS= when given)
  NotifyResult ready(std::string_view status) noexcept;
  NotifyResult status(std::string_view text) noexcept;  // STATUS=<text>; newlines become spaces
  NotifyResult watchdog_ping() noexcept;                // WATCHDOG=1
  // RELOADING=1 with MONOTONIC_USEC=<CLOCK_MONOTONIC now> (systemd >= 253 wants both for Type=notify-reload
  // and checks the timestamp; older managers ignore the extra key). Follow with ready() when done. Before the
  // first ready() the manager still sees the start-up: the reload's pair of notices is not sent at all (the
  // reload's ready() would otherwise announce readiness before the books are synced).
  NotifyResult reloading() noexcept;
  NotifyResult stopping() noexcept;  // STOPPING=1
  // Asks systemd to restart us now (WATCHDOG=trigger): for a detected wedge that the loop itself sees.
  NotifyResult watchdog_trigger() noexcept;

  // True once ready() was called (whether or not a manager listens).
  bool ready_sent() const noexcept { return ready_sent_; }
  std::uint64_t sent_count() const noexcept { return sent_; }
  std::uint64_t error_count() const noexcept { return errors_; }
  int last_errno() const noexcept { return last_errno_; }

 private:
  NotifyResult send(const char* text) noexcept;
  NotifyResult send_with_status(const char* head, std::string_view status) noexcept;

  bool enabled_ = false;
  bool ready_sent_ = false;
  bool reload_before_ready_ = false;  // the next ready() closes a reload that was not announced
  DurationUs watchdog_us_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t errors_ = 0;
  int last_errno_ = 0;
};

// runtime::Operator's and runtime::Node's view of systemd.
class SystemdNotice final : public runtime::ServiceNotice {
 public:
  explicit SystemdNotice(ServiceNotifier& svc) noexcept : svc_(svc) {}
  void ready() noexcept override { svc_.ready(); }
  void reloading() noexcept override { svc_.reloading(); }
  void stopping() noexcept override { svc_.stopping(); }
  void watchdog_ping() noexcept override { svc_.watchdog_ping(); }
  DurationUs watchdog_ping_interval_us() const noexcept override { return svc_.watchdog_ping_interval_us(); }

 private:
  ServiceNotifier& svc_;
};

}  // namespace bparb::app
