// bpsim REST routes. Choices where the real API is unknown or optional (documented for clients):
//  - Authentication failures answer HTTP 400 with {"code":"INVALID_CLIENT_REQUEST", "message": ...}
//    ("Missing header X-API-Key", "Invalid X-Timestamp header", "Invalid X-Window header",
//    "Request has expired", "Invalid X-Signature header", "Invalid signature"); a valid signature by a
//    key that is not a bpsim account answers 400 {"code":"UNAUTHORIZED","message":"Unknown API key"}.
//    A timestamp more than `window` ms in the FUTURE is also "Request has expired" (the real rule for
//    future timestamps is undocumented). X-Broker-Id and other headers are ignored.
//  - Unknown path or method: 404 {"code":"RESOURCE_NOT_FOUND","message":"Unknown endpoint GET /x"}.
//  - Cancels answer 200 with the cancelled order (never 202).
//  - Order responses use the execute shape (createdAt ms int, nulls for the TP/SL/trigger fields);
//    history rows use the history shape (createdAt naive ISO string, expiryReason).
//  - Fault "http_503_after_place": the order IS executed, then 503 {"code":"SERVICE_UNAVAILABLE",
//    "message":"System under maintenance."}. Fault "reject_orders": 400 {"code":"INVALID_ORDER",
//    "message":"Order rejected (market unavailable)"}. Fault "http_429": 429 {"code":"TOO_MANY_REQUESTS"}.
//  - Fault "fill_ratio_cap" applies to Market and IOC orders only: the quantity sent to the matching
//    engine is quantity * cap (rounded down to the step); the REST answer reports the requested
//    quantity and status Expired when the capped order filled. The order stream shows the capped
//    quantity. GTC/FOK orders are not capped (a crossing GTC remainder cannot rest).
//
// Scenario control, POST /_bpsim/scenario (keys optional, applied in this order):
//   {"background_trading": false,
//    "set_mid":   {"symbol": "SOL", "price": 151.5},
//    "set_basis": {"symbol": "SOL_USDC_PERP", "bps": 35},
//    "jump":      {"symbol": "SUI", "bps": -40},
//    "hold_mark_index": {"symbol": "SOL_USDC_PERP", "mark": "150.5", "index": "150"},
//    "release_mark_index": "SOL_USDC_PERP",
//    "market_state": {"symbol": "SOL_USDC", "state": "CancelOnly"},
//    "deposit": {"api_key": "<base64>", "asset": "USDC", "amount": "1000"},
//    "step": true}                        // run one model step right away
// GET /_bpsim/scenario -> {"background_trading":bool,"sim_time_us":..,"coins":{"SOL":{"mid":..,"basis_bps":..}}}
#include "bparb/sim/rest_api.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>

#include "bparb/sim/backpack_errors.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/sim/rest_api_json.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace bparb::sim {

namespace bp = bparb::backpack;

