#include "bparb/runtime/paper.hpp"

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
  sim_ = std::make_unique<sim::SimRuntime>(io, std::move(sc), nullptr, sim::make_backpack_frame_decoder);
  server_ = std::make_unique<sim::SimServer>(io, *sim_, sim_->config().server);
  server_->start();
  sim_->start();
}

void PaperExchange::stop() {
  server_->stop();
  sim_->stop();
}

}  // namespace bparb::runtime
