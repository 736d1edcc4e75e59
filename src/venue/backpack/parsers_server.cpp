// Server-side parsers for bpsim: order / cancel bodies as received, with the exact value texts the
// client signed, so the server can rebuild the signing string (docs/backpack.md §1.2: the exchange re-renders
// parsed key/values rather than hashing raw bytes).
#include <limits>

#include "parsers_detail.hpp"

namespace bparb::backpack {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace)

// Text form of a scalar as it enters the signing string; false for null (field treated as absent).
ParseError param_text(od::value& v, std::string_view& out, bool& present, const char* field) noexcept {
  od::json_type t;
  BPARB_TRY(value_type(v, t, field));
  present = true;
  switch (t) {
    case od::json_type::null:
      present = false;
      return ok();
    case od::json_type::string:
      BPARB_SJ(v.get_string().get(out), field);
      return ok();
    case od::json_type::number:
      out = trim_ws(v.raw_json_token());
      return ok();
    case od::json_type::boolean: {
      bool b = false;
      BPARB_SJ(v.get_bool().get(b), field);
      out = b ? "true" : "false";
      return ok();
    }
    default:
      return fail(ParseErrc::kWrongType, field);  // nested objects/arrays are not part of these payloads
  }
}

ParseError text_decimal(std::string_view s, std::optional<Decimal>& out, const char* field) noexcept {
  Decimal d;
  BPARB_TRY(decimal_from_text(s, d, false, field));
  out = d;
  return ok();
}

ParseError text_bool(std::string_view s, std::optional<bool>& out, const char* field) noexcept {
  if (s == "true")
    out = true;
  else if (s == "false")
    out = false;
  else
    return fail(ParseErrc::kWrongType, field);
  return ok();
}

ParseError text_uint(std::string_view s, std::uint64_t max, std::uint64_t& out, const char* field) noexcept {
  std::int64_t x = 0;
  BPARB_TRY(int_from_text(s, x, field));
  if (x < 0 || static_cast<std::uint64_t>(x) > max) return fail(ParseErrc::kOutOfRange, field);
  out = static_cast<std::uint64_t>(x);
  return ok();
}

template <class Enum, class Fn>
ParseError text_enum(std::string_view s, std::optional<Enum>& out, Fn parse_fn, const char* field) noexcept {
  Enum e;
  if (!parse_fn(s, e)) return fail(ParseErrc::kBadEnum, field);
  out = e;
  return ok();
}

// Interprets one (key, text) pair of an order body. JSON types are checked loosely on purpose (a
// decimal sent as a JSON number is accepted) because the real API's strictness here is unknown;
// the text is what gets verified against the signature either way.
ParseError order_param(std::string_view k, std::string_view s, od::json_type t, OrderExecutePayload& o,
                       std::uint32_t& seen) noexcept {
  auto need_string = [&](const char* field) noexcept {
    return t == od::json_type::string ? ok() : fail(ParseErrc::kWrongType, field);
  };
  if (k == "symbol") {
    BPARB_TRY(need_string("symbol"));
    if (s.empty()) return fail(ParseErrc::kBadValue, "symbol");
    o.symbol.assign(s);
    seen |= 1;
    return ok();
  }
  if (k == "side") {
    BPARB_TRY(need_string("side"));
    if (!parse_side(s, o.side)) return fail(ParseErrc::kBadEnum, "side");
    seen |= 2;
    return ok();
  }
  if (k == "orderType") {
    BPARB_TRY(need_string("orderType"));
    // REST uses "Limit"/"Market" only (upper case is the WS spelling).
    if (s == "Limit")
      o.order_type = OrderType::kLimit;
    else if (s == "Market")
      o.order_type = OrderType::kMarket;
    else
      return fail(ParseErrc::kBadEnum, "orderType");
    seen |= 4;
    return ok();
  }
  if (k == "quantity") return text_decimal(s, o.quantity, "quantity");
  if (k == "quoteQuantity") return text_decimal(s, o.quote_quantity, "quoteQuantity");
  if (k == "price") return text_decimal(s, o.price, "price");
  if (k == "timeInForce") return text_enum(s, o.time_in_force, parse_tif, "timeInForce");
  if (k == "selfTradePrevention") return text_enum(s, o.self_trade_prevention, parse_stp, "selfTradePrevention");
  if (k == "postOnly") return text_bool(s, o.post_only, "postOnly");
  if (k == "reduceOnly") return text_bool(s, o.reduce_only, "reduceOnly");
  if (k == "autoLend") return text_bool(s, o.auto_lend, "autoLend");
  if (k == "autoLendRedeem") return text_bool(s, o.auto_lend_redeem, "autoLendRedeem");
  if (k == "autoBorrow") return text_bool(s, o.auto_borrow, "autoBorrow");
  if (k == "autoBorrowRepay") return text_bool(s, o.auto_borrow_repay, "autoBorrowRepay");
  if (k == "clientId") {
    std::uint64_t x = 0;
    BPARB_TRY(text_uint(s, std::numeric_limits<std::uint32_t>::max(), x, "clientId"));
    o.client_id = static_cast<std::uint32_t>(x);
    return ok();
  }
  if (k == "brokerId") {
    std::uint64_t x = 0;
    BPARB_TRY(text_uint(s, std::numeric_limits<std::uint16_t>::max(), x, "brokerId"));
    o.broker_id = static_cast<std::uint16_t>(x);
    return ok();
  }
  return ok();  // other documented fields (trigger*, stopLoss*, slippage*) and unknown keys: kept in params only
}

