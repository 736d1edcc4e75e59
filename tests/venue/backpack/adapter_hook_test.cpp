// BackpackAdapter's request hook (the tick-to-wire harness's seam): the engine's orders arrive mapped to
// Backpack requests, after the sink's write-ahead and instead of a RestClient call; a refused
// write-ahead reaches neither.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bparb/venue/backpack/adapter.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "test_util.hpp"

namespace bparb::backpack {
namespace {

using testing::D;

class RecordingSink final : public AdapterSink {
 public:
  bool before_send(std::span<const exec::OrderSpec> orders) override {
    before_send_legs.push_back(orders.size());
    return allow;
  }
  void on_sent(std::span<const exec::OrderSpec>) override { ++sent; }
  void on_ack(const exec::OrderAck& a, std::string_view) override {
    ++acks;
    acked.push_back(a);
    ack_codes.emplace_back(a.code);
  }
  void on_order_event(const exec::OrderUpdate&, std::string_view) override {}
  void on_fill(const exec::FillReport& f) override { fill_instruments.push_back(f.instrument); }
  void on_query(ClientId id, bool found, OrderStatus, Decimal) override { queried.emplace_back(id, found); }

  bool allow = true;
  std::vector<std::size_t> before_send_legs;
  int sent = 0;
  int acks = 0;
  std::vector<exec::OrderAck> acked;  // code/message views: see ack_codes
  std::vector<std::string> ack_codes;
  std::vector<std::pair<ClientId, bool>> queried;
  std::vector<InstrumentId> fill_instruments;
};

MarketSpec market(const char* symbol, MarketType type, const char* tick, const char* step) {
  MarketSpec m;
  m.symbol = symbol;
  m.type = type;
  m.tick_size = D(tick);
  m.step_size = D(step);
  return m;
}

struct Captured {
  int calls = 0;
  std::vector<OrderRequest> requests;
  static void hook(void* ctx, std::span<const OrderRequest> orders) {
    auto* self = static_cast<Captured*>(ctx);
    ++self->calls;
    self->requests.assign(orders.begin(), orders.end());
  }
};

class AdapterHook : public ::testing::Test {
 protected:
  AdapterHook()
      : key_(SigningKey::from_seed(std::array<std::uint8_t, kSeedBytes>{7})),
        rest_(io_, clock_, rest_options(), &key_),
        ws_(io_, clock_, ws_options(), &key_) {
    markets_.add(VenueId::kBackpack, market("SOL_USDC", MarketType::kSpot, "0.01", "0.01"));
    markets_.add(VenueId::kBackpack, market("SOL_USDC_PERP", MarketType::kPerp, "0.001", "0.1"));
    adapter_ = std::make_unique<BackpackAdapter>(
        io_, clock_, rest_, ws_, markets_, clock_.now_us(),
        std::make_shared<spdlog::logger>("adapter-hook-test", std::make_shared<spdlog::sinks::null_sink_st>()), sink_);
    adapter_->set_request_hook(&Captured::hook, &captured_);
  }
  static RestClientOptions rest_options() {
    RestClientOptions o;
    o.http.base_url = "https://api.backpack.exchange";
    return o;
  }
  static BackpackWsOptions ws_options() {
    BackpackWsOptions o;
    o.ws.url = "wss://ws.backpack.exchange/";
    return o;
  }
  std::array<exec::OrderSpec, 2> two_legs() const {
    std::array<exec::OrderSpec, 2> legs{};
    legs[0].client_id = 1001;
    legs[0].market = &markets_.market(0);
    legs[0].instrument = 0;
    legs[0].side = Side::kAsk;
    legs[0].price = D("150.25");
    legs[0].quantity = D("0.5");
    legs[0].auto_borrow = true;
    legs[1].client_id = 1002;
    legs[1].market = &markets_.market(1);
    legs[1].instrument = 1;
    legs[1].side = Side::kBid;
    legs[1].tif = TimeInForce::kGtc;
    legs[1].price = D("150.125");
    legs[1].quantity = D("0.5");
    legs[1].post_only = true;
    legs[1].reduce_only = true;
    return legs;
  }

  boost::asio::io_context io_;
  ManualClock clock_{1'795'132'860LL * kUsPerSecond};
  SigningKey key_;
  RestClient rest_;
  BackpackWs ws_;
  InstrumentTable markets_;
  RecordingSink sink_;
  Captured captured_;
  std::unique_ptr<BackpackAdapter> adapter_;
};

TEST_F(AdapterHook, HookGetsTheMappedRequestsInsteadOfRestClient) {
  const auto legs = two_legs();
  adapter_->place_orders(legs);
  io_.poll();
  ASSERT_EQ(sink_.before_send_legs, std::vector<std::size_t>{2});
  ASSERT_EQ(captured_.calls, 1);
  ASSERT_EQ(captured_.requests.size(), 2u);
  const OrderRequest& spot = captured_.requests[0];
  EXPECT_EQ(spot.symbol, "SOL_USDC");
  EXPECT_EQ(spot.side, Side::kAsk);
  EXPECT_EQ(spot.type, OrderType::kLimit);
  EXPECT_EQ(spot.price, D("150.25"));
  EXPECT_EQ(spot.quantity, D("0.5"));
  EXPECT_EQ(spot.price_decimals, 2);
  EXPECT_EQ(spot.quantity_decimals, 2);
  EXPECT_EQ(spot.time_in_force, TimeInForce::kIoc);
  EXPECT_EQ(spot.client_id, 1001u);
  EXPECT_EQ(spot.auto_borrow, true);
  EXPECT_FALSE(spot.post_only.has_value());
  EXPECT_FALSE(spot.reduce_only.has_value());
  const OrderRequest& perp = captured_.requests[1];
  EXPECT_EQ(perp.symbol, "SOL_USDC_PERP");
  EXPECT_EQ(perp.side, Side::kBid);
  EXPECT_EQ(perp.price_decimals, 3);
  EXPECT_EQ(perp.quantity_decimals, 1);
  EXPECT_EQ(perp.time_in_force, TimeInForce::kGtc);
  EXPECT_EQ(perp.post_only, true);
  EXPECT_EQ(perp.reduce_only, true);
  EXPECT_EQ(perp.client_id, 1002u);
  EXPECT_FALSE(perp.auto_borrow.has_value());
  // Nothing went to RestClient, and the hook's owner answers the orders (no "Placing" report, no ack).
  EXPECT_EQ(rest_.counters().requests, 0u);
  EXPECT_EQ(rest_.counters().orders_sent, 0u);
  EXPECT_EQ(sink_.sent, 0);
  EXPECT_EQ(sink_.acks, 0);
}

TEST_F(AdapterHook, RefusedWriteAheadReachesNeitherHookNorRestClient) {
  sink_.allow = false;
  const auto legs = two_legs();
  adapter_->place_orders(legs);
  io_.poll();
  EXPECT_EQ(sink_.before_send_legs, std::vector<std::size_t>{2});
  EXPECT_EQ(captured_.calls, 0);
  EXPECT_EQ(rest_.counters().requests, 0u);
}

// The kernel's ids are 64-bit, Backpack's clientId 32-bit: a wider id is refused before the write-ahead and
// before any byte, never truncated; the top of Backpack's range still goes out whole.
TEST_F(AdapterHook, ClientIdWiderThanBackpacksIsRefusedUnsent) {
  auto legs = two_legs();
  legs[0].client_id = kMaxBackpackClientId;
  legs[1].client_id = kMaxBackpackClientId + 1;
  adapter_->place_orders(legs);
  EXPECT_TRUE(sink_.before_send_legs.empty());
  EXPECT_EQ(captured_.calls, 0);
  EXPECT_EQ(sink_.acks, 0) << "answered as events, never inside the engine's own call";
  io_.poll();
  ASSERT_EQ(sink_.acks, 2);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(sink_.acked[i].client_id, legs[i].client_id);
    EXPECT_EQ(sink_.acked[i].kind, exec::OrderAck::Kind::kRejected);
    EXPECT_EQ(sink_.acked[i].reject, RejectClass::kOther);
    EXPECT_EQ(sink_.ack_codes[i], "CLIENT_ID_RANGE");
  }
  EXPECT_EQ(sink_.sent, 0);

  legs[0].client_id = kMaxBackpackClientId - 1;
  legs[1].client_id = kMaxBackpackClientId;
  adapter_->place_orders(legs);
  ASSERT_EQ(captured_.calls, 1);
  ASSERT_EQ(captured_.requests.size(), 2u);
  EXPECT_EQ(captured_.requests[0].client_id, std::optional<std::uint32_t>(0xFFFF'FFFEu));
  EXPECT_EQ(captured_.requests[1].client_id, std::optional<std::uint32_t>(0xFFFF'FFFFu));

  // A wider id was never placed, so a query of it is answered "not found" without asking the exchange.
  adapter_->query_order(0, kMaxBackpackClientId + 1);
  EXPECT_TRUE(sink_.queried.empty());
  io_.restart();  // the polls above ran out of work, which stops the context
  io_.poll();
  ASSERT_EQ(sink_.queried.size(), 1u);
  EXPECT_EQ(sink_.queried[0], std::make_pair(kMaxBackpackClientId + 1, false));
}

TEST_F(AdapterHook, AStreamFillCarriesItsInstrument) {
  OrderUpdateEvent e;
  e.event = OrderEventType::kOrderFill;
  e.has_client_id = true;
  e.client_id = 1002;
  e.symbol = "SOL_USDC_PERP";
  e.has_trade_id = true;
  e.trade_id = 7;
  e.fill_quantity = D("0.5");
  e.fill_price = D("150.125");
  e.has_fill = true;
  e.executed_quantity = D("0.5");
  adapter_->on_order_event(e);
  e.symbol = "SOL_USDC";
  adapter_->on_order_event(e);
  e.symbol = "BTC_USDC";  // not a market of the table: no instrument
  adapter_->on_order_event(e);
  EXPECT_EQ(sink_.fill_instruments, (std::vector<InstrumentId>{1, 0, kNoInstrument}));
}

}  // namespace
}  // namespace bparb::backpack
