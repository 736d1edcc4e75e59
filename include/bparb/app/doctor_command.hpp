#pragma once
// `bparb doctor [--config FILE] [--env-file FILE] [--json]`: the pre-flight checks an operator runs before
// starting the daemon, each answered as one line `ok|warn|fail <check>: <detail>` and a summary.
//
//   config   the same validation as `bparb check-config`
//   keys     BACKPACK_PRIVATE_KEY / BACKPACK_API_KEY present and valid, the .env file mode 0600
//   venue    GET /api/v1/markets answers (latency shown)
//   clock    local clock against the venue's /api/v1/time (warn past kClockWarnMs, fail past kClockFailMs)
//   account  a signed GET /api/v1/account answers (the venue accepts the key)
//   markets  every traded pair's spot and perp market exists and is open
//   journal  the journal's directory writable; the schema version of an existing journal readable
//   service  [service] port free, or a running daemon answering /healthz on it
//   lighter  when [venues.lighter] is configured: what `bparb lighter check` answers
// In paper mode the venue checks run against an embedded bpsim exactly as the daemon's would (a fresh
// simulated account and key): they prove the paper setup (sim_config, traded markets) works.
//
// Exit status: 0 every check ok, 1 warnings only, 2 bad usage or invalid config, 3 a check failed.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bparb::app {

inline constexpr int kDoctorWarnings = 1;
inline constexpr int kDoctorFailed = 3;
// Clock skew bounds (docs/backpack.md §1.1, the request window): a signed request is refused once it is
// older than its X-Window, 5000 ms by default, measured on the venue's clock. The daemon corrects its
// timestamps by the offset it measures from /api/v1/time, so a skew is survivable; but past the window a
// request signed before that correction (or after the clock jumped) is certain to expire, hence fail past
// 5 s. Below a tenth of the window the correction leaves room for network latency: warn past 500 ms.
inline constexpr std::int64_t kClockWarnMs = 500;
inline constexpr std::int64_t kClockFailMs = 5000;

enum class CheckStatus : std::uint8_t { kOk, kWarn, kFail };
std::string_view check_status_name(CheckStatus s) noexcept;  // "ok" / "warn" / "fail"

struct CheckLine {
  CheckStatus status = CheckStatus::kOk;
  std::string check;   // "clock"
  std::string detail;  // never contains a secret
};

struct DoctorOptions {
  std::string config_path = "config/bparb.toml";
  std::string env_file;  // overrides exchange.env_file when set
  bool json = false;
  // Environment lookup for the keys (tests inject a map); default ::getenv.
  std::function<std::optional<std::string>(std::string_view)> getenv;
};

// Runs every check and prints them; returns the exit status above.
int run_doctor(const DoctorOptions& options, std::ostream& out, std::ostream& err);
// The exit status for a list of checks (0, 1 or 3).
int doctor_exit_code(std::span<const CheckLine> checks) noexcept;

int cmd_doctor(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
