#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bparb/venue/backpack/parsers.hpp"
#include "test_util.hpp"

namespace bparb::backpack {
namespace {

using testing::D;
using testing::read_data;

class RestParse : public ::testing::Test {
 protected:
  JsonParser p_;
};

TEST_F(RestParse, PerpMarketFromRustFixture) {
  MarketSpec m;
  const ParseError e = parse_market(p_, read_data("market_perp_sol.json"), m);
  ASSERT_TRUE(e.ok()) << e.message();
  EXPECT_EQ(m.symbol, "SOL_USDC_PERP");
  EXPECT_EQ(m.base_symbol, "SOL");
  EXPECT_EQ(m.quote_symbol, "USDC");
  EXPECT_EQ(m.type, MarketType::kPerp);
  EXPECT_EQ(m.state, OrderBookState::kOpen);
  EXPECT_TRUE(m.visible);
  EXPECT_EQ(m.tick_size, D("0.01"));
  EXPECT_EQ(m.min_price, D("0.01"));
  EXPECT_EQ(m.max_price, D("1000"));
  EXPECT_EQ(m.max_multiplier, D("2"));
  EXPECT_EQ(m.min_multiplier, D("0.25"));
  EXPECT_EQ(m.max_impact_multiplier, D("1.01"));
  EXPECT_EQ(m.min_impact_multiplier, D("0.99"));
  EXPECT_EQ(m.step_size, D("0.01"));
  EXPECT_EQ(m.min_quantity, D("0.01"));
  EXPECT_TRUE(m.max_quantity.is_zero());  // null = no limit
  EXPECT_EQ(m.funding_interval_ms, 3600000);
  EXPECT_EQ(m.funding_rate_upper_bound_bps, D("100"));
  EXPECT_EQ(m.funding_rate_lower_bound_bps, D("-100"));
  EXPECT_TRUE(m.imf.present);
  EXPECT_EQ(m.imf.base, D("0.02"));
  EXPECT_EQ(m.imf.factor, D("0.00006"));
  EXPECT_TRUE(m.mmf.present);
  EXPECT_EQ(m.mmf.base, D("0.0135"));
  EXPECT_EQ(m.mmf.factor, D("0.000036"));
  EXPECT_EQ(m.open_interest_limit, D("4000000"));
  EXPECT_EQ(m.price_decimals(), 2);
}

TEST_F(RestParse, MarketsListSpotPerpAndStringFundingInterval) {
  std::vector<MarketSpec> ms;
  const ParseError e = parse_markets(p_, read_data("markets.json"), ms);
  ASSERT_TRUE(e.ok()) << e.message();
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[0].funding_interval_ms, 3600000);  // "3600000" as a string
  EXPECT_EQ(ms[1].symbol, "SOL_USDC");
  EXPECT_EQ(ms[1].type, MarketType::kSpot);
  EXPECT_EQ(ms[1].funding_interval_ms, 0);  // stray 28800000 on a spot row ignored
  EXPECT_FALSE(ms[1].imf.present);
  EXPECT_TRUE(ms[1].max_price.is_zero());
  EXPECT_EQ(ms[2].state, OrderBookState::kPostOnly);
  EXPECT_FALSE(ms[2].visible);
  EXPECT_EQ(ms[2].step_size, D("0.00001"));
  EXPECT_EQ(ms[2].max_quantity, D("100"));
  EXPECT_EQ(ms[2].imf.base, D("0.01333333"));
  EXPECT_EQ(ms[2].quantity_decimals(), 5);
}

TEST_F(RestParse, MarketErrors) {
  MarketSpec m;
  std::string base = read_data("market_perp_sol.json");
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = base;
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
  };
  EXPECT_EQ(parse_market(p_, replaced(R"("tickSize":"0.01")", R"("tickSize":"0")"), m).code, ParseErrc::kBadValue);
  EXPECT_EQ(parse_market(p_, replaced(R"("tickSize":"0.01")", R"("tickSiz":"0.01")"), m).message(),
            "filters.price.tickSize: required field missing or null");
  EXPECT_EQ(parse_market(p_, replaced(R"("marketType":"PERP")", R"("marketType":"FUTURE")"), m).code,
            ParseErrc::kBadEnum);
  EXPECT_EQ(parse_market(p_, replaced(R"("orderBookState":"Open")", R"("orderBookState":null)"), m).code,
            ParseErrc::kMissingField);
  EXPECT_EQ(parse_market(p_, replaced(R"("fundingInterval":3600000)", R"("fundingInterval":"hourly")"), m).code,
            ParseErrc::kBadNumber);
  EXPECT_EQ(parse_market(p_, replaced(R"("stepSize":"0.01")", R"("stepSize":0.01)"), m).code, ParseErrc::kOk);
  EXPECT_EQ(parse_market(p_, replaced(R"("stepSize":"0.01")", R"("stepSize":true)"), m).code, ParseErrc::kWrongType);
  EXPECT_EQ(parse_market(p_, replaced(R"("symbol":"SOL_USDC_PERP")", R"("symbol":12)"), m).code, ParseErrc::kWrongType);
  std::vector<MarketSpec> ms;
  EXPECT_EQ(parse_markets(p_, base, ms).code, ParseErrc::kWrongType);  // object where array expected
  EXPECT_EQ(parse_markets(p_, "[1]", ms).code, ParseErrc::kWrongType);
  EXPECT_EQ(parse_markets(p_, "[]", ms).code, ParseErrc::kOk);
  EXPECT_TRUE(ms.empty());
}

