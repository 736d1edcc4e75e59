#include "bparb/venue/backpack/adapter.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace bparb::backpack {

exec::FillReport fill_report(const Fill& f, ClientId client_id) {
  exec::FillReport r;
  r.client_id = client_id;
  r.trade_id = f.has_trade_id ? f.trade_id : -1;
  r.exchange_order_id = f.order_id;
  r.symbol = f.symbol;
  r.side = f.side;
  r.price = f.price;
  r.quantity = f.quantity;
  r.fee = f.fee;
  r.fee_symbol = f.fee_symbol;
  r.maker = f.is_maker;
  r.time_us = f.timestamp_ms * kUsPerMs;
  r.venue_time_us = f.timestamp_ms * kUsPerMs;
  return r;
}

exec::FillReport fill_report(const Fill& f) {
  exec::FillReport r = fill_report(f, f.client_id.value_or(0));
  r.has_client_id = f.client_id.has_value();
  return r;
}

namespace {
exec::VenueError venue_error(const char* request, const RestError& e) {
  return {request, e.code, e.message};
}
}  // namespace

BackpackAdapter::BackpackAdapter(boost::asio::io_context& io, const Clock& clock, RestClient& rest, BackpackWs& ws,
                                 const InstrumentTable& instruments, TimestampUs history_from_us,
                                 std::shared_ptr<spdlog::logger> log, AdapterSink& sink)
    : io_(io),
      clock_(clock),
      rest_(rest),
      ws_(ws),
      instruments_(instruments),
      history_from_us_(history_from_us),
      log_(std::move(log)),
      sink_(sink) {}

bool BackpackAdapter::client_ids_fit(std::span<const exec::OrderSpec> orders) {
  bool fit = true;
  for (const exec::OrderSpec& o : orders) fit = fit && o.client_id <= kMaxBackpackClientId;
  if (fit) return true;
  // Ids only grow, so every later order would be refused too: one error line, not one per order.
  if (!wide_id_logged_) {
    wide_id_logged_ = true;
    log_->error("Order #{} not sent: client ids above {} do not fit Backpack's 32-bit clientId", orders[0].client_id,
                kMaxBackpackClientId);
  }
  std::vector<ClientId> ids;
  for (const exec::OrderSpec& o : orders) ids.push_back(o.client_id);
  // Answers are events: never call back into the engine from inside its own call.
  boost::asio::post(io_, [this, ids = std::move(ids)] {
    for (const ClientId id : ids) {
      exec::OrderAck a;
      a.client_id = id;
      a.kind = exec::OrderAck::Kind::kRejected;
      a.code = "CLIENT_ID_RANGE";
      a.message = "client id does not fit Backpack's 32-bit clientId; order not sent";
      a.reject = RejectClass::kOther;
      sink_.on_ack(a, {});
    }
  });
  return false;
}

void BackpackAdapter::place_orders(std::span<const exec::OrderSpec> orders) {
  if (orders.empty()) return;
  if (!client_ids_fit(orders)) return;
  if (order_reqs_.size() < orders.size()) order_reqs_.resize(orders.size());  // grows, never shrinks
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const exec::OrderSpec& o = orders[i];
    OrderRequest& r = order_reqs_[i];
    r = OrderRequest{};
    r.symbol = o.market->symbol;
    r.side = o.side;
    r.type = o.type;
    r.quantity = o.quantity;
    r.price = o.price;
    r.price_decimals = o.market->price_decimals();
    r.quantity_decimals = o.market->quantity_decimals();
    r.time_in_force = o.tif;
    if (o.post_only) r.post_only = true;
    if (o.reduce_only) r.reduce_only = true;
    // Spot margin flags (strategy.allow_spot_borrow): only sent when set, so ordinary orders sign as before.
    if (o.auto_borrow) r.auto_borrow = true;
    if (o.auto_borrow_repay) r.auto_borrow_repay = true;
    if (o.auto_lend_redeem) r.auto_lend_redeem = true;
    r.client_id = static_cast<std::uint32_t>(o.client_id);  // client_ids_fit() checked the width
  }
  if (!sink_.before_send(orders)) return;
  if (request_hook_ != nullptr) {
    request_hook_(request_hook_ctx_, std::span<const OrderRequest>(order_reqs_.data(), orders.size()));
    return;
  }
  const std::uint32_t slot = acquire_batch(orders);
  if (orders.size() == 1) {
    rest_.execute_order(order_reqs_[0], [this, slot](RestResult<Order>& r) {
      const ClientId id = batches_[slot]->legs[0].client_id;
      release_batch_ack(slot);
      if (r) {
        ack_ok(id, *r);
      } else {
        ack_error(id, r.error());
      }
    });
  } else {
    rest_.execute_batch(std::span<const OrderRequest>(order_reqs_.data(), orders.size()),
                        [this, slot](RestResult<std::vector<BatchOrderResult>>& r) { on_batch_answer(slot, r); });
  }
  // The "Placing ..." line once the request is on its way: HttpClient writes it from the handler it has
  // just posted, so a handler posted now runs after the bytes were handed to the socket.
  boost::asio::post(io_, [this, slot] { sent(slot); });
}

