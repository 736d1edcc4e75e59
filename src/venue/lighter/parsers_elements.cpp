// Readers of the elements that REST answers and WebSocket frames share: markets, orders, trades,
// positions, assets, funding (docs/lighter.md).
#include "parsers_json.hpp"

namespace bparb::lighter::json {

ParseError parse_market_details(od::value& v, MarketDetails& m) noexcept {
  bool has_id = false;
  bool has_size_dec = false;
  bool has_price_dec = false;
  std::int64_t supported_size = -1;
  std::int64_t supported_price = -1;
  LTRY(for_each_field(v, "market", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "market_id") {
      has_id = true;
      return get_int_range(x, m.market_id, 0, INT64_MAX, "market_id");
    }
    if (k == "symbol") {
      std::string_view s;
      LTRY(get_string(x, s, "symbol"));
      try {
        m.symbol.assign(s);
      } catch (...) {
        return fail(ParseErrc::kTooLarge, "symbol");
      }
      return ok();
    }
    if (k == "market_type") {
      std::string_view s;
      LTRY(get_string(x, s, "market_type"));
      if (s == "perp") {
        m.kind = MarketKind::kPerp;
      } else if (s == "spot") {
        m.kind = MarketKind::kSpot;
      } else {
        return fail(ParseErrc::kBadEnum, "market_type");
      }
      return ok();
    }
    if (k == "status") {
      std::string_view s;
      LTRY(get_string(x, s, "status"));
      m.active = s == "active";
      return ok();
    }
    if (k == "size_decimals") {
      has_size_dec = true;
      return get_small(x, m.size_decimals, 0, 9, "size_decimals");
    }
    if (k == "price_decimals") {
      has_price_dec = true;
      return get_small(x, m.price_decimals, 0, 9, "price_decimals");
    }
    if (k == "supported_size_decimals") return get_int_range(x, supported_size, 0, 9, "supported_size_decimals");
    if (k == "supported_price_decimals") return get_int_range(x, supported_price, 0, 9, "supported_price_decimals");
    if (k == "supported_quote_decimals") return get_small(x, m.quote_decimals, 0, 18, "supported_quote_decimals");
    if (k == "min_base_amount") return get_decimal(x, m.min_base_amount, "min_base_amount");
    if (k == "min_quote_amount") return get_decimal(x, m.min_quote_amount, "min_quote_amount");
    if (k == "order_quote_limit") return get_decimal(x, m.order_quote_limit, "order_quote_limit");
    if (k == "taker_fee") return get_decimal(x, m.taker_fee_pct, "taker_fee");
    if (k == "maker_fee") return get_decimal(x, m.maker_fee_pct, "maker_fee");
    if (k == "liquidation_fee") return get_decimal(x, m.liquidation_fee_pct, "liquidation_fee");
    if (k == "default_initial_margin_fraction") {
      m.has_margin_fractions = true;
      return get_small(x, m.default_initial_margin_fraction, 0, 10000, "default_initial_margin_fraction");
    }
    if (k == "min_initial_margin_fraction")
      return get_small(x, m.min_initial_margin_fraction, 0, 10000, "min_initial_margin_fraction");
    if (k == "maintenance_margin_fraction")
      return get_small(x, m.maintenance_margin_fraction, 0, 10000, "maintenance_margin_fraction");
    if (k == "closeout_margin_fraction")
      return get_small(x, m.closeout_margin_fraction, 0, 10000, "closeout_margin_fraction");
    return ok();
  }));
  if (!has_id) return fail(ParseErrc::kMissingField, "market_id");
  // The older names carry the same scales; the newer ones win when both are present.
  if (!has_size_dec) {
    if (supported_size < 0) return fail(ParseErrc::kMissingField, "size_decimals");
    m.size_decimals = static_cast<std::uint8_t>(supported_size);
  }
  if (!has_price_dec) {
    if (supported_price < 0) return fail(ParseErrc::kMissingField, "price_decimals");
    m.price_decimals = static_cast<std::uint8_t>(supported_price);
  }
  if (m.symbol.empty()) return fail(ParseErrc::kMissingField, "symbol");
  return ok();
}

