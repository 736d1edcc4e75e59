// Perp positions, realized/unrealized P&L, cross margin, collateral and funding, by hand.
#include <gtest/gtest.h>

#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

constexpr const char* kPositionsSpot = "SOL_USDC";
constexpr const char* kPerp = "SOL_USDC_PERP";

TEST_F(ExchangeTest, PerpEntryAndRealizedPnlAcrossAddReduceFlip) {
  ok(bob_, limit(kPerp, Side::kAsk, "100", "2"));
  ok(alice_, market(kPerp, Side::kBid, "2"));
  ok(bob_, limit(kPerp, Side::kAsk, "110", "2"));
  ok(alice_, market(kPerp, Side::kBid, "2"));
  auto pos = ex_->positions(alice_);
  ASSERT_EQ(pos.size(), 1u);
  const std::uint64_t first_id = pos[0].position_id;
  EXPECT_EQ(pos[0].net_quantity, D("4"));
  EXPECT_EQ(pos[0].net_cost, D("420"));
  EXPECT_EQ(pos[0].entry_price, D("105"));

  ok(bob_, limit(kPerp, Side::kBid, "120", "1"));
  ok(alice_, market(kPerp, Side::kAsk, "1"));
  pos = ex_->positions(alice_);
  EXPECT_EQ(pos[0].net_quantity, D("3"));
  EXPECT_EQ(pos[0].entry_price, D("105"));
  EXPECT_EQ(pos[0].net_cost, D("315"));
  EXPECT_EQ(pos[0].pnl_realized, D("15"));

  ok(bob_, limit(kPerp, Side::kBid, "90", "5"));
  events_.clear();
  ok(alice_, market(kPerp, Side::kAsk, "5"));  // closes 3 at -15 each, opens short 2 at 90
  pos = ex_->positions(alice_);
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].net_quantity, D("-2"));
  EXPECT_EQ(pos[0].entry_price, D("90"));
  EXPECT_EQ(pos[0].net_cost, D("-180"));
  EXPECT_EQ(pos[0].pnl_realized, D("0"));
  EXPECT_NE(pos[0].position_id, first_id);

  // Alice's position events for the flip: closed (realized 15 - 45) then opened short.
  std::vector<PositionView> mine;
  std::vector<PositionEventType> types;
  for (std::size_t i = 0; i < events_.positions.size(); ++i) {
    if (events_.positions[i].position_id == first_id || events_.positions[i].net_quantity.is_negative()) {
      mine.push_back(events_.positions[i]);
      types.push_back(events_.position_types[i]);
    }
  }
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(types[0], PositionEventType::kClosed);
  EXPECT_EQ(mine[0].net_quantity, D("0"));
  EXPECT_EQ(mine[0].pnl_realized, D("-30"));
  EXPECT_EQ(types[1], PositionEventType::kOpened);
  EXPECT_EQ(mine[1].entry_price, D("90"));

  // Taker fees 5 bps on 200 + 220 + 120 + 450 = 0.495; realized +15 - 45 settles into USDC.
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("99969.505"));
  // Bob mirrors it as maker (2 bps: 0.198), realized -15 + 45, now long 2 at 90.
  EXPECT_EQ(ex_->balance(bob_, "USDC"), D("100029.802"));
  auto bob_pos = ex_->positions(bob_);
  ASSERT_EQ(bob_pos.size(), 1u);
  EXPECT_EQ(bob_pos[0].net_quantity, D("2"));
  EXPECT_EQ(bob_pos[0].entry_price, D("90"));
  auto perp_fills = ex_->fills(alice_, {});
  ASSERT_EQ(perp_fills.total, 4u);
  EXPECT_EQ(perp_fills.items[0].fee, D("0.225"));
  EXPECT_EQ(perp_fills.items[0].fee_symbol, "USDC");

  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("95"), D("95")));
  pos = ex_->positions(alice_);
  EXPECT_EQ(pos[0].pnl_unrealized, D("-10"));  // short 2 from 90, mark 95
  EXPECT_EQ(pos[0].mark_price, D("95"));
  // break-even of the short: (cost + fees on it) / qty = (-180 + 0.09) / -2; 0.09 = 5 bps of 180
  EXPECT_EQ(pos[0].break_even_price, D("89.955"));
}

