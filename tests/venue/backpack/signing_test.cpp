#include "bparb/venue/backpack/signing.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {
namespace {

constexpr const char* kSigningSeed32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

TEST(SigningString, DocsCancelExampleSortsKeys) {
  SignParam params[] = {{"symbol", "BTC_USDT"}, {"orderId", "28"}};
  char buf[256];
  const std::size_t n = build_signing_string("orderCancel", params, 1614550000000, 5000, buf, sizeof buf);
  EXPECT_EQ(std::string_view(buf, n),
            "instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000");
  EXPECT_EQ(params[0].key, "orderId");  // sorted in place
}

TEST(SigningString, NoParams) {
  char buf[128];
  const std::size_t n = build_signing_string("balanceQuery", {}, 1614550000000, 5000, buf, sizeof buf);
  EXPECT_EQ(std::string_view(buf, n), "instruction=balanceQuery&timestamp=1614550000000&window=5000");
}

TEST(SigningString, ByteOrderNotCaseInsensitive) {
  // 'Z' (0x5a) sorts before 'a' (0x61); "clientId" < "orderType" < "postOnly" < "price" < "quantity".
  SignParam params[] = {{"quantity", "1"},      {"price", "2"},    {"postOnly", "true"},
                        {"orderType", "Limit"}, {"clientId", "5"}, {"Zeta", "z"}};
  const std::string s = signing_string("orderExecute", params, 1, 2);
  EXPECT_EQ(s,
            "instruction=orderExecute&Zeta=z&clientId=5&orderType=Limit&postOnly=true&price=2&quantity=1&"
            "timestamp=1&window=2");
  EXPECT_EQ(params[0].key, "quantity");  // the const-span overload does not reorder the caller's array
}

TEST(SigningString, CapacityTooSmallReturnsZero) {
  SignParam params[] = {{"symbol", "SOL_USDC"}};
  const std::string full = signing_string("orderCancelAll", params, 1614550000000, 5000);
  char buf[128];
  ASSERT_GT(full.size(), 40u);
  ASSERT_LT(full.size(), sizeof buf);
  EXPECT_EQ(build_signing_string("orderCancelAll", params, 1614550000000, 5000, buf, full.size() - 1), 0u);
  EXPECT_EQ(build_signing_string("orderCancelAll", params, 1614550000000, 5000, buf, 0), 0u);
  EXPECT_EQ(build_signing_string("orderCancelAll", params, 1614550000000, 5000, buf, full.size()), full.size());
  EXPECT_EQ(std::string_view(buf, full.size()), full);
  EXPECT_EQ(build_signing_string("orderCancelAll", params, 1614550000000, 5000, buf, sizeof buf), full.size());
}

TEST(SigningString, BatchMatchesApiNotesExample) {
  SignParam a[] = {
      {"symbol", "SOL_USDC_PERP"}, {"side", "Bid"}, {"orderType", "Limit"}, {"price", "141"}, {"quantity", "12"}};
  SignParam b[] = {
      {"symbol", "SOL_USDC_PERP"}, {"side", "Bid"}, {"orderType", "Limit"}, {"price", "140"}, {"quantity", "11"}};
  std::span<SignParam> orders[] = {a, b};
  char buf[512];
  const std::size_t n = build_batch_signing_string("orderExecute", orders, 1750793021519, 5000, buf, sizeof buf);
  const std::string expected =
      "instruction=orderExecute&orderType=Limit&price=141&quantity=12&side=Bid&symbol=SOL_USDC_PERP&instruction="
      "orderExecute&orderType=Limit&price=140&quantity=11&side=Bid&symbol=SOL_USDC_PERP&timestamp=1750793021519&"
      "window=5000";
  EXPECT_EQ(std::string_view(buf, n), expected);
  EXPECT_EQ(build_batch_signing_string("orderExecute", orders, 1750793021519, 5000, buf, 100), 0u);

  const SigningKey key = std::move(SigningKey::from_base64_secret(kSigningSeed32)).value();
  EXPECT_EQ(key.sign_base64(std::string_view(buf, n)),
            "/RiVIEmATq6bDKSR8I9tEY3qY/MRt45Y5/Wi4mKYjt3SaqoLFfOiYrYNRddqSXfrcDdY/b0n3duPew5JKrn/CA==");

  // Owning-param overload used by the simulator gives the same string.
  std::vector<std::vector<ParamText>> owned = {
      {{"symbol", "SOL_USDC_PERP"}, {"side", "Bid"}, {"orderType", "Limit"}, {"price", "141"}, {"quantity", "12"}},
      {{"quantity", "11"}, {"price", "140"}, {"symbol", "SOL_USDC_PERP"}, {"side", "Bid"}, {"orderType", "Limit"}}};
  EXPECT_EQ(batch_signing_string("orderExecute", owned, 1750793021519, 5000), expected);
}

TEST(SigningString, OwnedParamsOverload) {
  std::vector<ParamText> p = {{"symbol", "BTC_USDT"}, {"orderId", "28"}};
  EXPECT_EQ(signing_string("orderCancel", p, 1614550000000, 5000),
            "instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000");
}

TEST(WsSubscribe, PublicMessage) {
  const std::string_view streams[] = {"depth.SOL_USDC_PERP", "bookTicker.SOL_USDC_PERP", "markPrice.SOL_USDC_PERP"};
  EXPECT_EQ(
      ws_subscribe_message(streams, nullptr, 0, 5000),
      R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC_PERP","bookTicker.SOL_USDC_PERP","markPrice.SOL_USDC_PERP"]})");
  EXPECT_EQ(ws_unsubscribe_message(std::span<const std::string_view>(streams, 1), nullptr, 0, 5000),
            R"({"method":"UNSUBSCRIBE","params":["depth.SOL_USDC_PERP"]})");
}

TEST(WsSubscribe, PrivateMessageMatchesApiNotes) {
  const SigningKey key = std::move(SigningKey::from_base64_secret(kSigningSeed32)).value();
  const std::string_view streams[] = {"account.orderUpdate", "account.positionUpdate"};
  EXPECT_EQ(
      ws_subscribe_message(streams, &key, 1614550000000, 5000),
      R"({"method":"SUBSCRIBE","params":["account.orderUpdate","account.positionUpdate"],"signature":["A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=","Uf+mBpqN/y/EzT77rzrj7ga4mdvZmzq4XW+Lh+9B0K0wLMFJrInMKcACIpSpVaPNzrFEpPhINxEP2rNI3E92CA==","1614550000000","5000"]})");
}

TEST(WsSubscribe, EscapesStreamNames) {
  const std::string_view streams[] = {"we\"ird\\"};
  EXPECT_EQ(ws_subscribe_message(streams, nullptr, 0, 5000), R"({"method":"SUBSCRIBE","params":["we\"ird\\"]})");
}

