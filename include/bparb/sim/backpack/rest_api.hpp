#pragma once
// bpsim's REST API, transport-free: one parsed HTTP request in, one response out. SimServer feeds it
// from Beast; tests can call it directly. Routes, field names, JSON types and status codes follow
// Backpack's public API (docs/backpack.md §3, §4); see src/sim/backpack/rest_api.cpp for the route table and the
// documented choices (auth failures answer 400, unknown paths 404, cancels answer 200 with the order).
//
// Control endpoints on the same port (loopback only, never faulted, unsigned):
//   GET/POST /_bpsim/faults    fault counters / settings (faults.hpp, faults.cpp)
//   GET/POST /_bpsim/scenario  market-model hooks (rest_api.cpp has the JSON)
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/sim/faults.hpp"

namespace bparb::sim {

class SimRuntime;

struct RestRequest {
  std::string_view method;  // "GET", "POST", "DELETE" (upper case)
  std::string_view target;  // path + optional "?query"
  std::string_view body;
  // Signed-request headers (empty = absent). Header names are case-insensitive on the wire.
  std::string_view api_key;    // X-API-Key
  std::string_view signature;  // X-Signature
  std::string_view timestamp;  // X-Timestamp
  std::string_view window;     // X-Window
};

struct RestResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (X-TOTAL, ...)
};

// A request carried out later (faults cancel_latency_ms, cancel_accepted): `run` does it and returns its
// answer; the transport calls it `after_ms` from now on the simulator's thread, whether or not the client
// is still connected.
struct DeferredRequest {
  std::function<RestResponse()> run;
  std::int64_t after_ms = 0;
  // true: `response` was the answer (202) and is written at once, run's answer is discarded;
  // false: run's answer is the response, written when it has run (plus delay_ms).
  bool answered_now = false;
  explicit operator bool() const noexcept { return static_cast<bool>(run); }
};

struct RestOutcome {
  RestResponse response;
  std::int64_t delay_ms = 0;  // added latency (fault) before the response is written
  FaultActions actions;       // one-shot actions the transport must carry out (drop WS ...)
  DeferredRequest deferred;
};

class RestApi {
 public:
  explicit RestApi(SimRuntime& runtime);
  RestOutcome handle(const RestRequest& req);

 private:
  SimRuntime& rt_;
};

}  // namespace bparb::sim
