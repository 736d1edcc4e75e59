#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>

#include "bparb/app/ready_gate.hpp"
#include "bparb/app/service.hpp"

namespace bparb::app {
namespace {

// Sets or unsets an environment variable for the scope of a test, restoring the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
      had_ = true;
    }
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

// A unix datagram socket standing in for systemd's notify socket.
class FakeNotifySocket {
 public:
  FakeNotifySocket() {
    path_ =
        (std::filesystem::temp_directory_path() / ("bparb_notify_" + std::to_string(::getpid()) + ".sock")).string();
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0) << std::strerror(errno);
    timeval tv{2, 0};  // bound wait: a missing message fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~FakeNotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

  // Next datagram, or "<timeout>".
  std::string receive() {
    char buf[1024];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return "<timeout>";
    return std::string(buf, static_cast<std::size_t>(n));
  }
  // True when nothing is queued.
  bool empty() {
    char c;
    return ::recv(fd_, &c, 1, MSG_DONTWAIT | MSG_PEEK) < 0;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(ServiceNotifier, SendsReadyStatusWatchdogAndStopping) {
  FakeNotifySocket sock;
  ScopedEnv ns("NOTIFY_SOCKET", sock.path().c_str());
  ScopedEnv wu("WATCHDOG_USEC", "30000000");
  ScopedEnv wp("WATCHDOG_PID", std::to_string(::getpid()).c_str());

  ServiceNotifier svc;
  EXPECT_TRUE(svc.enabled());
  EXPECT_EQ(svc.watchdog_interval_us(), 30 * kUsPerSecond);
  EXPECT_EQ(svc.watchdog_ping_interval_us(), 15 * kUsPerSecond);

  EXPECT_EQ(svc.ready(), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "READY=1");
  EXPECT_EQ(svc.status("trading 5 pairs"), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "STATUS=trading 5 pairs");
  EXPECT_EQ(svc.watchdog_ping(), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "WATCHDOG=1");
  EXPECT_EQ(svc.reloading(), NotifyResult::kSent);
  const std::string reloading = sock.receive();
  // RELOADING=1 carries CLOCK_MONOTONIC in microseconds (systemd >= 253 checks it against its own clock).
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const unsigned long long now_us = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + ts.tv_nsec / 1000;
  const std::string key = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(reloading.rfind(key, 0), 0u) << reloading;
  const unsigned long long sent_us = std::stoull(reloading.substr(key.size()));
  EXPECT_LE(sent_us, now_us);
  EXPECT_GT(sent_us + 10'000'000ULL, now_us);
  EXPECT_EQ(svc.ready("reloaded"), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "READY=1\nSTATUS=reloaded");
  EXPECT_EQ(svc.stopping(), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "STOPPING=1");
  EXPECT_EQ(svc.sent_count(), 6u);
  EXPECT_EQ(svc.error_count(), 0u);
  EXPECT_TRUE(sock.empty());
}

// A reload during start-up (SIGHUP before READY=1) must not announce readiness: neither its RELOADING=1 nor
// its closing READY=1 is sent; the start-up's own ready() is.
TEST(ServiceNotifier, AReloadBeforeReadyIsNotAnnounced) {
  FakeNotifySocket sock;
  ScopedEnv ns("NOTIFY_SOCKET", sock.path().c_str());
  ServiceNotifier svc;
  EXPECT_FALSE(svc.ready_sent());
  EXPECT_EQ(svc.reloading(), NotifyResult::kInert);
  EXPECT_EQ(svc.ready(), NotifyResult::kInert);
  EXPECT_TRUE(sock.empty());
  EXPECT_FALSE(svc.ready_sent());
  EXPECT_EQ(svc.ready("trading"), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "READY=1\nSTATUS=trading");
  EXPECT_TRUE(svc.ready_sent());
  EXPECT_EQ(svc.reloading(), NotifyResult::kSent);
  EXPECT_EQ(sock.receive().rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u);
  EXPECT_EQ(svc.ready(), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "READY=1");
}

// READY=1 waits for every traded book: STATUS= counts them meanwhile (once per change), READY=1 carries the
// trading status; a run that ends first (cancel) never says READY=1.
TEST(ReadyAfterBookSync, ReadyOnlyOnceEveryBookIsSynced) {
  FakeNotifySocket sock;
  ScopedEnv ns("NOTIFY_SOCKET", sock.path().c_str());
  ServiceNotifier svc;
  boost::asio::io_context io;
  auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_st>());
  ReadyAfterBookSync gate(io, log, svc);
  std::size_t synced = 0;
  gate.start(
      4, [&] { return synced; }, [] { return std::string("trading 2 pair(s)"); });
  EXPECT_EQ(sock.receive(), "STATUS=starting: waiting for order books (0/4 synced)");
  io.run_for(std::chrono::microseconds(3 * ReadyAfterBookSync::kPollUs));
  EXPECT_TRUE(sock.empty());  // no change, no new STATUS=
  synced = 3;
  for (int i = 0; i < 100 && sock.empty(); ++i) io.run_one_for(std::chrono::microseconds(ReadyAfterBookSync::kPollUs));
  EXPECT_EQ(sock.receive(), "STATUS=starting: waiting for order books (3/4 synced)");
  EXPECT_FALSE(gate.ready());
  EXPECT_FALSE(svc.ready_sent());
  synced = 4;
  for (int i = 0; i < 100 && !gate.ready(); ++i) io.run_one_for(std::chrono::microseconds(ReadyAfterBookSync::kPollUs));
  EXPECT_TRUE(gate.ready());
  EXPECT_EQ(sock.receive(), "READY=1\nSTATUS=trading 2 pair(s)");
  EXPECT_TRUE(svc.ready_sent());
  EXPECT_TRUE(sock.empty());
}

TEST(ReadyAfterBookSync, CancelledBeforeTheBooksSyncedNeverSaysReady) {
  FakeNotifySocket sock;
  ScopedEnv ns("NOTIFY_SOCKET", sock.path().c_str());
  ServiceNotifier svc;
  boost::asio::io_context io;
  auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_st>());
  ReadyAfterBookSync gate(io, log, svc);
  std::size_t synced = 1;
  gate.start(
      2, [&] { return synced; }, [] { return std::string("trading"); });
  EXPECT_EQ(sock.receive(), "STATUS=starting: waiting for order books (1/2 synced)");
  gate.cancel();
  synced = 2;
  io.run();  // the cancelled wait completes; nothing else is queued
  EXPECT_FALSE(gate.ready());
  EXPECT_TRUE(sock.empty());
}

TEST(ServiceNotifier, StatusCannotInjectKeysAndIsBounded) {
  FakeNotifySocket sock;
  ScopedEnv ns("NOTIFY_SOCKET", sock.path().c_str());
  ServiceNotifier svc;
  EXPECT_EQ(svc.status("halted\nREADY=1"), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "STATUS=halted READY=1");
  const std::string long_text(2000, 'a');
  EXPECT_EQ(svc.status(long_text), NotifyResult::kSent);
  EXPECT_EQ(sock.receive(), "STATUS=" + std::string(ServiceNotifier::kMaxStatusChars, 'a'));
}

TEST(ServiceNotifier, InertWithoutNotifySocket) {
  ScopedEnv ns("NOTIFY_SOCKET", nullptr);
  ScopedEnv wu("WATCHDOG_USEC", nullptr);
  ServiceNotifier svc;
  EXPECT_FALSE(svc.enabled());
  EXPECT_EQ(svc.watchdog_interval_us(), 0);
  EXPECT_EQ(svc.watchdog_ping_interval_us(), 0);
  EXPECT_EQ(svc.ready(), NotifyResult::kInert);
  EXPECT_EQ(svc.status("x"), NotifyResult::kInert);
  EXPECT_EQ(svc.watchdog_ping(), NotifyResult::kInert);
  EXPECT_EQ(svc.stopping(), NotifyResult::kInert);
  EXPECT_EQ(svc.sent_count(), 0u);
  EXPECT_EQ(svc.error_count(), 0u);
}

TEST(ServiceNotifier, WatchdogForAnotherPidIsIgnored) {
  FakeNotifySocket sock;
  ScopedEnv ns("NOTIFY_SOCKET", sock.path().c_str());
  ScopedEnv wu("WATCHDOG_USEC", "30000000");
  ScopedEnv wp("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str());
  ServiceNotifier svc;
  EXPECT_TRUE(svc.enabled());
  EXPECT_EQ(svc.watchdog_interval_us(), 0);
}

TEST(ServiceNotifier, MalformedWatchdogUsecMeansNoWatchdog) {
  ScopedEnv ns("NOTIFY_SOCKET", nullptr);
  ScopedEnv wu("WATCHDOG_USEC", "thirty");
  ScopedEnv wp("WATCHDOG_PID", nullptr);
  ServiceNotifier svc;
  EXPECT_EQ(svc.watchdog_interval_us(), 0);
}

TEST(ServiceNotifier, UnreachableSocketIsAnErrorNotACrash) {
  const std::string missing =
      (std::filesystem::temp_directory_path() / ("bparb_no_such_" + std::to_string(::getpid()) + ".sock")).string();
  ScopedEnv ns("NOTIFY_SOCKET", missing.c_str());
  ServiceNotifier svc;
  EXPECT_TRUE(svc.enabled());
  EXPECT_EQ(svc.ready(), NotifyResult::kError);
  EXPECT_EQ(svc.error_count(), 1u);
  EXPECT_NE(svc.last_errno(), 0);
  EXPECT_EQ(notify_result_name(NotifyResult::kError), "error");
}

}  // namespace
}  // namespace bparb::app