struct StatusName {
  std::string_view text;
  const char* reason;
};
// "canceled-<reason>" statuses of the venue's order object (docs/lighter.md, "Orders").
constexpr StatusName kCancelReasons[] = {
    {"post-only", "post-only"},
    {"reduce-only", "reduce-only"},
    {"position-not-allowed", "position-not-allowed"},
    {"margin-not-allowed", "margin-not-allowed"},
    {"too-much-slippage", "too-much-slippage"},
    {"not-enough-liquidity", "not-enough-liquidity"},
    {"self-trade", "self-trade"},
    {"expired", "expired"},
    {"oco", "oco"},
    {"child", "child"},
    {"liquidation", "liquidation"},
    {"invalid-balance", "invalid-balance"},
};

namespace {
bool parse_status(std::string_view s, Order& o) noexcept {
  if (s == "open") {
    o.status = OrderStatus::kOpen;
  } else if (s == "filled") {
    o.status = OrderStatus::kFilled;
  } else if (s == "pending") {
    o.status = OrderStatus::kPending;
  } else if (s == "in-progress") {
    o.status = OrderStatus::kInProgress;
  } else if (s == "canceled") {
    o.status = OrderStatus::kCanceled;
    o.cancel_reason = "";
  } else if (s.starts_with("canceled-")) {
    o.status = OrderStatus::kCanceled;
    const std::string_view r = s.substr(9);
    o.cancel_reason = "other";
    for (const StatusName& n : kCancelReasons)
      if (n.text == r) o.cancel_reason = n.reason;
  } else {
    return false;
  }
  return true;
}
}  // namespace

namespace {
bool parse_order_kind(std::string_view s, OrderKind& k) noexcept {
  constexpr std::pair<std::string_view, OrderKind> kKinds[] = {
      {"limit", OrderKind::kLimit},
      {"market", OrderKind::kMarket},
      {"stop-loss", OrderKind::kStopLoss},
      {"stop-loss-limit", OrderKind::kStopLossLimit},
      {"take-profit", OrderKind::kTakeProfit},
      {"take-profit-limit", OrderKind::kTakeProfitLimit},
      {"twap", OrderKind::kTwap},
      {"twap-sub", OrderKind::kTwapSub},
      {"liquidation", OrderKind::kLiquidation},
  };
  for (const auto& [t, kind] : kKinds) {
    if (t == s) {
      k = kind;
      return true;
    }
  }
  return false;
}
}  // namespace

namespace {
bool parse_tif(std::string_view s, OrderTimeInForce& t) noexcept {
  if (s == "good-till-time") {
    t = OrderTimeInForce::kGoodTillTime;
  } else if (s == "immediate-or-cancel") {
    t = OrderTimeInForce::kImmediateOrCancel;
  } else if (s == "post-only") {
    t = OrderTimeInForce::kPostOnly;
  } else {
    return false;
  }
  return true;
}
}  // namespace

