// The live event stream: SSE framing, the client bound and the slow-client rule as pure pieces, then one
// server on a loopback port: the page at /, two snapshot events on a stream, the bound (503), the Host
// check, the method check, and the stream closed when the server stops.
#include "bparb/service/stream.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "bparb/service/http.hpp"

namespace bparb::service {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TEST(SseFraming, OneEventWithNameIdAndOneDataLinePerLine) {
  std::string out;
  append_sse_event(out, "snapshot", 7, "{\"a\":1}\n");
  EXPECT_EQ(out, "event: snapshot\nid: 7\ndata: {\"a\":1}\n\n");
  out.clear();
  append_sse_event(out, "snapshot", 8, "one\ntwo\r\nthree\rfour");
  EXPECT_EQ(out, "event: snapshot\nid: 8\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
  out.clear();
  append_sse_event(out, "snapshot", 9, "");
  EXPECT_EQ(out, "event: snapshot\nid: 9\ndata: \n\n");
}

TEST(SseFraming, CommentsCannotBreakOutOfTheirLine) {
  std::string out;
  append_sse_comment(out, "keep-alive");
  EXPECT_EQ(out, ": keep-alive\n\n");
  out.clear();
  append_sse_comment(out, "a\ndata: injected");
  EXPECT_EQ(out, ": a\n\n");
}

TEST(SseFraming, HeadAndSnapshotData) {
  const std::string head = sse_stream_head(2000);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(head.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Access-Control"), std::string::npos);  // never CORS
  EXPECT_TRUE(head.ends_with("\r\n\r\nretry: 2000\n\n")) << head;
  EXPECT_EQ(render_stream_data("{\"s\":1}\n", "{\"p\":[]}", "{\"o\":[]}\n"),
            R"({"status":{"s":1},"positions":{"p":[]},"orders":{"o":[]}})");
}

TEST(StreamSlots, BoundsTheClientsAndFreesASlotOnRelease) {
  StreamSlots slots(2);
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_FALSE(slots.try_acquire());
  EXPECT_EQ(slots.used(), 2u);
  slots.release();
  EXPECT_TRUE(slots.try_acquire());
  slots.release();
  slots.release();
  slots.release();  // never below zero
  EXPECT_EQ(slots.used(), 0u);
  StreamSlots none(0);
  EXPECT_FALSE(none.try_acquire());
}

TEST(StreamStep, WritesWhenIdleSkipsWhileWritingDropsAStalledWriter) {
  EXPECT_EQ(stream_step(false, 0, 1'000'000, 30'000'000), StreamStep::kWrite);
  EXPECT_EQ(stream_step(true, 1'000'000, 2'000'000, 30'000'000), StreamStep::kSkip);
  EXPECT_EQ(stream_step(true, 1'000'000, 31'000'000, 30'000'000), StreamStep::kSkip);  // at the bound: still waits
  EXPECT_EQ(stream_step(true, 1'000'000, 31'000'001, 30'000'000), StreamStep::kDrop);
}

TEST(HandlerPage, ServesTheSelfContainedPageBeforeAnySnapshot) {
  Handler h("127.0.0.1", 8780, kUsPerSecond);
  Request req{boost::beast::http::verb::get, "/", 11};
  req.set(boost::beast::http::field::host, "127.0.0.1:8780");
  const Response r = h.handle(req, 0);
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[boost::beast::http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(r.body().find("<main id=\"app\""), std::string::npos);
  EXPECT_NE(r.body().find("/api/v1/stream"), std::string::npos);
  // Nothing loaded from elsewhere (the only URL is the SVG namespace's name).
  for (const char* outside : {"<script src", "<link", "@import", "url(", "https://"})
    EXPECT_EQ(r.body().find(outside), std::string::npos) << outside;
  EXPECT_NE(r["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
  req.set(boost::beast::http::field::host, "evil.example:8780");
  EXPECT_EQ(h.handle(req, 0).result_int(), 421u);
  Request post{boost::beast::http::verb::post, std::string(kStreamPath), 11};
  post.set(boost::beast::http::field::host, "127.0.0.1:8780");
  EXPECT_EQ(h.handle(post, 0).result_int(), 405u);
}

// A raw client: sends a GET and reads what comes back until `want` is seen, the peer closes, or 5 s.
struct RawClient {
  asio::io_context io;
  tcp::socket sock{io};
  std::string got;
  RawClient(std::uint16_t port, std::string_view target, std::string_view host) {
    sock.connect({asio::ip::make_address("127.0.0.1"), port});
    const std::string req = "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n";
    asio::write(sock, asio::buffer(req));
    timeval tv{5, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  // True when `want` appears `times` times; false on close or timeout first.
  bool read_until(std::string_view want, std::size_t times = 1) {
    while (true) {
      std::size_t n = 0;
      for (std::size_t at = got.find(want); at != std::string::npos; at = got.find(want, at + 1)) ++n;
      if (n >= times) return true;
      char buf[4096];
      boost::system::error_code ec;
      const std::size_t k = sock.read_some(asio::buffer(buf), ec);
      if (ec) return false;
      got.append(buf, k);
    }
  }
  bool closed_by_peer() {
    char buf[4096];
    boost::system::error_code ec;
    while (!ec) sock.read_some(asio::buffer(buf), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
};

TEST(StreamServer, SendsSnapshotEventsBoundsItsClientsAndClosesOnStop) {
  asio::io_context io;
  SystemClock clock;
  ServerOptions o;
  o.port = 0;
  o.max_stream_clients = 1;
  o.snapshot_interval_us = 50'000;
  std::atomic<int> snapshots{0};
  Server server(io, clock, std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>()), o,
                [&](Snapshot& s) {
                  ++snapshots;
                  s.mode = "paper";
                  s.trading = true;
                });
  auto port = server.start();
  ASSERT_TRUE(port) << port.error();
  const std::string host = "127.0.0.1:" + std::to_string(*port);

  std::thread client([&] {
    RawClient page(*port, "/", host);
    EXPECT_TRUE(page.read_until("</html>")) << page.got;
    EXPECT_NE(page.got.find("Content-Type: text/html; charset=utf-8"), std::string::npos);

    RawClient misdirected(*port, kStreamPath, "attacker.example");
    EXPECT_TRUE(misdirected.read_until("\r\n\r\n"));
    EXPECT_TRUE(misdirected.got.starts_with("HTTP/1.1 421")) << misdirected.got;

    RawClient stream(*port, kStreamPath, host);
    ASSERT_TRUE(stream.read_until("event: snapshot\n", 2)) << stream.got;
    EXPECT_TRUE(stream.got.starts_with("HTTP/1.1 200 OK\r\n")) << stream.got;
    EXPECT_NE(stream.got.find("text/event-stream"), std::string::npos);
    EXPECT_NE(stream.got.find("retry: 2000\n\n"), std::string::npos);
    EXPECT_NE(stream.got.find(R"(data: {"status":{"version":)"), std::string::npos) << stream.got;
    EXPECT_NE(stream.got.find(R"("mode":"paper")"), std::string::npos);
    EXPECT_NE(stream.got.find(R"(,"positions":{)"), std::string::npos);
    EXPECT_NE(stream.got.find(R"(,"orders":{)"), std::string::npos);

    // One stream client allowed: the second is refused and closed, the first keeps streaming.
    RawClient second(*port, kStreamPath, host);
    EXPECT_TRUE(second.read_until("\r\n\r\n"));
    EXPECT_TRUE(second.got.starts_with("HTTP/1.1 503")) << second.got;
    EXPECT_NE(second.got.find("too many stream clients"), std::string::npos);
    EXPECT_TRUE(second.closed_by_peer());
    const std::size_t before = stream.got.size();
    EXPECT_TRUE(stream.read_until("event: snapshot\n", 3));
    EXPECT_GT(stream.got.size(), before);

    asio::post(io, [&] { server.stop(); });
    EXPECT_TRUE(stream.closed_by_peer());
  });
  io.run_for(std::chrono::seconds(20));
  client.join();
  EXPECT_GE(snapshots.load(), 3);
}

TEST(StreamServer, AClosedStreamFreesItsSlot) {
  asio::io_context io;
  SystemClock clock;
  ServerOptions o;
  o.port = 0;
  o.max_stream_clients = 1;
  o.snapshot_interval_us = 50'000;
  Server server(io, clock, std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>()), o,
                [](Snapshot& s) { s.mode = "paper"; });
  auto port = server.start();
  ASSERT_TRUE(port) << port.error();
  const std::string host = "127.0.0.1:" + std::to_string(*port);
  std::thread client([&] {
    {
      RawClient first(*port, kStreamPath, host);
      EXPECT_TRUE(first.read_until("event: snapshot\n"));
    }  // closed by this side
    // The server notices the close and frees the slot: a later stream is served.
    bool served = false;
    for (int i = 0; i < 50 && !served; ++i) {
      RawClient again(*port, kStreamPath, host);
      served = again.read_until("\r\n\r\n") && again.got.starts_with("HTTP/1.1 200");
      if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(served);
    asio::post(io, [&] { server.stop(); });
  });
  io.run_for(std::chrono::seconds(20));
  client.join();
}

TEST(StreamServer, AReaderThatStopsReadingIsSkippedThenDropped) {
  asio::io_context io;
  SystemClock clock;
  ServerOptions o;
  o.port = 0;
  o.max_stream_clients = 1;
  o.snapshot_interval_us = 20'000;
  o.idle_timeout_us = 300'000;  // a write under way this long drops the stream
  // Half a megabyte per event: a reader that stops reading fills the socket buffers within a few events.
  const std::string big(512 * 1024, 'v');
  Server server(io, clock, std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>()), o,
                [&](Snapshot& s) { s.version = big; });
  auto port = server.start();
  ASSERT_TRUE(port) << port.error();
  const std::string host = "127.0.0.1:" + std::to_string(*port);
  std::thread client([&] {
    RawClient stalled(*port, kStreamPath, host);
    EXPECT_TRUE(stalled.read_until("event: snapshot\n"));
    // It reads no more: its slot comes free once the server gives up on it, and a new stream is served.
    bool served = false;
    for (int i = 0; i < 100 && !served; ++i) {
      RawClient next(*port, kStreamPath, host);
      served = next.read_until("\r\n\r\n") && next.got.starts_with("HTTP/1.1 200");
      if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(served);
    EXPECT_TRUE(stalled.closed_by_peer());  // what was buffered, then the close
    asio::post(io, [&] { server.stop(); });
  });
  io.run_for(std::chrono::seconds(20));
  client.join();
}

}  // namespace
}  // namespace bparb::service