std::uint32_t BackpackAdapter::acquire_batch(std::span<const exec::OrderSpec> orders) {
  std::uint32_t slot = 0;
  while (slot < batches_.size() && (batches_[slot]->awaiting_ack || batches_[slot]->awaiting_log)) ++slot;
  if (slot == batches_.size()) {
    batches_.push_back(std::make_unique<BatchInFlight>());  // more in flight than ever before (warm-up)
    batches_.back()->legs.reserve(8);
  }
  BatchInFlight& b = *batches_[slot];
  b.legs.assign(orders.begin(), orders.end());
  b.awaiting_ack = true;
  b.awaiting_log = true;
  return slot;
}

void BackpackAdapter::sent(std::uint32_t slot) {
  BatchInFlight& b = *batches_[slot];
  b.awaiting_log = false;
  sink_.on_sent(b.legs);
}

void BackpackAdapter::on_batch_answer(std::uint32_t slot, RestResult<std::vector<BatchOrderResult>>& r) {
  // The legs are read from the record before anything below can place (and reuse it for) a new batch.
  const std::size_t n = batches_[slot]->legs.size();
  for (std::size_t i = 0; i < n; ++i) {
    const ClientId id = batches_[slot]->legs[i].client_id;
    if (i + 1 == n) release_batch_ack(slot);
    if (!r) {
      ack_error(id, r.error());
      continue;
    }
    const auto& results = *r;
    if (i >= results.size()) {
      // The exchange answered fewer results than orders: those are unknown, not rejected.
      RestError e;
      e.kind = RestErrorKind::kOutcomeUnknown;
      e.message = "batch answer missing this order";
      ack_error(id, e);
    } else if (results[i].ok) {
      ack_ok(id, results[i].order);
    } else {
      RestError e;
      e.kind = RestErrorKind::kApi;
      e.code = results[i].code;
      e.message = results[i].message;
      ack_error(id, e);
    }
  }
}

void BackpackAdapter::cancel_order(InstrumentId instrument, ClientId client_id) {
  const std::string_view symbol = symbol_of(instrument);
  if (client_id > kMaxBackpackClientId) {
    log_->warn("Cancel #{} on {} not sent: the id does not fit Backpack's clientId (never placed)", client_id, symbol);
    return;
  }
  if (!instruments_.contains(instrument)) {
    log_->warn("Cancel #{} not sent: instrument {} is not in the instrument table", client_id, instrument);
    return;
  }
  // Debug only: a replace's first half is on the order path, where nothing is formatted at info level before the
  // bytes are handed over; the refusal below and the stream's cancel are the operator's lines.
  log_->debug("Cancelling order #{} on {}", client_id, symbol);
  CancelRequest c;
  c.symbol = symbol;
  const auto wire_id = static_cast<std::uint32_t>(client_id);  // checked above
  c.client_id = wire_id;
  // 16 trivially copyable bytes of capture (this, the 32-bit wire id, the 16-bit instrument id): the
  // callback is stored without a heap allocation. The symbol is found again by the instrument id.
  rest_.cancel_order(c, [this, instrument, wire_id](RestResult<CancelResult>& r) {
    if (!r) {
      // Too late (already filled/expired), unknown, rate limited or unanswered: the engine puts the order
      // back to live and, unless it was the rate, queries it.
      const RestError& e = r.error();
      log_->info("Cancel #{} on {} not confirmed: {} {}", wire_id, symbol_of(instrument), e.code, e.message);
      exec::CancelRefusal refusal;
      refusal.client_id = ClientId{wire_id};
      refusal.reject = e.reject;
      refusal.ambiguous = !e.definitely_not_applied();
      refusal.code = e.code;
      refusal.message = e.message;
      // The venue's back-off (one per venue, started by this 429 or a running one): not retried before it ends.
      const RestCounters& rc = rest_.counters();
      if (rc.backing_off) {
        const auto left =
            std::chrono::duration_cast<std::chrono::microseconds>(rc.backoff_until - std::chrono::steady_clock::now());
        refusal.retry_after_us = std::max<DurationUs>(0, left.count());
      }
      sink_.on_cancel_refused(refusal);
      return;
    }
    if (r->order) sink_.on_query(ClientId{wire_id}, true, r->order->status, r->order->executed_quantity);
  });
}

