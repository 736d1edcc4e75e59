// Scenario tests for the pure engine's money: reconciliation answers, spot borrow flags, fees paid in the
// base coin, maker rebates and funding booked to the position (fixture: arb_engine_fixture.hpp).
#include "arb_engine_fixture.hpp"

namespace bparb::exec {
namespace {

// Its own suite name: gtest wants one fixture type per suite, and each file's EngineTest is its own type.
class EngineMoneyTest : public EngineTest {};

// Fills reconciliation asks the engine whether a history row was booked: only a tracked order with a
// free trade-id slot can answer "missing" (booking anything else could count a fill twice).
TEST_F(EngineMoneyTest, TradeKnownAnswersForReconciliation) {
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "10.01", "100.00", 11, "0.01001", "SOL");
  EXPECT_EQ(engine_->trade_known(spot.client_id, 11), ArbEngine::TradeKnown::kBooked);
  EXPECT_EQ(engine_->trade_known(perp.client_id, 12), ArbEngine::TradeKnown::kMissing);  // stream lost it
  EXPECT_EQ(engine_->trade_known(perp.client_id + 1000, 12), ArbEngine::TradeKnown::kUntracked);
  EXPECT_EQ(engine_->trade_known(perp.client_id, -1), ArbEngine::TradeKnown::kUntracked);
  // Booked from the history row: known from then on, and a late stream copy is a duplicate.
  fill(perp, "10.00", "100.80", 12, "0.504", "USDC");
  EXPECT_EQ(engine_->trade_known(perp.client_id, 12), ArbEngine::TradeKnown::kBooked);
  fill(perp, "10.00", "100.80", 12, "0.504", "USDC");
  EXPECT_EQ(engine_->duplicate_fills(), 1u);
  EXPECT_EQ(portfolio_.position(0).perp.quantity(), D("-10.00"));
}

// Spot premium: sell spot, buy perp. Without inventory the entry needs Backpack's borrow flags, and
// only when the operator allowed borrowing; the buy-back at exit repays the borrow.
class SpotBorrowTest : public EngineTest {
 protected:
  void no_inventory() {
    AccountSnapshot a;
    a.view.fees = {D("8"), D("10"), D("2"), D("5")};
    a.view.available_quote = D("100000");
    a.available_base[0] = D("0");
    a.view.available_margin = D("100000");
    a.net_equity = D("100000");
    engine_->on_account(a, clock_.now_us());
  }
};

TEST_F(SpotBorrowTest, WithoutInventoryAndWithoutBorrowNoEntry) {
  no_inventory();
  books("100.80", "100.81", "99.99", "100.00");  // spot 0.8% rich
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_TRUE(sink_.batches.empty());
  EXPECT_EQ(engine_->phase(0), PairPhase::kFlat);
}

TEST_F(SpotBorrowTest, WithInventoryTheSpotSellCarriesNoBorrowFlags) {
  books("100.80", "100.81", "99.99", "100.00");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  EXPECT_EQ(spot.side, Side::kAsk);
  EXPECT_EQ(perp.side, Side::kBid);
  EXPECT_FALSE(spot.auto_borrow);
  EXPECT_FALSE(spot.auto_lend_redeem);
  EXPECT_FALSE(spot.auto_borrow_repay);
}

TEST_F(SpotBorrowTest, AllowedBorrowFlagsTheSpotSellAndTheBuyBack) {
  params_.basis.allow_spot_borrow = true;
  engine_->set_params(params_);
  no_inventory();
  books("100.80", "100.81", "99.99", "100.00");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  ASSERT_EQ(sink_.batches[0].size(), 2u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  EXPECT_EQ(spot.side, Side::kAsk);
  EXPECT_TRUE(spot.auto_borrow);
  EXPECT_TRUE(spot.auto_lend_redeem);
  EXPECT_FALSE(spot.auto_borrow_repay);
  EXPECT_FALSE(perp.auto_borrow);  // never on the perp
  EXPECT_FALSE(perp.auto_borrow_repay);
  // 1000 USD / 100.80 = 9.92 on both legs (a spot SELL pays its fee in USDC: no gross-up).
  EXPECT_EQ(spot.quantity, D("9.92"));
  EXPECT_EQ(perp.quantity, D("9.92"));
  fill(spot, "9.92", "100.80", 1, "0.999936", "USDC");  // 9.92*100.80*0.001
  fill(perp, "9.92", "100.00", 2, "0.496", "USDC");     // 9.92*100*0.0005
  ack(spot, OrderStatus::kFilled, "9.92");
  ack(perp, OrderStatus::kFilled, "9.92");
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  EXPECT_EQ(portfolio_.position(0).spot.quantity(), D("-9.92"));

  clock_.advance_us(60 * kUsPerSecond);
  books("100.01", "100.02", "100.00", "100.01");  // converged
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec xs = sink_.batches[1][0];
  const OrderSpec xp = sink_.batches[1][1];
  EXPECT_EQ(xs.side, Side::kBid);
  // The buy-back pays its 0.1% taker fee in SOL: 9.92 / 0.999 = 9.9299.. -> 9.93, so what arrives
  // (9.93 - 0.00993) covers the short and no extra hedge order is needed.
  EXPECT_EQ(xs.quantity, D("9.93"));
  EXPECT_GE(xs.quantity - xs.quantity.mul(D("0.001"), Rounding::kUp), D("9.92"));
  EXPECT_TRUE(xs.auto_borrow_repay);
  EXPECT_FALSE(xs.auto_borrow);
  EXPECT_FALSE(xp.auto_borrow_repay);
  EXPECT_TRUE(xp.reduce_only);
}

TEST_F(SpotBorrowTest, SpotPremiumExitCoversTheShortAfterTheBaseFeeWithoutAHedge) {
  books("100.80", "100.81", "99.99", "100.00");  // spot 0.8% rich, the account holds 50 SOL
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "9.92", "100.80", 1, "0.999936", "USDC");
  fill(perp, "9.92", "100.00", 2, "0.496", "USDC");
  ack(spot, OrderStatus::kFilled, "9.92");
  ack(perp, OrderStatus::kFilled, "9.92");
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  clock_.advance_us(60 * kUsPerSecond);
  books("100.01", "100.02", "100.00", "100.01");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec xs = sink_.batches[1][0];
  const OrderSpec xp = sink_.batches[1][1];
  ASSERT_EQ(xs.side, Side::kBid);
  EXPECT_EQ(xs.quantity, D("9.93"));
  fill(xs, "9.93", "100.02", 3, "0.00993", "SOL");  // receives 9.92007
  fill(xp, "9.92", "100.00", 4, "0.496", "USDC");
  ack(xs, OrderStatus::kFilled, "9.93");
  ack(xp, OrderStatus::kFilled, "9.92");
  EXPECT_EQ(engine_->phase(0), PairPhase::kFlat);
  EXPECT_EQ(sink_.closed, 1);
  EXPECT_EQ(sink_.batches.size(), 2u) << "no hedge order after the exit";
  EXPECT_EQ(sink_.last_closed.dust_base, D("0.00007"));
}

// A maker rebate on the spot buy: the entry buys less (what arrives after the negative base fee matches
// the perp), and the fill with its negative SOL fee is booked, not dropped.
TEST_F(EngineMoneyTest, SpotMakerRebateIsBookedAndTheBuyIsSizedForIt) {
  AccountSnapshot a;
  a.view.fees = {D("-2"), D("10"), D("2"), D("5")};  // spot maker rebate 0.02%
  a.view.available_quote = D("100000");
  a.available_base[0] = D("50");
  a.view.available_margin = D("100000");
  a.net_equity = D("100000");
  engine_->on_account(a, kT0);
  params_.basis.large_spread_threshold = D("0.005");
  params_.basis.use_maker_for_large_spreads = true;
  engine_->set_params(params_);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  ASSERT_TRUE(spot.post_only);
  // 10 SOL wanted; a rebate brings 0.02% more coins, so 10 / 1.0002 = 9.998 is bought (9.99 +
  // rounding to the 0.01 step = 10.00: the rebate is smaller than a step here).
  EXPECT_EQ(spot.quantity, D("10.00"));
  ack(spot, OrderStatus::kNew, "0");
  ack(perp, OrderStatus::kNew, "0");
  fill(spot, "10.00", "99.99", 1, "-0.002", "SOL");  // rebate: 10.002 SOL arrive
  fill(perp, "10.00", "100.81", 2, "0.20162", "USDC");
  ack(spot, OrderStatus::kFilled, "10.00");
  ack(perp, OrderStatus::kFilled, "10.00");
  EXPECT_EQ(sink_.fill_problems, 0);
  EXPECT_EQ(risk_.state(), TradingState::kActive);
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  const PositionState& pos = portfolio_.position(0);
  EXPECT_EQ(pos.spot.quantity(), D("10.002"));
  EXPECT_EQ(pos.perp.quantity(), D("-10.00"));
  EXPECT_EQ(pos.fees_usd, D("-0.19998") + D("0.20162"));
}

TEST_F(EngineMoneyTest, FillWithAFeeThePositionCannotHoldStopsOpeningAndIsStillHedged) {
  OrderSpec spot, perp;
  enter_on_spike_acked(spot, perp);
  fill(spot, "10.01", "100.00", 1, "0.5", "BNB");  // a fee in a third asset
  EXPECT_EQ(sink_.fill_problems, 1);
  EXPECT_EQ(sink_.last_problem, FillProblem::kFeeInOtherAsset);
  EXPECT_EQ(risk_.state(), TradingState::kReduceOnly);
  EXPECT_EQ(portfolio_.position(0).spot.quantity(), D("10.01"));  // the quantity is booked
  fill(perp, "10.00", "100.80", 2, "0.504", "USDC");
  EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);  // the legs are neutral: nothing left naked
  // No new entries while ReduceOnly.
  EXPECT_EQ(sink_.batches.size(), 1u);
}

