// MarketDataFeed against a scripted WS server (depth frames) and HTTP server (REST snapshots).
#include "bparb/venue/backpack/market_data.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <utility>

#include "../../support/test_servers.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/ws_client.hpp"

namespace bparb::backpack {
namespace {

using namespace std::chrono_literals;
using net::testing::HttpAction;
using net::testing::HttpTestServer;
using net::testing::run_for;
using net::testing::run_until;
using net::testing::SeenRequest;
using net::testing::WsTestServer;

MarketSpec sol_spec() {
  MarketSpec s;
  s.symbol = "SOL_USDC";
  s.base_symbol = "SOL";
  s.quote_symbol = "USDC";
  s.type = MarketType::kSpot;
  s.tick_size = Decimal::from_string("0.01");
  s.step_size = Decimal::from_string("0.01");
  s.min_quantity = Decimal::from_string("0.01");
  s.min_price = Decimal::from_string("0.01");
  return s;
}

MarketSpec sol_perp_spec() {
  MarketSpec s = sol_spec();
  s.symbol = "SOL_USDC_PERP";
  s.type = MarketType::kPerp;
  return s;
}

std::string delta(std::int64_t first, std::int64_t last, const std::string& bids, const std::string& asks,
                  const std::string& symbol = "SOL_USDC") {
  return R"({"stream":"depth.)" + symbol + R"(","data":{"e":"depth","E":1,"T":1,"s":")" + symbol + R"(","U":)" +
         std::to_string(first) + R"(,"u":)" + std::to_string(last) + R"(,"b":)" + bids + R"(,"a":)" + asks + "}}";
}

std::string snapshot(std::int64_t last_id, const std::string& bids, const std::string& asks) {
  return R"({"asks":)" + asks + R"(,"bids":)" + bids + R"(,"lastUpdateId":")" + std::to_string(last_id) +
         R"(","timestamp":1753102447307501})";
}

class MarketDataTest : public ::testing::Test {
 protected:
  // first_snapshot_after_us: long by default, so that the tests below see snapshots asked by delta count.
  explicit MarketDataTest(DurationUs first_snapshot_after_us = 10 * kUsPerSecond)
      : clock_(1'700'000'000'000'000), http_server_(ioc_), ws_server_(ioc_) {
    ws_server_.echo = false;
    http_server_.set_handler([this](const SeenRequest& r) {
      HttpAction a;
      a.content_type = "application/json";
      if (!r.target.starts_with("/api/v1/depth")) {
        a.status = 404;
        return a;
      }
      if (snapshots_.empty()) {
        a.status = 500;
        a.body = R"({"code":"SERVER_ERROR","message":"no snapshot scripted"})";
        return a;
      }
      a.body = snapshots_.front();
      if (snapshots_.size() > 1) snapshots_.pop_front();
      return a;
    });
    RestClientOptions ro;
    ro.http.base_url = http_server_.base_url();
    rest_ = std::make_unique<RestClient>(ioc_, clock_, ro);
    BackpackWsOptions wo;
    wo.ws.url = ws_server_.url();
    wo.ws.backoff.initial_us = 5 * kUsPerMs;
    wo.ws.backoff.jitter = 0;
    ws_ = std::make_unique<BackpackWs>(ioc_, clock_, wo);
    MarketDataOptions mo;
    mo.sync.snapshot_delay = 2;
    mo.reserve_levels = 64;
    mo.snapshot_retry_delay_us = 10 * kUsPerMs;
    mo.first_snapshot_after_us = first_snapshot_after_us;
    feed_ = std::make_unique<MarketDataFeed>(ioc_, clock_, *ws_, *rest_, mo);
    feed_->on_book_update([this](std::string_view s, InstrumentId) { updates_.emplace_back(s); });
  }

  std::size_t depth_requests() const {
    std::size_t n = 0;
    for (const auto& r : http_server_.requests()) n += r.target.starts_with("/api/v1/depth");
    return n;
  }

  // Connect and wait until the server has our subscription.
  void connect() {
    const auto before = ws_server_.received().size();
    ws_->start();
    ASSERT_TRUE(run_until(ioc_, [&] { return ws_server_.received().size() > before; }));
  }