TEST_F(ExchangeTest, ReduceOnlyTrimsNeverFlipsAndExpires) {
  ok(bob_, limit(kPerp, Side::kAsk, "100", "5"));
  ok(alice_, market(kPerp, Side::kBid, "5"));
  ok(bob_, limit(kPerp, Side::kBid, "99", "20"));

  // Buying reduce-only while long does not reduce.
  auto ro_buy = limit(kPerp, Side::kBid, "99", "1");
  ro_buy.reduce_only = true;
  const SimOrder nb = ok(alice_, ro_buy);
  EXPECT_EQ(nb.status, OrderStatus::kExpired);
  EXPECT_EQ(nb.expiry_reason, std::optional(ExpiryReason::kReduceOnlyNotReduced));

  // Resting reduce-only ask for the whole position, then the position shrinks under it.
  auto ro_ask = limit(kPerp, Side::kAsk, "105", "5");
  ro_ask.reduce_only = true;
  const SimOrder resting = ok(alice_, ro_ask);
  EXPECT_EQ(resting.status, OrderStatus::kNew);
  EXPECT_EQ(resting.reduce_only, std::optional(true));
  events_.clear();
  ok(alice_, market(kPerp, Side::kAsk, "2"));
  auto q = ex_->query_order(alice_, kPerp, OrderRef{resting.id, std::nullopt});
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->quantity, std::optional(D("3")));
  bool modified = false;
  for (std::size_t i = 0; i < events_.orders.size(); ++i)
    if (events_.orders[i].type == OrderEventType::kModified && events_.order_copies[i].id == resting.id) {
      modified = true;
      EXPECT_EQ(events_.order_copies[i].quantity, std::optional(D("3")));
    }
  EXPECT_TRUE(modified);
  EXPECT_EQ(ex_->depth_snapshot(kPerp)->asks.back().quantity, D("3"));

  // A reduce-only IOC larger than the position is trimmed to it and cannot flip.
  auto ro_sell = limit(kPerp, Side::kAsk, "99", "8", TimeInForce::kIoc);
  ro_sell.reduce_only = true;
  const SimOrder trimmed = ok(alice_, ro_sell);
  EXPECT_EQ(trimmed.status, OrderStatus::kFilled);
  EXPECT_EQ(trimmed.quantity, std::optional(D("3")));
  EXPECT_EQ(trimmed.executed_quantity, D("3"));
  EXPECT_TRUE(ex_->positions(alice_).empty());
  // Flat now: the resting reduce-only order has nothing to reduce.
  auto gone = ex_->query_order(alice_, kPerp, OrderRef{resting.id, std::nullopt});
  EXPECT_FALSE(gone.has_value());
  OrderHistoryQuery hq;
  hq.order_id = resting.id;
  EXPECT_EQ(ex_->order_history(alice_, hq).items.at(0).expiry_reason,
            std::optional(ExpiryReason::kReduceOnlyNotReduced));
  // And a new one expires at once.
  auto flat = market(kPerp, Side::kAsk, "1");
  flat.reduce_only = true;
  EXPECT_EQ(ok(alice_, flat).expiry_reason, std::optional(ExpiryReason::kReduceOnlyNotReduced));
}

