#include "bparb/app/config_json.hpp"

#include <fmt/format.h>

#include "bparb/app/secrets.hpp"
#include "bparb/core/json_escape.hpp"

namespace bparb::app {
namespace {

constexpr std::string_view kRedacted = "[redacted]";

// A URL without its user:password@ part (none of ours has one; a hand-edited file might).
std::string without_userinfo(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t end = url.find_first_of("/?#", host);
  const std::size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + std::string(kRedacted) + url.substr(at);
}

// One JSON object per TOML section, keys in the file's order and units.
class Writer {
 public:
  void section(std::string_view name) {
    close_section();
    key(name);
    out_ += '{';
    open_ = true;
    first_ = true;
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    quoted(v);
  }
  void dec(std::string_view k, Decimal v) { str(k, v.str()); }
  void integer(std::string_view k, std::int64_t v) {
    key(k);
    out_ += std::to_string(v);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
  }
  // A duration in the key's unit: an integer when exact, else an exact decimal string.
  void duration(std::string_view k, DurationUs us, DurationUs unit) {
    if (us % unit == 0) return integer(k, us / unit);
    dec(k, Decimal::from_int(us).div(Decimal::from_int(unit), Rounding::kNearest));
  }
  // A top-level key after the sections (an array such as `pairs`).
  void top_level_raw(std::string_view k, const std::string& json) {
    close_section();
    key(k);
    out_ += json;
  }
  std::string finish() {
    close_section();
    out_ += "}\n";
    return std::move(out_);
  }
  void quoted(std::string_view v) {
    out_ += '"';
    json_escape_append(out_, v, Utf8Policy::kReplaceInvalid);
    out_ += '"';
  }

 private:
  void close_section() {
    if (!open_) return;
    out_ += '}';
    open_ = false;
    first_ = false;
  }
  void key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    quoted(k);
    out_ += ':';
  }
  std::string out_ = "{";
  bool open_ = false;
  bool first_ = true;
};

}  // namespace

