#include "bparb/app/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "app_test_util.hpp"

namespace bparb::app {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kCliSrc = BPARB_SOURCE_DIR;

using Result = testing::CliResult;
constexpr auto run = testing::run_cli_captured;

// Sets/unsets environment variables for the scope of a test.
class CliScopedEnv {
 public:
  CliScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) {
      had_ = true;
      old_ = old;
    }
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~CliScopedEnv() {
    if (had_) {
      ::setenv(name_.c_str(), old_.c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  bool had_ = false;
  std::string old_;
};

TEST(Cli, CheckConfigOkOnShippedFiles) {
  Result r = run({"check-config", kCliSrc + "/config/bparb.toml"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "config OK: " + kCliSrc + "/config/bparb.toml (5 pairs, mode=live)\n");
  EXPECT_THAT(r.err, IsEmpty());
  r = run({"check-config", kCliSrc + "/config/paper.toml"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "config OK: " + kCliSrc + "/config/paper.toml (5 pairs, mode=paper)\n");
}

TEST(Cli, CheckConfigCountsEnabledPairsAndPrintsWarnings) {
  testing::ScratchDir dir;
  const std::string path = dir.file("two.toml");
  testing::write_file(path, "pairs = [\"SOL\", \"BTC\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" +
                                path + "\"\n[service]\naddress = \"0.0.0.0\"\nallow_remote = true\n");
  const Result r = run({"check-config", path});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "config OK: " + path + " (2 pairs, mode=paper)\n");
  EXPECT_THAT(r.err, StartsWith("warning: " + path + ": service.address 0.0.0.0 exposes"));
}

TEST(Cli, CheckConfigDocumentsTheServiceEndpoints) {
  testing::ScratchDir dir;
  const std::string path = dir.file("svc.toml");
  testing::write_file(path, "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" + path +
                                "\"\n[service]\nenabled = true\n");
  CliScopedEnv no_token("BPARB_CONTROL_TOKEN", nullptr);
  const Result r = run({"check-config", path});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "config OK: " + path +
                       " (1 pairs, mode=paper)\nservice: http://127.0.0.1:8780 serves GET / (the live page), /healthz "
                       "(200 while the event loop turns), /readyz (200, or 503 with the reasons), /api/v1/status, "
                       "/positions, /orders, /fills, /pnl, /events, /config (JSON), /api/v1/stream (Server-Sent "
                       "Events) and /metrics (Prometheus)\ncontrol: disabled (BPARB_CONTROL_TOKEN is not set in the "
                       "environment or .env): "
                       "POST /api/v1/pause, /resume, /cancel-all, /flatten and /reload answer 403\n");
  EXPECT_THAT(r.err, IsEmpty());
  testing::write_file(path, "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" + path +
                                "\"\n[service]\nenabled = true\naddress = \"10.0.0.1\"\n");
  EXPECT_EQ(run({"check-config", path}).code, 2);  // not loopback, no allow_remote
}

TEST(Cli, CheckConfigSaysWhetherControlIsEnabledNeverTheToken) {
  testing::ScratchDir dir;
  const std::string path = dir.file("svc.toml");
  const std::string env = dir.file("control.env");
  testing::write_file(path, "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\nenv_file = \"" + env +
                                "\"\n[paper]\nsim_config = \"" + path + "\"\n[service]\nenabled = true\n");
  const std::string token = "c0ffee0123456789abcdef0123456789";
  {
    CliScopedEnv t("BPARB_CONTROL_TOKEN", token.c_str());
    const Result r = run({"check-config", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("\ncontrol: enabled (BPARB_CONTROL_TOKEN from environment): POST /api/v1/pause"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(token)));
  }
  {
    CliScopedEnv t("BPARB_CONTROL_TOKEN", nullptr);
    testing::write_file(env, "BPARB_CONTROL_TOKEN=" + token + "\n");
    const Result r = run({"check-config", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("\ncontrol: enabled (BPARB_CONTROL_TOKEN from " + env + ")"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(token)));
  }
  {
    CliScopedEnv t("BPARB_CONTROL_TOKEN", "short-secret");
    const Result r = run({"check-config", path});
    EXPECT_EQ(r.code, 2);
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("control token INVALID: BPARB_CONTROL_TOKEN (from environment) is 12 characters; "
                                  "at least 16 are required"));
    EXPECT_THAT(r.err, Not(HasSubstr("short-secret")));
  }
}

TEST(Cli, CheckConfigErrorsExitTwo) {
  testing::ScratchDir dir;
  const std::string path = dir.file("bad.toml");
  testing::write_file(path, "[exchange]\nmode = \"live\"\nprivate_key = \"" + std::string(testing::kSeed32) +
                                "\"\n[risk]\nmax_positon_usd = 5\n");
  const Result r = run({"check-config", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr(path + ":3:1: exchange.private_key: API credentials are not accepted"));
  EXPECT_THAT(r.err, HasSubstr(path + ":5:1: risk.max_positon_usd: unknown key (did you mean 'max_position_usd'?)"));
  EXPECT_THAT(r.err, HasSubstr("config INVALID: " + path + " (2 errors)\n"));
  EXPECT_THAT(r.err, Not(HasSubstr(testing::kSeed32)));
}

TEST(Cli, CheckConfigMissingFileExitTwo) {
  const Result r = run({"check-config", "/nonexistent/bparb.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "/nonexistent/bparb.toml: cannot open config file: No such file or directory\n"
            "config INVALID: /nonexistent/bparb.toml (1 error)\n");
}

TEST(Cli, CheckConfigUsageErrors) {
  Result r = run({"check-config"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, StartsWith("bparb check-config: missing FILE\nUsage: bparb check-config FILE [--secrets]"));
  r = run({"check-config", "a.toml", "b.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, StartsWith("bparb check-config: expected one FILE, got a second one: 'b.toml'"));
  r = run({"check-config", "--frobnicate", "a.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, StartsWith("bparb check-config: unknown option '--frobnicate'"));
  r = run({"check-config", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, StartsWith("Usage: bparb check-config FILE [--secrets]"));
}

TEST(Cli, CheckConfigWithSecrets) {
  testing::ScratchDir dir;
  const std::string path = dir.file("live.toml");
  testing::write_file(path, "[exchange]\nmode = \"live\"\nenv_file = \"" + dir.file("absent.env") + "\"\n");
  {
    CliScopedEnv priv("BACKPACK_PRIVATE_KEY", testing::kSeed32);
    CliScopedEnv api("BACKPACK_API_KEY", nullptr);
    const Result r = run({"check-config", path, "--secrets"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "credentials OK: api key A6EHv/PO... (private key from environment, api key derived from it)\n"
              "config OK: " +
                  path + " (5 pairs, mode=live)\n");
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(testing::kSeed32)));
  }
  {
    std::string tampered = testing::kSeed64;
    tampered[70] = tampered[70] == 'q' ? 'r' : 'q';
    CliScopedEnv priv("BACKPACK_PRIVATE_KEY", tampered.c_str());
    CliScopedEnv api("BACKPACK_API_KEY", nullptr);
    const Result r = run({"check-config", path, "--secrets"});
    EXPECT_EQ(r.code, 2);
    EXPECT_THAT(r.err, StartsWith("credentials INVALID: BACKPACK_PRIVATE_KEY is a 64-byte key whose public half"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(tampered.substr(0, 16))));
  }
  {
    CliScopedEnv priv("BACKPACK_PRIVATE_KEY", nullptr);
    CliScopedEnv api("BACKPACK_API_KEY", nullptr);
    const Result r = run({"check-config", path, "--secrets"});
    EXPECT_EQ(r.code, 2);
    EXPECT_THAT(r.err, StartsWith("credentials INVALID: BACKPACK_PRIVATE_KEY is not set"));
  }
}

TEST(Cli, HelpVersionAndDispatch) {
  Result r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("bparb check-config FILE [--secrets]"));
  EXPECT_THAT(r.out, HasSubstr("bparb --version"));
  r = run({"-h"});
  EXPECT_EQ(r.code, 0);
  r = run({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "bparb 0.1.0\n");
  r = run({});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("Usage:"));
}

TEST(Cli, UnknownCommand) {
  const Result r = run({"frobnicate", "--config", "config/paper.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "bparb: unknown command 'frobnicate'\nRun 'bparb --help' for the list of commands.\n");
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(Cli, RunIsDispatchedToTheDaemonCommand) {
  // Without --config the run command answers with its usage (exit 2) before touching anything.
  const Result r = run({"run"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("bparb run --config FILE"));
  EXPECT_THAT(r.err, Not(HasSubstr("unknown command")));
  EXPECT_THAT(run({"--help"}).out, HasSubstr("bparb run --config FILE [--duration SECONDS]"));
}

// End to end through a real process, when the bparb binary has been built beside the tests
// (build/bparb next to build/tests/bparb_app_tests); skipped otherwise.
TEST(Cli, BuiltBinaryExitCodes) {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto binary = exe.parent_path().parent_path() / "bparb";
  if (ec || !std::filesystem::exists(binary)) GTEST_SKIP() << "bparb binary not built at " << binary;
  const auto status = [&](const std::string& args) {
    const int rc = std::system((binary.string() + " " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  EXPECT_EQ(status("check-config " + kCliSrc + "/config/paper.toml"), 0);
  EXPECT_EQ(status("check-config " + kCliSrc + "/config/bparb.toml"), 0);
  EXPECT_EQ(status("check-config /nonexistent.toml"), 2);
  EXPECT_EQ(status("--version"), 0);
  EXPECT_EQ(status("run"), 2);
}

}  // namespace
}  // namespace bparb::app
