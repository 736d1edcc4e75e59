// Lighter REST and WebSocket parsers on bodies shaped as docs/lighter.md describes them, plus malformed
// input (each rejected with a typed error, never a throw).
#include "bparb/venue/lighter/parsers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../bench/lighter_frames.hpp"
#include "bparb/venue/lighter/funding.hpp"

namespace bparb::lighter {
namespace {

Decimal parsers_dec(const char* s) {
  return Decimal::from_string(s);
}

constexpr const char* kDetails =
    R"({"code":200,"order_book_details":[{"symbol":"ETH","market_id":0,"market_type":"perp","status":"active",)"
    R"("taker_fee":"0.0280","is_taker_fee_enabled":true,"maker_fee":"0.0040","liquidation_fee":"1.0000",)"
    R"("min_base_amount":"0.0050","min_quote_amount":"10.000000","order_quote_limit":"281474976.710655",)"
    R"("supported_size_decimals":4,"supported_price_decimals":2,"supported_quote_decimals":6,"size_decimals":4,)"
    R"("price_decimals":2,"quote_multiplier":1,"default_initial_margin_fraction":500,)"
    R"("min_initial_margin_fraction":200,"maintenance_margin_fraction":120,"closeout_margin_fraction":80,)"
    R"("last_trade_price":2361.31,"open_interest":27350.8981,"market_config":{"market_margin_mode":0,)"
    R"("insurance_fund_account_index":281474976710655,"hidden":false},"strategy_index":2}],)"
    R"("spot_order_book_details":[{"symbol":"ETH/USDC","market_id":2048,"market_type":"spot","status":"active",)"
    R"("taker_fee":"0.0000","maker_fee":"0.0000","min_base_amount":"0.0010","min_quote_amount":"5.000000",)"
    R"("supported_size_decimals":4,"supported_price_decimals":2,"supported_quote_decimals":6}]})";

TEST(LighterParsers, OrderBookDetailsPerpAndSpot) {
  JsonParser p;
  std::vector<MarketDetails> m;
  const ParseError e = parse_order_book_details(p, kDetails, m);
  ASSERT_TRUE(e.ok()) << e.message();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].market_id, 0);
  EXPECT_EQ(m[0].symbol, "ETH");
  EXPECT_EQ(m[0].kind, MarketKind::kPerp);
  EXPECT_TRUE(m[0].active);
  EXPECT_EQ(m[0].size_decimals, 4);
  EXPECT_EQ(m[0].price_decimals, 2);
  EXPECT_EQ(m[0].quote_decimals, 6);
  EXPECT_EQ(m[0].min_base_amount, parsers_dec("0.005"));
  EXPECT_EQ(m[0].min_quote_amount, parsers_dec("10"));
  EXPECT_EQ(m[0].order_quote_limit, parsers_dec("281474976.710655"));
  EXPECT_EQ(m[0].taker_fee_pct, parsers_dec("0.028"));
  EXPECT_EQ(m[0].maker_fee_pct, parsers_dec("0.004"));
  EXPECT_TRUE(m[0].has_margin_fractions);
  EXPECT_EQ(m[0].default_initial_margin_fraction, 500);
  EXPECT_EQ(m[0].min_initial_margin_fraction, 200);
  EXPECT_EQ(m[0].maintenance_margin_fraction, 120);
  EXPECT_EQ(m[0].closeout_margin_fraction, 80);
  EXPECT_EQ(m[0].tick_size(), parsers_dec("0.01"));
  EXPECT_EQ(m[0].step_size(), parsers_dec("0.0001"));
  // Spot: only the older decimal names, no margin fractions.
  EXPECT_EQ(m[1].market_id, 2048);
  EXPECT_EQ(m[1].kind, MarketKind::kSpot);
  EXPECT_EQ(m[1].size_decimals, 4);
  EXPECT_EQ(m[1].price_decimals, 2);
  EXPECT_FALSE(m[1].has_margin_fractions);
}

TEST(LighterParsers, OrderBooksSubset) {
  JsonParser p;
  std::vector<MarketDetails> m;
  const ParseError e = parse_order_books(
      p,
      R"({"code":200,"order_books":[{"symbol":"BTC","market_id":1,"market_type":"perp","status":"inactive",)"
      R"("taker_fee":"0.0000","maker_fee":"0.0000","min_base_amount":"0.00020","min_quote_amount":"10.000000",)"
      R"("supported_size_decimals":5,"supported_price_decimals":1,"supported_quote_decimals":6}]})",
      m);
  ASSERT_TRUE(e.ok()) << e.message();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].symbol, "BTC");
  EXPECT_FALSE(m[0].active);
  EXPECT_EQ(m[0].size_decimals, 5);
  EXPECT_EQ(m[0].price_decimals, 1);
}

