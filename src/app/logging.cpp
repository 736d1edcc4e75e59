// spdlog wiring. The redacting wrapper sits in front of every sink (rather than a custom formatter)
// so it works with any sink type, including the colour console whose colour ranges a rewritten
// formatted line would invalidate.
#include "bparb/app/logging.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bparb::app {
namespace {

class RedactingSink final : public spdlog::sinks::sink {
 public:
  RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner, std::shared_ptr<const Redactor> redactor)
      : inner_(std::move(inner)), redactor_(std::move(redactor)) {}

  void log(const spdlog::details::log_msg& msg) override {
    if (!inner_->should_log(msg.level)) return;
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!redactor_ || !redactor_->contains_secret(payload)) {
      inner_->log(msg);
      return;
    }
    const std::string clean = redactor_->redact(payload);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    inner_->log(copy);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override { inner_->set_formatter(std::move(f)); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
  std::shared_ptr<const Redactor> redactor_;
};

// The log file behind one lock, so SIGUSR2 can swap in a fresh file at the same path while other threads log:
// the single-threaded rotating sink inside is only touched under `mu_` (one lock per line, as the _mt sink).
class ReopenableFileSink final : public spdlog::sinks::sink {
 public:
  ReopenableFileSink(std::string path, std::size_t max_bytes, std::size_t max_files)
      : path_(std::move(path)), max_bytes_(max_bytes), max_files_(max_files), file_(open_file()) {}

  void log(const spdlog::details::log_msg& msg) override {
    std::lock_guard<std::mutex> lock(mu_);
    file_->log(msg);
  }
  void flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    file_->flush();
  }
  void set_pattern(const std::string& pattern) override {
    set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
  }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override {
    std::lock_guard<std::mutex> lock(mu_);
    formatter_ = f->clone();
    file_->set_formatter(std::move(f));
  }

  // Opens the new file first: if that fails, the old one stays (logging must not stop over a rotation).
  Expected<std::string, std::string> reopen() {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<spdlog::sinks::rotating_file_sink_st> next;
    try {
      next = open_file();
    } catch (const spdlog::spdlog_ex& e) {
      return unexpected(std::string("cannot open log file ") + path_ + ": " + e.what());
    }
    if (formatter_) next->set_formatter(formatter_->clone());
    file_->flush();
    file_ = std::move(next);
    return path_;
  }

 private:
  std::unique_ptr<spdlog::sinks::rotating_file_sink_st> open_file() const {
    return std::make_unique<spdlog::sinks::rotating_file_sink_st>(path_, max_bytes_, max_files_);
  }

  std::mutex mu_;
  const std::string path_;
  const std::size_t max_bytes_;
  const std::size_t max_files_;
  std::unique_ptr<spdlog::formatter> formatter_;
  std::unique_ptr<spdlog::sinks::rotating_file_sink_st> file_;
};

constexpr const char* kDefaultLoggerName = "bparb";

spdlog::level::level_enum to_spdlog(LogLevel l) {
  switch (l) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kCritical:
      return spdlog::level::critical;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::unique_ptr<spdlog::formatter> utc_formatter() {
  return std::make_unique<spdlog::pattern_formatter>(std::string(kLogPattern), spdlog::pattern_time_type::utc);
}

}  // namespace

std::shared_ptr<spdlog::sinks::sink> make_redacting_sink(std::shared_ptr<spdlog::sinks::sink> inner,
                                                         std::shared_ptr<const Redactor> redactor) {
  return std::make_shared<RedactingSink>(std::move(inner), std::move(redactor));
}