  // The standard opening: two deltas buffered, snapshot at 101 -> book synced with delta 102-103 applied.
  void sync_initial_book() {
    snapshots_ = {snapshot(101, R"([["99.00","2"],["100.00","1"]])", R"([["101.00","3"],["102.00","5"]])")};
    ws_server_.push(delta(101, 101, R"([["100.00","1"]])", "[]"));
    ws_server_.push(delta(102, 103, R"([["100.50","4"]])", R"([["101.00","0"]])"));
    ASSERT_TRUE(run_until(ioc_, [&] { return feed_->book_valid("SOL_USDC"); }));
  }

  boost::asio::io_context ioc_;
  ManualClock clock_;
  HttpTestServer http_server_;
  WsTestServer ws_server_;
  std::deque<std::string> snapshots_;
  std::unique_ptr<RestClient> rest_;
  std::unique_ptr<BackpackWs> ws_;
  std::unique_ptr<MarketDataFeed> feed_;
  std::vector<std::string> updates_;
};

TEST_F(MarketDataTest, SubscribesAndSyncsFromBufferedDeltasPlusSnapshot) {
  feed_->add_market(sol_spec());
  feed_->add_market(sol_perp_spec());
  feed_->add_market(sol_spec());  // duplicate ignored
  EXPECT_EQ(feed_->symbols().size(), 2u);
  connect();
  EXPECT_EQ(ws_server_.received()[0],
            R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC","bookTicker.SOL_USDC","depth.SOL_USDC_PERP",)"
            R"("bookTicker.SOL_USDC_PERP","markPrice.SOL_USDC_PERP"]})");
  EXPECT_FALSE(feed_->book_valid("SOL_USDC"));
  sync_initial_book();
  const OrderBook* b = feed_->book("SOL_USDC");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->best_bid().price, Decimal::from_string("100.50"));
  EXPECT_EQ(b->best_bid().quantity, Decimal::from_int(4));
  EXPECT_EQ(b->best_ask().price, Decimal::from_string("102.00"));  // 101.00 deleted by the delta
  EXPECT_EQ(b->best_ask().quantity, Decimal::from_int(5));
  EXPECT_EQ(b->level_count(Side::kBid), 3u);
  EXPECT_EQ(feed_->depth_sync("SOL_USDC")->last_update_id(), 103);
  EXPECT_EQ(depth_requests(), 1u);
  EXPECT_EQ(http_server_.requests().at(0).target, "/api/v1/depth?symbol=SOL_USDC&limit=1000");
  ASSERT_FALSE(updates_.empty());
  EXPECT_EQ(updates_.back(), "SOL_USDC");
  EXPECT_FALSE(feed_->book_valid("SOL_USDC_PERP"));  // no frames for it yet
  EXPECT_EQ(feed_->book("NOPE"), nullptr);

  // Live deltas keep flowing into the valid book.
  const auto n = updates_.size();
  ws_server_.push(delta(104, 104, "[]", R"([["101.50","1"]])"));
  ASSERT_TRUE(run_until(ioc_, [&] { return updates_.size() == n + 1; }));
  EXPECT_EQ(feed_->book("SOL_USDC")->best_ask().price, Decimal::from_string("101.50"));
}

TEST_F(MarketDataTest, GapInvalidatesAndResyncsWithAFreshSnapshot) {
  feed_->add_market(sol_spec());
  connect();
  sync_initial_book();
  snapshots_ = {snapshot(105, R"([["100.00","7"]])", R"([["101.00","1"]])")};
  ws_server_.push(delta(105, 105, R"([["100.00","9"]])", "[]"));  // expected U=104: gap
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->sync_stats().gaps == 1; }));
  EXPECT_FALSE(feed_->book_valid("SOL_USDC"));
  EXPECT_EQ(feed_->sync_stats().resyncs, 1u);
  EXPECT_EQ(feed_->counters().invalidations, 1u);
  EXPECT_EQ(updates_.back(), "SOL_USDC");                         // the strategy hears about the invalidation
  ws_server_.push(delta(106, 106, R"([["100.00","8"]])", "[]"));  // 2nd buffered delta -> snapshot request
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->book_valid("SOL_USDC"); }));
  EXPECT_EQ(depth_requests(), 2u);
  // Snapshot at 105: the buffered 105 delta is dropped, 106 applied on top.
  EXPECT_EQ(feed_->book("SOL_USDC")->best_bid().quantity, Decimal::from_int(8));
  EXPECT_EQ(feed_->book("SOL_USDC")->best_ask().price, Decimal::from_string("101.00"));
  EXPECT_EQ(feed_->depth_sync("SOL_USDC")->last_update_id(), 106);
}

