// Signing, verifying and hashing (and the adapter's stream path) allocate nothing once warm (the generator table is
// built on first use). Counts global operator new calls on this thread while `counting` is set.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "bparb/venue/lighter/adapter.hpp"
#include "bparb/venue/lighter/book_sync.hpp"
#include "bparb/venue/lighter/parsers.hpp"
#include "bparb/venue/lighter/signer.hpp"
#include "bparb/venue/lighter/ws_session.hpp"
#include "client_test_util.hpp"

// Under AddressSanitizer the allocator is ASan's and replacing operator new confuses its bookkeeping;
// the Release run of this binary is where the count is meaningful.
#if !defined(__SANITIZE_ADDRESS__)
#define BPARB_LIGHTER_COUNT_ALLOCATIONS 1
#endif

#if defined(BPARB_LIGHTER_COUNT_ALLOCATIONS)
#if defined(__GNUC__) && !defined(__clang__)
// Our operator delete frees what our operator new took from malloc; once GCC inlines both into the
// same caller it cannot see that they pair up and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

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
#endif

namespace bparb::lighter {
namespace {

#if defined(BPARB_LIGHTER_COUNT_ALLOCATIONS)
TEST(LighterAlloc, SignVerifyAndHashAllocateNothingOnceWarm) {
  auto signer = Signer::create("0102030405060708091011121314151617181920212223242526272829303132333435363738393a",
                               SignerConfig{kChainIdMainnet, 12345, 3, TxInfoLayout::kCurrent});
  ASSERT_TRUE(signer.has_value());
  CreateOrderTx order;
  order.market_index = 1;
  order.base_amount = 1000;
  order.price = 3000000;
  order.time_in_force = 1;
  order.order_expiry = 1893456000000;
  order.attributes.skip_nonce = 1;
  SignedTx out;
  AuthToken token;
  ASSERT_FALSE(signer->sign_create_order(order, 1, 1893455400000, out));  // warm-up: builds the table
  Point pk;
  ASSERT_TRUE(decode(std::span<const std::uint8_t, 40>(signer->public_key()), pk));
  const PreparedPublicKey prepared(pk);

  counting = true;
  allocations = 0;
  bool ok = true;
  for (std::int64_t nonce = 2; nonce < 6; ++nonce) {
    ok = ok && !signer->sign_create_order(order, nonce, 1893455400000, out).has_value();
    ok = ok && !signer->sign_cancel_order(CancelOrderTx{1, 77, {}}, nonce, 1893455400000, out).has_value();
    ok = ok && !signer->sign_cancel_all_orders(CancelAllOrdersTx{0, 0, {}}, nonce, 1893455400000, out).has_value();
    ok = ok && !signer->sign_modify_order(ModifyOrderTx{1, 77, 5, 6, 0, {}}, nonce, 1893455400000, out).has_value();
    ok = ok && schnorr_verify(signer->public_key(), out.message_hash, out.signature);
    ok = ok && prepared.verify(out.message_hash, out.signature);
    ok = ok && !signer->auth_token(1893456000, token).has_value();
  }
  const long n = allocations;
  counting = false;
  EXPECT_TRUE(ok);
  EXPECT_EQ(n, 0);
}

// Parsing order_book frames and applying them through BookSync allocates nothing once the parser, the
// frame's vectors and the book are warm (every frame below is a chained update of a few levels).
TEST(LighterAlloc, BookFramesParseAndApplyWithoutAllocating) {
  MarketDetails m;
  m.symbol = "ETH";
  m.price_decimals = 2;
  m.size_decimals = 4;
  ManualClock clock(1);
  OrderBook book(book_spec(m));
  BookSync sync(book, 0, clock);
  JsonParser parser;
  WsFrame frame;
  std::string snap = R"({"channel":"order_book:0","order_book":{"code":0,"asks":[)";
  for (int i = 0; i < 50; ++i)
    snap += (i ? "," : "") + std::string(R"({"price":")") + std::to_string(2001 + i) + R"(.00","size":"1.0000"})";
  snap += R"(],"bids":[)";
  for (int i = 0; i < 50; ++i)
    snap += (i ? "," : "") + std::string(R"({"price":")") + std::to_string(2000 - i) + R"(.50","size":"2.0000"})";
  snap += R"(],"nonce":10,"begin_nonce":0},"type":"subscribed/order_book"})";
  ASSERT_TRUE(parse_ws_frame(parser, snap, frame).ok());
  ASSERT_EQ(sync.on_frame(frame.book).event, SyncEvent::kSnapshot);
  std::vector<std::string> updates;
  std::int64_t nonce = 10;
  for (int i = 0; i < 200; ++i) {
    const std::int64_t next = nonce + 1 + i % 3;
    updates.push_back(R"({"channel":"order_book:0","offset":)" + std::to_string(1000 + 7 * i) +
                      R"(,"order_book":{"code":0,"asks":[{"price":")" + std::to_string(2001 + i % 7) +
                      R"(.00","size":")" + (i % 4 == 0 ? "0.0000" : "1.2500") + R"("}],"bids":[{"price":")" +
                      std::to_string(2000 - i % 5) + R"(.50","size":"3.0000"}],"offset":)" +
                      std::to_string(1000 + 7 * i) + R"(,"nonce":)" + std::to_string(next) +
                      R"(,"last_updated_at":1778138389655150,"begin_nonce":)" + std::to_string(nonce) +
                      R"(},"timestamp":1778138582602,"type":"update/order_book"})");
    nonce = next;
  }
  // Warm-up pass on a copy of the chain would desynchronise it; the snapshot above already grew the
  // frame's vectors and the book beyond what these updates need.
  counting = true;
  allocations = 0;
  int applied = 0;
  for (const std::string& u : updates) {
    if (!parse_ws_frame(parser, u, frame).ok()) break;
    if (sync.on_frame(frame.book).event == SyncEvent::kApplied) ++applied;
  }
  const long n = allocations;
  counting = false;
  EXPECT_EQ(applied, 200);
  EXPECT_TRUE(book.valid());
  EXPECT_EQ(n, 0);
}
// The session's frame path (decode, BookSync, book, typed callbacks) as frames arrive from the socket:
// in place from a padded buffer, nothing allocated once warm. Book updates, trades and account
// updates interleave as on a live connection.
TEST(LighterAlloc, SessionFramesWithoutAllocating) {
  boost::asio::io_context io;
  ManualClock clock(1'800'000'000'000'000);
  LighterWsOptions opts;
  opts.ws.url = "ws://127.0.0.1:9";  // never started: frames are handed in as the socket would
  LighterWs ws(io, clock, opts);
  MarketDetails m;
  m.market_id = 0;
  m.symbol = "ETH";
  m.price_decimals = 2;
  m.size_decimals = 4;
  ws.add_book(m);
  long books = 0;
  long trades = 0;
  long accounts = 0;
  LighterWsHandlers h;
  h.on_book = [&books](std::int64_t) { ++books; };
  h.on_trade = [&trades](const Trade&) { ++trades; };
  h.on_account = [&accounts](const WsFrame&) { ++accounts; };
  ws.set_handlers(std::move(h));

  auto padded = [](std::string s) {
    s.reserve(s.size() + kJsonPadding);
    return s;
  };
  std::string snap = R"({"channel":"order_book:0","order_book":{"code":0,"asks":[)";
  for (int i = 0; i < 50; ++i) {
    if (i) snap += ',';
    snap += R"({"price":")";
    snap += std::to_string(2001 + i);
    snap += R"(.00","size":"1.0000"})";
  }
  snap += R"(],"bids":[)";
  for (int i = 0; i < 50; ++i) {
    if (i) snap += ',';
    snap += R"({"price":")";
    snap += std::to_string(2000 - i);
    snap += R"(.50","size":"2.0000"})";
  }
  snap += R"(],"nonce":10,"begin_nonce":0},"type":"subscribed/order_book"})";
  std::vector<std::string> frames;
  frames.push_back(padded(snap));
  std::int64_t nonce = 10;
  for (int i = 0; i < 600; ++i) {
    const std::int64_t next = nonce + 1 + i % 3;
    std::string u = R"({"channel":"order_book:0","offset":)";
    u += std::to_string(1000 + 7 * i);
    u += R"(,"order_book":{"code":0,"asks":[{"price":")";
    u += std::to_string(2001 + i % 7);
    u += R"(.00","size":")";
    u += i % 4 == 0 ? "0.0000" : "1.2500";
    u += R"("}],"bids":[{"price":")";
    u += std::to_string(2000 - i % 5);
    u += R"(.50","size":"3.0000"}],"nonce":)";
    u += std::to_string(next);
    u += R"(,"last_updated_at":1778138389655150,"begin_nonce":)";
    u += std::to_string(nonce);
    u += R"(},"timestamp":1778138582602,"type":"update/order_book"})";
    frames.push_back(padded(std::move(u)));
    nonce = next;
    if (i % 10 == 0) {
      std::string t = R"({"channel":"trade:0","trades":[{"trade_id":)";
      t += std::to_string(100 + i);
      t += R"(,"market_id":0,"size":"0.1000","price":"2000.50","usd_amount":"200.050000","ask_id":281474976710700,)"
           R"("bid_id":281474976710701,"ask_account_id":1,"bid_account_id":2,"is_maker_ask":true,"block_height":5,)"
           R"("timestamp":1778138582602}],"type":"update/trade"})";
      frames.push_back(padded(std::move(t)));
      frames.push_back(padded(
          R"({"type":"update/account_orders","channel":"account_orders:0:1234","account":1234,"orders":{"0":[{)"
          R"("order_index":281476929510110,"client_order_index":42,"market_index":0,"owner_account_index":1234,)"
          R"("initial_base_amount":"0.0050","price":"2352.74","nonce":7,"remaining_base_amount":"0.0030",)"
          R"("is_ask":true,"filled_base_amount":"0.0020","filled_quote_amount":"4.705480","type":"limit",)"
          R"("time_in_force":"good-till-time","reduce_only":false,"trigger_price":"0.00",)"
          R"("order_expiry":1780360584479,"status":"open","timestamp":1777941383576,"updated_at":1777941383900}]}})"));
    }
  }
  const std::size_t warm = frames.size() / 4;
  for (std::size_t i = 0; i < warm; ++i) ws.handle_frame(frames[i].data(), frames[i].size(), frames[i].capacity());
  counting = true;
  allocations = 0;
  for (std::size_t i = warm; i < frames.size(); ++i) {
    ws.handle_frame(frames[i].data(), frames[i].size(), frames[i].capacity());
  }
  const long n = allocations;
  counting = false;
  EXPECT_EQ(ws.counters().malformed, 0u);
  EXPECT_EQ(ws.counters().resubscribes, 0u);
  EXPECT_TRUE(ws.book_valid(0));
  EXPECT_EQ(books, 601);
  EXPECT_EQ(trades, 60);
  EXPECT_EQ(accounts, 60);
  EXPECT_EQ(n, 0);
}
// The same over a real socket: the simulated Lighter on its own thread publishes book updates, the
// session on this thread receives them through net::WsClient (Beast read, receive buffer, dispatch,
// BookSync, book). Only this thread's allocations are counted. The transport's read itself is not free:
// Beast allocates each async read's state with the handler's default allocator (about 500 bytes, on
// roughly every other frame here), which this build's Boost (1.74) offers no binder to recycle. What
// the session adds per frame is zero (SessionFramesWithoutAllocating); this test pins the total at
// one allocation per frame at most, so that any per-frame allocation in the session would show.
TEST(LighterAlloc, SessionOverLoopbackAllocatesAtMostOncePerFrame) {
  testing::Fixture f;
  boost::asio::io_context server_io;
  sim::lighter::LighterServer server(server_io, *f.ex, f.clock, f.rules);
  server.start();
  auto guard = boost::asio::make_work_guard(server_io);
  std::thread server_thread([&] { server_io.run(); });

  boost::asio::io_context io;
  LighterWsOptions opts;
  opts.ws.url = server.ws_url();
  opts.book.max_silence_us = 3600 * kUsPerSecond;
  LighterWs ws(io, f.clock, opts);
  MarketDetails m;
  m.market_id = 0;
  m.symbol = "ETH";
  m.price_decimals = 2;
  m.size_decimals = 4;
  ws.add_book(m);
  long books = 0;
  LighterWsHandlers h;
  h.on_book = [&books](std::int64_t) { ++books; };
  ws.set_handlers(std::move(h));
  ws.start();

  // Resting bids at alternating prices, then their cancels: one book update each, made on the server's
  // thread (the Exchange belongs to it).
  std::atomic<int> placed{0};
  auto make_traffic = [&](int from, int n) {
    boost::asio::post(server_io, [&, from, n] {
      for (int i = from; i < from + n; ++i) {
        const SignedTx t =
            f.create(*f.alice, f.alice_nonce, i + 1, 10'000, static_cast<std::uint32_t>(190'000 + i % 50), false);
        if (server.api().submit(14, t.tx_info()).code == 200) ++placed;
      }
    });
  };
  auto run_until = [&](auto done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_one_for(std::chrono::milliseconds(20));
    }
    return done();
  };
  ASSERT_TRUE(run_until([&] { return ws.book_valid(0); }));
  make_traffic(0, 100);
  ASSERT_TRUE(run_until([&] { return books >= 101; }));  // warm: buffers, vectors, the book's levels
  const long before = books;
  const std::uint64_t frames_before = ws.transport().counters().frames_received;
  counting = true;
  allocations = 0;
  make_traffic(100, 300);
  const bool arrived = run_until([&] { return books >= before + 300; });
  const long n = allocations;
  counting = false;
  EXPECT_TRUE(arrived);
  EXPECT_EQ(placed.load(), 400);
  EXPECT_TRUE(ws.book_valid(0));
  EXPECT_EQ(ws.counters().malformed, 0u);
  const auto frames = static_cast<long>(ws.transport().counters().frames_received - frames_before);
  EXPECT_GE(frames, 300);
  // At most the transport's one per read, plus the post that asked the server for the traffic.
  EXPECT_LE(n, frames + 1) << "allocations on the client thread for " << frames << " frames";

  ws.close();
  boost::asio::post(server_io, [&] { server.stop(); });
  guard.reset();
  server_thread.join();
}
#endif

}  // namespace
}  // namespace bparb::lighter