TEST(LighterParsers, MarketDetailsRejectsMissingDecimalsAndBadKinds) {
  JsonParser p;
  std::vector<MarketDetails> m;
  EXPECT_EQ(parse_order_books(p, R"({"code":200,"order_books":[{"symbol":"X","market_id":1}]})", m).code,
            ParseErrc::kMissingField);
  EXPECT_EQ(parse_order_books(p,
                              R"({"code":200,"order_books":[{"symbol":"X","market_id":1,"market_type":"option",)"
                              R"("size_decimals":1,"price_decimals":1}]})",
                              m)
                .code,
            ParseErrc::kBadEnum);
  EXPECT_EQ(parse_order_books(p,
                              R"({"code":200,"order_books":[{"symbol":"X","market_id":1,"size_decimals":12,)"
                              R"("price_decimals":1}]})",
                              m)
                .code,
            ParseErrc::kOutOfRange);
}

TEST(LighterParsers, AccountWithSignedPositions) {
  JsonParser p;
  Account a;
  const ParseError e = parse_account(
      p,
      R"({"code":200,"total":1,"accounts":[{"code":0,"account_type":0,"index":123456,"l1_address":"0x00",)"
      R"("cancel_all_time":0,"total_order_count":3,"pending_order_count":1,"available_balance":"812.500000",)"
      R"("status":1,"collateral":"1000.250000","account_index":123456,"positions":[)"
      R"({"market_id":1,"symbol":"BTC","initial_margin_fraction":"10.00","open_order_count":2,"sign":-1,)"
      R"("position":"0.25000","avg_entry_price":"60000.0","position_value":"15000.000000",)"
      R"("unrealized_pnl":"-12.3456789012","realized_pnl":"0.000000","liquidation_price":"0","margin_mode":0,)"
      R"("allocated_margin":"0.000000"},{"market_id":0,"symbol":"ETH","sign":1,"position":"1.5000",)"
      R"("open_order_count":0}],"assets":[{"symbol":"USDC","asset_id":3,"balance":"1000.250000",)"
      R"("locked_balance":"0.000000","margin_mode":"disabled","margin_balance":"0.000000"}],)"
      R"("total_asset_value":"1000.250000","cross_asset_value":"1000.250000"}]})",
      a);
  ASSERT_TRUE(e.ok()) << e.message();
  EXPECT_EQ(a.index, 123456);
  EXPECT_EQ(a.collateral, parsers_dec("1000.25"));
  EXPECT_EQ(a.available_balance, parsers_dec("812.5"));
  EXPECT_EQ(a.total_order_count, 3);
  EXPECT_EQ(a.pending_order_count, 1);
  ASSERT_EQ(a.positions.size(), 2u);
  EXPECT_EQ(a.positions[0].market_id, 1);
  EXPECT_EQ(a.positions[0].sign, -1);
  EXPECT_EQ(a.positions[0].size, parsers_dec("0.25"));
  EXPECT_EQ(a.positions[0].signed_size, parsers_dec("-0.25"));
  EXPECT_EQ(a.positions[0].open_order_count, 2);
  EXPECT_EQ(a.positions[0].unrealized_pnl, parsers_dec("-12.345678901"));  // rounded to 1e-9
  EXPECT_EQ(a.positions[1].signed_size, parsers_dec("1.5"));
  ASSERT_EQ(a.assets.size(), 1u);
  EXPECT_EQ(a.assets[0].asset_id, 3);
  EXPECT_EQ(a.assets[0].balance, parsers_dec("1000.25"));
}

