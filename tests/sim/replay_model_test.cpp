// ReplayModel on hand-made recordings (the real Binance data is replayed in tests/record/).
#include "bparb/sim/replay_model.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/record/frame_source.hpp"
#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/recorded_book_mirror.hpp"
#include "sim_test_util.hpp"

namespace bparb::sim {
namespace {

using record::FrameKind;
using record::VectorFrameSource;
using testing::D;

constexpr TimestampUs kT0 = 1'700'000'000'000'000;

std::string replay_depth(const char* sym, std::int64_t U, std::int64_t u, const char* bids, const char* asks) {
  return std::string(R"({"stream":"depth.)") + sym + R"(","data":{"e":"depth","E":1,"s":")" + sym + R"(","a":)" + asks +
         R"(,"b":)" + bids + R"(,"U":)" + std::to_string(U) + R"(,"u":)" + std::to_string(u) + R"(,"T":1}})";
}
std::string replay_snap(const char* sym, std::int64_t id, const char* bids, const char* asks) {
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
  src.add(kT0, FrameKind::kWs, replay_depth("SOL_USDC", 9, 10, "[]", "[]"));  // before the snapshot: dropped
  src.add(kT0 + 1, FrameKind::kRestDepth,
          replay_snap("SOL_USDC", 10, R"([["99.98","2"],["99.99","1"]])", R"([["100.01","1"],["100.02","4"]])"));
  src.add(kT0 + 2, FrameKind::kWs,
          replay_depth("SOL_USDC", 11, 12, R"([["99.99","3"]])", R"([["100.01","0"],["100.03","5"]])"));
  src.add(kT0 + 3, FrameKind::kWs, replay_depth("SOL_USDC", 13, 13, R"([["99.98","0.5"]])", "[]"));
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
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

// A recording may hold several venues' lines (record::FrameLine::venue): the model replays its decoder's.
TEST_F(ReplayModelTest, LinesOfAnotherVenueAreSkippedAndCounted) {
  VectorFrameSource::Line other{kT0 + 1, FrameKind::kWs, replay_depth("SOL_USDC", 11, 11, R"([["99.99","0"]])", "[]"),
                                VenueId::kLighter};
  VectorFrameSource mixed(
      {{kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"]])"),
        VenueId::kBackpack},
       other});
  ReplayModel replay(exchange, mixed, make_backpack_frame_decoder());
  replay.apply_until(kT0 + 1);
  EXPECT_TRUE(replay.finished());
  EXPECT_EQ(replay.stats().lines, 2u);
  EXPECT_EQ(replay.stats().other_venue, 1u);
  EXPECT_EQ(replay.stats().depth_frames, 0u);
  EXPECT_EQ(bids("SOL_USDC"), "99.99:1");  // the Lighter line did not touch the book
}

TEST_F(ReplayModelTest, OurOrderTradesAgainstReplayedLiquidityAndTheRecordingRefillsIt) {
  src.add(kT0, FrameKind::kRestDepth,
          replay_snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"],["100.02","4"]])"));
  src.add(kT0 + 10, FrameKind::kWs, replay_depth("SOL_USDC", 11, 11, "[]", R"([["100.02","6"]])"));
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
  replay.apply_until(kT0);

  // Buy 2: 1 @ 100.01 + 1 @ 100.02 -> 200.03 quote.
  auto r = exchange.execute(alice, testing::market("SOL_USDC", Side::kBid, "2"));
  ASSERT_TRUE(r) << reject_name(r.error());
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
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC", 10, R"([["99.99","2"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 1, FrameKind::kWs, replay_depth("SOL_USDC", 11, 11, R"([["99.99","3"]])", "[]"));
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
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
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 1, FrameKind::kWs, replay_depth("SOL_USDC", 15, 16, R"([["99.98","1"]])", "[]"));  // 11..14 lost
  src.add(kT0 + 2, FrameKind::kRestDepth, replay_snap("SOL_USDC", 16, R"([["99.97","7"]])", R"([["100.05","2"]])"));
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
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
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 1, FrameKind::kEvent, R"({"type":"reconnect","symbol":"SOL_USDC"})");
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
  replay.apply_until(kT0 + 1);
  EXPECT_FALSE(replay.synced("SOL_USDC"));
  EXPECT_EQ(bids("SOL_USDC"), "");
  EXPECT_EQ(replay.stats().events, 1u);
}

TEST_F(ReplayModelTest, MarkIsPerpMidAndIndexIsSpotMid) {
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC", 10, R"([["99.98","1"]])", R"([["100.02","1"]])"));
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC_PERP", 50, R"([["100.10","1"]])", R"([["100.20","1"]])"));
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
  replay.apply_until(kT0);
  const auto perp = exchange.mark_price("SOL_USDC_PERP");
  ASSERT_TRUE(perp);
  EXPECT_EQ(perp->mark_price, D("100.15"));
  EXPECT_EQ(perp->index_price, D("100"));
  EXPECT_EQ(exchange.mark_price("SOL_USDC")->index_price, D("100"));
}

TEST_F(ReplayModelTest, PerpWithoutSpotBookKeepsTheExchangeIndex) {
  ASSERT_TRUE(exchange.set_mark_index("SOL_USDC_PERP", D("100"), D("99.5")));
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC_PERP", 50, R"([["100.10","1"]])", R"([["100.30","1"]])"));
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
  replay.apply_until(kT0);
  const auto perp = exchange.mark_price("SOL_USDC_PERP");
  ASSERT_TRUE(perp);
  EXPECT_EQ(perp->mark_price, D("100.2"));
  EXPECT_EQ(perp->index_price, D("99.5"));
}

TEST_F(ReplayModelTest, SymbolMapReplaysOneMarketIntoAnother) {
  src.add(kT0, FrameKind::kRestDepth, replay_snap("BTC_USDC", 7, R"([["99.50","0.25"]])", R"([["100.50","0.5"]])"));
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC", 7, R"([["1.00","1"]])", R"([["2.00","1"]])"));
  ReplayOptions o;
  o.symbol_map = {{"BTC_USDC", "SOL_USDC"}, {"SOL_USDC", "NOT_LISTED"}};
  ReplayModel replay(exchange, src, make_backpack_frame_decoder(), o);
  replay.apply_until(kT0);
  EXPECT_EQ(bids("SOL_USDC"), "99.5:0.25");
  EXPECT_EQ(asks("SOL_USDC"), "100.5:0.5");
  EXPECT_EQ(replay.stats().unknown_symbol,
            1u);  // SOL_USDC is mapped to a market the exchange lacks
}

TEST_F(ReplayModelTest, StepAppliesLinesByScaledTime) {
  src.add(kT0, FrameKind::kRestDepth, replay_snap("SOL_USDC", 10, R"([["99.99","1"]])", R"([["100.01","1"]])"));
  src.add(kT0 + 2 * kUsPerSecond, FrameKind::kWs, replay_depth("SOL_USDC", 11, 11, R"([["99.99","2"]])", "[]"));
  src.add(kT0 + 5 * kUsPerSecond, FrameKind::kWs, replay_depth("SOL_USDC", 12, 12, R"([["99.99","3"]])", "[]"));
  ReplayOptions o;
  o.speed = 2.0;
  ReplayModel replay(exchange, src, make_backpack_frame_decoder(), o);
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
  src.add(kT0, FrameKind::kWs, replay_depth("BTC_USDC", 1, 1, "[]", "[]"));
  src.add(kT0, FrameKind::kEvent, R"({"no_type":1})");
  ReplayModel replay(exchange, src, make_backpack_frame_decoder());
  EXPECT_EQ(replay.apply_until(kT0), 4u);
  EXPECT_EQ(replay.stats().parse_errors, 3u);
  EXPECT_EQ(replay.stats().unknown_symbol, 1u);
  EXPECT_THROW(
      {
        ReplayOptions bad;
        bad.speed = 0;
        ReplayModel r2(exchange, src, make_backpack_frame_decoder(), bad);
      },
      std::invalid_argument);
}

// ---- RecordedBookMirror on its own: the lazy use the backtest runner makes of it (note now, sync later).
class RecordedBookMirrorTest : public ::testing::Test, public ExchangeListener {
 protected:
  RecordedBookMirrorTest()
      : clock(kT0),
        exchange(clock, testing::test_config()),
        spec(*exchange.market("SOL_USDC")),
        book(spec),
        sync(book, DepthSyncConfig{0, 64, 4}) {
    alice = *exchange.find_account("alice");
    bob = *exchange.find_account("bob");
    AccountSetup s;
    s.api_key = "mirror-maker";
    s.unlimited = true;
    maker = exchange.add_account(s);
    mirror = std::make_unique<RecordedBookMirror>(exchange, maker, spec, counters);
    exchange.add_listener(this);
  }
  ~RecordedBookMirrorTest() override { exchange.remove_listener(this); }
  void on_trade(const TradeEvent& t) override { mirror->on_trade(t); }

