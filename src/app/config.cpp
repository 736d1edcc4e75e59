// TOML → Config with validation that collects every problem before failing.
//
// Why collect instead of throw-on-first: an operator fixing a config over SSH wants the whole list in
// one go. Each message names the file, line:column, dotted key, the bad value and what is allowed.
// The toolkit is config_reader.{hpp,cpp}, the sections config_sections.cpp; this file holds the names, the
// entry points and the restart-required changes.
#include "bparb/app/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "config_reader.hpp"

namespace bparb::app {

std::string_view mode_name(Mode m) noexcept {
  return m == Mode::kLive ? "live" : "paper";
}

std::string_view strategy_kind_name(StrategyKind k) noexcept {
  switch (k) {
    case StrategyKind::kMarketMaker:
      return "market_maker";
    case StrategyKind::kCrossVenue:
      return "cross_venue";
    case StrategyKind::kBasis:
      break;
  }
  return "basis";
}

std::string_view lighter_tier_name(LighterTier t) noexcept {
  return t == LighterTier::kPremium ? "premium" : "standard";
}

std::string_view unexplained_policy_name(UnexplainedPolicy p) noexcept {
  switch (p) {
    case UnexplainedPolicy::kRefuse:
      return "refuse";
    case UnexplainedPolicy::kFlag:
      return "flag";
    case UnexplainedPolicy::kAdopt:
      return "adopt";
  }
  return "?";
}

std::string_view log_level_name(LogLevel l) noexcept {
  switch (l) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

std::vector<PairConfig> default_pairs() {
  std::vector<PairConfig> out;
  for (const char* base : {"SOL", "BTC", "ETH", "SUI", "JUP"}) {
    out.push_back(PairConfig{base, std::string(base) + "_USDC", std::string(base) + "_USDC_PERP", true});
  }
  return out;
}

std::size_t Config::enabled_pair_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(pairs.begin(), pairs.end(), [](const PairConfig& p) { return p.enabled; }));
}

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string file, std::vector<std::string> errors)
    : std::runtime_error(join_lines(errors)), file_(std::move(file)), errors_(std::move(errors)) {}

namespace {

using config_detail::Loader;

Config parse_impl(std::string_view text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(name, {name + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                             ": TOML syntax error: " + std::string(e.description())});
  }
  Loader l(name);
  Config c = l.load(root);
  if (l.has_issues()) throw ConfigError(name, l.messages());
  return c;
}

std::string changed(const char* key, const std::string& a, const std::string& b) {
  return std::string(key) + ": " + a + " -> " + b;
}

std::string pairs_text(const std::vector<PairConfig>& ps) {
  std::string out;
  for (const auto& p : ps) {
    if (!out.empty()) out += ",";
    out += p.spot_symbol + "/" + p.perp_symbol + (p.enabled ? "" : "(disabled)");
  }
  return "[" + out + "]";
}

}  // namespace

Config parse_config_string(std::string_view toml_text, const std::string& source_name) {
  return parse_impl(toml_text, source_name);
}

Config load_config(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, {path + ": is a directory; allowed: a TOML file such as config/bparb.toml"});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw ConfigError(path, {path + ": cannot open config file: " + std::system_category().message(err)});
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_impl(ss.str(), path);
}

std::vector<std::string> validate_config_file(const std::string& path) {
  try {
    (void)load_config(path);
    return {};
  } catch (const ConfigError& e) {
    return e.errors();
  } catch (const std::exception& e) {
    return {path + ": " + e.what()};
  }
}

