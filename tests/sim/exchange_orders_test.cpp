// Order entry and matching: every order type and flag, with balances and fees computed by hand.
#include <gtest/gtest.h>

#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

constexpr const char* kSpot = "SOL_USDC";
constexpr const char* kOrdersPerp = "SOL_USDC_PERP";

TEST_F(ExchangeTest, LimitOrderRestsAndLocksQuote) {
  auto r = limit(kSpot, Side::kBid, "99.50", "10");
  r.client_id = 42;
  SimOrder o = ok(alice_, r);
  EXPECT_EQ(o.id, 1'000'000'000u);
  EXPECT_EQ(o.id_str(), "1000000000");
  EXPECT_EQ(o.status, OrderStatus::kNew);
  EXPECT_EQ(o.created_at_us, clock_.now_us());
  EXPECT_EQ(o.executed_quantity, D("0"));
  EXPECT_EQ(ex_->available_balance(alice_, "USDC"), D("99005"));
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("995"));
  ASSERT_EQ(ex_->open_orders(alice_).size(), 1u);
  EXPECT_EQ(ex_->open_orders(alice_, std::string_view(kOrdersPerp)).size(), 0u);
  auto snap = ex_->depth_snapshot(kSpot);
  ASSERT_TRUE(snap.has_value());
  ASSERT_EQ(snap->bids.size(), 1u);
  EXPECT_EQ(snap->bids[0].price, D("99.5"));
  EXPECT_EQ(snap->bids[0].quantity, D("10"));
  EXPECT_EQ(snap->last_update_id, 1);
  auto q1 = ex_->query_order(alice_, kSpot, OrderRef{o.id, std::nullopt});
  ASSERT_TRUE(q1.has_value());
  EXPECT_EQ(q1->client_id, std::optional<std::uint32_t>(42));
  auto q2 = ex_->query_order(alice_, kSpot, OrderRef{std::nullopt, 42u});
  ASSERT_TRUE(q2.has_value());
  EXPECT_EQ(q2->id, o.id);
  // Another account cannot see it.
  auto q3 = ex_->query_order(bob_, kSpot, OrderRef{o.id, std::nullopt});
  ASSERT_FALSE(q3.has_value());
  EXPECT_EQ(api(q3.error()).http_status, 404);
  EXPECT_EQ(api(q3.error()).code, "RESOURCE_NOT_FOUND");
}