TEST(ExchangeMargin, OrderBeyondEquityIsRejected) {
  ManualClock clock(0);
  ExchangeConfig cfg = test_config();
  cfg.accounts.push_back(AccountSetup{"dave", {{"USDC", D("1000")}}, {}, {}, false});
  Exchange ex(clock, cfg);
  const AccountId dave = *ex.find_account("dave");
  // 100 SOL at mark 100: imf = max(0.02, 0.00006 * sqrt(10000) = 0.006, 1/leverage 10 = 0.1) -> 1000.
  auto r = limit("SOL_USDC_PERP", Side::kBid, "99", "100");
  ASSERT_TRUE(ex.execute(dave, r).has_value());
  CollateralSummary c = ex.collateral(dave);
  EXPECT_EQ(c.net_equity, D("1000"));
  EXPECT_EQ(c.net_equity_locked, D("1000"));
  EXPECT_EQ(c.net_equity_available, D("0"));
  EXPECT_EQ(c.imf, D("0.1"));
  EXPECT_FALSE(c.margin_fraction.has_value());
  r.quantity = D("0.01");
  auto rej = ex.execute(dave, r);
  ASSERT_FALSE(rej.has_value());
  EXPECT_EQ(api(ex, rej.error()).code, "INSUFFICIENT_MARGIN");
  EXPECT_EQ(api(ex, rej.error()).message, "Insufficient margin");
  // An order on the other side does not raise the worst-case exposure: accepted.
  auto ask = limit("SOL_USDC_PERP", Side::kAsk, "101", "50");
  EXPECT_TRUE(ex.execute(dave, ask).has_value());
  // Spot assets count as collateral at index * weight 0.9: 2 SOL -> 180 more equity.
  ex.deposit(dave, "SOL", D("2"));
  EXPECT_EQ(ex.collateral(dave).net_equity, D("1180"));
  r.quantity = D("18");
  EXPECT_TRUE(ex.execute(dave, r).has_value());  // 118 * 100 * 0.1 = 1180
  r.quantity = D("0.01");
  EXPECT_FALSE(ex.execute(dave, r).has_value());
}

TEST_F(ExchangeTest, CollateralSummaryWithPosition) {
  AccountSetup erin{"erin", {{"USDC", D("10000")}, {"SOL", D("10")}}, {}, {}, false};
  const AccountId e = ex_->add_account(erin);
  ok(bob_, limit(kPerp, Side::kAsk, "100", "1"));
  ok(e, market(kPerp, Side::kBid, "1"));  // fee 0.05
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("110"), D("100")));
  const CollateralSummary c = ex_->collateral(e);
  EXPECT_EQ(c.pnl_unrealized, D("10"));
  EXPECT_EQ(c.assets_value, D("10999.95"));  // 9999.95 + 10 * 100
  EXPECT_EQ(c.net_equity, D("10909.95"));    // 9999.95 + 900 + 10
  EXPECT_EQ(c.net_exposure_futures, D("110"));
  EXPECT_EQ(c.net_equity_locked, D("11"));  // 110 * 0.1
  EXPECT_EQ(c.net_equity_available, D("10898.95"));
  EXPECT_EQ(c.mmf, D("0.0135"));
  ASSERT_TRUE(c.margin_fraction.has_value());
  EXPECT_EQ(*c.margin_fraction, D("99.181363636"));  // 10909.95 / 110, floored at 1e-9
  ASSERT_EQ(c.collateral.size(), 2u);
  EXPECT_EQ(c.collateral[0].symbol, "SOL");
  EXPECT_EQ(c.collateral[0].collateral_weight, D("0.9"));
  EXPECT_EQ(c.collateral[0].collateral_value, D("900"));
  EXPECT_EQ(c.collateral[1].symbol, "USDC");
  EXPECT_EQ(c.collateral[1].collateral_value, D("9999.95"));
  const AccountSummaryView s = ex_->account_summary(e);
  EXPECT_EQ(s.futures_taker_fee, D("5"));
  EXPECT_EQ(s.spot_maker_fee, D("8"));
  EXPECT_EQ(s.leverage_limit, D("10"));
  EXPECT_TRUE(s.auto_realize_pnl);
}

// ---- funding. The fixture's exchange starts at 1'700'000'000'000 ms, so the first hourly
// boundary is 1'700'002'800'000 ms (2800 s later).
constexpr std::int64_t kBoundaryMs = 1'700'002'800'000;

