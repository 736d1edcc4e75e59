// Background market model: default markets, ladders, determinism, basis statistics and the
// scenario hooks.
#include "bparb/sim/market_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

constexpr TimestampUs kModelStart = 1'700'000'000'000'000;

TEST(DefaultMarkets, TenBackpackLikeMarkets) {
  const auto markets = default_markets();
  ASSERT_EQ(markets.size(), 10u);
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"SOL", "150"}, {"BTC", "95000"}, {"ETH", "3500"}, {"SUI", "3.5"}, {"JUP", "0.8"}};
  for (const auto& [coin, seed] : seeds) {
    for (bool perp : {false, true}) {
      const std::string sym = coin + (perp ? "_USDC_PERP" : "_USDC");
      auto it =
          std::find_if(markets.begin(), markets.end(), [&](const MarketSetup& m) { return m.spec.symbol == sym; });
      ASSERT_NE(it, markets.end()) << sym;
      EXPECT_EQ(it->seed_price, D(seed.c_str()));
      EXPECT_TRUE(it->seed_price.is_multiple_of(it->spec.tick_size)) << sym;
      EXPECT_EQ(it->spec.base_symbol, coin);
      EXPECT_EQ(it->spec.quote_symbol, "USDC");
      EXPECT_EQ(it->spec.is_perp(), perp);
      if (perp) {
        EXPECT_EQ(it->spec.funding_interval_ms, 3'600'000);
        EXPECT_TRUE(it->spec.imf.present);
        EXPECT_TRUE(it->spec.mmf.present);
        EXPECT_LT(it->spec.mmf.base, it->spec.imf.base);
      }
    }
  }
  const MarketSpec& btc = std::find_if(markets.begin(), markets.end(), [](const MarketSetup& m) {
                            return m.spec.symbol == "BTC_USDC_PERP";
                          })->spec;
  EXPECT_EQ(btc.tick_size, D("0.1"));
  EXPECT_EQ(btc.step_size, D("0.00001"));
  EXPECT_EQ(btc.imf.factor, D("0.00002494"));
  EXPECT_EQ(default_model_config().coins.size(), 5u);
  EXPECT_THROW(default_coin_params("DOGE"), std::invalid_argument);
}

struct ModelRun {
  explicit ModelRun(std::uint64_t seed, bool with_listener = true)
      : clock(kModelStart), exchange(clock, make_config()) {
    if (with_listener) exchange.add_listener(&events);
    MarketModelConfig cfg = default_model_config();
    cfg.seed = seed;
    model = std::make_unique<MarketModel>(exchange, cfg);
    alice = *exchange.find_account("alice");
  }
  static ExchangeConfig make_config() {
    ExchangeConfig cfg = default_exchange_config();
    cfg.accounts.push_back(AccountSetup{"alice", {{"USDC", D("1000000")}, {"SOL", D("1000")}}, {}, {}, false});
    return cfg;
  }
  void run_seconds(int n, int step_ms = 1000) {
    for (int i = 0; i < n * 1000 / step_ms; ++i) {
      clock.advance_us(step_ms * kUsPerMs);
      model->step(clock.now_us());
    }
  }
  ManualClock clock;
  Exchange exchange;
  RecordingListener events;
  std::unique_ptr<MarketModel> model;
  AccountId alice = 0;
};

