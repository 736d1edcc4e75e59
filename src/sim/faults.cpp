// Fault injection state and the POST /_bpsim/faults control language.
//
// Control body (every key optional; keys are applied in the order below, "reset" first):
//   {
//     "reset": true,                                  // all settings back to "no fault" (counters kept)
//     "rest_latency_ms": 50 | {"min": 10, "max": 80}, // added REST latency, fixed or uniform random
//     "ws_latency_ms":   50 | {"min": 10, "max": 80}, // added latency per outgoing WS data frame
//     "order_latency_ms": 2000 | {"min":..,"max":..}, // added to order POSTs only (on top of rest_latency_ms)
//     "drop_ws": true,                                // close every WebSocket connection now
//     "drop_ws_every_s": 30,                          // ... and every N s from now on (0 = off)
//     "depth_gap": {"symbol": "SOL_USDC_PERP", "count": 1},  // withhold the next N depth frames
//     "stall": {"stream": "depth.SOL_USDC_PERP", "seconds": 5}, // send nothing on a stream for N s
//     "http_429": 3,                                  // the next N REST requests get 429
//     "http_503_after_place": 1,                      // next N order POSTs execute, then answer 503
//     "reject_orders": ["SOL_USDC"],                  // reject order POSTs on these markets ([] clears)
//     "unavailable_paths": ["/wapi/v1/history/funding"], // answer 503 on these REST paths ([] clears)
//     "fill_ratio_cap": "0.5",                        // taker orders fill at most this fraction (1 = off)
//     "fill_ratio_symbols": ["SOL_USDC_PERP"],        // ... only on these markets ([] = every market)
//     "fill_ratio_orders": 1,                         // ... only the next N capped orders (0 = no limit)
//     "drop_order_fills": 1,                          // withhold the next N private orderFill frames
//     "malformed_frames": 2,                          // the next N WS data frames are sent truncated
//     "oversized_frames": 1,                          // the next N WS data frames are padded to 2 MiB
//     "clock_skew_ms": -1500,                         // server clock offset for /api/v1/time and auth
//     "cancel_latency_ms": 300 | {"min":..,"max":..}, // single-order cancels carried out (and answered) late
//     "cancel_accepted": 2,                           // the next N single-order cancels answer 202, no body ...
//     "cancel_accepted_effect_ms": 400 | {..},        // ... and are carried out this long after the answer
//     "post_only_cross": 5                            // the next N post-only orders find the book moved through
//                                                     // their price (expired PostOnlyTaker)
//   }
#include "bparb/sim/faults.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace bparb::sim {

namespace {

constexpr std::int64_t kMaxLatencyMs = 60'000;
constexpr std::int64_t kMaxCount = 1'000'000;

using simdjson::dom::element;

// Checked accessors (the element's type was tested first). Binding get_object().value_unsafe()
// directly in a range-for would reference a destroyed temporary.
simdjson::dom::object as_object(element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return {};
  return o;
}
simdjson::dom::array as_array(element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return {};
  return a;
}

Expected<std::int64_t, std::string> get_int(element e, std::string_view key, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  if (e.is_int64()) {
    v = e.get_int64().value_unsafe();
  } else if (e.is_uint64()) {
    return unexpected(std::string(key) + ": value out of range");
  } else {
    return unexpected(std::string(key) + ": expected an integer");
  }
  if (v < lo || v > hi) {
    return unexpected(std::string(key) + ": " + std::to_string(v) + " outside [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "]");
  }
  return v;
}

Expected<LatencySpec, std::string> get_latency(element e, std::string_view key) {
  LatencySpec l;
  if (e.is_object()) {
    for (auto field : as_object(e)) {
      std::string sub = std::string(key) + "." + std::string(field.key);
      auto v = get_int(field.value, sub, 0, kMaxLatencyMs);
      if (!v) return unexpected(v.error());
      if (field.key == "min") {
        l.min_ms = *v;
      } else if (field.key == "max") {
        l.max_ms = *v;
      } else {
        return unexpected(sub + ": unknown key (allowed: min, max)");
      }
    }
    if (l.min_ms > l.max_ms) return unexpected(std::string(key) + ": min > max");
    return l;
  }
  auto v = get_int(e, key, 0, kMaxLatencyMs);
  if (!v) return unexpected(v.error());
  l.min_ms = l.max_ms = *v;
  return l;
}

}  // namespace

