// Loopback control routes: /_bpsim/faults and /_bpsim/scenario (the JSON is described in rest_api.cpp).
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
      "release_mark_index", "market_state", "deposit",   "step", "half_spread"};
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
  for (CoinOp op :
       {CoinOp{"set_mid", "price"}, CoinOp{"set_basis", "bps"}, CoinOp{"jump", "bps"}, CoinOp{"half_spread", "bps"}}) {
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
    } else if (std::string_view(op.key) == "half_spread") {
      ok = model->set_half_spread_bps(sym, v);
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

}  // namespace bparb::sim::rest
