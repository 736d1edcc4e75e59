// REST response parsers for orders, batch results, fills, funding payments and error answers (start-up /
// reconciliation path: owning strings, may allocate).
#include "parsers_rest_fields.hpp"

namespace bparb::backpack {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace)

// ----- orders

struct OrderExtra {
  std::string_view operation;
  std::string code;
  std::string message;
};

ParseError order_field(std::string_view k, od::value& v, Order& o, Required& r) {
  if (k == "id") {
    r.set(0);
    std::string_view s;
    BPARB_TRY(get_id_text(v, s, "id"));
    o.id.assign(s);
    return ok();
  }
  if (k == "symbol") {
    r.set(1);
    return req_string(v, o.symbol, "symbol");
  }
  if (k == "side") {
    r.set(2);
    return get_enum(v, o.side, parse_side, "side");
  }
  if (k == "orderType") {
    r.set(3);
    return get_enum(v, o.order_type, parse_order_type, "orderType");
  }
  if (k == "status") {
    r.set(4);
    return get_enum(v, o.status, parse_order_status, "status");
  }
  if (k == "clientId") return opt_client_id(v, o.client_id, "clientId");
  if (k == "createdAt") return is_null(v) ? ok() : get_timestamp_ms(v, o.created_at_ms, "createdAt");
  if (k == "timeInForce") {
    if (is_null(v)) return ok();
    TimeInForce t;
    BPARB_TRY(get_enum(v, t, parse_tif, "timeInForce"));
    o.time_in_force = t;
    return ok();
  }
  if (k == "price") return opt_decimal(v, o.price, "price");
  if (k == "quantity") return opt_decimal(v, o.quantity, "quantity");
  if (k == "quoteQuantity") return opt_decimal(v, o.quote_quantity, "quoteQuantity");
  if (k == "executedQuantity") return decimal_or_zero(v, o.executed_quantity, "executedQuantity");
  if (k == "executedQuoteQuantity") return decimal_or_zero(v, o.executed_quote_quantity, "executedQuoteQuantity");
  if (k == "postOnly") return opt_bool(v, o.post_only, "postOnly");
  if (k == "reduceOnly") return opt_bool(v, o.reduce_only, "reduceOnly");
  if (k == "selfTradePrevention") {
    if (is_null(v)) return ok();
    SelfTradePrevention s;
    BPARB_TRY(get_enum(v, s, parse_stp, "selfTradePrevention"));
    o.self_trade_prevention = s;
    return ok();
  }
  if (k == "triggerPrice") return opt_decimal(v, o.trigger_price, "triggerPrice");
  if (k == "triggerQuantity") {
    if (is_null(v)) return ok();
    std::string_view s;
    BPARB_TRY(scalar_text(v, s, "triggerQuantity"));
    o.trigger_quantity = std::string(s);
    return ok();
  }
  if (k == "expiryReason") return opt_string(v, o.expiry_reason, "expiryReason");
  if (k == "systemOrderType") return opt_string(v, o.system_order_type, "systemOrderType");
  if (k == "relatedOrderId") return opt_string(v, o.related_order_id, "relatedOrderId");
  if (k == "strategyId") return opt_string(v, o.strategy_id, "strategyId");
  return ok();
}

ParseError check_order_required(const Required& r) {
  static constexpr const char* kNames[] = {"id", "symbol", "side", "orderType", "status"};
  for (int i = 0; i < 5; ++i)
    if (!r.has(i)) return fail(ParseErrc::kMissingField, kNames[i]);
  return ok();
}

ParseError order_obj(od::object& obj, Order& o) {
  Required r;
  BPARB_FIELDS(obj, "order", { return order_field(k, v, o, r); });
  return check_order_required(r);
}

ParseError batch_obj(od::object& obj, BatchOrderResult& out) {
  Required r;
  std::string operation;
  bool has_operation = false;
  // Fields of an Err row (code/message) are not order fields; keep them aside and decide at the end.
  BPARB_FIELDS(obj, "batch", {
    if (k == "operation") {
      has_operation = true;
      return req_string(v, operation, "operation");
    }
    if (k == "code") return opt_string(v, out.code, "code");
    if (k == "message") return opt_string(v, out.message, "message");
    return order_field(k, v, out.order, r);
  });
  if (!has_operation) {
    // Tolerate rows without a discriminator: an order id means Ok, a code means Err.
    if (r.has(0))
      operation = "Ok";
    else if (!out.code.empty())
      operation = "Err";
    else
      return fail(ParseErrc::kMissingField, "operation");
  }
  if (operation == "Ok") {
    out.ok = true;
    return check_order_required(r);
  }
  if (operation == "Err") {
    out.ok = false;
    if (out.code.empty()) return fail(ParseErrc::kMissingField, "code");
    return ok();
  }
  return fail(ParseErrc::kBadEnum, "operation");
}