class FundingTest : public ExchangeTest {
 protected:
  void open_long_10() {
    ok(bob_, limit(kPerp, Side::kAsk, "100", "10"));
    ok(alice_, market(kPerp, Side::kBid, "10"));  // alice +10, bob -10; taker fee 0.5, maker 0.2
  }
  void to_boundary(std::int64_t extra_ms = 0) {
    clock_.set_us((kBoundaryMs + extra_ms) * kUsPerMs);
    ex_->advance_to(clock_.now_us());
  }
};

TEST_F(FundingTest, GridAndEstimate) {
  auto mp = ex_->mark_price(kPerp);
  ASSERT_TRUE(mp.has_value());
  EXPECT_EQ(mp->next_funding_timestamp_ms, kBoundaryMs);
  EXPECT_EQ(mp->funding_rate, D("0"));
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("100.5"), D("100")));
  // Hourly market: premium 0.005 * 1h/8h.
  EXPECT_EQ(ex_->mark_price(kPerp)->funding_rate, D("0.000625"));
  EXPECT_EQ(ex_->mark_prices().size(), 1u);  // perps by default
  EXPECT_EQ(ex_->mark_prices(MarketType::kSpot).size(), 1u);
  EXPECT_EQ(ex_->mark_price(kPositionsSpot)->next_funding_timestamp_ms, 0);
}

TEST_F(FundingTest, LongPaysPositiveRate) {
  open_long_10();
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("100.5"), D("100")));  // premium 0.005 all interval
  to_boundary(-1);
  EXPECT_EQ(ex_->funding_history(alice_, {}).total, 0u);
  to_boundary();
  auto fh = ex_->funding_history(alice_, {});
  ASSERT_EQ(fh.total, 1u);
  EXPECT_EQ(fh.items[0].quantity, D("-0.628125"));  // -10 * 100.5 * (0.005 * 1h/8h)
  EXPECT_EQ(fh.items[0].funding_rate, D("0.000625"));
  EXPECT_EQ(fh.items[0].interval_end_ms, kBoundaryMs);
  EXPECT_EQ(fh.items[0].symbol, kPerp);
  auto bh = ex_->funding_history(bob_, {});
  ASSERT_EQ(bh.total, 1u);
  EXPECT_EQ(bh.items[0].quantity, D("0.628125"));
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("99998.871875"));  // 100000 - 0.5 fee - 0.628125
  EXPECT_EQ(ex_->balance(bob_, "USDC"), D("100000.428125"));   // 100000 - 0.2 fee + 0.628125
  EXPECT_EQ(ex_->positions(alice_)[0].cumulative_funding_payment, D("-0.628125"));
  EXPECT_EQ(ex_->funding_history(carol_, {}).total, 0u);  // flat accounts neither pay nor receive
  auto rates = ex_->funding_rates(kPerp);
  ASSERT_EQ(rates.total, 1u);
  EXPECT_EQ(rates.items[0].funding_rate, D("0.000625"));
  EXPECT_EQ(rates.items[0].interval_end_ms, kBoundaryMs);
  EXPECT_EQ(ex_->mark_price(kPerp)->next_funding_timestamp_ms, kBoundaryMs + 3'600'000);
  // Same time again: nothing more.
  ex_->advance_to(clock_.now_us());
  EXPECT_EQ(ex_->funding_history(alice_, {}).total, 1u);
}

TEST_F(FundingTest, NegativeRateShortsPay) {
  open_long_10();
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("99.8"), D("100")));  // premium -0.002 -> rate -0.00025
  to_boundary();
  EXPECT_EQ(ex_->funding_history(alice_, {}).items.at(0).quantity, D("0.2495"));  // -10 * 99.8 * -0.00025
  EXPECT_EQ(ex_->funding_history(bob_, {}).items.at(0).quantity, D("-0.2495"));
}