TEST(LighterParsers, ApiErrorBodiesAreTypedAndClassified) {
  JsonParser p;
  std::int64_t nonce = 0;
  ParseError e = parse_next_nonce(p, R"({"code":21104,"message":"invalid nonce"})", nonce);
  EXPECT_EQ(e.code, ParseErrc::kApiError);
  EXPECT_EQ(e.api_code, 21104);
  EXPECT_EQ(e.venue_error(), LighterError::kInvalidNonce);
  EXPECT_EQ(classify(e.venue_error()), ErrorAction::kResyncNonce);

  SendTxResult r;
  e = parse_send_tx(p, R"({"code":23000,"message":"Too Many Requests"})", r);
  EXPECT_EQ(e.venue_error(), LighterError::kTooManyRequests);
  EXPECT_EQ(classify(e.venue_error()), ErrorAction::kRateLimit);
  e = parse_send_tx(p, R"({"code":21739,"message":"not enough margin"})", r);
  EXPECT_EQ(classify(e.venue_error()), ErrorAction::kReject);
  e = parse_send_tx(p, R"({"code":21506,"message":"too many pending"})", r);
  EXPECT_EQ(classify(e.venue_error()), ErrorAction::kRetry);
  e = parse_send_tx(p, R"({"code":21999})", r);
  EXPECT_EQ(e.venue_error(), LighterError::kOtherTx);
  EXPECT_EQ(classify(e.venue_error()), ErrorAction::kReject);
  e = parse_send_tx(p, R"({"code":23042})", r);
  EXPECT_EQ(classify(e.venue_error()), ErrorAction::kRateLimit);
  e = parse_send_tx(p, R"({"code":500,"message":"internal"})", r);
  EXPECT_EQ(classify(e.venue_error()), ErrorAction::kRetry);

  // Repeated codes: the last one counts; an unreadable code is a parse error, not a venue error.
  ASSERT_TRUE(parse_next_nonce(p, R"({"code":21104,"code":200,"nonce":5})", nonce).ok());
  EXPECT_EQ(nonce, 5);
  EXPECT_EQ(parse_next_nonce(p, R"({"code":200,"code":"20x","nonce":5})", nonce).code, ParseErrc::kBadNumber);
  EXPECT_EQ(parse_next_nonce(p, R"({"code":0,"message":"?"})", nonce).venue_error(), LighterError::kOther);

  std::int64_t code = 0;
  std::string msg;
  ASSERT_TRUE(parse_api_status(p, R"({"code":21105,"message":"batch nonces"})", code, msg).ok());
  EXPECT_EQ(code, 21105);
  EXPECT_EQ(msg, "batch nonces");
}

TEST(LighterParsers, NextNonceAndSendTx) {
  JsonParser p;
  std::int64_t nonce = 0;
  ASSERT_TRUE(parse_next_nonce(p, R"({"code":200,"nonce":722})", nonce).ok());
  EXPECT_EQ(nonce, 722);
  EXPECT_EQ(parse_next_nonce(p, R"({"code":200,"nonce":-1})", nonce).code, ParseErrc::kOutOfRange);
  EXPECT_EQ(parse_next_nonce(p, R"({"code":200})", nonce).code, ParseErrc::kMissingField);

  const std::string hash(80, 'a');
  SendTxResult r;
  ASSERT_TRUE(parse_send_tx(p,
                            R"({"code":200,"message":"{\"ratelimit\": \"didn't use volume quota\"}","tx_hash":")" +
                                hash + R"(","predicted_execution_time_ms":1786459719662,"volume_quota_remaining":999})",
                            r)
                  .ok());
  EXPECT_EQ(std::string(r.tx_hash.data(), 80), hash);
  EXPECT_EQ(r.predicted_execution_time_ms, 1786459719662);
  EXPECT_EQ(r.volume_quota_remaining, 999);
  EXPECT_EQ(parse_send_tx(p, R"({"code":200,"tx_hash":"abc"})", r).code, ParseErrc::kBadValue);

  SendTxBatchResult b;
  ASSERT_TRUE(
      parse_send_tx_batch(p, R"({"code":200,"tx_hash":[")" + hash + R"(","0x)" + std::string(80, 'B') + R"("]})", b)
          .ok());
  ASSERT_EQ(b.tx_hashes.size(), 2u);
  EXPECT_EQ(std::string(b.tx_hashes[1].data(), 80), std::string(80, 'b'));
}