  static std::vector<LevelUpdate> lv(std::initializer_list<std::pair<const char*, const char*>> l) {
    std::vector<LevelUpdate> v;
    for (const auto& [p, q] : l) v.push_back({D(p), D(q)});
    return v;
  }
  void snapshot(std::int64_t id, std::vector<LevelUpdate> bids, std::vector<LevelUpdate> asks) {
    DepthSnapshot s;
    s.last_update_id = id;
    s.bids = std::move(bids);
    s.asks = std::move(asks);
    ASSERT_EQ(sync.on_snapshot(s), SyncAction::kBookUpdated);
    mirror->mark_full();
  }
  SyncAction delta(std::int64_t U, std::int64_t u, std::vector<LevelUpdate> bids, std::vector<LevelUpdate> asks) {
    DepthDelta d;
    d.first_update_id = U;
    d.last_update_id = u;
    d.bids = std::move(bids);
    d.asks = std::move(asks);
    const bool was = sync.synced();
    const SyncAction a = sync.on_delta(d);
    mirror->note_delta(was, a, sync.synced(), d);
    return a;
  }
  std::string bids() { return side_text(exchange.depth_snapshot("SOL_USDC")->bids); }
  std::string asks() { return side_text(exchange.depth_snapshot("SOL_USDC")->asks); }
  std::int64_t lots(const char* q) { return D(q).to_units(spec.step_size); }
  std::int64_t ticks(const char* p) { return D(p).to_units(spec.tick_size); }