std::string render_config_json(const Config& c) {
  Writer w;
  w.str("source", c.source_path);
  w.section("exchange");
  w.str("mode", mode_name(c.exchange.mode));
  w.str("rest_url", without_userinfo(c.exchange.rest_url));
  w.str("ws_url", without_userinfo(c.exchange.ws_url));
  w.str("env_file", kRedacted);
  w.integer("max_requests_per_minute", c.exchange.max_requests_per_minute);
  w.duration("rest_timeout_ms", c.exchange.rest_timeout_us, kUsPerMs);
  w.duration("ws_stale_timeout_seconds", c.exchange.ws_stale_timeout_us, kUsPerSecond);
  w.duration("account_poll_seconds", c.exchange.account_poll_us, kUsPerSecond);
  w.duration("fills_reconcile_seconds", c.exchange.fills_reconcile_us, kUsPerSecond);
  w.duration("funding_poll_seconds", c.exchange.funding_poll_us, kUsPerSecond);
  w.section("paper");
  w.str("sim_config", c.paper.sim_config);
  w.duration("duration_seconds", c.paper.duration_us, kUsPerSecond);
  w.integer("port", c.paper.port);
  const RiskConfig& r = c.risk;
  w.section("risk");
  w.dec("max_position_usd", r.max_position_usd);
  w.dec("max_total_exposure_usd", r.max_total_exposure_usd);
  w.dec("max_daily_loss_usd", r.max_daily_loss_usd);
  w.dec("min_account_balance_usd", r.min_account_balance_usd);
  w.duration("max_book_age_ms", r.max_book_age_us, kUsPerMs);
  w.integer("max_orders_per_minute", r.max_orders_per_minute);
  w.dec("margin_headroom", r.margin_headroom);
  w.dec("max_unhedged_usd", r.max_unhedged_usd);
  const StrategyConfig& s = c.strategy;
  w.section("strategy");
  w.dec("min_spread_threshold", s.min_spread_threshold);
  w.dec("min_execution_threshold", s.min_execution_threshold);
  w.dec("large_spread_threshold", s.large_spread_threshold);
  w.dec("position_size_usd", s.position_size_usd);
  w.dec("confidence_threshold", s.confidence_threshold);
  w.dec("min_closing_spread", s.min_closing_spread);
  w.dec("take_profit_usd", s.take_profit_usd);
  w.dec("take_profit_fraction", s.take_profit_fraction);
  w.duration("max_holding_hours", s.max_holding_us, kUsPerHour);
  w.dec("funding_against_limit", s.funding_against_limit);
  w.duration("opening_delay_seconds", s.opening_delay_us, kUsPerSecond);
  w.integer("max_open_positions", s.max_open_positions);
  w.boolean("allow_spot_borrow", s.allow_spot_borrow);
  w.duration("expected_holding_hours", s.expected_holding_us, kUsPerHour);
  w.dec("slippage_allowance", s.slippage_allowance);
  w.dec("liquidity_buffer", s.liquidity_buffer);
  w.duration("stats_interval_seconds", s.stats_interval_us, kUsPerSecond);
  w.duration("tick_ms", s.tick_us, kUsPerMs);
  const ExecutionConfig& e = c.execution;
  w.section("execution");
  w.boolean("use_maker_for_large_spreads", e.use_maker_for_large_spreads);
  w.duration("order_timeout_seconds", e.order_timeout_us, kUsPerSecond);
  w.boolean("fallback_to_taker", e.fallback_to_taker);
  w.dec("spot_market_slippage_buffer", e.spot_market_slippage_buffer);
  w.dec("perpetual_market_slippage_buffer", e.perpetual_market_slippage_buffer);
  w.duration("hedge_deadline_seconds", e.hedge_deadline_us, kUsPerSecond);
  w.dec("maker_reprice_bps", e.maker_reprice_bps);
  w.integer("request_window_ms", e.request_window_ms);
  w.section("logging");
  w.str("file", c.logging.file);
  w.str("level", log_level_name(c.logging.level));
  w.integer("max_size_mb", c.logging.max_size_mb);
  w.integer("max_files", c.logging.max_files);
  w.boolean("console", c.logging.console);
  w.str("console_level", log_level_name(c.logging.console_level));
  w.integer("flush_interval_seconds", c.logging.flush_interval_seconds);
  w.section("journal");
  w.boolean("enabled", c.journal.enabled);
  w.str("path", c.journal.path);
  w.section("service");
  w.boolean("enabled", c.service.enabled);
  w.str("address", c.service.address);
  w.integer("port", c.service.port);
  w.boolean("allow_remote", c.service.allow_remote);
  w.section("recovery");
  w.str("unexplained_positions", unexplained_policy_name(c.recovery.unexplained_positions));
  w.section("shutdown");
  w.boolean("flatten_on_shutdown", c.shutdown.flatten_on_shutdown);
  w.duration("timeout_seconds", c.shutdown.timeout_us, kUsPerSecond);
  std::string pairs = "[";
  auto quote = [](std::string_view v) {
    std::string q = "\"";
    json_escape_append(q, v, Utf8Policy::kReplaceInvalid);
    return q + "\"";
  };
  for (std::size_t i = 0; i < c.pairs.size(); ++i) {
    const PairConfig& p = c.pairs[i];
    pairs += fmt::format(R"({}{{"base":{},"spot":{},"perp":{},"enabled":{}}})", i ? "," : "", quote(p.base),
                         quote(p.spot_symbol), quote(p.perp_symbol), p.enabled ? "true" : "false");
  }
  pairs += ']';
  w.top_level_raw("pairs", pairs);
  const std::string out = w.finish();
  // Defence in depth: a registered secret never leaves the process, whatever a value holds.
  return Redactor::global()->redact(out);
}

}  // namespace bparb::app
