// The hot path (apply a delta, buffer a delta, sync from a snapshot, queries) must not allocate once
// warm. Global operator new is replaced for this test binary and counts only inside the measured
// window; no gtest assertion runs inside the window (a failing one would allocate).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../support/counting_new.hpp"

namespace bparb {
namespace {

struct CountAllocations {
  CountAllocations() {
    g_allocs = 0;
    g_counting = true;
  }
  ~CountAllocations() { g_counting = false; }
  long count() const { return g_allocs.load(); }
};

MarketSpec alloc_spec() {
  MarketSpec m;
  m.symbol = "SOL_USDC_PERP";
  m.tick_size = Decimal::from_string("0.01");
  m.step_size = Decimal::from_string("0.01");
  return m;
}

DepthSnapshot alloc_snapshot(std::int64_t id, int levels) {
  DepthSnapshot s;
  s.last_update_id = id;
  const Decimal tick = Decimal::from_string("0.01");
  for (int i = levels; i >= 1; --i) s.bids.push_back({Decimal::from_units(15000 - i, tick), Decimal::from_int(1)});
  for (int i = 1; i <= levels; ++i) s.asks.push_back({Decimal::from_units(15000 + i, tick), Decimal::from_int(2)});
  return s;
}

// Delta i: two levels near the top, one of them deleted on odd ids.
void fill_delta(DepthDelta& d, std::int64_t id) {
  const Decimal tick = Decimal::from_string("0.01");
  d.bids.clear();
  d.asks.clear();
  d.first_update_id = d.last_update_id = id;
  d.bids.push_back({Decimal::from_units(14999 - id % 7, tick), id % 2 ? Decimal::zero() : Decimal::from_int(3)});
  d.asks.push_back({Decimal::from_units(15001 + id % 5, tick), Decimal::from_int(4)});
}

TEST(BookNoAlloc, WarmHotPathDoesNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  OrderBook book(alloc_spec());
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 5;
  cfg.max_buffered = 64;
  DepthSync sync(book, cfg);
  DepthDelta d;
  d.bids.reserve(4);
  d.asks.reserve(4);
  const DepthSnapshot too_old = alloc_snapshot(10, 1000);

  // Warm-up pass (not counted): identical path to the measured one.
  std::int64_t id = 1;
  for (; id <= 200; ++id) {
    fill_delta(d, id);
    sync.on_delta(d);
  }
  sync.on_snapshot(alloc_snapshot(150, 1000));

  long allocations = 0;
  SyncAction last_action = SyncAction::kNone;
  bool rerequested = false;
  Decimal sink;
  {
    CountAllocations counter;
    for (; id <= 3000; ++id) {
      fill_delta(d, id);
      last_action = sync.on_delta(d);  // synced: apply
    }
    // Queries on the synced book.
    sink += book.walk(Side::kBid, Decimal::from_int(50)).vwap;
    sink += book.walk_notional(Side::kAsk, Decimal::from_int(1000)).quantity;
    sink += book.quantity_within_bps(Side::kBid, Decimal::from_int(10));
    sink += book.mid();
    // Gap -> buffering (ring overflows: 64 slots), then a lagging snapshot resyncs from the buffer.
    id += 5;
    for (; id <= 3200; ++id) {
      fill_delta(d, id);
      sync.on_delta(d);
    }
    rerequested = sync.on_snapshot(too_old) == SyncAction::kRequestSnapshot;
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(last_action, SyncAction::kBookUpdated);
  EXPECT_TRUE(rerequested);  // snapshot 10 is too old for a buffer holding 3137..3200
  EXPECT_EQ(sync.stats().gaps, 1u);
  EXPECT_GT(sync.stats().overflows, 0u);

  // Resync from a fresh snapshot taken inside the buffered range, also allocation-free.
  DepthSnapshot fresh = alloc_snapshot(3190, 1000);
  {
    CountAllocations counter;
    last_action = sync.on_snapshot(fresh);
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(last_action, SyncAction::kBookUpdated);
  EXPECT_EQ(sync.last_update_id(), 3200);
  EXPECT_TRUE(book.valid());
  EXPECT_NE(sink, Decimal::zero());
}

}  // namespace
}  // namespace bparb