void BackpackAdapter::query_order(InstrumentId instrument, ClientId client_id) {
  if (client_id > kMaxBackpackClientId || !instruments_.contains(instrument)) {
    // Such an order was never sent (place_orders refuses it): the exchange cannot know it.
    boost::asio::post(io_, [this, client_id] { sink_.on_query(client_id, false, OrderStatus::kNew, Decimal{}); });
    return;
  }
  const MarketSpec* m = &instruments_.market(instrument);
  log_->warn("Order #{} on {}: outcome unknown or fills missing, querying the exchange", client_id, m->symbol);
  const auto wire_id = static_cast<std::uint32_t>(client_id);  // checked above
  rest_.get_order_by_client_id(
      m->symbol, wire_id, [this, m, client_id, instrument](RestResult<std::optional<Order>>& r) {
        if (!r) return;  // the engine re-queries on its timer
        if (r->has_value()) {
          sink_.on_query(client_id, true, (*r)->status, (*r)->executed_quantity);
          return;
        }
        // Not resting: look for its fills (the order may have filled and left the book).
        FillsQuery q;
        q.symbol = m->symbol;
        q.from_ms = history_from_us_ / kUsPerMs - 60'000;
        q.limit = 1000;
        rest_.get_fills(q, [this, client_id, instrument](RestResult<std::vector<Fill>>& fr) {
          if (!fr) return;
          Decimal executed;
          for (const Fill& f : *fr) {
            if (!f.client_id || *f.client_id != client_id) continue;
            executed += f.quantity;
            exec::FillReport report = fill_report(f, client_id);
            report.instrument = instrument;
            sink_.on_fill(report);
          }
          // Not on the book: filled (some) and done, or never placed.
          sink_.on_query(client_id, executed.is_positive(),
                         executed.is_positive() ? OrderStatus::kExpired : OrderStatus::kNew, executed);
        });
      });
}

void BackpackAdapter::on_order_event(const OrderUpdateEvent& e) {
  if (!e.has_client_id) return;
  exec::OrderUpdate u;
  u.client_id = e.client_id;
  u.cumulative_quantity = e.executed_quantity;
  switch (e.event) {
    case OrderEventType::kOrderAccepted:
      u.kind = exec::OrderUpdate::Kind::kAccepted;
      break;
    case OrderEventType::kOrderFill: {
      exec::FillReport f;
      f.client_id = e.client_id;
      f.trade_id = e.has_trade_id ? e.trade_id : -1;
      f.exchange_order_id = e.order_id;
      f.symbol = e.symbol;
      f.side = e.side;
      f.price = e.fill_price;
      f.quantity = e.fill_quantity;
      f.fee = e.fee;
      f.fee_symbol = e.fee_symbol;
      f.maker = e.is_maker;
      f.time_us = e.engine_time_us ? e.engine_time_us : clock_.now_us();
      f.venue_time_us = e.engine_time_us;
      f.cumulative_quantity = e.executed_quantity;
      f.order_filled = e.has_quantity && e.executed_quantity >= e.quantity;
      f.instrument = instrument_of(e.symbol);
      sink_.on_fill(f);
      return;
    }
    case OrderEventType::kOrderCancelled:
      u.kind = exec::OrderUpdate::Kind::kCancelled;
      break;
    case OrderEventType::kOrderExpired:
      u.kind = exec::OrderUpdate::Kind::kExpired;
      break;
    default:
      return;
  }
  sink_.on_order_event(u, e.order_id);
}