namespace {
// spdlog::info() and friends use the default logger through a raw pointer without a lock, so another
// thread may be inside a call on the old default while it is replaced. spdlog::drop_all()/shutdown() leave
// a window with NO default logger (UBSan caught bpsim's thread calling through null in a test). So the new
// default is installed first (no null window), component loggers are dropped by name, and every retired
// default is kept alive for the life of the process (a few objects per re-init; re-inits are rare).
// The console sink of the current set-up (null without one), for mute_console().
std::mutex& console_mu() {
  static std::mutex mu;
  return mu;
}
std::shared_ptr<spdlog::sinks::sink>& console_sink_slot() {
  static std::shared_ptr<spdlog::sinks::sink> sink;
  return sink;
}
// The log file of the current set-up (null without one), for reopen_log_file(); guarded by console_mu().
std::shared_ptr<ReopenableFileSink>& file_sink_slot() {
  static std::shared_ptr<ReopenableFileSink> sink;
  return sink;
}

void replace_default_logger(std::shared_ptr<spdlog::logger> next) {
  static std::mutex retired_mu;
  static std::vector<std::shared_ptr<spdlog::logger>> retired;
  {
    std::lock_guard<std::mutex> lock(retired_mu);
    if (auto old = spdlog::default_logger()) retired.push_back(std::move(old));
  }
  spdlog::set_default_logger(std::move(next));
  std::vector<std::string> names;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
    if (l->name() != kDefaultLoggerName) names.push_back(l->name());
  });
  for (const auto& n : names) spdlog::drop(n);
}
}  // namespace

std::shared_ptr<spdlog::logger> init_logging(const LoggingConfig& cfg, std::shared_ptr<const Redactor> redactor) {
  std::vector<spdlog::sink_ptr> sinks;
  std::shared_ptr<ReopenableFileSink> file;
  if (!cfg.file.empty()) {
    try {
      file = std::make_shared<ReopenableFileSink>(cfg.file, static_cast<std::size_t>(cfg.max_size_mb) * 1024 * 1024,
                                                  static_cast<std::size_t>(cfg.max_files));
    } catch (const spdlog::spdlog_ex& e) {
      throw std::runtime_error("cannot open log file " + cfg.file + " (logging.file): " + e.what() +
                               "; check that the directory exists and is writable");
    }
    file->set_formatter(utc_formatter());
    sinks.push_back(make_redacting_sink(file, redactor));
  }
  std::shared_ptr<spdlog::sinks::sink> console_sink;
  if (cfg.console) {
    auto console = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();  // colour only on a terminal
    console->set_formatter(utc_formatter());
    console_sink = make_redacting_sink(std::move(console), redactor);
    // A new user reads the console: info and above unless console_level asks for more detail.
    console_sink->set_level(std::max(to_spdlog(cfg.level), to_spdlog(cfg.console_level)));
    sinks.push_back(console_sink);
  }
  {
    std::lock_guard<std::mutex> lock(console_mu());
    console_sink_slot() = console_sink;
    file_sink_slot() = file;
  }
  auto logger = std::make_shared<spdlog::logger>(kDefaultLoggerName, sinks.begin(), sinks.end());
  logger->set_level(to_spdlog(cfg.level));
  logger->flush_on(spdlog::level::warn);
  replace_default_logger(logger);
  spdlog::set_level(to_spdlog(cfg.level));
  spdlog::flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(cfg.flush_interval_seconds));
  return logger;
}

void mute_console() noexcept {
  std::lock_guard<std::mutex> lock(console_mu());
  if (console_sink_slot()) console_sink_slot()->set_level(spdlog::level::off);
}

Expected<std::string, std::string> reopen_log_file() {
  std::shared_ptr<ReopenableFileSink> file;
  {
    std::lock_guard<std::mutex> lock(console_mu());
    file = file_sink_slot();
  }
  if (!file) return unexpected(std::string("no log file configured (logging.file is empty)"));
  return file->reopen();
}

std::shared_ptr<spdlog::logger> component_logger(std::string_view name) {
  const std::string n(name);
  if (auto existing = spdlog::get(n)) return existing;
  auto base = spdlog::default_logger();
  auto logger = base->clone(n);
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered the same name first: use that one.
    if (auto existing = spdlog::get(n)) return existing;
  }
  return logger;
}

void shutdown_logging() {
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  spdlog::flush_every(std::chrono::seconds(0));  // stops the periodic flusher
  {
    std::lock_guard<std::mutex> lock(console_mu());
    file_sink_slot().reset();
  }
  // A sink-less logger turns late log calls (another thread, e.g. an in-process bpsim) into no-ops.
  replace_default_logger(std::make_shared<spdlog::logger>(kDefaultLoggerName));
}

}  // namespace bparb::app
