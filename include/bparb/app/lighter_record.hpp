#pragma once
// `bparb record --venue lighter`: records a Lighter venue's public market data in the recording format
// (include/bparb/record/recording.hpp) with the `lighter` venue tag, so that a replay feeds the lines
// through the same decoder as the live session (LighterWs::handle_frame).
//
// For every market it records, `order_book/{m}` and `trade/{m}` frames exactly as received, stamped
// with the local receive time, into DIR/lighter_<SYMBOL>/<YYYY-MM-DD>.frames.gz, plus `event` lines:
// {"type":"reconnect"} after a disconnect and {"type":"resync"} when the book sync found a break (the
// session then subscribes again and the venue's next snapshot follows in the file). The session is the
// daemon's own LighterWs: pings, reconnects with back-off and book re-subscriptions behave the same.
// Markets: the perp markets whose Lighter symbol is an enabled pair's base (SOL, BTC, ...), from
// orderBookDetails of [venues.lighter] rest_url.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/venue/lighter/messages.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::app {

struct Config;

struct LighterRecorderOptions {
  std::string out_dir;
  std::string ws_url;  // "wss://mainnet.zklighter.elliot.ai/stream" or bpsim's "ws://127.0.0.1:PORT/stream"
  DurationUs flush_interval_us = kUsPerSecond;  // gzip sync flush: a crash loses at most this much
  DurationUs reconnect_initial_us = 250 * kUsPerMs;
};

struct LighterRecordStats {
  std::map<std::string, std::uint64_t> frames;  // frames written per market directory
  std::uint64_t reconnects = 0;
  std::uint64_t resyncs = 0;
  std::uint64_t other_frames = 0;  // connected, pongs, acks, errors: not written
  std::string to_string() const;
};

// The directory a Lighter market is recorded under: "lighter_" + its symbol ('/' and other characters
// outside [A-Za-z0-9_-] become '-').
std::string lighter_market_dir(const lighter::MarketDetails& m);

class LighterRecorder {
 public:
  // Creates out_dir. Throws std::runtime_error / std::invalid_argument on bad options. `clock` stamps
  // the receive times and must outlive the recorder; everything runs on `io`'s thread.
  LighterRecorder(boost::asio::io_context& io, const Clock& clock, std::vector<lighter::MarketDetails> markets,
                  LighterRecorderOptions opts);
  ~LighterRecorder();
  LighterRecorder(const LighterRecorder&) = delete;
  LighterRecorder& operator=(const LighterRecorder&) = delete;

  void start();
  // Closes the session, flushes and closes every file. Idempotent.
  void stop();
  const LighterRecordStats& stats() const noexcept;
  // Non-empty once a file error stopped the recorder.
  const std::string& error() const noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The whole command for [venues.lighter]: fetches the markets, records until `duration_us` (0 = until
// SIGINT/SIGTERM). Throws std::runtime_error on start-up failures (no section, no market, unreachable).
LighterRecordStats run_lighter_record(const Config& cfg, const std::string& out_dir, DurationUs duration_us);

}  // namespace bparb::app
