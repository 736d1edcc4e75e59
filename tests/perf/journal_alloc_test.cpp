// What the daemon's SQLite journal costs per order on the hot path (BENCHMARKS.md §4). The intent write
// happens before the send by design (crash safety) and the ack write after the answer; SQLite
// allocates with malloc, not operator new, so this counts both: SQLite's allocator through
// SQLITE_CONFIG_MALLOC wrappers, and operator new (the Journal's C++ side) through alloc_counter.
// A measurement, not a target: the figures are printed and recorded as test properties; the
// assertions check the measurement itself and that the journal's C++ side adds no operator new.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>

#include "../../src/bench/alloc_counter.hpp"  // NOLINT: counting allocator
#include "bparb/journal/journal.hpp"

namespace bparb::journal {
namespace {

sqlite3_mem_methods g_orig{};
std::atomic<bool> g_count{false};
std::atomic<std::uint64_t> g_mallocs{0};

void* counting_malloc(int n) {
  if (g_count.load(std::memory_order_relaxed)) g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return g_orig.xMalloc(n);
}
void* counting_realloc(void* p, int n) {
  if (g_count.load(std::memory_order_relaxed)) g_mallocs.fetch_add(1, std::memory_order_relaxed);
  return g_orig.xRealloc(p, n);
}

IntentRecord intent(std::uint32_t id, const char* symbol, Side side) {
  IntentRecord r;
  r.client_id = id;
  r.pair = "SOL";
  r.leg = side == Side::kBid ? "spot" : "perp";
  r.purpose = "Entry";
  r.symbol = symbol;
  r.side = side;
  r.price = Decimal::from_string("141.20");
  r.quantity = Decimal::from_string("12");
  r.created_us = 1'753'626'206'000'000 + id;
  return r;
}

#if !defined(__SANITIZE_ADDRESS__)
TEST(JournalAlloc, IntentAndAckWritesPerOrderOnceWarm) {
  // SQLite's allocator can only be replaced while it is shut down (no connection open anywhere).
  ASSERT_EQ(sqlite3_shutdown(), SQLITE_OK);
  ASSERT_EQ(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_orig), SQLITE_OK);
  sqlite3_mem_methods counting = g_orig;
  counting.xMalloc = counting_malloc;
  counting.xRealloc = counting_realloc;
  ASSERT_EQ(sqlite3_config(SQLITE_CONFIG_MALLOC, &counting), SQLITE_OK);
  ASSERT_EQ(sqlite3_initialize(), SQLITE_OK);

  const auto dir = std::filesystem::temp_directory_path() / ("bparb_journal_alloc_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  struct Stats {
    double sqlite_mallocs = 0, intent_mallocs = 0, news = 0;
  };
  auto measure = [&](bool full_sync, Stats& st) {
    JournalOptions o;
    o.intent_full_sync = full_sync;
    const std::string path = (dir / (full_sync ? "full.sqlite" : "normal.sqlite")).string();
    std::filesystem::remove(path);
    {
      g_mallocs = 0;
      g_count = true;
      Journal j = Journal::open(path, o);
      g_count = false;
      EXPECT_GT(g_mallocs.load(), 0u);  // the hook is live: opening a database allocates
      constexpr std::uint32_t kWarm = 50, kCounted = 200;
      std::array<IntentRecord, 2> batch = {intent(1, "SOL_USDC", Side::kBid), intent(2, "SOL_USDC_PERP", Side::kAsk)};
      AckRecord ack;
      ack.exchange_order_id = "4228978400";
      ack.state = OrderRecordState::kFilled;
      ack.executed = Decimal::from_string("12");
      std::uint64_t mallocs = 0, intent_mallocs = 0, news = 0;
      for (std::uint32_t i = 0; i < kWarm + kCounted; ++i) {
        batch[0].client_id = 10 + 2 * i;
        batch[1].client_id = 11 + 2 * i;
        const bool counted = i >= kWarm;
        if (counted) {
          g_mallocs = 0;
          g_count = true;
          bench::alloc_counting_begin();
        }
        ASSERT_TRUE(j.record_intents(batch).ok());
        if (counted) intent_mallocs += g_mallocs.load();
        for (const IntentRecord& r : batch) {
          ack.client_id = r.client_id;
          ack.updated_us = r.created_us + 1000;
          ASSERT_TRUE(j.record_ack(ack).ok());
        }
        if (counted) {
          news += bench::alloc_counting_end().allocations;
          g_count = false;
          mallocs += g_mallocs.load();
        }
      }
      st.sqlite_mallocs = static_cast<double>(mallocs) / kCounted;
      st.news = static_cast<double>(news) / kCounted;
      st.intent_mallocs = static_cast<double>(intent_mallocs) / kCounted;
    }
    std::printf(
        "journal (intent_full_sync=%s): per 2-leg batch %.2f SQLite mallocs (%.2f in the intent write "
        "before the send, the rest in the 2 ack writes), %.2f operator new\n",
        full_sync ? "true" : "false", st.sqlite_mallocs, st.intent_mallocs, st.news);
  };
  Stats normal, full;
  measure(false, normal);
  measure(true, full);
  RecordProperty("sqlite_mallocs_per_batch", std::to_string(full.sqlite_mallocs));
  RecordProperty("operator_new_per_batch", std::to_string(full.news));
  std::filesystem::remove_all(dir);

  // Put SQLite's own allocator back for whatever runs after this test.
  ASSERT_EQ(sqlite3_shutdown(), SQLITE_OK);
  ASSERT_EQ(sqlite3_config(SQLITE_CONFIG_MALLOC, &g_orig), SQLITE_OK);
  ASSERT_EQ(sqlite3_initialize(), SQLITE_OK);
  // The Journal's own C++ code (statement reuse, bound text) adds no operator new per order.
  EXPECT_EQ(normal.news, 0.0);
  EXPECT_EQ(full.news, 0.0);
}
#endif

}  // namespace
}  // namespace bparb::journal
