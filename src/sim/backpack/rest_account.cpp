// Signed REST routes: account, capital, collateral, positions, and order execute / cancel / query.
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>

#include "bparb/sim/backpack/errors.hpp"
#include "bparb/sim/backpack/rest_api_json.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/signing.hpp"
#include "rest_routes.hpp"

namespace bparb::sim::rest {

namespace bp = bparb::backpack;

// ---- signed: account

RestResponse h_account(Ctx& c) {
  return signed_query(c, "accountQuery", [](Ctx& cc) {
    AccountSummaryView a = cc.rt.exchange().account_summary(*cc.account);
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.kv_bool("autoBorrowSettlements", a.auto_borrow_settlements).kv_bool("autoLend", a.auto_lend);
    w.kv_bool("autoRealizePnl", a.auto_realize_pnl).kv_bool("autoRepayBorrows", a.auto_repay_borrows);
    w.kv("borrowLimit", a.borrow_limit).kv("futuresMakerFee", a.futures_maker_fee);
    w.kv("futuresTakerFee", a.futures_taker_fee).kv("leverageLimit", a.leverage_limit);
    w.key("limitOrders").unum(a.limit_orders).kv_bool("liquidating", a.liquidating);
    w.kv("positionLimit", a.position_limit).kv("spotMakerFee", a.spot_maker_fee);
    w.kv("spotTakerFee", a.spot_taker_fee).key("triggerOrders").unum(a.trigger_orders);
    w.end_object();
    return json_ok(std::move(body));
  });
}

RestResponse h_capital(Ctx& c) {
  return signed_query(c, "balanceQuery", [](Ctx& cc) {
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    for (const auto& b : cc.rt.exchange().balances(*cc.account)) {
      w.key(b.asset).begin_object().kv("available", b.available).kv("locked", b.locked).kv("staked", b.staked);
      w.end_object();
    }
    w.end_object();
    return json_ok(std::move(body));
  });
}

RestResponse h_collateral(Ctx& c) {
  return signed_query(c, "collateralQuery", [](Ctx& cc) {
    CollateralSummary s = cc.rt.exchange().collateral(*cc.account);
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.kv("assetsValue", s.assets_value).kv("borrowLiability", s.borrow_liability);
    w.key("collateral").begin_array();
    for (const auto& r : s.collateral) {
      w.begin_object().kv("assetMarkPrice", r.asset_mark_price).kv("availableQuantity", r.available_quantity);
      w.kv("balanceNotional", r.balance_notional).kv("collateralValue", r.collateral_value);
      w.kv("collateralWeight", r.collateral_weight).kv("lendQuantity", r.lend_quantity);
      w.kv("openOrderQuantity", r.open_order_quantity).kv("symbol", r.symbol).kv("totalQuantity", r.total_quantity);
      w.end_object();
    }
    w.end_array();
    w.kv("imf", s.imf).kv("liabilitiesValue", s.liabilities_value).kv("marginFraction", s.margin_fraction);
    w.kv("mmf", s.mmf).kv("netEquity", s.net_equity).kv("netEquityAvailable", s.net_equity_available);
    w.kv("netEquityLocked", s.net_equity_locked).kv("netExposureFutures", s.net_exposure_futures);
    w.kv("pnlUnrealized", s.pnl_unrealized).kv("unsettledEquity", s.unsettled_equity);
    w.end_object();
    return json_ok(std::move(body));
  });
}

RestResponse h_position(Ctx& c) {
  return signed_query(c, "positionQuery", [](Ctx& cc) {
    std::optional<std::string_view> sym;
    if (const std::string* s = cc.query.get("symbol")) sym = *s;
    std::string body;
    JsonWriter w(body);
    w.begin_array();
    for (const auto& p : cc.rt.exchange().positions(*cc.account, sym)) write_position(w, p, *cc.account);
    w.end_array();
    return json_ok(std::move(body));
  });
}

// ---- signed: orders

// Applies the fill-ratio fault to a request; returns true if the quantity was capped.
bool cap_request(Ctx& c, SimOrderRequest& r) {
  FaultInjector& f = c.rt.faults();
  const Decimal cap = f.fill_ratio_cap_for(r.symbol);
  if (cap >= Decimal::one()) return false;
  if (r.order_type != OrderType::kMarket && r.time_in_force != TimeInForce::kIoc) return false;
  if (!r.quantity) return false;
  const MarketSpec* m = c.rt.exchange().market(r.symbol);
  if (m == nullptr) return false;
  Decimal capped = r.quantity->mul(cap, Rounding::kDown).round_to(m->step_size, Rounding::kDown);
  if (capped < m->min_quantity || capped >= *r.quantity) return false;
  r.quantity = capped;
  f.note_fill_capped(r.symbol);
  return true;
}

void uncap_result(SimOrder& o, Decimal requested) {
  o.quantity = requested;
  if (o.status == OrderStatus::kFilled) {
    o.status = OrderStatus::kExpired;
    o.expiry_reason = ExpiryReason::kImmediateOrCancel;
  }
}

// The post_only_cross fault: just before a post-only limit order reaches the book, the background taker sends
// a limit order on the other side at its price for everything resting at or through that price and the
// order's quantity more, so the book has moved through the price and the post-only order would take. True
// with the id of that order in `id` (its rest is withdrawn once the post-only order was decided).
bool move_book_through(Ctx& c, const SimOrderRequest& r, OrderId& id) {
  if (!r.post_only || r.order_type != OrderType::kLimit || !r.price || !r.quantity) return false;
  MarketModel* model = c.rt.model();
  if (model == nullptr || !c.rt.faults().take_post_only_cross(r.symbol)) return false;
  Exchange& ex = c.rt.exchange();
  const auto depth = ex.depth_snapshot(r.symbol);
  if (!depth) return false;
  Decimal through = *r.quantity;
  for (const LevelUpdate& l : r.side == Side::kBid ? depth->bids : depth->asks)
    if (r.side == Side::kBid ? l.price >= *r.price : l.price <= *r.price) through += l.quantity;
  SimOrderRequest cross;
  cross.symbol = r.symbol;
  cross.side = r.side == Side::kBid ? Side::kAsk : Side::kBid;
  cross.order_type = OrderType::kLimit;
  cross.price = r.price;
  cross.quantity = through;
  const auto placed = ex.execute(model->taker_account(), cross);
  if (!placed) {
    spdlog::warn("bpsim fault: post_only_cross on {} could not move the book: {}", r.symbol,
                 reject_name(placed.error()));
    return false;
  }
  id = placed->id;
  return true;
}

void withdraw_cross(Ctx& c, std::string_view symbol, OrderId id) {
  if (c.rt.model() == nullptr) return;
  OrderRef ref;
  ref.order_id = id;
  (void)c.rt.exchange().cancel(c.rt.model()->taker_account(), symbol, ref);
}

RestResponse h_order_execute(Ctx& c) {
  bp::JsonParser parser;
  bp::OrderExecutePayload p;
  if (auto e = bp::parse_order_execute_payload(parser, bp::JsonInput(c.req.body), p); !e.ok()) {
    return bad_request(parse_error_message(e, "OrderExecutePayload"));
  }
  if (auto e = auth_params(c, "orderExecute", p.params)) return *e;
  FaultInjector& f = c.rt.faults();
  if (f.reject_orders_for(p.symbol)) return json_error(400, "INVALID_ORDER", "Order rejected (market unavailable)");
  SimOrderRequest req = to_sim_request(p);
  const std::optional<Decimal> requested = req.quantity;
  const bool capped = cap_request(c, req);
  OrderId cross_id = 0;
  const bool crossed = move_book_through(c, req, cross_id);
  auto res = c.rt.exchange().execute(*c.account, req);
  if (crossed) withdraw_cross(c, req.symbol, cross_id);
  if (!res) return from_reject(res.error(), c.rt.exchange());
  if (capped) uncap_result(*res, *requested);
  if (f.take_http_503_after_place()) return json_error(503, "SERVICE_UNAVAILABLE", "System under maintenance.");
  std::string body;
  JsonWriter w(body);
  write_order(w, *res);
  return json_ok(std::move(body));
}

RestResponse h_orders_execute(Ctx& c) {
  bp::JsonParser parser;
  std::vector<bp::OrderExecutePayload> batch;
  if (auto e = bp::parse_order_execute_batch(parser, bp::JsonInput(c.req.body), batch); !e.ok()) {
    return bad_request(parse_error_message(e, "Vec<OrderExecutePayload>"));
  }
  std::vector<std::vector<bp::ParamText>> signed_params;
  signed_params.reserve(batch.size());
  for (const auto& p : batch) signed_params.push_back(p.params);
  if (auto e = authenticate(c, [&](std::int64_t ts, std::int64_t w) {
        return bp::batch_signing_string("orderExecute", std::span<const std::vector<bp::ParamText>>(signed_params), ts,
                                        w);
      })) {
    return *e;
  }
  if (batch.size() > c.rt.exchange().config().max_batch_size) {
    return bad_request("Batch too large: at most " + std::to_string(c.rt.exchange().config().max_batch_size) +
                       " orders");
  }
  FaultInjector& f = c.rt.faults();
  // Orders on a faulted market are answered Err in place; the rest go to the exchange in order.
  std::vector<std::optional<ApiError>> pre(batch.size());
  std::vector<SimOrderRequest> reqs;
  std::vector<std::size_t> index;
  std::vector<std::optional<Decimal>> requested;
  std::vector<bool> capped;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (f.reject_orders_for(batch[i].symbol)) {
      pre[i] = ApiError{400, "INVALID_ORDER", "Order rejected (market unavailable)"};
      continue;
    }
    SimOrderRequest r = to_sim_request(batch[i]);
    requested.push_back(r.quantity);
    capped.push_back(cap_request(c, r));
    reqs.push_back(std::move(r));
    index.push_back(i);
  }
  std::vector<Expected<SimOrder, Reject>> results;
  if (!reqs.empty()) {
    std::optional<Reject> batch_error;
    results = c.rt.exchange().execute_batch(*c.account, reqs, &batch_error);
    if (batch_error) return from_reject(*batch_error, c.rt.exchange());
  }
  const bool answer_503 = !reqs.empty() && f.take_http_503_after_place();
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  std::size_t k = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (pre[i]) {
      w.begin_object().kv("code", pre[i]->code).kv("message", pre[i]->message).kv("operation", "Err").end_object();
      continue;
    }
    auto& r = results[k];
    if (r) {
      if (capped[k]) uncap_result(*r, *requested[k]);
      write_order(w, *r, /*batch_ok=*/true);
    } else {
      const ApiError e = backpack_api_error(r.error(), c.rt.exchange().config());
      w.begin_object().kv("code", e.code).kv("message", e.message).kv("operation", "Err").end_object();
    }
    ++k;
  }
  w.end_array();
  if (answer_503) return json_error(503, "SERVICE_UNAVAILABLE", "System under maintenance.");
  return json_ok(std::move(body));
}