TEST(MarketModel, PlacesLaddersOnEveryMarket) {
  ModelRun run(1);
  const MarketModelConfig cfg = default_model_config();
  for (const CoinModelParams& c : cfg.coins) {
    for (bool perp : {false, true}) {
      const std::string sym = c.coin + (perp ? "_USDC_PERP" : "_USDC");
      auto s = run.exchange.depth_snapshot(sym, 0);
      ASSERT_TRUE(s.has_value());
      const int levels = perp ? c.perp.levels : c.spot.levels;
      EXPECT_EQ(static_cast<int>(s->bids.size()), levels) << sym;
      EXPECT_EQ(static_cast<int>(s->asks.size()), levels) << sym;
      const double bid = s->bids.back().price.to_double();
      const double ask = s->asks.front().price.to_double();
      const double mid = *run.model->mid(sym);
      EXPECT_LT(bid, ask) << sym;
      EXPECT_LT(bid, mid);
      EXPECT_GT(ask, mid);
      const double hs = perp ? c.perp.half_spread_bps : c.spot.half_spread_bps;
      const double tick_bps = run.exchange.market(sym)->tick_size.to_double() / mid * 1e4;
      EXPECT_NEAR((ask - bid) / mid * 1e4, 2 * hs, 2 * tick_bps + 0.01) << sym;
    }
  }
  EXPECT_TRUE(run.exchange.open_orders(run.model->maker_account()).empty());  // unlimited accounts are not listed
  EXPECT_TRUE(run.exchange.positions(run.model->maker_account()).empty());
}

std::size_t stream_hash(ModelRun& run) {
  std::string all;
  for (const auto& l : run.events.lines) all += l + "\n";
  return std::hash<std::string>{}(all);
}

void scripted_session(ModelRun& run) {
  run.run_seconds(120, 250);
  SimOrderRequest buy = market("SOL_USDC_PERP", Side::kBid, "3");
  (void)run.exchange.execute(run.alice, buy);
  SimOrderRequest bid = limit("SOL_USDC", Side::kBid, "149.5", "2");
  (void)run.exchange.execute(run.alice, bid);
  run.run_seconds(600);
}

TEST(MarketModel, SameSeedSameEventStream) {
  ModelRun a(7), b(7), c(8);
  scripted_session(a);
  scripted_session(b);
  scripted_session(c);
  ASSERT_GT(a.events.lines.size(), 1000u);
  EXPECT_EQ(a.events.lines.size(), b.events.lines.size());
  EXPECT_EQ(stream_hash(a), stream_hash(b));
  EXPECT_EQ(a.events.lines, b.events.lines);
  EXPECT_NE(stream_hash(a), stream_hash(c));
  EXPECT_EQ(a.exchange.balance(a.alice, "USDC"), b.exchange.balance(b.alice, "USDC"));
  EXPECT_GT(a.events.trades.size(), 100u);
  EXPECT_GT(a.events.marks.size(), 0u);
}

TEST(MarketModel, BasisAbove20BpsOftenOnSmallCoinsRarelyOnBtc) {
  ModelRun run(42, false);
  const std::vector<std::string> coins = {"BTC", "SOL", "SUI", "JUP"};
  std::vector<int> episodes(coins.size(), 0);
  std::vector<bool> above(coins.size(), false);
  const int hours = 2;
  for (int s = 0; s < hours * 3600; ++s) {
    run.run_seconds(1);
    for (std::size_t i = 0; i < coins.size(); ++i) {
      auto mp = run.exchange.mark_price(coins[i] + "_USDC_PERP");
      const double b = std::fabs(mp->mark_price.to_double() / mp->index_price.to_double() - 1) * 1e4;
      if (!above[i] && b > 20) {
        ++episodes[i];
        above[i] = true;
      } else if (above[i] && b < 12) {  // hysteresis: one excursion counts once
        above[i] = false;
      }
    }
  }
  EXPECT_EQ(episodes[0], 0) << "BTC";
  EXPECT_LE(episodes[1], 2 * hours) << "SOL";
  EXPECT_GE(episodes[2], 2 * hours) << "SUI";
  EXPECT_GE(episodes[3], 2 * hours) << "JUP";
  EXPECT_LE(episodes[3], 15 * hours) << "JUP";
  // Funding settled twice on every perp along the way.
  EXPECT_EQ(run.exchange.funding_rates("SOL_USDC_PERP").total, 2u);
}