constexpr const char* kOrderJson =
    R"({"order_index":281476929510110,"client_order_index":42,"order_id":"281476929510110",)"
    R"("client_order_id":"42","market_index":0,"owner_account_index":1234,"initial_base_amount":"0.0050",)"
    R"("price":"2352.74","nonce":281474720725346,"remaining_base_amount":"0.0030","is_ask":true,"base_size":50,)"
    R"("base_price":235274,"filled_base_amount":"0.0020","filled_quote_amount":"4.705480","side":"sell",)"
    R"("type":"limit","time_in_force":"good-till-time","reduce_only":false,"trigger_price":"0.00",)"
    R"("order_expiry":1780360584479,"status":"open","trigger_status":"na","trigger_time":0,)"
    R"("parent_order_index":0,"block_height":227535532,"timestamp":1777941383576,"created_at":1777941383576,)"
    R"("updated_at":1777941383900,"transaction_time":1777941383576735})";

TEST(LighterParsers, ActiveAndInactiveOrders) {
  JsonParser p;
  OrdersPage page;
  const std::string body = std::string(R"({"code":200,"orders":[)") + kOrderJson +
                           R"(,{"order_index":281476929510111,"client_order_index":0,"market_index":1,)"
                           R"("price":"60000.0","is_ask":false,"type":"market","time_in_force":"immediate-or-cancel",)"
                           R"("status":"canceled-too-much-slippage"}],"next_cursor":"abc"})";
  const ParseError e = parse_orders(p, body, page);
  ASSERT_TRUE(e.ok()) << e.message();
  ASSERT_EQ(page.orders.size(), 2u);
  const Order& o = page.orders[0];
  EXPECT_EQ(o.order_index, 281476929510110);
  EXPECT_EQ(o.client_order_index, 42);
  EXPECT_EQ(o.owner_account_index, 1234);
  EXPECT_EQ(o.price, parsers_dec("2352.74"));
  EXPECT_EQ(o.remaining_base_amount, parsers_dec("0.003"));
  EXPECT_EQ(o.filled_base_amount, parsers_dec("0.002"));
  EXPECT_TRUE(o.is_ask);
  EXPECT_EQ(o.status, OrderStatus::kOpen);
  EXPECT_EQ(o.order_expiry_ms, 1780360584479);
  EXPECT_EQ(page.orders[1].type, OrderKind::kMarket);
  EXPECT_EQ(page.orders[1].time_in_force, OrderTimeInForce::kImmediateOrCancel);
  EXPECT_EQ(page.orders[1].status, OrderStatus::kCanceled);
  EXPECT_STREQ(page.orders[1].cancel_reason, "too-much-slippage");
  EXPECT_EQ(page.next_cursor, "abc");

  EXPECT_EQ(parse_orders(p, R"({"code":200,"orders":[{"order_index":1,"status":"weird"}]})", page).code,
            ParseErrc::kBadEnum);
  EXPECT_EQ(parse_orders(p, R"({"code":200,"orders":[{"order_index":1}]})", page).code, ParseErrc::kMissingField);
}

TEST(LighterParsers, TradesAndFunding) {
  JsonParser p;
  TradesPage t;
  ASSERT_TRUE(parse_trades(p,
                           R"({"code":200,"next_cursor":null,"trades":[{"trade_id":77,"market_id":0,"size":"0.1000",)"
                           R"("price":"2300.50","usd_amount":"230.050000","ask_id":11,"ask_account_id":5,"bid_id":12,)"
                           R"("bid_account_id":6,"is_maker_ask":true,"block_height":9,"timestamp":1777941383576,)"
                           R"("type":"trade"}]})",
                           t)
                  .ok());
  ASSERT_EQ(t.trades.size(), 1u);
  EXPECT_EQ(t.trades[0].trade_id, 77);
  EXPECT_EQ(t.trades[0].size, parsers_dec("0.1"));
  EXPECT_EQ(t.trades[0].price, parsers_dec("2300.5"));
  EXPECT_TRUE(t.trades[0].is_maker_ask);
  EXPECT_TRUE(t.next_cursor.empty());
  EXPECT_EQ(parse_trades(p, R"({"code":200,"trades":[{"trade_id":1,"size":"0","price":"1"}]})", t).code,
            ParseErrc::kBadValue);

  FundingPage f;
  ASSERT_TRUE(parse_position_funding(p,
                                     R"({"code":200,"position_fundings":[{"timestamp":1778702400,"market_id":0,)"
                                     R"("funding_id":5,"change":"-0.027078","rate":"0.0012","position_size":"1.5000",)"
                                     R"("position_side":"long","discount":"0"}]})",
                                     f)
                  .ok());
  ASSERT_EQ(f.fundings.size(), 1u);
  EXPECT_EQ(f.fundings[0].change, parsers_dec("-0.027078"));
  EXPECT_TRUE(f.fundings[0].long_side);
  EXPECT_EQ(
      parse_position_funding(p, R"({"code":200,"position_fundings":[{"change":"1","position_side":"up"}]})", f).code,
      ParseErrc::kBadEnum);
}

