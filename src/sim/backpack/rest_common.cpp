// Helpers shared by the REST route files: error answers, query parameters, JSON renderers, authentication.
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

constexpr std::string_view kCreatedAt = "2025-01-21T06:34:54.691858";

RestResponse json_error(int status, std::string_view code, std::string_view message) {
  RestResponse r;
  r.status = status;
  JsonWriter w(r.body);
  w.begin_object().kv("code", code).kv("message", message).end_object();
  return r;
}

RestResponse from_api_error(const ApiError& e) {
  return json_error(e.http_status, e.code, e.message);
}

RestResponse from_reject(Reject r, const Exchange& ex) {
  return from_api_error(backpack_api_error(r, ex.config()));
}

RestResponse bad_request(std::string_view message) {
  return json_error(400, "INVALID_CLIENT_REQUEST", message);
}

RestResponse json_ok(std::string body) {
  RestResponse r;
  r.body = std::move(body);
  return r;
}

RestResponse text_ok(std::string body) {
  RestResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

// ---------------------------------------------------------------- query helpers

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Reads an optional integer parameter; error text names it like the real API's parser does.
bool int_param(const Query& q, std::string_view key, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t>& out,
               RestResponse& err) {
  const std::string* v = q.get(key);
  if (v == nullptr) return true;
  auto n = parse_int(*v);
  if (!n || *n < lo || *n > hi) {
    err = bad_request("failed to parse parameter `" + std::string(key) + "`: invalid value '" + *v + "'");
    return false;
  }
  out = *n;
  return true;
}

bool sort_param(const Query& q, bool& ascending, RestResponse& err) {
  const std::string* v = q.get("sortDirection");
  if (v == nullptr) return true;
  if (*v == "Asc") {
    ascending = true;
  } else if (*v == "Desc") {
    ascending = false;
  } else {
    err = bad_request("failed to parse parameter `sortDirection`: invalid value '" + *v + "'");
    return false;
  }
  return true;
}

void add_page_headers(RestResponse& r, std::size_t total, std::size_t limit, std::size_t offset) {
  const std::size_t size = std::max<std::size_t>(limit, 1);
  r.headers.emplace_back("X-TOTAL", std::to_string(total));
  r.headers.emplace_back("X-PAGE-SIZE", std::to_string(size));
  r.headers.emplace_back("X-CURRENT-PAGE", std::to_string(offset / size + 1));
  r.headers.emplace_back("X-PAGE-COUNT", std::to_string((total + size - 1) / size));
}

// ---------------------------------------------------------------- renderers

void write_margin_function(JsonWriter& w, const MarginFunction& f) {
  if (!f.present) {
    w.null();
    return;
  }
  w.begin_object().kv("base", f.base).kv("factor", f.factor).kv("type", "sqrt").end_object();
}

std::optional<Decimal> nonzero(Decimal d) {
  return d.is_zero() ? std::nullopt : std::optional<Decimal>(d);
}

void write_market(JsonWriter& w, const MarketSpec& m) {
  const bool perp = m.is_perp();
  w.begin_object();
  w.kv("baseSymbol", m.base_symbol).kv("createdAt", kCreatedAt);
  w.key("filters").begin_object();
  w.key("price").begin_object();
  w.kv_null("borrowEntryFeeMaxMultiplier").kv_null("borrowEntryFeeMinMultiplier");
  w.kv("maxImpactMultiplier", nonzero(m.max_impact_multiplier));
  w.kv("maxMultiplier", nonzero(m.max_multiplier));
  w.kv("maxPrice", nonzero(m.max_price));
  if (perp) {
    w.key("meanMarkPriceBand").begin_object().kv("maxMultiplier", "1.1").kv("minMultiplier", "0.9").end_object();
    w.key("meanPremiumBand").begin_object().kv("tolerancePct", "0.05").end_object();
  } else {
    w.kv_null("meanMarkPriceBand").kv_null("meanPremiumBand");
  }
  w.kv("minImpactMultiplier", nonzero(m.min_impact_multiplier));
  w.kv("minMultiplier", nonzero(m.min_multiplier));
  w.kv("minPrice", m.min_price).kv("tickSize", m.tick_size);
  w.end_object();
  w.key("quantity").begin_object();
  w.kv("maxQuantity", nonzero(m.max_quantity)).kv("minQuantity", m.min_quantity).kv("stepSize", m.step_size);
  w.end_object();
  w.end_object();  // filters
  if (perp) {
    w.key("fundingInterval").num(m.funding_interval_ms);
    w.kv("fundingRateLowerBound", m.funding_rate_lower_bound_bps);
    w.kv("fundingRateUpperBound", m.funding_rate_upper_bound_bps);
  } else {
    w.kv_null("fundingInterval").kv_null("fundingRateLowerBound").kv_null("fundingRateUpperBound");
  }
  w.key("imfFunction");
  write_margin_function(w, m.imf);
  w.kv("marketType", market_type_name(m.type));
  w.key("mmfFunction");
  write_margin_function(w, m.mmf);
  if (perp) {
    w.kv("openInterestLimit", m.open_interest_limit);
  } else {
    w.kv("openInterestLimit", "0");
  }
  w.kv("orderBookState", order_book_state_name(m.state));
  if (perp) {
    w.kv("positionLimitWeight", "1");
  } else {
    w.kv_null("positionLimitWeight");
  }
  w.kv("quoteSymbol", m.quote_symbol).kv("symbol", m.symbol).kv_bool("visible", m.visible);
  w.end_object();
}

void write_ticker(JsonWriter& w, const TickerView& t) {
  w.begin_object();
  w.kv("firstPrice", t.first_price).kv("high", t.high).kv("lastPrice", t.last_price).kv("low", t.low);
  w.kv("priceChange", t.price_change).kv("priceChangePercent", t.price_change_percent);
  w.kv("quoteVolume", t.quote_volume).kv("symbol", t.symbol).kv("trades", std::to_string(t.trades));
  w.kv("volume", t.volume);
  w.end_object();
}

void write_mark_price(JsonWriter& w, const MarkPriceView& m, bool perp) {
  w.begin_object();
  if (perp) {
    w.kv("fundingRate", m.funding_rate).kv("indexPrice", m.index_price).kv("markPrice", m.mark_price);
    w.key("nextFundingTimestamp").num(m.next_funding_timestamp_ms);
  } else {
    w.kv_null("fundingRate").kv("indexPrice", m.index_price).kv("markPrice", m.mark_price);
    w.kv_null("nextFundingTimestamp");
  }
  w.kv("symbol", m.symbol);
  w.end_object();
}

// Execute / query / open-order / cancel shape (LimitOrder / MarketOrder schemas).
void write_order(JsonWriter& w, const SimOrder& o, bool batch_ok) {
  const bool limit = o.order_type == OrderType::kLimit;
  w.begin_object();
  if (batch_ok) w.kv("operation", "Ok");
  w.key("clientId");
  if (o.client_id) {
    w.unum(*o.client_id);
  } else {
    w.null();
  }
  w.key("createdAt").num(o.created_at_us / kUsPerMs);
  w.kv("executedQuantity", o.executed_quantity).kv("executedQuoteQuantity", o.executed_quote_quantity);
  w.kv("id", o.id_str()).kv("orderType", order_type_name(o.order_type));
  if (limit) {
    w.kv_bool("postOnly", o.post_only).kv("price", o.price);
  }
  w.kv("quantity", o.quantity);
  if (!limit) w.kv("quoteQuantity", o.quote_quantity);
  w.key("reduceOnly").boolean(o.reduce_only);
  w.kv_null("relatedOrderId");
  w.kv("selfTradePrevention", stp_name(o.self_trade_prevention)).kv("side", side_name(o.side));
  w.kv("status", order_status_name(o.status));
  w.kv_null("stopLossLimitPrice").kv_null("stopLossTriggerBy").kv_null("stopLossTriggerPrice");
  w.kv_null("strategyId").kv("symbol", o.symbol);
  w.kv_null("takeProfitLimitPrice").kv_null("takeProfitTriggerBy").kv_null("takeProfitTriggerPrice");
  w.kv("timeInForce", tif_name(o.time_in_force));
  w.kv_null("triggerBy").kv_null("triggerPrice").kv_null("triggerQuantity").kv_null("triggeredAt");
  w.end_object();
}

// /wapi/v1/history/orders shape (Order schema).
void write_history_order(JsonWriter& w, const SimOrder& o) {
  w.begin_object();
  w.key("clientId");
  if (o.client_id) {
    w.unum(*o.client_id);
  } else {
    w.null();
  }
  w.kv("createdAt", iso_naive_ms(o.created_at_us / kUsPerMs));
  w.kv("executedQuantity", o.executed_quantity).kv("executedQuoteQuantity", o.executed_quote_quantity);
  w.key("expiryReason");
  if (o.expiry_reason) {
    w.str(expiry_reason_name(*o.expiry_reason));
  } else {
    w.null();
  }
  w.kv("id", o.id_str()).kv("orderType", order_type_name(o.order_type));
  w.kv_bool("postOnly", o.post_only).kv("price", o.price).kv("quantity", o.quantity);
  w.kv("quoteQuantity", o.quote_quantity);
  w.key("reduceOnly").boolean(o.reduce_only);
  w.kv("selfTradePrevention", stp_name(o.self_trade_prevention)).kv("side", side_name(o.side));
  w.kv("status", order_status_name(o.status));
  w.kv_null("stopLossLimitPrice").kv_null("stopLossTriggerBy").kv_null("stopLossTriggerPrice");
  w.kv_null("strategyId").kv("symbol", o.symbol).kv_null("systemOrderType");
  w.kv_null("takeProfitLimitPrice").kv_null("takeProfitTriggerBy").kv_null("takeProfitTriggerPrice");
  w.kv("timeInForce", tif_name(o.time_in_force));
  w.kv_null("triggerBy").kv_null("triggerPrice").kv_null("triggerQuantity");
  w.end_object();
}

void write_position(JsonWriter& w, const PositionView& p, AccountId account) {
  w.begin_object();
  w.kv("breakEvenPrice", p.break_even_price).kv("cumulativeFundingPayment", p.cumulative_funding_payment);
  w.kv("cumulativeInterest", "0").kv("entryPrice", p.entry_price);
  w.kv("estLiquidationPrice", p.est_liquidation_price).kv("imf", p.imf);
  w.key("imfFunction");
  write_margin_function(w, p.imf_function);
  w.kv("markPrice", p.mark_price).kv("mmf", p.mmf);
  w.key("mmfFunction");
  write_margin_function(w, p.mmf_function);
  w.kv("netCost", p.net_cost).kv("netExposureNotional", p.net_exposure_notional);
  w.kv("netExposureQuantity", p.net_exposure_quantity).kv("netQuantity", p.net_quantity);
  w.kv("pnlRealized", p.pnl_realized).kv("pnlUnrealized", p.pnl_unrealized);
  w.kv("positionId", std::to_string(p.position_id)).key("subaccountId").null();
  w.kv("symbol", p.symbol).key("userId").num(static_cast<std::int64_t>(account) + 1);
  w.end_object();
}

// ---------------------------------------------------------------- order payload -> request

SimOrderRequest to_sim_request(const bp::OrderExecutePayload& p) {
  SimOrderRequest r;
  r.symbol = p.symbol;
  r.side = p.side;
  r.order_type = p.order_type;
  r.quantity = p.quantity;
  r.quote_quantity = p.quote_quantity;
  r.price = p.price;
  r.time_in_force = p.time_in_force.value_or(TimeInForce::kGtc);
  r.post_only = p.post_only.value_or(false);
  r.reduce_only = p.reduce_only;
  r.client_id = p.client_id;
  r.self_trade_prevention = p.self_trade_prevention.value_or(SelfTradePrevention::kRejectTaker);
  r.auto_borrow = p.auto_borrow.value_or(false);
  r.auto_borrow_repay = p.auto_borrow_repay.value_or(false);
  r.auto_lend_redeem = p.auto_lend_redeem.value_or(false);
  return r;
}

std::string parse_error_message(const bp::ParseError& e, std::string_view what) {
  return "parse request payload error: " + e.message() + " (occurred while parsing \"" + std::string(what) + "\")";
}

// ---- authentication

// Verifies the signed-request headers for `signing` (the rebuilt string minus ts/window), which
// is produced by `build(ts, window)`. Returns the account or the error response.
std::optional<RestResponse> authenticate(Ctx& c, const std::function<std::string(std::int64_t, std::int64_t)>& build) {
  const RestRequest& r = c.req;
  if (r.api_key.empty()) return bad_request("Missing header X-API-Key");
  if (r.signature.empty()) return bad_request("Missing header X-Signature");
  if (r.timestamp.empty()) return bad_request("Missing header X-Timestamp");
  auto ts = parse_int(r.timestamp);
  if (!ts || *ts <= 0) return bad_request("Invalid X-Timestamp header");
  std::int64_t window = bp::kDefaultWindowMs;
  if (!r.window.empty()) {
    auto w = parse_int(r.window);
    if (!w || *w <= 0 || *w > bp::kMaxWindowMs) return bad_request("Invalid X-Window header");
    window = *w;
  }
  FaultInjector& faults = c.rt.faults();
  faults.note_skewed_time();
  const std::int64_t now_ms = c.rt.server_time_ms();
  if (now_ms > *ts + window || *ts > now_ms + window) {
    spdlog::info("bpsim auth: expired request {} {} (ts {} window {} server {})", r.method, c.path, *ts, window,
                 now_ms);
    faults.note_auth(/*expired=*/true);
    return bad_request("Request has expired");
  }
  std::uint8_t sig_bytes[bp::kSignatureBytes + 4];
  if (bp::base64_decode(r.signature, sig_bytes, sizeof sig_bytes) != static_cast<long>(bp::kSignatureBytes)) {
    return bad_request("Invalid X-Signature header");
  }
  std::uint8_t key_bytes[bp::kPublicKeyBytes + 4];
  if (bp::base64_decode(r.api_key, key_bytes, sizeof key_bytes) != static_cast<long>(bp::kPublicKeyBytes)) {
    return bad_request("Invalid X-API-Key header");
  }
  const std::string signing = build(*ts, window);
  if (!bp::verify_signature_base64(r.api_key, r.signature, signing)) {
    spdlog::info("bpsim auth: invalid signature on {} {} (signed string rebuilt as '{}')", r.method, c.path, signing);
    return bad_request("Invalid signature");
  }
  auto acct = c.rt.exchange().find_account(r.api_key);
  if (!acct) return json_error(400, "UNAUTHORIZED", "Unknown API key");
  c.account = *acct;
  faults.note_auth(/*expired=*/false);
  return std::nullopt;
}

std::optional<RestResponse> auth_params(Ctx& c, std::string_view instruction,
                                        const std::vector<bp::ParamText>& params) {
  return authenticate(c, [&](std::int64_t ts, std::int64_t w) {
    return bp::signing_string(instruction, std::span<const bp::ParamText>(params), ts, w);
  });
}

RestResponse signed_query(Ctx& c, std::string_view instruction, const std::function<RestResponse(Ctx&)>& body) {
  if (auto e = auth_params(c, instruction, c.query.params)) return *e;
  return body(c);
}

const MarketSpec* require_market(Ctx& c, RestResponse& err, bool required) {
  const std::string* s = c.query.get("symbol");
  if (s == nullptr) {
    if (required) err = bad_request("missing required parameter `symbol`");
    return nullptr;
  }
  const MarketSpec* m = c.rt.exchange().market(*s);
  if (m == nullptr) err = json_error(400, "INVALID_SYMBOL", "Invalid symbol");
  return m;
}

}  // namespace bparb::sim::rest
