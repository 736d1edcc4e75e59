#pragma once
// Fault injection for bpsim's server: the things a real exchange does to a client on a bad day.
// Configured from config/sim.toml ([faults]) and at run time through the loopback control endpoint
// (POST /_bpsim/faults, GET /_bpsim/faults — see docs in src/sim/faults.cpp / config/sim.toml).
//
// Every injected fault is counted (FaultCounters) and logged through spdlog ("bpsim fault: ..."), so
// a test can assert that it happened. Pure logic: no sockets, time is passed in (wall-clock µs from the
// server's Clock), randomness from a seeded std::mt19937_64.
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/expected.hpp"

namespace bparb::sim {

// Added latency: fixed when min == max, uniform random in [min, max] otherwise. Milliseconds.
// An oversized WS frame: the frame plus trailing JSON whitespace up to this size (2 MiB, far above any real
// Backpack frame and above the daemon's 1 MiB frame limit), so the client's size guard is what answers.
inline constexpr std::size_t kOversizedFrameBytes = 2u << 20;

struct LatencySpec {
  std::int64_t min_ms = 0;
  std::int64_t max_ms = 0;
  bool active() const noexcept { return max_ms > 0; }
  bool operator==(const LatencySpec&) const = default;
};

// Start-up fault settings ([faults] in sim.toml). Everything defaults to "no fault".
struct FaultConfig {
  LatencySpec rest_latency;
  LatencySpec ws_latency;
  LatencySpec order_latency;                   // added to order POSTs only (an order request that times out)
  std::int64_t drop_ws_every_s = 0;            // 0 = never; otherwise close every WS connection each N s
  std::int64_t http_429_next = 0;              // the next N REST requests get 429 TOO_MANY_REQUESTS
  std::int64_t http_503_after_place = 0;       // the next N order POSTs are executed, then answered 503
  std::set<std::string> reject_order_symbols;  // order POSTs on these markets are rejected (400)
  std::set<std::string> unavailable_paths;     // REST requests on these paths are answered 503 (an endpoint down)
  Decimal fill_ratio_cap = Decimal::one();     // (0, 1]: taker orders fill at most this fraction
  std::set<std::string> fill_ratio_symbols;    // ... on these markets only (empty = every market)
  std::int64_t fill_ratio_orders = 0;          // ... for the next N capped orders only (0 = no limit)
  std::int64_t drop_order_fills_next = 0;      // the next N private orderFill frames are not sent
  std::int64_t malformed_frames_next = 0;      // the next N WS data frames are sent truncated
  std::int64_t oversized_frames_next = 0;      // the next N WS data frames are padded to kOversizedFrameBytes
  std::int64_t clock_skew_ms = 0;              // server time offset (/api/v1/time, auth expiry check)
  // Single-order cancels (DELETE /api/v1/order) a busy matching engine queues: carried out this long after
  // they arrive and answered then; the order can still fill in between.
  LatencySpec cancel_latency;
  // The next N single-order cancels are answered 202 Accepted (no body) at once and carried out
  // cancel_accepted_effect later: the order stream is the only place the cancel is seen to land.
  std::int64_t cancel_accepted_next = 0;
  LatencySpec cancel_accepted_effect;
  // The next N post-only orders find the book moved through their price on arrival: a background seller (or
  // buyer) takes every level at or through the order's price and offers the rest there, so the order would
  // take and is expired PostOnlyTaker (the rest of that offer is then withdrawn).
  std::int64_t post_only_cross_next = 0;
};

struct FaultCounters {
  std::int64_t rest_delayed = 0;
  std::int64_t orders_delayed = 0;  // order POSTs held by order_latency_ms
  std::int64_t ws_delayed = 0;
  std::int64_t ws_drops = 0;  // drop events (each may close several connections)
  std::int64_t ws_connections_dropped = 0;
  std::int64_t depth_gaps = 0;      // depth frames withheld to create a U != prev u + 1 gap
  std::int64_t stalled_frames = 0;  // frames not sent because their stream was stalled
  std::int64_t http_429 = 0;
  std::int64_t http_503_after_place = 0;
  std::int64_t orders_rejected = 0;
  std::int64_t unavailable_answers = 0;  // requests answered 503 by unavailable_paths
  std::int64_t fills_capped = 0;         // orders whose fill was capped by fill_ratio_cap
  std::int64_t malformed_frames = 0;
  std::int64_t oversized_frames = 0;
  std::int64_t skewed_time_answers = 0;     // /api/v1/time answers and auth checks with a non-zero skew
  std::int64_t order_fills_dropped = 0;     // private orderFill frames withheld (drop_order_fills)
  std::int64_t expired_requests = 0;        // signed requests refused by the timestamp/window check
  std::int64_t authenticated_requests = 0;  // signed requests that passed authentication
  std::int64_t cancels_delayed = 0;         // single-order cancels carried out late (cancel_latency)
  std::int64_t cancels_accepted = 0;        // single-order cancels answered 202 and carried out later
  std::int64_t post_only_crossed = 0;       // post-only orders the book was moved through (post_only_cross)
};

// What POST /_bpsim/faults asked for besides settings (one-shot actions the server must carry out).
struct FaultActions {
  bool drop_ws_now = false;
};

class FaultInjector {
 public:
  explicit FaultInjector(FaultConfig config = {}, std::uint64_t seed = 1);

