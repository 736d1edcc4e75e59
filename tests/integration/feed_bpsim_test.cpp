// Our market-data stack (RestClient + BackpackWs + MarketDataFeed + DepthSync + OrderBook) against
// bpsim over real loopback sockets: initial sync, an injected depth gap, a server-side drop of every
// WebSocket, server pings, and the public trade stream. After each disturbance the book must be valid again and equal
// to the exchange's own book.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "bparb/sim/backpack/ws_hub.hpp"
#include "bparb/venue/backpack/market_data.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/ws_client.hpp"
#include "sim_thread.hpp"

namespace bparb {
namespace {

namespace asio = boost::asio;
using testing::SimThread;
constexpr std::string_view kSym = "SOL_USDC_PERP";

sim::SimConfig calm_manual_sim() {
  sim::SimConfig sc = sim::default_sim_config();
  sc.runtime.seed = 11;
  sc.runtime.step_interval_ms = 0;  // the market moves only when the test steps it
  sc.server.ws_ping_interval_ms = 200;
  sc.server.ws_pong_timeout_ms = 1000;
  return sc;
}

class FeedAgainstBpsim : public ::testing::Test {
 protected:
  FeedAgainstBpsim() : sim_(calm_manual_sim()) {}

  void SetUp() override {
    backpack::RestClientOptions ro;
    ro.http.base_url = sim_.srv->http_url();
    rest_ = std::make_unique<backpack::RestClient>(io_, clock_, ro);
    backpack::BackpackWsOptions wo;
    wo.ws.url = sim_.srv->ws_url();
    wo.ws.backoff.initial_us = 50 * kUsPerMs;
    ws_ = std::make_unique<backpack::BackpackWs>(io_, clock_, wo);
    feed_ = std::make_unique<backpack::MarketDataFeed>(io_, clock_, *ws_, *rest_);
    const MarketSpec* spec = sim_.call([this] { return sim_.rt->exchange().market(kSym); });
    ASSERT_NE(spec, nullptr);
    spec_ = *spec;
    feed_->add_market(spec_, kNoInstrument, backpack::MarketStreams{.trades = true});
    feed_->on_trade([this](std::string_view s, const backpack::MarketTrade& t) {
      if (s == kSym) trades_.push_back(t);
    });
    ws_->start();
  }
  void TearDown() override {
    ws_->close();
    io_.run_for(std::chrono::milliseconds(100));
  }

  // Runs our io_context until `pred` holds (checked every 20 ms) or `limit` passes.
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      io_.run_for(std::chrono::milliseconds(20));
    }
    return pred();
  }
  // Moves the simulated market (re-quotes change levels, producing depth frames).
  void step_market(int n) {
    for (int i = 0; i < n; ++i)
      sim_.call([this] {
        sim_.rt->step();
        return 0;
      });
  }
  // Our book equals the exchange's (top 5 levels per side) once it has caught up.
  bool book_matches_exchange() {
    DepthSnapshot ex = sim_.call([this] { return sim_.rt->exchange().depth_snapshot(kSym, 1000).value(); });
    const OrderBook* b = feed_->book(kSym);
    if (!b || !b->valid() || b->last_update_id() != ex.last_update_id) return false;
    // Snapshot sides are ascending: best bid is last, best ask first.
    for (std::size_t i = 0; i < 5 && i < ex.bids.size(); ++i) {
      const LevelUpdate& l = ex.bids[ex.bids.size() - 1 - i];
      BookLevel ours = b->level(Side::kBid, i);
      if (ours.price != l.price || ours.quantity != l.quantity) return false;
    }
    for (std::size_t i = 0; i < 5 && i < ex.asks.size(); ++i) {
      BookLevel ours = b->level(Side::kAsk, i);
      if (ours.price != ex.asks[i].price || ours.quantity != ex.asks[i].quantity) return false;
    }
    return true;
  }
  bool valid() const { return feed_->book_valid(kSym); }

  SimThread sim_;
  asio::io_context io_;
  SystemClock clock_;
  MarketSpec spec_;
  std::unique_ptr<backpack::RestClient> rest_;
  std::unique_ptr<backpack::BackpackWs> ws_;
  std::unique_ptr<backpack::MarketDataFeed> feed_;
  std::vector<backpack::MarketTrade> trades_;
};