// Resolves {orderId|clientId} from a cancel body or a query; error if both / neither / bad id.
std::optional<RestResponse> order_ref(const std::optional<std::string>& order_id,
                                      std::optional<std::uint32_t> client_id, OrderRef& ref) {
  if (order_id && client_id) return bad_request("Must specify only one of `orderId` or `clientId`");
  if (!order_id && !client_id) return bad_request("Must specify either `orderId` or `clientId`");
  if (order_id) {
    OrderId id = 0;
    if (!parse_order_id(*order_id, id)) return json_error(404, "RESOURCE_NOT_FOUND", "Order not found");
    ref.order_id = id;
  } else {
    ref.client_id = client_id;
  }
  return std::nullopt;
}

RestResponse h_order_cancel(Ctx& c) {
  bp::JsonParser parser;
  bp::CancelPayload p;
  if (auto e = bp::parse_cancel_payload(parser, bp::JsonInput(c.req.body), p); !e.ok()) {
    return bad_request(parse_error_message(e, "OrderCancelPayload"));
  }
  if (auto e = auth_params(c, "orderCancel", p.params)) return *e;
  OrderRef ref;
  if (auto e = order_ref(p.order_id, p.client_id, ref)) return *e;
  auto carry_out = [&rt = c.rt, account = *c.account, symbol = std::string(p.symbol), ref]() -> RestResponse {
    auto res = rt.exchange().cancel(account, symbol, ref);
    if (!res) return from_reject(res.error(), rt.exchange());
    std::string body;
    JsonWriter w(body);
    write_order(w, *res);
    return json_ok(std::move(body));
  };
  FaultInjector& f = c.rt.faults();
  if (std::int64_t effect_ms = 0; f.take_cancel_accepted(effect_ms)) {
    c.deferred = DeferredRequest{carry_out, effect_ms, /*answered_now=*/true};
    RestResponse accepted;
    accepted.status = 202;
    return accepted;
  }
  if (const std::int64_t late_ms = f.cancel_delay_ms(); late_ms > 0) {
    c.deferred = DeferredRequest{carry_out, late_ms, /*answered_now=*/false};
    return RestResponse{};
  }
  return carry_out();
}

