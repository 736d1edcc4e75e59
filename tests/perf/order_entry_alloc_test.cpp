// Order entry for single-instrument strategies allocates nothing once set up: a quote's whole life through
// the engine (risk check, OMS, sink; ack, fills, cancel, settle, events to its owner) counted over many
// quotes, after a warm-up.
#include <gtest/gtest.h>

#include <span>

#include "../../src/bench/alloc_counter.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/order_entry.hpp"

namespace bparb {
namespace {

using bench::AllocScope;
using bench::AllocStats;

struct CountingSink final : exec::CommandSink, exec::EngineObserver {
  std::uint64_t sent = 0, cancels = 0;
  ClientId last = 0;
  void place_orders(std::span<const exec::OrderSpec> o) override {
    sent += o.size();
    last = o.back().client_id;
  }
  void cancel_order(InstrumentId, ClientId) override { ++cancels; }
  void query_order(InstrumentId, ClientId) override {}
  void on_event(const exec::EngineEvent&) override {}  // no event is looked at here
};

struct CountingOwner final : exec::SingleOrderHandler {
  std::uint64_t events = 0, settled = 0;
  void on_single_order_event(const exec::SingleOrderEvent& e) noexcept override {
    ++events;
    if (e.kind == exec::SingleOrderEventKind::kSettled) ++settled;
  }
};

TEST(NoAlloc, SingleOrderLifeThroughOrderEntryDoesNotAllocate) {
  MarketSpec perp;
  perp.symbol = "SOL_USDC_PERP";
  perp.base_symbol = "SOL";
  perp.quote_symbol = "USDC";
  perp.type = MarketType::kPerp;
  perp.tick_size = Decimal::from_string("0.01");
  perp.min_price = Decimal::from_string("0.01");
  perp.step_size = Decimal::from_string("0.01");
  perp.min_quantity = Decimal::from_string("0.01");
  InstrumentTable table;
  const InstrumentId id = table.add(VenueId::kBackpack, perp);
  ManualClock clock(1'795'132'800LL * kUsPerSecond);
  RiskLimits limits;
  limits.max_orders_per_minute = RiskGate::kMaxOrdersPerMinute;
  RiskGate risk(limits, clock);
  Portfolio portfolio;
  CountingSink sink;
  exec::ArbEngine engine(exec::EngineParams{}, table, risk, portfolio, sink, sink);
  OrderBook book(table.market(id));
  DepthSnapshot s;
  s.last_update_id = 1;
  s.bids = {{Decimal::from_string("99.99"), Decimal::from_int(50)}};
  s.asks = {{Decimal::from_string("100.01"), Decimal::from_int(50)}};
  CountingOwner mm;
  exec::OrderEntry& entry = engine.order_entry();
  entry.set_book(id, &book);
  const exec::OrderOwner owner = entry.add_owner(mm);
  exec::AccountSnapshot a;
  a.net_equity = Decimal::from_int(100'000);
  engine.on_account(a, clock.now_us());

  // One quote: placed, accepted, half filled, cancelled (confirmed), settled. Every other one is replaced
  // first. The clock moves a minute per quote so the order-rate cap never refuses.
  auto quote_life = [&](int i) {
    clock.advance_us(60 * kUsPerSecond);
    book.load_snapshot(s, clock.now_us());
    book.set_valid(true);
    exec::SingleOrderRequest r;
    r.instrument = id;
    r.side = i % 2 ? Side::kAsk : Side::kBid;
    r.price_ticks = i % 2 ? 10'002 : 9'998;
    r.quantity_lots = 100;
    r.post_only = true;
    exec::SubmitResult res = entry.submit(owner, r, clock.now_us());
    if (!res.ok()) return false;
    exec::OrderAck ack;
    ack.client_id = res.client_id;
    ack.kind = exec::OrderAck::Kind::kAccepted;
    engine.on_order_ack(ack, clock.now_us());
    if (i % 2 == 0) {
      res = entry.replace(owner, res.client_id, 9'997, 100, clock.now_us());
      if (!res.ok()) return false;
      exec::OrderUpdate gone;
      gone.client_id = res.client_id - 1;
      gone.kind = exec::OrderUpdate::Kind::kCancelled;
      engine.on_order_update(gone, clock.now_us());
      ack.client_id = res.client_id;
      engine.on_order_ack(ack, clock.now_us());
    }
    exec::OrderUpdate fill;
    fill.client_id = res.client_id;
    fill.kind = exec::OrderUpdate::Kind::kFill;
    fill.trade_id = 1'000 + i;
    fill.fill_quantity = Decimal::from_string("0.5");
    fill.fill_price = Decimal::from_int(100);
    fill.fee_symbol = "USDC";
    fill.cumulative_quantity = fill.fill_quantity;
    engine.on_order_update(fill, clock.now_us());
    if (entry.cancel(owner, res.client_id, clock.now_us()) != exec::EntryRefusal::kNone) return false;
    exec::OrderUpdate cancelled;
    cancelled.client_id = res.client_id;
    cancelled.kind = exec::OrderUpdate::Kind::kCancelled;
    cancelled.cumulative_quantity = fill.fill_quantity;
    engine.on_order_update(cancelled, clock.now_us());
    return true;
  };

  for (int i = 0; i < 600; ++i) ASSERT_TRUE(quote_life(i)) << "warm-up quote " << i;  // the OMS table wraps
  const std::uint64_t settled_before = mm.settled;
  AllocScope scope;
  bool ok = true;
  for (int i = 600; i < 1'600 && ok; ++i) ok = quote_life(i);
  const AllocStats st = scope.finish();
  ASSERT_TRUE(ok);
  EXPECT_EQ(mm.settled - settled_before, 1'500u);  // every order's life ended, replaced ones included
  EXPECT_EQ(st.allocations, 0u) << st.bytes << " bytes over 1000 quotes";
}

}  // namespace
}  // namespace bparb