TEST_F(MarketDataTest, TooOldSnapshotIsRequestedAgain) {
  feed_->add_market(sol_spec());
  connect();
  // First answer predates the buffered deltas (REST lags the stream); the second one lines up.
  snapshots_ = {snapshot(50, R"([["90.00","1"]])", R"([["110.00","1"]])"),
                snapshot(101, R"([["100.00","1"]])", R"([["101.00","3"]])")};
  ws_server_.push(delta(101, 101, R"([["100.00","1"]])", "[]"));
  ws_server_.push(delta(102, 102, R"([["100.20","2"]])", "[]"));
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->book_valid("SOL_USDC"); }));
  EXPECT_EQ(depth_requests(), 2u);
  EXPECT_EQ(feed_->sync_stats().snapshots_too_old, 1u);
  EXPECT_EQ(feed_->book("SOL_USDC")->best_bid().price, Decimal::from_string("100.20"));
}

// A quiet market: one delta, then nothing. Its snapshot is asked after first_snapshot_after_us, without
// waiting for snapshot_delay deltas that may take minutes to come.
class QuietMarketDataTest : public MarketDataTest {
 protected:
  QuietMarketDataTest() : MarketDataTest(20 * kUsPerMs) {}
};

TEST_F(QuietMarketDataTest, AQuietBookAsksForItsSnapshotAfterTheFirstDeltasWait) {
  feed_->add_market(sol_spec());
  connect();
  snapshots_ = {snapshot(101, R"([["100.00","1"]])", R"([["101.00","3"]])")};
  ws_server_.push(delta(101, 101, R"([["100.00","1"]])", "[]"));  // one delta: below snapshot_delay (2)
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->book_valid("SOL_USDC"); }));
  EXPECT_EQ(depth_requests(), 1u);
  EXPECT_EQ(feed_->book("SOL_USDC")->best_ask().price, Decimal::from_string("101.00"));
  // Synced: no further snapshot is asked.
  run_for(ioc_, std::chrono::milliseconds(60));
  EXPECT_EQ(depth_requests(), 1u);
}

TEST_F(QuietMarketDataTest, EnoughDeltasBeforeTheWaitAskAtOnce) {
  feed_->add_market(sol_spec());
  connect();
  snapshots_ = {snapshot(101, R"([["100.00","1"]])", R"([["101.00","3"]])")};
  ws_server_.push(delta(101, 101, R"([["100.00","1"]])", "[]"));
  ws_server_.push(delta(102, 102, R"([["100.20","2"]])", "[]"));  // snapshot_delay reached: the wait is cut short
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->book_valid("SOL_USDC"); }));
  run_for(ioc_, std::chrono::milliseconds(60));  // the cancelled wait asks nothing more
  EXPECT_EQ(depth_requests(), 1u);
  EXPECT_EQ(feed_->book("SOL_USDC")->best_bid().price, Decimal::from_string("100.20"));
}

TEST_F(MarketDataTest, FailedSnapshotIsRetried) {
  feed_->add_market(sol_spec());
  connect();
  // No snapshot scripted yet: the server answers 500.
  ws_server_.push(delta(101, 101, R"([["100.00","1"]])", "[]"));
  ws_server_.push(delta(102, 102, R"([["100.20","2"]])", "[]"));
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->counters().snapshot_failures >= 1; }));
  EXPECT_FALSE(feed_->book_valid("SOL_USDC"));
  snapshots_ = {snapshot(101, R"([["100.00","1"]])", R"([["101.00","3"]])")};
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->book_valid("SOL_USDC"); }));
  EXPECT_GE(depth_requests(), 2u);
}

