#include "bparb/app/logging.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>

#include "app_test_util.hpp"

namespace bparb::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LoggingConfig file_only(const std::string& path) {
  LoggingConfig c;
  c.file = path;
  c.console = false;
  c.level = LogLevel::kInfo;
  return c;
}

// Sets TZ for the scope so "local time" differs from UTC by hours.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (old_.empty()) {
      ::unsetenv("TZ");
    } else {
      ::setenv("TZ", old_.c_str(), 1);
    }
    ::tzset();
  }

 private:
  std::string old_;
};

TEST(Logging, SecretNeverReachesTheLogFile) {
  testing::ScratchDir dir;
  const std::string path = dir.file("arbitrage.log");
  auto redactor = std::make_shared<Redactor>();
  redactor->add_secret(testing::kSeed32);
  init_logging(file_only(path), redactor);
  spdlog::info("loaded key {} for trading", testing::kSeed32);
  spdlog::warn("signature input {}|{}", testing::kSeed32, testing::kSeed32);
  component_logger("venue")->error("rejected: {}", std::string("secret=") + testing::kSeed32);
  spdlog::info("plain line");
  shutdown_logging();

  const std::string text = testing::read_file(path);
  EXPECT_THAT(text, Not(HasSubstr(testing::kSeed32)));
  EXPECT_THAT(text, Not(HasSubstr("AAECAwQFBgcICQoL")));  // no piece either
  EXPECT_THAT(text, HasSubstr("[info] [bparb] loaded key [REDACTED] for trading\n"));
  EXPECT_THAT(text, HasSubstr("[warning] [bparb] signature input [REDACTED]|[REDACTED]\n"));
  EXPECT_THAT(text, HasSubstr("[error] [venue] rejected: secret=[REDACTED]\n"));
  EXPECT_THAT(text, HasSubstr("[info] [bparb] plain line\n"));
}

TEST(Logging, GlobalRedactorIsTheDefault) {
  testing::ScratchDir dir;
  const std::string path = dir.file("g.log");
  const std::string secret = "global-secret-value-123";
  Redactor::global()->add_secret(secret);
  init_logging(file_only(path));
  spdlog::info("value={}", secret);
  shutdown_logging();
  const std::string text = testing::read_file(path);
  EXPECT_THAT(text, Not(HasSubstr(secret)));
  EXPECT_THAT(text, HasSubstr("value=[REDACTED]"));
}

