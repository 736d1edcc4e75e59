#pragma once
// spdlog set-up for the daemon: rotating file (arbitrage.log, reopened on SIGUSR2) + colour console, UTC timestamps,
// flush on warn and every flush_interval_seconds. Every sink is wrapped so that each line passes
// through the Redactor first: a registered secret can never reach a log file or the console.
//
// Hot-path code must not format log lines (see COMMON rules); these loggers are for start-up,
// state changes and the periodic stats line.
#include <memory>
#include <string>
#include <string_view>

#include "bparb/app/config.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/core/expected.hpp"

namespace spdlog {
class logger;
namespace sinks {
class sink;
}  // namespace sinks
}  // namespace spdlog

namespace bparb::app {

// "%Y-%m-%d %H:%M:%S.%e" in UTC, then level, logger name and message.
inline constexpr std::string_view kLogPattern = "[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] [%n] %v";

// Builds the sinks, installs the result as spdlog's default logger (name "bparb"), sets the level,
// flush_on(warn) and flush_every(flush_interval_seconds). Throws std::runtime_error naming the log
// file if it cannot be opened. Calling it again replaces the previous set-up.
std::shared_ptr<spdlog::logger> init_logging(const LoggingConfig& cfg,
                                             std::shared_ptr<const Redactor> redactor = Redactor::global());

// Stops the console sink of the current set-up (the file keeps every line): for text the caller prints
// itself, such as the run summary, which would otherwise appear twice on a terminal.
void mute_console() noexcept;

// A named logger ("exec", "venue", …) sharing the default logger's sinks and level; registered
// with spdlog so flush_every covers it. Returns the existing one if already created.
std::shared_ptr<spdlog::logger> component_logger(std::string_view name);

// Wraps `inner` so every message payload is redacted before `inner` sees it.
std::shared_ptr<spdlog::sinks::sink> make_redacting_sink(std::shared_ptr<spdlog::sinks::sink> inner,
                                                         std::shared_ptr<const Redactor> redactor);

// SIGUSR2 (logrotate renamed the file): flushes the current log file and opens a fresh one at the configured
// path, for every logger sharing it; lines logged meanwhile wait for the switch, none is lost. Returns the
// path, or why it could not be opened (the old file then stays in use, so logging goes on). Fails when the
// current set-up has no log file.
Expected<std::string, std::string> reopen_log_file();

// Flushes and drops every logger (call before exit so the last lines reach the file).
void shutdown_logging();

}  // namespace bparb::app
