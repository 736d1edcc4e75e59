// What bpsim's depth stream carries: only levels whose total differs from the last publish (a level
// cancelled and re-placed at the same size is no update on a real exchange), with U..u counting
// exactly those; the market model's keep_unchanged_levels ladder (live-shaped deltas of a few levels);
// and a client book rebuilt from snapshot + deltas equal to the exchange's book in both ladder modes.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>

#include "bparb/sim/market_model.hpp"
#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

constexpr const char* kEmissionSpot = "SOL_USDC";

// A client book: price -> qty (raw Decimal units), with update-id continuity checked per delta.
struct Mirror {
  std::map<std::int64_t, std::int64_t> bids, asks;
  std::int64_t last_id = 0;
  bool gap = false;
  void load(const DepthSnapshot& s) {
    bids.clear();
    asks.clear();
    for (const auto& l : s.bids) bids[l.price.raw()] = l.quantity.raw();
    for (const auto& l : s.asks) asks[l.price.raw()] = l.quantity.raw();
    last_id = s.last_update_id;
  }
  void apply(const DepthDelta& d) {
    if (d.last_update_id <= last_id) return;  // before the snapshot
    if (d.first_update_id != last_id + 1) gap = true;
    for (const auto& l : d.bids)
      l.quantity.is_zero() ? (void)bids.erase(l.price.raw()) : (void)(bids[l.price.raw()] = l.quantity.raw());
    for (const auto& l : d.asks)
      l.quantity.is_zero() ? (void)asks.erase(l.price.raw()) : (void)(asks[l.price.raw()] = l.quantity.raw());
    last_id = d.last_update_id;
  }
};

std::int64_t spot_depth_id(const Exchange& ex) {
  return ex.depth_snapshot(kEmissionSpot)->last_update_id;
}

TEST_F(ExchangeTest, CancelAndReplaceAtTheSameSizeIsNoDepthUpdate) {
  const SimOrder a = ok(bob_, limit(kEmissionSpot, Side::kAsk, "101", "5"));
  ok(bob_, limit(kEmissionSpot, Side::kBid, "99", "2"));
  const std::int64_t id0 = spot_depth_id(*ex_);
  EXPECT_EQ(id0, 2);
  const std::size_t n0 = events_.depth.size();

  // Cancel + re-place the same size in one batch: the level is back at its published total.
  ex_->batch_begin();
  ex_->cancel(bob_, kEmissionSpot, OrderRef{a.id, std::nullopt});
  const SimOrder a2 = ok(bob_, limit(kEmissionSpot, Side::kAsk, "101", "5"));
  ex_->batch_end();
  EXPECT_EQ(events_.depth.size(), n0);  // no frame at all
  EXPECT_EQ(spot_depth_id(*ex_), id0);  // and no update id spent

  // A level added and removed again in one batch is no update either; one that changed is, once.
  ex_->batch_begin();
  const SimOrder tmp = ok(carol_, limit(kEmissionSpot, Side::kAsk, "103", "1"));
  ex_->cancel(carol_, kEmissionSpot, OrderRef{tmp.id, std::nullopt});
  ex_->cancel(bob_, kEmissionSpot, OrderRef{a2.id, std::nullopt});
  ok(bob_, limit(kEmissionSpot, Side::kAsk, "101", "3"));
  ok(bob_, limit(kEmissionSpot, Side::kAsk, "101", "1"));
  ex_->batch_end();
  ASSERT_EQ(events_.depth.size(), n0 + 1);
  const DepthDelta& d = events_.depth.back();
  EXPECT_EQ(d.first_update_id, id0 + 1);
  EXPECT_EQ(d.last_update_id, id0 + 1);
  EXPECT_TRUE(d.bids.empty());
  ASSERT_EQ(d.asks.size(), 1u);
  EXPECT_EQ(d.asks[0].price, D("101"));
  EXPECT_EQ(d.asks[0].quantity, D("4"));
  EXPECT_EQ(spot_depth_id(*ex_), id0 + 1);

  // Outside a batch every change is its own delta, as before.
  ok(carol_, limit(kEmissionSpot, Side::kBid, "98", "1"));
  ASSERT_EQ(events_.depth.size(), n0 + 2);
  EXPECT_EQ(events_.depth.back().first_update_id, id0 + 2);
  ASSERT_EQ(events_.depth.back().bids.size(), 1u);
  EXPECT_EQ(events_.depth.back().bids[0].price, D("98"));
}