// funding-rates lists every exchange's current rate per market, over 8 hours, as JSON numbers (a float below
// 1e-6 in exponent form) or strings.
TEST(LighterRest, FundingRatesEveryRowAsAnExactDecimal) {
  JsonParser p;
  std::vector<FundingRate> r;
  ASSERT_TRUE(
      parse_funding_rates(p,
                          R"({"code":200,"funding_rates":[{"market_id":1,"exchange":"binance","symbol":"BTC",)"
                          R"("rate":0.0001},{"market_id":1,"exchange":"lighter","symbol":"BTC","rate":-0.00048},)"
                          R"({"market_id":0,"exchange":"lighter","symbol":"ETH","rate":5e-07},)"
                          R"({"market_id":2,"exchange":"lighter","symbol":"SOL","rate":"1.25E-3"}]})",
                          r)
          .ok());
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].exchange, "binance");
  EXPECT_EQ(r[1].symbol, "BTC");
  EXPECT_EQ(r[1].rate, parsers_dec("-0.00048"));
  EXPECT_EQ(r[2].rate, parsers_dec("0.0000005"));
  EXPECT_EQ(r[3].rate, parsers_dec("0.00125"));
  EXPECT_EQ(lighter_rate(r, 1), parsers_dec("-0.00048")) << "Lighter's own row, not another exchange's";
  EXPECT_EQ(lighter_rate(r, 0), parsers_dec("0.0000005"));
  EXPECT_FALSE(lighter_rate(r, 7).has_value());
  EXPECT_EQ(parse_funding_rates(p, R"({"code":200,"funding_rates":[{"market_id":1,"exchange":"lighter"}]})", r).code,
            ParseErrc::kMissingField);
  EXPECT_EQ(parse_funding_rates(p, R"({"code":200,"funding_rates":[{"market_id":1,"rate":"1e-x"}]})", r).code,
            ParseErrc::kBadNumber);
  EXPECT_EQ(parse_funding_rates(p, R"({"code":200})", r).code, ParseErrc::kMissingField);
  EXPECT_EQ(parse_funding_rates(p, R"({"code":29500,"message":"internal server error"})", r).code,
            ParseErrc::kApiError);
}

// Worked by hand: 0.0006 over 8 hours is 0.000075 per hour (0.75 bp); at 10:20:00 the next settlement is 11:00:00.
TEST(LighterFunding, ThePublishedEightHourRateIsAnHourlyRateSettledOnTheHour) {
  const TimestampUs day = 1'778'630'400LL * kUsPerSecond;  // a UTC midnight
  const TimestampUs at = day + (10 * 3600 + 20 * 60) * kUsPerSecond;
  const FundingInfo f = hourly_funding(parsers_dec("0.0006"), at);
  EXPECT_EQ(f.rate, parsers_dec("0.000075"));
  EXPECT_EQ(f.interval_ms, 3'600'000);
  EXPECT_EQ(f.next_funding_us, day + 11 * 3600 * kUsPerSecond);
  // Exactly on the hour: that settlement is paid, the next is an hour later.
  EXPECT_EQ(hourly_funding(parsers_dec("0.0006"), day + 11 * 3600 * kUsPerSecond).next_funding_us,
            day + 12 * 3600 * kUsPerSecond);
  // Rounded to the nearest 1e-9: -0.000000013 / 8 = -0.000000001625.
  EXPECT_EQ(hourly_funding(parsers_dec("-0.000000013"), at).rate, parsers_dec("-0.000000002"));
}

// ---------------------------------------------------------------- WebSocket

constexpr const char* kSnapshot =
    R"({"channel":"order_book:0","last_updated_at":1778138389655150,"offset":2164,)"
    R"("order_book":{"code":0,"asks":[{"price":"2325.00","size":"99.0000"},{"price":"2341.25","size":"340.1028"}],)"
    R"("bids":[{"price":"2000.00","size":"0.0200"}],"offset":2164,"nonce":904845,)"
    R"("last_updated_at":1778138389655150,"begin_nonce":0},"timestamp":1778138582602,"type":"subscribed/order_book"})";

