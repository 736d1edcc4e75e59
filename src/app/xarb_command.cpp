// `bparb xarb`: the seed bot's quick start. Its options (--ticker, --size, --long-threshold, --short-threshold,
// --max-position) become [strategy] kind = "cross_venue" and the [xarb] keys over the rest of a config file; the
// result is written beside the log file (xarb-<TICKER>.toml: what runs, and what SIGHUP re-reads) and run like
// `bparb run --config` that file. Every value is checked by the config loader, so an error names the option's key.
#include <toml++/toml.h>

#include <charconv>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bparb/app/cli.hpp"
#include "bparb/app/daemon.hpp"

namespace bparb::app {
namespace {

constexpr const char* kUsage =
    "usage: bparb xarb --ticker COIN --size QTY --long-threshold USD --short-threshold USD --max-position QTY "
    "[--config FILE] [--duration SECONDS]\n";
constexpr const char* kDefaultConfig = "config/paper-xvenue.toml";

// A number option as the [xarb] table's string (the loader reads exact decimals from strings).
bool decimal_text(const std::string& v) {
  Decimal d;
  return Decimal::parse(v, d) == DecimalParseError::kOk;
}

}  // namespace

int cmd_xarb(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::string path = kDefaultConfig, ticker, size, long_t, short_t, max_pos, duration;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--config" && has_value) {
      path = args[++i];
    } else if (a == "--ticker" && has_value) {
      ticker = args[++i];
    } else if (a == "--size" && has_value) {
      size = args[++i];
    } else if (a == "--long-threshold" && has_value) {
      long_t = args[++i];
    } else if (a == "--short-threshold" && has_value) {
      short_t = args[++i];
    } else if (a == "--max-position" && has_value) {
      max_pos = args[++i];
    } else if (a == "--duration" && has_value) {
      duration = args[++i];
    } else {
      err << "bparb xarb: unexpected argument \"" << a << "\"\n" << kUsage;
      return kExitUsage;
    }
  }
  if (ticker.empty()) {
    err << "bparb xarb: --ticker is required\n" << kUsage;
    return kExitUsage;
  }
  for (const auto& [name, v] : {std::pair<const char*, const std::string*>{"--size", &size},
                                {"--long-threshold", &long_t},
                                {"--short-threshold", &short_t},
                                {"--max-position", &max_pos}}) {
    if (!v->empty() && !decimal_text(*v)) {
      err << "bparb xarb: " << name << ": expected a decimal number, got \"" << *v << "\"\n";
      return kExitUsage;
    }
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    err << "bparb xarb: " << path << ": " << e.description() << "\n";
    return kExitUsage;
  }
  // [strategy] kind, [xarb] (the options over the file's own keys), and Lighter's market of the coin.
  toml::table* strategy = root.insert("strategy", toml::table{}).first->second.as_table();
  toml::table* xarb = root.insert("xarb", toml::table{}).first->second.as_table();
  if (strategy == nullptr || xarb == nullptr) {
    err << "bparb xarb: " << path << ": [strategy] and [xarb] must be tables\n";
    return kExitUsage;
  }
  strategy->insert_or_assign("kind", "cross_venue");
  if (xarb->get("coin") == nullptr || xarb->get("coin")->value_or(std::string()) != ticker) {
    // Another coin's markets do not carry over: the defaults follow --ticker.
    xarb->erase("backpack_market");
    xarb->erase("lighter_market");
  }
  xarb->insert_or_assign("coin", ticker);
  if (!size.empty()) xarb->insert_or_assign("target_quantity", size);
  if (!long_t.empty()) xarb->insert_or_assign("long_threshold", long_t);
  if (!short_t.empty()) xarb->insert_or_assign("short_threshold", short_t);
  if (!max_pos.empty()) {
    xarb->insert_or_assign("max_position_backpack", max_pos);
    xarb->insert_or_assign("max_position_lighter", max_pos);
  }
  if (toml::table* venues = root["venues"].as_table()) {
    if (toml::table* lighter = (*venues)["lighter"].as_table()) {
      const std::string market = xarb->get("lighter_market") ? xarb->get("lighter_market")->value_or(ticker) : ticker;
      toml::array markets;
      markets.push_back(market);
      lighter->insert_or_assign("markets", std::move(markets));
    }
  }
  std::ostringstream text;
  text << "# Written by 'bparb xarb' from " << path << " and its options; what the daemon runs and what SIGHUP "
       << "re-reads.\n"
       << root << "\n";
  // Validated before anything is written or started: the messages name this file's keys.
  Config probe;
  try {
    probe = parse_config_string(text.str(), path + " with the bparb xarb options");
  } catch (const ConfigError& e) {
    err << "bparb xarb: " << e.what() << "\n";
    return kExitUsage;
  }
  const std::filesystem::path log_dir = std::filesystem::path(probe.logging.file).parent_path();
  std::error_code ec;
  if (!log_dir.empty()) std::filesystem::create_directories(log_dir, ec);
  const std::string effective = (log_dir / ("xarb-" + ticker + ".toml")).string();
  if (!(std::ofstream(effective) << text.str())) {
    err << "bparb xarb: cannot write " << effective << "\n";
    return kExitFailure;
  }
  out << "bparb xarb: " << ticker << " with the options over " << path << ", written to " << effective << "\n";
  std::vector<std::string> run_args{"--config", effective};
  if (!duration.empty()) {
    run_args.push_back("--duration");
    run_args.push_back(duration);
  }
  return cmd_run(run_args, out, err);
}

}  // namespace bparb::app