TEST_F(FundingTest, RateClampedToBounds) {
  open_long_10();
  // 9% premium -> 0.01125 per hour, above the 100 bps bound.
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("109"), D("100")));
  EXPECT_EQ(ex_->mark_price(kPerp)->funding_rate, D("0.01"));
  to_boundary();
  auto fh = ex_->funding_history(alice_, {});
  EXPECT_EQ(fh.items.at(0).funding_rate, D("0.01"));
  EXPECT_EQ(fh.items.at(0).quantity, D("-10.9"));  // -10 * 109 * 0.01
}

TEST_F(FundingTest, PremiumIsTimeAveragedOverTheInterval) {
  open_long_10();
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("100.4"), D("100")));  // 0.004 for 1400 s
  clock_.advance_us(1400 * kUsPerSecond);
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("100"), D("100")));   // 0 for the other 1400 s
  EXPECT_EQ(ex_->mark_price(kPerp)->funding_rate, D("0.0005"));  // estimate so far: 0.004 / 8
  to_boundary();
  auto fh = ex_->funding_history(alice_, {});
  EXPECT_EQ(fh.items.at(0).funding_rate, D("0.00025"));  // mean premium 0.002, / 8
  EXPECT_EQ(fh.items.at(0).quantity, D("-0.25"));        // -10 * 100 * 0.00025
}

TEST(ExchangeFunding, InstantaneousPremiumWhenAveragingIsOff) {
  ManualClock clock(0);
  ExchangeConfig cfg = test_config();
  cfg.average_premium_over_interval = false;
  Exchange ex(clock, cfg);
  const AccountId a = *ex.find_account("alice");
  const AccountId b = *ex.find_account("bob");
  ASSERT_TRUE(ex.execute(b, limit("SOL_USDC_PERP", Side::kAsk, "100", "1")).has_value());
  ASSERT_TRUE(ex.execute(a, market("SOL_USDC_PERP", Side::kBid, "1")).has_value());
  ASSERT_TRUE(ex.set_mark_index("SOL_USDC_PERP", D("100.4"), D("100")));
  clock.set_us(3'000 * kUsPerSecond);
  ASSERT_TRUE(ex.set_mark_index("SOL_USDC_PERP", D("100.1"), D("100")));
  clock.set_us(3'600 * kUsPerSecond);
  ex.advance_to(clock.now_us());
  auto fh = ex.funding_history(a, {});
  ASSERT_EQ(fh.total, 1u);
  EXPECT_EQ(fh.items[0].funding_rate, D("0.000125"));  // premium 0.001 at settlement, / 8
  EXPECT_EQ(fh.items[0].quantity, D("-0.0125125"));    // -1 * 100.1 * 0.000125
  EXPECT_EQ(fh.items[0].interval_end_ms, 3'600'000);
}

TEST_F(FundingTest, TimeJumpSettlesEveryMissedInterval) {
  open_long_10();
  ASSERT_TRUE(ex_->set_mark_index(kPerp, D("100.1"), D("100")));  // premium 0.001 -> 0.000125/h
  to_boundary(2 * 3'600'000 + 5);                                 // three boundaries passed
  auto fh = ex_->funding_history(alice_, FundingHistoryQuery{std::nullopt, 100, 0, true});
  ASSERT_EQ(fh.total, 3u);
  EXPECT_EQ(fh.items[0].interval_end_ms, kBoundaryMs);
  EXPECT_EQ(fh.items[1].interval_end_ms, kBoundaryMs + 3'600'000);
  EXPECT_EQ(fh.items[2].interval_end_ms, kBoundaryMs + 7'200'000);
  for (const auto& p : fh.items) EXPECT_EQ(p.quantity, D("-0.125125"));  // -10 * 100.1 * 0.000125
  EXPECT_EQ(ex_->positions(alice_)[0].cumulative_funding_payment, D("-0.375375"));
  auto rates = ex_->funding_rates(kPerp, 2, 0);
  EXPECT_EQ(rates.total, 3u);
  ASSERT_EQ(rates.items.size(), 2u);
  EXPECT_EQ(rates.items[0].interval_end_ms, kBoundaryMs + 7'200'000);  // newest first
}

}  // namespace
}  // namespace bparb::sim::testing