TEST(LighterWs, OrderBookSnapshotAndUpdate) {
  JsonParser p;
  WsFrame f;
  ParseError e = parse_ws_frame(p, kSnapshot, f);
  ASSERT_TRUE(e.ok()) << e.message();
  ASSERT_EQ(f.type, WsType::kOrderBook);
  EXPECT_TRUE(f.book.snapshot);
  EXPECT_EQ(f.book.market_id, 0);
  EXPECT_EQ(f.book.nonce, 904845);
  EXPECT_EQ(f.book.begin_nonce, 0);
  EXPECT_EQ(f.book.offset, 2164);
  EXPECT_EQ(f.book.last_updated_at_us, 1778138389655150);
  EXPECT_EQ(f.book.timestamp_ms, 1778138582602);
  ASSERT_EQ(f.book.levels.asks.size(), 2u);
  ASSERT_EQ(f.book.levels.bids.size(), 1u);
  EXPECT_EQ(f.book.levels.asks[1].price, parsers_dec("2341.25"));
  EXPECT_EQ(f.book.levels.asks[1].quantity, parsers_dec("340.1028"));

  e = parse_ws_frame(p,
                     R"({"channel":"order_book:12","last_updated_at":1774884082309144,"offset":1558300,)"
                     R"("order_book":{"code":0,"asks":[{"price":"2064.54","size":"0.0000"}],"bids":[],)"
                     R"("offset":1558300,"nonce":9182390020,"last_updated_at":1774884082309144,)"
                     R"("begin_nonce":9182389998},"timestamp":1774884082326,"type":"update/order_book"})",
                     f);
  ASSERT_TRUE(e.ok()) << e.message();
  EXPECT_FALSE(f.book.snapshot);
  EXPECT_EQ(f.book.market_id, 12);
  EXPECT_EQ(f.book.begin_nonce, 9182389998);
  EXPECT_EQ(f.book.levels.first_update_id, 9182389998);
  EXPECT_EQ(f.book.levels.last_update_id, 9182390020);
  ASSERT_EQ(f.book.levels.asks.size(), 1u);
  EXPECT_TRUE(f.book.levels.asks[0].quantity.is_zero());
  EXPECT_TRUE(f.book.levels.bids.empty());
}

TEST(LighterWs, MalformedBookFramesAreRejected) {
  JsonParser p;
  WsFrame f;
  const char* bad[] = {
      R"({"channel":"order_book:0","order_book":{"asks":[],"bids":[]},"type":"update/order_book"})",  // no nonces
      R"({"channel":"order_book:0","order_book":{"asks":[{"price":"-1","size":"1"}],"bids":[],"nonce":2,)"
      R"("begin_nonce":1},"type":"update/order_book"})",
      R"({"channel":"order_book:0","order_book":{"asks":[{"price":"1","size":"-1"}],"bids":[],"nonce":2,)"
      R"("begin_nonce":1},"type":"update/order_book"})",
      R"({"channel":"order_book:0","order_book":{"asks":[{"price":"1.0000000001","size":"1"}],"bids":[],)"
      R"("nonce":2,"begin_nonce":1},"type":"update/order_book"})",
      R"({"channel":"order_book:0","order_book":{"asks":[{"price":"1"}],"bids":[],"nonce":2,"begin_nonce":1},)"
      R"("type":"update/order_book"})",
      R"({"channel":"order_book:x","order_book":{"asks":[],"bids":[],"nonce":2,"begin_nonce":1},)"
      R"("type":"update/order_book"})",
      R"({"channel":"order_book:0","order_book":{"code":7,"asks":[],"bids":[],"nonce":2,"begin_nonce":1},)"
      R"("type":"update/order_book"})",
      R"({"channel":"order_book:0","order_book":{"asks":[],"bids":[],"nonce":2,"begin_nonce":1})",  // truncated
      R"({"channel":"order_book:0"})",                                                              // no type
      "",
      "[]",
  };
  for (const char* b : bad) {
    const ParseError e = parse_ws_frame(p, b, f);
    EXPECT_FALSE(e.ok()) << b;
    EXPECT_EQ(f.type, WsType::kNone) << b;
  }
}