TEST_F(RestParse, DepthSnapshotAscendingWithStringId) {
  DepthSnapshot s;
  ASSERT_TRUE(parse_depth_snapshot(p_, read_data("depth_snapshot.json"), s).ok());
  EXPECT_EQ(s.last_update_id, 1504999670);
  EXPECT_EQ(s.timestamp_us, 1753102447307501);
  ASSERT_EQ(s.asks.size(), 2u);
  ASSERT_EQ(s.bids.size(), 2u);
  EXPECT_EQ(s.asks[0].price, D("118318.3"));
  EXPECT_EQ(s.asks[0].quantity, D("0.00633"));
  EXPECT_EQ(s.bids[1].price, D("12.9"));  // best bid last, order kept
  EXPECT_EQ(s.bids[1].quantity, D("1"));
  EXPECT_EQ(parse_depth_snapshot(p_, R"({"asks":[],"bids":[]})", s).code, ParseErrc::kMissingField);
  EXPECT_EQ(parse_depth_snapshot(p_, R"({"asks":[],"bids":[],"lastUpdateId":"x"})", s).code, ParseErrc::kBadNumber);
}

TEST_F(RestParse, TickerAndNaPercent) {
  Ticker t;
  ASSERT_TRUE(parse_ticker(p_, read_data("ticker.json"), t).ok());
  EXPECT_EQ(t.symbol, "SOL_USDC");
  EXPECT_EQ(t.last_price, D("174.85"));
  ASSERT_TRUE(t.price_change_percent.has_value());
  EXPECT_EQ(*t.price_change_percent, D("-0.031279"));
  EXPECT_EQ(t.trades, 48211);
  EXPECT_EQ(t.quote_volume, D("22012345.123456"));
  std::vector<Ticker> ts;
  ASSERT_TRUE(parse_tickers(p_, read_data("tickers_na.json"), ts).ok());
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_FALSE(ts[0].price_change_percent.has_value());
}

