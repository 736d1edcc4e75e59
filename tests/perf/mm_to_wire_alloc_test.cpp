// The market maker's order path allocates nothing once warm (src/bench/mm_to_wire.hpp): a book or trade frame
// that moves the quote -> signed cancel request bytes, and the cancel confirmation frame -> signed new-quote
// request bytes, through the parser, the book, the market maker, order entry, the OMS, the risk gate, the
// daemon's order mapping, the request writer and the signature. The requests are checked to be the right ones.
#include <gtest/gtest.h>

#include <string>

#include "../../src/bench/alloc_counter.hpp"
#include "../../src/bench/mm_to_wire.hpp"

namespace bparb {
namespace {

using bench::AllocScope;
using bench::AllocStats;
using bench::MmWire;

// One replace: `frame` must cancel the quote, its confirmation must place the next one. Returns the
// allocations counted over both frames.
AllocStats replace(bench::MmToWire& t, const std::string& frame, std::string& cancel_wire, std::string& place_wire) {
  AllocStats total;
  {
    AllocScope s;
    const MmWire w = t.on_frame(frame);
    const AllocStats a = s.finish();
    EXPECT_EQ(w, MmWire::kCancel);
    total.allocations += a.allocations;
    total.bytes += a.bytes;
  }
  cancel_wire.assign(t.wire());
  const std::string confirm = t.cancel_confirmation_frame();
  {
    AllocScope s;
    const MmWire w = t.on_frame(confirm);
    const AllocStats a = s.finish();
    EXPECT_EQ(w, MmWire::kPlace);
    total.allocations += a.allocations;
    total.bytes += a.bytes;
  }
  place_wire.assign(t.wire());
  t.accept_quote();
  return total;
}

TEST(MmToWireNoAlloc, BookAndTradeFramesToCancelAndNewQuoteRequestsDoNotAllocate) {
  bench::MmToWire t;
  std::string cancel_wire, place_wire;
  cancel_wire.reserve(1024);
  place_wire.reserve(1024);
  for (int i = 0; i < 10; ++i) replace(t, t.next_book_frame(), cancel_wire, place_wire);  // warm
  AllocStats book, trade;
  for (int i = 0; i < 200; ++i) {
    const AllocStats a = replace(t, t.next_book_frame(), cancel_wire, place_wire);
    book.allocations += a.allocations;
    book.bytes += a.bytes;
  }
  // The cancel names the quote by client id; the new quote is a post-only limit on the bid, signed.
  EXPECT_TRUE(cancel_wire.starts_with("DELETE /api/v1/order HTTP/1.1\r\n")) << cancel_wire;
  EXPECT_NE(cancel_wire.find("\"clientId\":"), std::string::npos) << cancel_wire;
  EXPECT_TRUE(place_wire.starts_with("POST /api/v1/order HTTP/1.1\r\n")) << place_wire;
  EXPECT_NE(place_wire.find("\"postOnly\":true"), std::string::npos) << place_wire;
  EXPECT_NE(place_wire.find("\"side\":\"Bid\""), std::string::npos) << place_wire;
  EXPECT_TRUE(backpack::verify_signature_base64(t.key().public_key_base64(), t.written().signature,
                                                t.written().signing_string));
  for (int i = 0; i < 10; ++i) {  // warm the trade path
    ASSERT_EQ(t.on_frame(t.next_quiet_book_frame()), MmWire::kNone);
    replace(t, t.next_trade_frame(), cancel_wire, place_wire);
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(t.on_frame(t.next_quiet_book_frame()), MmWire::kNone);
    const AllocStats a = replace(t, t.next_trade_frame(), cancel_wire, place_wire);
    trade.allocations += a.allocations;
    trade.bytes += a.bytes;
  }
  // Each print switched the side: the last quote is on the side the last print pointed to.
  EXPECT_TRUE(place_wire.find("\"side\":\"Bid\"") != std::string::npos ||
              place_wire.find("\"side\":\"Ask\"") != std::string::npos);
  EXPECT_EQ(t.parse_errors(), 0u);
  EXPECT_EQ(t.write_errors(), 0u);
  EXPECT_EQ(t.runner().counters().refusals, 0u);
  EXPECT_EQ(t.runner().core().trip_count(), 0u);
  EXPECT_EQ(book.allocations, 0u) << book.bytes << " bytes over 200 book-frame replaces";
  EXPECT_EQ(trade.allocations, 0u) << trade.bytes << " bytes over 200 trade-frame replaces";
}

}  // namespace
}  // namespace bparb
