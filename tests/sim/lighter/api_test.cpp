// The simulated Lighter's transaction path and REST answers, driven by bparb's own signer and read back
// with venue/lighter's parsers.
#include <gtest/gtest.h>

#include "bparb/venue/lighter/parsers.hpp"
#include "sim_lighter_test_util.hpp"

namespace bparb::sim::lighter::testing {
namespace {

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += kHex[c >> 4];
      o += kHex[c & 15];
    }
  }
  return o;
}

class LighterApiTest : public ::testing::Test {
 protected:
  Fixture f;
  LighterApi api{*f.ex, f.clock, f.rules};
  bl::JsonParser parser;

  HttpResponse get(const std::string& target, std::string_view auth = {}) {
    HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.authorization = auth;
    return api.handle(r);
  }
  HttpResponse send_tx(const bl::SignedTx& t) {
    const std::string body =
        "tx_type=" + std::to_string(static_cast<int>(t.tx_type)) + "&tx_info=" + url_encode(t.tx_info());
    HttpRequest r;
    r.method = "POST";
    r.target = "/api/v1/sendTx";
    r.body = body;
    r.content_type = "application/x-www-form-urlencoded";
    return api.handle(r);
  }
  // The venue error code of an answer, as bparb's client reads it (200 when accepted).
  std::int64_t code_of(const HttpResponse& r) {
    bl::SendTxResult res;
    const bl::ParseError e = bl::parse_send_tx(parser, r.body, res);
    if (e.ok()) return 200;
    EXPECT_EQ(e.code, bl::ParseErrc::kApiError) << r.body;
    return e.api_code;
  }
  bl::OrdersPage active(bl::Signer& s, std::int64_t acct) {
    bl::OrdersPage page;
    const HttpResponse r =
        get("/api/v1/accountActiveOrders?account_index=" + std::to_string(acct) + "&market_id=0", f.token(s));
    EXPECT_TRUE(bl::parse_orders(parser, r.body, page).ok()) << r.body;
    return page;
  }
};

TEST_F(LighterApiTest, AcceptedCreateAnswersItsHashAndRestsWithExactAmounts) {
  const bl::SignedTx tx = f.create(*f.alice, f.alice_nonce, 77, 12'345, 199'950, false);
  const HttpResponse r = send_tx(tx);
  ASSERT_EQ(r.status, 200) << r.body;
  bl::SendTxResult res;
  ASSERT_TRUE(bl::parse_send_tx(parser, r.body, res).ok()) << r.body;
  EXPECT_EQ(std::string(res.tx_hash.data(), res.tx_hash.size()), Fixture::hash_hex(tx));

  const bl::OrdersPage page = active(*f.alice, kAlice);
  ASSERT_EQ(page.orders.size(), 1u);
  const bl::Order& o = page.orders[0];
  EXPECT_EQ(o.client_order_index, 77);
  EXPECT_GE(o.order_index, std::int64_t{1} << 48);
  EXPECT_EQ(o.owner_account_index, kAlice);
  EXPECT_EQ(o.initial_base_amount, D("1.2345"));
  EXPECT_EQ(o.remaining_base_amount, D("1.2345"));
  EXPECT_EQ(o.price, D("1999.50"));
  EXPECT_FALSE(o.is_ask);
  EXPECT_EQ(o.status, bl::OrderStatus::kOpen);

  std::int64_t nonce = -1;
  ASSERT_TRUE(
      bl::parse_next_nonce(parser, get("/api/v1/nextNonce?account_index=1001&api_key_index=4").body, nonce).ok());
  EXPECT_EQ(nonce, 1);
}