TEST_F(RestParse, MarkPricesAndFundingRates) {
  std::vector<MarkPrice> mp;
  ASSERT_TRUE(parse_mark_prices(p_, read_data("mark_prices.json"), mp).ok());
  ASSERT_EQ(mp.size(), 1u);
  EXPECT_EQ(mp[0].symbol, "BTC_USDC_PERP");
  EXPECT_EQ(mp[0].funding_rate, D("0.0001"));
  EXPECT_EQ(mp[0].mark_price, D("118343.51853741"));
  EXPECT_EQ(mp[0].index_price, D("118333.18643195"));
  EXPECT_EQ(mp[0].next_funding_timestamp_ms, 1753113600000);

  std::vector<FundingRate> fr;
  ASSERT_TRUE(parse_funding_rates(p_, read_data("funding_rates.json"), fr).ok());
  ASSERT_EQ(fr.size(), 2u);
  EXPECT_EQ(fr[0].interval_end_timestamp_ms, 1754064000000);  // 2025-08-01T16:00:00Z
  EXPECT_EQ(fr[0].funding_rate, D("0.0000125"));
  EXPECT_EQ(fr[1].funding_rate, D("-0.000003964"));
}

TEST_F(RestParse, AccountFeesInBps) {
  AccountSummary a;
  ASSERT_TRUE(parse_account_summary(p_, read_data("account.json"), a).ok());
  EXPECT_EQ(a.futures_maker_fee_bps, D("2"));
  EXPECT_EQ(a.futures_taker_fee_bps, D("5"));
  EXPECT_EQ(a.spot_maker_fee_bps, D("8"));
  EXPECT_EQ(a.spot_taker_fee_bps, D("10"));
  EXPECT_EQ(a.leverage_limit, D("10"));
  EXPECT_EQ(a.limit_orders, 3);
  EXPECT_TRUE(a.auto_lend);
  EXPECT_FALSE(a.liquidating);
  EXPECT_EQ(parse_account_summary(p_, R"({"spotMakerFee":"1","spotTakerFee":"1","futuresMakerFee":"1"})", a).message(),
            "futuresTakerFee: required field missing or null");
  ASSERT_TRUE(parse_account_summary(
                  p_, R"({"spotMakerFee":"-1","spotTakerFee":"1","futuresMakerFee":"-0.5","futuresTakerFee":3})", a)
                  .ok());
  EXPECT_EQ(a.futures_maker_fee_bps, D("-0.5"));  // rebate
  EXPECT_EQ(a.futures_taker_fee_bps, D("3"));
}

TEST_F(RestParse, CapitalMapInDocumentOrder) {
  std::vector<Balance> b;
  ASSERT_TRUE(parse_capital(p_, read_data("capital.json"), b).ok());
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].asset, "USDC");
  EXPECT_EQ(b[0].available, D("120"));
  EXPECT_EQ(b[1].asset, "SOL");
  EXPECT_EQ(b[1].available, D("1.25"));
  EXPECT_EQ(b[1].locked, D("0.5"));
  EXPECT_EQ(b[2].available, D("0.000000001"));  // 0.0000000019 rounded toward zero
  EXPECT_EQ(parse_capital(p_, R"({"USDC":"120"})", b).code, ParseErrc::kWrongType);
  EXPECT_EQ(parse_capital(p_, R"({"USDC":{"locked":"1"}})", b).code, ParseErrc::kMissingField);
  EXPECT_EQ(parse_capital(p_, R"({"USDC":{"available":"N/A"}})", b).code, ParseErrc::kBadNumber);
}

TEST_F(RestParse, Collateral) {
  CollateralSummary c;
  const ParseError e = parse_collateral(p_, read_data("collateral.json"), c);
  ASSERT_TRUE(e.ok()) << e.message();
  EXPECT_EQ(c.net_equity, D("10157.365"));
  EXPECT_EQ(c.net_equity_available, D("10100.123456789"));  // 13 dp rounded to nearest 1e-9
  EXPECT_EQ(c.net_equity_locked, D("57.241543211"));
  EXPECT_EQ(c.imf, D("0.02"));
  EXPECT_EQ(c.mmf, D("0.0125"));
  EXPECT_FALSE(c.margin_fraction.has_value());
  EXPECT_EQ(c.pnl_unrealized, D("-0.000473"));
  ASSERT_EQ(c.collateral.size(), 2u);
  EXPECT_EQ(c.collateral[0].symbol, "USDC");
  EXPECT_EQ(c.collateral[0].lend_quantity, D("9000"));
  EXPECT_EQ(c.collateral[1].collateral_weight, D("0.9"));
  EXPECT_EQ(c.collateral[1].collateral_value, D("157.365"));
  EXPECT_EQ(parse_collateral(p_, R"({"netEquityAvailable":"1"})", c).code, ParseErrc::kMissingField);
}

