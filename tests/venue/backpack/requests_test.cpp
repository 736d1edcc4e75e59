#include "bparb/venue/backpack/requests.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "bparb/venue/backpack/signer.hpp"
#include "test_util.hpp"

namespace bparb::backpack {
namespace {

using testing::D;

constexpr const char* kRequestsSeed32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

class RequestWriterTest : public ::testing::Test {
 protected:
  SigningKey key_ = std::move(SigningKey::from_base64_secret(kRequestsSeed32)).value();
  RequestAuth auth_{&key_, 1614550000000, 5000};
  RequestWriter w_;
  WrittenRequest out_;
};

TEST_F(RequestWriterTest, ApiNotesLimitOrderExample) {
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.side = Side::kBid;
  o.type = OrderType::kLimit;
  o.price = D("150.25");
  o.quantity = D("0.5");
  o.post_only = true;
  o.time_in_force = TimeInForce::kGtc;
  o.client_id = 42;
  ASSERT_EQ(w_.write_order(o, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.instruction, "orderExecute");
  EXPECT_EQ(out_.signing_string,
            "instruction=orderExecute&clientId=42&orderType=Limit&postOnly=true&price=150.25&quantity=0.5&side=Bid&"
            "symbol=SOL_USDC&timeInForce=GTC&timestamp=1614550000000&window=5000");
  EXPECT_EQ(out_.body,
            R"({"clientId":42,"orderType":"Limit","postOnly":true,"price":"150.25","quantity":"0.5","side":"Bid",)"
            R"("symbol":"SOL_USDC","timeInForce":"GTC"})");
  EXPECT_EQ(out_.signature, "Am2nHjbfoyHdzOVOy0v4K4Ud1QlFda/Ll+qvBkFje8cqgAKwMtG1PvGe7tNUF7YK+rgBeMC68OGAEwEGM5n3DQ==");
  EXPECT_EQ(out_.timestamp, "1614550000000");
  EXPECT_EQ(out_.window, "5000");
}

TEST_F(RequestWriterTest, FixedDecimalsAlignToTickAndStep) {
  OrderRequest o;
  o.symbol = "SOL_USDC_PERP";
  o.side = Side::kAsk;
  o.price = D("180.1");
  o.price_decimals = 2;
  o.quantity = D("3");
  o.quantity_decimals = 2;
  ASSERT_EQ(w_.write_order(o, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body,
            R"({"orderType":"Limit","price":"180.10","quantity":"3.00","side":"Ask","symbol":"SOL_USDC_PERP"})");
  EXPECT_NE(out_.signing_string.find("&price=180.10&quantity=3.00&"), std::string_view::npos);
  // A price finer than the tick is refused, never truncated.
  o.price = D("180.125");
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kTooPrecise);
  o.price = D("180.12");
  o.price_decimals = 10;
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kBadDecimals);
}

TEST_F(RequestWriterTest, MarketPrecisionFromSpec) {
  MarketSpec m;
  m.tick_size = D("0.1");
  m.step_size = D("0.00001");
  OrderRequest o;
  o.symbol = "BTC_USDC_PERP";
  o.price = D("118343");
  o.quantity = D("0.0012");
  apply_market_precision(o, m);
  EXPECT_EQ(o.price_decimals, 1);
  EXPECT_EQ(o.quantity_decimals, 5);
  ASSERT_EQ(w_.write_order(o, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body,
            R"({"orderType":"Limit","price":"118343.0","quantity":"0.00120","side":"Bid","symbol":"BTC_USDC_PERP"})");
  o.price = D("118343.05");  // off the 0.1 tick
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kTooPrecise);
}

TEST_F(RequestWriterTest, EveryOptionalFieldAndLowercaseBools) {
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.side = Side::kBid;
  o.price = D("150.25");
  o.quantity = D("0.5");
  o.post_only = true;
  o.time_in_force = TimeInForce::kGtc;
  o.client_id = 42;
  o.self_trade_prevention = SelfTradePrevention::kRejectTaker;
  o.reduce_only = false;
  o.auto_lend = true;
  o.auto_lend_redeem = false;
  o.auto_borrow = false;
  o.auto_borrow_repay = true;
  ASSERT_EQ(w_.write_order(o, auth_, out_), RequestError::kOk);
  // Same bytes as ccxt produced for this request (ccxt_signing_vectors.json vector 0).
  EXPECT_EQ(out_.body,
            R"({"autoBorrow":false,"autoBorrowRepay":true,"autoLend":true,"autoLendRedeem":false,"clientId":42,)"
            R"("orderType":"Limit","postOnly":true,"price":"150.25","quantity":"0.5","reduceOnly":false,)"
            R"("selfTradePrevention":"RejectTaker","side":"Bid","symbol":"SOL_USDC","timeInForce":"GTC"})");
  EXPECT_EQ(out_.signature, "p+7zO5FUQOFVHdKEWKqJSDzc9UXzXJj4Mzu2rMmEMpJUDsO7j5a0OvhHsDVl1GDduq/lYsiqV1qnNb3tfLikCg==");
}

TEST_F(RequestWriterTest, MarketOrderShapes) {
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.type = OrderType::kMarket;
  o.quote_quantity = D("100.5");
  o.quote_quantity_decimals = 2;
  ASSERT_EQ(w_.write_order(o, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body, R"({"orderType":"Market","quoteQuantity":"100.50","side":"Bid","symbol":"SOL_USDC"})");
  o.quantity = D("1");
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kUnexpectedQuoteQuantity);
  o.quote_quantity = Decimal{};
  o.price = D("1");
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kUnexpectedPrice);
  o.price = Decimal{};
  o.quantity = Decimal{};
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kMissingQuantity);
}