TEST_F(FeedAgainstBpsim, SyncsThenResyncsAfterAnInjectedDepthGap) {
  // DepthSync waits for buffered deltas before asking for the snapshot: keep the market moving.
  ASSERT_TRUE(run_until([&] {
    step_market(1);
    return valid();
  })) << "book never synced";
  step_market(3);
  ASSERT_TRUE(run_until([&] { return book_matches_exchange(); }));
  const DepthSyncStats before = feed_->sync_stats();

  sim_.call([this] {
    sim_.rt->faults().add_depth_gap(kSym, 1);
    return 0;
  });
  ASSERT_TRUE(run_until([&] {
    step_market(1);
    return feed_->sync_stats().gaps > before.gaps;
  })) << "the gap was not detected";
  ASSERT_TRUE(run_until([&] {
    step_market(1);
    return valid() && feed_->sync_stats().resyncs > before.resyncs;
  })) << "no resync after the gap";
  step_market(2);
  EXPECT_TRUE(run_until([&] { return book_matches_exchange(); }));
  EXPECT_GE(sim_.call([this] { return sim_.rt->faults().counters().depth_gaps; }), 1);
}

TEST_F(FeedAgainstBpsim, ReconnectsAndResyncsAfterTheServerDropsTheConnection) {
  ASSERT_TRUE(run_until([&] {
    step_market(1);
    return valid();
  }));
  const auto reconnects_before = ws_->transport().counters().reconnects;
  const std::size_t dropped = sim_.call([this] { return sim_.srv->hub().close_all("test drop", true); });
  EXPECT_GE(dropped, 1u);
  ASSERT_TRUE(run_until([&] { return ws_->transport().counters().reconnects > reconnects_before; }))
      << "client did not reconnect";
  // Subscriptions were re-sent and the book resynced from a fresh snapshot. The resync takes several seconds on a
  // quiet 2-core machine (DepthSync buffers deltas before it asks for the snapshot); the bound leaves room for a
  // loaded one.
  ASSERT_TRUE(run_until(
      [&] {
        step_market(1);
        return valid();
      },
      std::chrono::seconds(30)));
  step_market(2);
  EXPECT_TRUE(run_until([&] { return book_matches_exchange(); }));
  EXPECT_GE(feed_->counters().reconnect_resets, 1u);
}

TEST_F(FeedAgainstBpsim, AnswersServerPingsAndStaysConnected) {
  ASSERT_TRUE(run_until([&] { return ws_->connected(); }));
  const auto disconnects = ws_->transport().counters().disconnects;
  // Pings every 200 ms, closed after 1000 ms without a pong: stay 2.5 s.
  run_until([] { return false; }, std::chrono::milliseconds(2500));
  EXPECT_TRUE(ws_->connected());
  EXPECT_EQ(ws_->transport().counters().disconnects, disconnects);
  const auto c = sim_.call([this] { return sim_.srv->counters(); });
  EXPECT_GE(c.ws_pings_sent, 5u);
  EXPECT_GE(c.ws_pongs_received, 5u);
  EXPECT_EQ(c.ws_pong_timeouts, 0u);
}

TEST_F(FeedAgainstBpsim, PublicTradesArriveWithTheTakersSide) {
  const std::string stream = "trade." + std::string(kSym);
  ASSERT_TRUE(run_until([&] { return sim_.call([&] { return sim_.srv->hub().subscriber_count(stream); }) >= 1; }))
      << "trade stream never subscribed";
  // The background taker account sends one market buy and one market sell.
  auto take = [&](Side side) {
    return sim_.call([&] {
      sim::SimOrderRequest r;
      r.symbol = std::string(kSym);
      r.side = side;
      r.order_type = OrderType::kMarket;
      r.quantity = spec_.min_quantity.is_positive() ? spec_.min_quantity : Decimal::one();
      return sim_.rt->exchange().execute(sim_.rt->model()->taker_account(), r).has_value();
    });
  };
  ASSERT_TRUE(take(Side::kBid));
  ASSERT_TRUE(run_until([&] { return !trades_.empty(); })) << "no trade arrived";
  const std::size_t after_buy = trades_.size();
  ASSERT_TRUE(take(Side::kAsk));
  ASSERT_TRUE(run_until([&] { return trades_.size() > after_buy; })) << "the sell's trade did not arrive";
  for (std::size_t i = 0; i < trades_.size(); ++i) {
    const backpack::MarketTrade& t = trades_[i];
    EXPECT_TRUE(t.price.is_positive());
    EXPECT_TRUE(t.quantity.is_positive());
    EXPECT_GT(t.trade_time_us, 0);
    EXPECT_GT(t.received_us, 0);
    // A taker buy lifts a resting ask: the seller was the maker. A taker sell hits a resting bid.
    EXPECT_EQ(t.buyer_is_maker, i >= after_buy) << "trade " << i;
  }
  EXPECT_EQ(feed_->counters().trades, trades_.size());
  EXPECT_EQ(feed_->counters().trades_rejected, 0u);
  EXPECT_EQ(feed_->malformed_frames(), 0u);
}

}  // namespace
}  // namespace bparb