TEST_F(ExchangeTest, PartialFillsPriceTimePriorityAndSpotFees) {
  const SimOrder b1 = ok(bob_, limit(kSpot, Side::kAsk, "100.50", "3"));
  const SimOrder b2 = ok(bob_, limit(kSpot, Side::kAsk, "101.00", "4"));
  const SimOrder c1 = ok(carol_, limit(kSpot, Side::kAsk, "101.00", "5"));
  const SimOrder a = ok(alice_, limit(kSpot, Side::kBid, "101.00", "10"));
  EXPECT_EQ(a.status, OrderStatus::kFilled);
  EXPECT_EQ(a.executed_quantity, D("10"));
  EXPECT_EQ(a.executed_quote_quantity, D("1008.5"));  // 3*100.5 + 4*101 + 3*101

  // Taker buy: fee 10 bps in SOL; the 101 lock is released with the 0.5 price improvement.
  EXPECT_EQ(ex_->available_balance(alice_, "USDC"), D("98991.5"));
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("0"));
  EXPECT_EQ(ex_->available_balance(alice_, "SOL"), D("1009.99"));
  // Maker sells: fee 8 bps in USDC (301.5*0.0008 + 404*0.0008 = 0.2412 + 0.3232).
  EXPECT_EQ(ex_->available_balance(bob_, "USDC"), D("100704.9356"));
  EXPECT_EQ(ex_->available_balance(bob_, "SOL"), D("993"));
  EXPECT_EQ(ex_->locked_balance(bob_, "SOL"), D("0"));
  // Carol was last in time priority at 101: 3 of 5 filled, 2 still locked.
  EXPECT_EQ(ex_->available_balance(carol_, "USDC"), D("100302.7576"));
  EXPECT_EQ(ex_->available_balance(carol_, "SOL"), D("995"));
  EXPECT_EQ(ex_->locked_balance(carol_, "SOL"), D("2"));
  auto carol_open = ex_->open_orders(carol_);
  ASSERT_EQ(carol_open.size(), 1u);
  EXPECT_EQ(carol_open[0].id, c1.id);
  EXPECT_EQ(carol_open[0].status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(carol_open[0].executed_quantity, D("3"));
  EXPECT_TRUE(ex_->open_orders(bob_).empty());

  FillQuery fq;
  fq.ascending = true;
  auto fills = ex_->fills(alice_, fq);
  ASSERT_EQ(fills.total, 3u);
  EXPECT_EQ(fills.items[0].trade_id, 1);
  EXPECT_EQ(fills.items[0].price, D("100.5"));
  EXPECT_EQ(fills.items[0].quantity, D("3"));
  EXPECT_EQ(fills.items[0].fee, D("0.003"));
  EXPECT_EQ(fills.items[0].fee_symbol, "SOL");
  EXPECT_FALSE(fills.items[0].is_maker);
  EXPECT_EQ(fills.items[1].trade_id, 2);
  EXPECT_EQ(fills.items[1].fee, D("0.004"));
  EXPECT_EQ(fills.items[2].trade_id, 3);
  EXPECT_EQ(fills.items[2].price, D("101"));
  auto bob_fills = ex_->fills(bob_, fq);
  ASSERT_EQ(bob_fills.total, 2u);
  EXPECT_EQ(bob_fills.items[0].order_id, b1.id);
  EXPECT_EQ(bob_fills.items[0].fee, D("0.2412"));
  EXPECT_EQ(bob_fills.items[0].fee_symbol, "USDC");
  EXPECT_TRUE(bob_fills.items[0].is_maker);
  EXPECT_EQ(bob_fills.items[1].order_id, b2.id);

  auto snap = ex_->depth_snapshot(kSpot);
  ASSERT_EQ(snap->asks.size(), 1u);
  EXPECT_EQ(snap->asks[0].price, D("101"));
  EXPECT_EQ(snap->asks[0].quantity, D("2"));
  EXPECT_TRUE(snap->bids.empty());
  EXPECT_EQ(*ex_->last_price(kSpot), D("101"));
  auto trades = ex_->recent_trades(kSpot, 10);
  ASSERT_EQ(trades.size(), 3u);
  EXPECT_EQ(trades[2].id, 3);
  EXPECT_FALSE(trades[2].is_buyer_maker);
  EXPECT_EQ(trades[2].quote_quantity, D("303"));
}

TEST_F(ExchangeTest, IocRemainderExpires) {
  ok(bob_, limit(kSpot, Side::kAsk, "100.50", "3"));
  const SimOrder a = ok(alice_, limit(kSpot, Side::kBid, "100.50", "10", TimeInForce::kIoc));
  EXPECT_EQ(a.status, OrderStatus::kExpired);
  EXPECT_EQ(a.expiry_reason, std::optional(ExpiryReason::kImmediateOrCancel));
  EXPECT_EQ(a.executed_quantity, D("3"));
  EXPECT_EQ(a.executed_quote_quantity, D("301.5"));
  EXPECT_EQ(ex_->available_balance(alice_, "USDC"), D("99698.5"));
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("0"));
  EXPECT_TRUE(ex_->open_orders(alice_).empty());
  EXPECT_TRUE(ex_->depth_snapshot(kSpot)->bids.empty());
  EXPECT_TRUE(ex_->depth_snapshot(kSpot)->asks.empty());
  EXPECT_FALSE(ex_->query_order(alice_, kSpot, OrderRef{a.id, std::nullopt}).has_value());
}

TEST_F(ExchangeTest, FillOrKillIsAllOrNothing) {
  ok(bob_, limit(kSpot, Side::kAsk, "100.50", "3"));
  ok(bob_, limit(kSpot, Side::kAsk, "101.00", "4"));
  const std::int64_t id_before = ex_->last_update_id(kSpot);
  const SimOrder k1 = ok(alice_, limit(kSpot, Side::kBid, "101.00", "8", TimeInForce::kFok));
  EXPECT_EQ(k1.status, OrderStatus::kExpired);
  EXPECT_EQ(k1.expiry_reason, std::optional(ExpiryReason::kFillOrKill));
  EXPECT_EQ(k1.executed_quantity, D("0"));
  EXPECT_EQ(ex_->last_update_id(kSpot), id_before);  // book untouched
  EXPECT_TRUE(events_.trades.empty());
  EXPECT_EQ(ex_->available_balance(alice_, "USDC"), D("100000"));
  // Only 3 lie within 100.50.
  const SimOrder k2 = ok(alice_, limit(kSpot, Side::kBid, "100.50", "4", TimeInForce::kFok));
  EXPECT_EQ(k2.status, OrderStatus::kExpired);
  const SimOrder k3 = ok(alice_, limit(kSpot, Side::kBid, "101.00", "7", TimeInForce::kFok));
  EXPECT_EQ(k3.status, OrderStatus::kFilled);
  EXPECT_EQ(k3.executed_quantity, D("7"));
  EXPECT_EQ(k3.executed_quote_quantity, D("705.5"));
}

