// No heap allocation on the hot path once warm. The binary links src/bench/alloc_counter.cpp,
// which replaces the global operator new/delete with counting versions; each test warms its path,
// then counts allocations over many more frames/orders and expects exactly zero.
//
// Paths: depth frame parse + DepthSync/OrderBook apply (bpsim-recorded frames, also through
// BackpackWs::handle_frame); bookTicker / trade / markPrice / orderUpdate / positionUpdate parse;
// ArbEngine::on_book_update that evaluates but does not trade; the order path (a frame makes the
// engine trade -> BackpackAdapter, the daemon's order mapping -> RequestWriter batch body -> ED25519
// signature -> HTTP request bytes) and its ack.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "../../src/bench/alloc_counter.hpp"
#include "../../src/bench/tick_to_wire.hpp"
#include "../../src/venue/backpack/parsers_detail.hpp"  // diagnosis test only (private header)
#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/ws_client.hpp"

namespace bparb {
namespace {

using bench::AllocScope;
using bench::AllocStats;

// Real-shaped frames (live sample shapes, docs/backpack.md §5, §7), in the {"stream","data"} envelope.
const char* const kBookTicker =
    R"({"stream":"bookTicker.ETH_USDC","data":{"A":"0.4087","B":"0.0020","E":"1754517402450016","T":"1754517402449064","a":"3667.50","b":"3667.49","e":"bookTicker","s":"ETH_USDC","u":1328288557}})";
const char* const kTrade =
    R"({"stream":"trade.ETH_USDC_PERP","data":{"E":"1754601477746429","T":"1754601477744000","a":"5121860761","b":"5121861755","e":"trade","m":false,"p":"3870.25","q":"0.0008","s":"ETH_USDC_PERP","t":10782547}})";
const char* const kMarkPrice =
    R"({"stream":"markPrice.SOL_USDC_PERP","data":{"E":1747291031914525,"T":1747291031910025,"e":"markPrice","f":"-0.0000039641039274236048482914","i":"173.44031179","n":1747296000000,"p":"173.35998175","s":"SOL_USDC_PERP"}})";
const char* const kOrderFill =
    R"({"stream":"account.orderUpdate","data":{"E":"1754939110175879","L":"4299.16","N":"ETH","O":"USER","Q":"4.30","S":"Bid","T":"1754939110174705","V":"RejectTaker","X":"Filled","Z":"4.299160","c":1234,"e":"orderFill","f":"GTC","i":"5406825793","l":"0.0010","m":false,"n":"0.000001","o":"MARKET","q":"0.0010","r":false,"s":"ETH_USDC","t":2888471,"z":"0.0010"}})";
const char* const kPositionUpdate =
    R"({"stream":"account.positionUpdate","data":{"B":"4236.36","E":"1754943862040486","M":"4235.88650933","P":"-0.000473","Q":"0.0010","T":"1754943862040487","b":"4238.479","e":"positionOpened","f":"0.02","i":5411399049,"l":"0","m":"0.0125","n":"4.23588650933","p":"0","q":"0.0010","s":"ETH_USDC_PERP"}})";

std::string padded(const char* s) {
  std::string f(s);
  f.reserve(f.size() + backpack::kJsonPadding);
  return f;
}

class DepthStream : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stream_ = new bench::CapturedStream(bench::capture_depth_stream(7, "SOL_USDC_PERP", 4000));
    for (auto& f : stream_->frames) f.reserve(f.size() + backpack::kJsonPadding);
  }
  static void TearDownTestSuite() {
    delete stream_;
    stream_ = nullptr;
  }
  static bench::CapturedStream* stream_;
};
bench::CapturedStream* DepthStream::stream_ = nullptr;

TEST_F(DepthStream, CapturedStreamIsContiguousAndNonTrivial) {
  ASSERT_EQ(stream_->frames.size(), 4000u);
  EXPECT_GT(stream_->levels, 4000u);  // more than one level per frame on average
  EXPECT_NE(stream_->snapshot_json.find("\"lastUpdateId\":\""), std::string::npos);
}

TEST_F(DepthStream, ParseAndApplyDepthFramesDoesNotAllocate) {
  MarketSpec spec;
  spec.symbol = "SOL_USDC_PERP";
  spec.tick_size = Decimal::from_string("0.01");
  spec.step_size = Decimal::from_string("0.01");
  OrderBook book(spec);
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 0;
  DepthSync sync(book, cfg);
  ASSERT_EQ(sync.on_snapshot(stream_->snapshot), SyncAction::kBookUpdated);
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  const std::size_t warm = 1000;
  std::uint64_t applied = 0;
  auto run = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      const std::string& f = stream_->frames[i];
      if (!backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), frame).ok()) return false;
      if (sync.on_delta(frame.depth) == SyncAction::kBookUpdated) ++applied;
      if (book.best_bid().empty || book.best_ask().empty) return false;
    }
    return true;
  };
  ASSERT_TRUE(run(0, warm));
  AllocScope scope;
  const bool ok = run(warm, stream_->frames.size());
  const AllocStats st = scope.finish();
  ASSERT_TRUE(ok);
  EXPECT_EQ(applied, stream_->frames.size());
  EXPECT_TRUE(sync.synced());
  EXPECT_EQ(sync.stats().gaps, 0u);
  // Known cause if this fails with a few KB: simdjson's ondemand::parser re-allocates its buffers
  // whenever a document larger than any before arrives, unless JsonParser::Impl reserved them at
  // construction (src/venue/backpack/parsers_detail.hpp).
  EXPECT_EQ(st.allocations, 0u) << st.bytes << " bytes over " << stream_->frames.size() - warm << " frames";
}