TEST_F(ExchangeTest, DeltasStayAscendingAndCountTheirLevels) {
  ex_->batch_begin();
  for (const char* p : {"104", "101", "103", "102"}) ok(bob_, limit(kEmissionSpot, Side::kAsk, p, "1"));
  for (const char* p : {"97", "99", "98"}) ok(bob_, limit(kEmissionSpot, Side::kBid, p, "1"));
  ok(carol_, limit(kEmissionSpot, Side::kAsk, "102", "2"));  // same level twice: one entry, total 3
  ex_->batch_end();
  ASSERT_EQ(events_.depth.size(), 1u);
  const DepthDelta& d = events_.depth.back();
  EXPECT_EQ(d.first_update_id, 1);
  EXPECT_EQ(d.last_update_id, 7);
  ASSERT_EQ(d.asks.size(), 4u);
  ASSERT_EQ(d.bids.size(), 3u);
  for (std::size_t i = 1; i < d.asks.size(); ++i) EXPECT_LT(d.asks[i - 1].price, d.asks[i].price);
  for (std::size_t i = 1; i < d.bids.size(); ++i) EXPECT_LT(d.bids[i - 1].price, d.bids[i].price);
  EXPECT_EQ(d.asks[1].price, D("102"));
  EXPECT_EQ(d.asks[1].quantity, D("3"));
}