TEST_F(ExchangeTest, PostOnlyThatWouldTakeExpires) {
  ok(bob_, limit(kSpot, Side::kAsk, "100.50", "3"));
  auto r = limit(kSpot, Side::kBid, "100.50", "1");
  r.post_only = true;
  events_.clear();
  const SimOrder p1 = ok(alice_, r);
  EXPECT_EQ(p1.status, OrderStatus::kExpired);
  EXPECT_EQ(p1.expiry_reason, std::optional(ExpiryReason::kPostOnlyTaker));
  EXPECT_TRUE(p1.post_only);
  EXPECT_EQ(p1.executed_quantity, D("0"));
  EXPECT_TRUE(events_.trades.empty());
  ASSERT_EQ(events_.orders.size(), 2u);
  EXPECT_EQ(events_.orders[0].type, OrderEventType::kAccepted);
  EXPECT_EQ(events_.orders[1].type, OrderEventType::kExpired);
  EXPECT_EQ(ex_->available_balance(alice_, "USDC"), D("100000"));
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("0"));
  r.price = D("100.49");
  const SimOrder p2 = ok(alice_, r);
  EXPECT_EQ(p2.status, OrderStatus::kNew);
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("100.49"));
}

TEST_F(ExchangeTest, SelfTradeRejectTakerIsDefault) {
  const SimOrder own = ok(alice_, limit(kSpot, Side::kAsk, "100.50", "1"));
  ok(bob_, limit(kSpot, Side::kAsk, "100.60", "2"));
  const SimOrder t = ok(alice_, limit(kSpot, Side::kBid, "100.60", "2"));
  EXPECT_EQ(t.status, OrderStatus::kExpired);
  EXPECT_EQ(t.expiry_reason, std::optional(ExpiryReason::kSelfTradePrevention));
  EXPECT_EQ(t.executed_quantity, D("0"));
  EXPECT_TRUE(ex_->query_order(alice_, kSpot, OrderRef{own.id, std::nullopt}).has_value());
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("0"));
}

TEST_F(ExchangeTest, SelfTradeRejectMakerCancelsOwnRestingOrderAndContinues) {
  const SimOrder own = ok(alice_, limit(kSpot, Side::kAsk, "100.50", "1"));
  ok(bob_, limit(kSpot, Side::kAsk, "100.60", "2"));
  auto r = limit(kSpot, Side::kBid, "100.60", "2");
  r.self_trade_prevention = SelfTradePrevention::kRejectMaker;
  const SimOrder t = ok(alice_, r);
  EXPECT_EQ(t.status, OrderStatus::kFilled);
  EXPECT_EQ(t.executed_quote_quantity, D("201.2"));
  EXPECT_FALSE(ex_->query_order(alice_, kSpot, OrderRef{own.id, std::nullopt}).has_value());
  OrderHistoryQuery hq;
  hq.order_id = own.id;
  auto h = ex_->order_history(alice_, hq);
  ASSERT_EQ(h.total, 1u);
  EXPECT_EQ(h.items[0].status, OrderStatus::kExpired);
  EXPECT_EQ(h.items[0].expiry_reason, std::optional(ExpiryReason::kSelfTradePrevention));
  EXPECT_EQ(ex_->locked_balance(alice_, "SOL"), D("0"));
  EXPECT_EQ(ex_->available_balance(alice_, "SOL"), D("1001.998"));  // +2 - 0.002 fee
}

TEST_F(ExchangeTest, SelfTradeRejectBothExpiresBoth) {
  const SimOrder own = ok(alice_, limit(kSpot, Side::kAsk, "100.50", "1"));
  ok(bob_, limit(kSpot, Side::kAsk, "100.60", "2"));
  auto r = limit(kSpot, Side::kBid, "100.60", "2");
  r.self_trade_prevention = SelfTradePrevention::kRejectBoth;
  const SimOrder t = ok(alice_, r);
  EXPECT_EQ(t.status, OrderStatus::kExpired);
  EXPECT_EQ(t.expiry_reason, std::optional(ExpiryReason::kSelfTradePrevention));
  EXPECT_FALSE(ex_->query_order(alice_, kSpot, OrderRef{own.id, std::nullopt}).has_value());
  EXPECT_EQ(ex_->open_orders(bob_).size(), 1u);
  EXPECT_TRUE(events_.trades.empty());
}