// The same run with the JsonParser's simdjson parser pre-allocated once (what JsonParser::Impl's
// constructor does) does not allocate. Reaches into venue/backpack's private parsers_detail.hpp only
// to prove the diagnosis.
TEST_F(DepthStream, ParseAndApplyWithPreallocatedParserDoesNotAllocate) {
  MarketSpec spec;
  spec.symbol = "SOL_USDC_PERP";
  spec.tick_size = Decimal::from_string("0.01");
  spec.step_size = Decimal::from_string("0.01");
  OrderBook book(spec);
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 0;
  DepthSync sync(book, cfg);
  ASSERT_EQ(sync.on_snapshot(stream_->snapshot), SyncAction::kBookUpdated);
  backpack::JsonParser parser;
  ASSERT_EQ(parser.impl().parser.allocate(64 * 1024), simdjson::SUCCESS);
  backpack::WsFrame frame;
  const std::size_t warm = 1000;
  auto run = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      const std::string& f = stream_->frames[i];
      if (!backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), frame).ok()) return false;
      sync.on_delta(frame.depth);
    }
    return true;
  };
  ASSERT_TRUE(run(0, warm));
  AllocScope scope;
  const bool ok = run(warm, stream_->frames.size());
  const AllocStats st = scope.finish();
  ASSERT_TRUE(ok);
  EXPECT_TRUE(sync.synced());
  EXPECT_EQ(st.allocations, 0u) << st.bytes << " bytes";
}

// The same frames through the daemon's real WS entry point (decode + typed std::function dispatch).
TEST_F(DepthStream, BackpackWsHandleFrameDoesNotAllocate) {
  boost::asio::io_context ioc;
  ManualClock clock(1'795'132'800LL * kUsPerSecond);
  backpack::BackpackWsOptions wo;
  wo.ws.url = "ws://127.0.0.1:9";  // never started
  backpack::BackpackWs ws(ioc, clock, wo);
  MarketSpec spec;
  spec.symbol = "SOL_USDC_PERP";
  spec.tick_size = Decimal::from_string("0.01");
  spec.step_size = Decimal::from_string("0.01");
  OrderBook book(spec);
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 0;
  DepthSync sync(book, cfg);
  ASSERT_EQ(sync.on_snapshot(stream_->snapshot), SyncAction::kBookUpdated);
  std::uint64_t updates = 0;
  backpack::BackpackWsHandlers h;
  h.on_depth = [&](const DepthDelta& d, TimestampUs t) {
    if (sync.on_delta(d, t) == SyncAction::kBookUpdated) ++updates;
  };
  ws.set_handlers(std::move(h));
  const std::size_t warm = 1000;
  for (std::size_t i = 0; i < warm; ++i) {
    const std::string& f = stream_->frames[i];
    ws.handle_frame(f.data(), f.size(), f.capacity());
  }
  AllocScope scope;
  for (std::size_t i = warm; i < stream_->frames.size(); ++i) {
    const std::string& f = stream_->frames[i];
    ws.handle_frame(f.data(), f.size(), f.capacity());
  }
  const AllocStats st = scope.finish();
  EXPECT_EQ(updates, stream_->frames.size());
  EXPECT_EQ(ws.counters().malformed, 0u);
  EXPECT_EQ(st.allocations, 0u) << st.bytes << " bytes";
}

struct OtherFrame {
  const char* name;
  const char* text;
  backpack::WsFrameType type;
};

TEST(NoAlloc, OtherStreamFramesParseWithoutAllocating) {
  const OtherFrame frames[] = {
      {"bookTicker", kBookTicker, backpack::WsFrameType::kBookTicker},
      {"trade", kTrade, backpack::WsFrameType::kTrade},
      {"markPrice", kMarkPrice, backpack::WsFrameType::kMarkPrice},
      {"orderUpdate", kOrderFill, backpack::WsFrameType::kOrderUpdate},
      {"positionUpdate", kPositionUpdate, backpack::WsFrameType::kPositionUpdate},
  };
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  for (const OtherFrame& of : frames) {
    SCOPED_TRACE(of.name);
    const std::string f = padded(of.text);
    // Zero-copy input (padding reserved) and copied input (no slack: the parser's scratch).
    const std::string_view unpadded(f);
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), frame).ok());
      ASSERT_TRUE(backpack::parse_ws_frame(parser, backpack::JsonInput(unpadded), frame).ok());
    }
    ASSERT_EQ(frame.type, of.type);
    AllocScope scope;
    bool ok = true;
    for (int i = 0; i < 1000; ++i) {
      ok = ok && backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), frame).ok();
      ok = ok && backpack::parse_ws_frame(parser, backpack::JsonInput(unpadded), frame).ok();
    }
    const AllocStats st = scope.finish();
    EXPECT_TRUE(ok);
    EXPECT_EQ(st.allocations, 0u) << st.bytes << " bytes";
  }
  // The values really were decoded (not a parser that bails out early).
  backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(padded(kOrderFill)), frame);
  EXPECT_EQ(frame.order_update.client_id, 1234u);
  EXPECT_EQ(frame.order_update.fill_price, Decimal::from_string("4299.16"));
  EXPECT_EQ(frame.order_update.fee_symbol, "ETH");
}