#if defined(BPARB_LIGHTER_COUNT_ALLOCATIONS)
namespace bparb::lighter::testing {
namespace {

// The adapter's stream path: account frames with fills and a cancel for tracked orders, and the frames of
// an order a replace modified, allocate nothing (the sink here only counts).
struct CountingSink : LighterAdapterSink {
  int acks = 0, events = 0, fills = 0, queries = 0;
  void on_ack(const exec::OrderAck&) override { ++acks; }
  void on_order_event(const exec::OrderUpdate&, std::string_view) override { ++events; }
  void on_fill(const exec::FillReport&) override { ++fills; }
  void on_query(ClientId, bool, bparb::OrderStatus, Decimal) override { ++queries; }
};

TEST(LighterAlloc, AdapterStreamFramesWithoutAllocating) {
  Loopback lb;
  LighterRestOptions ro;
  ro.http.base_url = lb.server->http_url();
  LighterRest rest(lb.io, ro);
  LighterWsOptions wo;
  wo.ws.url = lb.server->ws_url();
  LighterWs ws(lb.io, lb.f.clock, wo, lb.f.alice.get());  // never started: frames are handed in
  LighterTxSender sender(lb.io, lb.f.clock, *lb.f.alice, rest, ws);
  InstrumentTable instruments;
  const InstrumentId eth = instruments.add(VenueId::kLighter, sim::lighter::testing::eth_spec(true));
  CountingSink sink;
  LighterAdapter adapter(lb.io, lb.f.clock, *lb.f.alice, rest, sender, instruments, sink);
  MarketDetails m;
  m.market_id = 0;
  m.symbol = "ETH";
  m.size_decimals = 4;
  m.price_decimals = 2;
  m.min_base_amount = D("0.0050");
  m.min_quote_amount = D("10");
  m.maker_fee_pct = D("0.002");
  m.taker_fee_pct = D("0.02");
  adapter.add_market(eth, m);
  std::vector<exec::OrderSpec> specs(2);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    specs[i].client_id = 41 + i;
    specs[i].market = &instruments.market(eth);
    specs[i].instrument = eth;
    specs[i].tif = TimeInForce::kGtc;
    specs[i].price = D("1990.00");
    specs[i].quantity = D("1.0000");
  }
  adapter.place_orders(specs);
  ASSERT_EQ(adapter.tracked_orders(), 2u);