void BackpackAdapter::ack_ok(ClientId id, const Order& o) {
  exec::OrderAck a;
  a.client_id = id;
  a.kind = exec::OrderAck::Kind::kAccepted;
  a.status = o.status;
  a.executed_quantity = o.executed_quantity;
  sink_.on_ack(a, o.id);
}

void BackpackAdapter::resync_clock_on_expiry(const RestError& e) {
  if (clock_resync_in_flight_ || e.reject != RejectClass::kRequestExpired) return;
  clock_resync_in_flight_ = true;
  log_->warn("Signed request refused as expired ({} ms offset in use): re-measuring the exchange clock",
             rest_.time_offset_ms());
  rest_.sync_time([this](RestResult<ServerTimeSync>& t) {
    clock_resync_in_flight_ = false;
    if (!t) return log_->warn("Clock re-sync failed: {} {}", t.error().code, t.error().message);
    ws_.set_time_offset_ms(t->offset_ms);
    log_->warn("Clock offset to exchange re-measured: {} ms (rtt {} us)", t->offset_ms, t->rtt_us);
  });
}

void BackpackAdapter::ack_error(ClientId id, const RestError& e) {
  resync_clock_on_expiry(e);
  exec::OrderAck a;
  a.client_id = id;
  a.kind = e.definitely_not_applied() ? exec::OrderAck::Kind::kRejected : exec::OrderAck::Kind::kUnknown;
  a.code = e.code;
  a.message = e.message;
  a.reject = e.reject;
  if (a.kind == exec::OrderAck::Kind::kUnknown)
    log_->warn("Order #{}: outcome unknown ({} {}); will query", id, to_string(e.kind), e.message);
  sink_.on_ack(a, {});
}

void BackpackAdapter::sync_clock(std::function<void(const exec::VenueError*, const exec::ClockOffsetReport&)> done) {
  rest_.sync_time([this, done = std::move(done)](RestResult<ServerTimeSync>& t) {
    if (!t) {
      const exec::VenueError e = venue_error("GET /api/v1/time", t.error());
      return done(&e, exec::ClockOffsetReport{});
    }
    ws_.set_time_offset_ms(t->offset_ms);
    done(nullptr, exec::ClockOffsetReport{t->offset_ms, t->rtt_us});
  });
}

void BackpackAdapter::markets(std::function<void(const exec::VenueError*, std::span<const MarketSpec>)> done) {
  rest_.get_markets([done = std::move(done)](RestResult<std::vector<MarketSpec>>& m) {
    if (!m) {
      const exec::VenueError e = venue_error("GET /api/v1/markets", m.error());
      return done(&e, {});
    }
    done(nullptr, *m);
  });
}

void BackpackAdapter::account_terms(
    std::function<void(const exec::VenueError*, const exec::AccountTermsReport&)> done) {
  rest_.get_account([done = std::move(done)](RestResult<AccountSummary>& a) {
    if (!a) {
      const exec::VenueError e = venue_error("GET /api/v1/account", a.error());
      return done(&e, exec::AccountTermsReport{});
    }
    exec::AccountTermsReport r;
    r.fees = {a->spot_maker_fee_bps, a->spot_taker_fee_bps, a->futures_maker_fee_bps, a->futures_taker_fee_bps};
    r.liquidating = a->liquidating;
    done(nullptr, r);
  });
}

void BackpackAdapter::open_order_count(std::string_view symbol,
                                       std::function<void(const exec::VenueError*, std::size_t)> done) {
  rest_.get_open_orders(symbol, [done = std::move(done)](RestResult<std::vector<Order>>& r) {
    if (!r) {
      const exec::VenueError e = venue_error("GET /api/v1/orders", r.error());
      return done(&e, 0);
    }
    done(nullptr, r->size());
  });
}

void BackpackAdapter::cancel_all(std::string_view symbol, std::function<void(const exec::VenueError*)> done) {
  rest_.cancel_all(symbol, CancelAllKind::kAll, [done = std::move(done)](RestResult<CancelAllResult>& r) {
    if (!r) {
      const exec::VenueError e = venue_error("DELETE /api/v1/orders", r.error());
      return done(&e);
    }
    done(nullptr);
  });
}

