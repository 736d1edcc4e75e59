// bparb-bench: performance tool for the hot path. Tool code: exceptions, iostreams and
// steady_clock are fine here.
//
//   bparb-bench gen-depth --symbol SOL_USDC_PERP --frames 200000 --snapshot-out S.json --frames-out F.txt
//       records a bpsim depth stream (exchange + market model in-process, ManualClock): the REST
//       snapshot body and the WS frames that follow it, one frame per line, exactly as bpsim sends them.
//   bparb-bench depth-replay --snapshot S.json --frames F.txt [--repeat N] [--tick X --step Y]
//       times parse + DepthSync/OrderBook apply + top of book over every frame (median of N passes) and
//       a simdjson DOM parse-only pass over the same frames (the ceiling); prints ONE JSON line.
//   bparb-bench tick-to-wire [--iterations N] [--loopback-iterations M] [--seed S]
//       latency histogram of frame bytes -> signed HTTP batch request bytes (in-process), its stage
//       breakdown, allocations per trade, and the same through the daemon's RestClient over loopback to
//       an in-process bpsim server. With --service-seconds N: the loopback path paced like a feed, in
//       alternating N-second blocks without and with service::Server on the loop and a scraper polling
//       /metrics and /api/v1/status every second (loopback.hpp). Prints a table, then one JSON line.
//   bparb-bench mm-to-wire [--iterations N] [--loopback-iterations M] [--seed S]
//       the market maker's replace (mm_to_wire.hpp): book frame -> signed cancel request bytes, trade frame
//       (side switch) -> signed cancel request bytes, cancel confirmation frame -> signed new-quote request
//       bytes; latency histograms, stage breakdown, allocations; and the same through the daemon's
//       RestClient over loopback to an in-process bpsim server. Prints a table, then one JSON line.
//   bparb-bench xarb-to-wire [--iterations N]
//       the cross-venue entry (xarb_to_wire.hpp): a Backpack or Lighter book frame -> both legs' signed bytes
//       (Backpack HTTP order request, Lighter jsonapi/sendtx frame); latencies, stage split, allocations.
#include <simdjson.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.hpp"
#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "loopback.hpp"
#include "mm_to_wire.hpp"
#include "recorded_depth.hpp"
#include "tick_to_wire.hpp"
#include "xarb_to_wire.hpp"

