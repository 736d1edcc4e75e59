// Hot-path allocation checks: after warm-up, parsing WS frames and writing orders must not touch
// the heap. Counts global operator new calls made on this thread while `counting` is set.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <new>
#include <string>

#include "bparb/venue/backpack/market_data.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/ws_client.hpp"
#include "test_util.hpp"

// Under AddressSanitizer the allocator is ASan's: replacing operator new with malloc-backed versions
// there makes ASan report alloc/dealloc mismatches for the paths we do not replace (aligned new).
// The Release run of this binary is where allocation counting is meaningful.
#if !defined(__SANITIZE_ADDRESS__)
#define BPARB_COUNT_ALLOCATIONS 1
#endif

#if defined(BPARB_COUNT_ALLOCATIONS)
namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

// Replacing the global allocation functions is process-wide; they only count when asked to.
// GCC pairs the malloc and the free once both are inlined into a test (-O1 and above) and calls them
// mismatched; they are the replacement pair itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

#endif  // BPARB_COUNT_ALLOCATIONS

namespace bparb::backpack {
namespace {

#if defined(BPARB_COUNT_ALLOCATIONS)
struct Counter {
  Counter() {
    allocations = 0;
    counting = true;
  }
  ~Counter() { counting = false; }
  long count() const { return allocations; }
};
#endif

TEST(HotPathAllocations, WsFramesAfterWarmUp) {
#if !defined(BPARB_COUNT_ALLOCATIONS)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#else
  const char* files[] = {"ws_depth.json",          "ws_book_ticker.json",     "ws_trade.json",
                         "ws_mark_price.json",     "ws_ticker.json",          "ws_order_fill.json",
                         "ws_trigger_placed.json", "ws_position_opened.json", "ws_position_snapshot.json",
                         "ws_error.json"};
  std::vector<std::string> frames;
  for (const char* f : files) frames.push_back(testing::read_data(f));
  frames.push_back(R"({"stream":"depth.SOL_USDC","data":{"e":"depth","s":"SOL_USDC","U":1,"u":3,)"
                   R"("b":[["1","1"],["2","2"],["3","3"]],"a":[["4","4"],["5","5"]],"E":"1","T":"1"}})");
  JsonParser parser;
  WsFrame frame;
  for (int warm = 0; warm < 2; ++warm)
    for (const auto& f : frames) ASSERT_TRUE(parse_ws_frame(parser, f, frame).ok());
  long n = 0;
  {
    Counter c;
    for (int rep = 0; rep < 100; ++rep)
      for (const auto& f : frames) {
        if (!parse_ws_frame(parser, f, frame).ok()) std::abort();
      }
    n = c.count();
  }
  EXPECT_EQ(n, 0);
#endif
}

// A trade frame through BackpackWs and MarketDataFeed to the strategy's callback.
TEST(HotPathAllocations, TradeFramesThroughTheFeedAfterWarmUp) {
#if !defined(BPARB_COUNT_ALLOCATIONS)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#else
  boost::asio::io_context ioc;
  ManualClock clock(1'700'000'000'000'000);
  RestClientOptions ro;
  ro.http.base_url = "http://127.0.0.1:9";  // never contacted: frames are fed in directly
  RestClient rest(ioc, clock, ro);
  BackpackWsOptions wo;
  wo.ws.url = "ws://127.0.0.1:9/";
  BackpackWs ws(ioc, clock, wo);
  MarketDataFeed feed(ioc, clock, ws, rest);
  MarketSpec spec;
  spec.symbol = "ETH_USDC_PERP";
  spec.type = MarketType::kPerp;
  spec.tick_size = Decimal::from_string("0.01");
  spec.step_size = Decimal::from_string("0.0001");
  feed.add_market(spec, kNoInstrument, MarketStreams{.trades = true});
  std::int64_t sum_ticks = 0;
  feed.on_trade([&](std::string_view, const MarketTrade& t) { sum_ticks += t.price.raw(); });
  const std::string frame = testing::read_data("ws_trade.json");
  for (int warm = 0; warm < 2; ++warm) ws.handle_frame(frame.data(), frame.size(), frame.size());
  long n = 0;
  {
    Counter c;
    for (int rep = 0; rep < 200; ++rep) ws.handle_frame(frame.data(), frame.size(), frame.size());
    n = c.count();
  }
  EXPECT_EQ(n, 0);
  EXPECT_EQ(feed.counters().trades, 202u);
  EXPECT_NE(sum_ticks, 0);
#endif
}

TEST(HotPathAllocations, OrderWritingAfterWarmUp) {
#if !defined(BPARB_COUNT_ALLOCATIONS)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#else
  const SigningKey key =
      std::move(SigningKey::from_base64_secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")).value();
  RequestWriter w;
  OrderRequest o;
  o.symbol = "SOL_USDC_PERP";
  o.price = testing::D("150.25");
  o.price_decimals = 2;
  o.quantity = testing::D("1.5");
  o.quantity_decimals = 2;
  o.post_only = true;
  o.client_id = 7;
  const OrderRequest batch[] = {o, o, o};
  CancelRequest cancel{"SOL_USDC_PERP", "123456", std::nullopt};
  WrittenRequest out;
  const RequestAuth auth{&key, 1700000000000, 5000};
  ASSERT_EQ(w.write_order(o, auth, out), RequestError::kOk);
  ASSERT_EQ(w.write_batch(batch, auth, out), RequestError::kOk);
  ASSERT_EQ(w.write_cancel(cancel, auth, out), RequestError::kOk);
  long n = 0;
  {
    Counter c;
    for (int i = 0; i < 100; ++i) {
      RequestAuth a = auth;
      a.timestamp_ms += i;
      if (w.write_order(o, a, out) != RequestError::kOk) std::abort();
      if (w.write_batch(batch, a, out) != RequestError::kOk) std::abort();
      if (w.write_cancel(cancel, a, out) != RequestError::kOk) std::abort();
      if (w.write_cancel_all("SOL_USDC_PERP", CancelAllKind::kAll, a, out) != RequestError::kOk) std::abort();
    }
    n = c.count();
  }
  EXPECT_EQ(n, 0);
#endif
}

}  // namespace
}  // namespace bparb::backpack
