// Public REST routes: markets, depth, tickers, mark prices, funding rates, trades, status, time.
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

}  // namespace bparb::sim::rest