namespace {

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

struct Query {
  std::vector<bp::ParamText> params;
  const std::string* get(std::string_view key) const {
    for (const auto& p : params) {
      if (p.key == key) return &p.value;
    }
    return nullptr;
  }
};

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
void write_order(JsonWriter& w, const SimOrder& o, bool batch_ok = false) {
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

}  // namespace

// ---------------------------------------------------------------- the API

namespace {

struct Ctx {
  SimRuntime& rt;
  const RestRequest& req;
  std::string_view path;
  Query query;
  std::optional<AccountId> account;
  FaultActions actions;
};

using Handler = std::function<RestResponse(Ctx&)>;

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

// ---- public

RestResponse h_markets(Ctx& c) {
  std::vector<MarketType> types;
  for (const auto& p : c.query.params) {
    if (p.key != "marketType") continue;
    MarketType t;
    if (!parse_market_type(p.value, t))
      return bad_request("failed to parse parameter `marketType`: invalid value '" + p.value + "'");
    types.push_back(t);
  }
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  for (const auto& m : c.rt.exchange().markets()) {
    if (!types.empty() && std::find(types.begin(), types.end(), m.type) == types.end()) continue;
    write_market(w, m);
  }
  w.end_array();
  return json_ok(std::move(body));
}

const MarketSpec* require_market(Ctx& c, RestResponse& err, bool required = true) {
  const std::string* s = c.query.get("symbol");
  if (s == nullptr) {
    if (required) err = bad_request("missing required parameter `symbol`");
    return nullptr;
  }
  const MarketSpec* m = c.rt.exchange().market(*s);
  if (m == nullptr) err = json_error(400, "INVALID_SYMBOL", "Invalid symbol");
  return m;
}

RestResponse h_market(Ctx& c) {
  RestResponse err;
  const MarketSpec* m = require_market(c, err);
  if (m == nullptr) return err;
  std::string body;
  JsonWriter w(body);
  write_market(w, *m);
  return json_ok(std::move(body));
}

RestResponse h_assets(Ctx& c) {
  std::vector<std::string> assets;
  for (const auto& m : c.rt.exchange().markets()) {
    for (const std::string* a : {&m.base_symbol, &m.quote_symbol}) {
      if (std::find(assets.begin(), assets.end(), *a) == assets.end()) assets.push_back(*a);
    }
  }
  std::sort(assets.begin(), assets.end());
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  for (const auto& a : assets) {
    w.begin_object().kv_null("coingeckoId").kv("displayName", a).kv("symbol", a);
    w.key("tokens").begin_array().begin_object();
    w.kv("blockchain", "Solana").kv_null("contractAddress").kv_bool("depositEnabled", true).kv("displayName", a);
    w.kv_null("maximumWithdrawal").kv("minimumDeposit", "0").kv("minimumWithdrawal", "0");
    w.kv_bool("withdrawEnabled", true).kv("withdrawalFee", "0");
    w.end_object().end_array().end_object();
  }
  w.end_array();
  return json_ok(std::move(body));
}

RestResponse h_depth(Ctx& c) {
  RestResponse err;
  const MarketSpec* m = require_market(c, err);
  if (m == nullptr) return err;
  std::size_t limit = 1000;
  if (const std::string* l = c.query.get("limit")) {
    static constexpr std::string_view kAllowed[] = {"5", "10", "20", "50", "100", "500", "1000"};
    if (std::find(std::begin(kAllowed), std::end(kAllowed), *l) == std::end(kAllowed)) {
      return bad_request("failed to parse parameter `limit`: Expect a valid enumeration value.");
    }
    limit = static_cast<std::size_t>(*parse_int(*l));
  }
  auto snap = c.rt.exchange().depth_snapshot(m->symbol, limit);
  if (!snap) return from_reject(snap.error(), c.rt.exchange());
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  auto side = [&](std::string_view k, const std::vector<LevelUpdate>& levels) {
    w.key(k).begin_array();
    for (const auto& l : levels) w.begin_array().dec(l.price).dec(l.quantity).end_array();
    w.end_array();
  };
  side("asks", snap->asks);
  side("bids", snap->bids);
  w.kv("lastUpdateId", std::to_string(snap->last_update_id));
  w.key("timestamp").num(snap->timestamp_us);
  w.end_object();
  return json_ok(std::move(body));
}

RestResponse h_ticker(Ctx& c) {
  RestResponse err;
  const MarketSpec* m = require_market(c, err);
  if (m == nullptr) return err;
  if (const std::string* iv = c.query.get("interval"); iv != nullptr && *iv != "1d" && *iv != "1w") {
    return bad_request("failed to parse parameter `interval`: Expect a valid enumeration value.");
  }
  auto t = c.rt.exchange().ticker(m->symbol);
  if (!t) return json_error(400, "INVALID_SYMBOL", "Invalid symbol");
  std::string body;
  JsonWriter w(body);
  write_ticker(w, *t);
  return json_ok(std::move(body));
}

RestResponse h_tickers(Ctx& c) {
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  for (const auto& t : c.rt.exchange().tickers()) write_ticker(w, t);
  w.end_array();
  return json_ok(std::move(body));
}

RestResponse h_mark_prices(Ctx& c) {
  Exchange& ex = c.rt.exchange();
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  if (c.query.get("symbol") != nullptr) {
    RestResponse err;
    const MarketSpec* m = require_market(c, err);
    if (m == nullptr) return err;
    if (auto mp = ex.mark_price(m->symbol)) write_mark_price(w, *mp, m->is_perp());
  } else {
    std::optional<MarketType> type;
    if (const std::string* t = c.query.get("marketType")) {
      MarketType mt;
      if (!parse_market_type(*t, mt))
        return bad_request("failed to parse parameter `marketType`: invalid value '" + *t + "'");
      type = mt;
    }
    for (const auto& mp : ex.mark_prices(type)) {
      const MarketSpec* m = ex.market(mp.symbol);
      write_mark_price(w, mp, m != nullptr && m->is_perp());
    }
  }
  w.end_array();
  return json_ok(std::move(body));
}

RestResponse h_funding_rates(Ctx& c) {
  RestResponse err;
  const std::string* s = c.query.get("symbol");
  if (s == nullptr) return bad_request("missing required parameter `symbol`");
  std::optional<std::int64_t> limit, offset;
  if (!int_param(c.query, "limit", 1, 10000, limit, err)) return err;
  if (!int_param(c.query, "offset", 0, INT64_MAX, offset, err)) return err;
  // Unknown symbol -> 200 [] like the live API.
  auto page = c.rt.exchange().funding_rates(*s, static_cast<std::size_t>(limit.value_or(100)),
                                            static_cast<std::size_t>(offset.value_or(0)));
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  for (const auto& r : page.items) {
    w.begin_object().kv("fundingRate", r.funding_rate).kv("intervalEndTimestamp", iso_naive_s(r.interval_end_ms));
    w.kv("symbol", r.symbol).end_object();
  }
  w.end_array();
  RestResponse r = json_ok(std::move(body));
  add_page_headers(r, page.total, static_cast<std::size_t>(limit.value_or(100)),
                   static_cast<std::size_t>(offset.value_or(0)));
  return r;
}

RestResponse h_trades(Ctx& c) {
  RestResponse err;
  const MarketSpec* m = require_market(c, err);
  if (m == nullptr) return err;
  std::optional<std::int64_t> limit;
  if (!int_param(c.query, "limit", 1, 1000, limit, err)) return err;
  std::string body;
  JsonWriter w(body);
  w.begin_array();
  for (const auto& t : c.rt.exchange().recent_trades(m->symbol, static_cast<std::size_t>(limit.value_or(100)))) {
    w.begin_object().key("id").num(t.id).kv_bool("isBuyerMaker", t.is_buyer_maker).kv("price", t.price);
    w.kv("quantity", t.quantity).kv("quoteQuantity", t.quote_quantity).key("timestamp").num(t.timestamp_us / kUsPerMs);
    w.end_object();
  }
  w.end_array();
  return json_ok(std::move(body));
}

RestResponse h_status(Ctx&) {
  return json_ok(R"({"message":null,"status":"Ok"})");
}
RestResponse h_ping(Ctx&) {
  return text_ok("pong");
}
RestResponse h_time(Ctx& c) {
  c.rt.faults().note_skewed_time();
  return text_ok(std::to_string(c.rt.server_time_ms()));
}

// ---- signed: account

RestResponse signed_query(Ctx& c, std::string_view instruction, const std::function<RestResponse(Ctx&)>& body) {
  if (auto e = auth_params(c, instruction, c.query.params)) return *e;
  return body(c);
}

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
  auto res = c.rt.exchange().execute(*c.account, req);
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
  auto res = c.rt.exchange().cancel(*c.account, p.symbol, ref);
  if (!res) return from_reject(res.error(), c.rt.exchange());
  std::string body;
  JsonWriter w(body);
  write_order(w, *res);
  return json_ok(std::move(body));
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

// ---- signed: history

bool market_type_filter(Ctx& c, std::optional<MarketType>& type, RestResponse& err) {
  if (const std::string* t = c.query.get("marketType")) {
    MarketType mt;
    if (!parse_market_type(*t, mt)) {
      err = bad_request("failed to parse parameter `marketType`: invalid value '" + *t + "'");
      return false;
    }
    type = mt;
  }
  return true;
}

RestResponse h_history_fills(Ctx& c) {
  return signed_query(c, "fillHistoryQueryAll", [](Ctx& cc) {
    RestResponse err;
    FillQuery q;
    std::optional<std::int64_t> limit, offset, from, to;
    if (!int_param(cc.query, "limit", 1, 1000, limit, err)) return err;
    if (!int_param(cc.query, "offset", 0, INT64_MAX, offset, err)) return err;
    if (!int_param(cc.query, "from", 0, INT64_MAX, from, err)) return err;
    if (!int_param(cc.query, "to", 0, INT64_MAX, to, err)) return err;
    if (!sort_param(cc.query, q.ascending, err)) return err;
    std::optional<MarketType> type;
    if (!market_type_filter(cc, type, err)) return err;
    if (const std::string* s = cc.query.get("symbol")) q.symbol = *s;
    if (const std::string* o = cc.query.get("orderId")) {
      OrderId id = 0;
      if (!parse_order_id(*o, id))
        return bad_request("failed to parse parameter `orderId`: invalid value '" + *o + "'");
      q.order_id = id;
    }
    q.from_ms = from;
    q.to_ms = to;
    q.limit = static_cast<std::size_t>(limit.value_or(100));
    q.offset = static_cast<std::size_t>(offset.value_or(0));
    // bpsim only produces User fills; a filter for liquidation/ADL/... fills finds none.
    bool none = false;
    if (const std::string* ft = cc.query.get("fillType")) {
      static constexpr std::string_view kTypes[] = {"User",
                                                    "BookLiquidation",
                                                    "Adl",
                                                    "Backstop",
                                                    "Liquidation",
                                                    "AllLiquidation",
                                                    "CollateralConversion",
                                                    "CollateralConversionAndSpotLiquidation"};
      if (std::find(std::begin(kTypes), std::end(kTypes), *ft) == std::end(kTypes)) {
        return bad_request("failed to parse parameter `fillType`: Expect a valid enumeration value.");
      }
      none = *ft != "User";
    }
    Exchange& ex = cc.rt.exchange();
    Page<SimFill> page;
    if (!none) {
      if (type) {
        // Type filtering happens before paging: fetch everything, filter, then page here.
        FillQuery all = q;
        all.limit = 1000;
        all.offset = 0;
        std::vector<SimFill> kept;
        for (;;) {
          Page<SimFill> chunk = ex.fills(*cc.account, all);
          for (auto& f : chunk.items) {
            const MarketSpec* m = ex.market(f.symbol);
            if (m != nullptr && m->type == *type) kept.push_back(std::move(f));
          }
          all.offset += chunk.items.size();
          if (chunk.items.empty() || all.offset >= chunk.total) break;
        }
        page.total = kept.size();
        for (std::size_t i = q.offset; i < kept.size() && page.items.size() < q.limit; ++i)
          page.items.push_back(kept[i]);
      } else {
        page = ex.fills(*cc.account, q);
      }
    }
    std::string body;
    JsonWriter w(body);
    w.begin_array();
    for (const auto& f : page.items) {
      w.begin_object();
      w.key("clientId");
      if (f.client_id) {
        w.str(std::to_string(*f.client_id));
      } else {
        w.null();
      }
      w.kv("fee", f.fee).kv("feeSymbol", f.fee_symbol).kv_bool("isMaker", f.is_maker);
      w.kv("orderId", std::to_string(f.order_id)).kv("price", f.price).kv("quantity", f.quantity);
      w.kv("side", side_name(f.side)).kv("symbol", f.symbol).kv_null("systemOrderType");
      w.kv("timestamp", iso_naive_ms(f.timestamp_us / kUsPerMs)).key("tradeId").num(f.trade_id);
      w.end_object();
    }
    w.end_array();
    RestResponse r = json_ok(std::move(body));
    add_page_headers(r, page.total, q.limit, q.offset);
    return r;
  });
}

RestResponse h_history_orders(Ctx& c) {
  return signed_query(c, "orderHistoryQueryAll", [](Ctx& cc) {
    RestResponse err;
    OrderHistoryQuery q;
    std::optional<std::int64_t> limit, offset;
    if (!int_param(cc.query, "limit", 1, 1000, limit, err)) return err;
    if (!int_param(cc.query, "offset", 0, INT64_MAX, offset, err)) return err;
    if (!sort_param(cc.query, q.ascending, err)) return err;
    std::optional<MarketType> type;
    if (!market_type_filter(cc, type, err)) return err;
    if (const std::string* s = cc.query.get("symbol")) q.symbol = *s;
    if (const std::string* o = cc.query.get("orderId")) {
      OrderId id = 0;
      if (!parse_order_id(*o, id))
        return bad_request("failed to parse parameter `orderId`: invalid value '" + *o + "'");
      q.order_id = id;
    }
    q.limit = static_cast<std::size_t>(limit.value_or(100));
    q.offset = static_cast<std::size_t>(offset.value_or(0));
    Exchange& ex = cc.rt.exchange();
    Page<SimOrder> page = ex.order_history(*cc.account, q);
    std::string body;
    JsonWriter w(body);
    w.begin_array();
    for (const auto& o : page.items) {
      if (type) {
        const MarketSpec* m = ex.market(o.symbol);
        if (m == nullptr || m->type != *type) continue;
      }
      write_history_order(w, o);
    }
    w.end_array();
    RestResponse r = json_ok(std::move(body));
    add_page_headers(r, page.total, q.limit, q.offset);
    return r;
  });
}

RestResponse h_history_funding(Ctx& c) {
  return signed_query(c, "fundingHistoryQueryAll", [](Ctx& cc) {
    RestResponse err;
    FundingHistoryQuery q;
    std::optional<std::int64_t> limit, offset, sub;
    if (!int_param(cc.query, "limit", 1, 1000, limit, err)) return err;
    if (!int_param(cc.query, "offset", 0, INT64_MAX, offset, err)) return err;
    if (!int_param(cc.query, "subaccountId", 0, 65535, sub, err)) return err;
    if (!sort_param(cc.query, q.ascending, err)) return err;
    if (const std::string* s = cc.query.get("symbol")) q.symbol = *s;
    q.limit = static_cast<std::size_t>(limit.value_or(100));
    q.offset = static_cast<std::size_t>(offset.value_or(0));
    // bpsim accounts have no subaccounts: a subaccountId other than 0 finds nothing.
    Page<FundingPayment> page;
    if (!sub || *sub == 0) page = cc.rt.exchange().funding_history(*cc.account, q);
    std::string body;
    JsonWriter w(body);
    w.begin_array();
    for (const auto& f : page.items) {
      w.begin_object().kv("fundingRate", f.funding_rate).kv("intervalEndTimestamp", iso_naive_s(f.interval_end_ms));
      w.kv("quantity", f.quantity).key("subaccountId").num(0).kv("symbol", f.symbol);
      w.key("userId").num(static_cast<std::int64_t>(*cc.account) + 1).end_object();
    }
    w.end_array();
    RestResponse r = json_ok(std::move(body));
    add_page_headers(r, page.total, q.limit, q.offset);
    return r;
  });
}

// ---- control endpoints

RestResponse h_faults_get(Ctx& c) {
  return json_ok(c.rt.faults().to_json(c.rt.wall_clock().now_us()));
}

RestResponse h_faults_post(Ctx& c) {
  auto r = c.rt.faults().apply_json(c.req.body, c.rt.wall_clock().now_us());
  if (!r) return bad_request(r.error());
  c.actions = *r;
  return json_ok(c.rt.faults().to_json(c.rt.wall_clock().now_us()));
}

RestResponse scenario_state(Ctx& c) {
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  MarketModel* model = c.rt.model();
  w.kv_bool("background_trading", model != nullptr && model->background_trading());
  w.key("sim_time_us").num(c.rt.sim_clock().now_us());
  w.key("coins").begin_object();
  if (model != nullptr) {
    for (const auto& coin : model->config().coins) {
      auto mid = model->mid(coin.coin);
      auto basis = model->basis_bps(coin.coin);
      w.key(coin.coin).begin_object();
      w.key("mid");
      if (mid) {
        w.raw(std::to_string(*mid));
      } else {
        w.null();
      }
      w.key("basis_bps");
      if (basis) {
        w.raw(std::to_string(*basis));
      } else {
        w.null();
      }
      w.end_object();
    }
  }
  w.end_object().end_object();
  return json_ok(std::move(body));
}

RestResponse h_scenario_get(Ctx& c) {
  return scenario_state(c);
}

RestResponse h_scenario_post(Ctx& c) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(c.req.body);
  simdjson::dom::element root;
  simdjson::dom::object obj;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || root.get_object().get(obj) != simdjson::SUCCESS) {
    return bad_request("scenario: body must be a JSON object");
  }
  MarketModel* model = c.rt.model();
  Exchange& ex = c.rt.exchange();
  static constexpr std::string_view kKnown[] = {
      "background_trading", "set_mid",      "set_basis", "jump", "hold_mark_index",
      "release_mark_index", "market_state", "deposit",   "step"};
  for (auto f : obj) {
    if (std::find(std::begin(kKnown), std::end(kKnown), f.key) == std::end(kKnown)) {
      return bad_request("scenario: unknown key '" + std::string(f.key) + "'");
    }
  }
  auto need_model = [&]() -> std::optional<RestResponse> {
    if (model == nullptr) return bad_request("scenario: the market model is disabled (runtime.model_enabled = false)");
    return std::nullopt;
  };
  auto str_field = [](simdjson::dom::element e, const char* k, std::string_view& out) {
    return e[k].get_string().get(out) == simdjson::SUCCESS;
  };
  auto num_field = [](simdjson::dom::element e, const char* k, double& out) {
    simdjson::dom::element v;
    if (e[k].get(v) != simdjson::SUCCESS) return false;
    if (v.is_number()) return v.get_double().get(out) == simdjson::SUCCESS;
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return false;
    Decimal d;
    if (Decimal::parse(s, d) != DecimalParseError::kOk) return false;
    out = d.to_double();
    return true;
  };
  auto dec_field = [](simdjson::dom::element e, const char* k, Decimal& out) {
    simdjson::dom::element v;
    if (e[k].get(v) != simdjson::SUCCESS) return false;
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS) return Decimal::parse(s, out) == DecimalParseError::kOk;
    if (v.is_int64()) {
      out = Decimal::from_int(v.get_int64().value_unsafe());
      return true;
    }
    return false;
  };

  simdjson::dom::element e;
  if (obj["background_trading"].get(e) == simdjson::SUCCESS) {
    if (auto err = need_model()) return *err;
    if (!e.is_bool()) return bad_request("scenario: background_trading must be true/false");
    model->set_background_trading(e.get_bool().value_unsafe());
    spdlog::info("bpsim scenario: background trading {}", e.get_bool().value_unsafe() ? "on" : "off");
  }
  struct CoinOp {
    const char* key;
    const char* num;
  };
  for (CoinOp op : {CoinOp{"set_mid", "price"}, CoinOp{"set_basis", "bps"}, CoinOp{"jump", "bps"}}) {
    if (obj[op.key].get(e) != simdjson::SUCCESS) continue;
    if (auto err = need_model()) return *err;
    std::string_view sym;
    double v = 0;
    if (!e.is_object() || !str_field(e, "symbol", sym) || !num_field(e, op.num, v) || !std::isfinite(v)) {
      return bad_request(std::string("scenario: ") + op.key + " needs {\"symbol\":..,\"" + op.num + "\":..}");
    }
    bool ok = false;
    if (std::string_view(op.key) == "set_mid") {
      ok = v > 0 && model->set_mid(sym, v);
    } else if (std::string_view(op.key) == "set_basis") {
      ok = model->set_basis_bps(sym, v);
    } else {
      ok = model->force_jump(sym, v);
    }
    if (!ok)
      return bad_request(std::string("scenario: ") + op.key + ": unknown coin/symbol or bad value '" +
                         std::string(sym) + "'");
    spdlog::info("bpsim scenario: {} {} {}", op.key, sym, v);
  }
  if (obj["hold_mark_index"].get(e) == simdjson::SUCCESS) {
    if (auto err = need_model()) return *err;
    std::string_view sym;
    Decimal mark, index;
    if (!e.is_object() || !str_field(e, "symbol", sym) || !dec_field(e, "mark", mark) ||
        !dec_field(e, "index", index) || !mark.is_positive() || !index.is_positive()) {
      return bad_request("scenario: hold_mark_index needs {\"symbol\":..,\"mark\":\"..\",\"index\":\"..\"}");
    }
    if (!model->hold_mark_index(sym, mark, index)) return bad_request("scenario: hold_mark_index: unknown symbol");
  }
  if (obj["release_mark_index"].get(e) == simdjson::SUCCESS) {
    if (auto err = need_model()) return *err;
    std::string_view sym;
    if (e.get_string().get(sym) != simdjson::SUCCESS || !model->release_mark_index(sym)) {
      return bad_request("scenario: release_mark_index needs a held symbol");
    }
  }
  if (obj["market_state"].get(e) == simdjson::SUCCESS) {
    std::string_view sym, state_s;
    OrderBookState state;
    if (!e.is_object() || !str_field(e, "symbol", sym) || !str_field(e, "state", state_s) ||
        !parse_order_book_state(state_s, state) || !ex.set_market_state(sym, state)) {
      return bad_request(
          "scenario: market_state needs {\"symbol\":..,\"state\":\"Open|Closed|CancelOnly|LimitOnly|PostOnly\"}");
    }
    spdlog::info("bpsim scenario: market {} state {}", sym, state_s);
  }
  if (obj["deposit"].get(e) == simdjson::SUCCESS) {
    std::string_view key, asset;
    Decimal amount;
    if (!e.is_object() || !str_field(e, "api_key", key) || !str_field(e, "asset", asset) ||
        !dec_field(e, "amount", amount)) {
      return bad_request("scenario: deposit needs {\"api_key\":..,\"asset\":..,\"amount\":\"..\"}");
    }
    auto acct = ex.find_account(key);
    if (!acct) return bad_request("scenario: deposit: unknown api_key");
    ex.deposit(*acct, asset, amount);
    spdlog::info("bpsim scenario: deposit {} {} to account {}", amount.str(), asset, *acct);
  }
  if (obj["step"].get(e) == simdjson::SUCCESS) {
    if (!e.is_bool()) return bad_request("scenario: step must be true/false");
    if (e.get_bool().value_unsafe()) c.rt.step();
  }
  return scenario_state(c);
}