  auto order = [](std::int64_t coi, OrderStatus st, const char* filled, const char* quote) {
    Order o;
    o.order_index = (std::int64_t{1} << 48) + coi;
    o.client_order_index = coi;
    o.price = D("1990.00");
    o.initial_base_amount = D("1.0000");
    o.filled_base_amount = D(filled);
    o.filled_quote_amount = D(quote);
    o.status = st;
    return o;
  };
  std::vector<WsFrame> frames(12);
  frames[0].orders = {order(41, OrderStatus::kOpen, "0", "0"), order(42, OrderStatus::kOpen, "0", "0")};
  for (int i = 1; i <= 10; ++i) {
    const Decimal filled = D("0.0100") * i;
    frames[i].orders = {order(41, OrderStatus::kOpen, "0", "0")};
    frames[i].orders[0].filled_base_amount = filled;
    frames[i].orders[0].filled_quote_amount = filled.mul(D("1990.00"), Rounding::kNearest);
    Trade t;
    t.trade_id = 500 + i;
    t.size = D("0.0100");
    t.price = D("1990.00");
    t.bid_id = frames[i].orders[0].order_index;
    t.is_maker_ask = false;
    frames[i].trades = {t};
  }
  frames[11].orders = {order(42, OrderStatus::kCanceled, "0", "0")};
  adapter.on_account_frame(frames[0]);  // warm: both accepted
  ASSERT_EQ(sink.events, 2);

