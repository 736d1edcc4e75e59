#include "bparb/book/depth_sync.hpp"

#include <gtest/gtest.h>

#include <initializer_list>

namespace bparb {
namespace {

Decimal depth_dec(const char* s) {
  return Decimal::from_string(s);
}

MarketSpec depth_sol_spec() {
  MarketSpec m;
  m.symbol = "SOL_USDC_PERP";
  m.tick_size = depth_dec("0.01");
  m.step_size = depth_dec("0.01");
  return m;
}

struct L {
  const char* px;
  const char* qty;
};

DepthDelta delta(std::int64_t first, std::int64_t last, std::initializer_list<L> bids = {},
                 std::initializer_list<L> asks = {}) {
  DepthDelta d;
  d.symbol = "SOL_USDC_PERP";
  d.first_update_id = first;
  d.last_update_id = last;
  d.engine_time_us = last * 10;
  for (const L& l : bids) d.bids.push_back({depth_dec(l.px), depth_dec(l.qty)});
  for (const L& l : asks) d.asks.push_back({depth_dec(l.px), depth_dec(l.qty)});
  return d;
}

DepthSnapshot snapshot(std::int64_t id, std::initializer_list<L> bids = {{"99.00", "5"}},
                       std::initializer_list<L> asks = {{"101.00", "5"}}) {
  DepthSnapshot s;
  s.last_update_id = id;
  for (const L& l : bids) s.bids.push_back({depth_dec(l.px), depth_dec(l.qty)});
  for (const L& l : asks) s.asks.push_back({depth_dec(l.px), depth_dec(l.qty)});
  return s;
}

class DepthSyncTest : public ::testing::Test {
 protected:
  DepthSyncConfig cfg(std::size_t delay, std::size_t cap = 64) {
    DepthSyncConfig c;
    c.snapshot_delay = delay;
    c.max_buffered = cap;
    return c;
  }
  OrderBook book_{depth_sol_spec()};
};

// Brings `sync` to Synced at update id `id` with snapshot_delay 1.
void sync_at(DepthSync& sync, std::int64_t id) {
  ASSERT_EQ(sync.on_delta(delta(id, id)), SyncAction::kRequestSnapshot);
  ASSERT_EQ(sync.on_snapshot(snapshot(id - 1)), SyncAction::kBookUpdated);
  ASSERT_TRUE(sync.synced());
  ASSERT_EQ(sync.last_update_id(), id);
}

TEST_F(DepthSyncTest, NormalSyncBuffersThenAppliesSnapshotAndBuffer) {
  DepthSync sync(book_, cfg(3));
  EXPECT_EQ(sync.state(), SyncState::kAwaitingSnapshot);
  EXPECT_EQ(sync.on_delta(delta(101, 101, {{"99.50", "1"}})), SyncAction::kNone);
  EXPECT_EQ(sync.on_delta(delta(102, 103, {{"99.60", "2"}})), SyncAction::kNone);
  EXPECT_FALSE(sync.snapshot_outstanding());
  EXPECT_EQ(sync.on_delta(delta(104, 104, {}, {{"100.50", "3"}})), SyncAction::kRequestSnapshot);
  EXPECT_TRUE(sync.snapshot_outstanding());
  // A request is in flight: further deltas are buffered without asking again.
  EXPECT_EQ(sync.on_delta(delta(105, 105, {{"99.00", "0"}})), SyncAction::kNone);
  EXPECT_EQ(sync.buffered_count(), 4u);
  EXPECT_FALSE(book_.valid());

  // Snapshot at 102: delta 101 is covered (dropped); 102..103 straddles it (U-1 = 101 <= 102 < 103).
  EXPECT_EQ(sync.on_snapshot(snapshot(102)), SyncAction::kBookUpdated);
  EXPECT_TRUE(sync.synced());
  EXPECT_FALSE(sync.snapshot_outstanding());
  EXPECT_EQ(sync.buffered_count(), 0u);
  EXPECT_EQ(sync.last_update_id(), 105);
  EXPECT_TRUE(book_.valid());
  EXPECT_EQ(book_.last_update_id(), 105);
  // 99.50 came only from the dropped delta 101 (the snapshot already includes its effect, here: none).
  EXPECT_EQ(book_.level_count(Side::kBid), 1u);  // 99.00 deleted by 105, 99.60 added by 102..103
  EXPECT_EQ(book_.best_bid().price, depth_dec("99.60"));
  EXPECT_EQ(book_.best_ask().price, depth_dec("100.50"));
  EXPECT_EQ(book_.level(Side::kAsk, 1).price, depth_dec("101.00"));

  EXPECT_EQ(sync.on_delta(delta(106, 106, {{"99.70", "1"}})), SyncAction::kBookUpdated);
  EXPECT_EQ(book_.best_bid().price, depth_dec("99.70"));

  const DepthSyncStats& st = sync.stats();
  EXPECT_EQ(st.buffered, 4u);
  EXPECT_EQ(st.dropped, 1u);
  EXPECT_EQ(st.applied, 4u);  // 102..103, 104, 105 from the buffer + 106 live
  EXPECT_EQ(st.snapshots, 1u);
  EXPECT_EQ(st.snapshot_requests, 1u);
  EXPECT_EQ(st.gaps, 0u);
  EXPECT_EQ(st.resyncs, 0u);
  EXPECT_EQ(st.malformed, 0u);
}

TEST_F(DepthSyncTest, StaleDeltasDroppedWhileSynced) {
  DepthSync sync(book_, cfg(1));
  sync_at(sync, 50);
  EXPECT_EQ(sync.on_delta(delta(49, 50, {{"98.00", "1"}})), SyncAction::kNone);
  EXPECT_EQ(sync.on_delta(delta(45, 45)), SyncAction::kNone);
  EXPECT_EQ(sync.stats().dropped, 2u);
  EXPECT_EQ(book_.level_count(Side::kBid), 1u);  // the stale 98.00 never reached the book
  EXPECT_TRUE(book_.valid());
  EXPECT_EQ(sync.on_delta(delta(51, 51)), SyncAction::kBookUpdated);
}

TEST_F(DepthSyncTest, OverlappingDeltaIsAppliedNotAGap) {
  DepthSync sync(book_, cfg(1));
  sync_at(sync, 50);
  // U = 49 <= 50 < u = 52: absolute levels as of 52, safe to apply.
  EXPECT_EQ(sync.on_delta(delta(49, 52, {{"99.10", "1"}})), SyncAction::kBookUpdated);
  EXPECT_EQ(sync.last_update_id(), 52);
  EXPECT_EQ(book_.best_bid().price, depth_dec("99.10"));
  EXPECT_EQ(sync.stats().gaps, 0u);
}

TEST_F(DepthSyncTest, SnapshotNewerThanEveryBufferedDelta) {
  DepthSync sync(book_, cfg(2));
  sync.on_delta(delta(10, 10, {{"50.00", "1"}}));
  EXPECT_EQ(sync.on_delta(delta(11, 11)), SyncAction::kRequestSnapshot);
  EXPECT_EQ(sync.on_snapshot(snapshot(20)), SyncAction::kBookUpdated);
  EXPECT_EQ(sync.stats().dropped, 2u);
  EXPECT_EQ(sync.stats().applied, 0u);
  EXPECT_EQ(sync.last_update_id(), 20);
  EXPECT_EQ(book_.best_bid().price, depth_dec("99.00"));  // only the snapshot
  // First live delta after the snapshot: U-1 <= 20 < u.
  EXPECT_EQ(sync.on_delta(delta(19, 21)), SyncAction::kBookUpdated);
  EXPECT_EQ(sync.on_delta(delta(23, 23)), SyncAction::kBookInvalidated);  // 22 missing
}

TEST_F(DepthSyncTest, SnapshotTooOldIsRerequested) {
  DepthSync sync(book_, cfg(2));
  sync.on_delta(delta(101, 101));
  EXPECT_EQ(sync.on_delta(delta(102, 102)), SyncAction::kRequestSnapshot);
  // lastUpdateId 99 < U-1 = 100 of the oldest delta: update 100 is unknown.
  EXPECT_EQ(sync.on_snapshot(snapshot(99)), SyncAction::kRequestSnapshot);
  EXPECT_FALSE(sync.synced());
  EXPECT_FALSE(book_.valid());
  EXPECT_TRUE(sync.snapshot_outstanding());
  EXPECT_EQ(sync.buffered_count(), 2u);  // buffer kept for the next snapshot
  EXPECT_EQ(sync.stats().snapshots_too_old, 1u);
  EXPECT_EQ(sync.stats().snapshot_requests, 2u);
  // Exactly U-1 is fine.
  EXPECT_EQ(sync.on_snapshot(snapshot(100)), SyncAction::kBookUpdated);
  EXPECT_EQ(sync.last_update_id(), 102);
  EXPECT_EQ(sync.stats().applied, 2u);
}

TEST_F(DepthSyncTest, GapInvalidatesClearsAndResyncs) {
  DepthSync sync(book_, cfg(3));
  sync.on_delta(delta(10, 10));
  sync.on_delta(delta(11, 11));
  ASSERT_EQ(sync.on_delta(delta(12, 12)), SyncAction::kRequestSnapshot);
  ASSERT_EQ(sync.on_snapshot(snapshot(10)), SyncAction::kBookUpdated);
  ASSERT_TRUE(book_.valid());
  ASSERT_EQ(sync.on_delta(delta(13, 14, {{"99.50", "1"}})), SyncAction::kBookUpdated);

  // 15 is lost.
  EXPECT_EQ(sync.on_delta(delta(16, 16)), SyncAction::kBookInvalidated);
  EXPECT_FALSE(book_.valid());
  EXPECT_EQ(book_.level_count(Side::kBid), 0u);
  EXPECT_EQ(book_.level_count(Side::kAsk), 0u);
  EXPECT_EQ(sync.state(), SyncState::kAwaitingSnapshot);
  EXPECT_EQ(sync.buffered_count(), 1u);  // the delta that revealed the gap starts the new buffer
  EXPECT_EQ(sync.stats().gaps, 1u);
  EXPECT_EQ(sync.stats().resyncs, 1u);

  EXPECT_EQ(sync.on_delta(delta(17, 17)), SyncAction::kNone);
  EXPECT_EQ(sync.on_delta(delta(18, 18, {}, {{"100.80", "2"}})), SyncAction::kRequestSnapshot);
  EXPECT_EQ(sync.on_snapshot(snapshot(16)), SyncAction::kBookUpdated);
  EXPECT_TRUE(book_.valid());
  EXPECT_EQ(sync.last_update_id(), 18);
  EXPECT_EQ(book_.best_ask().price, depth_dec("100.80"));
  EXPECT_EQ(sync.stats().snapshots, 2u);
  EXPECT_EQ(sync.stats().snapshot_requests, 2u);
}

TEST_F(DepthSyncTest, GapWithDelayOneRequestsImmediately) {
  DepthSync sync(book_, cfg(1));
  sync_at(sync, 5);
  EXPECT_EQ(sync.on_delta(delta(8, 8)), SyncAction::kRequestSnapshot);
  EXPECT_FALSE(book_.valid());
  EXPECT_EQ(sync.stats().gaps, 1u);
}

TEST_F(DepthSyncTest, GapInsideTheBufferRestartsTheBuffer) {
  DepthSync sync(book_, cfg(5));
  sync.on_delta(delta(1, 1));
  sync.on_delta(delta(2, 2));
  EXPECT_EQ(sync.on_delta(delta(5, 5)), SyncAction::kNone);
  EXPECT_EQ(sync.buffered_count(), 1u);
  EXPECT_EQ(sync.stats().gaps, 1u);
  EXPECT_EQ(sync.stats().resyncs, 0u);  // nothing valid was thrown away
  // A replay of what is already buffered is dropped.
  EXPECT_EQ(sync.on_delta(delta(5, 5)), SyncAction::kNone);
  EXPECT_EQ(sync.buffered_count(), 1u);
  EXPECT_EQ(sync.stats().dropped, 1u);
}

TEST_F(DepthSyncTest, BufferOverflowDropsOldestAndForcesSnapshot) {
  DepthSync sync(book_, cfg(10, 4));
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(sync.on_delta(delta(i, i)), SyncAction::kNone);
  // Full: the 5th pushes out delta 1 and asks for a snapshot although delay (10) is not reached.
  EXPECT_EQ(sync.on_delta(delta(5, 5)), SyncAction::kRequestSnapshot);
  EXPECT_EQ(sync.buffered_count(), 4u);
  EXPECT_EQ(sync.stats().overflows, 1u);
  // Still full, request already outstanding: drop again but do not ask again.
  EXPECT_EQ(sync.on_delta(delta(6, 6)), SyncAction::kNone);
  EXPECT_EQ(sync.stats().overflows, 2u);
  EXPECT_EQ(sync.stats().snapshot_requests, 1u);
  // Oldest held is now 3: a snapshot at 1 is too old, at 2 fits.
  EXPECT_EQ(sync.on_snapshot(snapshot(1)), SyncAction::kRequestSnapshot);
  EXPECT_EQ(sync.on_snapshot(snapshot(2)), SyncAction::kBookUpdated);
  EXPECT_EQ(sync.last_update_id(), 6);
  EXPECT_EQ(sync.stats().applied, 4u);
}

TEST_F(DepthSyncTest, MalformedDeltasCountedAndIgnored) {
  DepthSync sync(book_, cfg(1));
  EXPECT_EQ(sync.on_delta(delta(10, 9)), SyncAction::kNone);  // U > u
  EXPECT_EQ(sync.on_delta(delta(0, 3)), SyncAction::kNone);   // ids must be positive
  EXPECT_EQ(sync.stats().malformed, 2u);
  EXPECT_EQ(sync.buffered_count(), 0u);
  sync_at(sync, 20);
  // Off-tick level: counted, the rest of the delta applies, the book stays valid.
  EXPECT_EQ(sync.on_delta(delta(21, 21, {{"99.995", "1"}, {"99.50", "1"}})), SyncAction::kBookUpdated);
  EXPECT_EQ(sync.stats().malformed, 3u);
  EXPECT_EQ(sync.stats().rejected_levels, 1u);
  EXPECT_EQ(book_.best_bid().price, depth_dec("99.50"));
  EXPECT_TRUE(book_.valid());
  // Malformed while synced does not advance the id: the next good delta continues the chain.
  EXPECT_EQ(sync.on_delta(delta(23, 22)), SyncAction::kNone);
  EXPECT_EQ(sync.on_delta(delta(22, 22)), SyncAction::kBookUpdated);
}

TEST_F(DepthSyncTest, SnapshotIgnoredWhileSynced) {
  DepthSync sync(book_, cfg(1));
  sync_at(sync, 30);
  EXPECT_EQ(sync.on_snapshot(snapshot(10, {{"1.00", "1"}})), SyncAction::kNone);
  EXPECT_EQ(sync.stats().snapshots_ignored, 1u);
  EXPECT_EQ(book_.best_bid().price, depth_dec("99.00"));
  EXPECT_EQ(sync.last_update_id(), 30);
}

TEST_F(DepthSyncTest, SnapshotFailureRetries) {
  DepthSync sync(book_, cfg(2));
  EXPECT_EQ(sync.on_snapshot_failed(), SyncAction::kNone);  // nothing buffered yet
  sync.on_delta(delta(1, 1));
  ASSERT_EQ(sync.on_delta(delta(2, 2)), SyncAction::kRequestSnapshot);
  EXPECT_EQ(sync.on_snapshot_failed(), SyncAction::kRequestSnapshot);
  EXPECT_TRUE(sync.snapshot_outstanding());
  EXPECT_EQ(sync.stats().snapshot_requests, 2u);
}

TEST_F(DepthSyncTest, ResetForgetsEverything) {
  DepthSync sync(book_, cfg(1));
  sync_at(sync, 9);
  sync.reset();
  EXPECT_EQ(sync.state(), SyncState::kAwaitingSnapshot);
  EXPECT_FALSE(book_.valid());
  EXPECT_EQ(book_.level_count(Side::kBid), 0u);
  EXPECT_EQ(sync.last_update_id(), 0);
  EXPECT_EQ(sync.buffered_count(), 0u);
  // After a reconnect the ids may restart anywhere; no gap is counted.
  EXPECT_EQ(sync.on_delta(delta(500, 500)), SyncAction::kRequestSnapshot);
  EXPECT_EQ(sync.stats().gaps, 0u);
}

TEST_F(DepthSyncTest, ReceiveTimeOfBufferedDeltaReachesTheBook) {
  DepthSync sync(book_, cfg(2));
  sync.on_delta(delta(1, 1), 1'111);
  ASSERT_EQ(sync.on_delta(delta(2, 2), 2'222), SyncAction::kRequestSnapshot);
  ASSERT_EQ(sync.on_snapshot(snapshot(1), 3'000), SyncAction::kBookUpdated);
  EXPECT_EQ(book_.last_update_us(), 2'222);  // the last applied change, stamped when it arrived
  EXPECT_EQ(book_.valid_since_us(), 3'000);  // when the snapshot arrived
  EXPECT_EQ(book_.last_engine_time_us(), 20);
  ManualClock clock(2'500);
  EXPECT_EQ(book_.age_us(clock), 278);
}

TEST_F(DepthSyncTest, BufferedDeltasSurviveTheFrameBuffer) {
  // The parser reuses its DepthDelta frame after frame; the ring must hold copies.
  DepthSync sync(book_, cfg(3));
  DepthDelta reused = delta(1, 1, {{"99.10", "1"}});
  sync.on_delta(reused);
  reused = delta(2, 2, {{"99.20", "2"}});
  sync.on_delta(reused);
  reused = delta(3, 3, {{"99.10", "0"}});
  ASSERT_EQ(sync.on_delta(reused), SyncAction::kRequestSnapshot);
  reused.bids.clear();
  ASSERT_EQ(sync.on_snapshot(snapshot(0, {})), SyncAction::kBookUpdated);
  ASSERT_EQ(book_.level_count(Side::kBid), 1u);
  EXPECT_EQ(book_.best_bid().price, depth_dec("99.20"));
  EXPECT_EQ(book_.best_bid().quantity, depth_dec("2"));
}

TEST(DepthSyncNames, ToString) {
  EXPECT_STREQ(to_string(SyncState::kSynced), "Synced");
  EXPECT_STREQ(to_string(SyncAction::kRequestSnapshot), "RequestSnapshot");
}

}  // namespace
}  // namespace bparb