TEST_F(LighterApiTest, BadSignatureStaleNonceAndExpiredTxAreRefusedWithoutConsumingTheNonce) {
  // Signed by Bob's key for Alice's account: the signature does not verify under Alice's key.
  bl::Signer forger(Fixture::clone(f.bob_key), bl::SignerConfig{304, kAlice, kKey});
  std::int64_t n = 0;
  HttpResponse r = send_tx(f.create(forger, n, 1, 10'000, 200'000, false));
  EXPECT_EQ(code_of(r), 21501);
  EXPECT_NE(r.body.find("invalid signature"), std::string::npos) << r.body;

  // The right key but another chain id: the rebuilt hash differs.
  bl::Signer testnet(Fixture::clone(f.alice_key), bl::SignerConfig{300, kAlice, kKey});
  n = 0;
  EXPECT_EQ(code_of(send_tx(f.create(testnet, n, 1, 10'000, 200'000, false))), 21501);

  // Nonce 5 when 0 is due.
  n = 5;
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, n, 1, 10'000, 200'000, false))), 21104);

  // ExpiredAt in the past.
  bl::CreateOrderTx t;
  t.base_amount = 10'000;
  t.price = 200'000;
  t.time_in_force = 1;
  t.order_expiry = f.clock.now_ms() + 3'600'000;
  bl::SignedTx old;
  ASSERT_FALSE(f.alice->sign_create_order(t, 0, f.clock.now_ms() - 1, old).has_value());
  r = send_tx(old);
  EXPECT_EQ(code_of(r), 21501);
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;

  // An unregistered key slot.
  bl::Signer other_slot(Fixture::clone(f.alice_key), bl::SignerConfig{304, kAlice, 9});
  n = 0;
  EXPECT_EQ(code_of(send_tx(f.create(other_slot, n, 1, 10'000, 200'000, false))), 21108);

  // None of these consumed a nonce: 0 is still due and works.
  EXPECT_EQ(api.next_nonce(kAlice, kKey), 0);
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 1, 10'000, 200'000, false))), 200);
  EXPECT_EQ(api.next_nonce(kAlice, kKey), 1);
  // Replaying the accepted transaction is a stale nonce.
  f.alice_nonce = 0;
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 2, 10'000, 200'000, false))), 21104);
}

TEST_F(LighterApiTest, OrderRulesAndExchangeRejectsMapToLighterCodes) {
  // Below min_base_amount (0.005 ETH).
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 1, 40, 200'000, false))), 21706);
  f.alice_nonce = 0;
  // GTT without an expiry is refused (IOC <=> no expiry).
  bl::CreateOrderTx t;
  t.base_amount = 10'000;
  t.price = 200'000;
  t.time_in_force = 1;
  bl::SignedTx tx;
  ASSERT_FALSE(f.alice->sign_create_order(t, 0, f.expiry(), tx).has_value());
  EXPECT_EQ(code_of(send_tx(tx)), 21711);
  // Beyond the Exchange's price band (2x the last price).
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 1, 10'000, 500'000, true))), 21734);
  f.alice_nonce = 0;
  // Unknown market.
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 1, 10'000, 200'000, true, 1, 7))), 21600);
  f.alice_nonce = 0;
  // A second open order with the same client order index.
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 9, 10'000, 199'000, false))), 200);
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 9, 10'000, 198'000, false))), 21728);
}

TEST_F(LighterApiTest, CancelByClientIndexModifyAndCancelAll) {
  ASSERT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 11, 10'000, 199'000, false))), 200);
  ASSERT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 12, 10'000, 198'000, false))), 200);
  ASSERT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 13, 10'000, 197'000, false))), 200);
  const std::int64_t index12 = active(*f.alice, kAlice).orders[1].order_index;

  bl::SignedTx tx;
  ASSERT_FALSE(f.alice->sign_cancel_order(bl::CancelOrderTx{0, 11, {}}, f.alice_nonce++, f.expiry(), tx));
  EXPECT_EQ(code_of(send_tx(tx)), 200);
  // Cancelling it again: no longer active.
  ASSERT_FALSE(f.alice->sign_cancel_order(bl::CancelOrderTx{0, 11, {}}, f.alice_nonce, f.expiry(), tx));
  EXPECT_EQ(code_of(send_tx(tx)), 21709);

  // Modify by order index: new size and price, same order index.
  bl::ModifyOrderTx m;
  m.market_index = 0;
  m.index = index12;
  m.base_amount = 25'000;
  m.price = 198'500;
  ASSERT_FALSE(f.alice->sign_modify_order(m, f.alice_nonce++, f.expiry(), tx));
  EXPECT_EQ(code_of(send_tx(tx)), 200);
  bl::OrdersPage page = active(*f.alice, kAlice);
  ASSERT_EQ(page.orders.size(), 2u);
  const bl::Order& moved = page.orders[1];
  EXPECT_EQ(moved.order_index, index12);
  EXPECT_EQ(moved.client_order_index, 12);
  EXPECT_EQ(moved.price, D("1985.00"));
  EXPECT_EQ(moved.remaining_base_amount, D("2.5000"));

  ASSERT_FALSE(f.alice->sign_cancel_all_orders(bl::CancelAllOrdersTx{0, 0, {}}, f.alice_nonce++, f.expiry(), tx));
  EXPECT_EQ(code_of(send_tx(tx)), 200);
  EXPECT_TRUE(active(*f.alice, kAlice).orders.empty());
}

TEST_F(LighterApiTest, ScheduledCancelAllFiresWhenDue) {
  ASSERT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 1, 10'000, 199'000, false))), 200);
  bl::SignedTx tx;
  const std::int64_t when = f.clock.now_ms() + std::int64_t{10} * 60 * 1000;
  ASSERT_FALSE(f.alice->sign_cancel_all_orders(bl::CancelAllOrdersTx{1, when, {}}, f.alice_nonce++, f.expiry(), tx));
  EXPECT_EQ(code_of(send_tx(tx)), 200);
  api.poll();
  EXPECT_EQ(active(*f.alice, kAlice).orders.size(), 1u);
  f.clock.set_us(when * kUsPerMs);
  api.poll();
  EXPECT_TRUE(active(*f.alice, kAlice).orders.empty());
}

TEST_F(LighterApiTest, RestingOrderDiesAtItsOrderExpiry) {
  bl::CreateOrderTx t;
  t.client_order_index = 5;
  t.base_amount = 10'000;
  t.price = 199'000;
  t.time_in_force = 1;
  t.order_expiry = f.clock.now_ms() + 60'000;
  bl::SignedTx tx;
  ASSERT_FALSE(f.alice->sign_create_order(t, f.alice_nonce++, f.expiry(), tx).has_value());
  ASSERT_EQ(code_of(send_tx(tx)), 200);
  f.clock.advance_us(59 * kUsPerSecond);
  api.poll();
  EXPECT_EQ(active(*f.alice, kAlice).orders.size(), 1u);
  f.clock.advance_us(kUsPerSecond);
  api.poll();
  EXPECT_TRUE(active(*f.alice, kAlice).orders.empty());
  bl::OrdersPage page;
  ASSERT_TRUE(bl::parse_orders(parser,
                               get("/api/v1/accountInactiveOrders?account_index=1001&limit=10", f.token(*f.alice)).body,
                               page)
                  .ok());
  ASSERT_EQ(page.orders.size(), 1u);
  EXPECT_EQ(page.orders[0].status, bl::OrderStatus::kCanceled);
  EXPECT_STREQ(page.orders[0].cancel_reason, "expired");
}

TEST_F(LighterApiTest, AuthIsRequiredForOrderQueriesAndBoundToTheAccount) {
  EXPECT_EQ(get("/api/v1/accountActiveOrders?account_index=1001&market_id=0").status, 401);
  // Bob's valid token does not open Alice's orders.
  EXPECT_EQ(get("/api/v1/accountActiveOrders?account_index=1001&market_id=0", f.token(*f.bob)).status, 401);
  // A token valid for longer than 8 hours is not accepted yet.
  EXPECT_EQ(get("/api/v1/accountActiveOrders?account_index=1001&market_id=0", f.token(*f.alice, std::int64_t{9} * 3600))
                .status,
            401);
  std::string tok = f.token(*f.alice);
  EXPECT_EQ(get("/api/v1/accountActiveOrders?account_index=1001&market_id=0", tok).status, 200);
  tok.back() = tok.back() == '0' ? '1' : '0';
  EXPECT_EQ(get("/api/v1/accountActiveOrders?account_index=1001&market_id=0", tok).status, 401);
}

