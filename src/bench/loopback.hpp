#pragma once
// The tick-to-wire harness's batches through the daemon's RestClient to an in-process bpsim server on
// 127.0.0.1, on one io_context (single thread, as in paper mode); and the same paced like a feed, with and
// without the operator's HTTP surface (service::Server) being scraped, to measure what serving costs the
// order path. Tool code: allocates, throws.
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "tick_to_wire.hpp"

namespace bparb::bench {

struct Loopback {
  boost::asio::io_context io;
  SystemClock clock;
  std::unique_ptr<sim::SimRuntime> rt;
  std::unique_ptr<sim::SimServer> srv;
  std::unique_ptr<backpack::RestClient> rest;
  std::int64_t handed_ns = 0;  // execute_batch returned
  std::int64_t acked_ns = 0;   // batch answer callback ran
  bool acked = false;
  bool ok = false;
  std::string error;

  // Starts bpsim (ladders frozen, an account for `key` with ample balances) and the RestClient, and routes
  // `t`'s order batches to it.
  void start(TickToWire& t);
  // The same without the hook: bpsim with an account for `key`, and `rest` connected to it (the market
  // maker's harness hands its requests to `rest` itself, mm_to_wire.hpp).
  void start_for(const backpack::SigningKey& key);
  // Undoes start(): `t` writes requests itself again, bpsim stops.
  void stop(TickToWire& t);
  // Drives the loop until the batch answer of the last trade came (bounded: throws after 5 s).
  void wait_for_answer();

  static void hook(void* ctx, std::span<const backpack::OrderRequest> orders);
};

// The service comparison: `rounds` times, `block_us` without the service, then `block_us` with
// service::Server on the loop (its one-second snapshot timer, the renders) and a scraper thread that GETs
// /metrics and /api/v1/status every second. Frames come on a fixed schedule (one each `pace_us`, a trade
// each); a frame's latency counts from its scheduled time, so time the loop spent serving delays it.
struct ServiceLoadOptions {
  int rounds = 2;
  DurationUs block_us = 5 * kUsPerSecond;
  DurationUs pace_us = 5'000;
};
struct ServiceLoadMode {
  std::vector<std::int64_t> handoff_ns;  // scheduled frame time -> RestClient::execute_batch returned
  std::vector<std::int64_t> answer_ns;   // scheduled frame time -> bpsim's batch answer parsed
  std::uint64_t late_frames = 0;         // frames that started more than 100 µs after their scheduled time
  std::uint64_t failed = 0;              // batches bpsim refused
  std::uint64_t skipped = 0;             // scheduled frames dropped because the run was a whole interval behind
};
struct ServiceLoadResult {
  ServiceLoadMode off, on;
  std::uint64_t scrapes_ok = 0, scrapes_failed = 0;   // GETs answered 200 / not
  std::uint64_t snapshots = 0;                        // snapshots the server took
  std::uint64_t metrics_bytes = 0, status_bytes = 0;  // the last answers' body sizes
};
ServiceLoadResult run_service_load(TickToWire& t, const ServiceLoadOptions& opts);

}  // namespace bparb::bench