TEST_F(RestParse, Positions) {
  std::vector<Position> ps;
  const ParseError e = parse_positions(p_, read_data("positions.json"), ps);
  ASSERT_TRUE(e.ok()) << e.message();
  ASSERT_EQ(ps.size(), 1u);
  const Position& p = ps[0];
  EXPECT_EQ(p.symbol, "ETH_USDC_PERP");
  EXPECT_EQ(p.position_id, "4238420454");
  EXPECT_EQ(p.net_quantity, D("0.0036"));
  EXPECT_EQ(p.entry_price, D("3826.888888889"));  // 12 dp -> nearest
  EXPECT_EQ(p.net_exposure_notional, D("13.634885279"));
  EXPECT_EQ(p.net_cost, D("13.7768"));
  EXPECT_TRUE(p.imf_function.present);
  EXPECT_EQ(p.mmf_function.factor, D("0.0000561"));
  EXPECT_EQ(p.user_id, 1813870);
  EXPECT_EQ(p.subaccount_id, 0);
  ASSERT_TRUE(parse_positions(p_, "[]", ps).ok());
  EXPECT_TRUE(ps.empty());
  // Quantities must be exact: a netQuantity finer than 1e-9 is an error, not silently rounded.
  EXPECT_EQ(parse_positions(p_, R"([{"symbol":"X","netQuantity":"0.0000000001"}])", ps).code, ParseErrc::kOutOfRange);
}

TEST_F(RestParse, ExecuteResponseAndOpenOrdersAndHistory) {
  Order o;
  ASSERT_TRUE(parse_order(p_, read_data("order_execute_market.json"), o).ok());
  EXPECT_EQ(o.id, "4227701917");
  EXPECT_FALSE(o.client_id.has_value());
  EXPECT_EQ(o.created_at_ms, 1753624283415);
  EXPECT_EQ(o.order_type, OrderType::kMarket);
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.executed_quantity, D("0.001"));
  EXPECT_EQ(o.executed_quote_quantity, D("3.81428"));
  ASSERT_TRUE(o.quote_quantity.has_value());
  EXPECT_EQ(*o.quote_quantity, D("3.82"));
  EXPECT_FALSE(o.price.has_value());
  EXPECT_FALSE(o.reduce_only.has_value());
  EXPECT_EQ(o.time_in_force, TimeInForce::kGtc);
  EXPECT_EQ(o.self_trade_prevention, SelfTradePrevention::kRejectTaker);

  std::vector<Order> open;
  ASSERT_TRUE(parse_orders(p_, read_data("open_orders.json"), open).ok());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].client_id, 123456789u);
  EXPECT_EQ(open[0].post_only, true);
  EXPECT_EQ(open[0].price, D("3000"));
  EXPECT_EQ(open[0].status, OrderStatus::kNew);

  std::vector<Order> hist;
  ASSERT_TRUE(parse_orders(p_, read_data("order_history.json"), hist).ok());
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_EQ(hist[0].created_at_ms, 1753639540897);  // "2025-07-27T18:05:40.897"
  EXPECT_FALSE(hist[0].quantity.has_value());
  EXPECT_EQ(hist[0].trigger_price, D("4300"));
  EXPECT_EQ(hist[0].trigger_quantity, "0.001");
  EXPECT_EQ(hist[0].status, OrderStatus::kCancelled);
  EXPECT_EQ(hist[0].post_only, false);

  EXPECT_EQ(parse_order(p_, R"({"id":"1","symbol":"X","side":"Bid","orderType":"Limit"})", o).message(),
            "status: required field missing or null");
  EXPECT_EQ(parse_order(p_, R"({"id":"1","symbol":"X","side":"Bid","orderType":"Stop","status":"New"})", o).code,
            ParseErrc::kBadEnum);
  EXPECT_EQ(parse_order(p_,
                        R"({"id":"1","symbol":"X","side":"Bid","orderType":"Limit","status":"New",)"
                        R"("createdAt":"yesterday"})",
                        o)
                .code,
            ParseErrc::kBadTimestamp);
  EXPECT_EQ(parse_order(p_,
                        R"({"id":"1","symbol":"X","side":"Bid","orderType":"Limit","status":"New",)"
                        R"("clientId":4294967296})",
                        o)
                .code,
            ParseErrc::kOutOfRange);
}

