// The matching engine's book against a plain model of price-time priority (a map of price levels, each a
// queue, oldest first), over a seeded random mix of adds, cancels and partial fills across many levels; and
// the warm book's operations without a heap allocation. Global operator new is replaced for this test
// binary and counts only inside the measured window; no gtest assertion runs inside the window.
#include "bparb/sim/order_book_sim.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <vector>

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../support/counting_new.hpp"

namespace bparb::sim::testing {
namespace {

// What the book must do, written the obvious way.
struct ModelBook {
  std::map<std::int64_t, std::deque<BookEntry>, std::greater<>> bids;  // best first
  std::map<std::int64_t, std::deque<BookEntry>> asks;                  // best first

  template <class F>
  auto with_side(Side s, F&& f) {
    return s == Side::kBid ? f(bids) : f(asks);
  }
  void add(Side s, std::int64_t px, BookEntry e) {
    with_side(s, [&](auto& m) { m[px].push_back(e); });
  }
  std::int64_t remove(Side s, std::int64_t px, OrderId id) {
    return with_side(s, [&](auto& m) -> std::int64_t {
      auto it = m.find(px);
      if (it == m.end()) return 0;
      for (auto e = it->second.begin(); e != it->second.end(); ++e) {
        if (e->id != id) continue;
        const std::int64_t lots = e->remaining_lots;
        it->second.erase(e);
        if (it->second.empty()) m.erase(it);
        return lots;
      }
      return 0;
    });
  }
  bool reduce(Side s, std::int64_t px, OrderId id, std::int64_t lots) {
    return with_side(s, [&](auto& m) {
      auto it = m.find(px);
      if (it == m.end()) return false;
      for (auto e = it->second.begin(); e != it->second.end(); ++e) {
        if (e->id != id) continue;
        e->remaining_lots -= std::min(lots, e->remaining_lots);
        if (e->remaining_lots == 0) it->second.erase(e);
        if (it->second.empty()) m.erase(it);
        return true;
      }
      return false;
    });
  }
};

template <class M>
void expect_same_side(const OrderBookSim& b, Side s, const M& model) {
  ASSERT_EQ(b.levels(s).size(), model.size());
  auto level = b.levels(s).begin();
  for (const auto& [px, q] : model) {
    ASSERT_EQ(level->first, px);
    const OrderBookSim::Level& l = (level++)->second;
    std::int64_t total = 0;
    std::size_t k = 0;
    for (const BookEntry& e : b.queue(l)) {
      ASSERT_LT(k, q.size());
      EXPECT_EQ(e.id, q[k].id);
      EXPECT_EQ(e.account, q[k].account);
      EXPECT_EQ(e.remaining_lots, q[k].remaining_lots);
      total += e.remaining_lots;
      ++k;
    }
    EXPECT_EQ(k, q.size());
    EXPECT_EQ(l.total_lots, total);
    EXPECT_EQ(b.level_lots(s, px), total);
  }
}

TEST(SimBook, RandomOperationsMatchAPlainPriceTimeModel) {
  std::mt19937_64 rng(20261207);
  OrderBookSim book;
  ModelBook model;
  struct Live {
    Side side;
    std::int64_t px;
    OrderId id;
  };
  std::vector<Live> live;
  OrderId next_id = 1;
  for (int step = 0; step < 20'000; ++step) {
    const auto r = rng() % 10;
    if (r < 5 || live.empty()) {  // add: bids below 1000, asks above, clustered near the touch
      const Side s = rng() % 2 ? Side::kBid : Side::kAsk;
      const auto depth = static_cast<std::int64_t>(rng() % 4 == 0 ? rng() % 400 : rng() % 12);
      const std::int64_t px = s == Side::kBid ? 999 - depth : 1001 + depth;
      const BookEntry e{next_id++, static_cast<AccountId>(rng() % 3), static_cast<std::int64_t>(1 + rng() % 50)};
      book.add(s, px, e);
      model.add(s, px, e);
      live.push_back({s, px, e.id});
    } else {
      const std::size_t k = rng() % live.size();
      const Live o = live[k];
      if (r < 8) {
        ASSERT_EQ(book.remove(o.side, o.px, o.id), model.remove(o.side, o.px, o.id));
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
      } else {
        const auto lots = static_cast<std::int64_t>(1 + rng() % 30);
        ASSERT_EQ(book.reduce(o.side, o.px, o.id, lots), model.reduce(o.side, o.px, o.id, lots));
        const bool gone = model.with_side(o.side, [&](auto& m) {
          auto it = m.find(o.px);
          if (it == m.end()) return true;
          for (const BookEntry& e : it->second)
            if (e.id == o.id) return false;
          return true;
        });
        if (gone) {  // fully filled: removed from the book too
          EXPECT_EQ(book.remove(o.side, o.px, o.id), 0);
          live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
        }
      }
    }
    if (step % 500 == 0 || step == 19'999) {
      expect_same_side(book, Side::kBid, model.bids);
      expect_same_side(book, Side::kAsk, model.asks);
      std::size_t orders = 0;
      for (const auto& [px, q] : model.bids) orders += q.size();
      for (const auto& [px, q] : model.asks) orders += q.size();
      EXPECT_EQ(book.order_count(), orders);
      EXPECT_EQ(book.best_price(Side::kBid),
                model.bids.empty() ? std::nullopt : std::optional<std::int64_t>(model.bids.begin()->first));
      EXPECT_EQ(book.best_price(Side::kAsk),
                model.asks.empty() ? std::nullopt : std::optional<std::int64_t>(model.asks.begin()->first));
      book.clear_touched();
    }
  }
}

TEST(SimBook, WarmBookAddsCancelsAndFillsWithoutAllocating) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  OrderBookSim book;
  // One round: 200 levels a side with three orders each, a third cancelled, a third filled, the rest cleared.
  auto round = [&](OrderId base) {
    for (std::int64_t i = 0; i < 200; ++i) {
      for (OrderId k = 0; k < 3; ++k) {
        const OrderId id = base + static_cast<OrderId>(i) * 3 + k;
        book.add(Side::kBid, 5000 - i, BookEntry{id, 1, 10});
        book.add(Side::kAsk, 5001 + i, BookEntry{id + 1'000'000, 1, 10});
      }
    }
    for (std::int64_t i = 0; i < 200; ++i) {
      const OrderId id = base + static_cast<OrderId>(i) * 3;
      book.remove(Side::kBid, 5000 - i, id + 2);
      book.reduce(Side::kAsk, 5001 + i, id + 1'000'000, 4);
      book.reduce(Side::kAsk, 5001 + i, id + 1'000'000, 6);
      book.remove(Side::kAsk, 5001 + i, id + 1'000'002);
    }
    (void)book.take_changed();
    for (std::int64_t i = 199; i >= 0; --i) {
      const OrderId id = base + static_cast<OrderId>(i) * 3;
      book.remove(Side::kBid, 5000 - i, id);
      book.remove(Side::kBid, 5000 - i, id + 1);
      book.remove(Side::kAsk, 5001 + i, id + 1'000'001);
    }
    (void)book.take_changed();
  };
  round(1);
  round(10'000);  // warm: the pool, the level arrays and the journal have their capacity
  const std::size_t after_warm = book.order_count();
  g_allocs = 0;
  g_counting = true;
  round(20'000);
  round(30'000);
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_EQ(after_warm, 0u);
  EXPECT_EQ(book.order_count(), 0u);
  EXPECT_TRUE(book.empty(Side::kBid) && book.empty(Side::kAsk));
}

}  // namespace
}  // namespace bparb::sim::testing