RestResponse h_orders_cancel(Ctx& c) {
  bp::JsonParser parser;
  bp::CancelPayload p;
  if (auto e = bp::parse_cancel_payload(parser, bp::JsonInput(c.req.body), p); !e.ok()) {
    return bad_request(parse_error_message(e, "OrderCancelAllPayload"));
  }
  if (auto e = auth_params(c, "orderCancelAll", p.params)) return *e;
  if (p.order_type && *p.order_type != "RestingLimitOrder" && *p.order_type != "ConditionalOrder") {
    return bad_request(
        "parse request payload error: failed to parse \"CancelOrderTypeEnum\": Expect a valid enumeration value.");
  }
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  // bpsim has no conditional (trigger) orders: cancelling those cancels nothing.
  if (!(p.order_type && *p.order_type == "ConditionalOrder")) {
    auto res = c.rt.exchange().cancel_all(*c.account, p.symbol);
    if (!res) return from_reject(res.error(), c.rt.exchange());
    for (const auto& o : *res) write_order(w, o);
  } else if (c.rt.exchange().market(p.symbol) == nullptr) {
    return json_error(400, "INVALID_SYMBOL", "Invalid symbol");
  }
  w.end_array();
  return json_ok(std::move(body));
}

RestResponse h_order_query(Ctx& c) {
  return signed_query(c, "orderQuery", [](Ctx& cc) {
    const std::string* sym = cc.query.get("symbol");
    if (sym == nullptr) return bad_request("missing required parameter `symbol`");
    std::optional<std::string> oid;
    std::optional<std::uint32_t> cid;
    if (const std::string* o = cc.query.get("orderId")) oid = *o;
    if (const std::string* s = cc.query.get("clientId")) {
      auto v = parse_int(*s);
      if (!v || *v < 0 || *v > UINT32_MAX)
        return bad_request("failed to parse parameter `clientId`: invalid value '" + *s + "'");
      cid = static_cast<std::uint32_t>(*v);
    }
    OrderRef ref;
    if (auto e = order_ref(oid, cid, ref)) return *e;
    auto res = cc.rt.exchange().query_order(*cc.account, *sym, ref);
    if (!res) return from_reject(res.error(), cc.rt.exchange());
    std::string body;
    JsonWriter w(body);
    write_order(w, *res);
    return json_ok(std::move(body));
  });
}

RestResponse h_orders_query(Ctx& c) {
  return signed_query(c, "orderQueryAll", [](Ctx& cc) {
    std::optional<std::string_view> sym;
    if (const std::string* s = cc.query.get("symbol")) sym = *s;
    std::optional<MarketType> type;
    if (const std::string* t = cc.query.get("marketType")) {
      MarketType mt;
      if (!parse_market_type(*t, mt))
        return bad_request("failed to parse parameter `marketType`: invalid value '" + *t + "'");
      type = mt;
    }
    Exchange& ex = cc.rt.exchange();
    std::string body;
    JsonWriter w(body);
    w.begin_array();
    for (const auto& o : ex.open_orders(*cc.account, sym)) {
      if (type) {
        const MarketSpec* m = ex.market(o.symbol);
        if (m == nullptr || m->type != *type) continue;
      }
      write_order(w, o);
    }
    w.end_array();
    return json_ok(std::move(body));
  });
}

}  // namespace bparb::sim::rest
