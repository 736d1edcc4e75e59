// The operator HTTP server's request path (service/http.cpp, service/control.cpp) from arbitrary bytes:
// Beast's request parser with the server's header and body limits in front, then what a session does with a
// parsed request — the control paths (Host check, bearer token, flatten's confirmation body) or the read
// paths (Host check, routing, query strings, the cached answers of a published snapshot). Properties: every
// answer is a 2xx-5xx with no CORS header; no control action runs unless the request's Authorization header
// carries the token; an oversized header or body is refused by the limits, never handed on.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "bparb/service/control.hpp"
#include "bparb/service/http.hpp"
#include "bparb/service/snapshot.hpp"

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace http = boost::beast::http;
using namespace bparb;
using namespace bparb::service;

namespace {

constexpr std::string_view kToken = "fuzz-control-token-7f3a9c";
constexpr TimestampUs kNow = 1'796'621'525'000'000;

struct CountingTarget : ControlTarget {
  int calls = 0;
  ControlResult done(const char* what) {
    ++calls;
    ControlResult r;
    r.message = what;
    return r;
  }
  ControlResult pause() override { return done("paused"); }
  ControlResult resume() override { return done("resumed"); }
  ControlResult cancel_all() override { return done("cancel-all started"); }
  ControlResult flatten() override { return done("flatten started"); }
  ControlResult reload() override { return done("reloaded"); }
};

struct Fixture {
  ServerOptions opts;  // the server's defaults: the limits a real session reads with
  Handler handler{"127.0.0.1", 8780, kUsPerSecond};
  CountingTarget target;
  ControlHandler control{kToken, target,
                         std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>())};
  Fixture() {
    Snapshot s;
    s.version = "0.1.0";
    s.mode = "paper";
    s.taken_us = kNow;
    s.started_us = kNow - 60 * kUsPerSecond;
    s.strategy = "basis";
    VenueHealth v;
    v.name = "backpack";
    v.books.push_back({"SOL_USDC", true, kNow - 1000});
    s.venues.push_back(v);
    handler.publish(s);
  }
};

void check_answer(const Response& r) {
  FUZZ_CHECK(r.result_int() >= 200 && r.result_int() < 600);
  FUZZ_CHECK(r.find(http::field::access_control_allow_origin) == r.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(f.opts.max_header_bytes));
  parser.body_limit(f.opts.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec == http::error::header_limit)
    return check_answer(Handler::error(431, "request header too large", 11, false)), 0;
  if (ec == http::error::body_limit) return check_answer(Handler::error(413, "request body too large", 11, false)), 0;
  if (ec || !parser.is_done()) return 0;  // malformed or incomplete: the session closes the connection
  const Request& req = parser.get();
  FUZZ_CHECK(req.body().size() <= f.opts.max_body_bytes);
  const std::string_view target(req.target().data(), req.target().size());
  if (control_action_of(target)) {
    if (auto refused = f.handler.misdirected(req)) return check_answer(*refused), 0;
    const int before = f.target.calls;
    const Response r = f.control.handle(req, kNow);
    check_answer(r);
    const auto auth = req.find(http::field::authorization);
    const bool has_token =
        auth != req.end() &&
        std::string_view(auth->value().data(), auth->value().size()).find(kToken) != std::string_view::npos;
    FUZZ_CHECK(f.target.calls == before || (has_token && f.target.calls == before + 1));
    FUZZ_CHECK(f.target.calls == before || r.result_int() == 200);
    return 0;
  }
  if (auto refused = f.handler.misdirected(req)) check_answer(*refused);
  check_answer(f.handler.handle(req, kNow));
  return 0;
}
