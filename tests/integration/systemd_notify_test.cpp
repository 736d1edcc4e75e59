// The daemon under a stand-in for systemd: the built `bparb` runs in paper mode as a child process with
// NOTIFY_SOCKET naming a unix datagram socket of the test, which reads what the daemon tells the manager.
// The order is the contract a Type=notify unit relies on: STATUS= while starting, READY=1 only once the
// traded books are synced, RELOADING=1 (+ MONOTONIC_USEC) and READY=1 around a SIGHUP, STOPPING=1 on
// SIGTERM. The same run checks SIGUSR2: after the log file was renamed (logrotate), the daemon writes to
// a fresh file at the configured path.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "child_process_util.hpp"

namespace bparb {
namespace {

namespace fs = std::filesystem;
using testing::bparb_binary;
using testing::slurp_file;

// Unix datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path.string()) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }

  // Reads datagrams into `seen` until one starts with `prefix` (returned), or "" when `seconds` pass
  // without it (a bound on a broken run, not a timing assumption).
  std::string until(const std::string& prefix, int seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
      char buf[1024];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0) continue;
      seen.emplace_back(buf, static_cast<std::size_t>(n));
      if (seen.back().rfind(prefix, 0) == 0) return seen.back();
    }
    return "";
  }
  std::vector<std::string> seen;

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& m : v) s += "  [" + m + "]\n";
  return s;
}

TEST(SystemdNotify, ReadyAfterBookSyncReloadAroundSighupStoppingOnSigtermAndSigusr2ReopensTheLog) {
  if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  const fs::path dir = fs::temp_directory_path() / ("bparb_systemd_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // The default market model: its background trading moves the books, so they sync soon after the snapshot.
  std::ofstream(dir / "sim.toml") << "[runtime]\nseed = 7\nstep_interval_ms = 50\n";
  const fs::path log_path = dir / "arbitrage.log";
  std::ofstream(dir / "bparb.toml") << "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \""
                                    << (dir / "sim.toml").string() << "\"\nport = 0\n"
                                    << "[strategy]\nstats_interval_seconds = 1\n"
                                    << "[logging]\nfile = \"" << log_path.string()
                                    << "\"\nconsole = false\nlevel = \"info\"\nflush_interval_seconds = 1\n"
                                    << "[journal]\npath = \"" << (dir / "journal.sqlite").string() << "\"\n"
                                    << "[service]\nenabled = false\n";
  NotifySocket sock(dir / "notify.sock");
  ASSERT_TRUE(sock.bound()) << std::strerror(errno);

  // The child's environment: ours with NOTIFY_SOCKET set and no watchdog (pings would only add noise).
  std::vector<std::string> env{"NOTIFY_SOCKET=" + sock.path()};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    if (kv.rfind("NOTIFY_SOCKET=", 0) != 0 && kv.rfind("WATCHDOG_", 0) != 0) env.push_back(kv);
  }
  std::vector<char*> envp;
  for (std::string& kv : env) envp.push_back(kv.data());
  envp.push_back(nullptr);
  const std::string bin = bparb_binary().string();
  const std::string cfg = (dir / "bparb.toml").string();
  const std::string out = (dir / "out.txt").string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* f = std::freopen(out.c_str(), "w", stdout);
    (void)f;
    ::dup2(::fileno(stdout), 2);
    const char* argv[] = {"bparb", "run", "--config", cfg.c_str(), "--duration", "120", nullptr};
    ::execve(bin.c_str(), const_cast<char* const*>(argv), envp.data());
    ::_exit(127);
  }
  struct Reap {
    pid_t pid;
    ~Reap() {
      if (pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  } reap{pid};

  // Start-up: STATUS= lines, then READY=1 with the trading status once both SOL books are synced.
  const std::string ready = sock.until("READY=1", 60);
  ASSERT_EQ(ready.rfind("READY=1\nSTATUS=trading 1 pair(s), state ", 0), 0u)
      << joined(sock.seen) << slurp_file(out) << slurp_file(log_path);
  const std::vector<std::string> before_ready(sock.seen.begin(), sock.seen.end() - 1);
  ASSERT_GE(before_ready.size(), 2u) << joined(sock.seen);
  EXPECT_EQ(before_ready.front(), "STATUS=starting: reconciling with the exchange") << joined(sock.seen);
  // The gate said what it waits for (the stats line's STATUS= mirror may follow while it waits).
  EXPECT_EQ(before_ready[1], "STATUS=starting: waiting for order books (0/2 synced)") << joined(sock.seen);
  for (const std::string& m : before_ready) EXPECT_EQ(m.rfind("STATUS=", 0), 0u) << joined(sock.seen);
  sock.seen.clear();

  // logrotate renames the file; SIGUSR2 makes the daemon open a fresh one at the path.
  fs::rename(log_path, dir / "arbitrage.log.1");
  ASSERT_EQ(::kill(pid, SIGUSR2), 0);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!fs::exists(log_path) && std::chrono::steady_clock::now() < end) sock.until("<none>", 1);
  ASSERT_TRUE(fs::exists(log_path)) << "no new log file after SIGUSR2";

  // SIGHUP: RELOADING=1 with the monotonic clock, then READY=1 again.
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  const std::string reloading = sock.until("RELOADING=1", 20);
  EXPECT_EQ(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << joined(sock.seen);
  EXPECT_EQ(sock.until("READY=1", 20), "READY=1") << joined(sock.seen);

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(sock.until("STOPPING=1", 20), "STOPPING=1") << joined(sock.seen);
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  reap.pid = -1;
  ASSERT_TRUE(WIFEXITED(st)) << slurp_file(out);
  EXPECT_EQ(WEXITSTATUS(st), 0) << slurp_file(out);

  // After READY=1 only the status mirror of the stats line and the reload/stop notices: no second start.
  std::vector<std::string> notices;
  for (const std::string& m : sock.seen)
    if (m.rfind("STATUS=", 0) != 0) notices.push_back(m.substr(0, m.find('\n')));
  EXPECT_EQ(notices, (std::vector<std::string>{"RELOADING=1", "READY=1", "STOPPING=1"})) << joined(sock.seen);

  const std::string old_log = slurp_file(dir / "arbitrage.log.1");
  const std::string new_log = slurp_file(log_path);
  EXPECT_NE(old_log.find("Ready: 2 order book(s) synced after recovery; trading"), std::string::npos) << old_log;
  EXPECT_EQ(old_log.find("SIGUSR2"), std::string::npos) << old_log;
  EXPECT_NE(new_log.find("SIGUSR2: reopened log file " + log_path.string()), std::string::npos) << new_log;
  EXPECT_NE(new_log.find("SIGHUP: reloading " + cfg), std::string::npos) << new_log;
  EXPECT_EQ(new_log.find("Ready: "), std::string::npos) << new_log;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb
