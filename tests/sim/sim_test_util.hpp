#pragma once
// Shared fixture for the exchange-core tests: two round-number markets (SOL_USDC, SOL_USDC_PERP,
// tick 0.01, step 0.01, seed price 100) and three funded accounts, on a ManualClock.
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/sim/backpack/errors.hpp"
#include "bparb/sim/exchange.hpp"

namespace bparb {
// gtest prints Decimals as text instead of raw bytes.
inline void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.str();
}
}  // namespace bparb

namespace bparb::sim::testing {

inline Decimal D(const char* s) {
  return Decimal::from_string(s);
}

inline MarketSpec test_spec(bool perp) {
  MarketSpec s;
  s.base_symbol = "SOL";
  s.quote_symbol = "USDC";
  s.symbol = perp ? "SOL_USDC_PERP" : "SOL_USDC";
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = D("0.01");
  s.min_price = D("0.01");
  s.max_multiplier = D("2");
  s.min_multiplier = D("0.25");
  s.max_impact_multiplier = D("1.01");
  s.min_impact_multiplier = D("0.99");
  s.step_size = D("0.01");
  s.min_quantity = D("0.01");
  if (perp) {
    s.funding_interval_ms = 3'600'000;
    s.funding_rate_upper_bound_bps = D("100");
    s.funding_rate_lower_bound_bps = D("-100");
    s.imf = MarginFunction{true, D("0.02"), D("0.00006")};
    s.mmf = MarginFunction{true, D("0.0135"), D("0.000036")};
  }
  return s;
}

inline ExchangeConfig test_config() {
  ExchangeConfig cfg;
  cfg.markets.push_back(MarketSetup{test_spec(false), D("100")});
  cfg.markets.push_back(MarketSetup{test_spec(true), D("100")});
  for (const char* key : {"alice", "bob", "carol"})
    cfg.accounts.push_back(AccountSetup{key, {{"USDC", D("100000")}, {"SOL", D("1000")}}, {}, {}, false});
  return cfg;
}

inline SimOrderRequest limit(const char* symbol, Side side, const char* price, const char* qty,
                             TimeInForce tif = TimeInForce::kGtc) {
  SimOrderRequest r;
  r.symbol = symbol;
  r.side = side;
  r.order_type = OrderType::kLimit;
  r.price = D(price);
  r.quantity = D(qty);
  r.time_in_force = tif;
  return r;
}

inline SimOrderRequest market(const char* symbol, Side side, const char* qty) {
  SimOrderRequest r;
  r.symbol = symbol;
  r.side = side;
  r.order_type = OrderType::kMarket;
  r.quantity = D(qty);
  return r;
}

inline SimOrderRequest market_quote(const char* symbol, Side side, const char* quote) {
  SimOrderRequest r;
  r.symbol = symbol;
  r.side = side;
  r.order_type = OrderType::kMarket;
  r.quote_quantity = D(quote);
  return r;
}

// Records every event as one text line (also used to hash the stream for determinism tests).
class RecordingListener : public ExchangeListener {
 public:
  std::vector<std::string> lines;
  std::vector<DepthDelta> depth;   // copies (symbol view stays valid: it points into the exchange)
  std::vector<OrderEvent> orders;  // order pointer NOT valid after the call; use order_copies
  std::vector<SimOrder> order_copies;
  std::vector<PositionView> positions;
  std::vector<PositionEventType> position_types;
  std::vector<AccountId> position_accounts;
  std::vector<TradeEvent> trades;
  std::vector<BookTickerEvent> book_tickers;
  std::vector<MarkPriceView> marks;
  std::vector<TickerView> tickers;