ParseError order_object(od::object& obj, OrderExecutePayload& o) {
  o = OrderExecutePayload{};
  std::uint32_t seen = 0;
  ParseError st = for_each_field(obj, "order", [&](std::string_view k, od::value& v) -> ParseError {
    od::json_type t;
    BPARB_TRY(value_type(v, t, "order"));
    std::string_view text;
    bool present = false;
    BPARB_TRY(param_text(v, text, present, "order"));
    if (!present) return ok();
    o.params.push_back(ParamText{std::string(k), std::string(text)});
    return order_param(k, text, t, o, seen);
  });
  if (!st.ok()) return st;
  if (!(seen & 1)) return fail(ParseErrc::kMissingField, "symbol");
  if (!(seen & 2)) return fail(ParseErrc::kMissingField, "side");
  if (!(seen & 4)) return fail(ParseErrc::kMissingField, "orderType");
  return ok();
}

}  // namespace

ParseError parse_order_execute_payload(JsonParser& p, JsonInput in, OrderExecutePayload& out) {
  od::document doc;
  od::object obj;
  BPARB_TRY(root_object(p, in, doc, obj, "order"));
  return order_object(obj, out);
}

ParseError parse_order_execute_batch(JsonParser& p, JsonInput in, std::vector<OrderExecutePayload>& out) {
  out.clear();
  od::document doc;
  od::array arr;
  BPARB_TRY(root_array(p, in, doc, arr, "orders"));
  for (auto el_res : arr) {
    od::value el;
    BPARB_SJ(el_res.get(el), "orders[]");
    od::json_type t;
    BPARB_TRY(value_type(el, t, "orders[]"));
    if (t != od::json_type::object) return fail(ParseErrc::kWrongType, "orders[]");
    od::object obj;
    BPARB_SJ(el.get_object().get(obj), "orders[]");
    OrderExecutePayload o;
    BPARB_TRY(order_object(obj, o));
    out.push_back(std::move(o));
  }
  if (out.empty()) return fail(ParseErrc::kBadValue, "orders");
  return ok();
}

ParseError parse_cancel_payload(JsonParser& p, JsonInput in, CancelPayload& out) {
  out = CancelPayload{};
  od::document doc;
  od::object obj;
  BPARB_TRY(root_object(p, in, doc, obj, "cancel"));
  ParseError st = for_each_field(obj, "cancel", [&](std::string_view k, od::value& v) -> ParseError {
    od::json_type t;
    BPARB_TRY(value_type(v, t, "cancel"));
    std::string_view text;
    bool present = false;
    BPARB_TRY(param_text(v, text, present, "cancel"));
    if (!present) return ok();
    out.params.push_back(ParamText{std::string(k), std::string(text)});
    if (k == "symbol") {
      if (t != od::json_type::string) return fail(ParseErrc::kWrongType, "symbol");
      out.symbol.assign(text);
    } else if (k == "orderId") {
      // Spec: string. The docs' own example sends a JSON number (orderId: 28); accept both.
      if (t != od::json_type::string && t != od::json_type::number) return fail(ParseErrc::kWrongType, "orderId");
      if (text.empty()) return fail(ParseErrc::kBadValue, "orderId");
      out.order_id = std::string(text);
    } else if (k == "clientId") {
      std::uint64_t x = 0;
      BPARB_TRY(text_uint(text, std::numeric_limits<std::uint32_t>::max(), x, "clientId"));
      out.client_id = static_cast<std::uint32_t>(x);
    } else if (k == "orderType") {
      if (text != "RestingLimitOrder" && text != "ConditionalOrder") return fail(ParseErrc::kBadEnum, "orderType");
      out.order_type = std::string(text);
    }
    return ok();
  });
  if (!st.ok()) return st;
  if (out.symbol.empty()) return fail(ParseErrc::kMissingField, "symbol");
  if (out.order_id && out.client_id) return fail(ParseErrc::kBadValue, "orderId");
  return ok();
}

}  // namespace bparb::backpack