namespace {

using bparb::Decimal;
using bparb::Side;
namespace bb = bparb::bench;
namespace bp = bparb::backpack;

constexpr const char* kUsage =
    "usage: bparb-bench <command> [options]\n"
    "  gen-depth --frames-out F.txt --snapshot-out S.json [--symbol SOL_USDC_PERP] [--frames 200000] [--seed 42]\n"
    "      [--keep-levels 0|1]   (1: bpsim's market model keeps unchanged ladder levels: live-shaped deltas)\n"
    "  convert-binance --format binance-usdm|binance-spot --in FILE|- --symbol BTC_USDC_PERP\n"
    "      --snapshot-out S.json --frames-out F.txt   (hftbacktest recording -> Backpack-shaped frames)\n"
    "  depth-replay --snapshot S.json --frames F.txt [--repeat 5] [--tick X --step Y]\n"
    "      (tick/step default to bpsim's market of the frames' symbol)\n"
    "  mm-to-wire [--iterations 20000] [--loopback-iterations 2000] [--seed 42]\n"
    "      (market maker: frame -> cancel / new quote request bytes, and through RestClient to bpsim)\n"
    "  xarb-to-wire [--iterations 20000]\n"
    "      (cross-venue: a Backpack or Lighter frame -> both legs' signed bytes)\n"
    "  tick-to-wire [--iterations 20000] [--loopback-iterations 2000] [--seed 42] [--pairs 5]\n"
    "      [--service-seconds 0] [--service-rounds 2] [--service-pace-us 5000]   (service-seconds > 0: also through\n"
    "      loopback paced, alternating blocks without / with the operator's HTTP server scraped every second)\n";

struct Args {
  std::string cmd;
  std::map<std::string, std::string, std::less<>> kv;
  std::string get(std::string_view k, std::string def = {}) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
  std::uint64_t num(std::string_view k, std::uint64_t def) const {
    auto it = kv.find(k);
    if (it == kv.end()) return def;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
    if (errno != 0 || end == it->second.c_str() || *end != '\0' || it->second[0] == '-')
      throw std::invalid_argument(std::string(k) + ": expected a non-negative integer, got \"" + it->second + "\"");
    return v;
  }
};

Args parse_args(int argc, char** argv, std::initializer_list<std::string_view> allowed) {
  Args a;
  a.cmd = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string_view k = argv[i];
    if (!k.starts_with("--")) throw std::invalid_argument("unexpected argument " + std::string(k));
    k.remove_prefix(2);
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      throw std::invalid_argument("unknown option --" + std::string(k) + " for " + a.cmd);
    if (i + 1 >= argc) throw std::invalid_argument("--" + std::string(k) + " needs a value");
    a.kv[std::string(k)] = argv[++i];
  }
  return a;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string json_pair(const bparb::BookLevel& l) {
  if (l.empty) return "null";
  return "[\"" + l.price.str() + "\",\"" + l.quantity.str() + "\"]";
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// ------------------------------------------------------------------------------------------ gen-depth

int cmd_gen_depth(const Args& a) {
  const std::string frames_out = a.get("frames-out");
  const std::string snap_out = a.get("snapshot-out");
  if (frames_out.empty() || snap_out.empty())
    throw std::invalid_argument("gen-depth needs --frames-out and --snapshot-out");
  const std::string symbol = a.get("symbol", "SOL_USDC_PERP");
  const std::size_t n = a.num("frames", 200000);
  if (n == 0) throw std::invalid_argument("--frames must be > 0");
  const std::uint64_t keep = a.num("keep-levels", 0);
  if (keep > 1) throw std::invalid_argument("--keep-levels: 0 or 1");
  const bb::CapturedStream s = bb::capture_depth_stream(a.num("seed", 42), symbol, n, 100 * bparb::kUsPerMs, keep == 1);
  if (s.frames.size() < n)
    throw std::runtime_error("bpsim produced only " + std::to_string(s.frames.size()) + " frames for " + symbol);
  std::ofstream so(snap_out, std::ios::binary);
  so << s.snapshot_json << '\n';
  std::ofstream fo(frames_out, std::ios::binary);
  for (const std::string& f : s.frames) fo << f << '\n';
  if (!so || !fo) throw std::runtime_error("write failed");
  std::printf("{\"symbol\":\"%s\",\"frames\":%zu,\"levels_per_frame\":%.2f,\"snapshot_last_update_id\":%" PRId64
              ",\"snapshot_levels\":[%zu,%zu]}\n",
              symbol.c_str(), s.frames.size(), static_cast<double>(s.levels) / static_cast<double>(s.frames.size()),
              s.snapshot.last_update_id, s.snapshot.bids.size(), s.snapshot.asks.size());
  return 0;
}

// ------------------------------------------------------------------------------------ convert-binance

// A Binance depth recording (hftbacktest format, the sample data directory BPARB_SAMPLE_DATA_DIR) rewritten as a
// Backpack depth stream: the recording's REST snapshot, then every depth update after it as a Backpack `depth.<symbol>`
// frame (U = pu + 1 for USD-M so the ids chain like Backpack's). Gives replay frames of real-feed size.
int cmd_convert_binance(const Args& a) {
  bb::FeedFormat fmt;
  if (!bb::parse_feed_format(a.get("format"), fmt) || fmt == bb::FeedFormat::kBackpack)
    throw std::invalid_argument("--format must be binance-usdm or binance-spot");
  const std::string in_path = a.get("in");
  const std::string symbol = a.get("symbol", "BTC_USDC_PERP");
  const std::string frames_out = a.get("frames-out");
  const std::string snap_out = a.get("snapshot-out");
  if (in_path.empty() || frames_out.empty() || snap_out.empty())
    throw std::invalid_argument("convert-binance needs --in, --snapshot-out and --frames-out");
  if (in_path.size() > 3 && in_path.ends_with(".gz"))
    throw std::invalid_argument("gzip input: run `zcat " + in_path + " | bparb-bench convert-binance ... --in -`");
  std::ifstream file;
  std::istream* in = &std::cin;
  if (in_path != "-") {
    file.open(in_path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot open " + in_path + ": " + std::strerror(errno));
    in = &file;
  }
  bb::RecordedLineParser parser(fmt, 1000);
  bparb::DepthDelta delta;
  bparb::DepthSnapshot snapshot;
  bb::TopQuote quote;
  bool have_snapshot = false;
  // The REST snapshot lags the stream: deltas recorded before the snapshot line may be the ones that
  // continue it, so keep them all and pick the chain after reading everything.
  std::vector<bparb::DepthDelta> deltas;
  std::size_t malformed = 0;
  std::string line;
  while (std::getline(*in, line)) {
    bparb::TimestampUs local_us = 0;
    const bb::LineKind k = parser.parse(line, delta, snapshot, quote, local_us);
    if (k == bb::LineKind::kError) {
      ++malformed;
    } else if (k == bb::LineKind::kSnapshot && !have_snapshot) {
      have_snapshot = true;
      std::string body;
      bb::render_depth_snapshot(snapshot, body);
      std::ofstream so(snap_out, std::ios::binary);
      so << body << '\n';
      if (!so) throw std::runtime_error("cannot write " + snap_out);
    } else if (k == bb::LineKind::kDepth) {
      deltas.push_back(delta);
    }
  }
  if (!have_snapshot) throw std::runtime_error("the recording has no REST snapshot line");
  std::int64_t last_u = snapshot.last_update_id;
  std::size_t written = 0, levels = 0;
  std::string frame;
  std::ofstream fo(frames_out, std::ios::binary);
  for (bparb::DepthDelta& d : deltas) {
    if (d.last_update_id <= last_u) continue;
    if (d.first_update_id > last_u + 1)
      throw std::runtime_error("gap in the recording after update id " + std::to_string(last_u));
    last_u = d.last_update_id;
    d.symbol = symbol;
    if (d.event_time_us == 0) d.event_time_us = d.engine_time_us;
    bb::render_depth_frame(d, frame);
    fo << frame << '\n';
    ++written;
    levels += d.bids.size() + d.asks.size();
  }
  if (!fo) throw std::runtime_error("cannot write " + frames_out);
  std::printf("{\"symbol\":\"%s\",\"frames\":%zu,\"levels_per_frame\":%.2f,\"malformed_lines\":%zu}\n", symbol.c_str(),
              written, written ? static_cast<double>(levels) / static_cast<double>(written) : 0.0, malformed);
  return 0;
}

// --------------------------------------------------------------------------------------- depth-replay

int cmd_depth_replay(const Args& a) {
  const std::string snap_path = a.get("snapshot");
  const std::string frames_path = a.get("frames");
  if (snap_path.empty() || frames_path.empty())
    throw std::invalid_argument("depth-replay needs --snapshot and --frames");
  const std::size_t repeat = std::max<std::uint64_t>(1, a.num("repeat", 5));

  bp::JsonParser parser;
  bparb::DepthSnapshot snapshot;
  {
    const std::string body = read_file(snap_path);
    const bp::ParseError e = bp::parse_depth_snapshot(parser, bp::JsonInput(body), snapshot);
    if (!e.ok()) throw std::runtime_error(snap_path + ": not a depth snapshot: " + e.message());
  }
  // Frames: one per line, each in its own buffer with simdjson padding (zero-copy parsing, as the
  // daemon's WS receive buffer provides).
  std::vector<std::string> frames;
  {
    std::ifstream in(frames_path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + frames_path + ": " + std::strerror(errno));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      line.reserve(line.size() + bp::kJsonPadding);
      frames.push_back(line);
    }
  }
  if (frames.empty()) throw std::runtime_error(frames_path + ": no frames");

  // Market spec: --tick/--step, else bpsim's market of the first frame's symbol.
  bp::WsFrame frame;
  frame.depth.bids.reserve(1024);
  frame.depth.asks.reserve(1024);
  {
    const bp::ParseError e = bp::parse_ws_frame(parser, bp::JsonInput::from_string(frames[0]), frame);
    if (!e.ok() || frame.type != bp::WsFrameType::kDepth)
      throw std::runtime_error(frames_path + ":1: not a depth frame" + (e.ok() ? std::string() : ": " + e.message()));
  }
  bparb::MarketSpec spec;
  spec.symbol = std::string(frame.depth.symbol);
  if (!a.get("tick").empty() || !a.get("step").empty()) {
    if (a.get("tick").empty() || a.get("step").empty()) throw std::invalid_argument("give both --tick and --step");
    spec.tick_size = Decimal::from_string(a.get("tick"));
    spec.step_size = Decimal::from_string(a.get("step"));
  } else {
    bool found = false;
    for (const auto& m : bparb::sim::default_markets()) {
      if (m.spec.symbol == spec.symbol) {
        spec = m.spec;
        found = true;
      }
    }
    if (!found) throw std::invalid_argument("unknown market " + spec.symbol + ": give --tick and --step");
  }

  bparb::OrderBook book(spec);
  bparb::DepthSyncConfig cfg;
  cfg.snapshot_delay = 0;
  cfg.max_buffered = 16;
  bparb::DepthSync sync(book, cfg);
  std::uint64_t levels = 0;
  std::vector<double> pass_s, pass_cpu_s;
  std::int64_t checksum = 0;  // keeps the top-of-book reads alive
  bb::AllocStats allocs;
  for (std::size_t pass = 0; pass < repeat + 1; ++pass) {  // pass 0 warms caches and buffers
    sync.reset();
    if (sync.on_snapshot(snapshot) != bparb::SyncAction::kBookUpdated)
      throw std::runtime_error("snapshot did not sync the book");
    const bool counted = pass == repeat;
    if (counted) bb::alloc_counting_begin();
    const std::int64_t c0 = bb::thread_cpu_ns();
    const std::int64_t t0 = bb::steady_ns();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const std::string& f = frames[i];
      const bp::ParseError e = bp::parse_ws_frame(parser, bp::JsonInput::from_string(f), frame);
      if (!e.ok() || frame.type != bp::WsFrameType::kDepth) {
        if (counted) bb::alloc_counting_end();
        throw std::runtime_error(frames_path + ":" + std::to_string(i + 1) + ": " +
                                 (e.ok() ? std::string("not a depth frame") : e.message()));
      }
      sync.on_delta(frame.depth);
      const bparb::PriceLevel* bid = book.top(Side::kBid);
      const bparb::PriceLevel* ask = book.top(Side::kAsk);
      checksum += (bid ? bid->price_ticks : 0) + (ask ? ask->price_ticks : 0);
      if (pass == 0) levels += frame.depth.bids.size() + frame.depth.asks.size();
    }
    const std::int64_t t1 = bb::steady_ns();
    const std::int64_t c1 = bb::thread_cpu_ns();
    if (counted) allocs = bb::alloc_counting_end();
    if (pass > 0) {
      pass_s.push_back(static_cast<double>(t1 - t0) * 1e-9);
      pass_cpu_s.push_back(static_cast<double>(c1 - c0) * 1e-9);
    }
  }
  const bparb::DepthSyncStats& st = sync.stats();
  if (!sync.synced() || st.gaps != 0)
    throw std::runtime_error("the frames do not continue the snapshot (gaps " + std::to_string(st.gaps) +
                             "): use a snapshot taken right before the first frame");

  // Ceiling: simdjson DOM parse of the same bytes (full parse, no field access, no book).
  simdjson::dom::parser dom;
  std::vector<double> parse_s, parse_cpu_s;
  std::uint64_t dom_ok = 0;
  for (std::size_t pass = 0; pass < repeat + 1; ++pass) {
    const std::int64_t c0 = bb::thread_cpu_ns();
    const std::int64_t t0 = bb::steady_ns();
    for (const std::string& f : frames) {
      simdjson::dom::element el;
      if (dom.parse(f.data(), f.size(), false).get(el) == simdjson::SUCCESS) ++dom_ok;
    }
    const std::int64_t t1 = bb::steady_ns();
    const std::int64_t c1 = bb::thread_cpu_ns();
    if (pass > 0) {
      parse_s.push_back(static_cast<double>(t1 - t0) * 1e-9);
      parse_cpu_s.push_back(static_cast<double>(c1 - c0) * 1e-9);
    }
  }

  const double secs = median(pass_s);
  const double psecs = median(parse_s);
  const double n = static_cast<double>(frames.size());
  std::printf(
      "{\"frames\":%zu,\"seconds\":%.6f,\"frames_per_s\":%.0f,\"best_bid\":%s,\"best_ask\":%s,\"last_update_id\":"
      "%" PRId64
      ",\"symbol\":\"%s\",\"passes\":%zu,\"levels_per_frame\":%.2f,\"ns_per_frame\":%.1f,"
      "\"cpu_seconds\":%.6f,\"cpu_frames_per_s\":%.0f,"
      "\"parse_only_seconds\":%.6f,\"parse_only_frames_per_s\":%.0f,\"parse_only_cpu_frames_per_s\":%.0f,"
      "\"allocations_last_pass\":%" PRIu64 ",\"dom_parsed\":%" PRIu64 ",\"checksum\":%" PRId64 "}\n",
      frames.size(), secs, n / secs, json_pair(book.best_bid()).c_str(), json_pair(book.best_ask()).c_str(),
      book.last_update_id(), spec.symbol.c_str(), repeat, static_cast<double>(levels) / n, secs * 1e9 / n,
      median(pass_cpu_s), n / median(pass_cpu_s), psecs, n / psecs, n / median(parse_cpu_s), allocs.allocations,
      dom_ok / (repeat + 1), checksum);
  return 0;
}

// --------------------------------------------------------------------------------------- tick-to-wire

struct Histogram {
  std::vector<std::int64_t> ns;
  void add(std::int64_t v) { ns.push_back(v); }
  double pct(double p) {
    if (ns.empty()) return 0;
    std::sort(ns.begin(), ns.end());
    const std::size_t i = std::min(ns.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(ns.size())));
    return static_cast<double>(ns[i]) / 1000.0;  // µs
  }
  double max() { return ns.empty() ? 0 : static_cast<double>(*std::max_element(ns.begin(), ns.end())) / 1000.0; }
};