TEST_F(RestParse, BatchResultsOkAndErr) {
  std::vector<BatchOrderResult> r;
  ASSERT_TRUE(parse_batch_results(p_, read_data("batch_results.json"), r).ok());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].ok);
  EXPECT_EQ(r[0].order.id, "4228978400");
  EXPECT_EQ(r[0].order.client_id, 1u);
  EXPECT_EQ(r[0].order.price, D("141"));
  EXPECT_FALSE(r[1].ok);
  EXPECT_EQ(r[1].code, "INVALID_ORDER");
  EXPECT_EQ(r[1].message, "Invalid order");
  EXPECT_EQ(parse_batch_results(p_, R"([{"operation":"Maybe"}])", r).code, ParseErrc::kBadEnum);
  EXPECT_EQ(parse_batch_results(p_, R"([{"operation":"Err"}])", r).code, ParseErrc::kMissingField);
  EXPECT_EQ(parse_batch_results(p_, R"([{"operation":"Ok","id":"1"}])", r).code, ParseErrc::kMissingField);
}

TEST_F(RestParse, FillsWithStringClientIdAndIsoTimestamps) {
  std::vector<Fill> f;
  ASSERT_TRUE(parse_fills(p_, read_data("fills.json"), f).ok());
  ASSERT_EQ(f.size(), 2u);
  EXPECT_FALSE(f[0].client_id.has_value());
  EXPECT_EQ(f[0].fee, D("0.004974"));
  EXPECT_EQ(f[0].fee_symbol, "USDC");
  EXPECT_EQ(f[0].price, D("3826.15"));
  EXPECT_EQ(f[0].quantity, D("0.0026"));
  EXPECT_EQ(f[0].timestamp_ms, 1753637940092);  // 2025-07-27T17:39:00.092
  EXPECT_EQ(f[0].trade_id, 9748827);
  EXPECT_TRUE(f[0].has_trade_id);
  EXPECT_EQ(f[1].client_id, 42u);  // "42"
  EXPECT_TRUE(f[1].is_maker);
  EXPECT_EQ(f[1].fee, D("-0.0001"));
  EXPECT_EQ(f[1].side, Side::kAsk);
  EXPECT_EQ(f[1].trade_id, 9748828);
  EXPECT_EQ(f[1].timestamp_ms, 1753637941000);
  EXPECT_EQ(parse_fills(p_, R"([{"orderId":"1","symbol":"X","side":"Bid","price":"1","quantity":"1"}])", f).message(),
            "timestamp: required field missing or null");
}

TEST_F(RestParse, FundingHistory) {
  std::vector<FundingPayment> f;
  ASSERT_TRUE(parse_funding_payments(p_, read_data("funding_history.json"), f).ok());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].quantity, D("-0.001301"));
  EXPECT_EQ(f[0].funding_rate, D("0.0001"));
  EXPECT_EQ(f[0].interval_end_timestamp_ms, 1754064000000);
  EXPECT_EQ(f[0].user_id, 1813870);
  EXPECT_EQ(f[0].symbol, "ETH_USDC_PERP");
}