FaultInjector::FaultInjector(FaultConfig config, std::uint64_t seed) : cfg_(std::move(config)), rng_(seed) {}

void FaultInjector::set_config(const FaultConfig& c, TimestampUs now_us) {
  cfg_ = c;
  next_periodic_drop_us_ = cfg_.drop_ws_every_s > 0 ? now_us + cfg_.drop_ws_every_s * kUsPerSecond : 0;
}

void FaultInjector::reset(TimestampUs now_us) {
  set_config(FaultConfig{}, now_us);
  depth_gaps_.clear();
  stalls_.clear();
}

void FaultInjector::add_depth_gap(std::string_view symbol, std::int64_t count) {
  depth_gaps_[std::string(symbol)] += count;
}

void FaultInjector::stall_stream(std::string_view stream, std::int64_t seconds, TimestampUs now_us) {
  stalls_[std::string(stream)] = now_us + seconds * kUsPerSecond;
  spdlog::warn("bpsim fault: stall stream {} for {} s", stream, seconds);
}

Expected<FaultActions, std::string> FaultInjector::apply_json(std::string_view body, TimestampUs now_us) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return unexpected(std::string("body is not valid JSON"));
  if (!root.is_object()) return unexpected(std::string("body must be a JSON object"));
  auto obj = as_object(root);

  static constexpr std::string_view kKnown[] = {"reset",
                                                "rest_latency_ms",
                                                "ws_latency_ms",
                                                "drop_ws",
                                                "drop_ws_every_s",
                                                "depth_gap",
                                                "stall",
                                                "http_429",
                                                "http_503_after_place",
                                                "reject_orders",
                                                "unavailable_paths",
                                                "fill_ratio_cap",
                                                "malformed_frames",
                                                "oversized_frames",
                                                "clock_skew_ms",
                                                "fill_ratio_symbols",
                                                "fill_ratio_orders",
                                                "drop_order_fills",
                                                "order_latency_ms",
                                                "cancel_latency_ms",
                                                "cancel_accepted",
                                                "cancel_accepted_effect_ms",
                                                "post_only_cross"};
  for (auto field : obj) {
    if (std::find(std::begin(kKnown), std::end(kKnown), field.key) == std::end(kKnown)) {
      return unexpected("unknown key '" + std::string(field.key) + "'");
    }
  }
  // Validate everything into a copy first so a bad request changes nothing.
  FaultConfig next = cfg_;
  FaultActions actions;
  std::map<std::string, std::int64_t, std::less<>> gaps;
  std::map<std::string, std::int64_t, std::less<>> stalls;
  bool do_reset = false;
  bool periodic_changed = false;

  element e;
  if (obj["reset"].get(e) == simdjson::SUCCESS) {
    if (!e.is_bool()) return unexpected(std::string("reset: expected true/false"));
    do_reset = e.get_bool().value_unsafe();
    if (do_reset) next = FaultConfig{};
  }
  if (obj["rest_latency_ms"].get(e) == simdjson::SUCCESS) {
    auto l = get_latency(e, "rest_latency_ms");
    if (!l) return unexpected(l.error());
    next.rest_latency = *l;
  }
  if (obj["ws_latency_ms"].get(e) == simdjson::SUCCESS) {
    auto l = get_latency(e, "ws_latency_ms");
    if (!l) return unexpected(l.error());
    next.ws_latency = *l;
  }
  if (obj["order_latency_ms"].get(e) == simdjson::SUCCESS) {
    auto l = get_latency(e, "order_latency_ms");
    if (!l) return unexpected(l.error());
    next.order_latency = *l;
  }
  if (obj["drop_ws"].get(e) == simdjson::SUCCESS) {
    if (!e.is_bool()) return unexpected(std::string("drop_ws: expected true/false"));
    actions.drop_ws_now = e.get_bool().value_unsafe();
  }
  if (obj["drop_ws_every_s"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "drop_ws_every_s", 0, 86'400);
    if (!v) return unexpected(v.error());
    next.drop_ws_every_s = *v;
    periodic_changed = true;
  }
  if (obj["depth_gap"].get(e) == simdjson::SUCCESS) {
    if (!e.is_object()) return unexpected(std::string("depth_gap: expected {\"symbol\":..,\"count\":..}"));
    std::string_view sym;
    std::int64_t count = 1;
    for (auto f : as_object(e)) {
      if (f.key == "symbol") {
        if (!f.value.is_string()) return unexpected(std::string("depth_gap.symbol: expected a string"));
        sym = f.value.get_string().value_unsafe();
      } else if (f.key == "count") {
        auto v = get_int(f.value, "depth_gap.count", 1, kMaxCount);
        if (!v) return unexpected(v.error());
        count = *v;
      } else {
        return unexpected("depth_gap." + std::string(f.key) + ": unknown key (allowed: symbol, count)");
      }
    }
    if (sym.empty()) return unexpected(std::string("depth_gap.symbol: required"));
    gaps[std::string(sym)] += count;
  }
  if (obj["stall"].get(e) == simdjson::SUCCESS) {
    if (!e.is_object()) return unexpected(std::string("stall: expected {\"stream\":..,\"seconds\":..}"));
    std::string_view stream;
    std::int64_t seconds = -1;
    for (auto f : as_object(e)) {
      if (f.key == "stream") {
        if (!f.value.is_string()) return unexpected(std::string("stall.stream: expected a string"));
        stream = f.value.get_string().value_unsafe();
      } else if (f.key == "seconds") {
        auto v = get_int(f.value, "stall.seconds", 0, 86'400);
        if (!v) return unexpected(v.error());
        seconds = *v;
      } else {
        return unexpected("stall." + std::string(f.key) + ": unknown key (allowed: stream, seconds)");
      }
    }
    if (stream.empty() || seconds < 0) return unexpected(std::string("stall: needs stream and seconds"));
    stalls[std::string(stream)] = seconds;
  }
  if (obj["http_429"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "http_429", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.http_429_next = *v;
  }
  if (obj["http_503_after_place"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "http_503_after_place", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.http_503_after_place = *v;
  }
  if (obj["reject_orders"].get(e) == simdjson::SUCCESS) {
    if (!e.is_array()) return unexpected(std::string("reject_orders: expected an array of symbols"));
    next.reject_order_symbols.clear();
    for (auto s : as_array(e)) {
      if (!s.is_string()) return unexpected(std::string("reject_orders: expected an array of symbols"));
      next.reject_order_symbols.insert(std::string(s.get_string().value_unsafe()));
    }
  }
  if (obj["unavailable_paths"].get(e) == simdjson::SUCCESS) {
    if (!e.is_array()) return unexpected(std::string("unavailable_paths: expected an array of paths"));
    next.unavailable_paths.clear();
    for (auto s : as_array(e)) {
      if (!s.is_string() || !s.get_string().value_unsafe().starts_with("/"))
        return unexpected(std::string("unavailable_paths: expected an array of paths such as \"/api/v1/depth\""));
      next.unavailable_paths.insert(std::string(s.get_string().value_unsafe()));
    }
  }
  if (obj["fill_ratio_cap"].get(e) == simdjson::SUCCESS) {
    std::string text;
    if (e.is_string()) {
      text = std::string(e.get_string().value_unsafe());
    } else if (e.is_int64()) {
      text = std::to_string(e.get_int64().value_unsafe());
    } else {
      return unexpected(std::string("fill_ratio_cap: expected a decimal string such as \"0.5\""));
    }
    Decimal d;
    if (Decimal::parse(text, d) != DecimalParseError::kOk || !d.is_positive() || d > Decimal::one()) {
      return unexpected("fill_ratio_cap: '" + text + "' outside (0, 1]");
    }
    next.fill_ratio_cap = d;
  }
  if (obj["fill_ratio_symbols"].get(e) == simdjson::SUCCESS) {
    if (!e.is_array()) return unexpected(std::string("fill_ratio_symbols: expected an array of symbols"));
    next.fill_ratio_symbols.clear();
    for (auto s : as_array(e)) {
      if (!s.is_string()) return unexpected(std::string("fill_ratio_symbols: expected an array of symbols"));
      next.fill_ratio_symbols.insert(std::string(s.get_string().value_unsafe()));
    }
  }
  if (obj["fill_ratio_orders"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "fill_ratio_orders", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.fill_ratio_orders = *v;
  }
  if (obj["drop_order_fills"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "drop_order_fills", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.drop_order_fills_next = *v;
  }
  if (obj["malformed_frames"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "malformed_frames", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.malformed_frames_next = *v;
  }
  if (obj["oversized_frames"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "oversized_frames", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.oversized_frames_next = *v;
  }
  if (obj["clock_skew_ms"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "clock_skew_ms", -86'400'000, 86'400'000);
    if (!v) return unexpected(v.error());
    next.clock_skew_ms = *v;
  }
  if (obj["cancel_latency_ms"].get(e) == simdjson::SUCCESS) {
    auto l = get_latency(e, "cancel_latency_ms");
    if (!l) return unexpected(l.error());
    next.cancel_latency = *l;
  }
  if (obj["cancel_accepted"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "cancel_accepted", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.cancel_accepted_next = *v;
  }
  if (obj["cancel_accepted_effect_ms"].get(e) == simdjson::SUCCESS) {
    auto l = get_latency(e, "cancel_accepted_effect_ms");
    if (!l) return unexpected(l.error());
    next.cancel_accepted_effect = *l;
  }
  if (obj["post_only_cross"].get(e) == simdjson::SUCCESS) {
    auto v = get_int(e, "post_only_cross", 0, kMaxCount);
    if (!v) return unexpected(v.error());
    next.post_only_cross_next = *v;
  }

  // All valid: commit.
  if (do_reset) {
    depth_gaps_.clear();
    stalls_.clear();
    next_periodic_drop_us_ = 0;
    spdlog::info("bpsim faults: reset");
  }
  cfg_ = std::move(next);
  if (periodic_changed || do_reset) {
    next_periodic_drop_us_ = cfg_.drop_ws_every_s > 0 ? now_us + cfg_.drop_ws_every_s * kUsPerSecond : 0;
  }
  for (auto& [sym, n] : gaps) add_depth_gap(sym, n);
  for (auto& [stream, secs] : stalls) stall_stream(stream, secs, now_us);
  spdlog::info("bpsim faults: applied {}", body);
  return actions;
}

std::string FaultInjector::to_json(TimestampUs now_us) const {
  std::string out = "{\"settings\":{";
  auto lat = [](const LatencySpec& l) {
    return "{\"min\":" + std::to_string(l.min_ms) + ",\"max\":" + std::to_string(l.max_ms) + "}";
  };
  out += "\"rest_latency_ms\":" + lat(cfg_.rest_latency);
  out += ",\"ws_latency_ms\":" + lat(cfg_.ws_latency);
  out += ",\"order_latency_ms\":" + lat(cfg_.order_latency);
  out += ",\"drop_ws_every_s\":" + std::to_string(cfg_.drop_ws_every_s);
  out += ",\"http_429\":" + std::to_string(cfg_.http_429_next);
  out += ",\"http_503_after_place\":" + std::to_string(cfg_.http_503_after_place);
  out += ",\"reject_orders\":[";
  bool first = true;
  for (const auto& s : cfg_.reject_order_symbols) {
    if (!first) out += ',';
    first = false;
    out += "\"" + s + "\"";
  }
  out += "],\"unavailable_paths\":[";
  first = true;
  for (const auto& s : cfg_.unavailable_paths) {
    if (!first) out += ',';
    first = false;
    out += "\"" + s + "\"";
  }
  out += "],\"fill_ratio_cap\":\"" + cfg_.fill_ratio_cap.str() + "\"";
  out += ",\"fill_ratio_symbols\":[";
  first = true;
  for (const auto& s : cfg_.fill_ratio_symbols) {
    if (!first) out += ',';
    first = false;
    out += "\"" + s + "\"";
  }
  out += "],\"fill_ratio_orders\":" + std::to_string(cfg_.fill_ratio_orders);
  out += ",\"drop_order_fills\":" + std::to_string(cfg_.drop_order_fills_next);
  out += ",\"malformed_frames\":" + std::to_string(cfg_.malformed_frames_next);
  out += ",\"oversized_frames\":" + std::to_string(cfg_.oversized_frames_next);
  out += ",\"clock_skew_ms\":" + std::to_string(cfg_.clock_skew_ms);
  out += ",\"cancel_latency_ms\":" + lat(cfg_.cancel_latency);
  out += ",\"cancel_accepted\":" + std::to_string(cfg_.cancel_accepted_next);
  out += ",\"cancel_accepted_effect_ms\":" + lat(cfg_.cancel_accepted_effect);
  out += ",\"post_only_cross\":" + std::to_string(cfg_.post_only_cross_next);
  out += ",\"depth_gaps\":{";
  first = true;
  for (const auto& [sym, n] : depth_gaps_) {
    if (n <= 0) continue;
    if (!first) out += ',';
    first = false;
    out += "\"" + sym + "\":" + std::to_string(n);
  }
  out += "},\"stalls\":{";
  first = true;
  for (const auto& [stream, until] : stalls_) {
    if (until <= now_us) continue;
    if (!first) out += ',';
    first = false;
    out += "\"" + stream + "\":" + std::to_string((until - now_us + kUsPerMs - 1) / kUsPerMs);
  }
  out += "}},\"counters\":{";
  const FaultCounters& c = counters_;
  out += "\"rest_delayed\":" + std::to_string(c.rest_delayed);
  out += ",\"ws_delayed\":" + std::to_string(c.ws_delayed);
  out += ",\"orders_delayed\":" + std::to_string(c.orders_delayed);
  out += ",\"ws_drops\":" + std::to_string(c.ws_drops);
  out += ",\"ws_connections_dropped\":" + std::to_string(c.ws_connections_dropped);
  out += ",\"depth_gaps\":" + std::to_string(c.depth_gaps);
  out += ",\"stalled_frames\":" + std::to_string(c.stalled_frames);
  out += ",\"http_429\":" + std::to_string(c.http_429);
  out += ",\"http_503_after_place\":" + std::to_string(c.http_503_after_place);
  out += ",\"orders_rejected\":" + std::to_string(c.orders_rejected);
  out += ",\"unavailable_answers\":" + std::to_string(c.unavailable_answers);
  out += ",\"fills_capped\":" + std::to_string(c.fills_capped);
  out += ",\"malformed_frames\":" + std::to_string(c.malformed_frames);
  out += ",\"oversized_frames\":" + std::to_string(c.oversized_frames);
  out += ",\"skewed_time_answers\":" + std::to_string(c.skewed_time_answers);
  out += ",\"order_fills_dropped\":" + std::to_string(c.order_fills_dropped);
  out += ",\"expired_requests\":" + std::to_string(c.expired_requests);
  out += ",\"authenticated_requests\":" + std::to_string(c.authenticated_requests);
  out += ",\"cancels_delayed\":" + std::to_string(c.cancels_delayed);
  out += ",\"cancels_accepted\":" + std::to_string(c.cancels_accepted);
  out += ",\"post_only_crossed\":" + std::to_string(c.post_only_crossed);
  out += "}}";
  return out;
}

std::int64_t FaultInjector::draw(const LatencySpec& l) {
  if (!l.active()) return 0;
  if (l.min_ms == l.max_ms) return l.max_ms;
  std::uniform_int_distribution<std::int64_t> d(l.min_ms, l.max_ms);
  return d(rng_);
}

std::int64_t FaultInjector::rest_delay_ms() {
  std::int64_t d = draw(cfg_.rest_latency);
  if (d > 0) {
    ++counters_.rest_delayed;
    spdlog::debug("bpsim fault: REST response delayed {} ms", d);
  }
  return d;
}

std::int64_t FaultInjector::order_delay_ms() {
  std::int64_t d = draw(cfg_.order_latency);
  if (d > 0) {
    ++counters_.orders_delayed;
    spdlog::warn("bpsim fault: order response delayed {} ms", d);
  }
  return d;
}

std::int64_t FaultInjector::ws_delay_ms() {
  std::int64_t d = draw(cfg_.ws_latency);
  if (d > 0) ++counters_.ws_delayed;  // per frame: logging each would flood the log
  return d;
}

bool FaultInjector::take_http_429() {
  if (cfg_.http_429_next <= 0) return false;
  --cfg_.http_429_next;
  ++counters_.http_429;
  spdlog::warn("bpsim fault: 429 TOO_MANY_REQUESTS ({} more queued)", cfg_.http_429_next);
  return true;
}

bool FaultInjector::take_http_503_after_place() {
  if (cfg_.http_503_after_place <= 0) return false;
  --cfg_.http_503_after_place;
  ++counters_.http_503_after_place;
  spdlog::warn("bpsim fault: order executed but answered 503 ({} more queued)", cfg_.http_503_after_place);
  return true;
}

bool FaultInjector::path_unavailable(std::string_view path) {
  if (cfg_.unavailable_paths.find(std::string(path)) == cfg_.unavailable_paths.end()) return false;
  ++counters_.unavailable_answers;
  spdlog::warn("bpsim fault: {} answered 503 (unavailable)", path);
  return true;
}

bool FaultInjector::reject_orders_for(std::string_view symbol) {
  if (cfg_.reject_order_symbols.find(std::string(symbol)) == cfg_.reject_order_symbols.end()) return false;
  ++counters_.orders_rejected;
  spdlog::warn("bpsim fault: order on {} rejected", symbol);
  return true;
}

Decimal FaultInjector::fill_ratio_cap_for(std::string_view symbol) const noexcept {
  if (cfg_.fill_ratio_cap >= Decimal::one()) return Decimal::one();
  if (!cfg_.fill_ratio_symbols.empty() &&
      cfg_.fill_ratio_symbols.find(std::string(symbol)) == cfg_.fill_ratio_symbols.end())
    return Decimal::one();
  return cfg_.fill_ratio_cap;
}

void FaultInjector::note_fill_capped(std::string_view symbol) {
  ++counters_.fills_capped;
  // A limited run of capped orders switches the cap off when it is used up (a hedge can then complete).
  if (cfg_.fill_ratio_orders > 0 && --cfg_.fill_ratio_orders == 0) {
    spdlog::warn("bpsim fault: fill on {} capped at ratio {} (last of the limited run; cap off)", symbol,
                 cfg_.fill_ratio_cap.str());
    cfg_.fill_ratio_cap = Decimal::one();
    cfg_.fill_ratio_symbols.clear();
    return;
  }
  spdlog::warn("bpsim fault: fill on {} capped at ratio {}", symbol, cfg_.fill_ratio_cap.str());
}

bool FaultInjector::take_depth_gap(std::string_view symbol) {
  auto it = depth_gaps_.find(symbol);
  if (it == depth_gaps_.end() || it->second <= 0) return false;
  --it->second;
  ++counters_.depth_gaps;
  spdlog::warn("bpsim fault: depth frame on {} withheld (sequence gap)", symbol);
  return true;
}

bool FaultInjector::stream_stalled(std::string_view stream, TimestampUs now_us) {
  if (stalls_.empty()) return false;
  auto it = stalls_.find(stream);
  if (it == stalls_.end()) return false;
  if (now_us >= it->second) {
    spdlog::info("bpsim fault: stall of {} ended", stream);
    stalls_.erase(it);
    return false;
  }
  ++counters_.stalled_frames;
  return true;
}

bool FaultInjector::take_malformed_frame() {
  if (cfg_.malformed_frames_next <= 0) return false;
  --cfg_.malformed_frames_next;
  ++counters_.malformed_frames;
  spdlog::warn("bpsim fault: malformed WS frame sent");
  return true;
}

bool FaultInjector::take_oversized_frame() {
  if (cfg_.oversized_frames_next <= 0) return false;
  --cfg_.oversized_frames_next;
  ++counters_.oversized_frames;
  spdlog::warn("bpsim fault: oversized WS frame sent ({} bytes)", kOversizedFrameBytes);
  return true;
}

std::int64_t FaultInjector::cancel_delay_ms() {
  const std::int64_t d = draw(cfg_.cancel_latency);
  if (d > 0) {
    ++counters_.cancels_delayed;
    spdlog::warn("bpsim fault: cancel carried out {} ms late", d);
  }
  return d;
}

bool FaultInjector::take_cancel_accepted(std::int64_t& effect_ms) {
  if (cfg_.cancel_accepted_next <= 0) return false;
  --cfg_.cancel_accepted_next;
  ++counters_.cancels_accepted;
  effect_ms = draw(cfg_.cancel_accepted_effect);
  spdlog::warn("bpsim fault: cancel answered 202, carried out {} ms later ({} more queued)", effect_ms,
               cfg_.cancel_accepted_next);
  return true;
}

bool FaultInjector::take_post_only_cross(std::string_view symbol) {
  if (cfg_.post_only_cross_next <= 0) return false;
  --cfg_.post_only_cross_next;
  ++counters_.post_only_crossed;
  spdlog::warn("bpsim fault: the {} book moved through a post-only order's price on arrival ({} more queued)", symbol,
               cfg_.post_only_cross_next);
  return true;
}

bool FaultInjector::take_order_fill_drop() {
  if (cfg_.drop_order_fills_next <= 0) return false;
  --cfg_.drop_order_fills_next;
  ++counters_.order_fills_dropped;
  spdlog::warn("bpsim fault: private orderFill frame withheld ({} more queued)", cfg_.drop_order_fills_next);
  return true;
}

void FaultInjector::note_skewed_time() {
  if (cfg_.clock_skew_ms != 0) ++counters_.skewed_time_answers;
}

bool FaultInjector::periodic_drop_due(TimestampUs now_us) {
  if (cfg_.drop_ws_every_s <= 0) return false;
  if (next_periodic_drop_us_ == 0) next_periodic_drop_us_ = now_us + cfg_.drop_ws_every_s * kUsPerSecond;
  if (now_us < next_periodic_drop_us_) return false;
  next_periodic_drop_us_ = now_us + cfg_.drop_ws_every_s * kUsPerSecond;
  return true;
}

void FaultInjector::note_ws_drop(std::size_t connections, std::string_view why) {
  ++counters_.ws_drops;
  counters_.ws_connections_dropped += static_cast<std::int64_t>(connections);
  spdlog::warn("bpsim fault: dropped {} WebSocket connection(s) ({})", connections, why);
}

}  // namespace bparb::sim
