// The engine's pairs are legs of the instrument table: checked at add_pair, carried by every order.
#include <gtest/gtest.h>

#include <stdexcept>

#include "bparb/exec/arb_engine.hpp"

namespace bparb::exec {
namespace {

MarketSpec sol_market(bool perp) {
  MarketSpec s;
  s.symbol = perp ? "SOL_USDC_PERP" : "SOL_USDC";
  s.base_symbol = "SOL";
  s.quote_symbol = "USDC";
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = Decimal::from_string("0.01");
  s.min_price = Decimal::from_string("0.01");
  s.step_size = Decimal::from_string("0.01");
  s.min_quantity = Decimal::from_string("0.01");
  return s;
}

struct NullSink final : CommandSink, EngineObserver {
  void place_orders(std::span<const OrderSpec>) override {}
  void cancel_order(InstrumentId, oms::ClientId) override {}
  void query_order(InstrumentId, oms::ClientId) override {}
  void on_event(const EngineEvent&) override {}  // no event is looked at here
};

TEST(EngineInstruments, PairLegsAreInstrumentsOfTheTableSpotThenPerp) {
  InstrumentTable table;
  const InstrumentId spot = table.add(VenueId::kBackpack, sol_market(false));
  const InstrumentId perp = table.add(VenueId::kBackpack, sol_market(true));
  ManualClock clock(1'795'132'800LL * kUsPerSecond);
  RiskGate risk(RiskLimits{}, clock);
  Portfolio portfolio;
  NullSink sink;
  ArbEngine engine(EngineParams{}, table, risk, portfolio, sink, sink);
  OrderBook spot_book(table.market(spot)), perp_book(table.market(perp));
  EXPECT_THROW(engine.add_pair("SOL", {perp, spot}, {&spot_book, &perp_book}), std::invalid_argument);
  EXPECT_THROW(engine.add_pair("SOL", {spot, 7}, {&spot_book, &perp_book}), std::invalid_argument);
  EXPECT_EQ(engine.pair_count(), 0u);
  portfolio.add_pair();
  ASSERT_EQ(engine.add_pair("SOL", {spot, perp}, {&spot_book, &perp_book}), 0u);
  const PairInfo& info = engine.pair(0);
  EXPECT_EQ(info.name, "SOL");
  EXPECT_EQ(info.spot, &table.market(spot));  // the log lines' markets are the table's
  EXPECT_EQ(info.perp, &table.market(perp));
  EXPECT_EQ(info.spot_book, &spot_book);
  EXPECT_EQ(info.instruments[0], spot);
  EXPECT_EQ(info.instruments[1], perp);
  EXPECT_EQ(&engine.instruments(), &table);
}

}  // namespace
}  // namespace bparb::exec
