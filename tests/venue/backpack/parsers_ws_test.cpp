#include <gtest/gtest.h>

#include <string>

#include "bparb/venue/backpack/parsers.hpp"
#include "test_util.hpp"

namespace bparb::backpack {
namespace {

using testing::D;
using testing::read_data;

class WsParse : public ::testing::Test {
 protected:
  ParseError parse(const std::string& s) { return parse_ws_frame(parser_, s, frame_); }
  JsonParser parser_;
  WsFrame frame_;
};

TEST_F(WsParse, DepthFrameWithStringTimestampsAndDelete) {
  const ParseError e = parse(read_data("ws_depth.json"));
  ASSERT_TRUE(e.ok()) << e.message();
  ASSERT_EQ(frame_.type, WsFrameType::kDepth);
  EXPECT_EQ(frame_.stream, "depth.BTC_USDC_PERP");
  const DepthDelta& d = frame_.depth;
  EXPECT_EQ(d.symbol, "BTC_USDC_PERP");
  EXPECT_EQ(d.first_update_id, 1662976171);
  EXPECT_EQ(d.last_update_id, 1662976171);
  EXPECT_EQ(d.event_time_us, 1759338824897386);
  EXPECT_EQ(d.engine_time_us, 1759338824895616);
  EXPECT_TRUE(d.asks.empty());
  ASSERT_EQ(d.bids.size(), 1u);
  EXPECT_EQ(d.bids[0].price, D("117357"));
  EXPECT_TRUE(d.bids[0].quantity.is_zero());
}

TEST_F(WsParse, DepthAggregatedAndKeyOrderIndependent) {
  // data before stream, numeric E/T, several levels, U != u, depth.200ms stream.
  const std::string f = R"({"data":{"u":"105","U":"101","s":"SOL_USDC","b":[["150.10","2.5"],["150.09","0"]],)"
                        R"("a":[["150.12","1"]],"T":1,"E":2,"e":"depth"},"stream":"depth.200ms.SOL_USDC"})";
  ASSERT_TRUE(parse(f).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kDepth);
  EXPECT_EQ(frame_.depth.first_update_id, 101);
  EXPECT_EQ(frame_.depth.last_update_id, 105);
  ASSERT_EQ(frame_.depth.bids.size(), 2u);
  EXPECT_EQ(frame_.depth.bids[0].price, D("150.1"));
  EXPECT_EQ(frame_.depth.bids[0].quantity, D("2.5"));
  EXPECT_EQ(frame_.depth.bids[1].quantity, Decimal{});
  ASSERT_EQ(frame_.depth.asks.size(), 1u);
  EXPECT_EQ(frame_.depth.asks[0].price, D("150.12"));
  // Reusing the frame: a smaller update replaces, never appends.
  ASSERT_TRUE(parse(read_data("ws_depth.json")).ok());
  EXPECT_EQ(frame_.depth.bids.size(), 1u);
  EXPECT_TRUE(frame_.depth.asks.empty());
}

TEST_F(WsParse, BookTicker) {
  ASSERT_TRUE(parse(read_data("ws_book_ticker.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kBookTicker);
  const auto& b = frame_.book_ticker;
  EXPECT_EQ(b.symbol, "ETH_USDC");
  EXPECT_TRUE(b.has_ask);
  EXPECT_TRUE(b.has_bid);
  EXPECT_EQ(b.ask_price, D("3667.50"));
  EXPECT_EQ(b.ask_quantity, D("0.4087"));
  EXPECT_EQ(b.bid_price, D("3667.49"));
  EXPECT_EQ(b.bid_quantity, D("0.0020"));
  EXPECT_EQ(b.update_id, 1328288557);
  EXPECT_EQ(b.event_time_us, 1754517402450016);
  EXPECT_EQ(b.engine_time_us, 1754517402449064);
}

TEST_F(WsParse, BookTickerEmptySide) {
  ASSERT_TRUE(parse(R"({"stream":"bookTicker.X_Y","data":{"e":"bookTicker","s":"X_Y","a":null,"A":null,)"
                    R"("b":"1.5","B":"2","u":"7","E":1,"T":1}})")
                  .ok());
  EXPECT_FALSE(frame_.book_ticker.has_ask);
  EXPECT_TRUE(frame_.book_ticker.has_bid);
  EXPECT_EQ(frame_.book_ticker.update_id, 7);
}

TEST_F(WsParse, Trade) {
  ASSERT_TRUE(parse(read_data("ws_trade.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kTrade);
  const auto& t = frame_.trade;
  EXPECT_EQ(t.symbol, "ETH_USDC_PERP");
  EXPECT_EQ(t.price, D("3870.25"));
  EXPECT_EQ(t.quantity, D("0.0008"));
  EXPECT_EQ(t.buyer_order_id, "5121861755");
  EXPECT_EQ(t.seller_order_id, "5121860761");
  EXPECT_EQ(t.trade_id, 10782547);
  EXPECT_FALSE(t.buyer_is_maker);
  EXPECT_EQ(t.engine_time_us, 1754601477744000);
}

TEST_F(WsParse, MarkPriceRoundsLongFundingEstimate) {
  ASSERT_TRUE(parse(read_data("ws_mark_price.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kMarkPrice);
  const auto& m = frame_.mark_price;
  EXPECT_EQ(m.symbol, "SOL_USDC_PERP");
  EXPECT_EQ(m.mark_price, D("173.35998175"));
  EXPECT_TRUE(m.has_funding);
  // -0.0000039641039274... -> nearest 1e-9 = -0.000003964
  EXPECT_EQ(m.funding_rate, D("-0.000003964"));
  EXPECT_EQ(m.index_price, D("173.44031179"));
  EXPECT_EQ(m.next_funding_ms, 1747296000000);
  EXPECT_EQ(m.event_time_us, 1747291031914525);
}

TEST_F(WsParse, MarkPriceWithoutFundingFields) {
  ASSERT_TRUE(parse(R"({"stream":"markPrice.P_Q","data":{"e":"markPrice","s":"P_Q","p":"0.55","E":1,"T":1}})").ok());
  EXPECT_FALSE(frame_.mark_price.has_funding);
  EXPECT_EQ(frame_.mark_price.mark_price, D("0.55"));
}

TEST_F(WsParse, Ticker) {
  ASSERT_TRUE(parse(read_data("ws_ticker.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kTicker);
  EXPECT_EQ(frame_.ticker.close, D("174.85"));
  EXPECT_EQ(frame_.ticker.open, D("180.5"));
  EXPECT_EQ(frame_.ticker.quote_volume, D("22012345.123456"));
  EXPECT_EQ(frame_.ticker.trades, 48211);
}

TEST_F(WsParse, OrderFill) {
  ASSERT_TRUE(parse(read_data("ws_order_fill.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kOrderUpdate);
  const auto& o = frame_.order_update;
  EXPECT_EQ(o.event, OrderEventType::kOrderFill);
  EXPECT_EQ(o.symbol, "ETH_USDC");
  EXPECT_EQ(o.order_id, "5406825793");
  EXPECT_EQ(o.side, Side::kBid);
  EXPECT_EQ(o.order_type, OrderType::kMarket);
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_TRUE(o.has_fill);
  EXPECT_EQ(o.fill_quantity, D("0.001"));
  EXPECT_EQ(o.fill_price, D("4299.16"));
  EXPECT_EQ(o.executed_quantity, D("0.001"));
  EXPECT_EQ(o.executed_quote_quantity, D("4.29916"));
  EXPECT_TRUE(o.has_fee);
  EXPECT_EQ(o.fee, D("0.000001"));
  EXPECT_EQ(o.fee_symbol, "ETH");
  EXPECT_TRUE(o.has_trade_id);
  EXPECT_EQ(o.trade_id, 2888471);
  EXPECT_FALSE(o.is_maker);
  EXPECT_FALSE(o.reduce_only);
  EXPECT_FALSE(o.has_client_id);
  EXPECT_TRUE(o.has_quote_quantity);
  EXPECT_EQ(o.quote_quantity, D("4.30"));
  EXPECT_EQ(o.origin, "USER");
  EXPECT_TRUE(o.has_self_trade_prevention);
  EXPECT_EQ(o.self_trade_prevention, SelfTradePrevention::kRejectTaker);
  EXPECT_EQ(o.engine_time_us, 1754939110174705);
}

TEST_F(WsParse, TriggerPlacedWithNullTradeId) {
  ASSERT_TRUE(parse(read_data("ws_trigger_placed.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kOrderUpdate);
  const auto& o = frame_.order_update;
  EXPECT_EQ(o.event, OrderEventType::kTriggerPlaced);
  EXPECT_EQ(o.status, OrderStatus::kTriggerPending);
  EXPECT_EQ(o.order_type, OrderType::kLimit);
  EXPECT_FALSE(o.has_trade_id);
  EXPECT_TRUE(o.has_price);
  EXPECT_EQ(o.price, D("178.15"));
  EXPECT_TRUE(o.has_trigger_price);
  EXPECT_EQ(o.trigger_price, D("178.05"));
  EXPECT_EQ(o.trigger_quantity, "20.03");
  EXPECT_EQ(o.order_id, "114575813313101824");
  EXPECT_FALSE(o.has_fill);
}

TEST_F(WsParse, OrderAcceptedWithClientIdAndExpiry) {
  ASSERT_TRUE(parse(R"({"stream":"account.orderUpdate","data":{"e":"orderExpired","E":"1","s":"SOL_USDC",)"
                    R"("c":42,"S":"Ask","o":"LIMIT","f":"IOC","q":"1","p":"150","X":"Expired","R":"PostOnlyTaker",)"
                    R"("i":"77","z":"0","Z":"0","V":"RejectTaker","T":"2","y":true}})")
                  .ok());
  const auto& o = frame_.order_update;
  EXPECT_EQ(o.event, OrderEventType::kOrderExpired);
  EXPECT_TRUE(o.has_client_id);
  EXPECT_EQ(o.client_id, 42u);
  EXPECT_EQ(o.time_in_force, TimeInForce::kIoc);
  EXPECT_EQ(o.expiry_reason, "PostOnlyTaker");
  EXPECT_TRUE(o.post_only);
  // Next frame on the same struct resets optional fields.
  ASSERT_TRUE(parse(read_data("ws_order_fill.json")).ok());
  EXPECT_FALSE(frame_.order_update.has_client_id);
  EXPECT_TRUE(frame_.order_update.expiry_reason.empty());
}

TEST_F(WsParse, PositionOpenedAndSnapshot) {
  ASSERT_TRUE(parse(read_data("ws_position_opened.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kPositionUpdate);
  const auto& p = frame_.position_update;
  EXPECT_EQ(p.event, PositionEventType::kPositionOpened);
  EXPECT_EQ(p.symbol, "ETH_USDC_PERP");
  EXPECT_EQ(p.net_quantity, D("0.001"));
  EXPECT_EQ(p.entry_price, D("4236.36"));
  EXPECT_EQ(p.break_even_price, D("4238.479"));
  EXPECT_EQ(p.mark_price, D("4235.88650933"));
  EXPECT_EQ(p.net_exposure_notional, D("4.235886509"));  // 4.23588650933 has 11 dp -> nearest 1e-9
  EXPECT_EQ(p.pnl_unrealized, D("-0.000473"));
  EXPECT_EQ(p.position_id, 5411399049);

  ASSERT_TRUE(parse(read_data("ws_position_snapshot.json")).ok());
  EXPECT_EQ(frame_.position_update.event, PositionEventType::kSnapshot);
  EXPECT_EQ(frame_.position_update.net_quantity, D("-0.001"));
  EXPECT_EQ(frame_.position_update.position_id, 5411399049);  // string form
}

TEST_F(WsParse, ErrorFrame) {
  ASSERT_TRUE(parse(read_data("ws_error.json")).ok());
  ASSERT_EQ(frame_.type, WsFrameType::kError);
  EXPECT_EQ(frame_.error.code, 4006);
  EXPECT_EQ(frame_.error.message, "Invalid stream");
  EXPECT_FALSE(frame_.error.has_id);
  ASSERT_TRUE(parse(R"({"error":{"code":"4001","message":"x"},"id":3})").ok());
  EXPECT_EQ(frame_.error.code, 4001);
  EXPECT_TRUE(frame_.error.has_id);
  EXPECT_EQ(frame_.error.id, 3);
}

TEST_F(WsParse, UnknownStreamsAndAcksAreNotErrors) {
  ASSERT_TRUE(parse(R"({"stream":"kline.1m.SOL_USDC","data":{"e":"kline"}})").ok());
  EXPECT_EQ(frame_.type, WsFrameType::kUnknown);
  EXPECT_EQ(frame_.stream, "kline.1m.SOL_USDC");
  ASSERT_TRUE(parse(R"({"result":null,"id":1})").ok());
  EXPECT_EQ(frame_.type, WsFrameType::kUnknown);
  // "account.orderUpdateX" is not the order stream.
  ASSERT_TRUE(parse(R"({"stream":"account.orderUpdateX","data":{}})").ok());
  EXPECT_EQ(frame_.type, WsFrameType::kUnknown);
}

struct BadFrame {
  const char* json;
  ParseErrc code;
};

TEST_F(WsParse, MalformedFramesGetClearErrors) {
  const BadFrame cases[] = {
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"a":[],"b":[)", ParseErrc::kInvalidJson},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"a":[],"b":[["1","2)", ParseErrc::kInvalidJson},
      {"", ParseErrc::kInvalidJson},
      {"[1,2]", ParseErrc::kWrongType},
      {"\"text\"", ParseErrc::kWrongType},
      {"not json", ParseErrc::kInvalidJson},
      {R"({"stream":"depth.X"})", ParseErrc::kMissingField},
      {R"({"stream":42,"data":{}})", ParseErrc::kWrongType},
      {R"({"stream":"depth.X","data":[1]})", ParseErrc::kWrongType},
      {R"({"stream":"depth.X","data":{"e":"depth","U":1,"u":2,"a":[],"b":[]}})", ParseErrc::kMissingField},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","u":2,"a":[],"b":[]}})", ParseErrc::kMissingField},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":"N/A","u":2}})", ParseErrc::kBadNumber},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":3,"u":2}})", ParseErrc::kBadValue},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":99999999999999999999}})", ParseErrc::kOutOfRange},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":[["1"]]}})", ParseErrc::kWrongType},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":[["1","2","3"]]}})", ParseErrc::kWrongType},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":[["abc","2"]]}})", ParseErrc::kBadNumber},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":[["1e5","2"]]}})", ParseErrc::kBadNumber},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":[["99999999999","2"]]}})",
       ParseErrc::kOutOfRange},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":[["1.0000000001","2"]]}})",
       ParseErrc::kOutOfRange},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":[["-1","2"]]}})", ParseErrc::kBadValue},
      {R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":2,"b":{"1":"2"}}})", ParseErrc::kWrongType},
      {R"({"stream":"depth.X","data":{"e":"trade","s":"X","U":1,"u":2}})", ParseErrc::kUnknownStream},
      {R"({"stream":"bookTicker.X","data":{"e":"bookTicker","s":"X","a":"N/A"}})", ParseErrc::kBadNumber},
      {R"({"stream":"trade.X","data":{"e":"trade","s":"X","p":"1"}})", ParseErrc::kMissingField},
      {R"({"stream":"trade.X","data":{"e":"trade","s":"X","p":"1","q":"1","m":"maybe"}})", ParseErrc::kWrongType},
      {R"({"stream":"markPrice.X","data":{"e":"markPrice","s":"X"}})", ParseErrc::kMissingField},
      {R"({"stream":"account.orderUpdate","data":{"e":"orderBogus","s":"X","i":"1","S":"Bid","X":"New"}})",
       ParseErrc::kBadEnum},
      {R"({"stream":"account.orderUpdate","data":{"e":"orderAccepted","s":"X","i":"1","S":"Buy","X":"New"}})",
       ParseErrc::kBadEnum},
      {R"({"stream":"account.orderUpdate","data":{"e":"orderAccepted","s":"X","i":"1","S":"Bid"}})",
       ParseErrc::kMissingField},
      {R"({"stream":"account.orderUpdate","data":{"e":"orderFill","s":"X","i":"1","S":"Bid","X":"Filled"}})",
       ParseErrc::kMissingField},
      {R"({"stream":"account.orderUpdate","data":{"e":"orderAccepted","s":"X","i":"1","S":"Bid","X":"New","c":-1}})",
       ParseErrc::kOutOfRange},
      {R"({"stream":"account.orderUpdate","data":{"e":"orderAccepted","s":"X","i":"1","S":"Bid","X":"New","c":4294967296}})",
       ParseErrc::kOutOfRange},
      {R"({"stream":"account.positionUpdate","data":{"s":"X"}})", ParseErrc::kMissingField},
      {R"({"stream":"account.positionUpdate","data":{"s":"X","q":"1","e":"positionExploded"}})", ParseErrc::kBadEnum},
      {R"({"id":null,"error":{"message":"x"}})", ParseErrc::kMissingField},
      {R"({"id":null,"error":"x"})", ParseErrc::kWrongType},
  };
  for (const auto& c : cases) {
    const ParseError e = parse(c.json);
    EXPECT_EQ(e.code, c.code) << c.json << " -> " << e.message();
    EXPECT_EQ(frame_.type, WsFrameType::kNone) << c.json;
    EXPECT_FALSE(e.message().empty());
  }
  // The parser is still usable after errors.
  ASSERT_TRUE(parse(read_data("ws_trade.json")).ok());
  EXPECT_EQ(frame_.type, WsFrameType::kTrade);
}

TEST_F(WsParse, ErrorMessageNamesTheField) {
  const ParseError e = parse(R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":"N/A","u":2}})");
  EXPECT_EQ(e.message(), "data.U: not a number");
}

TEST_F(WsParse, EveryTruncationOfEveryFixtureFailsCleanly) {
  for (const char* name : {"ws_depth.json", "ws_book_ticker.json", "ws_trade.json", "ws_mark_price.json",
                           "ws_ticker.json", "ws_order_fill.json", "ws_trigger_placed.json", "ws_position_opened.json",
                           "ws_position_snapshot.json", "ws_error.json"}) {
    std::string full = read_data(name);
    while (!full.empty() && (full.back() == '\n' || full.back() == ' ')) full.pop_back();
    ASSERT_TRUE(parse(full).ok()) << name;
    for (std::size_t n = 0; n < full.size(); ++n) {
      const ParseError e = parse(full.substr(0, n));
      EXPECT_FALSE(e.ok()) << name << " truncated at " << n;
    }
  }
}

TEST_F(WsParse, ZeroCopyWhenBufferHasPadding) {
  std::string buf = read_data("ws_trade.json");
  const std::size_t n = buf.size();
  buf.resize(n + kJsonPadding, ' ');
  ASSERT_TRUE(parse_ws_frame(parser_, JsonInput(buf.data(), n, buf.size()), frame_).ok());
  EXPECT_EQ(frame_.trade.trade_id, 10782547);
  // The string views point into the parser, not into a dangling temporary.
  EXPECT_EQ(frame_.trade.symbol, "ETH_USDC_PERP");
}

TEST_F(WsParse, PayloadLevelParsers) {
  DepthDelta d;
  ASSERT_TRUE(parse_depth_event(parser_, R"({"e":"depth","s":"A_B","U":5,"u":6,"a":[["2","1"]],"b":[]})", d).ok());
  EXPECT_EQ(d.asks.size(), 1u);
  OrderUpdateEvent o;
  EXPECT_EQ(parse_order_update_event(parser_, R"({"e":"orderAccepted"})", o).code, ParseErrc::kMissingField);
  MarkPriceEvent m;
  ASSERT_TRUE(parse_mark_price_event(parser_, R"({"s":"A","p":1.5,"f":0.0001,"n":"5"})", m).ok());
  EXPECT_EQ(m.mark_price, D("1.5"));  // JSON numbers accepted too
  EXPECT_EQ(m.funding_rate, D("0.0001"));
  EXPECT_EQ(m.next_funding_ms, 5);
}

}  // namespace
}  // namespace bparb::backpack