struct RouteEntry {
  std::string_view method;
  std::string_view path;
  RestResponse (*handler)(Ctx&);
  bool control;
};

constexpr RouteEntry kRoutes[] = {
    {"GET", "/api/v1/markets", h_markets, false},
    {"GET", "/api/v1/market", h_market, false},
    {"GET", "/api/v1/assets", h_assets, false},
    {"GET", "/api/v1/depth", h_depth, false},
    {"GET", "/api/v1/ticker", h_ticker, false},
    {"GET", "/api/v1/tickers", h_tickers, false},
    {"GET", "/api/v1/markPrices", h_mark_prices, false},
    {"GET", "/api/v1/fundingRates", h_funding_rates, false},
    {"GET", "/api/v1/trades", h_trades, false},
    {"GET", "/api/v1/status", h_status, false},
    {"GET", "/api/v1/ping", h_ping, false},
    {"GET", "/api/v1/time", h_time, false},
    {"GET", "/api/v1/account", h_account, false},
    {"GET", "/api/v1/capital", h_capital, false},
    {"GET", "/api/v1/capital/collateral", h_collateral, false},
    {"GET", "/api/v1/position", h_position, false},
    {"GET", "/api/v1/order", h_order_query, false},
    {"POST", "/api/v1/order", h_order_execute, false},
    {"DELETE", "/api/v1/order", h_order_cancel, false},
    {"GET", "/api/v1/orders", h_orders_query, false},
    {"POST", "/api/v1/orders", h_orders_execute, false},
    {"DELETE", "/api/v1/orders", h_orders_cancel, false},
    {"GET", "/wapi/v1/history/fills", h_history_fills, false},
    {"GET", "/wapi/v1/history/orders", h_history_orders, false},
    {"GET", "/wapi/v1/history/funding", h_history_funding, false},
    {"GET", "/_bpsim/faults", h_faults_get, true},
    {"POST", "/_bpsim/faults", h_faults_post, true},
    {"GET", "/_bpsim/scenario", h_scenario_get, true},
    {"POST", "/_bpsim/scenario", h_scenario_post, true},
};

}  // namespace