// Without a depth stream (the backtest's venue: nobody subscribes to it) the same orders leave the same book,
// trades and bookTicker, and no depth delta is published or counted.
TEST(ExchangeWithoutDepthStream, SameBookAndTradesButNoDeltas) {
  ExchangeConfig quiet = test_config();
  quiet.publish_depth = false;
  ManualClock clock(1'700'000'000'000'000);
  Exchange with(clock, test_config());
  Exchange without(clock, quiet);
  RecordingListener with_events, without_events;
  with.add_listener(&with_events);
  without.add_listener(&without_events);
  for (Exchange* ex : {&with, &without}) {
    const AccountId bob = *ex->find_account("bob");
    const AccountId carol = *ex->find_account("carol");
    ex->batch_begin();
    for (const char* p : {"104", "101", "103", "102"})
      ASSERT_TRUE(ex->execute(bob, limit(kEmissionSpot, Side::kAsk, p, "1")));
    for (const char* p : {"97", "99", "98"}) ASSERT_TRUE(ex->execute(bob, limit(kEmissionSpot, Side::kBid, p, "1")));
    ex->batch_end();
    ASSERT_TRUE(ex->execute(carol, limit(kEmissionSpot, Side::kBid, "102", "1.5")));  // takes 101 and half of 102
    const SimOrder rest = *ex->execute(carol, limit(kEmissionSpot, Side::kBid, "100", "2"));
    ASSERT_TRUE(ex->cancel(carol, kEmissionSpot, OrderRef{rest.id, std::nullopt}));
  }
  EXPECT_GT(with_events.depth.size(), 0u);
  EXPECT_TRUE(without_events.depth.empty());
  EXPECT_GT(spot_depth_id(with), 0);
  EXPECT_EQ(spot_depth_id(without), 0);
  const DepthSnapshot a = *with.depth_snapshot(kEmissionSpot);
  const DepthSnapshot b = *without.depth_snapshot(kEmissionSpot);
  ASSERT_EQ(a.bids.size(), b.bids.size());
  ASSERT_EQ(a.asks.size(), b.asks.size());
  for (std::size_t i = 0; i < a.bids.size(); ++i) {
    EXPECT_EQ(a.bids[i].price, b.bids[i].price);
    EXPECT_EQ(a.bids[i].quantity, b.bids[i].quantity);
  }
  for (std::size_t i = 0; i < a.asks.size(); ++i) {
    EXPECT_EQ(a.asks[i].price, b.asks[i].price);
    EXPECT_EQ(a.asks[i].quantity, b.asks[i].quantity);
  }
  ASSERT_EQ(with_events.trades.size(), without_events.trades.size());
  ASSERT_EQ(with_events.trades.size(), 2u);
  for (std::size_t i = 0; i < with_events.trades.size(); ++i) {
    EXPECT_EQ(with_events.trades[i].price, without_events.trades[i].price);
    EXPECT_EQ(with_events.trades[i].quantity, without_events.trades[i].quantity);
  }
  ASSERT_EQ(with_events.book_tickers.size(), without_events.book_tickers.size());
  for (std::size_t i = 0; i < with_events.book_tickers.size(); ++i) {
    EXPECT_EQ(with_events.book_tickers[i].bid_price, without_events.book_tickers[i].bid_price);
    EXPECT_EQ(with_events.book_tickers[i].ask_price, without_events.book_tickers[i].ask_price);
  }
  with.remove_listener(&with_events);
  without.remove_listener(&without_events);
}

// The default markets with the background model, one listener recording SOL_USDC_PERP.
struct ModelStream {
  explicit ModelStream(bool keep, std::uint64_t seed = 11) : clock(1'795'132'830LL * kUsPerSecond) {
    exchange = std::make_unique<Exchange>(clock, default_exchange_config());
    exchange->add_listener(&events);
    MarketModelConfig cfg = default_model_config();
    cfg.seed = seed;
    cfg.keep_unchanged_levels = keep;
    model = std::make_unique<MarketModel>(*exchange, cfg);
  }
  ~ModelStream() { exchange->remove_listener(&events); }
  void run(int steps) {
    for (int i = 0; i < steps; ++i) {
      clock.advance_us(100 * kUsPerMs);
      model->step(clock.now_us());
    }
  }
  ManualClock clock;
  std::unique_ptr<Exchange> exchange;
  RecordingListener events;
  std::unique_ptr<MarketModel> model;
};

void expect_mirror_follows(bool keep, double max_levels_per_delta, double min_levels_per_delta) {
  ModelStream s(keep);
  s.run(50);
  const char* sym = "SOL_USDC_PERP";
  Mirror m;
  m.load(*s.exchange->depth_snapshot(sym, 1000));
  const std::size_t first = s.events.depth.size();
  s.run(3000);  // 5 simulated minutes
  std::size_t deltas = 0;
  std::size_t levels = 0;
  for (std::size_t i = first; i < s.events.depth.size(); ++i) {
    const DepthDelta& d = s.events.depth[i];
    if (d.symbol != sym) continue;
    ++deltas;
    levels += d.bids.size() + d.asks.size();
    EXPECT_EQ(d.last_update_id - d.first_update_id + 1, static_cast<std::int64_t>(d.bids.size() + d.asks.size()));
    m.apply(d);
  }
  ASSERT_GT(deltas, 100u);
  EXPECT_FALSE(m.gap);
  Mirror fresh;
  fresh.load(*s.exchange->depth_snapshot(sym, 1000));
  EXPECT_EQ(m.last_id, fresh.last_id);
  EXPECT_EQ(m.bids, fresh.bids);
  EXPECT_EQ(m.asks, fresh.asks);
  const double per = static_cast<double>(levels) / static_cast<double>(deltas);
  EXPECT_LE(per, max_levels_per_delta) << "keep=" << keep;
  EXPECT_GE(per, min_levels_per_delta) << "keep=" << keep;
}

TEST(MarketModelDepth, WholeLadderRequoteMirrorsExactly) {
  expect_mirror_follows(false, 40.0, 15.0);  // every re-quote moves ~all 24 levels (fresh random sizes)
}

TEST(MarketModelDepth, KeepUnchangedLevelsGivesFewLevelDeltasAndMirrorsExactly) {
  expect_mirror_follows(true, 8.0, 1.0);
}

TEST(MarketModelDepth, KeepUnchangedLevelsKeepsTheLadderShape) {
  ModelStream keep(true, 5);
  keep.run(2000);
  for (const char* sym : {"SOL_USDC", "SOL_USDC_PERP", "BTC_USDC_PERP", "JUP_USDC"}) {
    auto snap = keep.exchange->depth_snapshot(sym, 1000);
    ASSERT_TRUE(snap);
    // 8-15 levels a side (the defaults), uncrossed, and the touch within a few bps of the model's mid.
    EXPECT_GE(snap->bids.size(), 8u) << sym;
    EXPECT_GE(snap->asks.size(), 8u) << sym;
    const double bid = snap->bids.back().price.to_double();
    const double ask = snap->asks.front().price.to_double();
    EXPECT_LT(bid, ask) << sym;
    const double mid = *keep.model->mid(sym);
    EXPECT_LT(std::fabs((bid + ask) / 2 / mid - 1.0) * 1e4, 15.0) << sym;
  }
}

}  // namespace
}  // namespace bparb::sim::testing