  // --- control ------------------------------------------------------------------------------
  // Applies a POST /_bpsim/faults JSON body (documented in faults.cpp). `now_us` is the server's
  // wall time (for stalls and the drop timer). Returns the one-shot actions, or a message naming the
  // bad key/value. Unknown keys are errors (a typo must not silently do nothing).
  Expected<FaultActions, std::string> apply_json(std::string_view body, TimestampUs now_us);
  // GET /_bpsim/faults body: {"settings":{...},"counters":{...}}.
  std::string to_json(TimestampUs now_us) const;
  void reset(TimestampUs now_us);  // all settings back to "no fault"; counters kept

  // Programmatic control (tests, config).
  void set_config(const FaultConfig& c, TimestampUs now_us);
  const FaultConfig& config() const noexcept { return cfg_; }
  void add_depth_gap(std::string_view symbol, std::int64_t count = 1);
  void stall_stream(std::string_view stream, std::int64_t seconds, TimestampUs now_us);

  // --- queries made by the server (each counts + logs when it injects) ----------------------------
  std::int64_t rest_delay_ms();  // 0 = none
  std::int64_t ws_delay_ms();
  std::int64_t order_delay_ms();  // extra for POST /api/v1/order(s)
  bool take_http_429();
  bool take_http_503_after_place();
  bool reject_orders_for(std::string_view symbol);
  bool path_unavailable(std::string_view path);
  // Cap for a taker order's fill (one() = no cap). Counting happens in note_fill_capped().
  Decimal fill_ratio_cap() const noexcept { return cfg_.fill_ratio_cap; }
  // The cap for an order on `symbol` (one() = none): honours fill_ratio_symbols and fill_ratio_orders.
  Decimal fill_ratio_cap_for(std::string_view symbol) const noexcept;
  void note_fill_capped(std::string_view symbol);
  // True when this depth frame for `symbol` must be withheld (consumes one pending gap).
  bool take_depth_gap(std::string_view symbol);
  // True while `stream` is stalled at `now_us` (counts a withheld frame).
  bool stream_stalled(std::string_view stream, TimestampUs now_us);
  bool take_malformed_frame();
  bool take_oversized_frame();
  // How long this single-order cancel waits before it is carried out (0 = at once).
  std::int64_t cancel_delay_ms();
  // True when this single-order cancel is answered 202 (consumes one cancel_accepted); `effect_ms` is then
  // how long after the answer it is carried out.
  bool take_cancel_accepted(std::int64_t& effect_ms);
  // True when the book must be moved through this post-only order's price first (consumes one post_only_cross).
  bool take_post_only_cross(std::string_view symbol);
  // True when this private orderFill frame must be withheld (consumes one drop_order_fills).
  bool take_order_fill_drop();
  std::int64_t clock_skew_ms() const noexcept { return cfg_.clock_skew_ms; }
  void note_skewed_time();
  // Authentication outcome of a signed request (counts; an expiry is logged by the server).
  void note_auth(bool expired) noexcept { ++(expired ? counters_.expired_requests : counters_.authenticated_requests); }
  // True when the periodic drop timer has expired at `now_us` (re-arms it).
  bool periodic_drop_due(TimestampUs now_us);
  void note_ws_drop(std::size_t connections, std::string_view why);

  const FaultCounters& counters() const noexcept { return counters_; }

 private:
  std::int64_t draw(const LatencySpec& l);

  FaultConfig cfg_;
  FaultCounters counters_;
  std::map<std::string, std::int64_t, std::less<>> depth_gaps_;  // symbol -> frames to withhold
  std::map<std::string, TimestampUs, std::less<>> stalls_;       // stream -> stalled until (wall µs)
  TimestampUs next_periodic_drop_us_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace bparb::sim