TEST_F(LighterApiTest, PositionFundingIsBehindTheAccountsTokenAndParsesWithTheClientsParser) {
  const std::string q = "/api/v1/positionFunding?account_index=1001&limit=100";
  EXPECT_EQ(get(q).status, 401);
  EXPECT_EQ(get(q, f.token(*f.bob)).status, 401);
  const std::string tok = f.token(*f.alice);
  EXPECT_EQ(get("/api/v1/positionFunding?account_index=1001", tok).status, 400);  // limit is required
  EXPECT_EQ(get(q + "&side=both", tok).status, 400);
  EXPECT_EQ(get(q + "&market_id=77", tok).status, 400);
  EXPECT_EQ(get("/api/v1/positionFunding?account_index=4242&limit=10", tok).status, 400);
  const HttpResponse r = get(q + "&market_id=0&side=long", tok);
  ASSERT_EQ(r.status, 200) << r.body;
  bl::FundingPage page;
  ASSERT_TRUE(bl::parse_position_funding(parser, r.body, page).ok()) << r.body;
  EXPECT_TRUE(page.fundings.empty());  // no position, no payment (the daemon's test books a real one)
}

// funding-rates: each perp's current estimate as the venue publishes it, a fraction over 8 hours. Mark 0.08 %
// above index for half an hour: the hourly estimate is 0.0008 / 8 = 0.0001, published as 0.0008.
TEST_F(LighterApiTest, FundingRatesPublishEachPerpsEstimateOverEightHours) {
  std::vector<bl::FundingRate> rates;
  ASSERT_TRUE(bl::parse_funding_rates(parser, get("/api/v1/funding-rates").body, rates).ok());
  ASSERT_EQ(rates.size(), 1u) << "the spot market has no funding";
  EXPECT_EQ(rates[0].market_id, 0);
  EXPECT_EQ(rates[0].exchange, "lighter");
  EXPECT_EQ(rates[0].symbol, "ETH");
  EXPECT_EQ(rates[0].rate, D("0"));
  ASSERT_TRUE(f.ex->set_mark_index("ETH_USDC_PERP", D("2001.6"), D("2000")));
  const std::optional<MarkPriceView> mark = f.ex->mark_price("ETH_USDC_PERP");
  ASSERT_TRUE(mark.has_value());
  const HttpResponse r = get("/api/v1/funding-rates");
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(bl::parse_funding_rates(parser, r.body, rates).ok()) << r.body;
  ASSERT_EQ(rates.size(), 1u);
  EXPECT_EQ(rates[0].rate, mark->funding_rate * 8) << r.body;
  EXPECT_EQ(mark->funding_rate, D("0.0001"));
}

TEST_F(LighterApiTest, MarketsAndAccountParseWithTheClientsParsers) {
  std::vector<bl::MarketDetails> markets;
  ASSERT_TRUE(bl::parse_order_book_details(parser, get("/api/v1/orderBookDetails").body, markets).ok());
  ASSERT_EQ(markets.size(), 2u);
  EXPECT_EQ(markets[0].market_id, 0);
  EXPECT_EQ(markets[0].kind, bl::MarketKind::kPerp);
  EXPECT_EQ(markets[0].price_decimals, 2);
  EXPECT_EQ(markets[0].size_decimals, 4);
  EXPECT_EQ(markets[0].min_base_amount, D("0.005"));
  EXPECT_EQ(markets[0].taker_fee_pct, D("0.02"));
  EXPECT_EQ(markets[0].default_initial_margin_fraction, 500);
  EXPECT_EQ(markets[1].market_id, 2048);
  EXPECT_EQ(markets[1].kind, bl::MarketKind::kSpot);
  markets.clear();
  ASSERT_TRUE(bl::parse_order_books(parser, get("/api/v1/orderBooks").body, markets).ok());
  EXPECT_EQ(markets.size(), 2u);

  bl::Account acc;
  ASSERT_TRUE(bl::parse_account(parser, get("/api/v1/account?by=index&value=1001").body, acc).ok());
  EXPECT_EQ(acc.index, 1001);
  EXPECT_EQ(acc.collateral, D("100000"));
  EXPECT_TRUE(acc.positions.empty());
  std::int64_t code = 0;
  std::string message;
  (void)bl::parse_api_status(parser, get("/api/v1/account?by=index&value=5").body, code, message);
  EXPECT_NE(code, 200);
}