TEST_F(MarketDataTest, ReconnectInvalidatesBooksResubscribesAndResyncs) {
  feed_->add_market(sol_spec());
  connect();
  sync_initial_book();
  const auto subs_before = ws_server_.received().size();
  ws_server_.drop_all();
  ASSERT_TRUE(run_until(ioc_, [&] { return !feed_->book_valid("SOL_USDC"); }));
  EXPECT_EQ(updates_.back(), "SOL_USDC");
  ASSERT_TRUE(run_until(ioc_, [&] { return ws_server_.received().size() > subs_before; }));
  EXPECT_EQ(ws_server_.received().back(),
            R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC","bookTicker.SOL_USDC"]})");
  EXPECT_FALSE(feed_->book_valid("SOL_USDC"));
  EXPECT_EQ(feed_->book("SOL_USDC")->level_count(Side::kBid), 0u);  // cleared, not stale
  // The new connection's sequence continues elsewhere; a fresh snapshot brings the book back.
  snapshots_ = {snapshot(500, R"([["99.00","1"]])", R"([["99.50","1"]])")};
  ws_server_.push(delta(500, 501, R"([["99.10","3"]])", "[]"));
  ws_server_.push(delta(502, 502, "[]", R"([["99.40","2"]])"));
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->book_valid("SOL_USDC"); }));
  EXPECT_EQ(feed_->book("SOL_USDC")->best_bid().price, Decimal::from_string("99.10"));
  EXPECT_EQ(feed_->book("SOL_USDC")->best_ask().price, Decimal::from_string("99.40"));
  EXPECT_GE(feed_->counters().reconnect_resets, 2u);
}

TEST_F(MarketDataTest, MalformedFrameIsCountedAndSkipped) {
  feed_->add_market(sol_spec());
  connect();
  sync_initial_book();
  ws_server_.push(R"({"stream":"depth.SOL_USDC","data":{"e":"depth","U":104,"u":)");  // truncated
  ws_server_.push(delta(104, 104, R"([["100.60","1"]])", "[]"));
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->depth_sync("SOL_USDC")->last_update_id() == 104; }));
  EXPECT_EQ(ws_->counters().malformed, 1u);
  EXPECT_EQ(feed_->malformed_frames(), 1u);
  EXPECT_TRUE(feed_->book_valid("SOL_USDC"));
  EXPECT_EQ(feed_->sync_stats().gaps, 0u);
  EXPECT_EQ(feed_->book("SOL_USDC")->best_bid().price, Decimal::from_string("100.60"));
}

TEST_F(MarketDataTest, KeepsLastBookTickerAndMarkPrice) {
  feed_->add_market(sol_perp_spec());
  connect();
  EXPECT_EQ(feed_->top_of_book("SOL_USDC_PERP"), nullptr);
  EXPECT_EQ(feed_->mark("SOL_USDC_PERP"), nullptr);
  ws_server_.push(R"({"stream":"bookTicker.SOL_USDC_PERP","data":{"A":"3","B":"2","E":"1754517402450016",)"
                  R"("T":"1754517402449064","a":"150.12","b":"150.10","e":"bookTicker","s":"SOL_USDC_PERP","u":7}})");
  ws_server_.push(R"({"stream":"markPrice.SOL_USDC_PERP","data":{"E":1747291031914525,"T":1747291031910025,)"
                  R"("e":"markPrice","f":"-0.0000039641039274236048482914","i":"173.44031179","n":1747296000000,)"
                  R"("p":"173.35998175","s":"SOL_USDC_PERP"}})");
  ws_server_.push(delta(1, 1, "[]", "[]", "BTC_USDC"));  // not tracked
  ASSERT_TRUE(run_until(ioc_, [&] { return feed_->mark("SOL_USDC_PERP") && feed_->counters().unknown_symbol == 1; }));
  const TopOfBook* t = feed_->top_of_book("SOL_USDC_PERP");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->bid_price, Decimal::from_string("150.10"));
  EXPECT_EQ(t->ask_quantity, Decimal::from_int(3));
  EXPECT_EQ(t->update_id, 7);
  EXPECT_EQ(t->received_us, clock_.now_us());
  const MarkInfo* m = feed_->mark("SOL_USDC_PERP");
  EXPECT_EQ(m->mark_price, Decimal::from_string("173.35998175"));
  EXPECT_EQ(m->funding_rate, Decimal::from_string("-0.000003964"));
  EXPECT_EQ(m->next_funding_ms, 1747296000000);
}

std::string md_trade(const std::string& symbol, const std::string& price, const std::string& qty, bool buyer_is_maker,
                     std::int64_t id) {
  return R"({"stream":"trade.)" + symbol +
         R"(","data":{"E":"1754601477746429","T":"1754601477744000",)"
         R"("a":"5121860761","b":"5121861755","e":"trade","m":)" +
         (buyer_is_maker ? "true" : "false") + R"(,"p":")" + price + R"(","q":")" + qty + R"(","s":")" + symbol +
         R"(","t":)" + std::to_string(id) + "}}";
}