TEST(MarketModel, ScenarioHooks) {
  ModelRun run(3);
  ASSERT_TRUE(run.model->set_basis_bps("SOL", 30));
  EXPECT_DOUBLE_EQ(*run.model->basis_bps("SOL_USDC_PERP"), 30);
  auto mp = run.exchange.mark_price("SOL_USDC_PERP");
  EXPECT_NEAR(mp->mark_price.to_double() / mp->index_price.to_double() - 1, 0.003, 0.0002);
  const double perp_mid = *run.model->mid("SOL_USDC_PERP");
  EXPECT_LT(run.exchange.best_bid("SOL_USDC_PERP")->to_double(), perp_mid);
  EXPECT_GT(run.exchange.best_ask("SOL_USDC_PERP")->to_double(), perp_mid);
  EXPECT_GT(run.exchange.best_bid("SOL_USDC_PERP")->to_double(), run.exchange.best_ask("SOL_USDC")->to_double());

  ASSERT_TRUE(run.model->force_jump("JUP_USDC_PERP", 50));
  EXPECT_NEAR(*run.model->basis_bps("JUP"), default_coin_params("JUP").basis_mean_bps + 50, 1e-9);
  ASSERT_TRUE(run.model->set_mid("BTC", 100000));
  EXPECT_LT(run.exchange.best_bid("BTC_USDC")->to_double(), 100000);
  EXPECT_GT(run.exchange.best_ask("BTC_USDC")->to_double(), 100000);
  EXPECT_FALSE(run.model->set_basis_bps("DOGE", 1));
  EXPECT_FALSE(run.model->set_mid("SOL", -1));

  ASSERT_TRUE(run.model->hold_mark_index("SOL_USDC_PERP", D("151"), D("150")));
  run.run_seconds(30);
  EXPECT_EQ(run.exchange.mark_price("SOL_USDC_PERP")->mark_price, D("151"));
  EXPECT_EQ(run.exchange.mark_price("SOL_USDC_PERP")->index_price, D("150"));
  ASSERT_TRUE(run.model->release_mark_index("SOL_USDC_PERP"));
  EXPECT_NE(run.exchange.mark_price("SOL_USDC_PERP")->mark_price, D("151"));

  run.model->set_background_trading(false);
  EXPECT_FALSE(run.model->background_trading());
  run.events.clear();
  run.run_seconds(300);
  EXPECT_TRUE(run.events.trades.empty());  // makers re-quote, nobody takes
  EXPECT_FALSE(run.events.depth.empty());
  run.model->set_background_trading(true);
  run.run_seconds(300);
  EXPECT_FALSE(run.events.trades.empty());
}

TEST(MarketModel, OurOrdersTradeAgainstBackgroundLiquidity) {
  ModelRun run(5);
  const Decimal ask = *run.exchange.best_ask("SOL_USDC");
  auto res = run.exchange.execute(run.alice, market("SOL_USDC", Side::kBid, "1"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->status, OrderStatus::kFilled);
  EXPECT_EQ(res->executed_quote_quantity, ask);  // 1 SOL at the best ask
  EXPECT_EQ(run.exchange.balance(run.alice, "SOL"), D("1000.999"));
  // A perp long pays or receives funding at each hourly boundary.
  ASSERT_TRUE(run.exchange.execute(run.alice, market("SOL_USDC_PERP", Side::kBid, "10")).has_value());
  run.run_seconds(2 * 3600, 5000);
  auto fh = run.exchange.funding_history(run.alice, {});
  ASSERT_EQ(fh.total, 2u);
  for (const auto& p : fh.items) {
    EXPECT_EQ(p.quantity.is_negative(), p.funding_rate.is_positive()) << p.funding_rate.str();
    EXPECT_LE(p.funding_rate.abs(), D("0.01"));
  }
  // Resting bids get hit by background sellers.
  const Decimal bid = *run.exchange.best_bid("SOL_USDC");
  auto b = run.exchange.execute(run.alice, limit("SOL_USDC", Side::kBid, bid.str().c_str(), "0.5"));
  ASSERT_TRUE(b.has_value());
  run.run_seconds(1800);
  OrderHistoryQuery q;
  q.order_id = b->id;
  EXPECT_EQ(run.exchange.order_history(run.alice, q).items.at(0).status, OrderStatus::kFilled);
}

}  // namespace
}  // namespace bparb::sim::testing