TEST_F(LighterApiTest, AModifyKeepsTheOrderAndARefusedOneLeavesItAsItWas) {
  ASSERT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 7, 5'000, 199'000, false))), 200);
  const std::int64_t index = active(*f.alice, kAlice).orders.at(0).order_index;
  auto modify = [&](std::int64_t base, std::uint32_t price) {
    bl::ModifyOrderTx t;
    t.market_index = 0;
    t.index = 7;  // by client order index
    t.base_amount = base;
    t.price = price;
    bl::SignedTx out;
    EXPECT_FALSE(f.alice->sign_modify_order(t, f.alice_nonce++, f.expiry(), out).has_value());
    const std::int64_t code = code_of(send_tx(out));
    if (code != 200) --f.alice_nonce;  // a refusal consumes no nonce
    return code;
  };
  EXPECT_EQ(modify(10'000, 198'500), 200);
  bl::OrdersPage page = active(*f.alice, kAlice);
  ASSERT_EQ(page.orders.size(), 1u);
  EXPECT_EQ(page.orders[0].order_index, index);  // the same venue order
  EXPECT_EQ(page.orders[0].client_order_index, 7);
  EXPECT_EQ(page.orders[0].price, D("1985.00"));
  EXPECT_EQ(page.orders[0].initial_base_amount, D("1.0000"));
  // The core order it replaced is no finished order of the venue's.
  const HttpResponse inactive = get("/api/v1/accountInactiveOrders?account_index=1001&market_id=0", f.token(*f.alice));
  ASSERT_TRUE(bl::parse_orders(parser, inactive.body, page).ok()) << inactive.body;
  EXPECT_TRUE(page.orders.empty()) << inactive.body;

  // Beyond the price band: refused, and the order rests as before.
  EXPECT_EQ(modify(10'000, 90'000), 21734);
  page = active(*f.alice, kAlice);
  ASSERT_EQ(page.orders.size(), 1u);
  EXPECT_EQ(page.orders[0].order_index, index);
  EXPECT_EQ(page.orders[0].price, D("1985.00"));
  EXPECT_EQ(page.orders[0].remaining_base_amount, D("1.0000"));
  // An order that is not resting: 21709.
  EXPECT_EQ(modify(10'000, 198'000), 200);
  ASSERT_EQ(code_of(send_tx(f.create(*f.bob, f.bob_nonce, 8, 10'000, 198'000, true, 0))), 200);  // fills it
  EXPECT_EQ(modify(10'000, 197'000), 21709);
}

