// bparb_depth_replay: replays a recorded depth feed through OrderBook + DepthSync and reports what
// happened: sync/gap/resync counters, malformed input, time per delta, and — the point of the tool —
// whether the rebuilt book agrees with the venue's own bookTicker whenever both carry the same update id.
//
//   zcat "$BPARB_SAMPLE_DATA_DIR"/hftbacktest/examples/usdm/btcusdt_20240808.gz |
//     bparb_depth_replay --format binance-usdm --tick 0.1 --step 0.001 -
//
// Tool, not hot path: exceptions, iostreams and std::chrono::steady_clock (for the timing report only)
// are fine here.
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "recorded_depth.hpp"

namespace {

using bparb::Decimal;
using bparb::Side;

constexpr const char* kUsage =
    "usage: bparb_depth_replay --format binance-spot|binance-usdm|backpack [options] FILE|-\n"
    "  --tick X            price tick (default: binance-spot 0.01, binance-usdm 0.1, backpack 0.01)\n"
    "  --step X            quantity step (default: binance-spot 0.00001, binance-usdm 0.001, backpack 0.01)\n"
    "  --ts-unit ns|us     unit of the local timestamp prefix of each line (default ns)\n"
    "  --snapshot-delay N  DepthSync snapshot_delay (default 10)\n"
    "  --max-buffered N    DepthSync ring size (default 1024)\n"
    "  --print-every N     print the top of book every N depth frames (default 0 = never)\n"
    "  --levels N          levels per side printed in the final book (default 5)\n"
    "  --max-errors N      malformed lines reported individually (default 5)\n"
    "Input: one message per line, '<local_ts> <json>' or bare JSON; gzip input must be piped through zcat.\n";

struct Options {
  bparb::bench::FeedFormat format = bparb::bench::FeedFormat::kBinanceSpot;
  bool have_format = false;
  std::string tick;
  std::string step;
  std::int64_t ts_div = 1000;
  std::size_t snapshot_delay = 10;
  std::size_t max_buffered = 1024;
  std::uint64_t print_every = 0;
  std::size_t levels = 5;
  std::uint64_t max_errors = 5;
  std::string path;
};

std::uint64_t to_count(const char* flag, const char* v) {
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || v[0] == '-')
    throw std::invalid_argument(std::string(flag) + ": expected a non-negative integer, got \"" + v + "\"");
  return n;
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--format") {
      const char* v = value();
      if (!bparb::bench::parse_feed_format(v, o.format))
        throw std::invalid_argument(std::string("--format: unknown format \"") + v + "\"");
      o.have_format = true;
    } else if (a == "--tick") {
      o.tick = value();
    } else if (a == "--step") {
      o.step = value();
    } else if (a == "--ts-unit") {
      std::string_view v = value();
      if (v == "ns") {
        o.ts_div = 1000;
      } else if (v == "us") {
        o.ts_div = 1;
      } else {
        throw std::invalid_argument("--ts-unit: expected ns or us");
      }
    } else if (a == "--snapshot-delay") {
      o.snapshot_delay = to_count("--snapshot-delay", value());
    } else if (a == "--max-buffered") {
      o.max_buffered = to_count("--max-buffered", value());
    } else if (a == "--print-every") {
      o.print_every = to_count("--print-every", value());
    } else if (a == "--levels") {
      o.levels = to_count("--levels", value());
    } else if (a == "--max-errors") {
      o.max_errors = to_count("--max-errors", value());
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (a == "-" || a.empty() || a[0] != '-') {
      if (!o.path.empty()) throw std::invalid_argument("more than one input file");
      o.path = std::string(a);
    } else {
      throw std::invalid_argument("unknown option " + std::string(a));
    }
  }
  if (!o.have_format) throw std::invalid_argument("--format is required");
  if (o.path.empty()) throw std::invalid_argument("no input file (use - for stdin)");
  if (o.path.size() > 3 && o.path.ends_with(".gz"))
    throw std::invalid_argument("gzip input: run `zcat " + o.path + " | bparb_depth_replay ... -`");
  using bparb::bench::FeedFormat;
  if (o.tick.empty()) o.tick = o.format == FeedFormat::kBinanceUsdm ? "0.1" : "0.01";
  if (o.step.empty())
    o.step = o.format == FeedFormat::kBinanceSpot ? "0.00001" : o.format == FeedFormat::kBinanceUsdm ? "0.001" : "0.01";
  return o;
}

void print_top(const bparb::OrderBook& b, const char* prefix) {
  auto bid = b.best_bid();
  auto ask = b.best_ask();
  std::printf("%sid=%" PRId64 " valid=%d bid=%s x %s ask=%s x %s levels=%zu/%zu\n", prefix, b.last_update_id(),
              b.valid() ? 1 : 0, bid.empty ? "-" : bid.price.str().c_str(),
              bid.empty ? "-" : bid.quantity.str().c_str(), ask.empty ? "-" : ask.price.str().c_str(),
              ask.empty ? "-" : ask.quantity.str().c_str(), b.level_count(Side::kBid), b.level_count(Side::kAsk));
}