std::vector<std::string> restart_required_changes(const Config& a, const Config& b) {
  std::vector<std::string> out;
  if (a.exchange.mode != b.exchange.mode) {
    out.push_back(
        changed("exchange.mode", std::string(mode_name(a.exchange.mode)), std::string(mode_name(b.exchange.mode))));
  }
  if (a.exchange.rest_url != b.exchange.rest_url)
    out.push_back(changed("exchange.rest_url", a.exchange.rest_url, b.exchange.rest_url));
  if (a.exchange.ws_url != b.exchange.ws_url)
    out.push_back(changed("exchange.ws_url", a.exchange.ws_url, b.exchange.ws_url));
  if (a.exchange.env_file != b.exchange.env_file)
    out.push_back(changed("exchange.env_file", a.exchange.env_file, b.exchange.env_file));
  const auto seconds = [](DurationUs us) { return std::to_string(us / kUsPerSecond); };
  const std::pair<const char*, DurationUs ExchangeConfig::*> cadences[] = {
      {"exchange.account_poll_seconds", &ExchangeConfig::account_poll_us},
      {"exchange.fills_reconcile_seconds", &ExchangeConfig::fills_reconcile_us},
      {"exchange.funding_poll_seconds", &ExchangeConfig::funding_poll_us}};
  for (const auto& [key, field] : cadences)
    if (a.exchange.*field != b.exchange.*field)
      out.push_back(changed(key, seconds(a.exchange.*field), seconds(b.exchange.*field)));
  if (a.paper.sim_config != b.paper.sim_config)
    out.push_back(changed("paper.sim_config", a.paper.sim_config, b.paper.sim_config));
  if (a.paper.port != b.paper.port) {
    out.push_back(changed("paper.port", std::to_string(a.paper.port), std::to_string(b.paper.port)));
  }
  if (pairs_text(a.pairs) != pairs_text(b.pairs))
    out.push_back(changed("pairs", pairs_text(a.pairs), pairs_text(b.pairs)));
  if (a.strategy.kind != b.strategy.kind)
    out.push_back(changed("strategy.kind", std::string(strategy_kind_name(a.strategy.kind)),
                          std::string(strategy_kind_name(b.strategy.kind))));
  if (a.mm.markets != b.mm.markets) {
    const auto list = [](const std::vector<std::string>& v) {
      std::string t;
      for (const std::string& m : v) t += (t.empty() ? "" : ",") + m;
      return t.empty() ? std::string("none") : t;
    };
    out.push_back(changed("mm.markets", list(a.mm.markets), list(b.mm.markets)));
  }
  // The [mm] keys that shape what the market maker builds once (mm_param_is_live says which).
  {
    const auto va = mm_param_values(a.mm.params), vb = mm_param_values(b.mm.params);
    for (std::size_t i = 0; i < va.size() && i < vb.size(); ++i)
      if (va[i].second != vb[i].second && !mm_param_is_live(va[i].first))
        out.push_back(changed(("mm." + va[i].first).c_str(), va[i].second, vb[i].second));
  }
  if (a.xarb.coin != b.xarb.coin) out.push_back(changed("xarb.coin", a.xarb.coin, b.xarb.coin));
  if (a.xarb.backpack_market != b.xarb.backpack_market)
    out.push_back(changed("xarb.backpack_market", a.xarb.backpack_market, b.xarb.backpack_market));
  if (a.xarb.lighter_market != b.xarb.lighter_market)
    out.push_back(changed("xarb.lighter_market", a.xarb.lighter_market, b.xarb.lighter_market));
  if (a.xarb.csv_dir != b.xarb.csv_dir) out.push_back(changed("xarb.csv_dir", a.xarb.csv_dir, b.xarb.csv_dir));
  if (a.logging.file != b.logging.file) out.push_back(changed("logging.file", a.logging.file, b.logging.file));
  if (a.journal.enabled != b.journal.enabled || a.journal.path != b.journal.path) {
    out.push_back(changed("journal", (a.journal.enabled ? a.journal.path : "disabled"),
                          (b.journal.enabled ? b.journal.path : "disabled")));
  }
  if (a.service.enabled != b.service.enabled || a.service.address != b.service.address ||
      a.service.port != b.service.port || a.service.allow_remote != b.service.allow_remote) {
    const auto svc = [](const ServiceConfig& s) {
      return s.address + ":" + std::to_string(s.port) + (s.allow_remote ? " (allow_remote)" : "") +
             (s.enabled ? "" : " (disabled)");
    };
    out.push_back(changed("service", svc(a.service), svc(b.service)));
  }
  // The alerter is built once at start: any change of [alerts] waits for a restart. Named by sink, never by
  // URL (a Discord webhook URL carries its token).
  const auto alerts_key = [](const alerts::AlertsOptions& o) {
    std::string k = std::to_string(o.queue_size) + "|" + std::to_string(o.timeout_us) + "|" +
                    std::to_string(o.max_attempts) + "|" + std::to_string(o.backoff_initial_us) + "|" +
                    std::to_string(o.backoff_max_us) + "|" + std::to_string(o.naked_leg_us) + "|" +
                    std::to_string(o.reconnect_storm_count) + "|" + std::to_string(o.reconnect_storm_window_us) + "|" +
                    std::to_string(o.rejects_count) + "|" + std::to_string(o.rejects_window_us) + "|" +
                    (o.allow_insecure_http ? "1" : "0");
    for (const alerts::SinkOptions& s : o.sinks)
      k += "|" + s.name + " " + s.url + " " + s.token_env + " " + s.chat_id + " " + std::to_string(s.events);
    return k;
  };
  if (alerts_key(a.alerts) != alerts_key(b.alerts)) {
    const auto sinks = [](const alerts::AlertsOptions& o) {
      std::string t;
      for (const alerts::SinkOptions& s : o.sinks) t += (t.empty() ? "" : ", ") + s.name;
      return t.empty() ? std::string("off") : t;
    };
    out.push_back(changed("alerts", sinks(a.alerts), sinks(b.alerts)));
  }
  return out;
}

}  // namespace bparb::app
