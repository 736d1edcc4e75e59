// REST response parsers for markets, market data and the account (start-up / reconciliation path: owning
// strings, may allocate). Orders, fills and history are in parsers_rest_orders.cpp.
#include "parsers_rest_fields.hpp"

namespace bparb::backpack {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace)

// ----- markets

ParseError margin_function(od::value& val, MarginFunction& out, const char* field) {
  out = MarginFunction{};
  if (is_null(val)) return ok();
  od::object obj;
  BPARB_SJ(val.get_object().get(obj), field);
  bool sqrt_type = false, has_base = false;
  BPARB_FIELDS(obj, field, {
    if (k == "type") {
      std::string_view t;
      BPARB_TRY(get_string(v, t, field));
      sqrt_type = t == "sqrt";
      return ok();
    }
    if (k == "base") {
      has_base = true;
      return get_decimal(v, out.base, field, true);
    }
    if (k == "factor") return get_decimal(v, out.factor, field, true);
    return ok();
  });
  // Only the documented {"type":"sqrt"} form is understood; any other kind is left "not present"
  // (it feeds margin estimates, never order fields) rather than failing the whole market list.
  out.present = sqrt_type && has_base;
  return ok();
}

ParseError price_filter(od::value& val, MarketSpec& m) {
  od::object obj;
  BPARB_SJ(val.get_object().get(obj), "filters.price");
  Required r;
  BPARB_FIELDS(obj, "filters.price", {
    if (k == "tickSize") {
      r.set(0);
      return get_decimal(v, m.tick_size, "filters.price.tickSize");
    }
    if (k == "minPrice") {
      r.set(1);
      return get_decimal(v, m.min_price, "filters.price.minPrice");
    }
    if (k == "maxPrice") return decimal_or_zero(v, m.max_price, "filters.price.maxPrice");
    if (k == "maxMultiplier") return decimal_or_zero(v, m.max_multiplier, "filters.price.maxMultiplier");
    if (k == "minMultiplier") return decimal_or_zero(v, m.min_multiplier, "filters.price.minMultiplier");
    if (k == "maxImpactMultiplier")
      return decimal_or_zero(v, m.max_impact_multiplier, "filters.price.maxImpactMultiplier");
    if (k == "minImpactMultiplier")
      return decimal_or_zero(v, m.min_impact_multiplier, "filters.price.minImpactMultiplier");
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "filters.price.tickSize");
  if (!m.tick_size.is_positive()) return fail(ParseErrc::kBadValue, "filters.price.tickSize");
  return ok();
}

ParseError quantity_filter(od::value& val, MarketSpec& m) {
  od::object obj;
  BPARB_SJ(val.get_object().get(obj), "filters.quantity");
  Required r;
  BPARB_FIELDS(obj, "filters.quantity", {
    if (k == "stepSize") {
      r.set(0);
      return get_decimal(v, m.step_size, "filters.quantity.stepSize");
    }
    if (k == "minQuantity") {
      r.set(1);
      return get_decimal(v, m.min_quantity, "filters.quantity.minQuantity");
    }
    if (k == "maxQuantity") return decimal_or_zero(v, m.max_quantity, "filters.quantity.maxQuantity");
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "filters.quantity.stepSize");
  if (!m.step_size.is_positive()) return fail(ParseErrc::kBadValue, "filters.quantity.stepSize");
  return ok();
}

ParseError market_obj(od::object& obj, MarketSpec& m) {
  Required r;
  BPARB_FIELDS(obj, "market", {
    if (k == "symbol") {
      r.set(0);
      return req_string(v, m.symbol, "symbol");
    }
    if (k == "baseSymbol") {
      r.set(1);
      return req_string(v, m.base_symbol, "baseSymbol");
    }
    if (k == "quoteSymbol") {
      r.set(2);
      return req_string(v, m.quote_symbol, "quoteSymbol");
    }
    if (k == "marketType") {
      r.set(3);
      return get_enum(v, m.type, parse_market_type, "marketType");
    }
    if (k == "orderBookState") {
      r.set(4);
      return get_enum(v, m.state, parse_order_book_state, "orderBookState");
    }
    if (k == "visible") return is_null(v) ? ok() : get_bool(v, m.visible, "visible");
    if (k == "filters") {
      r.set(5);
      od::object f;
      BPARB_SJ(v.get_object().get(f), "filters");
      bool has_price = false, has_qty = false;
      BPARB_FIELDS_AS(f, "filters", fk, fv, fst, {
        if (fk == "price") {
          has_price = true;
          return price_filter(fv, m);
        }
        if (fk == "quantity") {
          has_qty = true;
          return quantity_filter(fv, m);
        }
        return ok();
      });
      if (!has_price) return fail(ParseErrc::kMissingField, "filters.price");
      if (!has_qty) return fail(ParseErrc::kMissingField, "filters.quantity");
      return ok();
    }
    // fundingInterval: ms, number or string (ccxt sample), null on spot.
    if (k == "fundingInterval") return int_or_zero(v, m.funding_interval_ms, "fundingInterval");
    if (k == "fundingRateUpperBound")
      return decimal_or_zero(v, m.funding_rate_upper_bound_bps, "fundingRateUpperBound");
    if (k == "fundingRateLowerBound")
      return decimal_or_zero(v, m.funding_rate_lower_bound_bps, "fundingRateLowerBound");
    if (k == "imfFunction") return margin_function(v, m.imf, "imfFunction");
    if (k == "mmfFunction") return margin_function(v, m.mmf, "mmfFunction");
    if (k == "openInterestLimit") return decimal_or_zero(v, m.open_interest_limit, "openInterestLimit", true);
    return ok();
  });
  static constexpr const char* kNames[] = {"symbol",     "baseSymbol",     "quoteSymbol",
                                           "marketType", "orderBookState", "filters"};
  for (int i = 0; i < 6; ++i)
    if (!r.has(i)) return fail(ParseErrc::kMissingField, kNames[i]);
  if (m.symbol.empty()) return fail(ParseErrc::kBadValue, "symbol");
  if (m.funding_interval_ms < 0) return fail(ParseErrc::kBadValue, "fundingInterval");
  // Spot rows have carried a stray fundingInterval (ccxt sample, July 2025): meaningless there.
  if (m.type == MarketType::kSpot) m.funding_interval_ms = 0;
  return ok();
}

}  // namespace

ParseError parse_markets(JsonParser& p, JsonInput in, std::vector<MarketSpec>& out) {
  return array_of(p, in, out, "markets", market_obj);
}

ParseError parse_market(JsonParser& p, JsonInput in, MarketSpec& out) {
  return single(p, in, out, "market", market_obj);
}

ParseError parse_depth_snapshot(JsonParser& p, JsonInput in, DepthSnapshot& out) {
  od::document doc;
  od::object obj;
  BPARB_TRY(root_object(p, in, doc, obj, "depth"));
  out.last_update_id = 0;
  out.timestamp_us = 0;
  out.bids.clear();
  out.asks.clear();
  Required r;
  BPARB_FIELDS(obj, "depth", {
    if (k == "lastUpdateId") {
      r.set(0);
      return get_int(v, out.last_update_id, "lastUpdateId");
    }
    if (k == "timestamp") return int_or_zero(v, out.timestamp_us, "timestamp");
    if (k == "asks") {
      r.set(1);
      return get_levels(v, out.asks, "asks");
    }
    if (k == "bids") {
      r.set(2);
      return get_levels(v, out.bids, "bids");
    }
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "lastUpdateId");
  if (!r.has(1)) return fail(ParseErrc::kMissingField, "asks");
  if (!r.has(2)) return fail(ParseErrc::kMissingField, "bids");
  return ok();
}

namespace {
ParseError ticker_obj(od::object& obj, Ticker& t) {
  Required r;
  BPARB_FIELDS(obj, "ticker", {
    if (k == "symbol") {
      r.set(0);
      return req_string(v, t.symbol, "symbol");
    }
    if (k == "lastPrice") {
      r.set(1);
      return get_decimal(v, t.last_price, "lastPrice", true);
    }
    if (k == "firstPrice") return decimal_or_zero(v, t.first_price, "firstPrice", true);
    if (k == "priceChange") return decimal_or_zero(v, t.price_change, "priceChange", true);
    if (k == "priceChangePercent") {
      // Documented as a decimal string but seen as "N/A": anything non-numeric -> unknown.
      if (is_null(v)) return ok();
      std::string_view s;
      if (!scalar_text(v, s, "priceChangePercent").ok()) return ok();
      Decimal d;
      if (decimal_from_text(s, d, true, "priceChangePercent").ok()) t.price_change_percent = d;
      return ok();
    }
    if (k == "high") return decimal_or_zero(v, t.high, "high", true);
    if (k == "low") return decimal_or_zero(v, t.low, "low", true);
    if (k == "volume") return decimal_or_zero(v, t.volume, "volume", true);
    if (k == "quoteVolume") return decimal_or_zero(v, t.quote_volume, "quoteVolume", true);
    if (k == "trades") return int_or_zero(v, t.trades, "trades");
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "symbol");
  if (!r.has(1)) return fail(ParseErrc::kMissingField, "lastPrice");
  return ok();
}

ParseError mark_price_obj(od::object& obj, MarkPrice& m) {
  Required r;
  BPARB_FIELDS(obj, "markPrice", {
    if (k == "symbol") {
      r.set(0);
      return req_string(v, m.symbol, "symbol");
    }
    if (k == "markPrice") {
      r.set(1);
      return get_decimal(v, m.mark_price, "markPrice", true);
    }
    if (k == "fundingRate") return decimal_or_zero(v, m.funding_rate, "fundingRate", true);
    if (k == "indexPrice") return decimal_or_zero(v, m.index_price, "indexPrice", true);
    if (k == "nextFundingTimestamp") return int_or_zero(v, m.next_funding_timestamp_ms, "nextFundingTimestamp");
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "symbol");
  if (!r.has(1)) return fail(ParseErrc::kMissingField, "markPrice");
  return ok();
}

ParseError funding_rate_obj(od::object& obj, FundingRate& f) {
  Required r;
  BPARB_FIELDS(obj, "fundingRate", {
    if (k == "symbol") {
      r.set(0);
      return req_string(v, f.symbol, "symbol");
    }
    if (k == "intervalEndTimestamp") {
      r.set(1);
      return get_timestamp_ms(v, f.interval_end_timestamp_ms, "intervalEndTimestamp");
    }
    if (k == "fundingRate") {
      r.set(2);
      return get_decimal(v, f.funding_rate, "fundingRate", true);
    }
    return ok();
  });
  static constexpr const char* kNames[] = {"symbol", "intervalEndTimestamp", "fundingRate"};
  for (int i = 0; i < 3; ++i)
    if (!r.has(i)) return fail(ParseErrc::kMissingField, kNames[i]);
  return ok();
}

ParseError account_obj(od::object& obj, AccountSummary& a) {
  Required r;
  BPARB_FIELDS(obj, "account", {
    if (k == "autoBorrowSettlements") return bool_or_false(v, a.auto_borrow_settlements, "autoBorrowSettlements");
    if (k == "autoLend") return bool_or_false(v, a.auto_lend, "autoLend");
    if (k == "autoRealizePnl") return bool_or_false(v, a.auto_realize_pnl, "autoRealizePnl");
    if (k == "autoRepayBorrows") return bool_or_false(v, a.auto_repay_borrows, "autoRepayBorrows");
    if (k == "borrowLimit") return decimal_or_zero(v, a.borrow_limit, "borrowLimit", true);
    if (k == "futuresMakerFee") {
      r.set(0);
      return get_decimal(v, a.futures_maker_fee_bps, "futuresMakerFee");
    }
    if (k == "futuresTakerFee") {
      r.set(1);
      return get_decimal(v, a.futures_taker_fee_bps, "futuresTakerFee");
    }
    if (k == "spotMakerFee") {
      r.set(2);
      return get_decimal(v, a.spot_maker_fee_bps, "spotMakerFee");
    }
    if (k == "spotTakerFee") {
      r.set(3);
      return get_decimal(v, a.spot_taker_fee_bps, "spotTakerFee");
    }
    if (k == "leverageLimit") return decimal_or_zero(v, a.leverage_limit, "leverageLimit", true);
    if (k == "limitOrders") return int_or_zero(v, a.limit_orders, "limitOrders");
    if (k == "triggerOrders") return int_or_zero(v, a.trigger_orders, "triggerOrders");
    if (k == "liquidating") return bool_or_false(v, a.liquidating, "liquidating");
    if (k == "positionLimit") return decimal_or_zero(v, a.position_limit, "positionLimit", true);
    return ok();
  });
  // Fees drive every edge computation: refuse a summary without them rather than assume zero.
  static constexpr const char* kNames[] = {"futuresMakerFee", "futuresTakerFee", "spotMakerFee", "spotTakerFee"};
  for (int i = 0; i < 4; ++i)
    if (!r.has(i)) return fail(ParseErrc::kMissingField, kNames[i]);
  return ok();
}

// Balances: rounded toward zero, so a dust amount with > 9 decimals never overstates what is available.
ParseError balance_decimal(od::value& v, Decimal& out, const char* field) {
  if (is_null(v)) {
    out = Decimal{};
    return ok();
  }
  std::string_view s;
  BPARB_TRY(scalar_text(v, s, field));
  const DecimalParseError e = Decimal::parse_rounded(s, out, Rounding::kTowardZero);
  if (e == DecimalParseError::kOk) return ok();
  return fail(e == DecimalParseError::kOverflow ? ParseErrc::kOutOfRange : ParseErrc::kBadNumber, field);
}

ParseError collateral_asset_obj(od::object& obj, CollateralAsset& c) {
  Required r;
  BPARB_FIELDS(obj, "collateral[]", {
    if (k == "symbol") {
      r.set(0);
      return req_string(v, c.symbol, "collateral[].symbol");
    }
    if (k == "assetMarkPrice") return decimal_or_zero(v, c.asset_mark_price, "collateral[].assetMarkPrice", true);
    if (k == "totalQuantity") return balance_decimal(v, c.total_quantity, "collateral[].totalQuantity");
    if (k == "balanceNotional") return decimal_or_zero(v, c.balance_notional, "collateral[].balanceNotional", true);
    if (k == "collateralWeight") return decimal_or_zero(v, c.collateral_weight, "collateral[].collateralWeight", true);
    if (k == "collateralValue") return decimal_or_zero(v, c.collateral_value, "collateral[].collateralValue", true);
    if (k == "openOrderQuantity") return balance_decimal(v, c.open_order_quantity, "collateral[].openOrderQuantity");
    if (k == "lendQuantity") return balance_decimal(v, c.lend_quantity, "collateral[].lendQuantity");
    if (k == "availableQuantity") return balance_decimal(v, c.available_quantity, "collateral[].availableQuantity");
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "collateral[].symbol");
  return ok();
}

ParseError collateral_obj(od::object& obj, CollateralSummary& c) {
  Required r;
  BPARB_FIELDS(obj, "collateral", {
    if (k == "assetsValue") return decimal_or_zero(v, c.assets_value, "assetsValue", true);
    if (k == "borrowLiability") return decimal_or_zero(v, c.borrow_liability, "borrowLiability", true);
    if (k == "imf") return decimal_or_zero(v, c.imf, "imf", true);
    if (k == "mmf") return decimal_or_zero(v, c.mmf, "mmf", true);
    if (k == "marginFraction") return opt_decimal(v, c.margin_fraction, "marginFraction", true);
    if (k == "netEquity") {
      r.set(0);
      return get_decimal(v, c.net_equity, "netEquity", true);
    }
    if (k == "netEquityAvailable") {
      r.set(1);
      return get_decimal(v, c.net_equity_available, "netEquityAvailable", true);
    }
    if (k == "netEquityLocked") return decimal_or_zero(v, c.net_equity_locked, "netEquityLocked", true);
    if (k == "netExposureFutures") return decimal_or_zero(v, c.net_exposure_futures, "netExposureFutures", true);
    if (k == "pnlUnrealized") return decimal_or_zero(v, c.pnl_unrealized, "pnlUnrealized", true);
    if (k == "unsettledEquity") return decimal_or_zero(v, c.unsettled_equity, "unsettledEquity", true);
    if (k == "liabilitiesValue") return decimal_or_zero(v, c.liabilities_value, "liabilitiesValue", true);
    if (k == "collateral") {
      if (is_null(v)) return ok();
      od::array arr;
      BPARB_SJ(v.get_array().get(arr), "collateral");
      for (auto el_res : arr) {
        od::value el;
        BPARB_SJ(el_res.get(el), "collateral[]");
        od::object o;
        BPARB_SJ(el.get_object().get(o), "collateral[]");
        CollateralAsset a;
        BPARB_TRY(collateral_asset_obj(o, a));
        c.collateral.push_back(std::move(a));
      }
      return ok();
    }
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "netEquity");
  if (!r.has(1)) return fail(ParseErrc::kMissingField, "netEquityAvailable");
  return ok();
}

ParseError position_obj(od::object& obj, Position& p) {
  Required r;
  BPARB_FIELDS(obj, "position", {
    if (k == "symbol") {
      r.set(0);
      return req_string(v, p.symbol, "symbol");
    }
    if (k == "netQuantity") {
      r.set(1);
      return get_decimal(v, p.net_quantity, "netQuantity");
    }
    if (k == "positionId") return opt_string(v, p.position_id, "positionId");
    if (k == "breakEvenPrice") return decimal_or_zero(v, p.break_even_price, "breakEvenPrice", true);
    if (k == "entryPrice") return decimal_or_zero(v, p.entry_price, "entryPrice", true);
    if (k == "estLiquidationPrice") return decimal_or_zero(v, p.est_liquidation_price, "estLiquidationPrice", true);
    if (k == "imf") return decimal_or_zero(v, p.imf, "imf", true);
    if (k == "mmf") return decimal_or_zero(v, p.mmf, "mmf", true);
    if (k == "imfFunction") return margin_function(v, p.imf_function, "imfFunction");
    if (k == "mmfFunction") return margin_function(v, p.mmf_function, "mmfFunction");
    if (k == "markPrice") return decimal_or_zero(v, p.mark_price, "markPrice", true);
    if (k == "netCost") return decimal_or_zero(v, p.net_cost, "netCost", true);
    if (k == "netExposureQuantity") return decimal_or_zero(v, p.net_exposure_quantity, "netExposureQuantity", true);
    if (k == "netExposureNotional") return decimal_or_zero(v, p.net_exposure_notional, "netExposureNotional", true);
    if (k == "pnlRealized") return decimal_or_zero(v, p.pnl_realized, "pnlRealized", true);
    if (k == "pnlUnrealized") return decimal_or_zero(v, p.pnl_unrealized, "pnlUnrealized", true);
    if (k == "cumulativeFundingPayment")
      return decimal_or_zero(v, p.cumulative_funding_payment, "cumulativeFundingPayment", true);
    if (k == "subaccountId") return int_or_zero(v, p.subaccount_id, "subaccountId");
    if (k == "userId") return int_or_zero(v, p.user_id, "userId");
    return ok();
  });
  if (!r.has(0)) return fail(ParseErrc::kMissingField, "symbol");
  if (!r.has(1)) return fail(ParseErrc::kMissingField, "netQuantity");
  return ok();
}

}  // namespace

ParseError parse_ticker(JsonParser& p, JsonInput in, Ticker& out) {
  return single(p, in, out, "ticker", ticker_obj);
}
ParseError parse_tickers(JsonParser& p, JsonInput in, std::vector<Ticker>& out) {
  return array_of(p, in, out, "tickers", ticker_obj);
}
ParseError parse_mark_prices(JsonParser& p, JsonInput in, std::vector<MarkPrice>& out) {
  return array_of(p, in, out, "markPrices", mark_price_obj);
}
ParseError parse_funding_rates(JsonParser& p, JsonInput in, std::vector<FundingRate>& out) {
  return array_of(p, in, out, "fundingRates", funding_rate_obj);
}
ParseError parse_account_summary(JsonParser& p, JsonInput in, AccountSummary& out) {
  return single(p, in, out, "account", account_obj);
}

ParseError parse_capital(JsonParser& p, JsonInput in, std::vector<Balance>& out) {
  out.clear();
  od::document doc;
  od::object obj;
  BPARB_TRY(root_object(p, in, doc, obj, "capital"));
  BPARB_FIELDS(obj, "capital", {
    Balance b;
    b.asset.assign(k);
    od::json_type t;
    BPARB_TRY(value_type(v, t, "capital.<asset>"));
    if (t != od::json_type::object) return fail(ParseErrc::kWrongType, "capital.<asset>");
    od::object bo;
    BPARB_SJ(v.get_object().get(bo), "capital.<asset>");
    bool has_available = false;
    BPARB_FIELDS_AS(bo, "capital.<asset>", bk, bv, bst, {
      if (bk == "available") {
        has_available = true;
        return balance_decimal(bv, b.available, "capital.<asset>.available");
      }
      if (bk == "locked") return balance_decimal(bv, b.locked, "capital.<asset>.locked");
      if (bk == "staked") return balance_decimal(bv, b.staked, "capital.<asset>.staked");
      return ok();
    });
    if (!has_available) return fail(ParseErrc::kMissingField, "capital.<asset>.available");
    out.push_back(std::move(b));
    return ok();
  });
  return ok();
}

ParseError parse_collateral(JsonParser& p, JsonInput in, CollateralSummary& out) {
  return single(p, in, out, "collateral", collateral_obj);
}
ParseError parse_positions(JsonParser& p, JsonInput in, std::vector<Position>& out) {
  return array_of(p, in, out, "positions", position_obj);
}
}  // namespace bparb::backpack
