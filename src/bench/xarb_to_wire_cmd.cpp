// bparb-bench xarb-to-wire: the cross-venue entry path (xarb_to_wire.hpp) timed per frame, with its stage
// split and the allocations counted. Tool code: exceptions and allocation are fine here, outside on_frame.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "tick_to_wire.hpp"
#include "xarb_to_wire.hpp"

namespace bparb::bench {
namespace {

struct Samples {
  std::vector<std::int64_t> ns;
  double pct(double p) {
    if (ns.empty()) return 0;
    std::sort(ns.begin(), ns.end());
    const std::size_t i = std::min(ns.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(ns.size())));
    return static_cast<double>(ns[i]) / 1000.0;  // µs
  }
  double max() { return ns.empty() ? 0 : static_cast<double>(*std::max_element(ns.begin(), ns.end())) / 1000.0; }
  void row(const char* name) {
    std::printf("  %-44s %8zu %9.2f %9.2f %9.2f %9.2f %9.2f\n", name, ns.size(), pct(50), pct(90), pct(99), pct(99.9),
                max());
  }
  std::string json() {
    char buf[160];
    std::snprintf(buf, sizeof buf, "{\"n\":%zu,\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f}",
                  ns.size(), pct(50), pct(90), pct(99), max());
    return buf;
  }
};

// One venue's frames: frame -> both legs' bytes, and its stages.
struct XarbPath {
  Samples total, parse, engine, backpack, lighter;
  std::uint64_t allocs = 0, alloc_bytes = 0;
  std::int64_t cpu_ns = 0;
  void run(XarbToWire& t, XarbFrameVenue venue, bool measured) {
    const std::string open = venue == XarbFrameVenue::kBackpack ? t.backpack_open_frame() : t.lighter_open_frame();
    XarbStageTimes st;
    if (measured) alloc_counting_begin();
    const std::int64_t c0 = measured ? thread_cpu_ns() : 0;
    const int legs = t.on_frame(venue, open, &st);
    if (measured) {
      cpu_ns += thread_cpu_ns() - c0;
      const AllocStats al = alloc_counting_end();
      allocs += al.allocations;
      alloc_bytes += al.bytes;
    }
    if (legs != 2) throw std::runtime_error("a dislocation frame did not write both legs");
    t.finish_trade();
    const std::string close = venue == XarbFrameVenue::kBackpack ? t.backpack_close_frame() : t.lighter_close_frame();
    if (t.on_frame(venue, close) != 0) throw std::runtime_error("a closing frame wrote an order");
    if (!measured) return;
    total.ns.push_back(std::max(st.backpack_wired, st.lighter_wired) - st.start);
    parse.ns.push_back(st.parsed - st.start);
    engine.ns.push_back(st.decided - st.parsed);
    backpack.ns.push_back(st.backpack_wired - st.backpack_start);
    lighter.ns.push_back(st.lighter_wired - st.lighter_start);
  }
  void rows(const char* name) {
    total.row(name);
    parse.row("  parse (simdjson ondemand)");
    engine.row("  book + strategy + engine (risk, OMS)");
    backpack.row("  Backpack leg: map + ED25519 + HTTP bytes");
    lighter.row("  Lighter leg: map + nonce + Schnorr + frame");
  }
  std::string json(std::size_t n) {
    return "{\"total\":" + total.json() + ",\"parse\":" + parse.json() + ",\"book_strategy_engine\":" + engine.json() +
           ",\"backpack_sign_bytes\":" + backpack.json() + ",\"lighter_sign_bytes\":" + lighter.json() +
           ",\"allocs\":" + std::to_string(allocs) +
           ",\"cpu_us_mean\":" + std::to_string(static_cast<double>(cpu_ns) / 1000.0 / static_cast<double>(n)) + "}";
  }
};

}  // namespace

int run_xarb_to_wire(std::size_t iterations) {
  XarbToWire t;
  const std::size_t warm = std::min<std::size_t>(200, iterations / 10 + 1);
  XarbPath bp, lt;
  // The two venues' frames alternate, as a live feed's would.
  for (std::size_t i = 0; i < warm + iterations; ++i) {
    bp.run(t, XarbFrameVenue::kBackpack, i >= warm);
    lt.run(t, XarbFrameVenue::kLighter, i >= warm);
  }
  if (t.parse_errors() != 0 || t.write_errors() != 0 || t.sync_errors() != 0)
    throw std::runtime_error("parse, write or book errors: " + std::to_string(t.parse_errors()) + ", " +
                             std::to_string(t.write_errors()) + ", " + std::to_string(t.sync_errors()));
  std::printf(
      "xarb-to-wire: cross-venue BTC perps (Backpack BTC_USDC_PERP / Lighter BTC), %zu entries per venue measured "
      "(+%zu warm-up), each frame -> both IOC legs' bytes\n",
      iterations, warm);
  std::printf("  %-44s %8s %9s %9s %9s %9s %9s\n", "stage (µs)", "n", "p50", "p90", "p99", "p99.9", "max");
  bp.rows("Backpack frame -> both legs' bytes");
  lt.rows("Lighter frame -> both legs' bytes");
  std::printf("  allocations: %" PRIu64 " in %zu Backpack-frame entries, %" PRIu64
              " in %zu Lighter-frame entries; mean thread CPU per frame: Backpack %.2f µs, Lighter %.2f µs\n",
              bp.allocs, iterations, lt.allocs, iterations,
              static_cast<double>(bp.cpu_ns) / 1000.0 / static_cast<double>(iterations),
              static_cast<double>(lt.cpu_ns) / 1000.0 / static_cast<double>(iterations));
  std::printf("  last legs: Backpack %zu bytes (HTTP request), Lighter %zu bytes (jsonapi/sendtx frame), nonce %" PRId64
              "\n",
              t.backpack_wire().size(), t.lighter_wire().size(), t.lighter_nonce());
  std::printf("{\"entries\":%zu,\"backpack_frame\":%s,\"lighter_frame\":%s}\n", iterations, bp.json(iterations).c_str(),
              lt.json(iterations).c_str());
  return 0;
}

}  // namespace bparb::bench
