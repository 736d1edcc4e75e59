#include "bparb/app/service.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace bparb::app {

std::string_view notify_result_name(NotifyResult r) noexcept {
  switch (r) {
    case NotifyResult::kSent:
      return "sent";
    case NotifyResult::kInert:
      return "inert";
    case NotifyResult::kError:
      return "error";
  }
  return "?";
}

ServiceNotifier::ServiceNotifier() noexcept {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  enabled_ = sock != nullptr && *sock != '\0';
  std::uint64_t usec = 0;
  // > 0: enabled for this pid; 0: disabled; < 0: malformed WATCHDOG_USEC/PID (treated as disabled).
  if (sd_watchdog_enabled(0, &usec) > 0) watchdog_us_ = static_cast<DurationUs>(usec);
}

// Our own datagram send instead of sd_notify(3): libsystemd's socket is blocking, so a notify socket
// nobody reads (a wedged manager, a test) would block the event loop inside a watchdog ping. Here the
// send never blocks: a full queue is an error (EAGAIN) counted and dropped.
NotifyResult ServiceNotifier::send(const char* text) noexcept {
  if (!enabled_) return NotifyResult::kInert;
  auto fail = [this](int err) {
    ++errors_;
    last_errno_ = err;
    return NotifyResult::kError;
  };
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || (path[0] != '/' && path[0] != '@')) return fail(EAFNOSUPPORT);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::size_t len = std::strlen(path);
  if (len >= sizeof addr.sun_path) return fail(ENAMETOOLONG);
  std::memcpy(addr.sun_path, path, len);
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len + (path[0] == '@' ? 0 : 1));
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail(errno);
  const ssize_t n = ::sendto(fd, text, std::strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&addr), addr_len);
  const int err = errno;
  ::close(fd);
  if (n < 0) return fail(err);
  ++sent_;
  return NotifyResult::kSent;
}

// "<head>STATUS=<sanitized status>" in a stack buffer: no allocation, usable from the loop.
NotifyResult ServiceNotifier::send_with_status(const char* head, std::string_view status) noexcept {
  if (!enabled_) return NotifyResult::kInert;
  constexpr std::string_view kKey = "STATUS=";
  char buf[64 + kKey.size() + kMaxStatusChars + 1];
  std::size_t n = std::strlen(head);
  if (n > 64) return NotifyResult::kError;
  std::memcpy(buf, head, n);
  std::memcpy(buf + n, kKey.data(), kKey.size());
  n += kKey.size();
  const std::size_t len = status.size() < kMaxStatusChars ? status.size() : kMaxStatusChars;
  for (std::size_t i = 0; i < len; ++i) {
    const char c = status[i];
    // The protocol is newline-separated KEY=VALUE lines: a newline in the text would inject a key.
    buf[n++] = (c == '\n' || c == '\r' || c == '\0') ? ' ' : c;
  }
  buf[n] = '\0';
  return send(buf);
}

NotifyResult ServiceNotifier::ready() noexcept {
  return ready(std::string_view{});
}
NotifyResult ServiceNotifier::ready(std::string_view status) noexcept {
  if (reload_before_ready_) {
    reload_before_ready_ = false;
    return NotifyResult::kInert;
  }
  ready_sent_ = true;
  return status.empty() ? send("READY=1") : send_with_status("READY=1\n", status);
}
NotifyResult ServiceNotifier::status(std::string_view text) noexcept {
  return send_with_status("", text);
}
NotifyResult ServiceNotifier::watchdog_ping() noexcept {
  return send("WATCHDOG=1");
}
NotifyResult ServiceNotifier::reloading() noexcept {
  if (!ready_sent_) {
    reload_before_ready_ = true;
    return NotifyResult::kInert;
  }
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const auto usec =
      static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  char buf[64];
  std::snprintf(buf, sizeof buf, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
  return send(buf);
}
NotifyResult ServiceNotifier::stopping() noexcept {
  return send("STOPPING=1");
}
NotifyResult ServiceNotifier::watchdog_trigger() noexcept {
  return send("WATCHDOG=trigger");
}

}  // namespace bparb::app
