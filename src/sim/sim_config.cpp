// config/sim.toml loader. Strict: unknown keys are errors (a typo must not silently fall back to a
// default), every value is range-checked, and every message names file, key, value and the range.
#include "bparb/sim/sim_config.hpp"

#include <sodium.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>

#include "sim_config_loader.hpp"

namespace bparb::sim {

namespace {

using config_detail::kBig;
using config_detail::Loader;

// An account is named by the base64 (standard alphabet, padded) of a 32-byte ED25519 public key, the
// X-API-Key value of a signed request (docs/backpack.md §1.5). The whole text must decode.
bool is_base64_public_key(std::string_view b64) noexcept {
  constexpr std::size_t kKeyBytes = 32;
  unsigned char raw[kKeyBytes + 4];
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(raw, sizeof raw, b64.data(), b64.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) !=
      0)
    return false;
  return end == b64.data() + b64.size() && len == kKeyBytes;
}

void load_server(const Loader& L, const toml::table& t, ServerConfig& s) {
  L.check_keys(t, "server",
               {"listen_address", "port", "ws_ping_interval_ms", "ws_pong_timeout_ms", "ws_send_queue_max",
                "max_body_bytes", "http_idle_timeout_ms"});
  if (auto v = L.get_string(t, "server", "listen_address")) {
    if (v->empty()) L.fail("server.listen_address", "\"\"", "must be an IP address such as \"127.0.0.1\"");
    s.listen_address = *v;
  }
  if (auto v = L.get_int(t, "server", "port", 0, 65535)) s.port = static_cast<std::uint16_t>(*v);
  if (auto v = L.get_int(t, "server", "ws_ping_interval_ms", 10, 3'600'000)) s.ws_ping_interval_ms = *v;
  if (auto v = L.get_int(t, "server", "ws_pong_timeout_ms", 10, 3'600'000)) s.ws_pong_timeout_ms = *v;
  if (auto v = L.get_int(t, "server", "ws_send_queue_max", 1, 10'000'000))
    s.ws_send_queue_max = static_cast<std::size_t>(*v);
  if (auto v = L.get_int(t, "server", "max_body_bytes", 1024, 64 << 20))
    s.max_body_bytes = static_cast<std::size_t>(*v);
  if (auto v = L.get_int(t, "server", "http_idle_timeout_ms", 100, 3'600'000)) s.http_idle_timeout_ms = *v;
}

void load_runtime(const Loader& L, const toml::table& t, RuntimeConfig& r) {
  L.check_keys(t, "runtime", {"seed", "time_scale", "step_interval_ms", "start_time_ms", "model_enabled"});
  if (auto v = L.get_int(t, "runtime", "seed", 0, std::numeric_limits<std::int64_t>::max())) {
    r.seed = static_cast<std::uint64_t>(*v);
  }
  if (auto v = L.get_double(t, "runtime", "time_scale", 0.001, 100'000)) r.time_scale = *v;
  if (auto v = L.get_int(t, "runtime", "step_interval_ms", 0, 60'000)) r.step_interval_ms = *v;
  if (auto v = L.get_int(t, "runtime", "start_time_ms", 0, 32'503'680'000'000)) r.start_time_ms = *v;
  if (auto v = L.get_bool(t, "runtime", "model_enabled")) r.model_enabled = *v;
}

void load_replay(const Loader& L, const toml::table& t, ReplayConfig& r) {
  L.check_keys(t, "replay", {"enabled", "path", "speed", "start_us", "maker_api_key", "symbols"});
  if (auto v = L.get_bool(t, "replay", "enabled")) r.enabled = *v;
  if (auto v = L.get_string(t, "replay", "path")) r.path = *v;
  if (auto v = L.get_double(t, "replay", "speed", 0.001, 100'000)) r.speed = *v;
  if (auto v = L.get_int(t, "replay", "start_us", 0, std::numeric_limits<std::int64_t>::max())) r.start_us = *v;
  if (auto v = L.get_string(t, "replay", "maker_api_key")) {
    if (v->empty()) L.fail("replay.maker_api_key", "\"\"", "must not be empty");
    r.maker_api_key = *v;
  }
  if (const toml::node* n = t.get("symbols")) {
    if (!n->is_table()) L.fail("replay.symbols", Loader::render(*n), "must be a table { RECORDED = \"EXCHANGE\" }");
    for (const auto& [k, v] : *n->as_table()) {
      if (!v.is_string()) L.fail("replay.symbols." + std::string(k.str()), Loader::render(v), "must be a string");
      r.symbols.emplace_back(std::string(k.str()), v.as_string()->get());
    }
  }
  if (r.enabled && r.path.empty()) L.fail("replay.path", "\"\"", "required when replay.enabled = true");
}

void load_script(const Loader& L, const toml::array& arr, const MarketModelConfig& model,
                 std::vector<ScriptedBasis>& out) {
  std::size_t i = 0;
  for (const auto& el : arr) {
    const std::string prefix = "script[" + std::to_string(i++) + "]";
    if (!el.is_table()) L.fail(prefix, Loader::render(el), "must be a table ([[script]])");
    const toml::table& t = *el.as_table();
    L.check_keys(t, prefix, {"at_seconds", "coin", "basis_bps", "dislocation_bps"});
    ScriptedBasis e;
    auto at = L.get_double(t, prefix, "at_seconds", 0, 31'536'000);
    if (!at) L.fail(prefix + ".at_seconds", {}, "required: simulated seconds after start, in [0, 31536000]");
    e.at_seconds = *at;
    auto coin = L.get_string(t, prefix, "coin");
    if (!coin) L.fail(prefix + ".coin", {}, "required: a coin of [[model.coins]], e.g. \"SOL\"");
    bool known = false;
    for (const auto& c : model.coins) known = known || c.coin == *coin;
    if (!known) L.fail(prefix + ".coin", "\"" + *coin + "\"", "must be a coin of the market model ([[model.coins]])");
    e.coin = *coin;
    auto dislocation = L.get_double(t, prefix, "dislocation_bps", -10'000, 10'000);
    auto bps = L.get_double(t, prefix, "basis_bps", -10'000, 10'000);
    if (dislocation && bps)
      L.fail(prefix, "basis_bps and dislocation_bps", "one of them: a basis to set or a dislocation to add");
    if (!bps && !dislocation)
      L.fail(prefix + ".basis_bps", {},
             "required: the basis to set, in [-10000, 10000] bps (or dislocation_bps: the move away from the fair "
             "value, in [-10000, 10000] bps)");
    e.dislocation = dislocation.has_value();
    e.basis_bps = dislocation ? *dislocation : *bps;
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ScriptedBasis& a, const ScriptedBasis& b) { return a.at_seconds < b.at_seconds; });
}

void load_fees(const Loader& L, const toml::table& t, std::string_view prefix, FeeSchedule& f) {
  L.check_keys(t, prefix, {"spot_maker_bps", "spot_taker_bps", "perp_maker_bps", "perp_taker_bps"});
  const Decimal lo = Decimal::from_int(-100), hi = Decimal::from_int(1000);
  if (auto v = L.get_decimal(t, prefix, "spot_maker_bps", lo, hi)) f.spot_maker_bps = *v;
  if (auto v = L.get_decimal(t, prefix, "spot_taker_bps", lo, hi)) f.spot_taker_bps = *v;
  if (auto v = L.get_decimal(t, prefix, "perp_maker_bps", lo, hi)) f.perp_maker_bps = *v;
  if (auto v = L.get_decimal(t, prefix, "perp_taker_bps", lo, hi)) f.perp_taker_bps = *v;
}

void load_exchange(const Loader& L, const toml::table& t, ExchangeConfig& e) {
  L.check_keys(t, "exchange",
               {"markets", "leverage_limit", "default_collateral_weight", "collateral_weights",
                "mark_price_interval_ms", "ticker_interval_ms", "average_premium_over_interval", "max_batch_size",
                "first_order_id", "public_trades_kept", "max_history_per_account"});
  if (const toml::node* n = t.get("markets")) {
    if (!n->is_array()) L.fail("exchange.markets", Loader::render(*n), "must be an array of market symbols");
    std::vector<MarketSetup> kept;
    for (const auto& el : *n->as_array()) {
      if (!el.is_string()) L.fail("exchange.markets", Loader::render(el), "must be an array of market symbols");
      const std::string& sym = el.as_string()->get();
      auto it =
          std::find_if(e.markets.begin(), e.markets.end(), [&](const MarketSetup& m) { return m.spec.symbol == sym; });
      if (it == e.markets.end()) {
        std::string list;
        for (const auto& m : e.markets) list += (list.empty() ? "" : ", ") + m.spec.symbol;
        L.fail("exchange.markets", "\"" + sym + "\"", "unknown market (known: " + list + ")");
      }
      kept.push_back(*it);
    }
    if (kept.empty()) L.fail("exchange.markets", "[]", "must list at least one market");
    e.markets = std::move(kept);
  }
  if (auto v = L.get_decimal(t, "exchange", "leverage_limit", Decimal::one(), Decimal::from_int(100)))
    e.leverage_limit = *v;
  if (auto v = L.get_decimal(t, "exchange", "default_collateral_weight", Decimal::zero(), Decimal::one())) {
    e.default_collateral_weight = *v;
  }
  if (const toml::table* cw = L.table(t, "exchange", "collateral_weights")) {
    for (auto&& [k, v] : *cw) {
      e.collateral_weights[std::string(k.str())] =
          L.decimal_of(v, "exchange.collateral_weights." + std::string(k.str()), Decimal::zero(), Decimal::one());
    }
  }
  if (auto v = L.get_int(t, "exchange", "mark_price_interval_ms", 0, 3'600'000))
    e.mark_price_interval_us = *v * kUsPerMs;
  if (auto v = L.get_int(t, "exchange", "ticker_interval_ms", 0, 3'600'000)) e.ticker_interval_us = *v * kUsPerMs;
  if (auto v = L.get_bool(t, "exchange", "average_premium_over_interval")) e.average_premium_over_interval = *v;
  if (auto v = L.get_int(t, "exchange", "max_batch_size", 1, 1000)) e.max_batch_size = static_cast<std::size_t>(*v);
  if (auto v = L.get_int(t, "exchange", "first_order_id", 1, 1'000'000'000'000'000))
    e.first_order_id = static_cast<OrderId>(*v);
  if (auto v = L.get_int(t, "exchange", "public_trades_kept", 1, 1'000'000))
    e.public_trades_kept = static_cast<std::size_t>(*v);
  if (auto v = L.get_int(t, "exchange", "max_history_per_account", 0, 100'000'000)) {
    e.max_history_per_account = static_cast<std::size_t>(*v);
  }
}

void load_market_overrides(const Loader& L, const toml::array& arr, ExchangeConfig& e) {
  std::size_t i = 0;
  for (const auto& el : arr) {
    const std::string prefix = "market[" + std::to_string(i++) + "]";
    if (!el.is_table()) L.fail(prefix, Loader::render(el), "must be a table ([[market]])");
    const toml::table& t = *el.as_table();
    L.check_keys(
        t, prefix,
        {"symbol", "seed_price", "tick_size", "step_size", "min_quantity", "max_quantity", "min_price", "max_price",
         "max_multiplier", "min_multiplier", "max_impact_multiplier", "min_impact_multiplier", "funding_interval_ms",
         "funding_rate_upper_bound_bps", "funding_rate_lower_bound_bps", "order_book_state"});
    auto sym = L.get_string(t, prefix, "symbol");
    if (!sym) L.fail(prefix + ".symbol", {}, "required");
    auto it =
        std::find_if(e.markets.begin(), e.markets.end(), [&](const MarketSetup& m) { return m.spec.symbol == *sym; });
    if (it == e.markets.end()) L.fail(prefix + ".symbol", "\"" + *sym + "\"", "not one of the configured markets");
    MarketSpec& m = it->spec;
    const Decimal tiny = Decimal::from_raw(1);
    if (auto v = L.get_decimal(t, prefix, "seed_price", Decimal::zero(), kBig, true)) it->seed_price = *v;
    if (auto v = L.get_decimal(t, prefix, "tick_size", Decimal::zero(), kBig, true)) m.tick_size = *v;
    if (auto v = L.get_decimal(t, prefix, "step_size", Decimal::zero(), kBig, true)) m.step_size = *v;
    if (auto v = L.get_decimal(t, prefix, "min_quantity", Decimal::zero(), kBig, true)) m.min_quantity = *v;
    if (auto v = L.get_decimal(t, prefix, "max_quantity", Decimal::zero(), kBig)) m.max_quantity = *v;
    if (auto v = L.get_decimal(t, prefix, "min_price", tiny, kBig)) m.min_price = *v;
    if (auto v = L.get_decimal(t, prefix, "max_price", Decimal::zero(), kBig)) m.max_price = *v;
    if (auto v = L.get_decimal(t, prefix, "max_multiplier", Decimal::zero(), Decimal::from_int(1000)))
      m.max_multiplier = *v;
    if (auto v = L.get_decimal(t, prefix, "min_multiplier", Decimal::zero(), Decimal::one())) m.min_multiplier = *v;
    if (auto v = L.get_decimal(t, prefix, "max_impact_multiplier", Decimal::zero(), Decimal::from_int(1000))) {
      m.max_impact_multiplier = *v;
    }
    if (auto v = L.get_decimal(t, prefix, "min_impact_multiplier", Decimal::zero(), Decimal::one())) {
      m.min_impact_multiplier = *v;
    }
    if (auto v = L.get_int(t, prefix, "funding_interval_ms", 60'000, 7 * 24 * 3'600'000LL)) {
      if (!m.is_perp()) L.fail(prefix + ".funding_interval_ms", std::to_string(*v), "only perp markets have funding");
      m.funding_interval_ms = *v;
    }
    const Decimal bps_hi = Decimal::from_int(10'000);
    if (auto v = L.get_decimal(t, prefix, "funding_rate_upper_bound_bps", Decimal::zero(), bps_hi)) {
      m.funding_rate_upper_bound_bps = *v;
    }
    if (auto v = L.get_decimal(t, prefix, "funding_rate_lower_bound_bps", -bps_hi, Decimal::zero())) {
      m.funding_rate_lower_bound_bps = *v;
    }
    if (auto v = L.get_string(t, prefix, "order_book_state")) {
      if (!parse_order_book_state(*v, m.state)) {
        L.fail(prefix + ".order_book_state", "\"" + *v + "\"",
               "allowed: Open, Closed, CancelOnly, LimitOnly, PostOnly");
      }
    }
    if (!m.min_quantity.is_multiple_of(m.step_size)) {
      L.fail(prefix + ".min_quantity", m.min_quantity.str(), "must be a multiple of step_size " + m.step_size.str());
    }
    if (!it->seed_price.is_multiple_of(m.tick_size)) {
      L.fail(prefix + ".seed_price", it->seed_price.str(), "must be a multiple of tick_size " + m.tick_size.str());
    }
  }
}

void load_liquidity(const Loader& L, const toml::table& t, const std::string& prefix, LiquidityParams& p) {
  L.check_keys(t, prefix,
               {"half_spread_bps", "level_spacing_bps", "levels", "level_notional_usd", "size_growth",
                "taker_rate_per_minute", "taker_mean_notional_usd"});
  if (auto v = L.get_double(t, prefix, "half_spread_bps", 0.01, 1000)) p.half_spread_bps = *v;
  if (auto v = L.get_double(t, prefix, "level_spacing_bps", 0.01, 1000)) p.level_spacing_bps = *v;
  if (auto v = L.get_int(t, prefix, "levels", 1, 1000)) p.levels = static_cast<int>(*v);
  if (auto v = L.get_double(t, prefix, "level_notional_usd", 1, 1e9)) p.level_notional_usd = *v;
  if (auto v = L.get_double(t, prefix, "size_growth", 0, 100)) p.size_growth = *v;
  if (auto v = L.get_double(t, prefix, "taker_rate_per_minute", 0, 60'000)) p.taker_rate_per_minute = *v;
  if (auto v = L.get_double(t, prefix, "taker_mean_notional_usd", 0, 1e9)) p.taker_mean_notional_usd = *v;
}

void load_model(const Loader& L, const toml::table& t, MarketModelConfig& m) {
  L.check_keys(t, "model", {"requote_threshold_bps", "background_trading", "keep_unchanged_levels", "coins"});
  if (auto v = L.get_double(t, "model", "requote_threshold_bps", 0, 1000)) m.requote_threshold_bps = *v;
  if (auto v = L.get_bool(t, "model", "background_trading")) m.background_trading = *v;
  if (auto v = L.get_bool(t, "model", "keep_unchanged_levels")) m.keep_unchanged_levels = *v;
  const toml::node* coins = t.get("coins");
  if (coins == nullptr) return;
  if (!coins->is_array()) L.fail("model.coins", Loader::render(*coins), "must be an array of tables ([[model.coins]])");
  std::size_t i = 0;
  for (const auto& el : *coins->as_array()) {
    const std::string prefix = "model.coins[" + std::to_string(i++) + "]";
    if (!el.is_table()) L.fail(prefix, Loader::render(el), "must be a table");
    const toml::table& c = *el.as_table();
    L.check_keys(c, prefix,
                 {"coin", "annual_volatility", "basis_mean_bps", "basis_reversion_per_hour", "basis_vol_bps",
                  "jump_rate_per_hour", "jump_mean_bps", "spot", "perp"});
    auto coin = L.get_string(c, prefix, "coin");
    if (!coin) L.fail(prefix + ".coin", {}, "required (e.g. \"SOL\")");
    auto it = std::find_if(m.coins.begin(), m.coins.end(), [&](const CoinModelParams& p) { return p.coin == *coin; });
    if (it == m.coins.end()) {
      CoinModelParams p;
      try {
        p = default_coin_params(*coin);
      } catch (const std::exception&) {
        p.coin = *coin;
      }
      m.coins.push_back(p);
      it = m.coins.end() - 1;
    }
    CoinModelParams& p = *it;
    if (auto v = L.get_double(c, prefix, "annual_volatility", 0, 20)) p.annual_volatility = *v;
    if (auto v = L.get_double(c, prefix, "basis_mean_bps", -1000, 1000)) p.basis_mean_bps = *v;
    if (auto v = L.get_double(c, prefix, "basis_reversion_per_hour", 0, 10'000)) p.basis_reversion_per_hour = *v;
    if (auto v = L.get_double(c, prefix, "basis_vol_bps", 0, 10'000)) p.basis_vol_bps = *v;
    if (auto v = L.get_double(c, prefix, "jump_rate_per_hour", 0, 3600)) p.jump_rate_per_hour = *v;
    if (auto v = L.get_double(c, prefix, "jump_mean_bps", 0, 10'000)) p.jump_mean_bps = *v;
    if (const toml::table* s = L.table(c, prefix, "spot")) load_liquidity(L, *s, prefix + ".spot", p.spot);
    if (const toml::table* s = L.table(c, prefix, "perp")) load_liquidity(L, *s, prefix + ".perp", p.perp);
  }
}

void load_follow(const Loader& L, const toml::table& t, FollowParams& f) {
  L.check_keys(t, "follow",
               {"lag_ms", "noise_bps", "noise_half_life_s", "dislocation_rate_per_hour", "dislocation_mean_bps",
                "dislocation_half_life_s"});
  if (auto v = L.get_int(t, "follow", "lag_ms", 0, 600'000)) f.lag_ms = *v;
  if (auto v = L.get_double(t, "follow", "noise_bps", 0, 1000)) f.noise_bps = *v;
  if (auto v = L.get_double(t, "follow", "noise_half_life_s", 0.1, 86'400)) f.noise_half_life_s = *v;
  if (auto v = L.get_double(t, "follow", "dislocation_rate_per_hour", 0, 3600)) f.dislocation_rate_per_hour = *v;
  if (auto v = L.get_double(t, "follow", "dislocation_mean_bps", 0, 10'000)) f.dislocation_mean_bps = *v;
  if (auto v = L.get_double(t, "follow", "dislocation_half_life_s", 0.1, 86'400)) f.dislocation_half_life_s = *v;
}

void load_accounts(const Loader& L, const toml::array& arr, ExchangeConfig& e) {
  std::size_t i = 0;
  for (const auto& el : arr) {
    const std::string prefix = "accounts[" + std::to_string(i++) + "]";
    if (!el.is_table()) L.fail(prefix, Loader::render(el), "must be a table ([[accounts]])");
    const toml::table& t = *el.as_table();
    L.check_keys(t, prefix, {"api_key", "balances", "leverage_limit", "fees"});
    AccountSetup a;
    auto key = L.get_string(t, prefix, "api_key");
    if (!key) L.fail(prefix + ".api_key", {}, "required (base64 ED25519 public key, the X-API-Key value)");
    if (!is_base64_public_key(*key)) {
      L.fail(prefix + ".api_key", "\"" + *key + "\"", "must be the base64 of a 32-byte ED25519 public key");
    }
    for (const auto& other : e.accounts) {
      if (other.api_key == *key) L.fail(prefix + ".api_key", "\"" + *key + "\"", "duplicate api_key");
    }
    a.api_key = *key;
    if (const toml::table* b = L.table(t, prefix, "balances")) {
      for (auto&& [asset, v] : *b) {
        a.balances.emplace_back(
            std::string(asset.str()),
            L.decimal_of(v, prefix + ".balances." + std::string(asset.str()), Decimal::zero(), kBig));
      }
    }
    if (auto v = L.get_decimal(t, prefix, "leverage_limit", Decimal::one(), Decimal::from_int(100)))
      a.leverage_limit = *v;
    if (const toml::table* f = L.table(t, prefix, "fees")) {
      FeeSchedule fs = e.fees;
      load_fees(L, *f, prefix + ".fees", fs);
      a.fees = fs;
    }
    e.accounts.push_back(std::move(a));
  }
}

LatencySpec latency_of(const Loader& L, const toml::node& n, const std::string& key) {
  LatencySpec l;
  if (n.is_integer()) {
    const std::int64_t v = n.as_integer()->get();
    if (v < 0 || v > 60'000) L.fail(key, std::to_string(v), "must be in [0, 60000] ms");
    l.min_ms = l.max_ms = v;
    return l;
  }
  if (!n.is_table()) L.fail(key, Loader::render(n), "must be an integer (ms) or {min = .., max = ..}");
  const toml::table& t = *n.as_table();
  L.check_keys(t, key, {"min", "max"});
  l.min_ms = L.get_int(t, key, "min", 0, 60'000).value_or(0);
  l.max_ms = L.get_int(t, key, "max", 0, 60'000).value_or(l.min_ms);
  if (l.min_ms > l.max_ms)
    L.fail(key + ".min", std::to_string(l.min_ms), "must not exceed max " + std::to_string(l.max_ms));
  return l;
}

void load_faults(const Loader& L, const toml::table& t, FaultConfig& f) {
  L.check_keys(t, "faults",
               {"rest_latency_ms", "ws_latency_ms", "drop_ws_every_s", "http_429_next", "http_503_after_place",
                "reject_orders", "fill_ratio_cap", "fill_ratio_symbols", "fill_ratio_orders", "drop_order_fills",
                "order_latency_ms", "malformed_frames", "oversized_frames", "clock_skew_ms", "unavailable_paths",
                "cancel_latency_ms", "cancel_accepted_next", "cancel_accepted_effect_ms", "post_only_cross_next"});
  if (const toml::node* n = t.get("rest_latency_ms")) f.rest_latency = latency_of(L, *n, "faults.rest_latency_ms");
  if (const toml::node* n = t.get("ws_latency_ms")) f.ws_latency = latency_of(L, *n, "faults.ws_latency_ms");
  if (const toml::node* n = t.get("order_latency_ms")) f.order_latency = latency_of(L, *n, "faults.order_latency_ms");
  if (auto v = L.get_int(t, "faults", "drop_ws_every_s", 0, 86'400)) f.drop_ws_every_s = *v;
  if (auto v = L.get_int(t, "faults", "http_429_next", 0, 1'000'000)) f.http_429_next = *v;
  if (auto v = L.get_int(t, "faults", "http_503_after_place", 0, 1'000'000)) f.http_503_after_place = *v;
  const auto symbols = [&](const char* key, std::set<std::string>& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const std::string k = std::string("faults.") + key;
    if (!n->is_array()) L.fail(k, Loader::render(*n), "must be an array of market symbols");
    for (const auto& el : *n->as_array()) {
      if (!el.is_string()) L.fail(k, Loader::render(el), "must be an array of market symbols");
      out.insert(el.as_string()->get());
    }
  };
  symbols("reject_orders", f.reject_order_symbols);
  if (const toml::node* n = t.get("unavailable_paths")) {
    if (!n->is_array()) L.fail("faults.unavailable_paths", Loader::render(*n), "must be an array of REST paths");
    for (const auto& el : *n->as_array()) {
      if (!el.is_string() || !el.as_string()->get().starts_with("/"))
        L.fail("faults.unavailable_paths", Loader::render(el),
               "must be an array of REST paths such as \"/api/v1/depth\"");
      f.unavailable_paths.insert(el.as_string()->get());
    }
  }
  symbols("fill_ratio_symbols", f.fill_ratio_symbols);
  if (auto v = L.get_int(t, "faults", "fill_ratio_orders", 0, 1'000'000)) f.fill_ratio_orders = *v;
  if (auto v = L.get_int(t, "faults", "drop_order_fills", 0, 1'000'000)) f.drop_order_fills_next = *v;
  if (auto v = L.get_decimal(t, "faults", "fill_ratio_cap", Decimal::zero(), Decimal::one(), true))
    f.fill_ratio_cap = *v;
  if (auto v = L.get_int(t, "faults", "malformed_frames", 0, 1'000'000)) f.malformed_frames_next = *v;
  if (auto v = L.get_int(t, "faults", "oversized_frames", 0, 1'000'000)) f.oversized_frames_next = *v;
  if (auto v = L.get_int(t, "faults", "clock_skew_ms", -86'400'000, 86'400'000)) f.clock_skew_ms = *v;
  if (const toml::node* n = t.get("cancel_latency_ms"))
    f.cancel_latency = latency_of(L, *n, "faults.cancel_latency_ms");
  if (auto v = L.get_int(t, "faults", "cancel_accepted_next", 0, 1'000'000)) f.cancel_accepted_next = *v;
  if (const toml::node* n = t.get("cancel_accepted_effect_ms"))
    f.cancel_accepted_effect = latency_of(L, *n, "faults.cancel_accepted_effect_ms");
  if (auto v = L.get_int(t, "faults", "post_only_cross_next", 0, 1'000'000)) f.post_only_cross_next = *v;
}

}  // namespace

SimConfig default_sim_config() {
  return SimConfig{};
}

namespace {

toml::table parse_toml(std::string_view toml_text, std::string_view source_name) {
  try {
    return toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column
       << ": TOML syntax error: " << e.description();
    throw SimConfigError(os.str());
  }
}

// The sections of one venue, read over `cfg` (defaults, or the top-level sections a venue inherits).
// `venue` is true for a [venues.NAME] table: its [[accounts]] and [[script]] then replace the inherited
// ones instead of adding to them, and its [runtime] holds only what may differ between venues.
void load_sections(const Loader& L, const toml::table& root, SimConfig& cfg, bool venue) {
  if (const toml::table* t = L.table(root, "", "server")) load_server(L, *t, cfg.server);
  if (const toml::table* t = L.table(root, "", "runtime")) {
    if (venue) {
      for (auto&& [k, v] : *t) {
        if (k.str() != "seed" && k.str() != "model_enabled") {
          L.fail("runtime." + std::string(k.str()), {},
                 "one simulation clock serves every venue: set it in the top-level [runtime] (a venue's [runtime] "
                 "may set seed and model_enabled)");
        }
      }
    }
    load_runtime(L, *t, cfg.runtime);
  }
  if (const toml::table* t = L.table(root, "", "exchange")) load_exchange(L, *t, cfg.exchange);
  if (const toml::table* t = L.table(root, "", "fees")) load_fees(L, *t, "fees", cfg.exchange.fees);
  if (const toml::node* n = root.get("market")) {
    if (!n->is_array()) L.fail("market", Loader::render(*n), "must be an array of tables ([[market]])");
    load_market_overrides(L, *n->as_array(), cfg.exchange);
  }
  if (const toml::table* t = L.table(root, "", "model")) load_model(L, *t, cfg.model);
  // Only the multi-venue form lets "follow" through its key checks: one venue has no fair value to follow.
  if (const toml::table* t = L.table(root, "", "follow")) load_follow(L, *t, cfg.model.follow);
  if (const toml::node* n = root.get("accounts")) {
    if (!n->is_array()) L.fail("accounts", Loader::render(*n), "must be an array of tables ([[accounts]])");
    if (venue) cfg.exchange.accounts.clear();
    load_accounts(L, *n->as_array(), cfg.exchange);
  }
  if (const toml::table* t = L.table(root, "", "faults")) load_faults(L, *t, cfg.faults);
  if (const toml::table* t = L.table(root, "", "replay")) load_replay(L, *t, cfg.replay);
  if (const toml::node* n = root.get("script")) {
    if (!n->is_array()) L.fail("script", Loader::render(*n), "must be an array of tables ([[script]])");
    if (venue) cfg.script.clear();
    load_script(L, *n->as_array(), cfg.model, cfg.script);
  }
  if (!cfg.script.empty() && (cfg.replay.enabled || !cfg.runtime.model_enabled))
    L.fail("script", "[[script]]", "needs the market model (runtime.model_enabled = true, replay.enabled = false)");
}

struct ProtocolInfo {
  std::string_view name;
  VenueProtocol protocol;
};
constexpr ProtocolInfo kProtocols[] = {
    {"backpack", VenueProtocol::kBackpack},
    {"lighter", VenueProtocol::kLighter},
};

bool valid_venue_name(std::string_view n) {
  if (n.empty() || n.size() > 32) return false;
  return std::all_of(n.begin(), n.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
  });
}

}  // namespace

std::string_view protocol_name(VenueProtocol p) noexcept {
  for (const ProtocolInfo& i : kProtocols)
    if (i.protocol == p) return i.name;
  return "?";
}

SimConfig parse_sim_config(std::string_view toml_text, std::string_view source_name) {
  Loader L(source_name);
  const toml::table root = parse_toml(toml_text, source_name);
  SimConfig cfg = default_sim_config();
  L.check_keys(root, "",
               {"server", "runtime", "exchange", "fees", "market", "model", "accounts", "faults", "replay", "script"});
  load_sections(L, root, cfg, false);
  return cfg;
}

SimVenuesConfig parse_sim_venues_config(std::string_view toml_text, std::string_view source_name) {
  const toml::table root = parse_toml(toml_text, source_name);
  SimVenuesConfig out;
  if (root.get("venues") == nullptr) {
    // Today's form: the whole file is one Backpack venue, read exactly as parse_sim_config reads it.
    VenueConfig v;
    v.name = "backpack";
    v.protocol = VenueProtocol::kBackpack;
    v.sim = parse_sim_config(toml_text, source_name);
    out.runtime = v.sim.runtime;
    out.venues.push_back(std::move(v));
    return out;
  }
  out.multi_venue = true;
  Loader L(source_name);
  L.check_keys(root, "",
               {"server", "runtime", "exchange", "fees", "market", "model", "accounts", "faults", "replay", "script",
                "follow", "venues"});
  const toml::table* venues = L.table(root, "", "venues");
  // The top-level sections are what every venue inherits.
  SimConfig base = default_sim_config();
  load_sections(L, root, base, false);
  out.runtime = base.runtime;
  // Venues in file order (a TOML table has no order of its own; the source position gives it).
  std::vector<std::pair<std::string, const toml::table*>> listed;
  for (auto&& [k, v] : *venues) {
    const std::string name(k.str());
    if (!v.is_table()) L.fail("venues." + name, Loader::render(v), "must be a table ([venues." + name + "])");
    if (!valid_venue_name(name)) L.fail("venues." + name, {}, "a venue name is 1-32 letters, digits, '_' or '-'");
    listed.emplace_back(name, v.as_table());
  }
  if (listed.empty()) L.fail("venues", "{}", "must hold at least one [venues.NAME] table");
  std::stable_sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) {
    const auto& sa = a.second->source().begin;
    const auto& sb = b.second->source().begin;
    return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
  });
  std::size_t index = 0;
  for (const auto& [name, table] : listed) {
    const std::string prefix = "venues." + name + ".";
    Loader V(source_name, prefix);
    V.check_keys(*table, "",
                 {"protocol", "server", "runtime", "exchange", "fees", "market", "model", "accounts", "faults",
                  "replay", "script", "follow", "lighter"});
    VenueConfig v;
    v.name = name;
    // The protocol defaults to the venue's name when that names one ([venues.backpack]).
    std::string proto = name;
    if (auto p = V.get_string(*table, "", "protocol")) proto = *p;
    const ProtocolInfo* info = nullptr;
    for (const ProtocolInfo& i : kProtocols)
      if (i.name == proto) info = &i;
    if (info == nullptr) {
      V.fail("protocol", "\"" + proto + "\"",
             table->get("protocol") == nullptr
                 ? "required when the venue's name is not a protocol (allowed: backpack, lighter)"
                 : "allowed: backpack, lighter");
    }
    v.protocol = info->protocol;
    if (v.protocol == VenueProtocol::kLighter) {
      config_detail::check_lighter_venue_sections(V, *table);
    } else if (table->get("lighter") != nullptr) {
      V.fail("lighter", "{...}", "only a venue with protocol = \"lighter\" has a [venues.NAME.lighter] table");
    }
    v.sim = base;
    // Venues draw different random markets unless a venue sets its own seed.
    v.sim.runtime.seed = base.runtime.seed + index;
    load_sections(V, *table, v.sim, true);
    if (v.protocol == VenueProtocol::kLighter) config_detail::load_lighter_venue(V, *table, v.sim, v.lighter);
    ++index;
    for (const VenueConfig& other : out.venues) {
      if (v.sim.server.port != 0 && other.sim.server.port == v.sim.server.port &&
          other.sim.server.listen_address == v.sim.server.listen_address) {
        V.fail("server.port", std::to_string(v.sim.server.port),
               "already the port of venue \"" + other.name + "\" (each venue listens on its own port; 0 = ephemeral)");
      }
    }
    out.venues.push_back(std::move(v));
  }
  return out;
}

namespace {
std::string read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SimConfigError(path + ": cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

SimConfig load_sim_config(const std::string& path) {
  return parse_sim_config(read_config_file(path), path);
}

SimVenuesConfig load_sim_venues_config(const std::string& path) {
  return parse_sim_venues_config(read_config_file(path), path);
}

}  // namespace bparb::sim
