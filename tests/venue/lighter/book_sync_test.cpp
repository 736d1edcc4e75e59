// The order_book nonce chain: snapshot, chained updates, gap, crossed book, off-grid level, silence,
// and recovery only through a fresh snapshot.
#include "bparb/venue/lighter/book_sync.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bparb/venue/lighter/parsers.hpp"

namespace bparb::lighter {
namespace {

Decimal sync_dec(const char* s) {
  return Decimal::from_string(s);
}

MarketDetails sync_eth() {
  MarketDetails m;
  m.market_id = 0;
  m.symbol = "ETH";
  m.price_decimals = 2;
  m.size_decimals = 4;
  return m;
}

BookFrame sync_frame(bool snapshot, std::int64_t begin, std::int64_t nonce) {
  BookFrame f;
  f.market_id = 0;
  f.snapshot = snapshot;
  f.begin_nonce = begin;
  f.nonce = nonce;
  f.levels.first_update_id = begin;
  f.levels.last_update_id = nonce;
  return f;
}

BookFrame snapshot_frame(std::int64_t nonce) {
  BookFrame f = sync_frame(true, 0, nonce);
  f.levels.bids = {{sync_dec("2000.00"), sync_dec("1.5")}, {sync_dec("1999.50"), sync_dec("2")}};
  f.levels.asks = {{sync_dec("2000.50"), sync_dec("0.25")}, {sync_dec("2001.00"), sync_dec("3")}};
  return f;
}

struct LighterBookSync : ::testing::Test {
  ManualClock clock{1'000'000'000};
  OrderBook book{book_spec(sync_eth())};
  BookSync sync{book, 0, clock, BookSyncConfig{5 * kUsPerSecond}};
};

TEST_F(LighterBookSync, SnapshotThenChainedUpdates) {
  EXPECT_FALSE(book.valid());
  BookFrame s = snapshot_frame(100);
  SyncResult r = sync.on_frame(s);
  EXPECT_EQ(r.action, SyncAction::kNone);
  EXPECT_EQ(r.event, SyncEvent::kSnapshot);
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(book.best_bid().price, sync_dec("2000"));
  EXPECT_EQ(book.best_ask().price, sync_dec("2000.5"));
  EXPECT_EQ(book.top(Side::kBid)->price_ticks, 200000);  // integer ticks of 0.01
  EXPECT_EQ(book.top(Side::kBid)->qty_lots, 15000);      // lots of 0.0001
  EXPECT_EQ(s.levels.bids.size(), 2u);                   // the frame gets its levels back

  BookFrame u = sync_frame(false, 100, 105);
  u.levels.asks = {{sync_dec("2000.50"), sync_dec("0")}, {sync_dec("2000.75"), sync_dec("1")}};
  r = sync.on_frame(u);
  EXPECT_EQ(r.event, SyncEvent::kApplied);
  EXPECT_EQ(book.best_ask().price, sync_dec("2000.75"));
  EXPECT_EQ(book.last_update_id(), 105);
  u = sync_frame(false, 105, 106);
  u.levels.bids = {{sync_dec("2000.25"), sync_dec("4")}};
  EXPECT_EQ(sync.on_frame(u).event, SyncEvent::kApplied);
  EXPECT_EQ(book.best_bid().price, sync_dec("2000.25"));
  EXPECT_EQ(sync.last_nonce(), 106);
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(sync.stats().updates, 2u);
}

TEST_F(LighterBookSync, GapInvalidatesUntilAFreshSnapshot) {
  BookFrame s = snapshot_frame(100);
  sync.on_frame(s);
  BookFrame u = sync_frame(false, 101, 102);  // begin_nonce should be 100
  const SyncResult r = sync.on_frame(u);
  EXPECT_EQ(r.action, SyncAction::kResubscribe);
  EXPECT_EQ(r.event, SyncEvent::kGap);
  EXPECT_FALSE(book.valid());
  EXPECT_FALSE(sync.synced());

  // Updates that would chain with the old nonce no longer count: only a snapshot revalidates.
  u = sync_frame(false, 100, 101);
  EXPECT_EQ(sync.on_frame(u).event, SyncEvent::kDropped);
  EXPECT_FALSE(book.valid());
  s = snapshot_frame(500);
  EXPECT_EQ(sync.on_frame(s).event, SyncEvent::kSnapshot);
  EXPECT_TRUE(book.valid());
  u = sync_frame(false, 500, 501);
  EXPECT_EQ(sync.on_frame(u).event, SyncEvent::kApplied);
  EXPECT_EQ(sync.stats().gaps, 1u);
  EXPECT_EQ(sync.stats().dropped, 1u);
  EXPECT_EQ(sync.stats().resubscribes, 1u);
}

TEST_F(LighterBookSync, NonceMustRise) {
  BookFrame s = snapshot_frame(100);
  sync.on_frame(s);
  BookFrame u = sync_frame(false, 100, 100);
  EXPECT_EQ(sync.on_frame(u).event, SyncEvent::kNonceNotRising);
  EXPECT_FALSE(book.valid());
}

TEST_F(LighterBookSync, CrossedUpdateAndCrossedSnapshot) {
  BookFrame s = snapshot_frame(100);
  sync.on_frame(s);
  BookFrame u = sync_frame(false, 100, 101);
  u.levels.bids = {{sync_dec("2000.50"), sync_dec("1")}};  // bid at the best ask
  const SyncResult r = sync.on_frame(u);
  EXPECT_EQ(r.action, SyncAction::kResubscribe);
  EXPECT_EQ(r.event, SyncEvent::kCrossed);
  EXPECT_FALSE(book.valid());

  s = snapshot_frame(200);
  s.levels.bids.push_back({sync_dec("2002.00"), sync_dec("1")});
  EXPECT_EQ(sync.on_frame(s).event, SyncEvent::kCrossed);
  EXPECT_FALSE(book.valid());
  EXPECT_EQ(sync.stats().crossed, 2u);
}

TEST_F(LighterBookSync, OffGridLevelInvalidates) {
  BookFrame s = snapshot_frame(100);
  sync.on_frame(s);
  BookFrame u = sync_frame(false, 100, 101);
  u.levels.asks = {{sync_dec("2003.001"), sync_dec("1")}};  // finer than price_decimals = 2
  EXPECT_EQ(sync.on_frame(u).event, SyncEvent::kBadLevel);
  EXPECT_FALSE(book.valid());
  EXPECT_EQ(sync.stats().bad_levels, 1u);
}

TEST_F(LighterBookSync, SilenceInvalidatesAndRepeatsPerPeriod) {
  BookFrame s = snapshot_frame(100);
  sync.on_frame(s);
  clock.advance_us(5 * kUsPerSecond);
  EXPECT_EQ(sync.on_timer().action, SyncAction::kNone);  // exactly the limit is not silence
  EXPECT_TRUE(book.valid());
  clock.advance_us(1);
  SyncResult r = sync.on_timer();
  EXPECT_EQ(r.action, SyncAction::kResubscribe);
  EXPECT_EQ(r.event, SyncEvent::kStale);
  EXPECT_FALSE(book.valid());
  // The resubscription gets its own full period before the next decision.
  clock.advance_us(4 * kUsPerSecond);
  EXPECT_EQ(sync.on_timer().action, SyncAction::kNone);
  clock.advance_us(1 * kUsPerSecond + 1);
  EXPECT_EQ(sync.on_timer().action, SyncAction::kResubscribe);
  EXPECT_EQ(sync.stats().stale, 2u);
  s = snapshot_frame(300);
  EXPECT_EQ(sync.on_frame(s).event, SyncEvent::kSnapshot);
  EXPECT_TRUE(book.valid());
}

TEST_F(LighterBookSync, OtherMarketsFramesAreIgnored) {
  BookFrame s = snapshot_frame(100);
  sync.on_frame(s);
  BookFrame u = sync_frame(false, 7, 8);
  u.market_id = 1;
  EXPECT_EQ(sync.on_frame(u).event, SyncEvent::kWrongMarket);
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(sync.last_nonce(), 100);
}

TEST_F(LighterBookSync, ResetWaitsForSnapshot) {
  BookFrame s = snapshot_frame(100);
  sync.on_frame(s);
  sync.reset();
  EXPECT_FALSE(book.valid());
  BookFrame u = sync_frame(false, 100, 101);
  EXPECT_EQ(sync.on_frame(u).event, SyncEvent::kDropped);
}

TEST_F(LighterBookSync, ParsedFramesEndToEnd) {
  JsonParser p;
  WsFrame f;
  ASSERT_TRUE(parse_ws_frame(p,
                             R"({"channel":"order_book:0","offset":2164,"order_book":{"code":0,"asks":[)"
                             R"({"price":"2325.00","size":"99.0000"},{"price":"2341.25","size":"340.1028"}],)"
                             R"("bids":[{"price":"2000.00","size":"0.0200"}],"offset":2164,"nonce":904845,)"
                             R"("last_updated_at":1778138389655150,"begin_nonce":0},"timestamp":1778138582602,)"
                             R"("type":"subscribed/order_book"})",
                             f)
                  .ok());
  EXPECT_EQ(sync.on_frame(f.book).event, SyncEvent::kSnapshot);
  // Offsets jump (they are not contiguous); only the nonces chain.
  ASSERT_TRUE(parse_ws_frame(p,
                             R"({"channel":"order_book:0","offset":9999,"order_book":{"code":0,"asks":[)"
                             R"({"price":"2325.00","size":"0.0000"}],"bids":[{"price":"2001.00","size":"1.0000"}],)"
                             R"("offset":9999,"nonce":904850,"last_updated_at":1778138389655999,)"
                             R"("begin_nonce":904845},"timestamp":1778138582700,"type":"update/order_book"})",
                             f)
                  .ok());
  EXPECT_EQ(sync.on_frame(f.book).event, SyncEvent::kApplied);
  EXPECT_EQ(book.best_ask().price, sync_dec("2341.25"));
  EXPECT_EQ(book.best_bid().price, sync_dec("2001"));
  EXPECT_EQ(book.level_count(Side::kBid), 2u);
}

}  // namespace
}  // namespace bparb::lighter
