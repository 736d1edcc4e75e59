#include "loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "bparb/service/http.hpp"
#include "bparb/service/snapshot.hpp"
#include "bparb/service/trading_metrics.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::bench {

void Loopback::start(TickToWire& t) {
  start_for(t.key());
  t.set_order_hook(&Loopback::hook, this);
}

void Loopback::start_for(const backpack::SigningKey& key) {
  sim::SimConfig sc = sim::default_sim_config();
  sc.runtime.step_interval_ms = 0;  // ladders stay put: we measure our side, not the model
  sim::AccountSetup acct;
  acct.api_key = key.public_key_base64();
  acct.balances.emplace_back("USDC", Decimal::from_int(1'000'000'000));
  for (const char* c : {"SOL", "BTC", "ETH", "SUI", "JUP"}) acct.balances.emplace_back(c, Decimal::from_int(1'000'000));
  sc.exchange.accounts.push_back(acct);
  sc.server.listen_address = "127.0.0.1";
  sc.server.port = 0;
  rt = std::make_unique<sim::SimRuntime>(io, sc);
  srv = std::make_unique<sim::SimServer>(io, *rt, rt->config().server);
  srv->start();
  backpack::RestClientOptions ro;
  ro.http.base_url = srv->http_url();
  ro.rate_limit.requests_per_minute = 1'000'000;  // our own limiter is not what we measure
  ro.rate_limit.burst = 100'000;
  ro.rate_limit.reserved_for_orders = 10;
  rest = std::make_unique<backpack::RestClient>(io, clock, ro, &key);
}

void Loopback::stop(TickToWire& t) {
  t.set_order_hook(nullptr, nullptr);
  srv->stop();
  io.poll();
}

void Loopback::wait_for_answer() {
  const std::int64_t deadline = steady_ns() + 5'000'000'000LL;
  while (!acked && steady_ns() < deadline) io.run_one_for(std::chrono::milliseconds(100));
  if (!acked) throw std::runtime_error("loopback: no answer from bpsim within 5 s");
}

void Loopback::hook(void* ctx, std::span<const backpack::OrderRequest> orders) {
  auto* self = static_cast<Loopback*>(ctx);
  self->rest->execute_batch(orders, [self](backpack::RestResult<std::vector<backpack::BatchOrderResult>>& r) {
    self->acked_ns = steady_ns();
    self->acked = true;
    self->ok = static_cast<bool>(r);
    if (!r) self->error = r.error().code + " " + r.error().message;
  });
  self->handed_ns = steady_ns();
}

namespace {

// What Prometheus and an operator's dashboard do: GET /metrics and /api/v1/status once a second, from
// another thread (another process in production), over fresh connections.
class Scraper {
 public:
  explicit Scraper(std::uint16_t port) : port_(port), thread_([this] { run(); }) {}
  ~Scraper() {
    stop_ = true;
    thread_.join();
  }
  // Asks the thread to end after the GET under way; it needs the loop turning to get its answer.
  void request_stop() noexcept { stop_ = true; }
  bool done() const noexcept { return done_; }
  std::uint64_t ok() const noexcept { return ok_; }
  std::uint64_t failed() const noexcept { return failed_; }
  std::uint64_t metrics_bytes() const noexcept { return metrics_bytes_; }
  std::uint64_t status_bytes() const noexcept { return status_bytes_; }

 private:
  void run() {
    while (!stop_) {
      const auto next = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      metrics_bytes_ = get("/metrics");
      status_bytes_ = get("/api/v1/status");
      while (!stop_ && std::chrono::steady_clock::now() < next)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    done_ = true;
  }
  // The body's size of a 200 answer (counted in ok_), else 0 (counted in failed_).
  std::uint64_t get(const char* target) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    std::string raw;
    if (fd >= 0) {
      timeval tv{2, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port_);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        std::string req;  // appended piece by piece (GCC 12 -O3 warns falsely about a chain of + here)
        req.append("GET ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(std::to_string(port_));
        req.append("\r\nConnection: close\r\n\r\n");
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
          char buf[16384];
          for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
        }
      }
      ::close(fd);
    }
    const std::size_t body = raw.find("\r\n\r\n");
    if (!raw.starts_with("HTTP/1.1 200") || body == std::string::npos) {
      ++failed_;
      return 0;
    }
    ++ok_;
    return raw.size() - body - 4;
  }

  std::uint16_t port_;
  std::atomic<bool> stop_{false}, done_{false};
  std::atomic<std::uint64_t> ok_{0}, failed_{0}, metrics_bytes_{0}, status_bytes_{0};
  std::thread thread_;
};

// One spike frame at its scheduled time and the exchange's answer; the revert frame after it, untimed.
void paced_trade(TickToWire& t, Loopback& lb, std::int64_t scheduled_ns, ServiceLoadMode& m) {
  std::string f = t.next_frame();
  // Serve whatever is due (bpsim, and with the service on, the snapshot timer and the scrapes) until then:
  // blocking while the frame is far (the loop's wait has millisecond granularity), polling when it is near.
  for (std::int64_t now = steady_ns(); now < scheduled_ns; now = steady_ns()) {
    if (scheduled_ns - now > 2'000'000)
      lb.io.run_one_for(std::chrono::nanoseconds(scheduled_ns - now - 1'500'000));
    else
      lb.io.poll_one();
  }
  if (steady_ns() - scheduled_ns > 100'000) ++m.late_frames;
  lb.acked = false;
  if (!t.on_frame(f)) throw std::runtime_error("paced: the spike frame did not trade");
  lb.wait_for_answer();
  if (!lb.ok) ++m.failed;
  m.handoff_ns.push_back(lb.handed_ns - scheduled_ns);
  m.answer_ns.push_back(lb.acked_ns - scheduled_ns);
  t.settle();
  f = t.next_frame();
  t.on_frame(f);
}

}  // namespace

ServiceLoadResult run_service_load(TickToWire& t, const ServiceLoadOptions& opts) {
  if (opts.rounds < 1 || opts.block_us <= 0 || opts.pace_us <= 0)
    throw std::invalid_argument("service comparison: rounds, seconds and pace must be > 0");
  ServiceLoadResult r;
  Loopback lb;
  lb.start(t);
  auto work = boost::asio::make_work_guard(lb.io);  // the loop waits for the next frame even when idle
  ServiceLoadMode warm;
  for (int i = 0; i < 200; ++i) paced_trade(t, lb, steady_ns(), warm);

  // The daemon's snapshot of the node, from the harness's engine, risk gate, portfolio and books. The
  // harness has no event sink, so the order path's figures are empty (the text has the same shape).
  const service::TradingMetrics metrics;
  std::uint64_t snapshots = 0;
  // Copied from strings, not assigned from literals: GCC 12 -O3 reports a false -Wrestrict for the latter here.
  const std::string version = "bench", mode = "paper", venue = "backpack";
  auto provider = [&](service::Snapshot& s) {
    ++snapshots;
    s.version = version;
    s.mode = mode;
    service::collect_trading(s, t.risk(), &t.engine(), &t.portfolio());
    service::VenueHealth& v = s.venues.emplace_back();
    v.name = venue;
    v.stream_connected = true;
    for (std::size_t i = 0; i < t.market_count(); ++i)
      v.books.push_back({t.market(i).symbol, t.book(i).valid(), t.book(i).last_update_us()});
    service::collect_metrics(s, v, metrics);
  };
  auto log = std::make_shared<spdlog::logger>("bench-service");  // no sinks: the lines go nowhere

  for (int round = 0; round < opts.rounds; ++round) {
    for (const bool on : {false, true}) {
      std::unique_ptr<service::Server> server;
      std::unique_ptr<Scraper> scraper;
      if (on) {
        service::ServerOptions so;
        so.port = 0;
        server = std::make_unique<service::Server>(lb.io, lb.clock, log, so, provider);
        auto port = server->start();
        if (!port) throw std::runtime_error("service: " + port.error());
        scraper = std::make_unique<Scraper>(*port);
      }
      ServiceLoadMode& m = on ? r.on : r.off;
      const std::int64_t pace_ns = opts.pace_us * 1'000;
      const std::int64_t end = steady_ns() + opts.block_us * 1'000;
      for (std::int64_t at = steady_ns() + pace_ns; at < end; at += pace_ns) {
        paced_trade(t, lb, at, m);
        // Behind by a whole interval (the machine was busy elsewhere): the missed frames are dropped, not
        // sent in a burst whose queueing would be charged to the next frames.
        if (const std::int64_t now = steady_ns(); now > at + pace_ns) {
          m.skipped += static_cast<std::uint64_t>((now - at) / pace_ns);
          at = now;
        }
      }
      if (scraper) {
        scraper->request_stop();
        while (!scraper->done()) lb.io.run_one_for(std::chrono::milliseconds(10));
        r.scrapes_ok += scraper->ok();
        r.scrapes_failed += scraper->failed();
        r.metrics_bytes = scraper->metrics_bytes();
        r.status_bytes = scraper->status_bytes();
        scraper.reset();  // joins the thread
      }
      if (server) server->stop();
      lb.io.poll();
    }
  }
  r.snapshots = snapshots;
  work.reset();
  lb.stop(t);
  return r;
}

}  // namespace bparb::bench