std::string hist_json(Histogram& h) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"n\":%zu,\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f}",
                h.ns.size(), h.pct(50), h.pct(90), h.pct(99), h.pct(99.9), h.max());
  return buf;
}

void hist_row(const char* name, Histogram& h) {
  std::printf("  %-34s %8zu %9.2f %9.2f %9.2f %9.2f %9.2f\n", name, h.ns.size(), h.pct(50), h.pct(90), h.pct(99),
              h.pct(99.9), h.max());
}

std::string ns_json(const char* key, const std::vector<std::int64_t>& ns) {
  Histogram h{ns};
  return std::string(",\"") + key + "\":" + hist_json(h);
}
void ns_row(const char* name, const std::vector<std::int64_t>& ns) {
  Histogram h{ns};
  hist_row(name, h);
}

int cmd_tick_to_wire(const Args& a) {
  const std::size_t iters = a.num("iterations", 20000);
  const std::size_t loop_iters = a.num("loopback-iterations", 2000);
  const std::size_t service_seconds = a.num("service-seconds", 0);
  bb::TickToWireOptions o;
  o.seed = a.num("seed", 42);
  o.pairs = a.num("pairs", 5);
  bb::TickToWire t(o);

  Histogram total, parse, book, engine, serialize, sign, http, quiet;
  std::uint64_t trade_allocs = 0, trade_alloc_bytes = 0, quiet_allocs = 0;
  const std::size_t warm = std::min<std::size_t>(200, iters / 10 + 1);
  std::string f;
  f.reserve(16 * 1024);
  std::int64_t cpu_ns = 0;  // thread CPU time of the measured trade frames (on_frame calls only)
  for (std::size_t i = 0; i < warm + iters; ++i) {
    const bool measured = i >= warm;
    f = t.next_frame();  // spike: the engine must trade
    bb::StageTimes st;
    if (measured) bb::alloc_counting_begin();
    const std::int64_t c0 = measured ? bb::thread_cpu_ns() : 0;
    const bool traded = t.on_frame(f, &st);
    if (measured) cpu_ns += bb::thread_cpu_ns() - c0;
    if (measured) {
      const bb::AllocStats al = bb::alloc_counting_end();
      trade_allocs += al.allocations;
      trade_alloc_bytes += al.bytes;
    }
    if (!traded) throw std::runtime_error("iteration " + std::to_string(i) + ": the spike frame did not trade");
    if (measured) {
      total.add(st.wired - st.start);
      parse.add(st.parsed - st.start);
      book.add(st.applied - st.parsed);
      engine.add(st.decided - st.applied);
      serialize.add(st.serialized - st.decided);
      sign.add(st.signed_ - st.serialized);
      http.add(st.wired - st.signed_);
    }
    t.settle();
    f = t.next_frame();  // revert: book update, evaluation, no trade
    if (measured) bb::alloc_counting_begin();
    const std::int64_t q0 = bb::steady_ns();
    const bool traded2 = t.on_frame(f);
    const std::int64_t q1 = bb::steady_ns();
    if (measured) quiet_allocs += bb::alloc_counting_end().allocations;
    if (traded2) throw std::runtime_error("the revert frame traded");
    if (measured) quiet.add(q1 - q0);
  }

  // Loopback through the daemon's RestClient to bpsim.
  Histogram lb_handoff, lb_roundtrip;
  std::uint64_t lb_allocs = 0, lb_failed = 0;
  std::string lb_error;
  if (loop_iters > 0) {
    bb::Loopback lb;
    lb.start(t);
    const std::size_t lwarm = std::min<std::size_t>(50, loop_iters / 10 + 1);
    for (std::size_t i = 0; i < lwarm + loop_iters; ++i) {
      const bool measured = i >= lwarm;
      f = t.next_frame();
      lb.acked = false;
      if (measured) bb::alloc_counting_begin();
      const std::int64_t t0 = bb::steady_ns();
      const bool traded = t.on_frame(f);
      if (measured) lb_allocs += bb::alloc_counting_end().allocations;
      if (!traded) throw std::runtime_error("loopback: the spike frame did not trade");
      lb.wait_for_answer();
      if (!lb.ok) {
        ++lb_failed;
        lb_error = lb.error;
      }
      if (measured) {
        lb_handoff.add(lb.handed_ns - t0);
        lb_roundtrip.add(lb.acked_ns - t0);
      }
      t.settle();
      f = t.next_frame();
      t.on_frame(f);
    }
    lb.stop(t);
  }

  // The same through loopback, paced like a feed, without and with the operator's HTTP surface scraped.
  std::optional<bb::ServiceLoadResult> svc;
  if (service_seconds > 0) {
    bb::ServiceLoadOptions so;
    so.block_us = static_cast<bparb::DurationUs>(service_seconds) * bparb::kUsPerSecond;
    so.rounds = static_cast<int>(a.num("service-rounds", 2));
    so.pace_us = static_cast<bparb::DurationUs>(a.num("service-pace-us", 5000));
    svc = bb::run_service_load(t, so);
  }

  std::printf("tick-to-wire: %zu pairs, %zu trades measured (+%zu warm-up), bpsim books (seed %" PRIu64 ")\n", o.pairs,
              iters, warm, o.seed);
  std::printf("  %-34s %8s %9s %9s %9s %9s %9s\n", "stage (µs)", "n", "p50", "p90", "p99", "p99.9", "max");
  hist_row("frame -> HTTP request bytes", total);
  hist_row("  parse (simdjson ondemand)", parse);
  hist_row("  book (DepthSync + OrderBook)", book);
  hist_row("  engine (strategy + risk)", engine);
  hist_row("  serialize (RequestWriter batch)", serialize);
  hist_row("  sign (ED25519 + base64)", sign);
  hist_row("  HTTP request assembly", http);
  hist_row("non-trading update (revert frame)", quiet);
  if (loop_iters > 0) {
    hist_row("loopback: frame -> RestClient handoff", lb_handoff);
    hist_row("loopback: frame -> bpsim batch answer", lb_roundtrip);
  }
  std::printf("  allocations: %" PRIu64 " in %zu trades (%" PRIu64 " bytes), %" PRIu64 " in %zu non-trading frames",
              trade_allocs, iters, trade_alloc_bytes, quiet_allocs, iters);
  if (loop_iters > 0)
    std::printf(", %.1f per trade through RestClient (handoff)",
                static_cast<double>(lb_allocs) / static_cast<double>(loop_iters));
  std::printf("\n");
  if (lb_failed > 0)
    std::printf("  loopback: %" PRIu64 " batch requests failed (last: %s)\n", lb_failed, lb_error.c_str());
  if (svc) {
    std::printf("  paced loopback, µs from each frame's scheduled time (service off / on, alternating blocks):\n");
    ns_row("service off: frame -> handoff", svc->off.handoff_ns);
    ns_row("service on:  frame -> handoff", svc->on.handoff_ns);
    ns_row("service off: frame -> bpsim answer", svc->off.answer_ns);
    ns_row("service on:  frame -> bpsim answer", svc->on.answer_ns);
    std::printf("  service on: %" PRIu64 " snapshots, %" PRIu64 " scrapes answered 200 (%" PRIu64
                " not; /metrics %" PRIu64 " bytes, /api/v1/status %" PRIu64
                " bytes); frames started > 100 µs late: %" PRIu64 " off, %" PRIu64 " on; dropped while behind: %" PRIu64
                " off, %" PRIu64 " on; batches refused: %" PRIu64 " off, %" PRIu64 " on\n",
                svc->snapshots, svc->scrapes_ok, svc->scrapes_failed, svc->metrics_bytes, svc->status_bytes,
                svc->off.late_frames, svc->on.late_frames, svc->off.skipped, svc->on.skipped, svc->off.failed,
                svc->on.failed);
  }
  std::printf("  request: %zu bytes (%zu-byte body); mean thread CPU per trade frame %.2f µs\n", t.wire().size(),
              t.body().size(), static_cast<double>(cpu_ns) / 1000.0 / static_cast<double>(iters));

  std::printf(
      "{\"pairs\":%zu,\"trades\":%zu,\"tick_to_wire\":%s,\"parse\":%s,\"book\":%s,\"engine\":%s,\"serialize\":%s,"
      "\"sign\":%s,\"http\":%s,\"non_trading\":%s,\"allocs_in_trades\":%" PRIu64 ",\"allocs_in_non_trading\":%" PRIu64
      ",\"cpu_us_per_trade\":%.2f",
      o.pairs, iters, hist_json(total).c_str(), hist_json(parse).c_str(), hist_json(book).c_str(),
      hist_json(engine).c_str(), hist_json(serialize).c_str(), hist_json(sign).c_str(), hist_json(http).c_str(),
      hist_json(quiet).c_str(), trade_allocs, quiet_allocs,
      static_cast<double>(cpu_ns) / 1000.0 / static_cast<double>(iters));
  if (loop_iters > 0)
    std::printf(
        ",\"loopback_handoff\":%s,\"loopback_roundtrip\":%s,\"loopback_allocs_per_trade\":%.1f,"
        "\"loopback_failed\":%" PRIu64,
        hist_json(lb_handoff).c_str(), hist_json(lb_roundtrip).c_str(),
        static_cast<double>(lb_allocs) / static_cast<double>(loop_iters), lb_failed);
  if (svc)
    std::printf("%s%s%s%s,\"service_snapshots\":%" PRIu64 ",\"service_scrapes\":%" PRIu64,
                ns_json("service_off_handoff", svc->off.handoff_ns).c_str(),
                ns_json("service_on_handoff", svc->on.handoff_ns).c_str(),
                ns_json("service_off_answer", svc->off.answer_ns).c_str(),
                ns_json("service_on_answer", svc->on.answer_ns).c_str(), svc->snapshots, svc->scrapes_ok);
  std::printf("}\n");
  return 0;
}

