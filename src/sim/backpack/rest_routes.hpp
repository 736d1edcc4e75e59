#pragma once
// Shared by the REST route files (rest_*.cpp) of bpsim's Backpack front-end; not a public header.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/sim/backpack/errors.hpp"
#include "bparb/sim/backpack/rest_api.hpp"
#include "bparb/sim/backpack/rest_api_json.hpp"
#include "bparb/sim/sim_types.hpp"
#include "bparb/venue/backpack/messages.hpp"
#include "bparb/venue/backpack/parsers.hpp"

namespace bparb::sim {
class SimRuntime;
}  // namespace bparb::sim

namespace bparb::sim::rest {

namespace bp = bparb::backpack;

struct Query {
  std::vector<bp::ParamText> params;
  const std::string* get(std::string_view key) const {
    for (const auto& p : params) {
      if (p.key == key) return &p.value;
    }
    return nullptr;
  }
};

// One request being answered: what the handlers read and the one-shot actions they ask for.
struct Ctx {
  SimRuntime& rt;
  const RestRequest& req;
  std::string_view path;
  Query query;
  std::optional<AccountId> account;
  FaultActions actions;
  DeferredRequest deferred;  // set by a route whose effect a fault holds back
};

// ---- answers
RestResponse json_error(int status, std::string_view code, std::string_view message);
RestResponse from_api_error(const ApiError& e);
RestResponse from_reject(Reject r, const Exchange& ex);
RestResponse bad_request(std::string_view message);
RestResponse json_ok(std::string body);
RestResponse text_ok(std::string body);

// ---- query parameters
std::optional<std::int64_t> parse_int(std::string_view s);
bool int_param(const Query& q, std::string_view key, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t>& out,
               RestResponse& err);
bool sort_param(const Query& q, bool& ascending, RestResponse& err);
void add_page_headers(RestResponse& r, std::size_t total, std::size_t limit, std::size_t offset);

// ---- renderers
void write_margin_function(JsonWriter& w, const MarginFunction& f);
std::optional<Decimal> nonzero(Decimal d);
void write_market(JsonWriter& w, const MarketSpec& m);
void write_ticker(JsonWriter& w, const TickerView& t);
void write_mark_price(JsonWriter& w, const MarkPriceView& m, bool perp);
void write_order(JsonWriter& w, const SimOrder& o, bool batch_ok = false);
void write_history_order(JsonWriter& w, const SimOrder& o);
void write_position(JsonWriter& w, const PositionView& p, AccountId account);

// ---- order payload -> request
SimOrderRequest to_sim_request(const bp::OrderExecutePayload& p);
std::string parse_error_message(const bp::ParseError& e, std::string_view what);

// ---- authentication and shared lookups
std::optional<RestResponse> authenticate(Ctx& c, const std::function<std::string(std::int64_t, std::int64_t)>& build);
std::optional<RestResponse> auth_params(Ctx& c, std::string_view instruction, const std::vector<bp::ParamText>& params);
RestResponse signed_query(Ctx& c, std::string_view instruction, const std::function<RestResponse(Ctx&)>& body);
const MarketSpec* require_market(Ctx& c, RestResponse& err, bool required = true);

// ---- routes (rest_public.cpp, rest_account.cpp, rest_history.cpp, rest_control.cpp)
RestResponse h_markets(Ctx& c);
RestResponse h_market(Ctx& c);
RestResponse h_assets(Ctx& c);
RestResponse h_depth(Ctx& c);
RestResponse h_ticker(Ctx& c);
RestResponse h_tickers(Ctx& c);
RestResponse h_mark_prices(Ctx& c);
RestResponse h_funding_rates(Ctx& c);
RestResponse h_trades(Ctx& c);
RestResponse h_status(Ctx& c);
RestResponse h_ping(Ctx& c);
RestResponse h_time(Ctx& c);
RestResponse h_account(Ctx& c);
RestResponse h_capital(Ctx& c);
RestResponse h_collateral(Ctx& c);
RestResponse h_position(Ctx& c);
RestResponse h_order_query(Ctx& c);
RestResponse h_order_execute(Ctx& c);
RestResponse h_order_cancel(Ctx& c);
RestResponse h_orders_query(Ctx& c);
RestResponse h_orders_execute(Ctx& c);
RestResponse h_orders_cancel(Ctx& c);
RestResponse h_history_fills(Ctx& c);
RestResponse h_history_orders(Ctx& c);
RestResponse h_history_funding(Ctx& c);
RestResponse h_faults_get(Ctx& c);
RestResponse h_faults_post(Ctx& c);
RestResponse h_scenario_get(Ctx& c);
RestResponse h_scenario_post(Ctx& c);

}  // namespace bparb::sim::rest