TEST_F(RequestWriterTest, RejectsInvalidOrders) {
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.quantity = D("1");
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kMissingPrice);
  o.price = D("-1");
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kNonPositive);
  o.price = D("1");
  o.quote_quantity = D("5");
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kUnexpectedQuoteQuantity);
  o.quote_quantity = Decimal{};
  o.quantity = Decimal{};
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kMissingQuantity);
  o.quantity = D("1");
  o.symbol = "";
  EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kMissingSymbol);
  for (const char* bad : {"SOL\"USDC", "SOL&x=1", "SOL USDC", "SOL\\", "SOL=USDC"}) {
    o.symbol = bad;
    EXPECT_EQ(w_.write_order(o, auth_, out_), RequestError::kBadSymbol) << bad;
  }
  o.symbol = "SOL_USDC";
  RequestAuth bad_window{&key_, 1, 60001};
  EXPECT_EQ(w_.write_order(o, bad_window, out_), RequestError::kBadWindow);
  bad_window.window_ms = 0;
  EXPECT_EQ(w_.write_order(o, bad_window, out_), RequestError::kBadWindow);
  EXPECT_STRNE(to_string(RequestError::kTooPrecise), "?");
}

TEST_F(RequestWriterTest, WithoutKeyNoSignature) {
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = D("1");
  o.quantity = D("1");
  RequestAuth no_key{nullptr, 7, 60000};
  ASSERT_EQ(w_.write_order(o, no_key, out_), RequestError::kOk);
  EXPECT_TRUE(out_.signature.empty());
  EXPECT_EQ(out_.window, "60000");
  EXPECT_NE(out_.signing_string.find("&timestamp=7&window=60000"), std::string_view::npos);
}

TEST_F(RequestWriterTest, BatchBodyAndSignature) {
  OrderRequest a;
  a.symbol = "SOL_USDC_PERP";
  a.price = D("141");
  a.quantity = D("12");
  OrderRequest b = a;
  b.price = D("140");
  b.quantity = D("11");
  const OrderRequest orders[] = {a, b};
  RequestAuth auth{&key_, 1750793021519, 5000};
  ASSERT_EQ(w_.write_batch(orders, auth, out_), RequestError::kOk);
  EXPECT_EQ(out_.instruction, "orderExecute");
  EXPECT_EQ(out_.body, R"([{"orderType":"Limit","price":"141","quantity":"12","side":"Bid","symbol":"SOL_USDC_PERP"},)"
                       R"({"orderType":"Limit","price":"140","quantity":"11","side":"Bid","symbol":"SOL_USDC_PERP"}])");
  EXPECT_EQ(out_.signature, "/RiVIEmATq6bDKSR8I9tEY3qY/MRt45Y5/Wi4mKYjt3SaqoLFfOiYrYNRddqSXfrcDdY/b0n3duPew5JKrn/CA==");

  EXPECT_EQ(w_.write_batch({}, auth, out_), RequestError::kEmptyBatch);
  std::vector<OrderRequest> many(RequestWriter::kMaxBatch + 1, a);
  EXPECT_EQ(w_.write_batch(many, auth, out_), RequestError::kBatchTooLarge);
  many.resize(RequestWriter::kMaxBatch);
  ASSERT_EQ(w_.write_batch(many, auth, out_), RequestError::kOk);  // grows buffers past the reserved size
  EXPECT_EQ(std::count(out_.signing_string.begin(), out_.signing_string.end(), '&'),
            static_cast<long>(RequestWriter::kMaxBatch * 6 + 1));
  many[3].price = Decimal{};
  EXPECT_EQ(w_.write_batch(many, auth, out_), RequestError::kMissingPrice);
}