// ------------------------------------------------------------------------------------------ mm-to-wire

// One measured path of the market maker's replace: frame -> the request it causes (kind `want`).
struct MmPath {
  Histogram total, parse, decide, write;
  std::uint64_t allocs = 0, alloc_bytes = 0;
  std::int64_t cpu_ns = 0;
  void run(bb::MmToWire& t, const std::string& frame, bb::MmWire want, bool measured, const char* what) {
    bb::MmStageTimes st;
    if (measured) bb::alloc_counting_begin();
    const std::int64_t c0 = measured ? bb::thread_cpu_ns() : 0;
    const bb::MmWire got = t.on_frame(frame, &st);
    if (measured) {
      cpu_ns += bb::thread_cpu_ns() - c0;
      const bb::AllocStats al = bb::alloc_counting_end();
      allocs += al.allocations;
      alloc_bytes += al.bytes;
    }
    if (got != want) throw std::runtime_error(std::string(what) + ": the frame did not write the expected request");
    if (!measured) return;
    total.add(st.wired - st.start);
    parse.add(st.parsed - st.start);
    decide.add(st.decided - st.parsed);
    write.add(st.wired - st.decided);
  }
  std::string json(std::size_t n) {
    return "{\"total\":" + hist_json(total) + ",\"parse\":" + hist_json(parse) + ",\"decide\":" + hist_json(decide) +
           ",\"write_sign_http\":" + hist_json(write) + ",\"allocs\":" + std::to_string(allocs) +
           ",\"cpu_us_mean\":" + std::to_string(static_cast<double>(cpu_ns) / 1000.0 / static_cast<double>(n)) + "}";
  }
  void rows(const char* name) {
    hist_row(name, total);
    hist_row("  parse (simdjson ondemand)", parse);
    hist_row("  book/flow + decide + OMS + risk", decide);
    hist_row("  serialize + sign + HTTP bytes", write);
  }
};

