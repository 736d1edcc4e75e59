// bpsim-side parsing: bodies and query strings as received, with the exact signed value texts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "test_util.hpp"

namespace bparb::backpack {
namespace {

using testing::D;

constexpr const char* kServerSeed32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

TEST(ServerParse, OrderPayloadFieldsAndParams) {
  JsonParser p;
  OrderExecutePayload o;
  const ParseError e = parse_order_execute_payload(
      p,
      R"({"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"150.25","quantity":"0.5","postOnly":true,)"
      R"("timeInForce":"GTC","clientId":42,"reduceOnly":null,"selfTradePrevention":"RejectMaker","brokerId":1400,)"
      R"("autoLend":false,"triggerPrice":"140"})",
      o);
  ASSERT_TRUE(e.ok()) << e.message();
  EXPECT_EQ(o.symbol, "SOL_USDC");
  EXPECT_EQ(o.side, Side::kBid);
  EXPECT_EQ(o.order_type, OrderType::kLimit);
  EXPECT_EQ(o.price, D("150.25"));
  EXPECT_EQ(o.quantity, D("0.5"));
  EXPECT_FALSE(o.quote_quantity.has_value());
  EXPECT_EQ(o.post_only, true);
  EXPECT_FALSE(o.reduce_only.has_value());  // null = absent
  EXPECT_EQ(o.time_in_force, TimeInForce::kGtc);
  EXPECT_EQ(o.client_id, 42u);
  EXPECT_EQ(o.self_trade_prevention, SelfTradePrevention::kRejectMaker);
  EXPECT_EQ(o.broker_id, 1400);
  EXPECT_EQ(o.auto_lend, false);
  const std::vector<ParamText> expected = {
      {"symbol", "SOL_USDC"}, {"side", "Bid"},       {"orderType", "Limit"},
      {"price", "150.25"},    {"quantity", "0.5"},   {"postOnly", "true"},
      {"timeInForce", "GTC"}, {"clientId", "42"},    {"selfTradePrevention", "RejectMaker"},
      {"brokerId", "1400"},   {"autoLend", "false"}, {"triggerPrice", "140"}};
  EXPECT_EQ(o.params, expected);
}

TEST(ServerParse, RebuiltSigningStringVerifiesWhatTheClientSigned) {
  const SigningKey key = std::move(SigningKey::from_base64_secret(kServerSeed32)).value();
  RequestWriter w;
  OrderRequest req;
  req.symbol = "SOL_USDC_PERP";
  req.side = Side::kAsk;
  req.price = D("180.1");
  req.price_decimals = 2;
  req.quantity = D("1.25");
  req.reduce_only = true;
  req.client_id = 4294967295u;
  WrittenRequest out;
  ASSERT_EQ(w.write_order(req, {&key, 1700000000000, 10000}, out), RequestError::kOk);

  JsonParser p;
  OrderExecutePayload o;
  ASSERT_TRUE(parse_order_execute_payload(p, std::string(out.body), o).ok());
  const std::string rebuilt = signing_string(instruction_for("POST", "/api/v1/order"), o.params, 1700000000000, 10000);
  EXPECT_EQ(rebuilt, out.signing_string);
  EXPECT_TRUE(verify_signature_base64(key.public_key_base64(), out.signature, rebuilt));
  // A tampered value no longer verifies.
  std::vector<ParamText> tampered = o.params;
  for (auto& kv : tampered)
    if (kv.key == "price") kv.value = "180.1";  // same number, different text
  EXPECT_FALSE(verify_signature_base64(key.public_key_base64(), out.signature,
                                       signing_string("orderExecute", tampered, 1700000000000, 10000)));
}

TEST(ServerParse, BatchPayload) {
  JsonParser p;
  std::vector<OrderExecutePayload> v;
  ASSERT_TRUE(
      parse_order_execute_batch(p,
                                R"([{"symbol":"A_B","side":"Bid","orderType":"Limit","price":"1","quantity":"2"},)"
                                R"({"symbol":"A_B","side":"Ask","orderType":"Market","quoteQuantity":"10.5"}])",
                                v)
          .ok());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].order_type, OrderType::kMarket);
  EXPECT_EQ(v[1].quote_quantity, D("10.5"));
  EXPECT_EQ(v[1].params.size(), 4u);
  EXPECT_EQ(parse_order_execute_batch(p, "[]", v).code, ParseErrc::kBadValue);
  EXPECT_EQ(parse_order_execute_batch(p, R"({"symbol":"A_B"})", v).code, ParseErrc::kWrongType);
  EXPECT_EQ(parse_order_execute_batch(p, R"([{"symbol":"A_B"},1])", v).code, ParseErrc::kMissingField);
  // A single-order endpoint given an array is rejected like the real API does.
  OrderExecutePayload o;
  EXPECT_EQ(parse_order_execute_payload(p, R"([{"symbol":"A_B","side":"Bid","orderType":"Limit"}])", o).code,
            ParseErrc::kWrongType);
}

struct BadOrder {
  const char* json;
  ParseErrc code;
  const char* field;
};

