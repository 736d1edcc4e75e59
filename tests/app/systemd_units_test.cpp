// The shipped unit files must pass `systemd-analyze verify` (unknown keys, bad values, missing commands).
// verify also checks that ExecStart= names an executable, so each unit is checked in a scratch copy whose
// /opt/bparb/bin/bparb is replaced by an executable that exists here. The template unit is checked as
// the template and as an instance.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bparb::app {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string d;
  while (std::getline(dirs, d, ':'))
    if (!d.empty() && ::access((fs::path(d) / name).c_str(), X_OK) == 0) return (fs::path(d) / name).string();
  return "";
}

// Runs `cmd`, returns its exit status and (in `out`) what it printed on stdout and stderr.
int run_shell(const std::string& cmd, std::string& out) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class SystemdUnits : public ::testing::Test {
 protected:
  void SetUp() override {
    analyze_ = find_on_path("systemd-analyze");
    if (analyze_.empty())
      GTEST_SKIP() << "systemd-analyze is not installed (Debian package `systemd`): the unit files are not verified";
    dir_ = fs::temp_directory_path() / ("bparb_units_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Copies scripts/<unit> to the scratch dir as `as`, with the binary path replaced; returns the copy.
  fs::path staged(const std::string& unit, const std::string& as) {
    std::string text = read_text(fs::path(BPARB_SOURCE_DIR) / "scripts" / unit);
    EXPECT_FALSE(text.empty()) << unit;
    const std::string bin = "/opt/bparb/bin/bparb";
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    for (std::size_t p; (p = text.find(bin)) != std::string::npos;) text.replace(p, bin.size(), self);
    const fs::path out = dir_ / as;
    std::ofstream(out) << text;
    return out;
  }
  void expect_clean(const fs::path& unit) {
    std::string out;
    const int rc = run_shell("'" + analyze_ + "' verify --man=no '" + unit.string() + "'", out);
    EXPECT_EQ(rc, 0) << unit.filename() << ":\n" << out;
    EXPECT_EQ(out, "") << unit.filename() << ":\n" << out;
  }

  std::string analyze_;
  fs::path dir_;
};

TEST_F(SystemdUnits, SingleUnitVerifiesClean) {
  expect_clean(staged("bparb.service", "bparb.service"));
}

TEST_F(SystemdUnits, TemplateUnitVerifiesCleanAsTemplateAndAsInstance) {
  expect_clean(staged("bparb@.service", "bparb@.service"));
  expect_clean(staged("bparb@.service", "bparb@main.service"));
  // The instance's own paths come from %i.
  const std::string text = read_text(fs::path(BPARB_SOURCE_DIR) / "scripts" / "bparb@.service");
  for (const char* key : {"--config /etc/bparb/%i.toml", "EnvironmentFile=-/etc/bparb/%i.env",
                          "StateDirectory=bparb/%i", "LogsDirectory=bparb/%i", "WorkingDirectory=/var/lib/bparb/%i",
                          "SyslogIdentifier=bparb-%i", "Restart=on-failure", "StartLimitBurst=", "Type=notify"})
    EXPECT_NE(text.find(key), std::string::npos) << key;
}

}  // namespace
}  // namespace bparb::app
