#pragma once
// Command-line front end. main() only calls run_cli(); each sub-command is a function registered in
// commands() (cli.cpp), so adding `bparb run --config FILE [--duration S]` is one table entry.
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bparb::app {

inline constexpr std::string_view kVersion = "0.1.0";  // keep in step with project(VERSION) in CMakeLists.txt

// Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid configuration/credentials.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// args excludes the program and the command name.
using CommandFn = int (*)(std::span<const std::string> args, std::ostream& out, std::ostream& err);

struct Command {
  std::string_view name;     // "check-config"
  std::string_view usage;    // "check-config FILE [--secrets]"
  std::string_view summary;  // one line for --help
  CommandFn fn;
};

const std::vector<Command>& commands();

// Dispatches argv[1] (or --help / --version). Never throws: unexpected exceptions become a one-line
// message on `err` and kExitFailure.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

void print_usage(std::ostream& out);

struct Config;
// Start of every long-running command (run, record): loads FILE and starts logging from it, logging the
// config's warnings. On failure prints why on `err` (prefixed "bparb COMMAND: " for logging errors) and
// returns kExitUsage (bad config) or kExitFailure (log file); returns 0 with `cfg` filled otherwise.
int load_config_and_logging(const std::string& path, std::string_view command, Config& cfg, std::ostream& err);

// `bparb check-config FILE [--secrets]`: validates FILE; with --secrets also loads and validates the
// API credentials (environment, then exchange.env_file). Prints "config OK: FILE (N pairs, mode=M)".
int cmd_check_config(std::span<const std::string> args, std::ostream& out, std::ostream& err);

// `bparb record --config FILE --out DIR [--duration S]` (record_command.hpp / record_command.cpp).
int cmd_record(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
