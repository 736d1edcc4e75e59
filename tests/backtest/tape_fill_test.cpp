// sim::Exchange::fill_resting (src/sim/tape_fill.cpp), the venue hook of the backtest queue model.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "backtest_test_util.hpp"
#include "bparb/sim/exchange.hpp"

namespace bparb::backtest {
namespace {

using namespace bparb::backtest::testing;

struct Events : sim::ExchangeListener {
  std::vector<sim::OrderEvent> fills;
  std::vector<sim::OrderId> fill_order_ids;
  int trades = 0;
  void on_order(const sim::OrderEvent& e) override {
    if (e.type != sim::OrderEventType::kFill) return;
    fills.push_back(e);
    fill_order_ids.push_back(e.order->id);
  }
  void on_trade(const sim::TradeEvent&) override { ++trades; }
};

class TapeFill : public ::testing::Test {
 protected:
  TapeFill() : clock_(kT0) {
    sim::ExchangeConfig c;
    c.markets.push_back({sol_spec(true), D("100"), {}, {}});
    c.accounts.push_back({"me", {{"USDC", D("100000")}}, {}, {}, false});
    c.accounts.push_back({"book", {}, {}, {}, true});
    c.accounts.push_back({"tape", {}, {}, {}, true});
    ex_.emplace(clock_, c);
    me_ = *ex_->find_account("me");
    book_ = *ex_->find_account("book");
    tape_ = *ex_->find_account("tape");
    ex_->add_listener(&ev_);
  }
  sim::SimOrder bid(sim::AccountId a, const char* qty, bool post_only = true) {
    sim::SimOrderRequest r;
    r.symbol = "SOL_USDC_PERP";
    r.side = Side::kBid;
    r.price = D("99.90");
    r.quantity = D(qty);
    r.post_only = post_only;
    r.client_id = 7;
    auto o = ex_->execute(a, r);
    EXPECT_TRUE(o.has_value());
    return *o;
  }

  ManualClock clock_;
  std::optional<sim::Exchange> ex_;
  sim::AccountId me_ = 0, book_ = 0, tape_ = 0;
  Events ev_;
};

TEST_F(TapeFill, FillsTheNamedOrderAsMakerAtItsPriceEvenBehindOthers) {
  const sim::SimOrder ahead = bid(book_, "30", false);  // background queue ahead of ours
  const sim::SimOrder mine = bid(me_, "10");
  EXPECT_EQ(ex_->fill_resting(mine.id, tape_, 400), 400);  // lots of 0.01: 4 SOL
  ASSERT_EQ(ev_.fills.size(), 1u);
  EXPECT_EQ(ev_.fill_order_ids[0], mine.id);
  EXPECT_TRUE(ev_.fills[0].is_maker);
  EXPECT_EQ(ev_.fills[0].fill_price, D("99.90"));
  EXPECT_EQ(ev_.fills[0].fill_quantity, D("4"));
  // Perp maker fee 2 bps of 399.60 = 0.07992 USDC.
  EXPECT_EQ(ev_.fills[0].fee, D("0.07992"));
  EXPECT_EQ(ev_.trades, 1);
  // The queue ahead is untouched; ours has 6 left; the position is long 4.
  const auto depth = ex_->depth_snapshot("SOL_USDC_PERP");
  ASSERT_TRUE(depth.has_value());
  ASSERT_EQ(depth->bids.size(), 1u);
  EXPECT_EQ(depth->bids[0].quantity, D("36"));
  ASSERT_EQ(ex_->positions(me_).size(), 1u);
  EXPECT_EQ(ex_->positions(me_)[0].net_quantity, D("4"));
  // Capped at the remainder; the order is then gone.
  EXPECT_EQ(ex_->fill_resting(mine.id, tape_, 10'000), 600);
  EXPECT_TRUE(ex_->open_orders(me_).empty());
  EXPECT_EQ(ex_->fill_resting(mine.id, tape_, 1), 0);
  EXPECT_EQ(ex_->positions(me_)[0].net_quantity, D("10"));
  (void)ahead;
}

TEST_F(TapeFill, RefusesUnknownOrdersLimitedCounterpartiesAndNonPositiveQuantities) {
  const sim::SimOrder mine = bid(me_, "10");
  EXPECT_EQ(ex_->fill_resting(mine.id + 999, tape_, 1), 0);
  EXPECT_EQ(ex_->fill_resting(mine.id, me_, 1), 0);  // not an unlimited account
  EXPECT_EQ(ex_->fill_resting(mine.id, 42, 1), 0);   // no such account
  EXPECT_EQ(ex_->fill_resting(mine.id, tape_, 0), 0);
  EXPECT_EQ(ex_->fill_resting(mine.id, tape_, -3), 0);
  EXPECT_TRUE(ev_.fills.empty());
  EXPECT_EQ(ex_->open_orders(me_).size(), 1u);
}

}  // namespace
}  // namespace bparb::backtest
