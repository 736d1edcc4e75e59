// Signed REST routes: /wapi/v1/history/{fills,orders,funding}.
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

}  // namespace bparb::sim::rest
