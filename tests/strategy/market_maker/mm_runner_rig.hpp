#pragma once
// A market maker on the real kernel: an MmRunner on the order entry of a real ArbEngine (risk gate, OMS)
// whose CommandSink records what would go to the venue, a scripted SOL perp book and a manual clock, with
// helpers for the venue's answers (accept, fill, cancel confirmation, refusal).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/strategy/market_maker/mm_runner.hpp"
#include "mm_test_util.hpp"

namespace bparb::mmtest {

inline MarketSpec sol_perp_with_margin() {
  MarketSpec s = sol_perp();
  s.imf = {true, D("0.02"), D("0.00006")};
  return s;
}

// What would have gone to the venue. Capacity is reserved so that recording does not allocate.
struct RecordingSink final : exec::CommandSink, exec::EngineObserver {
  RecordingSink() {
    sent.reserve(1 << 16);
    cancels.reserve(1 << 16);
  }
  std::vector<exec::OrderSpec> sent;
  std::vector<ClientId> cancels;
  int queries = 0;
  void place_orders(std::span<const exec::OrderSpec> o) override { sent.insert(sent.end(), o.begin(), o.end()); }
  void cancel_order(InstrumentId, ClientId id) override { cancels.push_back(id); }
  void query_order(InstrumentId, ClientId) override { ++queries; }
  void on_event(const exec::EngineEvent&) override {}  // no event is looked at here
};

struct Observer final : MmRunnerObserver {
  Observer() {
    trips.reserve(1 << 12);
    switches.reserve(1 << 12);
  }
  std::vector<MmBreaker> trips;
  std::vector<Side> switches;
  void on_breaker_trip(InstrumentId, const BreakerTrip& t) noexcept override { trips.push_back(t.kind); }
  void on_side_switch(InstrumentId, std::optional<Side>, Side to, TimestampUs) noexcept override {
    switches.push_back(to);
  }
};

// SOL perp at 149.99 / 150.01; the market maker's equity is 1000 USD (quote 10 USD = 6 lots, cap 100 lots).
struct RunnerRig {
  explicit RunnerRig(const MmParams& p = requote_at_once(), const RiskLimits& rl = limits())
      : perp(table.add(VenueId::kBackpack, sol_perp_with_margin())),
        book(table.market(perp)),
        clock(kT0),
        risk(rl, clock) {
    exec::EngineParams ep;
    ep.first_client_id = 500;
    engine.emplace(ep, table, risk, portfolio, sink, sink);
    engine->order_entry().set_book(perp, &book);
    runner.emplace(p, table, perp, engine->order_entry(), clock, &observer);
    account("100000");
  }
  static RiskLimits limits() {
    RiskLimits l;
    l.max_position_usd = D("5000");
    l.max_total_exposure_usd = D("20000");
    l.min_account_balance_usd = D("100");
    return l;
  }
  // The kernel's view of the account (the risk gate checks it); the market maker's equity is separate.
  void account(const char* equity) {
    exec::AccountSnapshot a;
    a.net_equity = D(equity);
    a.view.available_quote = D(equity);
    a.view.available_margin = D(equity);
    engine->on_account(a, now());
  }
  static DepthSnapshot snapshot(std::int64_t bid, std::int64_t ask) {
    DepthSnapshot s;
    s.last_update_id = 1;
    s.bids = {{Decimal::from_units(bid, D("0.01")), D("5")}, {Decimal::from_units(bid - 1, D("0.01")), D("5")}};
    s.asks = {{Decimal::from_units(ask, D("0.01")), D("5")}, {Decimal::from_units(ask + 1, D("0.01")), D("5")}};
    return s;
  }
  void show(const DepthSnapshot& s) {
    book.load_snapshot(s, now());
    book.set_valid(true);
    runner->on_book(book);
  }
  void set_book(std::int64_t bid, std::int64_t ask) { show(snapshot(bid, ask)); }
  void trade(bool taker_buy, std::int64_t lots = 20) {
    runner->on_trade(PublicTrade{now(), taker_buy ? 15'001 : 14'999, lots, !taker_buy});
  }
  void burst(bool taker_buy) {
    for (int i = 0; i < 6; ++i) trade(taker_buy);
  }
  // Equity known, a fresh book, and takers buying: the core wants to quote the ask.
  void ready() {
    runner->on_equity(D("1000"));
    set_book(14'999, 15'001);
    burst(true);
  }
  void advance_ms(std::int64_t ms) { clock.advance_us(ms * kMs); }
  TimestampUs now() const { return clock.now_us(); }

  void accept(ClientId id) {
    exec::OrderAck a;
    a.client_id = id;
    a.kind = exec::OrderAck::Kind::kAccepted;
    a.status = OrderStatus::kNew;
    engine->on_order_ack(a, now());
  }
  void reject(ClientId id, RejectClass cls) {
    exec::OrderAck a;
    a.client_id = id;
    a.kind = exec::OrderAck::Kind::kRejected;
    a.code = "INVALID_ORDER";
    a.message = "refused";
    a.reject = cls;
    engine->on_order_ack(a, now());
  }
  void fill(ClientId id, Decimal qty, Decimal price, std::int64_t trade_id, Decimal cumulative) {
    exec::OrderUpdate u;
    u.client_id = id;
    u.kind = exec::OrderUpdate::Kind::kFill;
    u.trade_id = trade_id;
    u.fill_quantity = qty;
    u.fill_price = price;
    u.fee = D("-0.0001");
    u.fee_symbol = "USDC";
    u.maker = true;
    u.cumulative_quantity = cumulative;
    engine->on_order_update(u, now());
  }
  void stream(ClientId id, exec::OrderUpdate::Kind kind) {
    exec::OrderUpdate u;
    u.client_id = id;
    u.kind = kind;
    engine->on_order_update(u, now());
  }
  std::size_t live() const {
    std::vector<exec::LiveOrder> v;
    engine->live_orders(v);
    return v.size();
  }
  const exec::OrderSpec& last_sent() const { return sink.sent.back(); }

  InstrumentTable table;
  InstrumentId perp;
  OrderBook book;
  ManualClock clock;
  RiskGate risk;
  Portfolio portfolio;
  RecordingSink sink;
  Observer observer;
  std::optional<exec::ArbEngine> engine;
  std::optional<MmRunner> runner;
};

}  // namespace bparb::mmtest
