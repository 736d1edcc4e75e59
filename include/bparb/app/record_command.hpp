#pragma once
// `bparb record --config FILE --out DIR [--duration S]`: market-data recorder.
//
// Subscribes depth, bookTicker, trade and markPrice (perps) for every enabled pair's spot and perp market
// and writes every raw WebSocket frame, stamped with its local receive time, to
//   DIR/<market>/<YYYY-MM-DD>.frames.gz      (format: tests/record/FORMAT.md; new file at each UTC midnight)
// together with the REST depth snapshots the book sync used (`rest_depth` lines, at start and after every
// gap or reconnect) and `event` lines for reconnects ({"type":"reconnect"}) and sequence gaps
// ({"type":"gap"}). Each market's book is kept with the same DepthSync/OrderBook as the daemon, so the
// recording holds exactly what a consumer needs to rebuild the books (tests/integration/record_replay_test).
// Alongside, per pair: DIR/bbo_<BASE>_<YYYY-MM-DD>.csv (one row per bookTicker change) and
// DIR/trades_<BASE>_<YYYY-MM-DD>.csv (header only: the recorder never trades).
// Paper mode records from an embedded bpsim exactly like `bparb run` (no network).
// `--venue lighter` records a Lighter venue instead (lighter_record.hpp).
// A config with [strategy] kind = "cross_venue" records both legs in one process (xarb_record.hpp).
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/market_spec.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::app {

struct Config;

struct RecordPair {
  std::string base;  // "SOL": names the CSV files
  MarketSpec spot;   // empty symbol: the perp alone, without the pair's CSV files (the cross-venue leg)
  MarketSpec perp;
};

struct RecorderOptions {
  std::string out_dir;
  std::string rest_url;  // "http://127.0.0.1:PORT" or https://api.backpack.exchange
  std::string ws_url;
  DurationUs rest_timeout_us = 5 * kUsPerSecond;
  DurationUs ws_silence_timeout_us = 30 * kUsPerSecond;  // no frame for this long -> reconnect
  DurationUs reconnect_initial_us = 250 * kUsPerMs;
  DurationUs flush_interval_us = kUsPerSecond;          // gzip sync flush + CSV flush: a crash loses at most this much
  DurationUs snapshot_retry_delay_us = 250 * kUsPerMs;  // the REST book lags the stream: retry a too-old one
  int snapshot_limit = 1000;
  DepthSyncConfig sync;  // same defaults as the daemon's MarketDataFeed
};

struct RecordStats {
  std::map<std::string, std::uint64_t> frames;  // ws frames written per market
  std::uint64_t snapshots = 0;                  // rest_depth lines written
  std::uint64_t snapshot_failures = 0;          // REST depth requests that failed (retried)
  std::uint64_t gaps = 0;                       // depth sequence gaps (event lines)
  std::uint64_t reconnects = 0;                 // WebSocket disconnects (event lines)
  std::uint64_t other_frames = 0;               // frames for no recorded market (acks, errors): not written
  std::uint64_t malformed_frames = 0;           // frames that failed to parse (still written if their market is known)
  std::uint64_t bbo_rows = 0;
  std::uint64_t bytes = 0;        // compressed bytes in the .frames.gz files (+ CSV bytes)
  std::string to_string() const;  // the one-line summary `bparb record` prints
};

class Recorder {
 public:
  // Called after every change of a valid book (delta applied or snapshot synced), with the DepthSync's
  // last update id. Used by the record->replay proof; not needed for recording.
  using BookHook = std::function<void(std::string_view symbol, const OrderBook& book, std::int64_t last_update_id)>;

  // Creates out_dir. Throws std::runtime_error / std::invalid_argument on bad options. `clock` stamps the
  // receive times and must outlive the recorder; everything runs on `io`'s thread.
  Recorder(boost::asio::io_context& io, const Clock& clock, std::vector<RecordPair> pairs, RecorderOptions opts);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void on_book_update(BookHook hook);
  void start();
  // Closes the WebSocket, cancels timers and pending snapshots, flushes and closes every file. Idempotent.
  void stop();
  RecordStats stats() const;
  // Non-empty once a file error (disk full, ...) stopped the recorder.
  const std::string& error() const noexcept;
  const OrderBook* book(std::string_view symbol) const noexcept;  // nullptr if not recorded
  bool book_valid(std::string_view symbol) const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The whole command: paper mode starts an embedded bpsim (paper.sim_config, loopback, like the daemon);
// fetches the markets, records until `duration_us` (0 = until SIGINT/SIGTERM), stops cleanly.
// Throws std::runtime_error on start-up failures (unknown market, unreachable exchange).
RecordStats run_record(const Config& cfg, const std::string& out_dir, DurationUs duration_us);

int cmd_record(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
