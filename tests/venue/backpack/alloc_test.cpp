// Hot-path allocation checks: after warm-up, parsing WS frames and writing orders must not touch
// the heap. Counts global operator new calls made on this thread while `counting` is set.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/signer.hpp"
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