TEST_F(RestParse, ApiErrorAndServerTime) {
  ApiError a;
  ASSERT_TRUE(parse_api_error(p_, read_data("api_error.json"), a).ok());
  EXPECT_EQ(a.code, "INVALID_CLIENT_REQUEST");
  EXPECT_EQ(a.message, "Must specify both `triggerPrice` and `triggerQuantity` or neither");
  EXPECT_EQ(parse_api_error(p_, R"({"message":"x"})", a).code, ParseErrc::kMissingField);
  EXPECT_EQ(parse_api_error(p_, "<html>502</html>", a).code, ParseErrc::kInvalidJson);

  std::int64_t t = 0;
  ASSERT_TRUE(parse_server_time("1753131712992", t).ok());
  EXPECT_EQ(t, 1753131712992);
  ASSERT_TRUE(parse_server_time(" 1753131712992\n", t).ok());
  EXPECT_EQ(parse_server_time("", t).code, ParseErrc::kBadNumber);
  EXPECT_EQ(parse_server_time("pong", t).code, ParseErrc::kBadNumber);
  EXPECT_EQ(parse_server_time("1.5", t).code, ParseErrc::kBadNumber);
  EXPECT_EQ(parse_server_time("-5", t).code, ParseErrc::kBadValue);
  EXPECT_EQ(parse_server_time("99999999999999999999", t).code, ParseErrc::kOutOfRange);
}

TEST(NaiveDatetime, ParsesBackpackForms) {
  std::int64_t ms = 0;
  ASSERT_TRUE(parse_naive_datetime_ms("1970-01-01T00:00:00", ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(parse_naive_datetime_ms("2025-07-27T18:05:40.897", ms));
  EXPECT_EQ(ms, 1753639540897);
  ASSERT_TRUE(parse_naive_datetime_ms("2025-01-21T06:34:54.691858", ms));
  EXPECT_EQ(ms, 1737441294691);
  ASSERT_TRUE(parse_naive_datetime_ms("2025-07-19 13:09:00", ms));
  EXPECT_EQ(ms, 1752930540000);
  ASSERT_TRUE(parse_naive_datetime_ms("2024-02-29T23:59:59.5Z", ms));
  EXPECT_EQ(ms, 1709251199500);
  for (const char* bad :
       {"", "2025-07-27", "2025-13-01T00:00:00", "2025-02-29T00:00:00", "2025-07-27T24:00:00", "2025-07-27T18:05:40.",
        "2025-07-27T18:05:40.1234567890", "2025-07-27X18:05:40", "2025-07-27T18:05:40+02:00", "yesterday at noon"}) {
    EXPECT_FALSE(parse_naive_datetime_ms(bad, ms)) << bad;
  }
}

TEST_F(RestParse, MalformedDocumentsNeverCrash) {
  const std::string docs[] = {read_data("markets.json"), read_data("collateral.json"), read_data("fills.json"),
                              read_data("order_history.json"), read_data("capital.json")};
  std::vector<MarketSpec> ms;
  CollateralSummary c;
  std::vector<Fill> f;
  std::vector<Order> o;
  std::vector<Balance> b;
  for (std::size_t i = 0; i < 5; ++i) {
    // Every strict prefix of a (trimmed) JSON object/array document is invalid.
    const std::size_t full = docs[i].find_last_not_of(" \n") + 1;
    for (std::size_t n = 0; n < full; n += 3) {
      const std::string cut = docs[i].substr(0, n);
      ParseError e;
      switch (i) {
        case 0:
          e = parse_markets(p_, cut, ms);
          break;
        case 1:
          e = parse_collateral(p_, cut, c);
          break;
        case 2:
          e = parse_fills(p_, cut, f);
          break;
        case 3:
          e = parse_orders(p_, cut, o);
          break;
        default:
          e = parse_capital(p_, cut, b);
          break;
      }
      EXPECT_FALSE(e.ok()) << i << " at " << n;
    }
  }
}

}  // namespace
}  // namespace bparb::backpack
