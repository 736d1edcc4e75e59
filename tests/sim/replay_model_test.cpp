// ReplayModel on hand-made recordings (the real Binance data is replayed in tests/record/).
#include "bparb/sim/replay_model.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bparb/record/frame_source.hpp"
#include "sim_test_util.hpp"

namespace bparb::sim {
namespace {

using record::FrameKind;
using record::VectorFrameSource;
using testing::D;

constexpr TimestampUs kT0 = 1'700'000'000'000'000;

std::string depth(const char* sym, std::int64_t U, std::int64_t u, const char* bids, const char* asks) {
  return std::string(R"({"stream":"depth.)") + sym + R"(","data":{"e":"depth","E":1,"s":")" + sym + R"(","a":)" + asks +
         R"(,"b":)" + bids + R"(,"U":)" + std::to_string(U) + R"(,"u":)" + std::to_string(u) + R"(,"T":1}})";
}
std::string snap(const char* sym, std::int64_t id, const char* bids, const char* asks) {
  return std::string(R"({"symbol":")") + sym + R"(","data":{"asks":)" + asks + R"(,"bids":)" + bids +
         R"(,"lastUpdateId":")" + std::to_string(id) + R"(","timestamp":1}})";
}

// "99.98:2 99.99:1" style rendering of one side of the exchange's book (ascending, like REST).
std::string side_text(const std::vector<LevelUpdate>& lv) {
  std::string s;
  for (const auto& l : lv) {
    if (!s.empty()) s += ' ';
    s += l.price.str();
    s += ':';
    s += l.quantity.str();
  }
  return s;
}

class ReplayModelTest : public ::testing::Test {
 protected:
  ReplayModelTest() : clock(kT0), exchange(clock, testing::test_config()) {
    alice = *exchange.find_account("alice");
    bob = *exchange.find_account("bob");
  }
  std::string bids(const char* sym) { return side_text(exchange.depth_snapshot(sym)->bids); }
  std::string asks(const char* sym) { return side_text(exchange.depth_snapshot(sym)->asks); }

  ManualClock clock;
  Exchange exchange;
  AccountId alice = 0, bob = 0;
  VectorFrameSource src;
};

TEST_F(ReplayModelTest, SnapshotAndDeltasSetTheExchangeBook) {
  src.add(kT0, FrameKind::kWs, depth("SOL_USDC", 9, 10, "[]", "[]"));  // before the snapshot: dropped
  src.add(kT0 + 1, FrameKind::kRestDepth,
          snap("SOL_USDC", 10, R"([["99.98","2"],["99.99","1"]])", R"([["100.01","1"],["100.02","4"]])"));
  src.add(kT0 + 2, FrameKind::kWs,
          depth("SOL_USDC", 11, 12, R"([["99.99","3"]])", R"([["100.01","0"],["100.03","5"]])"));
  src.add(kT0 + 3, FrameKind::kWs, depth("SOL_USDC", 13, 13, R"([["99.98","0.5"]])", "[]"));
  ReplayModel replay(exchange, src);
  EXPECT_EQ(replay.recording_start_us(), kT0);

  replay.apply_until(kT0 + 1);
  EXPECT_TRUE(replay.synced("SOL_USDC"));
  EXPECT_EQ(bids("SOL_USDC"), "99.98:2 99.99:1");
  EXPECT_EQ(asks("SOL_USDC"), "100.01:1 100.02:4");

  replay.apply_until(kT0 + 2);
  EXPECT_EQ(bids("SOL_USDC"), "99.98:2 99.99:3");
  EXPECT_EQ(asks("SOL_USDC"), "100.02:4 100.03:5");

  replay.apply_until(kT0 + 3);
  EXPECT_EQ(bids("SOL_USDC"), "99.98:0.5 99.99:3");
  EXPECT_TRUE(replay.finished());
  EXPECT_EQ(replay.recorded_book("SOL_USDC")->last_update_id(), 13);
  EXPECT_EQ(replay.stats().depth_frames, 3u);
  EXPECT_EQ(replay.stats().snapshots, 1u);
  EXPECT_EQ(replay.stats().orders_refused, 0u) << replay.stats().first_refusal;
  // Background orders are the maker's, not alice's.
  EXPECT_TRUE(exchange.open_orders(alice).empty());
}

TEST_F(ReplayModelTest, OurOrderTradesAgainstReplayedLiquidityAndTheRecordingRefillsIt) {
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"],["100.02","4"]])"));
  src.add(kT0 + 10, FrameKind::kWs, depth("SOL_USDC", 11, 11, "[]", R"([["100.02","6"]])"));
  ReplayModel replay(exchange, src);
  replay.apply_until(kT0);

  // Buy 2: 1 @ 100.01 + 1 @ 100.02 -> 200.03 quote.
  auto r = exchange.execute(alice, testing::market("SOL_USDC", Side::kBid, "2"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, OrderStatus::kFilled);
  EXPECT_EQ(r->executed_quantity, D("2"));
  EXPECT_EQ(r->executed_quote_quantity, D("200.03"));
  EXPECT_EQ(asks("SOL_USDC"), "100.02:3");

  // The recording sets 100.02 to 6 (absolute): the maker tops up from 3 to 6.
  replay.apply_until(kT0 + 10);
  EXPECT_EQ(asks("SOL_USDC"), "100.02:6");
  EXPECT_EQ(replay.stats().orders_refused, 0u) << replay.stats().first_refusal;
}

TEST_F(ReplayModelTest, IncreaseQueuesBehindOurRestingOrder) {
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC", 10, R"([["99.99","2"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 1, FrameKind::kWs, depth("SOL_USDC", 11, 11, R"([["99.99","3"]])", "[]"));
  ReplayModel replay(exchange, src);
  replay.apply_until(kT0);
  auto mine = exchange.execute(alice, testing::limit("SOL_USDC", Side::kBid, "99.99", "1"));
  ASSERT_TRUE(mine);
  replay.apply_until(kT0 + 1);  // +1 background behind alice: level = 2 (maker) + 1 (alice) + 1 (maker)
  EXPECT_EQ(bids("SOL_USDC"), "99.99:4");
  // bob sells 2.5: maker's 2 first, then 0.5 of alice's order.
  auto s = exchange.execute(bob, testing::market("SOL_USDC", Side::kAsk, "2.5"));
  ASSERT_TRUE(s);
  auto q = exchange.query_order(alice, "SOL_USDC", OrderRef{mine->id, std::nullopt});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->executed_quantity, D("0.5"));
}

TEST_F(ReplayModelTest, GapWithdrawsLiquidityUntilTheNextSnapshot) {
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 1, FrameKind::kWs, depth("SOL_USDC", 15, 16, R"([["99.98","1"]])", "[]"));  // 11..14 lost
  src.add(kT0 + 2, FrameKind::kRestDepth, snap("SOL_USDC", 16, R"([["99.97","7"]])", R"([["100.05","2"]])"));
  ReplayModel replay(exchange, src);
  replay.apply_until(kT0);
  EXPECT_EQ(bids("SOL_USDC"), "99.99:1");
  replay.apply_until(kT0 + 1);
  EXPECT_FALSE(replay.synced("SOL_USDC"));
  EXPECT_EQ(bids("SOL_USDC"), "");
  EXPECT_EQ(asks("SOL_USDC"), "");
  EXPECT_EQ(replay.stats().gaps, 1u);
  replay.apply_until(kT0 + 2);
  EXPECT_TRUE(replay.synced("SOL_USDC"));
  EXPECT_EQ(bids("SOL_USDC"), "99.97:7");
  EXPECT_EQ(asks("SOL_USDC"), "100.05:2");
  EXPECT_EQ(replay.stats().syncs, 2u);
}

TEST_F(ReplayModelTest, ReconnectEventResetsSync) {
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 1, FrameKind::kEvent, R"({"type":"reconnect","symbol":"SOL_USDC"})");
  ReplayModel replay(exchange, src);
  replay.apply_until(kT0 + 1);
  EXPECT_FALSE(replay.synced("SOL_USDC"));
  EXPECT_EQ(bids("SOL_USDC"), "");
  EXPECT_EQ(replay.stats().events, 1u);
}

TEST_F(ReplayModelTest, MarkIsPerpMidAndIndexIsSpotMid) {
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC", 10, R"([["99.98","1"]])", R"([["100.02","1"]])"));
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC_PERP", 50, R"([["100.10","1"]])", R"([["100.20","1"]])"));
  ReplayModel replay(exchange, src);
  replay.apply_until(kT0);
  const auto perp = exchange.mark_price("SOL_USDC_PERP");
  ASSERT_TRUE(perp);
  EXPECT_EQ(perp->mark_price, D("100.15"));
  EXPECT_EQ(perp->index_price, D("100"));
  EXPECT_EQ(exchange.mark_price("SOL_USDC")->index_price, D("100"));
}

TEST_F(ReplayModelTest, PerpWithoutSpotBookKeepsTheExchangeIndex) {
  ASSERT_TRUE(exchange.set_mark_index("SOL_USDC_PERP", D("100"), D("99.5")));
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC_PERP", 50, R"([["100.10","1"]])", R"([["100.30","1"]])"));
  ReplayModel replay(exchange, src);
  replay.apply_until(kT0);
  const auto perp = exchange.mark_price("SOL_USDC_PERP");
  ASSERT_TRUE(perp);
  EXPECT_EQ(perp->mark_price, D("100.2"));
  EXPECT_EQ(perp->index_price, D("99.5"));
}

TEST_F(ReplayModelTest, SymbolMapReplaysOneMarketIntoAnother) {
  src.add(kT0, FrameKind::kRestDepth, snap("BTC_USDC", 7, R"([["99.50","0.25"]])", R"([["100.50","0.5"]])"));
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC", 7, R"([["1.00","1"]])", R"([["2.00","1"]])"));
  ReplayOptions o;
  o.symbol_map = {{"BTC_USDC", "SOL_USDC"}, {"SOL_USDC", "NOT_LISTED"}};
  ReplayModel replay(exchange, src, o);
  replay.apply_until(kT0);
  EXPECT_EQ(bids("SOL_USDC"), "99.5:0.25");
  EXPECT_EQ(asks("SOL_USDC"), "100.5:0.5");
  EXPECT_EQ(replay.stats().unknown_symbol,
            1u);  // SOL_USDC is mapped to a market the exchange lacks
}

TEST_F(ReplayModelTest, StepAppliesLinesByScaledTime) {
  src.add(kT0, FrameKind::kRestDepth, snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 2 * kUsPerSecond, FrameKind::kWs, depth("SOL_USDC", 11, 11, R"([["99.99","2"]])", "[]"));
  src.add(kT0 + 5 * kUsPerSecond, FrameKind::kWs, depth("SOL_USDC", 12, 12, R"([["99.99","3"]])", "[]"));
  ReplayOptions o;
  o.speed = 2.0;
  ReplayModel replay(exchange, src, o);
  const TimestampUs s0 = 5'000'000;  // simulated time is unrelated to the recording's
  replay.step(s0);
  EXPECT_EQ(bids("SOL_USDC"), "99.99:1");
  replay.step(s0 + kUsPerSecond);  // recording time kT0 + 2 s
  EXPECT_EQ(bids("SOL_USDC"), "99.99:2");
  replay.step(s0 + 2 * kUsPerSecond);  // kT0 + 4 s: the 5 s line is not due yet
  EXPECT_EQ(bids("SOL_USDC"), "99.99:2");
  EXPECT_EQ(replay.next_line_time_us(), kT0 + 5 * kUsPerSecond);
  replay.step(s0 + 3 * kUsPerSecond);
  EXPECT_EQ(bids("SOL_USDC"), "99.99:3");
  EXPECT_TRUE(replay.finished());
}

TEST_F(ReplayModelTest, MalformedAndUnknownLinesAreCountedAndSkipped) {
  src.add(kT0, FrameKind::kWs, "{not json");
  src.add(kT0, FrameKind::kRestDepth, R"({"data":{}})");
  src.add(kT0, FrameKind::kWs, depth("BTC_USDC", 1, 1, "[]", "[]"));
  src.add(kT0, FrameKind::kEvent, R"({"no_type":1})");
  ReplayModel replay(exchange, src);
  EXPECT_EQ(replay.apply_until(kT0), 4u);
  EXPECT_EQ(replay.stats().parse_errors, 3u);
  EXPECT_EQ(replay.stats().unknown_symbol, 1u);
  EXPECT_THROW(
      {
        ReplayOptions bad;
        bad.speed = 0;
        ReplayModel r2(exchange, src, bad);
      },
      std::invalid_argument);
}

}  // namespace
}  // namespace bparb::sim