TEST_F(MarketDataTest, TradesAreSubscribedOnlyWhenAskedAndPassedOnAsMarketTrades) {
  feed_->add_market(sol_spec());
  EXPECT_EQ(std::count(ws_->subscriptions().begin(), ws_->subscriptions().end(), "trade.SOL_USDC"), 0);
  feed_->add_market(sol_perp_spec(), kNoInstrument, MarketStreams{.trades = true});
  feed_->add_market(sol_perp_spec(), kNoInstrument, MarketStreams{.trades = true});  // duplicate: subscribed once
  EXPECT_EQ(std::count(ws_->subscriptions().begin(), ws_->subscriptions().end(), "trade.SOL_USDC_PERP"), 1);
  feed_->add_market(sol_spec(), kNoInstrument, MarketStreams{.trades = true});  // a known market gains its trade stream
  EXPECT_EQ(std::count(ws_->subscriptions().begin(), ws_->subscriptions().end(), "trade.SOL_USDC"), 1);

  std::vector<std::pair<std::string, MarketTrade>> seen;
  feed_->on_trade([&](std::string_view s, const MarketTrade& t) { seen.emplace_back(std::string(s), t); });
  connect();
  ws_server_.push(md_trade("SOL_USDC_PERP", "150.25", "0.40", true, 7));
  ws_server_.push(md_trade("SOL_USDC", "149.90", "1.5", false, 8));
  ASSERT_TRUE(run_until(ioc_, [&] { return seen.size() == 2; }));
  EXPECT_EQ(seen[0].first, "SOL_USDC_PERP");
  EXPECT_EQ(seen[0].second.price, Decimal::from_string("150.25"));
  EXPECT_EQ(seen[0].second.quantity, Decimal::from_string("0.4"));
  EXPECT_TRUE(seen[0].second.buyer_is_maker);
  EXPECT_EQ(seen[0].second.trade_id, 7);
  EXPECT_EQ(seen[0].second.trade_time_us, 1754601477744000);  // engine time
  EXPECT_EQ(seen[0].second.received_us, clock_.now_us());
  EXPECT_EQ(seen[1].first, "SOL_USDC");
  EXPECT_FALSE(seen[1].second.buyer_is_maker);
  EXPECT_EQ(feed_->counters().trades, 2u);
}

TEST_F(MarketDataTest, MalformedAndUnusableTradeFramesAreCountedAndSkipped) {
  feed_->add_market(sol_perp_spec(), kNoInstrument, MarketStreams{.trades = true});
  feed_->add_market(sol_spec());  // no trade stream asked for
  std::vector<MarketTrade> seen;
  feed_->on_trade([&](std::string_view, const MarketTrade& t) { seen.push_back(t); });
  connect();
  ws_server_.push(R"({"stream":"trade.SOL_USDC_PERP","data":{"e":"trade","s":"SOL_USDC_PERP","p":"150.)");  // cut
  ws_server_.push(R"({"stream":"trade.SOL_USDC_PERP","data":{"e":"trade","s":"SOL_USDC_PERP","q":"1"}})");  // no p
  ws_server_.push(md_trade("SOL_USDC_PERP", "0", "1", false, 1));     // zero price
  ws_server_.push(md_trade("SOL_USDC_PERP", "150", "-1", false, 2));  // negative quantity
  ws_server_.push(R"({"stream":"trade.SOL_USDC_PERP","data":{"e":"trade","s":"SOL_USDC_PERP","p":"150","q":"1"}})");
  ws_server_.push(md_trade("SOL_USDC", "150", "1", false, 3));    // market without trades on
  ws_server_.push(md_trade("BTC_USDC", "50000", "1", false, 4));  // not tracked
  ws_server_.push(md_trade("SOL_USDC_PERP", "150.10", "2", false, 5));
  ASSERT_TRUE(run_until(ioc_, [&] { return !seen.empty(); }));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].trade_id, 5);
  EXPECT_EQ(feed_->malformed_frames(), 2u);
  EXPECT_EQ(feed_->counters().trades_rejected, 4u);  // zero price, negative qty, no time, not asked for
  EXPECT_EQ(feed_->counters().unknown_symbol, 1u);
  EXPECT_EQ(feed_->counters().trades, 1u);
}

}  // namespace
}  // namespace bparb::backpack