TEST(LighterWs, ControlFramesTradesAndAccountOrders) {
  JsonParser p;
  WsFrame f;
  ASSERT_TRUE(parse_ws_frame(p, R"({"type":"ping"})", f).ok());
  EXPECT_EQ(f.type, WsType::kPing);
  ASSERT_TRUE(parse_ws_frame(p, R"({"type":"pong"})", f).ok());
  EXPECT_EQ(f.type, WsType::kPong);
  ASSERT_TRUE(parse_ws_frame(p, R"({"session_id":"abc","type":"connected"})", f).ok());
  EXPECT_EQ(f.type, WsType::kConnected);
  ASSERT_TRUE(parse_ws_frame(p, R"({"type":"error","code":30003,"message":"Already Subscribed"})", f).ok());
  EXPECT_EQ(f.type, WsType::kError);
  EXPECT_EQ(f.error_code, 30003);
  EXPECT_EQ(f.error_message, "Already Subscribed");
  ASSERT_TRUE(parse_ws_frame(p, R"({"error":{"code":23000,"message":"Too Many Requests"}})", f).ok());
  EXPECT_EQ(f.type, WsType::kError);
  EXPECT_EQ(classify(lighter_error_from_code(f.error_code)), ErrorAction::kRateLimit);
  ASSERT_TRUE(parse_ws_frame(p, R"({"type":"update/height","height":5})", f).ok());
  EXPECT_EQ(f.type, WsType::kUnknown);

  ASSERT_TRUE(
      parse_ws_frame(p,
                     R"({"channel":"trade:0","trades":[{"trade_id":9,"market_id":0,"size":"0.5","price":"2300",)"
                     R"("usd_amount":"1150","ask_id":1,"bid_id":2,"ask_account_id":3,"bid_account_id":4,)"
                     R"("is_maker_ask":false,"block_height":1,"timestamp":5,"type":"trade"}],"type":"update/trade"})",
                     f)
          .ok());
  EXPECT_EQ(f.type, WsType::kTrade);
  ASSERT_EQ(f.trades.size(), 1u);
  EXPECT_EQ(f.trades[0].price, parsers_dec("2300"));

  const std::string orders = std::string(R"({"type":"update/account_orders","channel":"account_orders:0:1234",)") +
                             R"("account":1234,"nonce":9182390020,"orders":{"0":[)" + kOrderJson + "]}}";
  ASSERT_TRUE(parse_ws_frame(p, orders, f).ok());
  EXPECT_EQ(f.type, WsType::kAccountOrders);
  EXPECT_EQ(f.account, 1234);
  ASSERT_EQ(f.orders.size(), 1u);
  EXPECT_EQ(f.orders[0].client_order_index, 42);
  EXPECT_TRUE(f.trades.empty());  // cleared from the earlier trade frame

  const std::string all =
      std::string(R"({"account":1234,"channel":"account_all:1234","positions":{"1":{"market_id":1,"symbol":"BTC",)") +
      R"("sign":-1,"position":"0.1","open_order_count":0}},"trades":{"1":[{"trade_id":3,"market_id":1,"size":"0.1",)" +
      R"("price":"60000"}]},"funding_histories":{},"type":"update/account_all"})";
  ASSERT_TRUE(parse_ws_frame(p, all, f).ok());
  EXPECT_EQ(f.type, WsType::kAccountAll);
  ASSERT_EQ(f.positions.size(), 1u);
  EXPECT_EQ(f.positions[0].signed_size, parsers_dec("-0.1"));
  ASSERT_EQ(f.trades.size(), 1u);
  EXPECT_TRUE(f.orders.empty());
}

TEST(LighterWs, SendTxReplies) {
  JsonParser p;
  WsFrame f;
  const std::string hash(80, 'c');
  ASSERT_TRUE(parse_ws_frame(p,
                             R"({"code":200,"id":"1786459718284","predicted_execution_time_ms":1786459719662,)"
                             R"("tx_hash":")" +
                                 hash + R"(","type":"jsonapi/sendtx"})",
                             f)
                  .ok());
  EXPECT_EQ(f.type, WsType::kSendTx);
  EXPECT_EQ(f.error_code, 200);
  EXPECT_EQ(std::string(f.send_tx.tx_hash.data(), 80), hash);
  ASSERT_TRUE(parse_ws_frame(p, R"({"code":21104,"message":"invalid nonce","type":"jsonapi/sendtx"})", f).ok());
  EXPECT_EQ(f.type, WsType::kSendTx);
  EXPECT_EQ(lighter_error_from_code(f.error_code), LighterError::kInvalidNonce);
  EXPECT_FALSE(parse_ws_frame(p, R"({"code":200,"type":"jsonapi/sendtx"})", f).ok());
}

}  // namespace
}  // namespace bparb::lighter