TEST_F(LighterApiTest, OrderBookOrdersListTheLevelsAndTheDetailsCarryTheDay) {
  // Alice bids 1.0000 at 1990.00 (twice: one level) and 2.0000 at 1980.00; Bob asks 0.5000 at 2010.00.
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 1, 5'000, 199'000, false))), 200);
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 2, 5'000, 199'000, false))), 200);
  EXPECT_EQ(code_of(send_tx(f.create(*f.alice, f.alice_nonce, 3, 20'000, 198'000, false))), 200);
  EXPECT_EQ(code_of(send_tx(f.create(*f.bob, f.bob_nonce, 4, 5'000, 201'000, true))), 200);
  const DepthSnapshot d = *f.ex->depth_snapshot("ETH_USDC_PERP", 10);
  const std::string body = get("/api/v1/orderBookOrders?market_id=0&limit=10").body;
  EXPECT_NE(body.find("\"total_asks\":" + std::to_string(d.asks.size())), std::string::npos) << body;
  EXPECT_NE(body.find("\"total_bids\":" + std::to_string(d.bids.size())), std::string::npos) << body;
  // One entry per level, bids best first, sizes as the book holds them.
  const std::size_t best = body.find(R"("remaining_base_amount":"1.0000","price":"1990.00")");
  const std::size_t next = body.find(R"("remaining_base_amount":"2.0000","price":"1980.00")");
  ASSERT_NE(best, std::string::npos) << body;
  ASSERT_NE(next, std::string::npos) << body;
  EXPECT_LT(best, next);
  EXPECT_NE(body.find(R"("remaining_base_amount":"0.5000","price":"2010.00")"), std::string::npos) << body;
  EXPECT_EQ(get("/api/v1/orderBookOrders?market_id=0&limit=251").status, 400);
  EXPECT_EQ(get("/api/v1/orderBookOrders?market_id=0").status, 400);
  EXPECT_EQ(get("/api/v1/orderBookOrders?market_id=7&limit=10").status, 400);

  // Bob sells 0.2500 into the bid: the day's statistics show the trade.
  EXPECT_EQ(code_of(send_tx(f.create(*f.bob, f.bob_nonce, 5, 2'500, 199'000, true, 0))), 200);
  const std::string details = get("/api/v1/orderBookDetails?market_id=0").body;
  EXPECT_NE(details.find(R"("last_trade_price":1990.00)"), std::string::npos) << details;
  EXPECT_NE(details.find(R"("daily_trades_count":1)"), std::string::npos) << details;
  EXPECT_NE(details.find(R"("daily_base_token_volume":0.2500)"), std::string::npos) << details;
  EXPECT_NE(details.find(R"("daily_quote_token_volume":497.500000)"), std::string::npos) << details;
  EXPECT_NE(details.find(R"("daily_price_high":1990.00)"), std::string::npos) << details;
  const std::string assets = get("/api/v1/assetDetails").body;
  EXPECT_NE(assets.find(R"("asset_id":3,"symbol":"USDC")"), std::string::npos) << assets;
}

TEST_F(LighterApiTest, BatchNeedsConsecutiveNoncesAndIsCheckedBeforeAnythingRuns) {
  const bl::SignedTx a = f.create(*f.alice, f.alice_nonce, 1, 10'000, 199'000, false);
  const bl::SignedTx b = f.create(*f.alice, f.alice_nonce, 2, 10'000, 198'000, false);
  ++f.alice_nonce;
  const bl::SignedTx gap = f.create(*f.alice, f.alice_nonce, 3, 10'000, 197'000, false);
  TxOutcome err;
  auto outs = api.submit_batch({14, 14, 14},
                               {std::string(a.tx_info()), std::string(b.tx_info()), std::string(gap.tx_info())}, err);
  EXPECT_EQ(err.code, 21105);
  EXPECT_TRUE(outs.empty());
  EXPECT_TRUE(f.ex->open_orders(0).empty());
  outs = api.submit_batch({14, 14}, {std::string(a.tx_info()), std::string(b.tx_info())}, err);
  ASSERT_EQ(err.code, 200) << err.message;
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[1].tx_hash, Fixture::hash_hex(b));
  EXPECT_EQ(f.ex->open_orders(0).size(), 2u);
}

TEST_F(LighterApiTest, ApiKeysListsTheRegisteredPublicKeyWithItsNonce) {
  std::vector<bl::ApiKeyInfo> keys;
  ASSERT_TRUE(bl::parse_api_keys(parser, get("/api/v1/apikeys?account_index=1001&api_key_index=4").body, keys).ok());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].account_index, kAlice);
  EXPECT_EQ(keys[0].api_key_index, kKey);
  EXPECT_EQ(keys[0].nonce, 0);
  EXPECT_EQ(keys[0].public_key, Fixture::hex(f.alice_key));

  ASSERT_TRUE(bl::parse_api_keys(parser, get("/api/v1/apikeys?account_index=1001&api_key_index=255").body, keys).ok());
  EXPECT_EQ(keys.size(), 1u);
  ASSERT_TRUE(bl::parse_api_keys(parser, get("/api/v1/apikeys?account_index=1001&api_key_index=5").body, keys).ok());
  EXPECT_TRUE(keys.empty());  // a slot without a key: an empty list
  const bl::ParseError e =
      bl::parse_api_keys(parser, get("/api/v1/apikeys?account_index=999&api_key_index=4").body, keys);
  EXPECT_EQ(e.code, bl::ParseErrc::kApiError);
  EXPECT_EQ(e.api_code, 21100);
}

}  // namespace
}  // namespace bparb::sim::lighter::testing