  counting = true;
  allocations = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) adapter.on_account_frame(frames[i]);
  const long n = allocations;
  counting = false;
  EXPECT_EQ(n, 0) << "allocations for " << frames.size() - 1 << " account frames";
  EXPECT_EQ(sink.fills, 10);
  EXPECT_EQ(sink.events, 3);  // + the cancel
  EXPECT_EQ(adapter.tracked_orders(), 1u);

  // A replace sent as a modify (the send itself is not counted: the sender fetches the key's nonce), then
  // the modified order on the stream: the old id ends, the new one rests and fills.
  exec::OrderSpec next = specs[0];
  next.client_id = 43;
  next.price = D("1985.00");
  adapter.replace_order(41, next);
  std::vector<WsFrame> modified(2);
  modified[0].orders = {order(41, OrderStatus::kOpen, "0", "0")};
  modified[0].orders[0].price = D("1985.00");
  modified[1].orders = modified[0].orders;
  modified[1].orders[0].filled_base_amount = D("0.5000");
  modified[1].orders[0].filled_quote_amount = D("992.500000");
  counting = true;
  allocations = 0;
  for (const WsFrame& f : modified) adapter.on_account_frame(f);
  const long m_allocs = allocations;
  counting = false;
  EXPECT_EQ(m_allocs, 0) << "allocations for the modified order's frames";
  EXPECT_EQ(sink.events, 5);  // + 41 cancelled, + 43 accepted
  EXPECT_EQ(sink.fills, 11);  // 43's first fill
}

}  // namespace
}  // namespace bparb::lighter::testing
#endif  // BPARB_LIGHTER_COUNT_ALLOCATIONS
