#include "bparb/runtime/paper.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::runtime {

PaperExchange::PaperExchange(boost::asio::io_context& io, const PaperOptions& opts) {
  sim::SimConfig sc = sim::load_sim_config(opts.sim_config);
  sim::AccountSetup acct;
  acct.api_key = opts.api_key;
  // 100,000 of the quote asset of the configured spot markets (start-up refuses pairs that do not share
  // one), and spot inventory worth ~10,000 of it per coin so spot-premium trades can sell.
  const auto seed_quote = [&](const std::string& symbol) {
    for (const sim::MarketSetup& m : sc.exchange.markets) {
      if (m.spec.symbol != symbol) continue;
      bool seeded = false;
      for (const auto& b : acct.balances) seeded = seeded || b.first == m.spec.quote_symbol;
      if (!seeded) acct.balances.emplace_back(m.spec.quote_symbol, Decimal::from_int(100'000));
    }
  };
  for (const PaperOptions::Pair& p : opts.pairs) seed_quote(p.spot_symbol);
  for (const std::string& perp : opts.perps) seed_quote(perp);
  for (const PaperOptions::Pair& p : opts.pairs) {
    for (const sim::MarketSetup& m : sc.exchange.markets) {
      if (m.spec.symbol == p.spot_symbol && m.seed_price.is_positive()) {
        Decimal qty =
            Decimal::from_int(10'000).div(m.seed_price, Rounding::kDown).round_to(m.spec.step_size, Rounding::kDown);
        acct.balances.emplace_back(p.base, qty);
      }
    }
  }
  sc.exchange.accounts.push_back(acct);
  sc.server.listen_address = "127.0.0.1";
  sc.server.port = opts.port;
  if (opts.lighter) {
    start_world(io, opts, std::move(sc));
    return;
  }
  // [[script]] dislocations move the simulated Lighter: without it there is nothing to move away.
  std::erase_if(sc.script, [](const sim::ScriptedBasis& e) { return e.dislocation; });
  sim_ = std::make_unique<sim::SimRuntime>(io, std::move(sc), nullptr, sim::make_backpack_frame_decoder);
  server_ = std::make_unique<sim::SimServer>(io, *sim_, sim_->config().server);
  server_->start();
  sim_->start();
}

void PaperExchange::start_world(boost::asio::io_context& io, const PaperOptions& opts, sim::SimConfig backpack) {
  const PaperOptions::Lighter& l = *opts.lighter;
  sim::SimConfig sc = sim::load_sim_config(opts.sim_config);
  sim::lighter::LighterRules rules;
  std::vector<sim::MarketSetup> kept;
  std::int64_t next_perp = 0;
  std::int64_t next_spot = 2048;
  for (const std::string& name : l.markets) {
    const std::size_t slash = name.find('/');
    const bool spot = slash != std::string::npos;
    const std::string symbol = spot ? name.substr(0, slash) + "_" + name.substr(slash + 1) : name + "_USDC_PERP";
    const auto it = std::find_if(sc.exchange.markets.begin(), sc.exchange.markets.end(),
                                 [&](const sim::MarketSetup& m) { return m.spec.symbol == symbol; });
    if (it == sc.exchange.markets.end())
      throw std::invalid_argument("paper mode: venues.lighter.markets: " + name + " needs the market " + symbol +
                                  " in paper.sim_config " + opts.sim_config + ", which has none");
    sim::lighter::LighterMarketRules mr;
    mr.market_id = spot ? next_spot++ : next_perp++;
    mr.symbol = symbol;
    mr.lighter_symbol = name;
    mr.min_base_amount = it->spec.min_quantity.is_positive() ? it->spec.min_quantity : it->spec.step_size;
    mr.min_quote_amount = Decimal::from_int(10);  // the venue's usual minimum order notional
    rules.markets.push_back(std::move(mr));
    kept.push_back(*it);
  }
  sc.exchange.markets = std::move(kept);
  sim::AccountSetup acct;
  acct.api_key = "lighter-account-" + std::to_string(l.account_index);
  acct.balances.emplace_back("USDC", Decimal::from_int(100'000));
  sc.exchange.accounts.clear();
  sc.exchange.accounts.push_back(std::move(acct));
  rules.accounts.push_back({l.account_index, 0, {{l.api_key_index, l.public_key_hex}}});
  for (const auto& [slot, public_key_hex] : l.more_keys)
    rules.accounts.back().api_keys.push_back({slot, public_key_hex});
  if (l.premium) {
    rules.maker_fee_pct = Decimal::from_string(kPaperLighterPremiumMakerFeePct);
    rules.taker_fee_pct = Decimal::from_string(kPaperLighterPremiumTakerFeePct);
  }
  rules.listen_address = "127.0.0.1";
  rules.port = 0;
  // The file's [[script]]: basis moves are Backpack's; dislocations move the simulated Lighter away from the
  // fair value both venues follow (it converges back at the file's dislocation half-life).
  std::erase_if(backpack.script, [](const sim::ScriptedBasis& e) { return e.dislocation; });
  std::erase_if(sc.script, [](const sim::ScriptedBasis& e) { return !e.dislocation; });
  sim::SimVenuesConfig world;
  world.multi_venue = true;
  world.runtime = backpack.runtime;
  // Both entries are made before either is filled in: a reference into the vector would not survive the
  // second emplace_back's reallocation.
  world.venues.resize(2);
  sim::VenueConfig& bp = world.venues[0];
  bp.name = "backpack";
  bp.sim = std::move(backpack);
  sim::VenueConfig& lt = world.venues[1];
  lt.name = "lighter";
  lt.protocol = sim::VenueProtocol::kLighter;
  sc.runtime.seed = bp.sim.runtime.seed + 1;  // its own takers and noise; the fair value is shared
  lt.sim = std::move(sc);
  world_ = std::make_unique<sim::SimWorld>(io, std::move(world), nullptr, sim::make_backpack_frame_decoder);
  server_ = std::make_unique<sim::SimServer>(io, world_->venue(0), world_->venue_config(0).sim.server);
  server_->start();
  try {
    lighter_server_ = std::make_unique<sim::lighter::LighterServer>(io, world_->venue(1).exchange(),
                                                                    world_->wall_clock(), std::move(rules));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("paper mode: the simulated Lighter: ") + e.what());
  }
  lighter_server_->start();
  world_->start();
}

std::string PaperExchange::lighter_http_url() const {
  return lighter_server_ ? lighter_server_->http_url() : std::string();
}
std::string PaperExchange::lighter_ws_url() const {
  return lighter_server_ ? lighter_server_->ws_url() : std::string();
}

void PaperExchange::stop() {
  server_->stop();
  if (sim_) sim_->stop();
  if (lighter_server_) lighter_server_->stop();
  if (world_) world_->stop();
}

}  // namespace bparb::runtime