  ManualClock clock;
  Exchange exchange;
  const MarketSpec& spec;
  OrderBook book;
  DepthSync sync;
  MirrorCounters counters;
  AccountId alice = 0, bob = 0, maker = 0;
  std::unique_ptr<RecordedBookMirror> mirror;
};

TEST_F(RecordedBookMirrorTest, NothingReachesTheExchangeUntilSync) {
  snapshot(10, lv({{"99.98", "2"}, {"99.99", "1"}}), lv({{"100.01", "1"}}));
  EXPECT_EQ(bids(), "");
  EXPECT_TRUE(mirror->withdrawn());
  mirror->sync(book);
  EXPECT_FALSE(mirror->withdrawn());
  EXPECT_EQ(bids(), "99.98:2 99.99:1");
  EXPECT_EQ(asks(), "100.01:1");
  EXPECT_EQ(counters.orders_placed, 3u);

  // Three deltas, one sync: the same level changed twice ends at its last recorded quantity, and the
  // ask moving down through the old bid area never crosses the background with itself.
  EXPECT_EQ(delta(11, 11, lv({{"99.99", "5"}}), lv({{"100.01", "0"}, {"100.03", "2"}})), SyncAction::kBookUpdated);
  EXPECT_EQ(delta(12, 12, lv({{"99.99", "0.5"}, {"99.98", "0"}}), {}), SyncAction::kBookUpdated);
  EXPECT_EQ(delta(13, 13, {}, lv({{"100.00", "1"}})), SyncAction::kBookUpdated);
  EXPECT_EQ(bids(), "99.98:2 99.99:1");  // still the old view: lazy
  mirror->sync(book);
  EXPECT_EQ(bids(), "99.99:0.5");
  EXPECT_EQ(asks(), "100:1 100.03:2");
  EXPECT_EQ(mirror->background_lots(Side::kBid, ticks("99.99")), lots("0.5"));
  EXPECT_EQ(mirror->background_lots(Side::kBid, ticks("99.98")), 0);
  EXPECT_EQ(counters.orders_refused, 0u) << counters.first_refusal;
}

TEST_F(RecordedBookMirrorTest, ConsumedLevelsStayConsumedUntilTheRecordingSetsThem) {
  snapshot(10, lv({{"99.99", "1"}}), lv({{"100.01", "1"}, {"100.02", "4"}}));
  mirror->sync(book);
  // alice buys 2: all of 100.01 and 1 of 100.02 (the mirror follows through on_trade).
  auto r = exchange.execute(alice, testing::market("SOL_USDC", Side::kBid, "2"));
  ASSERT_TRUE(r) << reject_name(r.error());
  EXPECT_EQ(r->executed_quantity, D("2"));
  EXPECT_EQ(mirror->background_lots(Side::kAsk, ticks("100.01")), 0);
  EXPECT_EQ(mirror->background_lots(Side::kAsk, ticks("100.02")), lots("3"));
  // The recording touches only the bid side: the consumed asks are not refilled by a sync.
  delta(11, 11, lv({{"99.99", "2"}}), {});
  mirror->sync(book);
  EXPECT_EQ(asks(), "100.02:3");
  EXPECT_EQ(bids(), "99.99:2");
  // It sets 100.02 (absolute): topped up to the recorded 4. A level the book rejected changes nothing.
  delta(12, 12, {}, lv({{"100.02", "4"}, {"100.015", "9"}}));
  mirror->sync(book);
  EXPECT_EQ(asks(), "100.02:4");
  // A full compare (snapshot) restores everything to the recorded book.
  mirror->mark_full();
  mirror->sync(book);
  EXPECT_EQ(asks(), "100.01:1 100.02:4");
}

TEST_F(RecordedBookMirrorTest, InvalidBookWithdrawsAndTheNextSnapshotRestores) {
  snapshot(10, lv({{"99.99", "1"}}), lv({{"100.01", "1"}}));
  mirror->sync(book);
  EXPECT_NE(delta(15, 15, lv({{"99.98", "1"}}), {}), SyncAction::kBookUpdated);  // 11..14 lost: gap
  EXPECT_FALSE(book.valid());
  mirror->sync(book);
  EXPECT_TRUE(mirror->withdrawn());
  EXPECT_EQ(bids(), "");
  EXPECT_EQ(asks(), "");
  EXPECT_EQ(counters.orders_cancelled, 2u);
  snapshot(15, lv({{"99.98", "1"}, {"99.99", "1"}}), lv({{"100.02", "3"}}));
  mirror->sync(book);
  EXPECT_EQ(bids(), "99.98:1 99.99:1");
  EXPECT_EQ(asks(), "100.02:3");
}

// Seeded random deltas (levels changed several times between syncs, raised then lowered, deleted, levels
// the book rejects) with taker orders consuming background liquidity in between: a mirror synced lazily at
// random points shows, after each of its syncs, the same background level for level as a mirror on a twin
// exchange synced after every delta (the lazy sync's promise in recorded_book_mirror.hpp). The lazy mirror notes
// what the book accepted (note_applied), the eager one converts the deltas itself (note_delta).
TEST_F(RecordedBookMirrorTest, LazySyncMatchesSyncingEveryDelta) {
  struct Forward : ExchangeListener {
    RecordedBookMirror* mirror = nullptr;
    void on_trade(const TradeEvent& t) override { mirror->on_trade(t); }
  };
  ManualClock eager_clock(kT0);
  Exchange eager_exchange(eager_clock, testing::test_config());
  AccountSetup s;
  s.api_key = "mirror-maker";
  s.unlimited = true;
  const AccountId eager_maker = eager_exchange.add_account(s);
  MirrorCounters eager_counters;
  RecordedBookMirror eager(eager_exchange, eager_maker, spec, eager_counters);
  Forward forward;
  forward.mirror = &eager;
  eager_exchange.add_listener(&forward);
  const AccountId eager_alice = *eager_exchange.find_account("alice");

  std::mt19937_64 rng(20261207);
  auto pick = [&rng](std::int64_t lo, std::int64_t hi) {  // uniform in [lo, hi]
    return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
  };
  // Bids 99.50..99.99, asks 100.01..100.50: never crossed.
  auto level = [&](bool bid) {
    const std::int64_t t = bid ? pick(9950, 9999) : pick(10001, 10050);
    LevelUpdate u{spec.ticks_to_price(t), spec.lots_to_quantity(pick(0, 3) == 0 ? 0 : pick(1, 400))};
    if (pick(0, 40) == 0) u.price = u.price + D("0.001");  // off tick: the book refuses it
    return u;
  };
  std::vector<LevelUpdate> bids0, asks0;
  for (std::int64_t t = 9950; t <= 9999; t += 2) bids0.push_back({spec.ticks_to_price(t), D("1")});
  for (std::int64_t t = 10001; t <= 10050; t += 2) asks0.push_back({spec.ticks_to_price(t), D("1")});
  snapshot(10, bids0, asks0);
  mirror->sync(book);
  eager.mark_full();
  eager.sync(book);

  std::int64_t id = 10;
  int syncs = 0, trades = 0;
  for (int step = 0; step < 3000; ++step) {
    DepthDelta d;
    d.first_update_id = d.last_update_id = ++id;
    for (std::int64_t n = pick(0, 6); n > 0; --n) d.bids.push_back(level(true));
    for (std::int64_t n = pick(0, 6); n > 0; --n) d.asks.push_back(level(false));
    const bool was = sync.synced();
    const SyncAction a = sync.on_delta(d);
    ASSERT_EQ(a, SyncAction::kBookUpdated);
    mirror->note_applied(was, a, sync.synced(), book);  // the levels the book accepted, as the backtest does
    eager.note_delta(was, a, sync.synced(), d);
    eager.sync(book);
    if (pick(0, 9) != 0) continue;
    mirror->sync(book);
    ++syncs;
    ASSERT_EQ(bids(), side_text(eager_exchange.depth_snapshot("SOL_USDC")->bids)) << "step " << step;
    ASSERT_EQ(asks(), side_text(eager_exchange.depth_snapshot("SOL_USDC")->asks)) << "step " << step;
    if (pick(0, 2) == 0) {  // a taker order on both exchanges consumes background liquidity
      const SimOrderRequest r =
          testing::market("SOL_USDC", pick(0, 1) == 0 ? Side::kBid : Side::kAsk, pick(0, 1) == 0 ? "0.5" : "3");
      auto lazy_fill = exchange.execute(alice, r);
      auto eager_fill = eager_exchange.execute(eager_alice, r);
      ASSERT_TRUE(lazy_fill && eager_fill);
      ASSERT_EQ(lazy_fill->executed_quantity, eager_fill->executed_quantity);
      trades += lazy_fill->executed_quantity.is_positive() ? 1 : 0;
    }
  }
  EXPECT_GT(syncs, 200);
  EXPECT_GT(trades, 50);
  EXPECT_EQ(counters.orders_refused, 0u) << counters.first_refusal;
  eager_exchange.remove_listener(&forward);
}

// The mirror's set of changed prices against std::set: prices near the first one noted (one bit each) and far
// from it on both sides (listed), repeats, and rounds separated by clear().
TEST(NotedPricesTest, ReadsOutEveryNotedPriceOnceInAscendingOrder) {
  NotedPrices noted;
  std::mt19937_64 rng(7);
  const std::int64_t span = static_cast<std::int64_t>(NotedPrices::kSpan);
  for (int round = 0; round < 50; ++round) {
    std::set<std::int64_t> want;
    const std::int64_t centre = 1 + static_cast<std::int64_t>(rng() % 1'000'000'000);
    const int n = static_cast<int>(rng() % 3000);
    for (int i = 0; i < n; ++i) {
      std::int64_t t = 0;
      switch (rng() % 4) {
        case 0:  // around the centre, repeats likely
          t = centre - 50 + static_cast<std::int64_t>(rng() % 100);
          break;
        case 1:  // anywhere within about a span of it
          t = centre - span + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(2 * span));
          break;
        case 2:  // far: below or above
          t = (rng() % 2 == 0) ? 1 + static_cast<std::int64_t>(rng() % 1000)
                               : centre + 4 * span + static_cast<std::int64_t>(rng() % 1'000'000);
          break;
        default:  // the largest prices
          t = std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(rng() % 3);
          break;
      }
      t = std::max<std::int64_t>(t, 1);
      noted.add(t);
      want.insert(t);
    }
    std::vector<std::int64_t> got;
    noted.for_each([&](std::int64_t t) { got.push_back(t); });
    ASSERT_EQ(got, std::vector<std::int64_t>(want.begin(), want.end())) << "round " << round;
    noted.clear();
  }
  std::vector<std::int64_t> got;
  noted.for_each([&](std::int64_t t) { got.push_back(t); });
  EXPECT_TRUE(got.empty());
}

TEST(BookLevelLotsTest, FindsLevelsOnBothSides) {
  MarketSpec s;
  s.symbol = "X_USDC";
  s.tick_size = D("0.01");
  s.step_size = D("0.1");
  s.min_price = D("0.01");
  s.min_quantity = D("0.1");
  OrderBook b(s);
  DepthSnapshot snap_;
  snap_.last_update_id = 1;
  snap_.bids = {{D("1.00"), D("0.5")}, {D("1.02"), D("0.2")}};
  snap_.asks = {{D("1.05"), D("1")}, {D("1.10"), D("3")}};
  b.load_snapshot(snap_);
  EXPECT_EQ(book_level_lots(b, Side::kBid, 100), 5);
  EXPECT_EQ(book_level_lots(b, Side::kBid, 102), 2);
  EXPECT_EQ(book_level_lots(b, Side::kBid, 101), 0);
  EXPECT_EQ(book_level_lots(b, Side::kAsk, 105), 10);
  EXPECT_EQ(book_level_lots(b, Side::kAsk, 110), 30);
  EXPECT_EQ(book_level_lots(b, Side::kAsk, 100), 0);
}

TEST(RecordingLineParserTest, RestDepthLines) {
  RecordingLineParser p;
  std::string_view sym;
  DepthSnapshot snapshot;
  ASSERT_TRUE(p.rest_depth_symbol(replay_snap("SOL_USDC", 42, R"([["99.99","1.5"]])", R"([["100.01","2"]])"), sym));
  EXPECT_EQ(sym, "SOL_USDC");
  ASSERT_TRUE(p.rest_depth_snapshot(snapshot));
  EXPECT_EQ(snapshot.last_update_id, 42);
  ASSERT_EQ(snapshot.bids.size(), 1u);
  EXPECT_EQ(snapshot.bids[0].price, D("99.99"));
  EXPECT_EQ(snapshot.bids[0].quantity, D("1.5"));
  ASSERT_EQ(snapshot.asks.size(), 1u);
  EXPECT_EQ(snapshot.asks[0].price, D("100.01"));
  EXPECT_FALSE(p.rest_depth_snapshot(snapshot));  // one snapshot per header

  EXPECT_FALSE(p.rest_depth_symbol("not json", sym));
  EXPECT_FALSE(p.rest_depth_symbol(R"({"symbol":"SOL_USDC"})", sym));   // no data
  EXPECT_FALSE(p.rest_depth_symbol(R"({"symbol":7,"data":{}})", sym));  // symbol not a string
  EXPECT_FALSE(p.rest_depth_snapshot(snapshot));                        // nothing pending
  ASSERT_TRUE(p.rest_depth_symbol(R"({"symbol":"SOL_USDC","data":{"asks":5}})", sym));
  EXPECT_FALSE(p.rest_depth_snapshot(snapshot));  // data is not a depth body
}

TEST(RecordingLineParserTest, EventLines) {
  RecordingLineParser p;
  RecordingLineParser::Event ev;
  ASSERT_TRUE(p.event(R"({"type":"reconnect","symbol":"SOL_USDC","detail":"ws closed 1006"})", ev));
  EXPECT_EQ(ev.type, "reconnect");
  ASSERT_TRUE(ev.symbol.has_value());
  EXPECT_EQ(*ev.symbol, "SOL_USDC");
  ASSERT_TRUE(p.event(R"({"type":"gap"})", ev));
  EXPECT_EQ(ev.type, "gap");
  EXPECT_FALSE(ev.symbol.has_value());
  ASSERT_TRUE(p.event(R"({"type":"reconnect","symbol":null})", ev));
  EXPECT_FALSE(ev.symbol.has_value());  // not a string: every market
  EXPECT_FALSE(p.event(R"({"symbol":"SOL_USDC"})", ev));
  EXPECT_FALSE(p.event(R"({"type":1})", ev));
  EXPECT_FALSE(p.event("{", ev));
}

}  // namespace
}  // namespace bparb::sim