int cmd_mm_to_wire(const Args& a) {
  const std::size_t iters = a.num("iterations", 20000);
  bb::MmToWireOptions o;
  o.seed = a.num("seed", 42);
  bb::MmToWire t(o);
  const std::size_t warm = std::min<std::size_t>(200, iters / 10 + 1);
  std::string f;
  f.reserve(16 * 1024);
  MmPath book, trade, confirm;
  // Book frames first: the quote stays on the bid and follows the best bid up and down.
  for (std::size_t i = 0; i < warm + iters; ++i) {
    f = t.next_book_frame();
    book.run(t, f, bb::MmWire::kCancel, i >= warm, "book frame");
    f = t.cancel_confirmation_frame();
    confirm.run(t, f, bb::MmWire::kPlace, i >= warm, "cancel confirmation");
    t.accept_quote();
  }
  // Then prints: each switches the side, so each cancels the quote. A quiet book frame between them keeps
  // the book fresh (the stale-book breaker).
  for (std::size_t i = 0; i < warm + iters; ++i) {
    f = t.next_quiet_book_frame();
    if (t.on_frame(f) != bb::MmWire::kNone) throw std::runtime_error("a quiet book frame wrote a request");
    f = t.next_trade_frame();
    trade.run(t, f, bb::MmWire::kCancel, i >= warm, "trade frame");
    f = t.cancel_confirmation_frame();
    confirm.run(t, f, bb::MmWire::kPlace, false, "cancel confirmation");
    t.accept_quote();
  }
  if (t.parse_errors() != 0 || t.write_errors() != 0)
    throw std::runtime_error("parse or write errors: " + std::to_string(t.parse_errors()) + ", " +
                             std::to_string(t.write_errors()));

  // Through the daemon's RestClient to an in-process bpsim server on 127.0.0.1 (one io_context, as in paper
  // mode): frame -> the RestClient call returned (the request on its way to the socket) and -> bpsim's answer.
  const std::size_t loop_iters = a.num("loopback-iterations", 2000);
  Histogram lb_cancel_handoff, lb_cancel_answer, lb_place_handoff, lb_place_answer;
  std::uint64_t lb_allocs = 0;
  if (loop_iters > 0) {
    bb::Loopback lb;
    lb.start_for(t.key());
    t.set_rest(lb.rest.get());
    auto wait = [&] {
      const std::int64_t deadline = bb::steady_ns() + 5'000'000'000LL;
      while (!t.answered() && bb::steady_ns() < deadline) lb.io.run_one_for(std::chrono::milliseconds(100));
      if (!t.answered()) throw std::runtime_error("loopback: no answer from bpsim within 5 s");
    };
    const std::size_t lwarm = std::min<std::size_t>(50, loop_iters / 10 + 1);
    for (std::size_t i = 0; i < lwarm + loop_iters; ++i) {
      const bool measured = i >= lwarm;
      f = t.next_book_frame();
      if (measured) bb::alloc_counting_begin();
      std::int64_t t0 = bb::steady_ns();
      if (t.on_frame(f) != bb::MmWire::kCancel) throw std::runtime_error("loopback: the book frame sent no cancel");
      if (measured) lb_allocs += bb::alloc_counting_end().allocations;
      wait();
      if (measured) {
        lb_cancel_handoff.add(t.handed_ns() - t0);
        lb_cancel_answer.add(t.answered_ns() - t0);
      }
      f = t.cancel_confirmation_frame();
      if (measured) bb::alloc_counting_begin();
      t0 = bb::steady_ns();
      if (t.on_frame(f) != bb::MmWire::kPlace) throw std::runtime_error("loopback: the confirmation sent no quote");
      if (measured) lb_allocs += bb::alloc_counting_end().allocations;
      wait();
      if (measured) {
        lb_place_handoff.add(t.handed_ns() - t0);
        lb_place_answer.add(t.answered_ns() - t0);
      }
      t.accept_quote();
    }
    t.set_rest(nullptr);
    lb.srv->stop();
    lb.io.poll();
  }
  std::printf(
      "mm-to-wire: market maker on SOL_USDC_PERP, %zu replaces per path measured (+%zu warm-up), bpsim book "
      "(seed %" PRIu64 ")\n",
      iters, warm, o.seed);
  std::printf("  %-34s %8s %9s %9s %9s %9s %9s\n", "stage (µs)", "n", "p50", "p90", "p99", "p99.9", "max");
  book.rows("book frame -> cancel request bytes");
  trade.rows("trade frame -> cancel request bytes");
  confirm.rows("cancel confirmed -> new quote bytes");
  std::printf("  allocations: %" PRIu64 " in %zu book frames, %" PRIu64 " in %zu trade frames, %" PRIu64
              " in %zu confirmations; mean thread CPU per frame: book %.2f µs, trade %.2f µs, confirmation %.2f µs\n",
              book.allocs, iters, trade.allocs, iters, confirm.allocs, iters,
              static_cast<double>(book.cpu_ns) / 1000.0 / static_cast<double>(iters),
              static_cast<double>(trade.cpu_ns) / 1000.0 / static_cast<double>(iters),
              static_cast<double>(confirm.cpu_ns) / 1000.0 / static_cast<double>(iters));
  if (loop_iters > 0) {
    hist_row("loopback: book frame -> cancel handoff", lb_cancel_handoff);
    hist_row("loopback: book frame -> bpsim answer", lb_cancel_answer);
    hist_row("loopback: confirmed -> quote handoff", lb_place_handoff);
    hist_row("loopback: confirmed -> bpsim answer", lb_place_answer);
    std::printf(
        "  loopback: %.2f allocations per frame through RestClient (handoff); %" PRIu64
        " answers were refusals (bpsim's own book differs from the harness's: the answer still times the trip)\n",
        static_cast<double>(lb_allocs) / static_cast<double>(2 * loop_iters), t.refused_answers());
  }
  std::printf("  requests: %" PRIu64 " cancels, %" PRIu64 " quotes sent; last written: %zu bytes\n",
              t.cancels_written(), t.places_written(), t.wire().size());
  std::printf("{\"replaces\":%zu,\"book_to_cancel\":%s,\"trade_to_cancel\":%s,\"confirm_to_quote\":%s", iters,
              book.json(iters).c_str(), trade.json(iters).c_str(), confirm.json(iters).c_str());
  if (loop_iters > 0)
    std::printf(
        ",\"loopback_cancel_handoff\":%s,\"loopback_cancel_answer\":%s,\"loopback_quote_handoff\":%s,"
        "\"loopback_quote_answer\":%s,\"loopback_allocs_per_frame\":%.2f",
        hist_json(lb_cancel_handoff).c_str(), hist_json(lb_cancel_answer).c_str(), hist_json(lb_place_handoff).c_str(),
        hist_json(lb_place_answer).c_str(), static_cast<double>(lb_allocs) / static_cast<double>(2 * loop_iters));
  std::printf("}\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string_view cmd = argv[1];
  try {
    if (cmd == "gen-depth")
      return cmd_gen_depth(
          parse_args(argc, argv, {"symbol", "frames", "seed", "frames-out", "snapshot-out", "keep-levels"}));
    if (cmd == "convert-binance")
      return cmd_convert_binance(parse_args(argc, argv, {"format", "in", "symbol", "snapshot-out", "frames-out"}));
    if (cmd == "depth-replay")
      return cmd_depth_replay(parse_args(argc, argv, {"snapshot", "frames", "repeat", "tick", "step"}));
    if (cmd == "mm-to-wire")
      return cmd_mm_to_wire(parse_args(argc, argv, {"iterations", "loopback-iterations", "seed"}));
    if (cmd == "xarb-to-wire")
      return bb::run_xarb_to_wire(parse_args(argc, argv, {"iterations"}).num("iterations", 20000));
    if (cmd == "tick-to-wire")
      return cmd_tick_to_wire(parse_args(argc, argv,
                                         {"iterations", "loopback-iterations", "seed", "pairs", "service-seconds",
                                          "service-rounds", "service-pace-us"}));
    std::fprintf(stderr, "bparb-bench: unknown command %s\n%s", argv[1], kUsage);
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bparb-bench: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bparb-bench: %s\n", e.what());
    return 1;
  }
}
