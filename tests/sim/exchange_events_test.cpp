// Market-data and account event streams: depth ids, bookTicker, trades, order/position events,
// ticker, mark price cadence.
#include <gtest/gtest.h>

#include <map>

#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

constexpr const char* kEventsSpot = "SOL_USDC";
constexpr const char* kEventsPerp = "SOL_USDC_PERP";

// Applies depth deltas to a price->qty map the way a client book would.
struct MirrorBook {
  std::map<std::int64_t, std::int64_t> bids, asks;  // raw price -> raw qty
  std::int64_t last_id = 0;
  void load(const DepthSnapshot& s) {
    bids.clear();
    asks.clear();
    for (const auto& l : s.bids) bids[l.price.raw()] = l.quantity.raw();
    for (const auto& l : s.asks) asks[l.price.raw()] = l.quantity.raw();
    last_id = s.last_update_id;
  }
  void apply(const DepthDelta& d) {
    for (const auto& l : d.bids)
      l.quantity.is_zero() ? (void)bids.erase(l.price.raw()) : (void)(bids[l.price.raw()] = l.quantity.raw());
    for (const auto& l : d.asks)
      l.quantity.is_zero() ? (void)asks.erase(l.price.raw()) : (void)(asks[l.price.raw()] = l.quantity.raw());
    last_id = d.last_update_id;
  }
};

TEST_F(ExchangeTest, DepthUpdateIdsAreContiguousAndMatchSnapshots) {
  ok(bob_, limit(kEventsSpot, Side::kAsk, "101", "5"));
  ok(bob_, limit(kEventsSpot, Side::kAsk, "102", "5"));
  MirrorBook mirror;
  mirror.load(*ex_->depth_snapshot(kEventsSpot));
  EXPECT_EQ(mirror.last_id, 2);
  const std::size_t first_new = events_.depth.size();

  ok(carol_, limit(kEventsSpot, Side::kBid, "99", "3"));
  ok(alice_, limit(kEventsSpot, Side::kBid, "102", "7"));  // takes 101 fully and 2 of 102: two levels in one delta
  const SimOrder c = ok(carol_, limit(kEventsSpot, Side::kBid, "98", "1"));
  ex_->cancel(carol_, kEventsSpot, OrderRef{c.id, std::nullopt});
  ok(alice_, limit(kEventsPerp, Side::kBid, "90", "1"));  // other market: own id space
  ex_->batch_begin();
  ok(bob_, limit(kEventsSpot, Side::kAsk, "103", "1"));
  ok(bob_, limit(kEventsSpot, Side::kAsk, "104", "1"));
  ex_->batch_end();

  std::int64_t prev = 0;
  std::size_t spot_deltas = 0;
  for (const DepthDelta& d : events_.depth) {
    if (d.symbol != kEventsSpot) {
      EXPECT_EQ(d.first_update_id, 1);  // the perp book's first change
      continue;
    }
    ++spot_deltas;
    EXPECT_EQ(d.first_update_id, prev + 1);
    EXPECT_GE(d.last_update_id, d.first_update_id);
    EXPECT_EQ(d.last_update_id - d.first_update_id + 1, static_cast<std::int64_t>(d.bids.size() + d.asks.size()));
    prev = d.last_update_id;
  }
  EXPECT_EQ(spot_deltas, 7u);  // 2 before the snapshot, then bid, take, bid, cancel, one batch
  const DepthDelta& take = events_.depth[first_new + 1];
  EXPECT_EQ(take.first_update_id, 4);
  EXPECT_EQ(take.last_update_id, 5);
  ASSERT_EQ(take.asks.size(), 2u);
  EXPECT_EQ(take.asks[0].price, D("101"));
  EXPECT_EQ(take.asks[0].quantity, D("0"));                                                  // removed
  EXPECT_EQ(take.asks[1].quantity, D("3"));                                                  // absolute
  EXPECT_EQ(events_.depth.back().last_update_id - events_.depth.back().first_update_id, 1);  // batched

  for (std::size_t i = first_new; i < events_.depth.size(); ++i)
    if (events_.depth[i].symbol == kEventsSpot) mirror.apply(events_.depth[i]);
  MirrorBook fresh;
  fresh.load(*ex_->depth_snapshot(kEventsSpot));
  EXPECT_EQ(fresh.last_id, prev);
  EXPECT_EQ(mirror.last_id, fresh.last_id);
  EXPECT_EQ(mirror.bids, fresh.bids);
  EXPECT_EQ(mirror.asks, fresh.asks);
}

