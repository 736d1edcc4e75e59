// The simulated Lighter's REST routes and JSON renderers (docs/lighter.md, "The simulated Lighter").
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "bparb/sim/lighter/api.hpp"
#include "json_out.hpp"

namespace bparb::sim::lighter {

namespace {

constexpr int kUsdcDecimals = 6;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;

void parse_urlencoded(std::string_view s, Params& out) {
  while (!s.empty()) {
    const std::size_t amp = s.find('&');
    const std::string_view pair = s.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (!pair.empty()) {
      out.emplace_back(url_decode(pair.substr(0, eq)),
                       eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp + 1);
  }
}

// multipart/form-data: each part's `name` and its body (files are not expected).
bool parse_multipart(std::string_view content_type, std::string_view body, Params& out) {
  const std::size_t b = content_type.find("boundary=");
  if (b == std::string_view::npos) return false;
  std::string_view boundary = content_type.substr(b + 9);
  boundary = boundary.substr(0, boundary.find(';'));
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  const std::string delim = "--" + std::string(boundary);
  std::size_t pos = body.find(delim);
  while (pos != std::string_view::npos) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return true;
    const std::size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) return false;
    const std::string_view head = body.substr(pos, head_end - pos);
    const std::size_t next = body.find("\r\n" + delim, head_end + 4);
    if (next == std::string_view::npos) return false;
    const std::size_t n = head.find("name=\"");
    if (n != std::string_view::npos) {
      const std::size_t e = head.find('"', n + 6);
      if (e == std::string_view::npos) return false;
      out.emplace_back(std::string(head.substr(n + 6, e - n - 6)),
                       std::string(body.substr(head_end + 4, next - head_end - 4)));
    }
    pos = next + 2;
  }
  return false;
}

const std::string* param(const Params& p, std::string_view name) {
  for (const auto& [k, v] : p) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool int_param(const Params& p, std::string_view name, std::int64_t& out) {
  const std::string* v = param(p, name);
  if (!v) return false;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  return !v->empty() && r.ec == std::errc() && r.ptr == v->data() + v->size();
}

// sendTxBatch's fields: tx_types is the JSON text of an integer list, tx_infos the JSON text of a list of
// tx_info strings (docs/lighter.md, "Sending").
bool parse_batch_lists(std::string_view types_text, std::string_view infos_text, std::vector<std::int64_t>& types,
                       std::vector<std::string>& infos) {
  simdjson::dom::parser p;
  simdjson::dom::array arr;
  if (p.parse(types_text.data(), types_text.size(), true).get_array().get(arr)) return false;
  for (simdjson::dom::element e : arr) {
    std::int64_t t = 0;
    if (e.get_int64().get(t)) return false;
    types.push_back(t);
  }
  simdjson::dom::parser p2;
  if (p2.parse(infos_text.data(), infos_text.size(), true).get_array().get(arr)) return false;
  for (simdjson::dom::element e : arr) {
    std::string_view info;
    if (e.get_string().get(info)) return false;
    infos.emplace_back(info);
  }
  return true;
}

HttpResponse error(int status, std::int64_t code, std::string_view message) {
  std::string o = "{";
  json::kv(o, "code", code);
  json::kv(o, "message", message);
  o += '}';
  return HttpResponse{status, std::move(o)};
}

HttpResponse tx_error(const TxOutcome& t) {
  return error(400, t.code, t.message);
}

std::string_view status_text(const SimOrder& o, bool expired) {
  if (expired && o.status == OrderStatus::kCancelled) return "canceled-expired";
  switch (o.status) {
    case OrderStatus::kNew:
    case OrderStatus::kPartiallyFilled:
      return "open";
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kExpired:
      if (!o.expiry_reason) return "canceled";
      switch (*o.expiry_reason) {
        case ExpiryReason::kPostOnlyTaker:
          return "canceled-post-only";
        case ExpiryReason::kReduceOnlyNotReduced:
          return "canceled-reduce-only";
        case ExpiryReason::kSelfTradePrevention:
          return "canceled-self-trade";
        case ExpiryReason::kInsufficientMargin:
        case ExpiryReason::kInsufficientFunds:
          return "canceled-margin-not-allowed";
        case ExpiryReason::kPriceImpact:
        case ExpiryReason::kSlippageToleranceExceeded:
          return "canceled-too-much-slippage";
        case ExpiryReason::kImmediateOrCancel:
        case ExpiryReason::kFillOrKill:
        case ExpiryReason::kInsufficientLiquidity:
          return "canceled-not-enough-liquidity";
        default:
          return "canceled";
      }
    default:
      return "canceled";
  }
}

}  // namespace

std::string LighterApi::order_json(const SimOrder& o) const {
  const LighterMarketRules* m = market_by_symbol(o.symbol);
  const int pd = m ? price_decimals(*m) : 2;
  const int sd = m ? size_decimals(*m) : 4;
  const MarketSpec* spec = ex_.market(o.symbol);
  const std::int64_t index = order_index_of(o.id);
  OrderMeta meta;
  if (!meta_of(o.id, meta)) meta.account_index = account_index_of(o.account).value_or(0);
  // A capped order (cap_next_fills) is reported as asked: the part it could not match was cancelled.
  const bool capped = meta.asked_base.is_positive();
  const Decimal qty = capped ? meta.asked_base : o.quantity.value_or(Decimal::zero());
  const Decimal remaining = o.is_open() ? qty - o.executed_quantity : Decimal::zero();
  const Decimal price = o.price.value_or(Decimal::zero());
  std::string s = "{";
  json::kv(s, "order_index", index);
  json::kv(s, "client_order_index", meta.client_order_index);
  json::kv(s, "order_id", std::to_string(index));
  json::kv(s, "client_order_id", std::to_string(meta.client_order_index));
  json::kv(s, "market_index", m ? m->market_id : 0);
  json::kv(s, "owner_account_index", meta.account_index);
  json::kd(s, "initial_base_amount", qty, sd);
  json::kd(s, "price", price, pd);
  json::kv(s, "nonce", meta.nonce);
  json::kd(s, "remaining_base_amount", remaining, sd);
  json::kb(s, "is_ask", o.side == Side::kAsk);
  json::kv(s, "base_size", spec ? remaining.to_units(spec->step_size) : 0);
  json::kv(s, "base_price", spec ? price.to_units(spec->tick_size) : 0);
  json::kd(s, "filled_base_amount", o.executed_quantity, sd);
  json::kd(s, "filled_quote_amount", o.executed_quote_quantity, kUsdcDecimals);
  json::kv(s, "side", o.side == Side::kAsk ? "sell" : "buy");
  json::kv(s, "type", meta.type == 1 ? "market" : "limit");
  json::kv(s, "time_in_force",
           meta.time_in_force == 0   ? "immediate-or-cancel"
           : meta.time_in_force == 2 ? "post-only"
                                     : "good-till-time");
  json::kb(s, "reduce_only", o.reduce_only.value_or(false));
  json::kd(s, "trigger_price", Decimal::zero(), pd);
  json::kv(s, "order_expiry", meta.order_expiry_ms);
  json::kv(s, "status",
           capped && o.status == OrderStatus::kFilled ? std::string_view("canceled-not-enough-liquidity")
                                                      : status_text(o, expired_by_order_expiry(o.id)));
  json::kv(s, "trigger_status", "na");
  json::kv(s, "trigger_time", std::int64_t{0});
  json::kv(s, "parent_order_index", std::int64_t{0});
  json::kv(s, "block_height", std::int64_t{0});
  json::kv(s, "timestamp", o.created_at_us / kUsPerMs);
  json::kv(s, "created_at", o.created_at_us / kUsPerMs);
  json::kv(s, "updated_at", o.updated_at_us / kUsPerMs);
  json::kv(s, "transaction_time", o.updated_at_us);
  s += '}';
  return s;
}

std::string LighterApi::position_json(const LighterMarketRules& m, const PositionView* p) const {
  const int pd = price_decimals(m);
  const int sd = size_decimals(m);
  const Decimal q = p ? p->net_quantity : Decimal::zero();
  std::string s = "{";
  json::kv(s, "market_id", m.market_id);
  json::kv(s, "symbol", m.lighter_symbol);
  // The Exchange's fraction (0.02) as the venue's percent text ("2.00").
  json::kd(s, "initial_margin_fraction", p ? p->imf * 100 : Decimal::zero(), 2);
  json::kv(s, "open_order_count", std::int64_t{0});
  json::kv(s, "pending_order_count", std::int64_t{0});
  json::kv(s, "position_tied_order_count", std::int64_t{0});
  json::kv(s, "sign", std::int64_t{q.is_negative() ? -1 : 1});
  json::kd(s, "position", q.is_negative() ? -q : q, sd);
  json::kd(s, "avg_entry_price", p ? p->entry_price : Decimal::zero(), pd);
  const Decimal value = p ? (q.is_negative() ? -q : q).mul(p->mark_price, Rounding::kTowardZero) : Decimal::zero();
  json::kd(s, "position_value", value, kUsdcDecimals);
  json::kd(s, "unrealized_pnl", p ? p->pnl_unrealized : Decimal::zero(), kUsdcDecimals);
  json::kd(s, "realized_pnl", p ? p->pnl_realized : Decimal::zero(), kUsdcDecimals);
  json::kv(s, "liquidation_price", "0");
  json::kv(s, "margin_mode", std::int64_t{0});
  json::kd(s, "allocated_margin", Decimal::zero(), kUsdcDecimals);
  s += '}';
  return s;
}

std::string LighterApi::account_json(std::int64_t account_index) const {
  const auto a = account_of(account_index);
  if (!a) return {};
  const CollateralSummary c = ex_.collateral(*a);
  const Decimal usdc = ex_.balance(*a, ex_.config().settlement_asset);
  std::string s = "{";
  json::kv(s, "code", std::int64_t{0});
  json::kv(s, "account_type", std::int64_t{0});
  json::kv(s, "index", account_index);
  json::kv(s, "l1_address", "0x0000000000000000000000000000000000000000");
  json::kv(s, "cancel_all_time", scheduled_cancel_all_ms(account_index));
  json::kv(s, "total_order_count", static_cast<std::int64_t>(ex_.open_orders(*a).size()));
  json::kv(s, "total_isolated_order_count", std::int64_t{0});
  json::kv(s, "pending_order_count", std::int64_t{0});
  json::kd(s, "available_balance", c.net_equity_available, kUsdcDecimals);
  json::kv(s, "status", std::int64_t{1});
  json::kd(s, "collateral", usdc, kUsdcDecimals);
  json::kv(s, "account_index", account_index);
  json::key(s, "positions");
  s += '[';
  for (const PositionView& p : ex_.positions(*a)) {
    if (const LighterMarketRules* m = market_by_symbol(p.symbol)) json::item(s, position_json(*m, &p));
  }
  s += ']';
  json::key(s, "assets");
  s += '[';
  std::string asset = "{";
  json::kv(asset, "symbol", "USDC");
  json::kv(asset, "asset_id", std::int64_t{3});
  json::kd(asset, "balance", usdc, kUsdcDecimals);
  json::kd(asset, "locked_balance", ex_.locked_balance(*a, ex_.config().settlement_asset), kUsdcDecimals);
  json::kv(asset, "margin_mode", "enabled");
  json::kd(asset, "margin_balance", usdc, kUsdcDecimals);
  asset += '}';
  json::item(s, asset);
  s += ']';
  json::kd(s, "total_asset_value", c.net_equity, kUsdcDecimals);
  json::kd(s, "cross_asset_value", c.net_equity, kUsdcDecimals);
  s += '}';
  return s;
}

namespace {

std::string market_json(const LighterApi& api, const LighterMarketRules& m, bool details) {
  const Exchange& ex = const_cast<LighterApi&>(api).exchange();
  const MarketSpec* spec = ex.market(m.symbol);
  const bool perp = spec->is_perp();
  const int pd = api.price_decimals(m);
  const int sd = api.size_decimals(m);
  std::string s = "{";
  json::kv(s, "symbol", m.lighter_symbol);
  json::kv(s, "market_id", m.market_id);
  json::kv(s, "market_type", perp ? "perp" : "spot");
  json::kv(s, "status", spec->state == OrderBookState::kClosed ? "inactive" : "active");
  json::kd(s, "taker_fee", api.rules().taker_fee_pct, 4);
  json::kd(s, "maker_fee", api.rules().maker_fee_pct, 4);
  json::kd(s, "liquidation_fee", Decimal::one(), 4);
  json::kd(s, "min_base_amount", m.min_base_amount, sd);
  json::kd(s, "min_quote_amount", m.min_quote_amount, kUsdcDecimals);
  json::kv(s, "supported_size_decimals", std::int64_t{sd});
  json::kv(s, "supported_price_decimals", std::int64_t{pd});
  json::kv(s, "supported_quote_decimals", std::int64_t{kUsdcDecimals});
  json::kv(s, "size_decimals", std::int64_t{sd});
  json::kv(s, "price_decimals", std::int64_t{pd});
  if (details) {
    json::kv(s, "quote_multiplier", std::int64_t{1});
    if (perp) {
      json::kv(s, "default_initial_margin_fraction", std::int64_t{m.default_initial_margin_fraction});
      json::kv(s, "min_initial_margin_fraction", std::int64_t{m.min_initial_margin_fraction});
      json::kv(s, "maintenance_margin_fraction", std::int64_t{m.maintenance_margin_fraction});
      json::kv(s, "closeout_margin_fraction", std::int64_t{m.closeout_margin_fraction});
    }
    const Decimal last = ex.last_price(m.symbol).value_or(Decimal::zero());
    json::key(s, "last_trade_price");
    s += last.str_fixed(pd);
    // The rolling 24 hours of the core's trades, as JSON numbers like the venue's statistics; the price
    // change in percent.
    if (const auto t = ex.ticker(m.symbol)) {
      json::kv(s, "daily_trades_count", t->trades);
      json::key(s, "daily_base_token_volume");
      s += t->volume.str_fixed(sd);
      json::key(s, "daily_quote_token_volume");
      s += t->quote_volume.str_fixed(kUsdcDecimals);
      json::key(s, "daily_price_low");
      s += t->low.str_fixed(pd);
      json::key(s, "daily_price_high");
      s += t->high.str_fixed(pd);
      json::key(s, "daily_price_change");
      s += (t->price_change_percent * 100).str_fixed(4);
    }
  }
  s += '}';
  return s;
}

}  // namespace

HttpResponse LighterApi::handle(const HttpRequest& req) {
  const std::size_t q = req.target.find('?');
  const std::string_view path = req.target.substr(0, q);
  Params params;
  if (q != std::string_view::npos) parse_urlencoded(req.target.substr(q + 1), params);
  poll();
  // An account's own records (its orders, trades, funding): `account_index` must name an account and the auth
  // token (header, or the `auth` parameter) must be one of that account's. Empty: the request may go on.
  auto account_query = [&](std::int64_t& acct) -> std::optional<HttpResponse> {
    if (!int_param(params, "account_index", acct) || !account_of(acct)) return error(400, 21100, "account not found");
    std::string_view token = req.authorization;
    if (const std::string* t = param(params, "auth")) token = *t;
    const auto who = verify_auth_token(token);
    if (!who || *who != acct) return error(401, 20013, "invalid auth token");
    return std::nullopt;
  };

  if (req.method == "POST" && (path == "/api/v1/sendTx" || path == "/api/v1/sendTxBatch")) {
    if (req.content_type.find("multipart/form-data") != std::string_view::npos) {
      if (!parse_multipart(req.content_type, req.body, params)) return error(400, 21501, "invalid form");
    } else {
      parse_urlencoded(req.body, params);
    }
    if (path == "/api/v1/sendTx") {
      std::int64_t type = 0;
      const std::string* info = param(params, "tx_info");
      if (!int_param(params, "tx_type", type) || !info) return error(400, 21501, "invalid tx info: missing field");
      const TxOutcome t = submit(type, *info);
      if (t.code != 200) return tx_error(t);
      std::string o = "{";
      json::kv(o, "code", std::int64_t{200});
      json::kv(o, "message", "{\"ratelimit\": \"didn't use volume quota\"}");
      json::kv(o, "tx_hash", t.tx_hash);
      json::kv(o, "predicted_execution_time_ms", wall_.now_ms());
      o += '}';
      return HttpResponse{200, std::move(o)};
    }
    const std::string* types_text = param(params, "tx_types");
    const std::string* infos_text = param(params, "tx_infos");
    std::vector<std::int64_t> types;
    std::vector<std::string> infos;
    if (!types_text || !infos_text || !parse_batch_lists(*types_text, *infos_text, types, infos)) {
      return error(400, 21501, "invalid tx info: tx_types / tx_infos");
    }
    TxOutcome batch_error;
    const std::vector<TxOutcome> outs = submit_batch(types, infos, batch_error);
    if (batch_error.code != 200) return tx_error(batch_error);
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::kv(o, "message", "");
    json::key(o, "tx_hash");
    o += '[';
    for (const TxOutcome& t : outs) {
      if (o.back() != '[') o += ',';
      json::str(o, t.tx_hash);
    }
    o += ']';
    json::kv(o, "predicted_execution_time_ms", wall_.now_ms());
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (req.method != "GET") return error(404, 404, "not found");

  if (path == "/api/v1/orderBooks" || path == "/api/v1/orderBookDetails") {
    const bool details = path == "/api/v1/orderBookDetails";
    std::int64_t only = 255;
    if (param(params, "market_id") && !int_param(params, "market_id", only)) {
      return error(400, 20001, "invalid param: market_id");
    }
    const std::string* filter = param(params, "filter");
    std::string perps = "[";
    std::string spots = "[";
    for (const auto& m : rules_.markets) {
      if (only != 255 && m.market_id != only) continue;
      const bool perp = ex_.market(m.symbol)->is_perp();
      if (filter && ((*filter == "perp" && !perp) || (*filter == "spot" && perp))) continue;
      json::item(details && !perp ? spots : perps, market_json(*this, m, details));
    }
    perps += ']';
    spots += ']';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    if (details) {
      json::raw(o, "order_book_details", perps);
      json::raw(o, "spot_order_book_details", spots);
    } else {
      json::raw(o, "order_books", perps);
    }
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  // Every perp's current funding rate (the estimate of the interval in progress), as a fraction over 8 hours
  // (docs/lighter.md, "Funding"), as a JSON number. The venue lists other exchanges' rates too; the simulated
  // one knows only its own.
  if (path == "/api/v1/funding-rates") {
    constexpr std::int64_t kEightHoursMs = 8 * 3'600'000;
    std::string list = "[";
    for (const auto& m : rules_.markets) {
      const MarketSpec* spec = ex_.market(m.symbol);
      if (!spec || !spec->is_perp()) continue;
      const std::optional<MarkPriceView> mark = ex_.mark_price(m.symbol);
      if (!mark) continue;
      const std::int64_t interval_ms = spec->funding_interval_ms > 0 ? spec->funding_interval_ms : 3'600'000;
      const Decimal rate_8h = (mark->funding_rate * kEightHoursMs).div_int(interval_ms, Rounding::kNearest);
      std::string e = "{";
      json::kv(e, "market_id", m.market_id);
      json::kv(e, "exchange", "lighter");
      json::kv(e, "symbol", m.lighter_symbol);
      json::raw(e, "rate", rate_8h.str());
      e += '}';
      json::item(list, e);
    }
    list += ']';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::raw(o, "funding_rates", list);
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (path == "/api/v1/assetDetails") {
    // The collateral every market settles in, with the id and decimals the account answer's assets use.
    std::string usdc = "{";
    json::kv(usdc, "asset_id", std::int64_t{3});
    json::kv(usdc, "symbol", "USDC");
    json::kv(usdc, "l1_decimals", std::int64_t{kUsdcDecimals});
    json::kv(usdc, "decimals", std::int64_t{kUsdcDecimals});
    json::kv(usdc, "margin_mode", "enabled");
    usdc += '}';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::raw(o, "asset_details", "[" + usdc + "]");
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (path == "/api/v1/orderBookOrders") {
    std::int64_t market = -1;
    const LighterMarketRules* m = nullptr;
    if (!int_param(params, "market_id", market) || !(m = market_by_id(market))) {
      return error(400, 21600, "invalid market index");
    }
    std::int64_t limit = 0;
    if (!int_param(params, "limit", limit) || limit < 1 || limit > 250) {
      return error(400, 20001, "invalid param: limit");
    }
    const auto depth = ex_.depth_snapshot(m->symbol, static_cast<std::size_t>(limit));
    if (!depth) return error(400, 21600, "invalid market index");
    const int pd = price_decimals(*m);
    const int sd = size_decimals(*m);
    // The venue lists resting orders; the core keeps its own liquidity as price levels, so each level is
    // one entry here, with no order ids (docs/lighter.md, "The simulated Lighter").
    auto side = [&](const std::vector<LevelUpdate>& levels, bool best_last) {
      std::string list = "[";
      for (std::size_t i = 0; i < levels.size(); ++i) {
        const LevelUpdate& l = levels[best_last ? levels.size() - 1 - i : i];
        std::string e = "{";
        json::kv(e, "order_index", std::int64_t{0});
        json::kv(e, "order_id", "0");
        json::kv(e, "owner_account_index", std::int64_t{0});
        json::kd(e, "initial_base_amount", l.quantity, sd);
        json::kd(e, "remaining_base_amount", l.quantity, sd);
        json::kd(e, "price", l.price, pd);
        json::kv(e, "order_expiry", std::int64_t{0});
        e += '}';
        json::item(list, e);
      }
      return list + ']';
    };
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::kv(o, "total_asks", static_cast<std::int64_t>(depth->asks.size()));
    json::raw(o, "asks", side(depth->asks, false));
    json::kv(o, "total_bids", static_cast<std::int64_t>(depth->bids.size()));
    json::raw(o, "bids", side(depth->bids, true));  // best first, as the venue lists them
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (path == "/api/v1/recentTrades") {
    std::int64_t id = 0;
    std::int64_t limit = 100;
    if (!int_param(params, "market_id", id) || !market_by_id(id)) return error(400, 21600, "invalid market index");
    if (param(params, "limit") && (!int_param(params, "limit", limit) || limit < 1 || limit > 100)) {
      return error(400, 20001, "invalid param: limit");
    }
    const LighterMarketRules& m = *market_by_id(id);
    std::string list = "[";
    for (const PublicTrade& t : ex_.recent_trades(m.symbol, static_cast<std::size_t>(limit))) {
      std::string e = "{";
      json::kv(e, "trade_id", t.id);
      json::kv(e, "market_id", m.market_id);
      json::kd(e, "size", t.quantity, size_decimals(m));
      json::kd(e, "price", t.price, price_decimals(m));
      json::kd(e, "usd_amount", t.quote_quantity, kUsdcDecimals);
      json::kb(e, "is_maker_ask", !t.is_buyer_maker);
      json::kv(e, "timestamp", t.timestamp_us / kUsPerMs);
      json::kv(e, "type", "trade");
      e += '}';
      json::item(list, e);
    }
    list += ']';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::raw(o, "trades", list);
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (path == "/api/v1/nextNonce") {
    std::int64_t acct = 0;
    std::int64_t key = 0;
    if (!int_param(params, "account_index", acct) || !int_param(params, "api_key_index", key) || key < 0 || key > 254 ||
        !has_api_key(acct, static_cast<std::uint8_t>(key))) {
      return error(400, 21108, "invalid PublicKey: api key not registered");
    }
    note_nonce_read(acct, static_cast<std::uint8_t>(key));
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::kv(o, "nonce", next_nonce(acct, static_cast<std::uint8_t>(key)));
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (path == "/api/v1/apikeys") {
    std::int64_t acct = 0;
    std::int64_t key = 255;
    if (!int_param(params, "account_index", acct) || !account_of(acct)) return error(400, 21100, "account not found");
    if (param(params, "api_key_index") && (!int_param(params, "api_key_index", key) || key < 0 || key > 255)) {
      return error(400, 20001, "invalid param: api_key_index");
    }
    std::string list = "[";
    for (const auto& a : rules_.accounts) {
      if (a.account_index != acct) continue;
      for (const auto& k : a.api_keys) {
        if (key != 255 && k.api_key_index != key) continue;
        std::string pk = k.public_key_hex;
        for (char& ch : pk) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string e = "{";
        json::kv(e, "account_index", acct);
        json::kv(e, "api_key_index", std::int64_t{k.api_key_index});
        json::kv(e, "nonce", next_nonce(acct, k.api_key_index));
        json::kv(e, "public_key", pk);
        json::kv(e, "transaction_time", std::int64_t{0});
        e += '}';
        if (list.size() > 1) list += ',';
        list += e;
      }
    }
    list += ']';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::raw(o, "api_keys", list);
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (path == "/api/v1/account") {
    std::int64_t acct = 0;
    const std::string* by = param(params, "by");
    if (!by || *by != "index" || !int_param(params, "value", acct)) return error(400, 20001, "invalid param: by/value");
    if (!account_of(acct)) return error(400, 21100, "account not found");
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::kv(o, "total", std::int64_t{1});
    json::raw(o, "accounts", "[" + account_json(acct) + "]");
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  if (path == "/api/v1/accountActiveOrders" || path == "/api/v1/accountInactiveOrders") {
    std::int64_t acct = 0;
    if (auto refused = account_query(acct)) return std::move(*refused);
    std::int64_t market = 255;
    if (param(params, "market_id") && !int_param(params, "market_id", market)) {
      return error(400, 20001, "invalid param: market_id");
    }
    const LighterMarketRules* m = market == 255 ? nullptr : market_by_id(market);
    if (market != 255 && !m) return error(400, 21600, "invalid market index");
    std::string list = "[";
    const AccountId a = *account_of(acct);
    if (path == "/api/v1/accountActiveOrders") {
      for (const SimOrder& o : ex_.open_orders(a)) {
        if (market_by_symbol(o.symbol) && (!m || o.symbol == m->symbol)) json::item(list, order_json(o));
      }
    } else {
      std::int64_t limit = 100;
      if (param(params, "limit") && (!int_param(params, "limit", limit) || limit < 1 || limit > 100)) {
        return error(400, 20001, "invalid param: limit");
      }
      OrderHistoryQuery hq;
      if (m) hq.symbol = m->symbol;
      hq.limit = 1000;
      std::int64_t n = 0;
      for (const SimOrder& o : ex_.order_history(a, hq).items) {
        if (o.is_open() || !market_by_symbol(o.symbol) || replaced_by_modify(o.id)) continue;
        if (n++ == limit) break;
        json::item(list, order_json(o));
      }
    }
    list += ']';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::raw(o, "orders", list);
    json::kv(o, "next_cursor", "");
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  // The account's own trades (auth token as for its orders), newest first: each with our order's index on
  // our side and 0 for the other side's order and account (the core keeps no more of a counterparty).
  if (path == "/api/v1/trades") {
    std::int64_t acct = 0;
    if (auto refused = account_query(acct)) return std::move(*refused);
    std::int64_t market = 255;
    std::int64_t limit = 100;
    if (param(params, "market_id") && !int_param(params, "market_id", market)) {
      return error(400, 20001, "invalid param: market_id");
    }
    if (param(params, "limit") && (!int_param(params, "limit", limit) || limit < 1 || limit > 100)) {
      return error(400, 20001, "invalid param: limit");
    }
    const LighterMarketRules* only = market == 255 ? nullptr : market_by_id(market);
    if (market != 255 && !only) return error(400, 21600, "invalid market index");
    FillQuery fq;
    if (only) fq.symbol = only->symbol;
    fq.limit = 1000;
    std::string list = "[";
    std::int64_t n = 0;
    for (const SimFill& f : ex_.fills(*account_of(acct), fq).items) {
      const LighterMarketRules* m = market_by_symbol(f.symbol);
      if (!m) continue;
      if (n++ == limit) break;
      const bool ask = f.side == Side::kAsk;
      const std::int64_t ours = order_index_of(f.order_id);
      std::string e = "{";
      json::kv(e, "trade_id", f.trade_id);
      json::kv(e, "market_id", m->market_id);
      json::kd(e, "size", f.quantity, size_decimals(*m));
      json::kd(e, "price", f.price, price_decimals(*m));
      json::kd(e, "usd_amount", f.quantity.mul(f.price, Rounding::kTowardZero), kUsdcDecimals);
      json::kv(e, "ask_id", ask ? ours : std::int64_t{0});
      json::kv(e, "bid_id", ask ? std::int64_t{0} : ours);
      json::kv(e, "ask_account_id", ask ? acct : std::int64_t{0});
      json::kv(e, "bid_account_id", ask ? std::int64_t{0} : acct);
      json::kb(e, "is_maker_ask", ask == f.is_maker);
      json::kv(e, "block_height", std::int64_t{0});
      json::kv(e, "timestamp", f.timestamp_us / kUsPerMs);
      json::kv(e, "type", "trade");
      e += '}';
      json::item(list, e);
    }
    list += ']';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::raw(o, "trades", list);
    json::kv(o, "next_cursor", "");
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  // The account's funding payments (auth token as for its trades), newest first (docs/lighter.md, "REST
  // answers"): `change` is what the account received (+) or paid (-) in USDC, `position_size` the absolute
  // size it was paid on, `timestamp` the settlement in seconds, `rate` the interval's rate as a fraction.
  if (path == "/api/v1/positionFunding") {
    std::int64_t acct = 0;
    if (auto refused = account_query(acct)) return std::move(*refused);
    std::int64_t market = 255;
    std::int64_t limit = 100;
    if (param(params, "market_id") && !int_param(params, "market_id", market)) {
      return error(400, 20001, "invalid param: market_id");
    }
    if (!param(params, "limit") || !int_param(params, "limit", limit) || limit < 1 || limit > 100) {
      return error(400, 20001, "invalid param: limit");
    }
    const std::string* side = param(params, "side");
    if (side && *side != "long" && *side != "short" && *side != "all") return error(400, 20001, "invalid param: side");
    const LighterMarketRules* only = market == 255 ? nullptr : market_by_id(market);
    if (market != 255 && !only) return error(400, 21600, "invalid market index");
    FundingHistoryQuery fq;
    if (only) fq.symbol = only->symbol;
    fq.limit = 1000;
    std::string list = "[";
    std::int64_t n = 0;
    for (const FundingPayment& f : ex_.funding_history(*account_of(acct), fq).items) {
      const LighterMarketRules* m = market_by_symbol(f.symbol);
      if (!m) continue;
      const bool is_long = !f.position.is_negative();
      if (side && ((*side == "long" && !is_long) || (*side == "short" && is_long))) continue;
      if (n++ == limit) break;
      std::string e = "{";
      json::kv(e, "timestamp", f.interval_end_ms / 1000);
      json::kv(e, "market_id", m->market_id);
      json::kv(e, "funding_id", f.interval_end_ms / 1000);
      json::kd(e, "change", f.quantity, kUsdcDecimals);
      json::kd(e, "rate", f.funding_rate, 8);
      json::kd(e, "position_size", is_long ? f.position : -f.position, size_decimals(*m));
      json::kv(e, "position_side", is_long ? "long" : "short");
      json::kd(e, "discount", Decimal{}, kUsdcDecimals);
      e += '}';
      json::item(list, e);
    }
    list += ']';
    std::string o = "{";
    json::kv(o, "code", std::int64_t{200});
    json::raw(o, "position_fundings", list);
    json::kv(o, "next_cursor", "");
    o += '}';
    return HttpResponse{200, std::move(o)};
  }
  return error(404, 404, "not found");
}

}  // namespace bparb::sim::lighter