  void on_depth(const DepthDelta& d) override {
    depth.push_back(d);
    std::string s = "depth " + std::string(d.symbol) + " " + std::to_string(d.first_update_id) + ".." +
                    std::to_string(d.last_update_id) + " t" + std::to_string(d.engine_time_us);
    for (const auto& l : d.bids) s += " b" + l.price.str() + ":" + l.quantity.str();
    for (const auto& l : d.asks) s += " a" + l.price.str() + ":" + l.quantity.str();
    lines.push_back(s);
  }
  void on_book_ticker(const BookTickerEvent& e) override {
    book_tickers.push_back(e);
    lines.push_back("bt " + std::string(e.symbol) + " " + std::to_string(e.update_id) + " " +
                    (e.bid_price ? e.bid_price->str() : "-") + "/" + (e.ask_price ? e.ask_price->str() : "-"));
  }
  void on_trade(const TradeEvent& e) override {
    trades.push_back(e);
    lines.push_back("trade " + std::string(e.symbol) + " " + std::to_string(e.trade_id) + " " + e.price.str() + " " +
                    e.quantity.str() + " b" + std::to_string(e.buyer_order_id) + " s" +
                    std::to_string(e.seller_order_id) + (e.buyer_is_maker ? " m" : " t"));
  }
  void on_mark_price(const MarkPriceEvent& e) override {
    marks.push_back(*e.view);
    lines.push_back("mark " + e.view->symbol + " " + e.view->mark_price.str() + " " + e.view->index_price.str() + " f" +
                    e.view->funding_rate.str() + " n" + std::to_string(e.view->next_funding_timestamp_ms) + " t" +
                    std::to_string(e.engine_time_us));
  }
  void on_ticker(const TickerEvent& e) override {
    tickers.push_back(*e.view);
    lines.push_back("ticker " + e.view->symbol + " " + e.view->last_price.str() + " v" + e.view->volume.str() + " n" +
                    std::to_string(e.view->trades));
  }
  void on_order(const OrderEvent& e) override {
    orders.push_back(e);
    order_copies.push_back(*e.order);
    const SimOrder& o = *e.order;
    lines.push_back("order " + std::to_string(e.account) + " " + std::string(order_event_name(e.type)) + " " +
                    std::to_string(o.id) + " " + std::string(order_status_name(o.status)) + " z" +
                    o.executed_quantity.str() + " l" + e.fill_quantity.str() + " L" + e.fill_price.str() + " n" +
                    e.fee.str() + std::string(e.fee_symbol));
  }
  void on_position(const PositionEvent& e) override {
    positions.push_back(*e.position);
    position_types.push_back(e.type);
    position_accounts.push_back(e.account);
    lines.push_back("pos " + std::to_string(e.account) + " " + std::string(position_event_name(e.type)) + " " +
                    e.position->symbol + " q" + e.position->net_quantity.str() + " B" + e.position->entry_price.str() +
                    " p" + e.position->pnl_realized.str());
  }
  void clear() { *this = RecordingListener{}; }
};

// The exchange answers a neutral Reject; these tests pin the Backpack answer it becomes.
inline ApiError api(const Exchange& ex, Reject r) {
  return backpack_api_error(r, ex.config());
}

class ExchangeTest : public ::testing::Test {
 protected:
  ExchangeTest() : clock_(1'700'000'000'000'000), ex_(std::make_unique<Exchange>(clock_, test_config())) {
    alice_ = *ex_->find_account("alice");
    bob_ = *ex_->find_account("bob");
    carol_ = *ex_->find_account("carol");
    ex_->add_listener(&events_);
  }
  ~ExchangeTest() override { ex_->remove_listener(&events_); }

  SimOrder ok(AccountId a, const SimOrderRequest& r) {
    auto res = ex_->execute(a, r);
    EXPECT_TRUE(res.has_value()) << (res.has_value() ? "" : reject_name(res.error()));
    return res.has_value() ? *res : SimOrder{};
  }
  ApiError api(Reject r) const { return testing::api(*ex_, r); }
  ApiError fail(AccountId a, const SimOrderRequest& r) {
    auto res = ex_->execute(a, r);
    EXPECT_FALSE(res.has_value());
    return res.has_value() ? ApiError{} : api(res.error());
  }

  ManualClock clock_;
  std::unique_ptr<Exchange> ex_;
  RecordingListener events_;
  AccountId alice_ = 0, bob_ = 0, carol_ = 0;
};

}  // namespace bparb::sim::testing