ParseError parse_order(od::value& v, Order& o) noexcept {
  bool has_index = false;
  bool has_status = false;
  LTRY(for_each_field(v, "order", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "order_index") {
      has_index = true;
      return get_int_range(x, o.order_index, 0, INT64_MAX, "order_index");
    }
    if (k == "client_order_index") return get_int_range(x, o.client_order_index, 0, INT64_MAX, "client_order_index");
    if (k == "market_index") return get_int_range(x, o.market_index, 0, INT64_MAX, "market_index");
    if (k == "owner_account_index") return get_int(x, o.owner_account_index, "owner_account_index");
    if (k == "initial_base_amount") return get_decimal(x, o.initial_base_amount, "initial_base_amount");
    if (k == "remaining_base_amount") return get_decimal(x, o.remaining_base_amount, "remaining_base_amount");
    if (k == "filled_base_amount") return get_decimal(x, o.filled_base_amount, "filled_base_amount");
    if (k == "filled_quote_amount") return get_decimal(x, o.filled_quote_amount, "filled_quote_amount", true);
    if (k == "price") return get_decimal(x, o.price, "price");
    if (k == "trigger_price") return get_decimal(x, o.trigger_price, "trigger_price");
    if (k == "is_ask") return get_bool(x, o.is_ask, "is_ask");
    if (k == "reduce_only") return get_bool(x, o.reduce_only, "reduce_only");
    if (k == "order_expiry") return get_int(x, o.order_expiry_ms, "order_expiry");
    if (k == "nonce") return get_int(x, o.nonce, "nonce");
    if (k == "timestamp") return get_int(x, o.timestamp_ms, "timestamp");
    if (k == "updated_at") return get_int(x, o.updated_at_ms, "updated_at");
    if (k == "type") {
      std::string_view s;
      LTRY(get_string(x, s, "type"));
      return parse_order_kind(s, o.type) ? ok() : fail(ParseErrc::kBadEnum, "type");
    }
    if (k == "time_in_force") {
      std::string_view s;
      LTRY(get_string(x, s, "time_in_force"));
      return parse_tif(s, o.time_in_force) ? ok() : fail(ParseErrc::kBadEnum, "time_in_force");
    }
    if (k == "status") {
      has_status = true;
      std::string_view s;
      LTRY(get_string(x, s, "status"));
      return parse_status(s, o) ? ok() : fail(ParseErrc::kBadEnum, "status");
    }
    return ok();
  }));
  if (!has_index) return fail(ParseErrc::kMissingField, "order_index");
  if (!has_status) return fail(ParseErrc::kMissingField, "status");
  if (o.remaining_base_amount.is_negative() || o.initial_base_amount.is_negative() || o.price.is_negative())
    return fail(ParseErrc::kBadValue, "order");
  return ok();
}

ParseError parse_trade(od::value& v, Trade& t) noexcept {
  bool has_id = false;
  bool has_price = false;
  bool has_size = false;
  LTRY(for_each_field(v, "trade", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "trade_id") {
      has_id = true;
      return get_int(x, t.trade_id, "trade_id");
    }
    if (k == "market_id") return get_int_range(x, t.market_id, 0, INT64_MAX, "market_id");
    if (k == "size") {
      has_size = true;
      return get_decimal(x, t.size, "size");
    }
    if (k == "price") {
      has_price = true;
      return get_decimal(x, t.price, "price");
    }
    if (k == "usd_amount") return get_decimal(x, t.usd_amount, "usd_amount", true);
    if (k == "ask_id") return get_int(x, t.ask_id, "ask_id");
    if (k == "bid_id") return get_int(x, t.bid_id, "bid_id");
    if (k == "ask_account_id") return get_int(x, t.ask_account_id, "ask_account_id");
    if (k == "bid_account_id") return get_int(x, t.bid_account_id, "bid_account_id");
    if (k == "is_maker_ask") return get_bool(x, t.is_maker_ask, "is_maker_ask");
    if (k == "block_height") return get_int(x, t.block_height, "block_height");
    if (k == "timestamp") return get_int(x, t.timestamp_ms, "timestamp");
    return ok();
  }));
  if (!has_id || !has_price || !has_size) return fail(ParseErrc::kMissingField, "trade");
  if (!t.price.is_positive() || !t.size.is_positive()) return fail(ParseErrc::kBadValue, "trade");
  return ok();
}