TEST_F(EngineMoneyTest, FundingIsBookedToThePositionThatHeldTheSettlement) {
  open_on_spike();
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  engine_->on_funding_payment(0, D("0.42"), clock_.now_us() + kUsPerSecond);
  ASSERT_EQ(sink_.funding.size(), 1u);
  EXPECT_EQ(sink_.funding[0].target, FundingTarget::kOpenPosition);
  EXPECT_EQ(portfolio_.position(0).funding, D("0.42"));
  // Settled before this position existed: not this position's.
  engine_->on_funding_payment(0, D("0.10"), clock_.now_us() - kUsPerHour);
  ASSERT_EQ(sink_.funding.size(), 2u);
  EXPECT_EQ(sink_.funding[1].target, FundingTarget::kNoPosition);
  EXPECT_EQ(portfolio_.position(0).funding, D("0.42"));
  EXPECT_EQ(portfolio_.stats().funding, D("0.52"));
}

TEST_F(SpotBorrowTest, PerpPremiumNeverBorrows) {
  params_.basis.allow_spot_borrow = true;
  engine_->set_params(params_);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  for (const OrderSpec& o : sink_.batches[0]) {
    EXPECT_FALSE(o.auto_borrow);
    EXPECT_FALSE(o.auto_lend_redeem);
    EXPECT_FALSE(o.auto_borrow_repay);
  }
}

}  // namespace
}  // namespace bparb::exec