RestApi::RestApi(SimRuntime& runtime) : rt_(runtime) {}

RestOutcome RestApi::handle(const RestRequest& req) {
  RestOutcome out;
  std::string_view target = req.target;
  std::string_view path = target;
  std::string_view query_text;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query_text = target.substr(q + 1);
  }
  // Tolerate a trailing slash ("/api/v1/markets/") like most HTTP routers.
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  const RouteEntry* route = nullptr;
  for (const auto& r : kRoutes) {
    if (r.path == path && r.method == req.method) {
      route = &r;
      break;
    }
  }
  FaultInjector& faults = rt_.faults();
  if (route == nullptr || !route->control) {
    if (faults.take_http_429()) {
      out.response = json_error(429, "TOO_MANY_REQUESTS", "Too many requests");
      out.delay_ms = faults.rest_delay_ms();
      return out;
    }
    if (faults.path_unavailable(path)) {
      out.response = json_error(503, "SERVICE_UNAVAILABLE", "Service unavailable");
      out.delay_ms = faults.rest_delay_ms();
      return out;
    }
  }
  if (route == nullptr) {
    out.response =
        json_error(404, "RESOURCE_NOT_FOUND", "Unknown endpoint " + std::string(req.method) + " " + std::string(path));
    return out;
  }
  Ctx ctx{rt_, req, path, {}, std::nullopt, {}};
  if (auto e = bp::parse_query_string(query_text, ctx.query.params); !e.ok()) {
    out.response = bad_request("failed to parse query string: " + e.message());
  } else {
    out.response = route->handler(ctx);
  }
  out.actions = ctx.actions;
  if (!route->control) {
    out.delay_ms = faults.rest_delay_ms();
    // The order was executed above; only its answer is late (the client may time out on a placed order).
    if (req.method == "POST" && (path == "/api/v1/order" || path == "/api/v1/orders"))
      out.delay_ms += faults.order_delay_ms();
  }
  return out;
}

}  // namespace bparb::sim
