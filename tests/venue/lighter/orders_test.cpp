// Neutral orders -> Lighter CreateOrder/CancelOrder fields at the market's decimals, every refusal a
// return value (nothing rounded or truncated), and sendTx answers -> submission state.
#include "bparb/venue/lighter/orders.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bparb::lighter {
namespace {

Decimal orders_dec(const char* s) {
  return Decimal::from_string(s);
}

MarketDetails orders_eth() {
  MarketDetails m;
  m.market_id = 0;
  m.symbol = "ETH";
  m.kind = MarketKind::kPerp;
  m.price_decimals = 2;
  m.size_decimals = 4;
  m.min_base_amount = orders_dec("0.005");
  m.min_quote_amount = orders_dec("10");
  return m;
}

NeutralOrder limit_buy() {
  NeutralOrder o;
  o.market_id = 0;
  o.side = Side::kBid;
  o.price = Amount::of(orders_dec("2300.25"));
  o.quantity = Amount::of(orders_dec("0.0123"));
  o.tif = NeutralTif::kGtc;
  o.client_id = 77;
  o.expiry_ms = 1893456000000;
  return o;
}

constexpr TimestampUs kNow = 1'800'000'000'000'000;

TEST(LighterOrders, LimitOrderFromDecimals) {
  const auto tx = to_create_order(limit_buy(), orders_eth(), kNow);
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(tx->market_index, 0);
  EXPECT_EQ(tx->price, 230025u);
  EXPECT_EQ(tx->base_amount, 123);
  EXPECT_EQ(tx->is_ask, 0);
  EXPECT_EQ(tx->type, 0);
  EXPECT_EQ(tx->time_in_force, 1);
  EXPECT_EQ(tx->reduce_only, 0);
  EXPECT_EQ(tx->client_order_index, 77);
  EXPECT_EQ(tx->order_expiry, 1893456000000);
  EXPECT_EQ(tx->trigger_price, 0u);
}

TEST(LighterOrders, UnitsPostOnlyIocAndMarket) {
  NeutralOrder o = limit_buy();
  o.price = Amount::of_units(230025);
  o.quantity = Amount::of_units(123);
  o.side = Side::kAsk;
  o.tif = NeutralTif::kPostOnly;
  o.expiry_ms = 0;  // default lifetime from now
  auto tx = to_create_order(o, orders_eth(), kNow, OrderDefaults{kUsPerDay});
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(tx->is_ask, 1);
  EXPECT_EQ(tx->time_in_force, 2);
  EXPECT_EQ(tx->order_expiry, (kNow + kUsPerDay) / kUsPerMs);

  o.tif = NeutralTif::kIoc;
  o.reduce_only = true;
  tx = to_create_order(o, orders_eth(), kNow);
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(tx->time_in_force, 0);
  EXPECT_EQ(tx->order_expiry, 0);
  EXPECT_EQ(tx->reduce_only, 1);

  o.market = true;
  tx = to_create_order(o, orders_eth(), kNow);
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(tx->type, 1);
  o.tif = NeutralTif::kGtc;
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kMarketNotIoc);
}

TEST(LighterOrders, OffGridIsRefusedNeverRounded) {
  NeutralOrder o = limit_buy();
  o.price = Amount::of(orders_dec("2300.251"));
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kPriceOffTick);
  o = limit_buy();
  o.quantity = Amount::of(orders_dec("0.01235"));
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kQuantityOffStep);
}

TEST(LighterOrders, RangesOfTheSignerFields) {
  NeutralOrder o = limit_buy();
  o.price = Amount::of_units(0xFFFFFFFFll);
  o.quantity = Amount::of_units(100);
  EXPECT_TRUE(to_create_order(o, orders_eth(), kNow).has_value());
  o.price = Amount::of_units(0x100000000ll);  // one past uint32
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kPriceRange);
  o.price = Amount::of_units(0);
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kPriceRange);

  o = limit_buy();
  o.quantity = Amount::of_units((std::int64_t{1} << 48) - 1);
  EXPECT_TRUE(to_create_order(o, orders_eth(), kNow).has_value());
  o.quantity = Amount::of_units(std::int64_t{1} << 48);
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kQuantityRange);
  o.quantity = Amount::of(orders_dec("-1"));
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kQuantityRange);

  o = limit_buy();
  o.client_id = (ClientId{1} << 48) - 1;
  EXPECT_TRUE(to_create_order(o, orders_eth(), kNow).has_value());
  o.client_id = ClientId{1} << 48;  // would be truncated by a narrower field: refused
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kClientIdRange);
  o.client_id = ~ClientId{0};  // the top of the kernel's range
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kClientIdRange);

  o = limit_buy();
  o.market_id = 32767;
  EXPECT_TRUE(to_create_order(o, orders_eth(), kNow).has_value());
  o.market_id = 32768;
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kMarketIndex);
}