TEST(ServerParse, BadOrderPayloads) {
  const BadOrder cases[] = {
      {R"({"side":"Bid","orderType":"Limit"})", ParseErrc::kMissingField, "symbol"},
      {R"({"symbol":"A","orderType":"Limit"})", ParseErrc::kMissingField, "side"},
      {R"({"symbol":"A","side":"Bid"})", ParseErrc::kMissingField, "orderType"},
      {R"({"symbol":"A","side":"Buy","orderType":"Limit"})", ParseErrc::kBadEnum, "side"},
      {R"({"symbol":"A","side":"Bid","orderType":"LIMIT"})", ParseErrc::kBadEnum, "orderType"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","timeInForce":"GTD"})", ParseErrc::kBadEnum, "timeInForce"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","price":"abc"})", ParseErrc::kBadNumber, "price"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","price":"1.0000000001"})", ParseErrc::kOutOfRange, "price"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","quantity":"1e3"})", ParseErrc::kBadNumber, "quantity"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","postOnly":"yes"})", ParseErrc::kWrongType, "postOnly"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","clientId":-1})", ParseErrc::kOutOfRange, "clientId"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","clientId":4294967296})", ParseErrc::kOutOfRange, "clientId"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","clientId":1.5})", ParseErrc::kBadNumber, "clientId"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","brokerId":70000})", ParseErrc::kOutOfRange, "brokerId"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit","x":{"y":1}})", ParseErrc::kWrongType, "order"},
      {R"({"symbol":1,"side":"Bid","orderType":"Limit"})", ParseErrc::kWrongType, "symbol"},
      {R"({"symbol":"A","side":"Bid","orderType":"Limit")", ParseErrc::kInvalidJson, "order"},
  };
  JsonParser p;
  OrderExecutePayload o;
  for (const auto& c : cases) {
    const ParseError e = parse_order_execute_payload(p, c.json, o);
    EXPECT_EQ(e.code, c.code) << c.json << " -> " << e.message();
    EXPECT_STREQ(e.field, c.field) << c.json;
  }
}

TEST(ServerParse, CancelPayloads) {
  JsonParser p;
  CancelPayload c;
  ASSERT_TRUE(parse_cancel_payload(p, R"({"symbol":"SOL_USDC","orderId":"4227701917"})", c).ok());
  EXPECT_EQ(c.symbol, "SOL_USDC");
  EXPECT_EQ(c.order_id, "4227701917");
  EXPECT_FALSE(c.client_id.has_value());
  ASSERT_TRUE(parse_cancel_payload(p, R"({"orderId": 28, "symbol": "BTC_USDT"})", c).ok());  // docs' example
  EXPECT_EQ(c.order_id, "28");
  EXPECT_EQ(signing_string("orderCancel", c.params, 1614550000000, 5000),
            "instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000");
  ASSERT_TRUE(parse_cancel_payload(p, R"({"symbol":"X","clientId":7})", c).ok());
  EXPECT_EQ(c.client_id, 7u);
  ASSERT_TRUE(parse_cancel_payload(p, R"({"symbol":"X","orderType":"ConditionalOrder"})", c).ok());
  EXPECT_EQ(c.order_type, "ConditionalOrder");
  EXPECT_EQ(parse_cancel_payload(p, R"({"symbol":"X","orderId":"1","clientId":1})", c).code, ParseErrc::kBadValue);
  EXPECT_EQ(parse_cancel_payload(p, R"({"orderId":"1"})", c).code, ParseErrc::kMissingField);
  EXPECT_EQ(parse_cancel_payload(p, R"({"symbol":"X","orderType":"All"})", c).code, ParseErrc::kBadEnum);
  EXPECT_EQ(parse_cancel_payload(p, R"({"symbol":"X","orderId":true})", c).code, ParseErrc::kWrongType);
  EXPECT_EQ(parse_cancel_payload(p, "", c).code, ParseErrc::kInvalidJson);
}

TEST(ServerParse, QueryStrings) {
  std::vector<ParamText> q;
  ASSERT_TRUE(parse_query_string("symbol=SOL_USDC&limit=100&from=1614540000000", q).ok());
  const std::vector<ParamText> expected = {{"symbol", "SOL_USDC"}, {"limit", "100"}, {"from", "1614540000000"}};
  EXPECT_EQ(q, expected);
  ASSERT_TRUE(parse_query_string("?note=a%20b%26c&x=1+2&flag&&y=", q).ok());
  const std::vector<ParamText> decoded = {{"note", "a b&c"}, {"x", "1 2"}, {"flag", ""}, {"y", ""}};
  EXPECT_EQ(q, decoded);
  ASSERT_TRUE(parse_query_string("", q).ok());
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(parse_query_string("a=%zz", q).code, ParseErrc::kBadValue);
  EXPECT_EQ(parse_query_string("a=%2", q).code, ParseErrc::kBadValue);
  EXPECT_EQ(parse_query_string("=1", q).code, ParseErrc::kBadValue);
  EXPECT_EQ(parse_query_string("a=1&%", q).code, ParseErrc::kBadValue);
}

}  // namespace
}  // namespace bparb::backpack