TEST_F(RequestWriterTest, CancelByOrderIdOrClientId) {
  CancelRequest c;
  c.symbol = "BTC_USDT";
  c.order_id = "28";
  ASSERT_EQ(w_.write_cancel(c, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.instruction, "orderCancel");
  EXPECT_EQ(out_.body, R"({"orderId":"28","symbol":"BTC_USDT"})");
  EXPECT_EQ(out_.signing_string,
            "instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000");
  EXPECT_EQ(out_.signature, "80cYcHmUHbvcO3IonY2y+nObqUTRkZrNbRsPB30r+NjqgKfP5DIFKryC0ea11fMcweyoymFT+S2cGbPACyinDw==");

  c.order_id = "";
  c.client_id = 42;
  ASSERT_EQ(w_.write_cancel(c, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body, R"({"clientId":42,"symbol":"BTC_USDT"})");
  EXPECT_EQ(out_.signing_string,
            "instruction=orderCancel&clientId=42&symbol=BTC_USDT&timestamp=1614550000000&window=5000");

  c.order_id = "28";
  EXPECT_EQ(w_.write_cancel(c, auth_, out_), RequestError::kCancelIdAmbiguous);
  c.order_id = "";
  c.client_id.reset();
  EXPECT_EQ(w_.write_cancel(c, auth_, out_), RequestError::kCancelIdMissing);
  c.order_id = "12\"3";
  EXPECT_EQ(w_.write_cancel(c, auth_, out_), RequestError::kBadOrderId);
}

TEST_F(RequestWriterTest, CancelAll) {
  ASSERT_EQ(w_.write_cancel_all("SOL_USDC_PERP", CancelAllKind::kAll, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.instruction, "orderCancelAll");
  EXPECT_EQ(out_.body, R"({"symbol":"SOL_USDC_PERP"})");
  EXPECT_EQ(out_.signing_string, "instruction=orderCancelAll&symbol=SOL_USDC_PERP&timestamp=1614550000000&window=5000");
  ASSERT_EQ(w_.write_cancel_all("SOL_USDC", CancelAllKind::kRestingLimitOrder, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body, R"({"orderType":"RestingLimitOrder","symbol":"SOL_USDC"})");
  EXPECT_EQ(out_.signing_string,
            "instruction=orderCancelAll&orderType=RestingLimitOrder&symbol=SOL_USDC&timestamp=1614550000000&"
            "window=5000");
  EXPECT_EQ(w_.write_cancel_all("", CancelAllKind::kAll, auth_, out_), RequestError::kMissingSymbol);
}

TEST_F(RequestWriterTest, SignedQueryString) {
  SignParam params[] = {{"symbol", "SOL_USDC_PERP"},
                        {"limit", "1000"},
                        {"fillType", "User"},
                        {"from", "1614540000000"},
                        {"to", "1614550000000"}};
  ASSERT_EQ(w_.write_query(instruction_for("GET", "/wapi/v1/history/fills"), params, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body, "fillType=User&from=1614540000000&limit=1000&symbol=SOL_USDC_PERP&to=1614550000000");
  EXPECT_EQ(out_.signing_string,
            "instruction=fillHistoryQueryAll&fillType=User&from=1614540000000&limit=1000&symbol=SOL_USDC_PERP&"
            "to=1614550000000&timestamp=1614550000000&window=5000");
  EXPECT_EQ(out_.signature, "z+ysUBB1BpmHZwMDSC3pRumJOT2po4CQN0/DK1Qyl/zg1sPJPZ26epPSwwQMQuUOFsbAZk/PhCxGY2jhHxz1Cg==");

  ASSERT_EQ(w_.write_query("balanceQuery", {}, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body, "");
  EXPECT_EQ(out_.signature, "nYfMx/rzW4i3vncDLl8SNxrjlZerfdUU1YvITOiclzGv0wbH0+CUQs4pH1hDKd/nhuhm1kBMs99y82z2j0gkDg==");

  // Values needing encoding: the query is percent-encoded, the signing string keeps the raw value.
  SignParam odd[] = {{"note", "a b&c"}};
  ASSERT_EQ(w_.write_query("x", odd, auth_, out_), RequestError::kOk);
  EXPECT_EQ(out_.body, "note=a%20b%26c");
  EXPECT_NE(out_.signing_string.find("note=a b&c"), std::string_view::npos);

  SignParam bad[] = {{"", "1"}};
  EXPECT_EQ(w_.write_query("x", bad, auth_, out_), RequestError::kBadParam);
  SignParam bad2[] = {{"a=b", "1"}};
  EXPECT_EQ(w_.write_query("x", bad2, auth_, out_), RequestError::kBadParam);
}

}  // namespace
}  // namespace bparb::backpack