TEST_F(ExchangeTest, DepthSnapshotIsAscendingAndLimited) {
  for (const char* p : {"99", "98", "97"}) ok(bob_, limit(kEventsSpot, Side::kBid, p, "1"));
  for (const char* p : {"101", "102", "103"}) ok(bob_, limit(kEventsSpot, Side::kAsk, p, "1"));
  auto s = ex_->depth_snapshot(kEventsSpot, 2);
  ASSERT_EQ(s->bids.size(), 2u);
  EXPECT_EQ(s->bids[0].price, D("98"));  // ascending, best bid last
  EXPECT_EQ(s->bids[1].price, D("99"));
  ASSERT_EQ(s->asks.size(), 2u);
  EXPECT_EQ(s->asks[0].price, D("101"));  // best ask first
  EXPECT_EQ(s->asks[1].price, D("102"));
  EXPECT_EQ(s->timestamp_us, clock_.now_us());
  EXPECT_EQ(ex_->depth_snapshot(kEventsSpot, 0)->bids.size(), 3u);
  auto bad = ex_->depth_snapshot("XYZ");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(api(bad.error()).code, "INVALID_SYMBOL");
}

TEST_F(ExchangeTest, FillEventsCarryOrderStreamFields) {
  auto mk = limit(kEventsSpot, Side::kAsk, "100.5", "3");
  mk.client_id = 11;
  const SimOrder maker = ok(bob_, mk);
  events_.clear();
  const SimOrder taker = ok(alice_, limit(kEventsSpot, Side::kBid, "100.5", "2"));
  std::vector<std::string> kinds;
  for (const auto& l : events_.lines) kinds.push_back(l.substr(0, l.find(' ', l.find(' ') + 1)));
  const std::vector<std::string> expected = {"order 0", "trade SOL_USDC", "order 1",
                                             "order 0", "depth SOL_USDC", "bt SOL_USDC"};
  EXPECT_EQ(kinds, expected);
  ASSERT_EQ(events_.orders.size(), 3u);
  EXPECT_EQ(events_.orders[0].type, OrderEventType::kAccepted);
  EXPECT_EQ(events_.order_copies[0].status, OrderStatus::kNew);
  // maker fill
  EXPECT_EQ(events_.orders[1].account, bob_);
  EXPECT_EQ(events_.orders[1].type, OrderEventType::kFill);
  EXPECT_TRUE(events_.orders[1].is_maker);
  EXPECT_EQ(events_.orders[1].trade_id, 1);
  EXPECT_EQ(events_.orders[1].fill_quantity, D("2"));
  EXPECT_EQ(events_.orders[1].fill_price, D("100.5"));
  EXPECT_EQ(events_.orders[1].fee, D("0.1608"));
  EXPECT_EQ(std::string(events_.orders[1].fee_symbol), "USDC");
  EXPECT_EQ(events_.order_copies[1].id, maker.id);
  EXPECT_EQ(events_.order_copies[1].client_id, std::optional<std::uint32_t>(11));
  EXPECT_EQ(events_.order_copies[1].status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(events_.order_copies[1].executed_quantity, D("2"));
  EXPECT_EQ(events_.order_copies[1].executed_quote_quantity, D("201"));
  // taker fill
  EXPECT_FALSE(events_.orders[2].is_maker);
  EXPECT_EQ(events_.orders[2].fee, D("0.002"));
  EXPECT_EQ(std::string(events_.orders[2].fee_symbol), "SOL");
  EXPECT_EQ(events_.order_copies[2].status, OrderStatus::kFilled);
  EXPECT_EQ(events_.orders[2].engine_time_us, clock_.now_us());
  // trade
  ASSERT_EQ(events_.trades.size(), 1u);
  EXPECT_EQ(events_.trades[0].buyer_order_id, taker.id);
  EXPECT_EQ(events_.trades[0].seller_order_id, maker.id);
  EXPECT_FALSE(events_.trades[0].buyer_is_maker);
  // bookTicker reflects the new top
  ASSERT_EQ(events_.book_tickers.size(), 1u);
  EXPECT_EQ(events_.book_tickers[0].ask_quantity, std::optional(D("1")));
  EXPECT_FALSE(events_.book_tickers[0].bid_price.has_value());
}

TEST_F(ExchangeTest, BookTickerOnlyWhenTopChanges) {
  ok(bob_, limit(kEventsSpot, Side::kBid, "99", "1"));
  ASSERT_EQ(events_.book_tickers.size(), 1u);
  EXPECT_EQ(events_.book_tickers[0].update_id, 1);
  ok(bob_, limit(kEventsSpot, Side::kBid, "98", "1"));  // deeper level: no bookTicker
  EXPECT_EQ(events_.book_tickers.size(), 1u);
  ok(bob_, limit(kEventsSpot, Side::kBid, "99", "2"));  // same price, more size: changes the top quantity
  ASSERT_EQ(events_.book_tickers.size(), 2u);
  EXPECT_EQ(events_.book_tickers[1].update_id, 2);
  EXPECT_EQ(events_.book_tickers[1].bid_quantity, std::optional(D("3")));
}

TEST_F(ExchangeTest, PositionEventsOpenAdjustClose) {
  ok(bob_, limit(kEventsPerp, Side::kAsk, "100", "3"));
  events_.clear();
  ok(alice_, market(kEventsPerp, Side::kBid, "1"));
  ok(alice_, market(kEventsPerp, Side::kBid, "1"));
  ok(carol_, limit(kEventsPerp, Side::kBid, "99", "2"));
  ok(alice_, market(kEventsPerp, Side::kAsk, "2"));
  // bob (maker) then alice (taker) per fill; carol opens as maker when alice closes.
  ASSERT_EQ(events_.positions.size(), 6u);
  const std::vector<std::pair<AccountId, PositionEventType>> want = {
      {bob_, PositionEventType::kOpened},   {alice_, PositionEventType::kOpened},
      {bob_, PositionEventType::kAdjusted}, {alice_, PositionEventType::kAdjusted},
      {carol_, PositionEventType::kOpened}, {alice_, PositionEventType::kClosed}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(events_.position_accounts[i], want[i].first) << i;
    EXPECT_EQ(events_.position_types[i], want[i].second) << i;
  }
  EXPECT_EQ(events_.positions[0].net_quantity, D("-1"));
  EXPECT_EQ(events_.positions[1].net_quantity, D("1"));
  EXPECT_EQ(events_.positions[1].entry_price, D("100"));
  EXPECT_EQ(events_.positions[3].net_quantity, D("2"));
  EXPECT_EQ(events_.positions[4].net_quantity, D("2"));
  EXPECT_EQ(events_.positions[5].net_quantity, D("0"));
  EXPECT_EQ(events_.positions[5].pnl_realized, D("-2"));  // sold 2 at 99, bought at 100
  EXPECT_TRUE(ex_->positions(alice_).empty());
  EXPECT_EQ(ex_->positions_snapshot(bob_).size(), 1u);
}

TEST_F(ExchangeTest, RollingTickerAndCadencedEvents) {
  ok(bob_, limit(kEventsSpot, Side::kAsk, "100", "1"));
  ok(bob_, limit(kEventsSpot, Side::kAsk, "104", "1"));
  ok(alice_, market(kEventsSpot, Side::kBid, "1"));
  clock_.advance_us(120 * kUsPerSecond);
  ok(alice_, limit(kEventsSpot, Side::kBid, "104", "1"));
  auto t = ex_->ticker(kEventsSpot);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->first_price, D("100"));
  EXPECT_EQ(t->last_price, D("104"));
  EXPECT_EQ(t->high, D("104"));
  EXPECT_EQ(t->low, D("100"));
  EXPECT_EQ(t->volume, D("2"));
  EXPECT_EQ(t->quote_volume, D("204"));
  EXPECT_EQ(t->trades, 2);
  EXPECT_EQ(t->price_change, D("4"));
  EXPECT_EQ(t->price_change_percent, D("0.04"));
  EXPECT_EQ(ex_->tickers().size(), 2u);
  // A day later the window is empty.
  clock_.advance_us(kUsPerDay);
  t = ex_->ticker(kEventsSpot);
  EXPECT_EQ(t->volume, D("0"));
  EXPECT_EQ(t->trades, 0);
  EXPECT_EQ(t->first_price, D("104"));

  events_.clear();
  ex_->advance_to(clock_.now_us());
  EXPECT_EQ(events_.marks.size(), 2u);  // one per market
  EXPECT_EQ(events_.tickers.size(), 2u);
  ex_->advance_to(clock_.now_us());  // same instant: nothing new
  EXPECT_EQ(events_.marks.size(), 2u);
  clock_.advance_us(kUsPerSecond);
  ex_->advance_to(clock_.now_us());
  EXPECT_EQ(events_.marks.size(), 4u);
  EXPECT_EQ(events_.marks[2].symbol, kEventsSpot);
  EXPECT_EQ(events_.marks[3].next_funding_timestamp_ms % 3'600'000, 0);
}

TEST_F(ExchangeTest, ListenersCanBeRemoved) {
  RecordingListener second;
  ex_->add_listener(&second);
  ok(bob_, limit(kEventsSpot, Side::kAsk, "101", "1"));
  EXPECT_FALSE(second.lines.empty());
  ex_->remove_listener(&second);
  const std::size_t n = second.lines.size();
  ok(bob_, limit(kEventsSpot, Side::kAsk, "102", "1"));
  EXPECT_EQ(second.lines.size(), n);
}

}  // namespace
}  // namespace bparb::sim::testing
