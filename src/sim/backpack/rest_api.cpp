// bpsim REST routes. Choices where the real API is unknown or optional (documented for clients):
//  - Authentication failures answer HTTP 400 with {"code":"INVALID_CLIENT_REQUEST", "message": ...}
//    ("Missing header X-API-Key", "Invalid X-Timestamp header", "Invalid X-Window header",
//    "Request has expired", "Invalid X-Signature header", "Invalid signature"); a valid signature by a
//    key that is not a bpsim account answers 400 {"code":"UNAUTHORIZED","message":"Unknown API key"}.
//    A timestamp more than `window` ms in the FUTURE is also "Request has expired" (the real rule for
//    future timestamps is undocumented). X-Broker-Id and other headers are ignored.
//  - Unknown path or method: 404 {"code":"RESOURCE_NOT_FOUND","message":"Unknown endpoint GET /x"}.
//  - Cancels answer 200 with the cancelled order; 202 with no body only under the fault "cancel_accepted"
//    (the cancel is then carried out later, seen on the order stream). Fault "cancel_latency_ms": the
//    cancel is carried out late and answered then (the order can fill in between).
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
//    "half_spread": {"symbol": "SOL_USDC_PERP", "bps": 20},  // the background ladder's half spread from now on
//    "hold_mark_index": {"symbol": "SOL_USDC_PERP", "mark": "150.5", "index": "150"},
//    "release_mark_index": "SOL_USDC_PERP",
//    "market_state": {"symbol": "SOL_USDC", "state": "CancelOnly"},
//    "deposit": {"api_key": "<base64>", "asset": "USDC", "amount": "1000"},
//    "step": true}                        // run one model step right away
// GET /_bpsim/scenario -> {"background_trading":bool,"sim_time_us":..,"coins":{"SOL":{"mid":..,"basis_bps":..}}}
#include "bparb/sim/backpack/rest_api.hpp"

#include "bparb/sim/backpack/errors.hpp"
#include "bparb/sim/backpack/rest_api_json.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/signing.hpp"
#include "rest_routes.hpp"

namespace bparb::sim {

namespace {

using namespace rest;

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
  Ctx ctx{rt_, req, path, {}, std::nullopt, {}, {}};
  if (auto e = bp::parse_query_string(query_text, ctx.query.params); !e.ok()) {
    out.response = bad_request("failed to parse query string: " + e.message());
  } else {
    out.response = route->handler(ctx);
  }
  out.actions = ctx.actions;
  out.deferred = std::move(ctx.deferred);
  if (!route->control) {
    out.delay_ms = faults.rest_delay_ms();
    // The order was executed above; only its answer is late (the client may time out on a placed order).
    if (req.method == "POST" && (path == "/api/v1/order" || path == "/api/v1/orders"))
      out.delay_ms += faults.order_delay_ms();
  }
  return out;
}

}  // namespace bparb::sim
