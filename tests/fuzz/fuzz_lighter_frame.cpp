// Lighter WebSocket frames (venue/lighter/parsers.hpp) and the order_book nonce chain (book_sync.hpp)
// from arbitrary bytes: the input is split into frames at '\n' and fed in order to one BookSync.
// Properties: parse_ws_frame (fast order_book reader first) and the generic walk agree on every frame
// (same error code; same decoded book frame on success); a failed parse leaves type kNone; the book is
// never valid while crossed, and valid only while BookSync reports synced.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bparb/venue/lighter/book_sync.hpp"
#include "bparb/venue/lighter/parsers.hpp"

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

using namespace bparb;
using namespace bparb::lighter;

namespace {
bool same_levels(const std::vector<LevelUpdate>& x, const std::vector<LevelUpdate>& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i].price != y[i].price || x[i].quantity != y[i].quantity) return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static JsonParser pa;
  static JsonParser pb;
  static WsFrame a;
  static WsFrame b;
  MarketDetails m;
  m.symbol = "ETH";
  m.price_decimals = 2;
  m.size_decimals = 4;
  ManualClock clock(1);
  OrderBook book(book_spec(m), 64);
  BookSync sync(book, 0, clock, BookSyncConfig{1000});
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string frame(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    const ParseError ea = parse_ws_frame(pa, frame, a);
    const ParseError eb = parse_ws_frame_generic(pb, frame, b);
    if (ea.code != eb.code)
      std::fprintf(stderr, "fast=%s(%s) generic=%s(%s) frame=[%s]\n", to_string(ea.code), ea.field, to_string(eb.code),
                   eb.field, frame.c_str());
    FUZZ_CHECK(ea.code == eb.code);
    if (!ea.ok()) {
      FUZZ_CHECK(a.type == WsType::kNone);
      continue;
    }
    FUZZ_CHECK(a.type == b.type);
    if (a.type != WsType::kOrderBook) continue;
    FUZZ_CHECK(a.book.market_id == b.book.market_id && a.book.snapshot == b.book.snapshot &&
               a.book.nonce == b.book.nonce && a.book.begin_nonce == b.book.begin_nonce &&
               a.book.offset == b.book.offset && a.book.last_updated_at_us == b.book.last_updated_at_us &&
               a.book.timestamp_ms == b.book.timestamp_ms && same_levels(a.book.levels.bids, b.book.levels.bids) &&
               same_levels(a.book.levels.asks, b.book.levels.asks));
    clock.advance_us(400);
    const SyncResult r = sync.on_frame(a.book);
    if (r.action == SyncAction::kResubscribe) FUZZ_CHECK(!book.valid());
    FUZZ_CHECK(book.valid() == sync.synced());
    if (book.valid()) FUZZ_CHECK(!book.crossed());
    if (sync.on_timer().action == SyncAction::kResubscribe) FUZZ_CHECK(!book.valid());
  }
  return 0;
}