TEST_F(ExchangeTest, SelfTradeAllowTradesWithItself) {
  ok(alice_, limit(kSpot, Side::kAsk, "100.50", "1"));
  auto r = limit(kSpot, Side::kBid, "100.50", "1");
  r.self_trade_prevention = SelfTradePrevention::kAllow;
  const SimOrder t = ok(alice_, r);
  EXPECT_EQ(t.status, OrderStatus::kFilled);
  ASSERT_EQ(events_.trades.size(), 1u);
  // Maker sell fee 0.0804 USDC, taker buy fee 0.001 SOL.
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("99999.9196"));
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("999.999"));
}

TEST_F(ExchangeTest, QuoteQuantityMarketOrders) {
  ok(bob_, limit(kSpot, Side::kAsk, "100.50", "3"));
  ok(bob_, limit(kSpot, Side::kAsk, "101.00", "4"));
  const SimOrder buy = ok(alice_, market_quote(kSpot, Side::kBid, "500"));
  EXPECT_EQ(buy.status, OrderStatus::kFilled);
  EXPECT_EQ(buy.quote_quantity, std::optional(D("500")));
  EXPECT_FALSE(buy.quantity.has_value());
  EXPECT_EQ(buy.executed_quantity, D("4.96"));          // 3 + floor(198.5 / 1.01) lots of 0.01
  EXPECT_EQ(buy.executed_quote_quantity, D("499.46"));  // 301.5 + 197.96
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("99500.54"));
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("1004.95504"));  // fee 0.003 + 0.00196 SOL

  ok(bob_, limit(kSpot, Side::kBid, "99.50", "2"));
  ok(bob_, limit(kSpot, Side::kBid, "99.00", "5"));
  const SimOrder sell = ok(carol_, market_quote(kSpot, Side::kAsk, "300"));
  EXPECT_EQ(sell.status, OrderStatus::kFilled);
  EXPECT_EQ(sell.executed_quantity, D("3.02"));                // 2 + floor(101 / 0.99) lots
  EXPECT_EQ(sell.executed_quote_quantity, D("299.98"));        // 199 + 100.98
  EXPECT_EQ(ex_->balance(carol_, "USDC"), D("100299.68002"));  // fee 0.199 + 0.10098
  EXPECT_EQ(ex_->balance(carol_, "SOL"), D("996.98"));
}

TEST_F(ExchangeTest, MarketOrderStopsAtPriceImpactLimit) {
  ok(bob_, limit(kSpot, Side::kAsk, "100.00", "1"));
  ok(bob_, limit(kSpot, Side::kAsk, "100.50", "1"));
  ok(bob_, limit(kSpot, Side::kAsk, "101.50", "1"));  // beyond 100 * 1.01
  const SimOrder m = ok(alice_, market(kSpot, Side::kBid, "3"));
  EXPECT_EQ(m.status, OrderStatus::kExpired);
  EXPECT_EQ(m.expiry_reason, std::optional(ExpiryReason::kPriceImpact));
  EXPECT_EQ(m.executed_quantity, D("2"));
  EXPECT_EQ(m.executed_quote_quantity, D("200.5"));
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("99799.5"));
}

TEST_F(ExchangeTest, MarketOrderOnEmptyBookExpires) {
  const SimOrder m = ok(alice_, market(kSpot, Side::kAsk, "1"));
  EXPECT_EQ(m.status, OrderStatus::kExpired);
  EXPECT_EQ(m.expiry_reason, std::optional(ExpiryReason::kInsufficientLiquidity));
  EXPECT_EQ(m.executed_quantity, D("0"));
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("1000"));
}