TEST(Logging, UtcTimestampPatternAndLevelFilter) {
  testing::ScratchDir dir;
  const std::string path = dir.file("ts.log");
  ScopedTz tz("JST-9");  // UTC+9: a local-time timestamp would be 9 hours off
  LoggingConfig cfg = file_only(path);
  cfg.level = LogLevel::kWarn;
  const std::time_t before = std::time(nullptr);
  init_logging(cfg);
  spdlog::info("filtered out");
  spdlog::warn("kept");
  shutdown_logging();
  const std::time_t after = std::time(nullptr);

  const std::string text = testing::read_file(path);
  EXPECT_THAT(text, Not(HasSubstr("filtered out")));
  // "[YYYY-MM-DD HH:MM:SS.mmm] [warning] [bparb] kept\n" (sscanf, not std::regex: GCC 12's regex
  // trips -Wmaybe-uninitialized under the sanitizer build).
  std::tm tm{};
  int ms = -1;
  int consumed = 0;
  ASSERT_EQ(std::sscanf(text.c_str(), "[%4d-%2d-%2d %2d:%2d:%2d.%3d]%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &consumed),
            7)
      << text;
  EXPECT_EQ(consumed, 25) << "fixed-width timestamp: " << text;
  EXPECT_EQ(text.substr(static_cast<std::size_t>(consumed)), " [warning] [bparb] kept\n");
  EXPECT_GE(ms, 0);
  EXPECT_LE(ms, 999);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t logged = ::timegm(&tm);  // interpret the text as UTC
  EXPECT_GE(logged, before - 1);
  EXPECT_LE(logged, after + 1);
}

// Paper mode logs at debug: the detail goes to the file, the console shows info and above unless
// console_level asks for debug too; mute_console() keeps text the caller prints itself off the console.
TEST(Logging, ConsoleShowsInfoAndAboveUnlessConsoleLevelIsDebug) {
  testing::ScratchDir dir;
  const std::string path = dir.file("console.log");
  LoggingConfig cfg = file_only(path);
  cfg.console = true;
  cfg.level = LogLevel::kDebug;
  ::testing::internal::CaptureStdout();
  init_logging(cfg);
  spdlog::debug("Quote detail: d1");
  spdlog::info("Found opportunity i1");
  mute_console();
  spdlog::info("bparb summary: s1");
  shutdown_logging();
  std::string console = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(console, HasSubstr("Found opportunity i1"));
  EXPECT_THAT(console, Not(HasSubstr("Quote detail")));
  EXPECT_THAT(console, Not(HasSubstr("bparb summary")));
  std::string file = testing::read_file(path);
  EXPECT_THAT(file, HasSubstr("[debug] [bparb] Quote detail: d1"));
  EXPECT_THAT(file, HasSubstr("Found opportunity i1"));
  EXPECT_THAT(file, HasSubstr("bparb summary: s1"));

  cfg.console_level = LogLevel::kDebug;
  ::testing::internal::CaptureStdout();
  init_logging(cfg);
  spdlog::debug("Quote detail: d2");
  shutdown_logging();
  console = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(console, HasSubstr("[debug] [bparb] Quote detail: d2"));

  // console_level never shows what `level` filters out.
  cfg.level = LogLevel::kInfo;
  ::testing::internal::CaptureStdout();
  init_logging(cfg);
  spdlog::debug("Quote detail: d3");
  spdlog::info("info i3");
  shutdown_logging();
  console = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(console, Not(HasSubstr("Quote detail")));
  EXPECT_THAT(console, HasSubstr("info i3"));
}

TEST(Logging, RotatesBySize) {
  testing::ScratchDir dir;
  const std::string path = dir.file("rot.log");
  LoggingConfig cfg = file_only(path);
  cfg.max_size_mb = 1;
  cfg.max_files = 2;
  init_logging(cfg);
  const std::string chunk(1000, 'x');
  for (int i = 0; i < 1500; ++i) spdlog::info("{}", chunk);  // ~1.5 MB
  shutdown_logging();
  EXPECT_TRUE(std::filesystem::exists(dir.file("rot.1.log")));
  EXPECT_LE(std::filesystem::file_size(path), 1024u * 1024u);
}

TEST(Logging, CreatesParentDirectories) {
  testing::ScratchDir dir;
  const std::string path = dir.file("nested/deeper/arbitrage.log");
  init_logging(file_only(path));
  spdlog::warn("hello");
  shutdown_logging();
  EXPECT_THAT(testing::read_file(path), HasSubstr("hello"));
}

// logrotate without copytruncate: the file is renamed, SIGUSR2 makes the daemon open a fresh one at the path.
// Every logger sharing the file (component loggers, the daemon's clone) follows; the pattern carries over.
TEST(Logging, ReopenAfterRenameWritesToAFreshFileAtThePath) {
  testing::ScratchDir dir;
  const std::string path = dir.file("arbitrage.log");
  init_logging(file_only(path));
  auto venue = component_logger("venue");
  auto clone = spdlog::default_logger()->clone("bparb");  // as the daemon's logger with the events ring
  spdlog::info("before rotation");
  std::filesystem::rename(path, dir.file("arbitrage.log.1"));
  clone->info("after rename, before reopen");  // still the renamed file (the open descriptor)
  const auto reopened = reopen_log_file();
  ASSERT_TRUE(reopened.has_value()) << reopened.error();
  EXPECT_EQ(*reopened, path);
  spdlog::info("after reopen");
  venue->info("venue after reopen");
  clone->info("clone after reopen");
  shutdown_logging();

  const std::string old_text = testing::read_file(dir.file("arbitrage.log.1"));
  const std::string new_text = testing::read_file(path);
  EXPECT_THAT(old_text, HasSubstr("before rotation"));
  EXPECT_THAT(old_text, HasSubstr("after rename, before reopen"));
  EXPECT_THAT(old_text, Not(HasSubstr("after reopen")));
  EXPECT_THAT(new_text, Not(HasSubstr("before")));
  EXPECT_THAT(new_text, HasSubstr("] [info] [bparb] after reopen\n"));
  EXPECT_THAT(new_text, HasSubstr("] [info] [venue] venue after reopen\n"));
  EXPECT_THAT(new_text, HasSubstr("] [info] [bparb] clone after reopen\n"));
}

TEST(Logging, ReopenWithoutAFileOrIntoAnUnwritableDirectorySaysWhy) {
  testing::ScratchDir dir;
  LoggingConfig none = file_only("");
  init_logging(none);
  auto r = reopen_log_file();
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error(), HasSubstr("no log file configured"));

  const std::string path = dir.file("logs/arbitrage.log");
  init_logging(file_only(path));
  spdlog::info("first");
  // The directory is replaced by a regular file: the reopen fails, the old file stays in use.
  std::filesystem::rename(dir.file("logs"), dir.file("logs.old"));
  testing::write_file(dir.file("logs"), "x");
  r = reopen_log_file();
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error(), HasSubstr("cannot open log file " + path));
  spdlog::info("second");
  shutdown_logging();
  EXPECT_THAT(testing::read_file(dir.file("logs.old/arbitrage.log")), HasSubstr("second"));
}

TEST(Logging, UnopenableFileNamesThePath) {
  testing::ScratchDir dir;
  const std::string blocker = dir.file("not_a_dir");
  testing::write_file(blocker, "x");
  const std::string path = blocker + "/arbitrage.log";  // parent is a regular file
  try {
    init_logging(file_only(path));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot open log file " + path + " (logging.file)"));
  }
}

}  // namespace
}  // namespace bparb::app
