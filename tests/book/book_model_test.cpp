// Property tests against a trivially-correct reference (std::map per side), on seeded random streams:
// the flat-array book must hold exactly the reference levels, and DepthSync — fed aggregated deltas
// with lost messages and lagging snapshots — must, whenever it says Synced, hold exactly the true book
// as of its last update id.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"

namespace bparb {
namespace {

MarketSpec spec() {
  MarketSpec m;
  m.symbol = "TEST_USDC";
  m.tick_size = Decimal::from_string("0.01");
  m.step_size = Decimal::from_string("0.001");
  return m;
}

struct Truth {
  std::map<std::int64_t, std::int64_t> bids;  // ticks -> lots
  std::map<std::int64_t, std::int64_t> asks;
};

// Compares the book to the reference, best level first.
::testing::AssertionResult same(const OrderBook& b, const Truth& t) {
  auto check = [&](Side side, const std::map<std::int64_t, std::int64_t>& m) -> ::testing::AssertionResult {
    if (b.level_count(side) != m.size())
      return ::testing::AssertionFailure() << side_name(side) << " count " << b.level_count(side) << " vs " << m.size();
    std::size_t i = 0;
    auto cmp = [&](std::int64_t px, std::int64_t lots) -> bool {
      BookLevel l = b.level(side, i++);
      return l.price == b.ticks_to_price(px) && l.quantity == b.lots_to_quantity(lots);
    };
    if (side == Side::kBid) {
      for (auto it = m.rbegin(); it != m.rend(); ++it)
        if (!cmp(it->first, it->second)) return ::testing::AssertionFailure() << "bid level " << i - 1 << " differs";
    } else {
      for (auto it = m.begin(); it != m.end(); ++it)
        if (!cmp(it->first, it->second)) return ::testing::AssertionFailure() << "ask level " << i - 1 << " differs";
    }
    return ::testing::AssertionSuccess();
  };
  auto r = check(Side::kBid, t.bids);
  if (!r) return r;
  return check(Side::kAsk, t.asks);
}

TEST(OrderBookModel, RandomUpdatesMatchReferenceMap) {
  std::mt19937_64 rng(20261121);
  OrderBook b(spec(), 16);  // small reserve: growth past capacity is exercised too
  Truth t;
  std::uniform_int_distribution<std::int64_t> px(1, 300);
  std::uniform_int_distribution<std::int64_t> lots(0, 4);  // 20% deletes
  std::bernoulli_distribution bid(0.5);
  for (int i = 0; i < 20000; ++i) {
    const bool is_bid = bid(rng);
    // Bids below 150, asks above, so the book never crosses.
    const std::int64_t p = is_bid ? px(rng) % 150 + 1 : 150 + px(rng);
    const std::int64_t q = lots(rng) * 1000 + (lots(rng) == 0 ? 0 : 7);
    auto& m = is_bid ? t.bids : t.asks;
    if (q == 0) {
      m.erase(p);
    } else {
      m[p] = q;
    }
    ASSERT_EQ(b.apply_level(is_bid ? Side::kBid : Side::kAsk, b.ticks_to_price(p), b.lots_to_quantity(q)),
              LevelError::kOk);
    if (i % 997 == 0) {
      ASSERT_TRUE(same(b, t)) << "after update " << i;
    }
  }
  ASSERT_TRUE(same(b, t));
  EXPECT_FALSE(b.crossed());
}

// Generates update k (1-based) on top of `t`, recording the changed levels in `changed`.
void random_update(std::mt19937_64& rng, Truth& t, std::map<std::int64_t, std::int64_t>& changed_bids,
                   std::map<std::int64_t, std::int64_t>& changed_asks) {
  std::uniform_int_distribution<int> n(1, 3);
  std::uniform_int_distribution<std::int64_t> off(0, 40);
  std::uniform_int_distribution<std::int64_t> lots(0, 5);
  std::bernoulli_distribution bid(0.5);
  for (int k = n(rng); k > 0; --k) {
    const bool is_bid = bid(rng);
    const std::int64_t p = is_bid ? 1000 - off(rng) : 1001 + off(rng);
    const std::int64_t q = lots(rng) * 250;
    auto& m = is_bid ? t.bids : t.asks;
    if (q == 0) {
      m.erase(p);
    } else {
      m[p] = q;
    }
    (is_bid ? changed_bids : changed_asks)[p] = q;
  }
}

TEST(DepthSyncModel, SyncedBookAlwaysEqualsTruthDespiteLossAndLaggingSnapshots) {
  std::mt19937_64 rng(777);
  OrderBook book(spec());
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 4;
  cfg.max_buffered = 32;
  DepthSync sync(book, cfg);

  // Truth after each recent update id: history[i] is id (base + i). Only the recent past is kept:
  // snapshots lag by at most ~75 ids and a synced book is never older than the last delivered delta.
  std::deque<Truth> history(1);
  std::int64_t base = 0;
  auto truth_at = [&](std::int64_t at) -> const Truth& {
    EXPECT_GE(at, base);
    return history[static_cast<std::size_t>(at - base)];
  };
  std::bernoulli_distribution lose(0.01);
  std::uniform_int_distribution<int> aggregate(1, 3);
  std::uniform_int_distribution<int> lag(0, 12);      // snapshot lastUpdateId behind the stream
  std::uniform_int_distribution<int> latency(0, 20);  // deltas delivered before the snapshot arrives
  std::bernoulli_distribution snapshot_fails(0.1);
  std::int64_t id = 0;
  int pending_in = -1;  // deltas until the requested snapshot is delivered (-1: none requested)
  std::int64_t pending_id = 0;
  int synced_checks = 0;
  auto to_snapshot = [&](std::int64_t at) {
    DepthSnapshot s;
    s.last_update_id = at;
    for (auto [p, q] : truth_at(at).bids) s.bids.push_back({book.ticks_to_price(p), book.lots_to_quantity(q)});
    for (auto [p, q] : truth_at(at).asks) s.asks.push_back({book.ticks_to_price(p), book.lots_to_quantity(q)});
    return s;
  };
  auto handle = [&](SyncAction a) {
    if (a == SyncAction::kRequestSnapshot) {
      // The server takes its snapshot somewhat behind the stream (REST lags WS).
      pending_id = std::max<std::int64_t>(0, id - lag(rng));
      pending_in = latency(rng);
    }
  };
  for (int step = 0; step < 30000; ++step) {
    DepthDelta d;
    d.first_update_id = id + 1;
    std::map<std::int64_t, std::int64_t> cb;
    std::map<std::int64_t, std::int64_t> ca;
    for (int k = aggregate(rng); k > 0; --k) {
      Truth next = history.back();
      random_update(rng, next, cb, ca);
      history.push_back(std::move(next));
      ++id;
    }
    while (history.size() > 512) {
      history.pop_front();
      ++base;
    }
    d.last_update_id = id;
    for (auto [p, q] : cb) d.bids.push_back({book.ticks_to_price(p), book.lots_to_quantity(q)});
    for (auto [p, q] : ca) d.asks.push_back({book.ticks_to_price(p), book.lots_to_quantity(q)});
    if (!lose(rng)) handle(sync.on_delta(d));

    if (pending_in >= 0 && pending_in-- == 0) {
      pending_in = -1;
      if (snapshot_fails(rng)) {
        handle(sync.on_snapshot_failed());
      } else {
        handle(sync.on_snapshot(to_snapshot(pending_id)));
      }
    }
    ASSERT_EQ(book.valid(), sync.synced());
    if (sync.synced()) {
      ASSERT_TRUE(same(book, truth_at(sync.last_update_id()))) << "step " << step << " id " << sync.last_update_id();
      ++synced_checks;
    }
  }
  const DepthSyncStats& st = sync.stats();
  // The scenario must actually exercise the interesting paths.
  EXPECT_GT(st.gaps, 100u);
  EXPECT_GT(st.resyncs, 100u);
  EXPECT_GT(st.snapshots_too_old, 10u);
  EXPECT_GT(st.snapshots, 100u);
  EXPECT_GT(st.dropped, 100u);
  EXPECT_GT(synced_checks, 15000);
  EXPECT_EQ(st.malformed, 0u);
  EXPECT_EQ(st.crossed, 0u);
}

}  // namespace
}  // namespace bparb