TEST_F(ExchangeTest, ValidationErrorsUseExchangeCodes) {
  struct Case {
    SimOrderRequest req;
    int status;
    const char* code;
    const char* message;
  };
  auto no_price = limit(kSpot, Side::kBid, "100", "1");
  no_price.price.reset();
  auto both = market(kSpot, Side::kBid, "1");
  both.quote_quantity = D("10");
  auto neither = market(kSpot, Side::kBid, "1");
  neither.quantity.reset();
  auto ro_spot = limit(kSpot, Side::kBid, "100", "1");
  ro_spot.reduce_only = true;
  auto po_market = market(kSpot, Side::kBid, "1");
  po_market.post_only = true;
  auto quote_on_limit = limit(kSpot, Side::kBid, "100", "1");
  quote_on_limit.quote_quantity = D("5");
  auto bad_symbol = limit("DOGE_USDC", Side::kBid, "1", "1");
  const std::vector<Case> cases = {
      {limit(kSpot, Side::kBid, "100.005", "1"), 400, "INVALID_CLIENT_REQUEST", "Price decimal too long"},
      {limit(kSpot, Side::kBid, "100", "0.015"), 400, "INVALID_CLIENT_REQUEST", "Quantity decimal too long"},
      {limit(kSpot, Side::kBid, "200.01", "1"), 400, "INVALID_PRICE", "Price is too far from the last active price"},
      {limit(kSpot, Side::kAsk, "24.99", "1"), 400, "INVALID_PRICE", "Price is too far from the last active price"},
      {limit(kSpot, Side::kBid, "0", "1"), 400, "INVALID_PRICE", "Price must be positive"},
      {limit(kSpot, Side::kBid, "100", "0"), 400, "INVALID_QUANTITY", "Quantity must be positive"},
      {limit(kSpot, Side::kBid, "100", "-1"), 400, "INVALID_QUANTITY", "Quantity must be positive"},
      {no_price, 400, "INVALID_CLIENT_REQUEST", "Price is required for limit orders"},
      {quote_on_limit, 400, "INVALID_CLIENT_REQUEST", "Quote quantity is only supported for market orders"},
      {both, 400, "INVALID_CLIENT_REQUEST",
       "Must specify exactly one of 'quantity' or 'quoteQuantity' for market orders"},
      {neither, 400, "INVALID_CLIENT_REQUEST",
       "Must specify exactly one of 'quantity' or 'quoteQuantity' for market orders"},
      {ro_spot, 400, "INVALID_ORDER", "Reduce only orders are only supported on futures markets"},
      {po_market, 400, "INVALID_ORDER", "Post only is not supported for market orders"},
      {bad_symbol, 400, "INVALID_SYMBOL", "Invalid market symbol"},
      {limit(kSpot, Side::kBid, "100", "1000.01"), 400, "INSUFFICIENT_FUNDS", "Insufficient funds"},
      {limit(kSpot, Side::kAsk, "100", "1000.01"), 400, "INSUFFICIENT_FUNDS", "Insufficient funds"},
      {market(kSpot, Side::kAsk, "1000.01"), 400, "INSUFFICIENT_FUNDS", "Insufficient funds"},
  };
  for (const Case& c : cases) {
    const ApiError e = fail(alice_, c.req);
    EXPECT_EQ(e.http_status, c.status) << c.message;
    EXPECT_EQ(e.code, c.code) << c.message;
    EXPECT_EQ(e.message, c.message);
  }
  EXPECT_TRUE(events_.lines.empty());  // rejected requests publish nothing
  // Edge of the band and of the balance are accepted, and rejections consumed no order id.
  const SimOrder o = ok(alice_, limit(kSpot, Side::kBid, "100", "1000"));
  EXPECT_EQ(o.id, 1'000'000'000u);
  EXPECT_TRUE(ok(bob_, limit(kSpot, Side::kAsk, "200", "1")).is_open());
  EXPECT_TRUE(ok(bob_, limit(kSpot, Side::kAsk, "25", "1")).id > 0);
}

TEST(ExchangeValidation, BelowMinimumQuantity) {
  ManualClock clock(0);
  ExchangeConfig cfg = test_config();
  cfg.markets[0].spec.min_quantity = D("0.1");
  Exchange ex(clock, cfg);
  auto r = limit("SOL_USDC", Side::kBid, "100", "0.05");
  auto res = ex.execute(*ex.find_account("alice"), r);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(api(ex, res.error()).code, "INVALID_QUANTITY");
  EXPECT_EQ(api(ex, res.error()).message, "Quantity is below the minimum allowed value");
  r.quantity = D("0.1");
  EXPECT_TRUE(ex.execute(*ex.find_account("alice"), r).has_value());
}

TEST(ExchangeValidation, BadConfigThrows) {
  ManualClock clock(0);
  ExchangeConfig dup = test_config();
  dup.markets.push_back(dup.markets[0]);
  EXPECT_THROW(Exchange(clock, dup), std::invalid_argument);
  ExchangeConfig off_tick = test_config();
  off_tick.markets[0].seed_price = D("100.005");
  EXPECT_THROW(Exchange(clock, off_tick), std::invalid_argument);
  ExchangeConfig dup_key = test_config();
  dup_key.accounts.push_back(dup_key.accounts[0]);
  EXPECT_THROW(Exchange(clock, dup_key), std::invalid_argument);
}

TEST_F(ExchangeTest, BatchMixesOkAndErr) {
  std::vector<SimOrderRequest> batch = {limit(kSpot, Side::kBid, "99", "1"), limit(kSpot, Side::kBid, "99.001", "1"),
                                        limit(kSpot, Side::kBid, "98", "2")};
  std::optional<Reject> batch_err;
  auto res = ex_->execute_batch(alice_, batch, &batch_err);
  EXPECT_FALSE(batch_err.has_value());
  ASSERT_EQ(res.size(), 3u);
  ASSERT_TRUE(res[0].has_value());
  ASSERT_FALSE(res[1].has_value());
  EXPECT_EQ(api(res[1].error()).code, "INVALID_CLIENT_REQUEST");
  ASSERT_TRUE(res[2].has_value());
  EXPECT_EQ(res[2]->id, res[0]->id + 1);
  EXPECT_EQ(ex_->open_orders(alice_).size(), 2u);
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("295"));

  auto empty = ex_->execute_batch(alice_, {}, &batch_err);
  EXPECT_TRUE(empty.empty());
  ASSERT_TRUE(batch_err.has_value());
  EXPECT_EQ(api(*batch_err).code, "INVALID_CLIENT_REQUEST");
  std::vector<SimOrderRequest> too_many(51, limit(kSpot, Side::kBid, "90", "0.01"));
  EXPECT_TRUE(ex_->execute_batch(alice_, too_many, &batch_err).empty());
  ASSERT_TRUE(batch_err.has_value());
  EXPECT_EQ(ex_->open_orders(alice_).size(), 2u);
}