TEST(Instructions, TableFromApiNotes) {
  EXPECT_EQ(instruction_for("GET", "/api/v1/account"), "accountQuery");
  EXPECT_EQ(instruction_for("PATCH", "/api/v1/account"), "accountUpdate");
  EXPECT_EQ(instruction_for("GET", "/api/v1/capital"), "balanceQuery");
  EXPECT_EQ(instruction_for("GET", "/api/v1/capital/collateral"), "collateralQuery");
  EXPECT_EQ(instruction_for("GET", "/api/v1/position"), "positionQuery");
  EXPECT_EQ(instruction_for("GET", "/api/v1/order"), "orderQuery");
  EXPECT_EQ(instruction_for("POST", "/api/v1/order"), "orderExecute");
  EXPECT_EQ(instruction_for("DELETE", "/api/v1/order"), "orderCancel");
  EXPECT_EQ(instruction_for("GET", "/api/v1/orders"), "orderQueryAll");
  EXPECT_EQ(instruction_for("POST", "/api/v1/orders"), "orderExecute");
  EXPECT_EQ(instruction_for("DELETE", "/api/v1/orders"), "orderCancelAll");
  EXPECT_EQ(instruction_for("GET", "/wapi/v1/history/fills"), "fillHistoryQueryAll");
  EXPECT_EQ(instruction_for("GET", "/wapi/v1/history/orders"), "orderHistoryQueryAll");
  EXPECT_EQ(instruction_for("GET", "/wapi/v1/history/funding"), "fundingHistoryQueryAll");
  EXPECT_EQ(instruction_for("GET", "/wapi/v1/history/borrowLend/positions"), "borrowPositionHistoryQueryAll");
  EXPECT_EQ(instruction_for("GET", "/api/v1/account/limits/order"), "maxOrderQuantity");
  EXPECT_EQ(instruction_for("POST", "/wapi/v1/capital/withdrawals"), "withdraw");
  EXPECT_EQ(instruction_for("DELETE", "/api/v1/strategies"), "strategyCancelAll");
  EXPECT_EQ(instruction_for("GET", "/api/v1/order/"), "orderQuery");
  // Public and unknown endpoints are unsigned.
  EXPECT_EQ(instruction_for("GET", "/api/v1/depth"), "");
  EXPECT_EQ(instruction_for("GET", "/api/v1/markets"), "");
  EXPECT_EQ(instruction_for("PUT", "/api/v1/order"), "");
  EXPECT_EQ(instruction_for("get", "/api/v1/order"), "");
}

}  // namespace
}  // namespace bparb::backpack