ParseError fill_obj(od::object& obj, Fill& f) {
  Required r;
  BPARB_FIELDS(obj, "fill", {
    if (k == "orderId") {
      r.set(0);
      std::string_view s;
      BPARB_TRY(get_id_text(v, s, "orderId"));
      f.order_id.assign(s);
      return ok();
    }
    if (k == "symbol") {
      r.set(1);
      return req_string(v, f.symbol, "symbol");
    }
    if (k == "side") {
      r.set(2);
      return get_enum(v, f.side, parse_side, "side");
    }
    if (k == "price") {
      r.set(3);
      return get_decimal(v, f.price, "price");
    }
    if (k == "quantity") {
      r.set(4);
      return get_decimal(v, f.quantity, "quantity");
    }
    if (k == "timestamp") {
      r.set(5);
      return get_timestamp_ms(v, f.timestamp_ms, "timestamp");
    }
    if (k == "tradeId") {
      if (is_null(v)) return ok();
      f.has_trade_id = true;
      return get_int(v, f.trade_id, "tradeId");
    }
    if (k == "clientId") return opt_client_id(v, f.client_id, "clientId");
    if (k == "fee") return decimal_or_zero(v, f.fee, "fee");
    if (k == "feeSymbol") return opt_string(v, f.fee_symbol, "feeSymbol");
    if (k == "isMaker") return bool_or_false(v, f.is_maker, "isMaker");
    if (k == "systemOrderType") return opt_string(v, f.system_order_type, "systemOrderType");
    return ok();
  });
  static constexpr const char* kNames[] = {"orderId", "symbol", "side", "price", "quantity", "timestamp"};
  for (int i = 0; i < 6; ++i)
    if (!r.has(i)) return fail(ParseErrc::kMissingField, kNames[i]);
  return ok();
}

ParseError funding_payment_obj(od::object& obj, FundingPayment& f) {
  Required r;
  BPARB_FIELDS(obj, "funding", {
    if (k == "symbol") {
      r.set(0);
      return req_string(v, f.symbol, "symbol");
    }
    if (k == "quantity") {
      r.set(1);
      return get_decimal(v, f.quantity, "quantity");
    }
    if (k == "intervalEndTimestamp") {
      r.set(2);
      return get_timestamp_ms(v, f.interval_end_timestamp_ms, "intervalEndTimestamp");
    }
    if (k == "fundingRate") return decimal_or_zero(v, f.funding_rate, "fundingRate", true);
    if (k == "userId") return int_or_zero(v, f.user_id, "userId");
    if (k == "subaccountId") return int_or_zero(v, f.subaccount_id, "subaccountId");
    return ok();
  });
  static constexpr const char* kNames[] = {"symbol", "quantity", "intervalEndTimestamp"};
  for (int i = 0; i < 3; ++i)
    if (!r.has(i)) return fail(ParseErrc::kMissingField, kNames[i]);
  return ok();
}

ParseError api_error_obj(od::object& obj, ApiError& e) {
  Required r;
  BPARB_FIELDS(obj, "error", {
    if (k == "code") {
      r.set(0);
      return opt_string(v, e.code, "code");
    }
    if (k == "message") return opt_string(v, e.message, "message");
    return ok();
  });
  if (!r.has(0) || e.code.empty()) return fail(ParseErrc::kMissingField, "code");
  return ok();
}
}  // namespace

ParseError parse_order(JsonParser& p, JsonInput in, Order& out) {
  return single(p, in, out, "order", order_obj);
}
ParseError parse_orders(JsonParser& p, JsonInput in, std::vector<Order>& out) {
  return array_of(p, in, out, "orders", order_obj);
}
ParseError parse_batch_results(JsonParser& p, JsonInput in, std::vector<BatchOrderResult>& out) {
  return array_of(p, in, out, "batch", batch_obj);
}
ParseError parse_fills(JsonParser& p, JsonInput in, std::vector<Fill>& out) {
  return array_of(p, in, out, "fills", fill_obj);
}
ParseError parse_funding_payments(JsonParser& p, JsonInput in, std::vector<FundingPayment>& out) {
  return array_of(p, in, out, "funding", funding_payment_obj);
}
ParseError parse_api_error(JsonParser& p, JsonInput in, ApiError& out) {
  return single(p, in, out, "error", api_error_obj);
}

#undef BPARB_FIELDS
#undef BPARB_FIELDS_AS

}  // namespace bparb::backpack