TEST_F(ExchangeTest, CancelByIdClientIdAndAll) {
  auto r1 = limit(kSpot, Side::kBid, "99", "1");
  r1.client_id = 7;
  const SimOrder o1 = ok(alice_, r1);
  const SimOrder o2 = ok(alice_, limit(kSpot, Side::kBid, "98", "1"));
  const SimOrder o3 = ok(alice_, limit(kSpot, Side::kAsk, "101", "2"));
  const SimOrder o4 = ok(alice_, limit(kOrdersPerp, Side::kBid, "97", "1"));
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("197"));
  EXPECT_EQ(ex_->locked_balance(alice_, "SOL"), D("2"));

  auto both = ex_->cancel(alice_, kSpot, OrderRef{o1.id, 7u});
  ASSERT_FALSE(both.has_value());
  EXPECT_EQ(api(both.error()).http_status, 400);
  auto none = ex_->cancel(alice_, kSpot, OrderRef{});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(api(none.error()).code, "INVALID_CLIENT_REQUEST");
  auto wrong_account = ex_->cancel(bob_, kSpot, OrderRef{o2.id, std::nullopt});
  ASSERT_FALSE(wrong_account.has_value());
  EXPECT_EQ(api(wrong_account.error()).http_status, 404);
  auto wrong_symbol = ex_->cancel(alice_, kOrdersPerp, OrderRef{o2.id, std::nullopt});
  ASSERT_FALSE(wrong_symbol.has_value());
  EXPECT_EQ(api(wrong_symbol.error()).code, "RESOURCE_NOT_FOUND");

  events_.clear();
  auto c1 = ex_->cancel(alice_, kSpot, OrderRef{std::nullopt, 7u});
  ASSERT_TRUE(c1.has_value());
  EXPECT_EQ(c1->id, o1.id);
  EXPECT_EQ(c1->status, OrderStatus::kCancelled);
  ASSERT_EQ(events_.orders.size(), 1u);
  EXPECT_EQ(events_.orders[0].type, OrderEventType::kCancelled);
  EXPECT_EQ(events_.order_copies[0].status, OrderStatus::kCancelled);
  ASSERT_EQ(events_.depth.size(), 1u);
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("98"));

  auto again = ex_->cancel(alice_, kSpot, OrderRef{o1.id, std::nullopt});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(api(again.error()).code, "RESOURCE_NOT_FOUND");
  EXPECT_FALSE(ex_->query_order(alice_, kSpot, OrderRef{o1.id, std::nullopt}).has_value());

  auto all = ex_->cancel_all(alice_, kSpot);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, o2.id);
  EXPECT_EQ((*all)[1].id, o3.id);
  EXPECT_EQ(ex_->locked_balance(alice_, "USDC"), D("0"));
  EXPECT_EQ(ex_->locked_balance(alice_, "SOL"), D("0"));
  EXPECT_EQ(ex_->available_balance(alice_, "USDC"), D("100000"));
  auto rest = ex_->open_orders(alice_);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, o4.id);
  EXPECT_TRUE(ex_->cancel_all(alice_, kSpot)->empty());
  EXPECT_FALSE(ex_->cancel_all(alice_, "NOPE").has_value());
}