TEST(NoAlloc, EngineBookUpdateWithoutTradeDoesNotAllocate) {
  bench::TickToWire t;
  ASSERT_TRUE(t.synced_all());
  for (int i = 0; i < 200; ++i) ASSERT_FALSE(t.on_frame(t.next_quiet_frame()));
  std::vector<std::string> frames;
  for (int i = 0; i < 2000; ++i) {
    frames.push_back(t.next_quiet_frame());
    frames.back().reserve(frames.back().size() + backpack::kJsonPadding);
  }
  const std::uint64_t before = t.frames();
  AllocScope scope;
  bool traded = false;
  for (const std::string& f : frames) traded |= t.on_frame(f);
  const AllocStats st = scope.finish();
  EXPECT_FALSE(traded);
  EXPECT_EQ(t.frames() - before, 2000u);
  EXPECT_EQ(t.parse_errors(), 0u);
  EXPECT_EQ(t.orders_written(), 0u);
  EXPECT_EQ(st.allocations, 0u) << st.bytes << " bytes over 2000 frames";
}

TEST(NoAlloc, OrderPathFrameToSignedBatchDoesNotAllocate) {
  bench::TickToWire t;
  // Warm: a few full trade cycles (spike -> trade -> IOC expired acks -> revert).
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(t.next_is_spike());
    ASSERT_TRUE(t.on_frame(t.next_frame())) << "spike frame did not trade (refusals " << t.refusals() << ")";
    t.settle();
    ASSERT_FALSE(t.on_frame(t.next_frame()));
  }
  AllocStats trade_total, ack_total;
  for (int i = 0; i < 200; ++i) {
    std::string spike = t.next_frame();
    spike.reserve(spike.size() + backpack::kJsonPadding);
    AllocScope s1;
    const bool traded = t.on_frame(spike);
    const AllocStats a = s1.finish();
    ASSERT_TRUE(traded) << "iteration " << i;
    trade_total.allocations += a.allocations;
    trade_total.bytes += a.bytes;
    AllocScope s2;
    t.settle();
    const AllocStats b = s2.finish();
    ack_total.allocations += b.allocations;
    ack_total.bytes += b.bytes;
    ASSERT_FALSE(t.on_frame(t.next_frame()));
  }
  EXPECT_EQ(t.write_errors(), 0u);
  EXPECT_EQ(t.last_batch_size(), 0u);
  // The request really is a signed two-leg batch.
  EXPECT_EQ(t.orders_written(), 205u);
  const std::string_view body = t.body();
  EXPECT_EQ(body.front(), '[');
  EXPECT_NE(body.find("\"side\":\"Bid\""), std::string_view::npos);
  EXPECT_NE(body.find("\"side\":\"Ask\""), std::string_view::npos);
  EXPECT_NE(body.find("\"symbol\":\"SOL_USDC\""), std::string_view::npos);
  EXPECT_NE(body.find("\"symbol\":\"SOL_USDC_PERP\""), std::string_view::npos);
  EXPECT_EQ(t.written().signature.size(), backpack::kSignatureBase64Chars);
  EXPECT_TRUE(backpack::verify_signature_base64(t.key().public_key_base64(), t.written().signature,
                                                t.written().signing_string));
  EXPECT_TRUE(t.wire().starts_with("POST /api/v1/orders HTTP/1.1\r\n"));
  EXPECT_TRUE(t.wire().ends_with(body));
  EXPECT_EQ(trade_total.allocations, 0u) << trade_total.bytes << " bytes over 200 trades";
  EXPECT_EQ(ack_total.allocations, 0u) << ack_total.bytes << " bytes over 400 acks";
}

// The counter itself works (otherwise every EXPECT_EQ(0) above would pass vacuously).
TEST(NoAlloc, CounterSeesAllocations) {
  static std::vector<int>* volatile escape = nullptr;
  AllocScope scope;
  escape = new std::vector<int>(100);
  delete escape;
  const AllocStats st = scope.finish();
  EXPECT_EQ(st.allocations, 2u);  // the vector object and its buffer
  EXPECT_GE(st.bytes, 400u);
}

}  // namespace
}  // namespace bparb