int run(const Options& o) {
  bparb::MarketSpec spec;
  spec.symbol = "REPLAY";
  spec.tick_size = Decimal::from_string(o.tick);
  spec.step_size = Decimal::from_string(o.step);
  bparb::OrderBook book(spec);
  bparb::DepthSyncConfig cfg;
  cfg.snapshot_delay = o.snapshot_delay;
  cfg.max_buffered = o.max_buffered;
  bparb::DepthSync sync(book, cfg);
  bparb::bench::RecordedLineParser parser(o.format, o.ts_div);

  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.path != "-") {
    file.open(o.path);
    if (!file) throw std::runtime_error("cannot open " + o.path + ": " + std::strerror(errno));
    in = &file;
  }

  bparb::DepthDelta delta;
  bparb::DepthSnapshot snapshot;
  bparb::bench::TopQuote quote;
  std::string line;
  std::uint64_t line_no = 0, depth = 0, snapshots = 0, tickers = 0, other = 0, errors = 0;
  std::uint64_t levels_in = 0, synced_frames = 0, requests_unanswered = 0;
  std::uint64_t checks = 0, mismatches = 0;
  std::int64_t apply_ns = 0;
  bool request_pending = false;
  while (std::getline(*in, line)) {
    ++line_no;
    bparb::TimestampUs local_us = 0;
    const auto kind = parser.parse(line, delta, snapshot, quote, local_us);
    switch (kind) {
      case bparb::bench::LineKind::kDepth: {
        ++depth;
        levels_in += delta.bids.size() + delta.asks.size();
        const auto t0 = std::chrono::steady_clock::now();
        const bparb::SyncAction a = sync.on_delta(delta, local_us);
        apply_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
        if (a == bparb::SyncAction::kRequestSnapshot) request_pending = true;
        if (sync.synced()) ++synced_frames;
        if (o.print_every != 0 && depth % o.print_every == 0) print_top(book, "  ");
        break;
      }
      case bparb::bench::LineKind::kSnapshot: {
        ++snapshots;
        const bparb::SyncAction a = sync.on_snapshot(snapshot, local_us);
        request_pending = a == bparb::SyncAction::kRequestSnapshot;
        std::printf("line %" PRIu64 ": snapshot lastUpdateId=%" PRId64 " (%zu bids, %zu asks) -> %s\n", line_no,
                    snapshot.last_update_id, snapshot.bids.size(), snapshot.asks.size(), bparb::to_string(a));
        break;
      }
      case bparb::bench::LineKind::kBookTicker: {
        ++tickers;
        if (!sync.synced() || quote.update_id != book.last_update_id()) break;
        ++checks;
        const auto bid = book.best_bid();
        const auto ask = book.best_ask();
        const bool ok = bid.empty != quote.has_bid && ask.empty != quote.has_ask &&
                        (!quote.has_bid || (bid.price == quote.bid && bid.quantity == quote.bid_qty)) &&
                        (!quote.has_ask || (ask.price == quote.ask && ask.quantity == quote.ask_qty));
        if (!ok && ++mismatches <= o.max_errors) {
          std::printf("line %" PRIu64 ": MISMATCH at id %" PRId64 ": bookTicker %s x %s / %s x %s, ", line_no,
                      quote.update_id, quote.bid.str().c_str(), quote.bid_qty.str().c_str(), quote.ask.str().c_str(),
                      quote.ask_qty.str().c_str());
          print_top(book, "book ");
        }
        break;
      }
      case bparb::bench::LineKind::kOther:
        ++other;
        break;
      case bparb::bench::LineKind::kError:
        if (++errors <= o.max_errors) std::printf("line %" PRIu64 ": malformed: %s\n", line_no, parser.error().c_str());
        break;
    }
  }
  if (in->bad()) throw std::runtime_error("read error on " + o.path);
  if (request_pending && !sync.synced()) requests_unanswered = 1;

  const bparb::DepthSyncStats& st = sync.stats();
  std::printf("\nlines %" PRIu64 ": depth %" PRIu64 ", snapshots %" PRIu64 ", bookTicker %" PRIu64 ", other %" PRIu64
              ", malformed %" PRIu64 "\n",
              line_no, depth, snapshots, tickers, other, errors);
  std::printf("sync: state %s, frames while synced %" PRIu64 " (%.1f%%), applied %" PRIu64 ", buffered %" PRIu64
              ", dropped %" PRIu64 ", gaps %" PRIu64 ", resyncs %" PRIu64 ", malformed %" PRIu64
              ", rejected levels %" PRIu64 ", snapshots used %" PRIu64 ", too old %" PRIu64 ", requests %" PRIu64
              ", overflows %" PRIu64 ", crossed %" PRIu64 "%s\n",
              bparb::to_string(sync.state()), synced_frames,
              depth ? 100.0 * static_cast<double>(synced_frames) / static_cast<double>(depth) : 0.0, st.applied,
              st.buffered, st.dropped, st.gaps, st.resyncs, st.malformed, st.rejected_levels, st.snapshots,
              st.snapshots_too_old, st.snapshot_requests, st.overflows, st.crossed,
              requests_unanswered ? " (last snapshot request unanswered: the recording has no later snapshot)" : "");
  std::printf("bookTicker cross-check (same update id): %" PRIu64 " checked, %" PRIu64 " mismatches\n", checks,
              mismatches);
  if (depth > 0)
    std::printf("on_delta: %.0f ns/frame, %.1f levels/frame (steady_clock, includes buffering)\n",
                static_cast<double>(apply_ns) / static_cast<double>(depth),
                static_cast<double>(levels_in) / static_cast<double>(depth));
  print_top(book, "final: ");
  for (std::size_t i = 0; i < o.levels; ++i) {
    auto b = book.level(Side::kBid, i);
    auto a = book.level(Side::kAsk, i);
    if (b.empty && a.empty) break;
    std::printf("  %14s %14s | %-14s %-14s\n", b.empty ? "" : b.quantity.str().c_str(),
                b.empty ? "" : b.price.str().c_str(), a.empty ? "" : a.price.str().c_str(),
                a.empty ? "" : a.quantity.str().c_str());
  }
  return mismatches == 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bparb_depth_replay: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bparb_depth_replay: %s\n", e.what());
    return 1;
  }
}