TEST_F(ExchangeTest, OrderAndFillHistoryFiltersAndPages) {
  ok(bob_, limit(kSpot, Side::kAsk, "100", "10"));
  const SimOrder a1 = ok(alice_, limit(kSpot, Side::kBid, "100", "1"));
  clock_.advance_us(1000 * kUsPerMs);
  const SimOrder a2 = ok(alice_, limit(kSpot, Side::kBid, "100", "2"));
  clock_.advance_us(1000 * kUsPerMs);
  const SimOrder a3 = ok(alice_, limit(kSpot, Side::kBid, "90", "1"));
  ex_->cancel(alice_, kSpot, OrderRef{a3.id, std::nullopt});

  auto h = ex_->order_history(alice_, {});
  ASSERT_EQ(h.total, 3u);
  EXPECT_EQ(h.items[0].id, a3.id);  // newest first
  EXPECT_EQ(h.items[0].status, OrderStatus::kCancelled);
  EXPECT_EQ(h.items[2].id, a1.id);
  EXPECT_EQ(h.items[2].status, OrderStatus::kFilled);
  OrderHistoryQuery page;
  page.limit = 1;
  page.offset = 1;
  auto p = ex_->order_history(alice_, page);
  EXPECT_EQ(p.total, 3u);
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0].id, a2.id);

  auto f = ex_->fills(alice_, {});
  ASSERT_EQ(f.total, 2u);
  EXPECT_EQ(f.items[0].order_id, a2.id);
  FillQuery by_order;
  by_order.order_id = a1.id;
  EXPECT_EQ(ex_->fills(alice_, by_order).total, 1u);
  FillQuery by_time;
  by_time.from_ms = (clock_.now_us() - 1000 * kUsPerMs) / kUsPerMs;
  auto ft = ex_->fills(alice_, by_time);
  ASSERT_EQ(ft.total, 1u);
  EXPECT_EQ(ft.items[0].order_id, a2.id);
  FillQuery other_symbol;
  other_symbol.symbol = kOrdersPerp;
  EXPECT_EQ(ex_->fills(alice_, other_symbol).total, 0u);
}

TEST_F(ExchangeTest, MarketStates) {
  ASSERT_TRUE(ex_->set_market_state(kSpot, OrderBookState::kCancelOnly));
  EXPECT_EQ(fail(alice_, limit(kSpot, Side::kBid, "99", "1")).code, "INVALID_ORDER");
  ASSERT_TRUE(ex_->set_market_state(kSpot, OrderBookState::kLimitOnly));
  EXPECT_EQ(fail(alice_, market(kSpot, Side::kBid, "1")).code, "INVALID_ORDER");
  ASSERT_TRUE(ex_->set_market_state(kSpot, OrderBookState::kPostOnly));
  const SimOrder o = ok(alice_, limit(kSpot, Side::kBid, "99", "1"));
  EXPECT_EQ(o.status, OrderStatus::kExpired);
  EXPECT_EQ(o.expiry_reason, std::optional(ExpiryReason::kPostOnlyMode));
  auto po = limit(kSpot, Side::kBid, "99", "1");
  po.post_only = true;
  EXPECT_EQ(ok(alice_, po).status, OrderStatus::kNew);
  ASSERT_TRUE(ex_->set_market_state(kSpot, OrderBookState::kClosed));
  EXPECT_EQ(fail(alice_, po).code, "TRADING_PAUSED");
  EXPECT_EQ(ex_->market(kSpot)->state, OrderBookState::kClosed);
}