TEST(LighterOrders, MinimumsExpiryAndSpotReduceOnly) {
  NeutralOrder o = limit_buy();
  o.quantity = Amount::of(orders_dec("0.0049"));
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kBelowMinBase);
  o.quantity = Amount::of(orders_dec("0.005"));
  o.price = Amount::of(orders_dec("1999.99"));  // 9.99995 USDC
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kBelowMinQuote);
  o.price = Amount::of(orders_dec("2000"));  // exactly 10
  EXPECT_TRUE(to_create_order(o, orders_eth(), kNow).has_value());

  o = limit_buy();
  o.tif = NeutralTif::kIoc;  // IOC with an expiry
  EXPECT_EQ(to_create_order(o, orders_eth(), kNow).error(), OrderError::kExpiry);

  MarketDetails spot = orders_eth();
  spot.kind = MarketKind::kSpot;
  o = limit_buy();
  o.reduce_only = true;
  EXPECT_EQ(to_create_order(o, spot, kNow).error(), OrderError::kReduceOnlySpot);
}

TEST(LighterOrders, Cancel) {
  auto c = to_cancel_order(2048, 281476929510110);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->market_index, 2048);
  EXPECT_EQ(c->index, 281476929510110);
  EXPECT_EQ(to_cancel_order(0, 0).error(), OrderError::kOrderIndexRange);
  EXPECT_EQ(to_cancel_order(-1, 5).error(), OrderError::kMarketIndex);
}

TEST(LighterOrders, SendTxAnswersAreSubmittedWithUnknownOutcome) {
  JsonParser p;
  SendTxResult r;
  const std::string hash(80, 'd');
  ParseError e = parse_send_tx(p, R"({"code":200,"tx_hash":")" + hash + R"("})", r);
  SubmitResult s = submit_result(e, r);
  EXPECT_EQ(s.state, SubmitState::kSubmitted);
  EXPECT_EQ(s.nonce_outcome, TxOutcome::kAccepted);
  EXPECT_EQ(std::string(s.tx_hash.data(), 80), hash);

  e = parse_send_tx(p, R"({"code":21104,"message":"invalid nonce"})", r);
  s = submit_result(e, r);
  EXPECT_EQ(s.state, SubmitState::kRefused);
  EXPECT_EQ(s.action, ErrorAction::kResyncNonce);
  EXPECT_EQ(s.nonce_outcome, TxOutcome::kInvalidNonce);

  e = parse_send_tx(p, R"({"code":21739,"message":"not enough margin"})", r);
  s = submit_result(e, r);
  EXPECT_EQ(s.action, ErrorAction::kReject);
  EXPECT_EQ(s.nonce_outcome, TxOutcome::kRejected);

  e = parse_send_tx(p, R"({"code":200,"tx_hash":)", r);  // cut off
  s = submit_result(e, r);
  EXPECT_EQ(s.state, SubmitState::kUnknown);
  EXPECT_EQ(s.nonce_outcome, TxOutcome::kNoAnswer);

  WsFrame f;
  ASSERT_TRUE(parse_ws_frame(p, R"({"code":200,"tx_hash":")" + hash + R"(","type":"jsonapi/sendtx"})", f).ok());
  EXPECT_EQ(submit_result(f).state, SubmitState::kSubmitted);
  ASSERT_TRUE(parse_ws_frame(p, R"({"type":"error","code":23000,"message":"Too Many Requests"})", f).ok());
  EXPECT_EQ(submit_result(f).action, ErrorAction::kRateLimit);
}

}  // namespace
}  // namespace bparb::lighter
