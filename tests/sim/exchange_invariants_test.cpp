// Randomised order flow (seeded, so deterministic) checked against invariants that must hold after
// every call: money is conserved (fees are the only sink), locked balances equal what resting
// orders hold, the book is never crossed, depth ids stay contiguous, positions net to zero.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

class DepthChecker : public ExchangeListener {
 public:
  std::map<std::string, std::int64_t, std::less<>> last;
  int gaps = 0;
  void on_depth(const DepthDelta& d) override {
    auto it = last.find(d.symbol);
    const std::int64_t prev = it == last.end() ? 0 : it->second;
    if (d.first_update_id != prev + 1 || d.last_update_id < d.first_update_id) ++gaps;
    last[std::string(d.symbol)] = d.last_update_id;
  }
};

TEST(ExchangeInvariants, RandomFlowConservesMoneyAndKeepsBooksSane) {
  ManualClock clock(1'700'000'000'000'000);
  ExchangeConfig cfg = test_config();
  // A small account so funds and margin rejections happen too.
  cfg.accounts.push_back(AccountSetup{"dave", {{"USDC", D("2000")}, {"SOL", D("5")}}, {}, {}, false});
  Exchange ex(clock, cfg);
  DepthChecker depth;
  ex.add_listener(&depth);
  const std::vector<AccountId> accts = {*ex.find_account("alice"), *ex.find_account("bob"), *ex.find_account("carol"),
                                        *ex.find_account("dave")};
  const char* symbols[] = {"SOL_USDC", "SOL_USDC_PERP"};
  std::mt19937_64 rng(2024);
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  const Decimal initial_usdc = D("302000");
  const Decimal initial_sol = D("3005");
  int accepted = 0, rejected = 0, fills_seen = 0;

  for (int step = 0; step < 20000; ++step) {
    clock.advance_us(1000);  // 1 ms per call, never reaching a funding boundary
    const AccountId a = accts[pick(4)];
    const char* sym = symbols[pick(2)];
    const bool perp = sym[8] == '_';
    const std::uint64_t op = pick(100);
    if (op < 60) {
      SimOrderRequest r;
      r.symbol = sym;
      r.side = pick(2) ? Side::kBid : Side::kAsk;
      r.order_type = OrderType::kLimit;
      r.price = Decimal::from_units(static_cast<std::int64_t>(9800 + pick(400)), D("0.01"));
      r.quantity = Decimal::from_units(static_cast<std::int64_t>(1 + pick(500)), D("0.01"));
      if (pick(50) == 0) r.quantity = D("0.015");  // off step: must be rejected
      r.time_in_force = static_cast<TimeInForce>(pick(10) < 7 ? 0 : 1 + pick(2));
      r.post_only = pick(10) == 0;
      r.self_trade_prevention = static_cast<SelfTradePrevention>(pick(4));
      if (perp && pick(5) == 0) r.reduce_only = true;
      auto res = ex.execute(a, r);
      res.has_value() ? ++accepted : ++rejected;
    } else if (op < 75) {
      SimOrderRequest r;
      r.symbol = sym;
      r.side = pick(2) ? Side::kBid : Side::kAsk;
      r.order_type = OrderType::kMarket;
      if (pick(3) == 0) {
        r.quote_quantity = Decimal::from_units(static_cast<std::int64_t>(100 + pick(50000)), D("0.01"));
      } else {
        r.quantity = Decimal::from_units(static_cast<std::int64_t>(1 + pick(300)), D("0.01"));
      }
      if (perp && pick(4) == 0) r.reduce_only = true;
      auto res = ex.execute(a, r);
      res.has_value() ? ++accepted : ++rejected;
    } else if (op < 93) {
      auto open = ex.open_orders(a);
      if (!open.empty()) {
        const SimOrder& o = open[pick(open.size())];
        ASSERT_TRUE(ex.cancel(a, o.symbol, OrderRef{o.id, std::nullopt}).has_value());
      }
    } else if (op < 95) {
      ASSERT_TRUE(ex.cancel_all(a, sym).has_value());
    } else {
      const Decimal mark = Decimal::from_units(static_cast<std::int64_t>(9500 + pick(1000)), D("0.01"));
      ASSERT_TRUE(ex.set_mark_index("SOL_USDC_PERP", mark, D("100")));
    }

    // ---- invariants
    for (const char* s : symbols) {
      auto bid = ex.best_bid(s);
      auto ask = ex.best_ask(s);
      if (bid && ask) {
        ASSERT_LT(*bid, *ask) << "crossed book " << s << " at step " << step;
      }
    }
    Decimal usdc, sol, usdc_fees, sol_fees, cost, net_qty;
    for (AccountId id : accts) {
      usdc += ex.balance(id, "USDC");
      sol += ex.balance(id, "SOL");
      ASSERT_FALSE(ex.available_balance(id, "SOL").is_negative()) << step;
      Decimal want_locked_usdc, want_locked_sol;
      for (const SimOrder& o : ex.open_orders(id)) {
        if (o.symbol != "SOL_USDC") continue;
        const Decimal remaining = *o.quantity - o.executed_quantity;
        if (o.side == Side::kBid) {
          want_locked_usdc += o.price->mul(remaining, Rounding::kNearest);
        } else {
          want_locked_sol += remaining;
        }
      }
      ASSERT_EQ(ex.locked_balance(id, "USDC"), want_locked_usdc) << "account " << id << " step " << step;
      ASSERT_EQ(ex.locked_balance(id, "SOL"), want_locked_sol) << "account " << id << " step " << step;
      for (const PositionView& p : ex.positions(id)) {
        cost += p.net_cost;
        net_qty += p.net_quantity;
      }
    }
    ASSERT_EQ(net_qty, D("0")) << step;
    ASSERT_EQ(depth.gaps, 0) << step;
    if (step % 1000 == 999 || step == 19999) {  // fee totals need the full fill history
      usdc_fees = sol_fees = Decimal{};
      int n = 0;
      for (AccountId id : accts) {
        FillQuery q;
        q.limit = 1000;
        for (std::size_t off = 0;; off += 1000) {
          q.offset = off;
          auto page = ex.fills(id, q);
          for (const SimFill& f : page.items) (f.fee_symbol == "SOL" ? sol_fees : usdc_fees) += f.fee;
          n += static_cast<int>(page.items.size());
          if (off + 1000 >= page.total) break;
        }
      }
      fills_seen = n;
      ASSERT_EQ(sol + sol_fees, initial_sol) << step;
      // Perp P&L is zero-sum: realized cash in USDC equals the remaining open cost basis.
      ASSERT_EQ(usdc + usdc_fees - cost, initial_usdc) << step;
    }
  }
  EXPECT_GT(accepted, 10000);
  EXPECT_GT(rejected, 0);
  EXPECT_GT(fills_seen, 2000);
  ex.remove_listener(&depth);
}

}  // namespace
}  // namespace bparb::sim::testing
