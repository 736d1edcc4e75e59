#include "bparb/service/trading_metrics.hpp"

#include "bparb/exec/arb_engine.hpp"

namespace bparb::service {

void TradingMetrics::orders_handed(std::span<const exec::OrderSpec> orders, TimestampUs now) noexcept {
  for (const exec::OrderSpec& o : orders) {
    InFlight& s = slot(o.client_id);
    if (s.sent_us != 0 && s.id != o.client_id) ++ack_untracked_;  // an older order's answer never came
    s.id = o.client_id;
    s.sent_us = now;
    s.tick_us = tick_received_us_;
  }
}

void TradingMetrics::orders_on_wire(std::span<const exec::OrderSpec> legs, TimestampUs now) noexcept {
  if (legs.empty()) return;
  // One batch is one write: its first leg carries the batch's time.
  InFlight& s = slot(legs.front().client_id);
  if (s.id != legs.front().client_id || s.tick_us == 0) return;
  tick_to_order_.record(now - s.tick_us);
  for (const exec::OrderSpec& o : legs) {
    InFlight& l = slot(o.client_id);
    if (l.id == o.client_id) l.tick_us = 0;
  }
}

void TradingMetrics::order_on_wire(ClientId id, TimestampUs now) noexcept {
  InFlight& s = slot(id);
  if (s.id != id || s.tick_us == 0) return;  // not decided by a tick, or already recorded (a re-sent attempt)
  tick_to_order_.record(now - s.tick_us);
  s.tick_us = 0;
}

void TradingMetrics::order_answered(ClientId id, TimestampUs now, bool answered) noexcept {
  InFlight& s = slot(id);
  if (s.id != id || s.sent_us == 0) return;  // not sent by us this run, or its slot was reused
  if (answered) order_ack_.record(now - s.sent_us);
  s.sent_us = 0;
}

void TradingMetrics::fill(const MarketSpec* market, bool maker, Decimal quantity, Decimal price) noexcept {
  if (market == nullptr) return;
  MarketFlow* f = nullptr;
  for (std::size_t i = 0; i < flow_count_ && f == nullptr; ++i)
    if (flows_[i].market == market) f = &flows_[i];
  if (f == nullptr) {
    if (flow_count_ == kMarkets) return;  // more markets than any configuration trades
    f = &flows_[flow_count_++];
    f->market = market;
  }
  const std::size_t l = maker ? kMaker : kTaker;
  ++f->fills[l];
  f->notional[l] += quantity.abs().mul(price, Rounding::kNearest);
}

void TradingMetrics::funding_rate(PairIndex pair, Decimal rate) noexcept {
  if (pair >= kPairs) return;
  funding_rates_[pair] = rate;
  funding_known_[pair] = true;
}

}  // namespace bparb::service