// ---------------------------------------------------------------- fast order_book reader

namespace bparb::lighter {
namespace {

bool same_book(const WsFrame& a, const WsFrame& b) {
  auto same_levels = [](const std::vector<LevelUpdate>& x, const std::vector<LevelUpdate>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i].price != y[i].price || x[i].quantity != y[i].quantity) return false;
    return true;
  };
  const BookFrame& x = a.book;
  const BookFrame& y = b.book;
  return a.type == b.type && a.snapshot == b.snapshot && x.market_id == y.market_id && x.snapshot == y.snapshot &&
         x.offset == y.offset && x.nonce == y.nonce && x.begin_nonce == y.begin_nonce &&
         x.last_updated_at_us == y.last_updated_at_us && x.timestamp_ms == y.timestamp_ms &&
         x.levels.first_update_id == y.levels.first_update_id && x.levels.last_update_id == y.levels.last_update_id &&
         x.levels.engine_time_us == y.levels.engine_time_us && x.levels.event_time_us == y.levels.event_time_us &&
         same_levels(x.levels.bids, y.levels.bids) && same_levels(x.levels.asks, y.levels.asks);
}

// Whatever the input, parse_ws_frame (fast reader first) and the generic walk agree: same success, same
// error code, same decoded frame. Inputs: a generated stream and every one-byte change of a few frames.
TEST(LighterWs, FastBookReaderAgreesWithGenericParser) {
  const std::vector<std::string> frames = bench::make_book_frames(300, 7);
  JsonParser pa;
  JsonParser pb;
  WsFrame a;
  WsFrame b;
  // Warm both frames' vectors so the fast reader does not decline for capacity alone.
  ASSERT_TRUE(parse_ws_frame(pa, frames[0], a).ok());
  ASSERT_TRUE(parse_ws_frame_generic(pb, frames[0], b).ok());
  int compared = 0;
  auto check = [&](const std::string& s) {
    const ParseError ea = parse_ws_frame(pa, s, a);
    const ParseError eb = parse_ws_frame_generic(pb, s, b);
    ASSERT_EQ(ea.code, eb.code) << s;
    if (ea.ok()) {
      ASSERT_TRUE(same_book(a, b)) << s;
    }
    ++compared;
  };
  for (const std::string& f : frames) check(f);
  // A string that is not UTF-8 in a value a later duplicate key overrides (found by the fuzzer).
  {
    const std::string prefix = R"({"channel":"order_book:0",)";
    ASSERT_EQ(frames[1].substr(0, prefix.size()), prefix);
    check(prefix + "\"type\":\"\xff\"," + frames[1].substr(prefix.size()));
  }
  // Digit runs longer than any field allows (found by the fuzzer: they overflowed the reader once).
  for (const char* digits : {"1234567890", "12345678901234567890123", "0.12345678901234567890"}) {
    std::string m = frames[1];
    const std::size_t at = m.find(R"("price":")");
    ASSERT_NE(at, std::string::npos);
    m.insert(at + 9, digits);
    check(m);
    m = frames[1];
    m.insert(m.find(R"("nonce":)") + 8, digits);
    check(m);
  }
  // A market id of 18 and of 19 nines (found by the fuzzer: the 19th digit overflowed the market id once).
  for (const char* market : {"999999999999999999", "9999999999999999999"}) {
    const std::string prefix = R"({"channel":"order_book:0",)";
    check(std::string(R"({"channel":"order_book:)") + market + R"(",)" + frames[1].substr(prefix.size()));
  }
  // 0xFF: not UTF-8, which the generic parser refuses and the fast reader must not accept.
  const char kSubst[] = {'"', '0', '9', '-', '.', '}', ']', ',', ' ', '\\', 'x', '\0', static_cast<char>(0xFF)};
  for (std::size_t k = 1; k < frames.size(); k += 60) {
    const std::string& f = frames[k];
    for (std::size_t i = 0; i < f.size(); ++i) {
      for (char c : kSubst) {
        std::string m = f;
        m[i] = c;
        check(m);
      }
      check(f.substr(0, i));
    }
  }
  EXPECT_GT(compared, 10000);
}

}  // namespace
}  // namespace bparb::lighter
