// [venues.NAME.lighter]: what a Lighter venue's front-end serves, and how the venue's Exchange is fitted to
// it. Every key is documented in config/sim-backpack-lighter.toml; the venue facts behind the ranges (market
// ids, decimals, fees in percent, margin fractions in 1/10,000) are in docs/lighter.md.
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "bparb/venue/lighter/keys.hpp"
#include "sim_config_loader.hpp"

namespace bparb::sim::config_detail {

namespace {

constexpr int kMaxDecimals = 9;                  // the Exchange's fixed scale (Decimal: 1e-9)
constexpr double kPriceFieldMax = 4294967295.0;  // the venue's Price is a uint32 of 10^-price_decimals units
constexpr std::int64_t kMaxAccountIndex = (std::int64_t{1} << 48) - 2;

Decimal pow10_neg(int decimals) {
  std::int64_t raw = 1;
  for (int i = decimals; i < kMaxDecimals; ++i) raw *= 10;
  return Decimal::from_raw(raw);  // 10^-decimals at scale 1e-9
}

std::string quoted(std::string_view s) {
  std::string q(1, '"');  // (appended, not operator+: GCC 12 warns falsely on the concatenation)
  q.append(s);
  q += '"';
  return q;
}

// The venue's own [[venues.NAME.market]] entry for `symbol`, if it sets `key`.
const toml::node* venue_market_key(const toml::table& venue, std::string_view symbol, std::string_view key) {
  const toml::node* arr = venue.get("market");
  if (arr == nullptr || !arr->is_array()) return nullptr;
  for (const auto& el : *arr->as_array()) {
    const toml::table* t = el.as_table();
    if (t == nullptr) continue;
    const toml::node* s = t->get("symbol");
    if (s != nullptr && s->is_string() && s->as_string()->get() == symbol) return t->get(key);
  }
  return nullptr;
}

void fit_exchange_market(const Loader& V, const toml::table& venue, const std::string& prefix, MarketSetup& ms,
                         const LighterMarketConfig& m) {
  MarketSpec& spec = ms.spec;
  const Decimal tick = pow10_neg(m.price_decimals);
  const Decimal step = pow10_neg(m.size_decimals);
  // An explicit tick or step of the venue's own [[market]] must agree: the decimals are what clients scale by.
  for (const auto& [key, want, dec_key, decimals] : {std::tuple{"tick_size", tick, "price_decimals", m.price_decimals},
                                                     std::tuple{"step_size", step, "size_decimals", m.size_decimals}}) {
    if (const toml::node* n = venue_market_key(venue, m.symbol, key)) {
      const Decimal given = V.decimal_of(*n, std::string("market.") + key, Decimal::zero(), kBig, true);
      if (given != want) {
        V.fail(prefix + "." + dec_key, std::to_string(decimals),
               "the Lighter market's " + std::string(key) + " is " + want.str() + " but [[venues.NAME.market]] " +
                   m.symbol + " sets " + given.str() + " (drop it there or make them agree)");
      }
    }
  }
  spec.tick_size = tick;
  spec.step_size = step;
  if (!spec.min_price.is_multiple_of(tick) || spec.min_price < tick) spec.min_price = tick;
  if (!spec.min_quantity.is_multiple_of(step) || spec.min_quantity < step) spec.min_quantity = step;
  if (!ms.seed_price.is_multiple_of(tick)) {
    V.fail(prefix + ".price_decimals", std::to_string(m.price_decimals),
           m.symbol + "'s seed_price " + ms.seed_price.str() + " is not a multiple of the tick " + tick.str());
  }
  const double top =
      ms.seed_price.to_double() * std::max(1.0, spec.max_multiplier.to_double()) * std::pow(10.0, m.price_decimals);
  if (top > kPriceFieldMax) {
    V.fail(prefix + ".price_decimals", std::to_string(m.price_decimals),
           m.symbol +
               "'s highest price (seed_price x max_multiplier) times 10^price_decimals must fit the venue's "
               "32-bit price field (<= 4294967295)");
  }
}

void load_market(const Loader& V, const toml::table& venue, const toml::table& t, const std::string& prefix,
                 const std::vector<MarketSetup>& known, LighterVenueConfig& out, std::vector<MarketSetup>& kept) {
  V.check_keys(t, prefix,
               {"symbol", "market_id", "lighter_symbol", "size_decimals", "price_decimals", "min_base_amount",
                "min_quote_amount", "default_initial_margin_fraction", "min_initial_margin_fraction",
                "maintenance_margin_fraction", "closeout_margin_fraction"});
  LighterMarketConfig m;
  auto sym = V.get_string(t, prefix, "symbol");
  if (!sym) V.fail(prefix + ".symbol", {}, "required: the Exchange market it trades, e.g. \"SOL_USDC_PERP\"");
  auto it = std::find_if(known.begin(), known.end(), [&](const MarketSetup& s) { return s.spec.symbol == *sym; });
  if (it == known.end()) {
    std::string list;
    for (const auto& s : known) list += (list.empty() ? "" : ", ") + s.spec.symbol;
    V.fail(prefix + ".symbol", quoted(*sym), "not a market of this venue's exchange (known: " + list + ")");
  }
  for (const auto& other : out.markets) {
    if (other.symbol == *sym) V.fail(prefix + ".symbol", quoted(*sym), "already a Lighter market of this venue");
  }
  m.symbol = *sym;
  const bool perp = it->spec.is_perp();
  const std::int64_t id_lo = perp ? 0 : 2048;
  const std::int64_t id_hi = perp ? 254 : 32767;
  auto id = V.get_int(t, prefix, "market_id", id_lo, id_hi);
  if (!id) {
    V.fail(prefix + ".market_id", {},
           std::string("required: the venue's market id (") + (perp ? "perps 0..254" : "spot 2048..32767") + ")");
  }
  for (const auto& other : out.markets) {
    if (other.market_id == *id)
      V.fail(prefix + ".market_id", std::to_string(*id), "already the market id of " + other.symbol);
  }
  m.market_id = *id;
  m.lighter_symbol = perp ? it->spec.base_symbol : it->spec.base_symbol + "/" + it->spec.quote_symbol;
  if (auto v = V.get_string(t, prefix, "lighter_symbol")) {
    if (v->empty()) V.fail(prefix + ".lighter_symbol", "\"\"", "must not be empty");
    m.lighter_symbol = *v;
  }
  auto sd = V.get_int(t, prefix, "size_decimals", 0, kMaxDecimals);
  if (!sd) V.fail(prefix + ".size_decimals", {}, "required: base_amount = quantity x 10^size_decimals, in [0, 9]");
  auto pd = V.get_int(t, prefix, "price_decimals", 0, kMaxDecimals);
  if (!pd) V.fail(prefix + ".price_decimals", {}, "required: price = px x 10^price_decimals, in [0, 9]");
  if (*sd + *pd > kMaxDecimals) {
    V.fail(prefix + ".price_decimals", std::to_string(*pd),
           "size_decimals + price_decimals must be at most 9 (every notional exact at 1e-9); size_decimals is " +
               std::to_string(*sd));
  }
  m.size_decimals = static_cast<int>(*sd);
  m.price_decimals = static_cast<int>(*pd);
  const Decimal step = pow10_neg(m.size_decimals);
  m.min_base_amount = step;
  if (auto v = V.get_decimal(t, prefix, "min_base_amount", Decimal::zero(), kBig)) {
    if (!v->is_multiple_of(step))
      V.fail(prefix + ".min_base_amount", v->str(), "must be a multiple of 10^-size_decimals (" + step.str() + ")");
    m.min_base_amount = *v;
  }
  m.min_quote_amount = Decimal::from_int(10);
  if (auto v = V.get_decimal(t, prefix, "min_quote_amount", Decimal::zero(), kBig)) m.min_quote_amount = *v;
  const auto fraction = [&](const char* key, std::uint16_t& f) {
    if (auto v = V.get_int(t, prefix, key, 1, 10'000)) f = static_cast<std::uint16_t>(*v);
  };
  fraction("default_initial_margin_fraction", m.default_initial_margin_fraction);
  fraction("min_initial_margin_fraction", m.min_initial_margin_fraction);
  fraction("maintenance_margin_fraction", m.maintenance_margin_fraction);
  fraction("closeout_margin_fraction", m.closeout_margin_fraction);
  if (!(m.closeout_margin_fraction <= m.maintenance_margin_fraction &&
        m.maintenance_margin_fraction <= m.min_initial_margin_fraction &&
        m.min_initial_margin_fraction <= m.default_initial_margin_fraction)) {
    V.fail(prefix + ".maintenance_margin_fraction", std::to_string(m.maintenance_margin_fraction),
           "the margin fractions must satisfy closeout (" + std::to_string(m.closeout_margin_fraction) +
               ") <= maintenance <= min_initial (" + std::to_string(m.min_initial_margin_fraction) +
               ") <= default_initial (" + std::to_string(m.default_initial_margin_fraction) + ")");
  }
  MarketSetup ms = *it;
  fit_exchange_market(V, venue, prefix, ms, m);
  kept.push_back(std::move(ms));
  out.markets.push_back(std::move(m));
}

void load_account(const Loader& V, const toml::table& t, const std::string& prefix, SimConfig& sim,
                  LighterVenueConfig& out) {
  V.check_keys(t, prefix, {"account_index", "api_keys", "balances", "leverage_limit"});
  LighterAccountConfig a;
  auto idx = V.get_int(t, prefix, "account_index", 0, kMaxAccountIndex);
  if (!idx) {
    V.fail(prefix + ".account_index", {},
           "required: the account's index on the venue, in [0, " + std::to_string(kMaxAccountIndex) + "]");
  }
  for (const auto& other : out.accounts) {
    if (other.account_index == *idx) V.fail(prefix + ".account_index", std::to_string(*idx), "duplicate account_index");
  }
  a.account_index = *idx;
  const toml::node* keys = t.get("api_keys");
  if (keys == nullptr || !keys->is_array() || keys->as_array()->empty()) {
    V.fail(prefix + ".api_keys", keys ? Loader::render(*keys) : std::string{},
           "required: at least one { index = 0..254, public_key = \"<80 hex>\" } (the key slots that may sign)");
  }
  std::size_t k = 0;
  for (const auto& el : *keys->as_array()) {
    const std::string kp = prefix + ".api_keys[" + std::to_string(k++) + "]";
    if (!el.is_table()) V.fail(kp, Loader::render(el), "must be a table { index = .., public_key = \"..\" }");
    const toml::table& kt = *el.as_table();
    V.check_keys(kt, kp, {"index", "public_key"});
    auto ki = V.get_int(kt, kp, "index", 0, 254);
    if (!ki) V.fail(kp + ".index", {}, "required: the API key slot, in [0, 254]");
    for (const auto& other : a.api_keys) {
      if (other.index == *ki) V.fail(kp + ".index", std::to_string(*ki), "duplicate API key index in this account");
    }
    auto pk = V.get_string(kt, kp, "public_key");
    if (!pk) V.fail(kp + ".public_key", {}, "required: the key's public key, 80 hex characters");
    if (auto p = lighter::public_key_from_hex(*pk); !p) {
      V.fail(kp + ".public_key", quoted(*pk),
             std::string("not a Lighter public key: ") + lighter::key_error_message(p.error()) +
                 " (80 hex characters, as `bparb lighter pubkey` prints)");
    }
    a.api_keys.push_back(LighterApiKeyConfig{static_cast<std::uint8_t>(*ki), *pk});
  }
  // The Exchange account it trades on: Backpack's [[accounts]] form without an API key of its own.
  AccountSetup setup;
  setup.api_key = "lighter-account-" + std::to_string(a.account_index);
  if (const toml::table* b = V.table(t, prefix, "balances")) {
    for (auto&& [asset, v] : *b) {
      setup.balances.emplace_back(
          std::string(asset.str()),
          V.decimal_of(v, prefix + ".balances." + std::string(asset.str()), Decimal::zero(), kBig));
    }
  }
  if (auto v = V.get_decimal(t, prefix, "leverage_limit", Decimal::one(), Decimal::from_int(100)))
    setup.leverage_limit = *v;
  a.account = static_cast<AccountId>(sim.exchange.accounts.size());
  sim.exchange.accounts.push_back(std::move(setup));
  out.accounts.push_back(std::move(a));
}

}  // namespace

void check_lighter_venue_sections(const Loader& V, const toml::table& venue) {
  if (venue.get("accounts") != nullptr) {
    V.fail("accounts", "[[accounts]]",
           "a lighter venue's accounts are [[venues.NAME.lighter.accounts]] (account_index, api_keys, balances)");
  }
  if (venue.get("faults") != nullptr) {
    V.fail("faults", "{...}", "fault injection acts on Backpack front-ends only; a lighter venue has none");
  }
  if (const toml::table* s = V.table(venue, "", "server")) {
    for (auto&& [k, v] : *s) {
      if (k.str() != "port" && k.str() != "listen_address") {
        V.fail("server." + std::string(k.str()), Loader::render(v),
               "the Lighter front-end takes only server.port and server.listen_address");
      }
    }
  }
  const toml::node* n = venue.get("lighter");
  if (n == nullptr) V.fail("lighter", {}, "required for a lighter venue: its [[venues.NAME.lighter.markets]] at least");
  if (!n->is_table()) V.fail("lighter", Loader::render(*n), "must be a table ([venues.NAME.lighter])");
}

void load_lighter_venue(const Loader& V, const toml::table& venue, SimConfig& sim, LighterVenueConfig& out) {
  const toml::table& t = *venue.get("lighter")->as_table();
  V.check_keys(t, "lighter",
               {"chain_id", "maker_fee_pct", "taker_fee_pct", "max_auth_token_lifetime_s", "markets", "accounts"});
  if (auto v = V.get_int(t, "lighter", "chain_id", 1, 4'294'967'295LL)) out.chain_id = static_cast<std::uint32_t>(*v);
  const Decimal fee_lo = Decimal::from_int(-1), fee_hi = Decimal::from_int(10);
  if (auto v = V.get_decimal(t, "lighter", "maker_fee_pct", fee_lo, fee_hi)) out.maker_fee_pct = *v;
  if (auto v = V.get_decimal(t, "lighter", "taker_fee_pct", fee_lo, fee_hi)) out.taker_fee_pct = *v;
  if (auto v = V.get_int(t, "lighter", "max_auth_token_lifetime_s", 60, 7 * 86'400)) out.max_auth_token_lifetime_s = *v;

  const toml::node* markets = t.get("markets");
  if (markets == nullptr || !markets->is_array() || markets->as_array()->empty()) {
    V.fail("lighter.markets", markets ? Loader::render(*markets) : std::string{},
           "required: at least one [[venues.NAME.lighter.markets]] (symbol, market_id, size_decimals, price_decimals)");
  }
  std::vector<MarketSetup> kept;
  std::size_t i = 0;
  for (const auto& el : *markets->as_array()) {
    const std::string prefix = "lighter.markets[" + std::to_string(i++) + "]";
    if (!el.is_table()) V.fail(prefix, Loader::render(el), "must be a table ([[venues.NAME.lighter.markets]])");
    load_market(V, venue, *el.as_table(), prefix, sim.exchange.markets, out, kept);
  }
  // The venue's exchange holds its Lighter markets only: a market no Lighter client can reach is an error
  // when listed explicitly, and dropped when inherited.
  if (const toml::node* ex = venue.get("exchange"); ex != nullptr && ex->is_table()) {
    if (const toml::node* listed = ex->as_table()->get("markets"); listed != nullptr && listed->is_array()) {
      for (const auto& el : *listed->as_array()) {
        const std::string* s = el.is_string() ? &el.as_string()->get() : nullptr;
        if (s != nullptr && std::none_of(out.markets.begin(), out.markets.end(),
                                         [&](const LighterMarketConfig& m) { return m.symbol == *s; })) {
          V.fail("exchange.markets", quoted(*s), "has no [[venues.NAME.lighter.markets]] entry (a market id)");
        }
      }
    }
  }
  sim.exchange.markets = std::move(kept);

  // Backpack accounts (inherited [[accounts]]) mean nothing here: the Lighter accounts are the only ones.
  sim.exchange.accounts.clear();
  if (const toml::node* accounts = t.get("accounts")) {
    if (!accounts->is_array())
      V.fail("lighter.accounts", Loader::render(*accounts),
             "must be an array of tables ([[venues.NAME.lighter.accounts]])");
    std::size_t j = 0;
    for (const auto& el : *accounts->as_array()) {
      const std::string prefix = "lighter.accounts[" + std::to_string(j++) + "]";
      if (!el.is_table()) V.fail(prefix, Loader::render(el), "must be a table ([[venues.NAME.lighter.accounts]])");
      load_account(V, *el.as_table(), prefix, sim, out);
    }
  }
}

}  // namespace bparb::sim::config_detail