void BackpackAdapter::fills_since(
    std::string_view symbol, std::int64_t from_ms, std::size_t limit,
    std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)> done) {
  FillsQuery q;
  q.symbol = symbol;
  q.from_ms = from_ms;
  q.limit = static_cast<std::int64_t>(limit);
  q.sort_direction = "Asc";
  rest_.get_fills(q, [this, done = std::move(done)](RestResult<std::vector<Fill>>& r) {
    if (!r) {
      const exec::VenueError e = venue_error("GET /wapi/v1/history/fills", r.error());
      return done(&e, {});
    }
    std::vector<exec::FillReport> fills;
    fills.reserve(r->size());
    for (const Fill& f : *r) fills.push_back(history_fill(f));
    done(nullptr, fills);
  });
}

void BackpackAdapter::positions(
    std::function<void(const exec::VenueError*, std::span<const exec::PositionReport>)> done) {
  rest_.get_positions("", [done = std::move(done)](RestResult<std::vector<Position>>& r) {
    if (!r) {
      const exec::VenueError e = venue_error("GET /api/v1/position", r.error());
      return done(&e, {});
    }
    std::vector<exec::PositionReport> out;
    out.reserve(r->size());
    for (const Position& p : *r) out.push_back({p.symbol, p.net_quantity, p.entry_price});
    done(nullptr, out);
  });
}

void BackpackAdapter::equity(std::function<void(const exec::VenueError*, const exec::EquityReport&)> done) {
  rest_.get_collateral([done = std::move(done)](RestResult<CollateralSummary>& r) {
    if (!r) {
      const exec::VenueError e = venue_error("GET /api/v1/capital/collateral", r.error());
      return done(&e, {});
    }
    done(nullptr, {r->net_equity, r->net_equity_available, r->net_equity_locked});
  });
}

void BackpackAdapter::account(
    std::function<void(const exec::VenueError*, const exec::EquityReport&, const std::span<const exec::BalanceReport>*)>
        done) {
  rest_.get_collateral([this, done = std::move(done)](RestResult<CollateralSummary>& c) mutable {
    if (!c) {
      const exec::VenueError e = venue_error("GET /api/v1/capital/collateral", c.error());
      done(&e, {}, nullptr);
      resync_clock_on_expiry(c.error());
      return;
    }
    const exec::EquityReport eq{c->net_equity, c->net_equity_available, c->net_equity_locked};
    rest_.get_capital([eq, done = std::move(done)](RestResult<std::vector<Balance>>& b) {
      if (!b) return done(nullptr, eq, nullptr);
      std::vector<exec::BalanceReport> balances;
      balances.reserve(b->size());
      for (const Balance& bal : *b) balances.push_back({bal.asset, bal.available});
      const std::span<const exec::BalanceReport> view(balances);
      done(nullptr, eq, &view);
    });
  });
}

void BackpackAdapter::recent_fills(
    std::int64_t from_ms, std::size_t limit,
    std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)> done) {
  FillsQuery q;
  q.from_ms = from_ms;
  q.limit = static_cast<std::int64_t>(limit);
  rest_.get_fills(q, [this, done = std::move(done)](RestResult<std::vector<Fill>>& r) {
    if (!r) {
      const exec::VenueError e = venue_error("GET /wapi/v1/history/fills", r.error());
      return done(&e, {});
    }
    std::vector<exec::FillReport> fills;
    fills.reserve(r->size());
    for (auto it = r->rbegin(); it != r->rend(); ++it) fills.push_back(history_fill(*it));  // newest first on the wire
    done(nullptr, fills);
  });
}

void BackpackAdapter::funding_history(
    std::size_t limit, std::function<void(const exec::VenueError*, std::span<const exec::FundingReport>)> done) {
  FundingHistoryQuery q;
  q.limit = static_cast<std::int64_t>(limit);
  rest_.get_funding_history(q, [done = std::move(done)](RestResult<std::vector<FundingPayment>>& r) {
    if (!r) {
      const exec::VenueError e = venue_error("GET /wapi/v1/history/funding", r.error());
      return done(&e, {});
    }
    std::vector<exec::FundingReport> out;
    out.reserve(r->size());
    for (auto it = r->rbegin(); it != r->rend(); ++it)  // newest first on the wire
      out.push_back({it->symbol, it->quantity, it->interval_end_timestamp_ms});
    done(nullptr, out);
  });
}

}  // namespace bparb::backpack