ParseError parse_position(od::value& v, Position& p) noexcept {
  bool has_market = false;
  bool has_sign = false;
  LTRY(for_each_field(v, "position", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "market_id") {
      has_market = true;
      return get_int_range(x, p.market_id, 0, INT64_MAX, "market_id");
    }
    if (k == "symbol") {
      std::string_view s;
      LTRY(get_string(x, s, "symbol"));
      try {
        p.symbol.assign(s);
      } catch (...) {
        return fail(ParseErrc::kTooLarge, "symbol");
      }
      return ok();
    }
    if (k == "sign") {
      has_sign = true;
      return get_small(x, p.sign, -1, 1, "sign");
    }
    if (k == "position") return get_decimal(x, p.size, "position");
    if (k == "avg_entry_price") return get_decimal(x, p.avg_entry_price, "avg_entry_price", true);
    if (k == "position_value") return get_decimal(x, p.position_value, "position_value", true);
    if (k == "unrealized_pnl") return get_decimal(x, p.unrealized_pnl, "unrealized_pnl", true);
    if (k == "realized_pnl") return get_decimal(x, p.realized_pnl, "realized_pnl", true);
    if (k == "liquidation_price") return get_decimal(x, p.liquidation_price, "liquidation_price", true);
    if (k == "allocated_margin") return get_decimal(x, p.allocated_margin, "allocated_margin", true);
    if (k == "open_order_count") return get_int(x, p.open_order_count, "open_order_count");
    if (k == "pending_order_count") return get_int(x, p.pending_order_count, "pending_order_count");
    if (k == "margin_mode") return get_small(x, p.margin_mode, 0, 1, "margin_mode");
    return ok();
  }));
  if (!has_market || !has_sign) return fail(ParseErrc::kMissingField, "position");
  if (p.size.is_negative()) return fail(ParseErrc::kBadValue, "position");
  p.signed_size = p.sign < 0 ? -p.size : p.size;
  return ok();
}

ParseError parse_asset(od::value& v, Asset& a) noexcept {
  return for_each_field(v, "asset", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "symbol") {
      std::string_view s;
      LTRY(get_string(x, s, "symbol"));
      try {
        a.symbol.assign(s);
      } catch (...) {
        return fail(ParseErrc::kTooLarge, "symbol");
      }
      return ok();
    }
    if (k == "asset_id") return get_int(x, a.asset_id, "asset_id");
    if (k == "balance") return get_decimal(x, a.balance, "balance", true);
    if (k == "locked_balance") return get_decimal(x, a.locked_balance, "locked_balance", true);
    return ok();
  });
}

ParseError parse_funding(od::value& v, PositionFunding& f) noexcept {
  bool has_change = false;
  LTRY(for_each_field(v, "position_funding", [&](std::string_view k, od::value& x) noexcept -> ParseError {
    if (k == "timestamp") return get_int(x, f.timestamp, "timestamp");
    if (k == "market_id") return get_int_range(x, f.market_id, 0, INT64_MAX, "market_id");
    if (k == "funding_id") return get_int(x, f.funding_id, "funding_id");
    if (k == "change") {
      has_change = true;
      return get_decimal(x, f.change, "change", true);
    }
    if (k == "rate") return get_decimal(x, f.rate, "rate", true);
    if (k == "position_size") return get_decimal(x, f.position_size, "position_size");
    if (k == "discount") return get_decimal(x, f.discount, "discount", true);
    if (k == "position_side") {
      std::string_view s;
      LTRY(get_string(x, s, "position_side"));
      if (s == "long") {
        f.long_side = true;
      } else if (s == "short") {
        f.long_side = false;
      } else {
        return fail(ParseErrc::kBadEnum, "position_side");
      }
      return ok();
    }
    return ok();
  }));
  if (!has_change) return fail(ParseErrc::kMissingField, "change");
  return ok();
}

namespace {
bool is_hex_lower_or_upper(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
}  // namespace

// 80 hex characters, an optional "0x" in front, stored lowercase.
ParseError get_tx_hash(od::value& v, TxHashHex& out, const char* field) noexcept {
  std::string_view s;
  LTRY(get_string(v, s, field));
  if (s.starts_with("0x")) s.remove_prefix(2);
  if (s.size() != out.size()) return fail(ParseErrc::kBadValue, field);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!is_hex_lower_or_upper(c)) return fail(ParseErrc::kBadValue, field);
    out[i] = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return ok();
}

}  // namespace bparb::lighter::json