TEST(ExchangeValidation, SeedsAndTickStepProduct) {
  ManualClock clock(0);
  ExchangeConfig cfg = test_config();
  cfg.markets[1].seed_mark = D("101");
  cfg.markets[1].seed_index = D("100");
  Exchange ex(clock, cfg);
  auto mp = ex.mark_price("SOL_USDC_PERP");
  EXPECT_EQ(mp->mark_price, D("101"));
  EXPECT_EQ(mp->index_price, D("100"));
  EXPECT_EQ(mp->funding_rate, D("0.00125"));  // 1% premium from the start, * 1h/8h
  EXPECT_EQ(*ex.last_price("SOL_USDC_PERP"), D("100"));
  ExchangeConfig fine = test_config();
  fine.markets[0].spec.tick_size = D("0.00001");
  fine.markets[0].spec.step_size = D("0.00001");  // product 1e-10 cannot be exact
  EXPECT_THROW(Exchange(clock, fine), std::invalid_argument);
}

TEST_F(ExchangeTest, MakerBidLockShrinksWithFillsAndTakerGetsMakerPrice) {
  ok(bob_, limit("SOL_USDC", Side::kBid, "99", "10"));
  EXPECT_EQ(ex_->locked_balance(bob_, "USDC"), D("990"));
  const SimOrder s = ok(alice_, limit("SOL_USDC", Side::kAsk, "98", "4"));  // sells below the bid
  EXPECT_EQ(s.status, OrderStatus::kFilled);
  EXPECT_EQ(s.executed_quote_quantity, D("396"));  // at the maker's 99, not 98
  EXPECT_EQ(ex_->locked_balance(bob_, "USDC"), D("594"));
  EXPECT_EQ(ex_->available_balance(bob_, "USDC"), D("99010"));
  EXPECT_EQ(ex_->balance(bob_, "SOL"), D("1003.9968"));      // +4 - 8 bps of 4 in SOL
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("100395.604"));  // +396 - 0.396
  EXPECT_EQ(ex_->balance(alice_, "SOL"), D("996"));
  auto bal = ex_->balances(bob_);
  ASSERT_EQ(bal.size(), 2u);
  EXPECT_EQ(bal[0].asset, "SOL");
  EXPECT_EQ(bal[1].asset, "USDC");
  EXPECT_EQ(bal[1].locked, D("594"));
  EXPECT_EQ(bal[1].staked, D("0"));
}

TEST_F(ExchangeTest, MarketBuyNeedsFundsForWhatItWouldWalk) {
  const AccountId poor = ex_->add_account(AccountSetup{"poor", {{"USDC", D("150")}}, {}, {}, false});
  ok(bob_, limit("SOL_USDC", Side::kAsk, "100", "1"));
  ok(bob_, limit("SOL_USDC", Side::kAsk, "100.5", "1"));
  const ApiError e = fail(poor, market("SOL_USDC", Side::kBid, "2"));  // would cost 200.5
  EXPECT_EQ(e.code, "INSUFFICIENT_FUNDS");
  const SimOrder o = ok(poor, market("SOL_USDC", Side::kBid, "1"));
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(ex_->balance(poor, "USDC"), D("50"));
  EXPECT_EQ(ex_->balance(poor, "SOL"), D("0.999"));
}

TEST_F(ExchangeTest, PerAccountFeeOverridesIncludingRebates) {
  FeeSchedule vip;
  vip.perp_maker_bps = D("-1");  // rebate
  vip.perp_taker_bps = D("1.8");
  ex_->set_fees(carol_, vip);
  EXPECT_EQ(ex_->account_summary(carol_).futures_maker_fee, D("-1"));
  ok(carol_, limit("SOL_USDC_PERP", Side::kAsk, "100", "10"));
  ok(alice_, market("SOL_USDC_PERP", Side::kBid, "10"));
  auto f = ex_->fills(carol_, {});
  ASSERT_EQ(f.total, 1u);
  EXPECT_EQ(f.items[0].fee, D("-0.1"));
  EXPECT_EQ(f.items[0].fee_symbol, "USDC");
  EXPECT_TRUE(f.items[0].is_maker);
  EXPECT_EQ(ex_->balance(carol_, "USDC"), D("100000.1"));
  EXPECT_EQ(ex_->balance(alice_, "USDC"), D("99999.5"));  // default 5 bps taker on 1000
  ok(carol_, limit("SOL_USDC_PERP", Side::kBid, "100", "10"));
  ok(bob_, limit("SOL_USDC_PERP", Side::kAsk, "100", "10"));  // bob sells into it: carol closes as maker
  EXPECT_EQ(ex_->positions(carol_).size(), 0u);
  EXPECT_EQ(ex_->balance(carol_, "USDC"), D("100000.2"));  // second maker rebate
}

}  // namespace
}  // namespace bparb::sim::testing
