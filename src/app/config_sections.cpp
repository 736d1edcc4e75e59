// The sections of bparb's config file: what each key means, its default, its allowed range, and the rules
// between keys (check_consistency). config/bparb.toml documents the same keys for the operator.
#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "config_reader.hpp"

namespace bparb::app::config_detail {

void Loader::read_exchange(Section& s, Config& c) {
  const int mode = s.choice("mode", {"paper", "live"}, /*required=*/true);
  if (mode >= 0) c.exchange.mode = mode == 1 ? Mode::kLive : Mode::kPaper;
  const toml::node* rest = s.string("rest_url", c.exchange.rest_url);
  const toml::node* ws = s.string("ws_url", c.exchange.ws_url);
  s.string("env_file", c.exchange.env_file);
  s.integer("max_requests_per_minute", c.exchange.max_requests_per_minute, 1, 2000);
  s.duration("rest_timeout_ms", kUsPerMs, c.exchange.rest_timeout_us, between("100", "60000"));
  s.duration("ws_stale_timeout_seconds", kUsPerSecond, c.exchange.ws_stale_timeout_us, between("1", "600"));
  s.duration("account_poll_seconds", kUsPerSecond, c.exchange.account_poll_us, between("1", "300"));
  s.duration("fills_reconcile_seconds", kUsPerSecond, c.exchange.fills_reconcile_us, between("1", "300"));
  s.duration("funding_poll_seconds", kUsPerSecond, c.exchange.funding_poll_us, between("1", "3600"));
  const bool live = mode == 1;
  if (rest) check_url(rest, "exchange.rest_url", c.exchange.rest_url, live, false);
  if (ws) check_url(ws, "exchange.ws_url", c.exchange.ws_url, live, true);
  if (mode == 0 && (rest || ws)) {
    warnings_.push_back(file_ + ": exchange.rest_url/ws_url are ignored in paper mode (the embedded bpsim is used)");
  }
}

void Loader::read_paper(Section& s, Config& c) {
  s.string("sim_config", c.paper.sim_config);
  s.duration("duration_seconds", kUsPerSecond, c.paper.duration_us, between("0", "31536000", "(0 = until stopped)"));
  s.port("port", c.paper.port, 0);
}

void Loader::read_risk(Section& s, Config& c) {
  auto& r = c.risk;
  s.decimal("max_position_usd", r.max_position_usd, above("0"));
  s.decimal("max_total_exposure_usd", r.max_total_exposure_usd, above("0"));
  s.decimal("max_daily_loss_usd", r.max_daily_loss_usd, above("0"));
  s.decimal("min_account_balance_usd", r.min_account_balance_usd, at_least("0"));
  s.duration("max_book_age_ms", kUsPerMs, r.max_book_age_us, between("1", "60000"));
  s.integer("max_orders_per_minute", r.max_orders_per_minute, 1, 2000);
  s.decimal("margin_headroom", r.margin_headroom, above_upto("0", "1", "(fraction of equity)"));
  s.decimal("max_unhedged_usd", r.max_unhedged_usd, at_least("0"));
}

void Loader::read_strategy(Section& s, Config& c) {
  auto& st = c.strategy;
  // Thresholds above 10 % are almost certainly percentages typed as fractions (0.2 meant as 0.2 %).
  s.decimal("min_spread_threshold", st.min_spread_threshold, between("0", "0.1", kFractionNote));
  s.decimal("min_execution_threshold", st.min_execution_threshold, above_upto("0", "0.1", kFractionNote));
  s.decimal("large_spread_threshold", st.large_spread_threshold, above_upto("0", "0.1", kFractionNote));
  s.decimal("position_size_usd", st.position_size_usd, above("0"));
  s.decimal("confidence_threshold", st.confidence_threshold, between("0", "1"));
  s.decimal("min_closing_spread", st.min_closing_spread, between("-0.1", "0.1", kFractionNote));
  s.decimal("take_profit_usd", st.take_profit_usd, at_least("0", "(0 = disabled)"));
  s.decimal("take_profit_fraction", st.take_profit_fraction, between("0", "1", "(0 = disabled)"));
  s.duration("max_holding_hours", kUsPerHour, st.max_holding_us, above_upto("0", "8760"));
  s.decimal("funding_against_limit", st.funding_against_limit, between("0", "0.1", kFractionNote));
  s.duration("opening_delay_seconds", kUsPerSecond, st.opening_delay_us, between("0", "86400"));
  s.integer("max_open_positions", st.max_open_positions, 1, 100);
  s.boolean("allow_spot_borrow", st.allow_spot_borrow);
  s.duration("expected_holding_hours", kUsPerHour, st.expected_holding_us, above_upto("0", "8760"));
  s.decimal("slippage_allowance", st.slippage_allowance, between("0", "0.1", kFractionNote));
  s.decimal("liquidity_buffer", st.liquidity_buffer, between("1", "1000", "(size <= depth / buffer)"));
  s.duration("stats_interval_seconds", kUsPerSecond, st.stats_interval_us, between("1", "86400"));
  s.duration("tick_ms", kUsPerMs, st.tick_us, between("10", "1000"));
  if (const int k = s.choice("kind", {"basis", "market_maker", "cross_venue"}, false); k >= 0)
    st.kind = static_cast<StrategyKind>(k);
}

void Loader::read_execution(Section& s, Config& c) {
  auto& e = c.execution;
  s.boolean("use_maker_for_large_spreads", e.use_maker_for_large_spreads);
  s.duration("order_timeout_seconds", kUsPerSecond, e.order_timeout_us, above_upto("0", "3600"));
  s.boolean("fallback_to_taker", e.fallback_to_taker);
  s.decimal("spot_market_slippage_buffer", e.spot_market_slippage_buffer, between("0", "0.1", kFractionNote));
  s.decimal("perpetual_market_slippage_buffer", e.perpetual_market_slippage_buffer, between("0", "0.1", kFractionNote));
  s.duration("hedge_deadline_seconds", kUsPerSecond, e.hedge_deadline_us, above_upto("0", "300"));
  s.decimal("maker_reprice_bps", e.maker_reprice_bps, between("0", "1000"));
  s.integer("request_window_ms", e.request_window_ms, 1, 60000);
}

void Loader::read_logging(Section& s, Config& c) {
  auto& g = c.logging;
  s.string("file", g.file);
  const int lvl = s.choice("level", {"trace", "debug", "info", "warn", "error", "critical", "off"}, false);
  if (lvl >= 0) g.level = static_cast<LogLevel>(lvl);
  s.integer("max_size_mb", g.max_size_mb, 1, 10240);
  s.integer("max_files", g.max_files, 1, 1000);
  s.boolean("console", g.console);
  const int console_lvl =
      s.choice("console_level", {"trace", "debug", "info", "warn", "error", "critical", "off"}, false);
  if (console_lvl >= 0) g.console_level = static_cast<LogLevel>(console_lvl);
  s.integer("flush_interval_seconds", g.flush_interval_seconds, 1, 60);
}

void Loader::read_journal(Section& s, Config& c) {
  s.boolean("enabled", c.journal.enabled);
  s.string("path", c.journal.path);
}

void Loader::read_recovery(Section& s, Config& c) {
  const int p = s.choice("unexplained_positions", {"refuse", "flag", "adopt"}, false);
  if (p >= 0) c.recovery.unexplained_positions = static_cast<UnexplainedPolicy>(p);
}

void Loader::read_shutdown(Section& s, Config& c) {
  s.boolean("flatten_on_shutdown", c.shutdown.flatten_on_shutdown);
  s.duration("timeout_seconds", kUsPerSecond, c.shutdown.timeout_us, between("1", "600"));
}

void Loader::read_backtest(Section& s, Config& c) {
  BacktestConfig& b = c.backtest;
  s.integer("order_latency_ms", b.order_latency_ms, 0, 60'000);
  s.integer("response_latency_ms", b.response_latency_ms, 0, 60'000);
  if (const toml::node* n = s.get("latency_samples_ms")) {
    const auto* arr = n->as_array();
    const std::string k = s.key_path("latency_samples_ms");
    if (arr == nullptr) {
      issue_at(n, k + ": wrong type, got " + describe(*n) +
                      "; allowed: an array of integers from 0 to 60000, e.g. [2, 5, 40]");
    } else {
      b.latency_samples_ms.clear();
      for (const toml::node& e : *arr) {
        const auto* i = e.as_integer();
        if (i == nullptr || i->get() < 0 || i->get() > 60'000) {
          issue_at(&e, k + ": element " + value_text(e) + " is not allowed; allowed: integers from 0 to 60000");
          b.latency_samples_ms.clear();
          break;
        }
        b.latency_samples_ms.push_back(i->get());
      }
    }
  }
  s.integer("seed", b.seed, 0, std::numeric_limits<std::int64_t>::max());
  const int m = s.choice("markets", {"sim_config", "binance_stand_in"}, false);
  if (m >= 0) b.markets = m == 0 ? "sim_config" : "binance_stand_in";
  s.decimal("spot_maker_fee_bps", b.spot_maker_fee_bps, between("-100", "1000"));
  s.decimal("spot_taker_fee_bps", b.spot_taker_fee_bps, between("0", "1000"));
  s.decimal("perp_maker_fee_bps", b.perp_maker_fee_bps, between("-100", "1000"));
  s.decimal("perp_taker_fee_bps", b.perp_taker_fee_bps, between("0", "1000"));
  s.decimal("quote_balance_usd", b.quote_balance_usd, above_upto("0", "1000000000"));
  s.decimal("base_inventory_usd", b.base_inventory_usd, between("0", "1000000000"));
  s.integer("sample_interval_seconds", b.sample_interval_seconds, 1, 86'400);
  s.boolean("queue_model", b.queue_model);
}

void Loader::read_service(Section& s, Config& c) {
  s.boolean("enabled", c.service.enabled);
  s.boolean("allow_remote", c.service.allow_remote);
  if (const toml::node* n = s.string("address", c.service.address)) {
    unsigned char buf[16];
    const bool v4 = inet_pton(AF_INET, c.service.address.c_str(), buf) == 1;
    const bool v6 = inet_pton(AF_INET6, c.service.address.c_str(), buf) == 1;
    if (!v4 && !v6) {
      issue_at(n, "service.address: " + quote(c.service.address) +
                      " is not an IP address; allowed: an IPv4/IPv6 literal such as \"127.0.0.1\"");
    } else if (c.service.address.rfind("127.", 0) != 0 && c.service.address != "::1") {
      // The endpoint has no authentication: beyond loopback only on an explicit opt-in (docs/service.md).
      if (!c.service.allow_remote) {
        issue_at(n, "service.address: " + quote(c.service.address) +
                        " is not a loopback address; allowed: 127.0.0.0/8 or ::1, or any IP literal together with "
                        "service.allow_remote = true");
      } else {
        warnings_.push_back(file_ + ": service.address " + c.service.address +
                            " exposes the status/metrics endpoint beyond this host (service.allow_remote = true)");
      }
    }
  }
  s.port("port", c.service.port, 1);
}

bool Loader::read_pair_base(const toml::node& n, const std::string& path, std::string& out) {
  const auto* s = n.as_string();
  if (s == nullptr) {
    issue_at(&n, path + ": wrong type, got " + describe(n) + "; allowed: a coin symbol string such as \"SOL\"");
    return false;
  }
  const std::string& v = s->get();
  const bool ok = !v.empty() && v.size() <= 20 && std::all_of(v.begin(), v.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
  });
  if (!ok) {
    std::string upper = v;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const bool fixable = !upper.empty() && upper.size() <= 20 && std::all_of(upper.begin(), upper.end(), [](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    });
    issue_at(&n, path + ": " + quote(v) + " is not a valid base coin" +
                     (fixable ? " (did you mean \"" + upper + "\"?)" : "") +
                     "; allowed: 1-20 upper-case letters/digits such as \"SOL\"");
    return false;
  }
  out = v;
  return true;
}

void Loader::check_pair_symbol(const toml::node* n, const std::string& key_path, const std::string& value,
                               const std::string& expected, const char* what) {
  if (value == expected) return;
  // Why so strict: the perp must be the same coin in USDC (perps settle in USDC); perps on a
  // multiplied base such as kBONK_USDC_PERP (= 1000 BONK) would need a contract multiplier.
  issue_at(n, key_path + ": " + quote(value) + " is not a valid " + what + " symbol for this pair; allowed: \"" +
                  expected + "\" (the pair's base coin against USDC)");
}

void Loader::read_pairs(const toml::table& root, Config& c) {
  const toml::node* n = root.get("pairs");
  if (n == nullptr || refused_.count(n)) return;  // defaults
  const auto* arr = n->as_array();
  const std::string example = " (e.g. pairs = [\"SOL\", \"BTC\"] or [[pairs]] tables with base/spot/perp/enabled)";
  if (arr == nullptr) {
    issue_at(n, "pairs: wrong type, got " + describe(*n) + "; allowed: an array" + example);
    return;
  }
  if (arr->empty()) {
    issue_at(n, "pairs: the list is empty; allowed: at least one pair" + example);
    return;
  }
  std::vector<PairConfig> out;
  std::map<std::string, std::string> seen;  // base → first path
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    const std::string path = "pairs[" + std::to_string(i) + "]";
    PairConfig p;
    const toml::node* where = &e;
    if (e.is_string()) {
      if (!read_pair_base(e, path, p.base)) continue;
      p.spot_symbol = p.base + "_USDC";
      p.perp_symbol = p.base + "_USDC_PERP";
    } else if (const auto* t = e.as_table()) {
      sections_.push_back(std::make_unique<Section>(*this, path, "pairs", t));
      Section& s = *sections_.back();
      const toml::node* b = s.get("base");
      if (b == nullptr) {
        if (!(t->get("base") != nullptr && refused_.count(t->get("base")))) {
          issue(&t->source(), path + ".base: missing required key; allowed: a coin symbol string such as \"SOL\"");
        }
        s.get("spot");
        s.get("perp");
        s.get("enabled");
        continue;
      }
      where = b;
      bool ok = read_pair_base(*b, path + ".base", p.base);
      const toml::node* spot = s.string("spot", p.spot_symbol);
      const toml::node* perp = s.string("perp", p.perp_symbol);
      s.boolean("enabled", p.enabled);
      if (!ok) continue;
      if (spot == nullptr) p.spot_symbol = p.base + "_USDC";
      if (perp == nullptr) p.perp_symbol = p.base + "_USDC_PERP";
      if (spot) check_pair_symbol(spot, path + ".spot", p.spot_symbol, p.base + "_USDC", "spot");
      if (perp) check_pair_symbol(perp, path + ".perp", p.perp_symbol, p.base + "_USDC_PERP", "perpetual");
    } else {
      issue_at(&e, path + ": wrong type, got " + describe(e) + "; allowed: a coin symbol string or a table" + example);
      continue;
    }
    auto [it, inserted] = seen.emplace(p.base, path);
    if (!inserted) {
      issue_at(where, path + ": duplicate pair " + quote(p.base) + " (already defined by " + it->second +
                          "); allowed: each base coin once");
      continue;
    }
    out.push_back(std::move(p));
  }
  c.pairs = std::move(out);
}

void Loader::check_consistency(const Config& c) {
  const auto at = [&](const std::string& key) -> const toml::node* {
    auto it = nodes_.find(key);
    return it == nodes_.end() ? nullptr : it->second;
  };
  // "0.002", or "0.002 (default)" when the key is not in the file, so the user sees which side to edit.
  const auto val = [&](const std::string& key, const std::string& text) {
    return at(key) ? text : text + " (default)";
  };
  const auto hours = [](DurationUs us) { return Decimal::from_raw(us * 10 / 36).str(); };  // µs → h at 1e-9
  // A rule involving a value that was already reported would only repeat that problem. The position
  // is that of the first key of the message if it is written in the file, else of the other one.
  const auto conflict = [&](const std::string& a, const std::string& b, const std::string& text) {
    if (bad_nodes_.count(at(a)) || bad_nodes_.count(at(b))) return;
    issue_at(at(a) ? at(a) : at(b), text);
  };
  const auto& st = c.strategy;
  const auto& r = c.risk;
  const std::string exe = "strategy.min_execution_threshold", spr = "strategy.min_spread_threshold",
                    lrg = "strategy.large_spread_threshold", psz = "strategy.position_size_usd",
                    mpos = "risk.max_position_usd", tot = "risk.max_total_exposure_usd",
                    exph = "strategy.expected_holding_hours", maxh = "strategy.max_holding_hours",
                    opm = "risk.max_orders_per_minute", rpm = "exchange.max_requests_per_minute";
  if (st.min_execution_threshold < st.min_spread_threshold) {
    conflict(
        exe, spr,
        exe + ": " + val(exe, st.min_execution_threshold.str()) + " is below " + spr + " " +
            val(spr, st.min_spread_threshold.str()) +
            "; allowed: min_execution_threshold >= min_spread_threshold (every tradeable spread is an opportunity)");
  }
  if (st.large_spread_threshold < st.min_execution_threshold) {
    conflict(lrg, exe,
             lrg + ": " + val(lrg, st.large_spread_threshold.str()) + " is below " + exe + " " +
                 val(exe, st.min_execution_threshold.str()) +
                 "; allowed: large_spread_threshold >= min_execution_threshold");
  }
  // No cross-check of min_closing_spread against the entry thresholds: the entry's expected net already
  // subtracts min_closing_spread as the exit basis it will pay back, so a tradeable entry's spread is
  // always above it and a new position cannot close at once.
  if (st.position_size_usd > r.max_position_usd) {
    conflict(psz, mpos,
             psz + ": " + val(psz, st.position_size_usd.str()) + " exceeds " + mpos + " " +
                 val(mpos, r.max_position_usd.str()) + "; allowed: position_size_usd <= max_position_usd");
  }
  if (r.max_position_usd > r.max_total_exposure_usd) {
    conflict(mpos, tot,
             mpos + ": " + val(mpos, r.max_position_usd.str()) + " exceeds " + tot + " " +
                 val(tot, r.max_total_exposure_usd.str()) + "; allowed: max_position_usd <= max_total_exposure_usd");
  }
  if (st.expected_holding_us > st.max_holding_us) {
    conflict(exph, maxh,
             exph + ": " + val(exph, hours(st.expected_holding_us)) + " exceeds " + maxh + " " +
                 val(maxh, hours(st.max_holding_us)) + "; allowed: expected_holding_hours <= max_holding_hours");
  }
  if (r.max_orders_per_minute > c.exchange.max_requests_per_minute) {
    conflict(opm, rpm,
             opm + ": " + val(opm, std::to_string(r.max_orders_per_minute)) + " exceeds " + rpm + " " +
                 val(rpm, std::to_string(c.exchange.max_requests_per_minute)) +
                 "; allowed: max_orders_per_minute <= max_requests_per_minute (every order is a request)");
  }
  if (!c.pairs.empty() && c.enabled_pair_count() == 0) {
    issue_at(at("pairs"), "pairs: every pair is disabled; allowed: at least one pair with enabled = true");
  }
}

// [venues.lighter]: only read when present (the daemon, `bparb lighter check` and `bparb record` use it).
void Loader::read_venues(const toml::table& root, Config& c) {
  Section& venues = section(root, "venues");
  const toml::node* n = venues.get("lighter");
  if (n == nullptr) return;
  const toml::table* t = n->as_table();
  if (t == nullptr) {
    issue_at(n, "venues.lighter: wrong type, got " + describe(*n) + "; allowed: a table ([venues.lighter])");
    return;
  }
  sections_.push_back(std::make_unique<Section>(*this, "venues.lighter", "venues.lighter", t));
  Section& s = *sections_.back();
  LighterVenueConfig v;
  const toml::node* rest = s.string("rest_url", v.rest_url);
  const toml::node* ws = s.string("ws_url", v.ws_url);
  if (rest) check_url(rest, "venues.lighter.rest_url", v.rest_url, /*live=*/true, false, kLighterRestUrl);
  if (ws) check_url(ws, "venues.lighter.ws_url", v.ws_url, /*live=*/true, true, kLighterWsUrl);
  std::int64_t chain = v.chain_id;
  if (const toml::node* cn = s.get("chain_id")) {
    const auto* i = cn->as_integer();
    if (i == nullptr || (i->get() != 300 && i->get() != 304)) {
      issue_at(cn, "venues.lighter.chain_id: " +
                       (i ? std::to_string(i->get()) + " is not allowed" : "wrong type, got " + describe(*cn)) +
                       "; allowed: 304 (mainnet) or 300 (testnet)");
    } else {
      chain = i->get();
    }
  }
  v.chain_id = static_cast<std::uint32_t>(chain);
  // Sub-accounts sit from 2^47; the venue's account field tops out at 2^48 - 2.
  s.integer("account_index", v.account_index, 0, (std::int64_t{1} << 48) - 2);
  s.integer("api_key_index", v.api_key_index, 0, 254);
  read_lighter_key_pool(s, v);
  if (!v.api_key_indexes.empty() && t->get("api_key_index") != nullptr)
    issue_at(s.get("api_key_index"),
             "venues.lighter.api_key_index: given with api_key_indexes; allowed: one of them (api_key_index for "
             "one key from LIGHTER_API_PRIVATE_KEY, api_key_indexes for a pool from LIGHTER_API_PRIVATE_KEY_<index>)");
  else if (!v.api_key_indexes.empty())
    v.api_key_index = v.api_key_indexes.front();
  for (const char* key : {"account_index", "api_key_index"}) {
    if (t->get(key) == nullptr && (std::string_view(key) == "account_index" || t->get("api_key_indexes") == nullptr)) {
      issue(&t->source(), std::string("venues.lighter.") + key + ": missing required key; allowed: " +
                              (std::string_view(key) == "account_index" ? "an integer from 0 to 281474976710654"
                                                                        : "an integer from 0 to 254"));
    }
  }
  if (v.api_key_indexes.empty() && v.api_key_index >= 0 && v.api_key_index <= 3) {
    warnings_.push_back(file_ + ": venues.lighter.api_key_index " + std::to_string(v.api_key_index) +
                        " is a slot Lighter's web and mobile apps may use; a key made for bparb belongs in 4..254");
  }
  for (const std::int64_t k : v.api_key_indexes)
    if (k <= 3)
      warnings_.push_back(file_ + ": venues.lighter.api_key_indexes: " + std::to_string(k) +
                          " is a slot Lighter's web and mobile apps may use; a key made for bparb belongs in 4..254");
  const int tier = s.choice("account_tier", {"standard", "premium"}, false);
  if (tier >= 0) v.account_tier = tier == 1 ? LighterTier::kPremium : LighterTier::kStandard;
  s.boolean("dead_man_switch", v.dead_man_switch);
  s.duration("dead_man_window_seconds", kUsPerSecond, v.dead_man_window_us,
             between("360", "86400", "(the venue takes 5 minutes to 15 days; one minute of margin for clock skew)"));
  s.duration("dead_man_refresh_seconds", kUsPerSecond, v.dead_man_refresh_us, between("5", "3600"));
  s.boolean("dead_man_abort_on_stop", v.dead_man_abort_on_stop);
  if (v.dead_man_refresh_us * 3 > v.dead_man_window_us) {
    const toml::node* at = s.get("dead_man_refresh_seconds");
    issue_at(at, "venues.lighter.dead_man_refresh_seconds: " + std::to_string(v.dead_man_refresh_us / kUsPerSecond) +
                     " does not fit three times in dead_man_window_seconds " +
                     std::to_string(v.dead_man_window_us / kUsPerSecond) +
                     "; allowed: at most a third of the window (a failed refresh must leave time for retries)");
  }
  read_lighter_markets(s, v.markets);
  // Said at every load (the daemon logs its warnings): the daemon routes orders there, but only the
  // cross-venue strategy opens a position on Lighter ([strategy] is read before this section).
  if (v.markets.empty())
    warnings_.push_back(file_ +
                        ": [venues.lighter]: no markets listed, so the daemon does not connect to Lighter (only "
                        "'bparb lighter check' and 'bparb record --venue lighter' use it)");
  else if (c.strategy.kind != StrategyKind::kCrossVenue)
    warnings_.push_back(file_ + ": [venues.lighter]: the daemon hosts " + std::to_string(v.markets.size()) +
                        " Lighter market(s) and routes orders on them to Lighter; only [strategy] kind = "
                        "\"cross_venue\" opens positions there");
  c.venues.lighter = std::move(v);
}

// venues.lighter.api_key_indexes: the pool's key slots, each once, at most as many as the sender rotates.
void Loader::read_lighter_key_pool(Section& s, LighterVenueConfig& v) {
  const toml::node* n = s.get("api_key_indexes");
  if (n == nullptr) return;
  const std::string allowed = "; allowed: a list of 1 to " + std::to_string(kLighterMaxApiKeys) +
                              " distinct API key slots from 0 to 254, such as [4, 5, 6]";
  const auto* arr = n->as_array();
  if (arr == nullptr || arr->empty() || arr->size() > kLighterMaxApiKeys) {
    issue_at(n, "venues.lighter.api_key_indexes: " +
                    (arr == nullptr ? "wrong type, got " + describe(*n) : std::to_string(arr->size()) + " slots") +
                    allowed);
    return;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    const std::string path = "venues.lighter.api_key_indexes[" + std::to_string(i) + "]";
    const auto* num = e.as_integer();
    if (num == nullptr || num->get() < 0 || num->get() > 254) {
      issue_at(&e, path + ": " +
                       (num ? std::to_string(num->get()) + " is out of range" : "wrong type, got " + describe(e)) +
                       allowed);
      continue;
    }
    if (std::find(v.api_key_indexes.begin(), v.api_key_indexes.end(), num->get()) != v.api_key_indexes.end()) {
      issue_at(&e, path + ": " + std::to_string(num->get()) + " is listed twice" + allowed);
      continue;
    }
    v.api_key_indexes.push_back(num->get());
  }
}

// venues.lighter.markets: Lighter's own symbols ("SOL"; spot "SOL/USDC"), each once.
void Loader::read_lighter_markets(Section& s, std::vector<std::string>& out) {
  const toml::node* n = s.get("markets");
  if (n == nullptr) return;
  const std::string allowed =
      "; allowed: a list of Lighter market symbols such as [\"SOL\", \"BTC\"] (spot \"SOL/USDC\")";
  const auto* arr = n->as_array();
  if (arr == nullptr) {
    issue_at(n, "venues.lighter.markets: wrong type, got " + describe(*n) + allowed);
    return;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    const std::string path = "venues.lighter.markets[" + std::to_string(i) + "]";
    const auto* str = e.as_string();
    const std::string v = str ? str->get() : std::string();
    const bool ok = str != nullptr && !v.empty() && v.size() <= 32 && std::all_of(v.begin(), v.end(), [](char ch) {
                      return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '/';
                    });
    if (!ok) {
      issue_at(&e, path + ": " +
                       (str ? quote(v) + " is not a Lighter market symbol" : "wrong type, got " + describe(e)) +
                       allowed);
      continue;
    }
    if (std::find(out.begin(), out.end(), v) != out.end()) {
      issue_at(&e, path + ": " + quote(v) + " is listed twice; allowed: each market once");
      continue;
    }
    out.push_back(v);
  }
}

Config Loader::load(const toml::table& root) {
  Config c;
  c.source_path = file_;
  refuse_secrets(root, "");
  read_exchange(section(root, "exchange"), c);
  read_paper(section(root, "paper"), c);
  read_risk(section(root, "risk"), c);
  read_strategy(section(root, "strategy"), c);
  read_execution(section(root, "execution"), c);
  read_pairs(root, c);
  read_logging(section(root, "logging"), c);
  read_journal(section(root, "journal"), c);
  read_service(section(root, "service"), c);
  read_backtest(section(root, "backtest"), c);
  read_recovery(section(root, "recovery"), c);
  read_shutdown(section(root, "shutdown"), c);
  read_venues(root, c);
  read_alerts(section(root, "alerts"), c);
  read_mm(section(root, "mm"), c);
  read_xarb(section(root, "xarb"), c);
  if (const auto* p = root.get("pairs")) nodes_["pairs"] = p;
  report_unknown(root);
  check_consistency(c);
  check_mm(c);
  check_xarb(c);
  if (issues_.empty() && c.exchange.mode == Mode::kPaper) {
    std::error_code ec;
    if (!std::filesystem::exists(c.paper.sim_config, ec)) {
      warnings_.push_back(file_ + ": paper.sim_config " + quote(c.paper.sim_config) +
                          " does not exist (relative to the working directory " +
                          std::filesystem::current_path(ec).string() + "); paper mode will fail to start");
    }
  }
  c.warnings = warnings_;
  return c;
}

}  // namespace bparb::app::config_detail
