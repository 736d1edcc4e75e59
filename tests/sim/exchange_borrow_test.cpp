// Spot margin in bpsim: a spot sell beyond the free balance needs autoBorrow (as on Backpack), is
// bounded by the account's free collateral, and leaves a negative balance that counts as a liability.
#include <gtest/gtest.h>

#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

constexpr const char* kBorrowSpot = "SOL_USDC";

TEST_F(ExchangeTest, SpotSellBeyondBalanceNeedsAutoBorrow) {
  ok(bob_, limit(kBorrowSpot, Side::kBid, "60", "1500"));  // 90 000 USDC of bids
  // Alice holds 1000 SOL: selling 1200 without the flag is refused and nothing trades.
  ApiError e = fail(alice_, limit(kBorrowSpot, Side::kAsk, "60", "1200", TimeInForce::kIoc));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "INSUFFICIENT_FUNDS");
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("1000"));

  auto r = limit(kBorrowSpot, Side::kAsk, "60", "1200", TimeInForce::kIoc);
  r.auto_borrow = true;
  r.auto_lend_redeem = true;
  SimOrder o = ok(alice_, r);
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.executed_quantity, D("1200"));
  // 200 SOL borrowed; proceeds 72000 less the 10 bps taker fee (72) in USDC.
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("-200"));
  EXPECT_EQ(ex_->locked_balance(alice_, "SOL"), D("0"));
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("171928"));
  const CollateralSummary c = ex_->collateral(alice_);
  EXPECT_EQ(c.borrow_liability, D("20000"));  // 200 SOL valued at the index price, 100
  EXPECT_EQ(c.liabilities_value, D("20000"));

  // The buy-back nets the borrow (the buy's base fee, 0.2 SOL, stays owed).
  ok(carol_, limit(kBorrowSpot, Side::kAsk, "61", "200"));  // above bob's remaining bid at 60
  auto b = limit(kBorrowSpot, Side::kBid, "61", "200", TimeInForce::kIoc);
  b.auto_borrow_repay = true;
  ok(alice_, b);
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("-0.2"));
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("159728"));
}

TEST_F(ExchangeTest, AutoBorrowIsBoundedByFreeCollateral) {
  // The funds check comes before matching, so no counter-party is needed.
  // Alice's equity is ~200 000 USD; borrowing 5000 SOL (500 000 USD) more than she owns is refused.
  auto r = limit(kBorrowSpot, Side::kAsk, "100", "6000", TimeInForce::kIoc);
  r.auto_borrow = true;
  ApiError e = fail(alice_, r);
  EXPECT_EQ(e.code, "INSUFFICIENT_FUNDS");
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("1000"));
}

TEST_F(ExchangeTest, AutoBorrowOnABuyDoesNotCreateQuote) {
  // The flag lets a SELL borrow base; a buy beyond the quote balance is still refused.
  auto r = limit(kBorrowSpot, Side::kBid, "100", "1100", TimeInForce::kIoc);  // 110 000 USDC > 100 000
  r.auto_borrow = true;
  EXPECT_EQ(fail(alice_, r).code, "INSUFFICIENT_FUNDS");
}

}  // namespace
}  // namespace bparb::sim::testing
