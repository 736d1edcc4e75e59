#pragma once
// The backtest replay runner: recorded lines -> the venue's recorded-frame decoder (sim/recorded_frames.hpp:
// neutral depth, trade and mark events), then the same DepthSync/OrderBook, BasisEvaluator,
// RiskGate and ArbEngine as the live daemon, with a virtual clock, and bpsim's pure Exchange as the venue.
// Pure: no sockets, no wall clock, no logging per frame.
//
// Per recorded line, in receive-time order:
//   1. the virtual clock walks to the line's time; on the way every due venue event is delivered
//      (orders reaching the exchange after the outbound latency, their acks and order-stream updates
//      coming back after the return latency, engine timer ticks, account snapshots, funding);
//   2. the line's decoded event is applied exactly like live (DepthSync -> OrderBook, on_book_update,
//      on_funding_info); recorded trades drive the maker queue model.
// Venue: the simulated venue client (backtest/sim_venue.hpp) takes the engine's commands and answers with
// its order events after the venue's latency; its background liquidity is the recorded book and recorded
// trades drive its maker queue model (backtest/queue_model.hpp). Mark and index follow the recorded mids
// (perp mark = perp mid, index = spot mid), so funding and margin work. The runner is the loop: decoded
// events -> books -> engine, the clock, and the report.
// [strategy] kind = "cross_venue" (RunnerConfig::xarb): Backpack's perp and Lighter's, each with its own
// simulated venue, traded by CrossVenueStrategy in the same engine (backtest/xarb_replay.hpp, docs/backtest.md §6).
// Deterministic: same frames + same RunnerConfig -> same BacktestResult.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bparb/backtest/result.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/record/frame_source.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/strategy/cross_venue/cross_venue_strategy.hpp"
#include "bparb/strategy/fee_model.hpp"
#include "bparb/strategy/market_maker/mm_params.hpp"

namespace bparb::backtest {

class ParsedRecording;  // parsed_recording.hpp
class ParsedSource;

struct PairSetup {
  std::string name;  // "SOL"
  MarketSpec spot;   // as the exchange lists it (tick/step must match the recording)
  MarketSpec perp;
};

// One-way latency between the engine and the exchange, each direction sampled separately: the simulated
// venue's entry and response parts (sim_venue.hpp VenueLatency); both are this unless response_fixed_us
// is set (samples, when given, are drawn in both directions).
struct LatencyModel {
  DurationUs fixed_us = 5 * kUsPerMs;
  std::optional<DurationUs> response_fixed_us;  // set: the venue -> engine direction's fixed part instead
  std::vector<DurationUs> samples_us;           // non-empty: each trip draws one of these (seeded, uniform)
  std::uint64_t seed = 1;
};

// [strategy] kind = "cross_venue": the same coin's perp on Backpack (leg 0) and on Lighter (leg 1), traded by
// CrossVenueStrategy through the engine; Lighter's orders go to a simulated venue of their own
// (backtest/xarb_replay.hpp).
struct XarbSetup {
  std::string coin;     // "BTC"
  MarketSpec backpack;  // Backpack's perp, as the recording names it
  MarketSpec lighter;   // Lighter's perp, with the recording's symbol ("lighter:<market id>")
  CrossVenueStrategyParams params;
  Decimal lighter_quote_balance = Decimal::from_int(100'000);  // the Lighter account's starting USDC
};

struct RunnerConfig {
  std::vector<PairSetup> pairs;
  exec::EngineParams engine;
  RiskLimits risk;
  FeeSchedule fees;                                        // bps, charged by the exchange and known to the engine
  Decimal quote_balance = Decimal::from_int(100'000);      // starting USDC
  Decimal base_inventory_usd = Decimal::from_int(10'000);  // spot inventory per pair, bought at the first spot mid
  LatencyModel latency;
  TimestampUs from_us = 0;  // lines before it warm the books only (no trading); 0 = from the start
  TimestampUs to_us = 0;    // lines after it are not replayed; 0 = to the end
  std::uint64_t sample_interval_us = kUsPerSecond;    // equity / basis chart resolution
  DurationUs timer_interval_us = 200 * kUsPerMs;      // engine on_timer cadence (as the daemon)
  DurationUs account_interval_us = 2 * kUsPerSecond;  // account snapshot cadence (as the daemon's poll)
  bool queue_model = true;                            // false: resting orders fill only when the book crosses them
  // [strategy] kind = "market_maker": the market maker (strategy/market_maker/mm_runner.hpp) quotes each of
  // these perps on the engine's order entry, as the daemon does; `pairs` may then be empty (no basis trade).
  std::vector<MarketSpec> mm_markets;
  MmParams mm;
  std::optional<XarbSetup> xarb;  // set: the cross-venue strategy; `pairs` and `mm_markets` must be empty
  std::string config_path;        // echoed into the result
  std::string data_path;
};

// One of our fills as the engine received it (diagnostics, tests).
struct FillLog {
  TimestampUs t = 0;  // when the engine received it (exchange time + return latency)
  std::string symbol;
  Side side = Side::kBid;
  Decimal quantity;
  Decimal price;
  Decimal fee;
  bool maker = false;
};

// Counters that are not part of the report contract (diagnostics, tests).
struct RunnerStats {
  std::uint64_t orders_sent = 0;
  std::uint64_t orders_rejected = 0;
  std::uint64_t fills = 0;
  std::uint64_t maker_fills = 0;
  std::uint64_t tape_fills = 0;      // fills produced by the queue model
  std::uint64_t depth_frames = 0;    // engine side
  std::uint64_t snapshots = 0;       // rest_depth lines applied by the engine side
  std::uint64_t trades_seen = 0;     // recorded trade frames
  std::uint64_t unknown_symbol = 0;  // frames for markets no pair uses
  std::uint64_t other_frames = 0;    // bookTicker, ticker, ...
  std::uint64_t crossed_books = 0;   // engine books crossed after an update (bad data)
  std::uint64_t venue_refusals = 0;  // background levels the venue refused (e.g. crossed recorded book)
  std::uint64_t funding_payments = 0;
  std::vector<FillLog> fill_log;  // every fill, in delivery order
  std::uint64_t mm_positions_given =
      0;  // venue positions handed to the market maker (account ticks, nothing in flight)
};

class Runner {
 public:
  // Throws std::invalid_argument for an unusable setup (no pairs, no market-maker perp and no cross-venue pair;
  // a cross-venue pair with anything else; a cross-venue leg not PERP; spot not SPOT /
  // perp not PERP, market-maker parameters the market maker refuses,
  // engine/risk parameters the engine refuses).
  explicit Runner(RunnerConfig config);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Replays `source` to its end (or config.to_us). One Runner runs once.
  BacktestResult run(record::FrameSource& source);
  // Replays already-parsed events (a sweep parses the recording once for all its grid points); the
  // result is the same as run() over the lines they were parsed from.
  BacktestResult run(const ParsedRecording& parsed);
  // Replays parsed events chunk by chunk (ParseAhead: the recording parsed on a thread of its own).
  BacktestResult run(ParsedSource& source);

  const RunnerStats& stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "5" / "1.5" seconds, or ISO-8601 UTC "2024-08-08T23:55:00Z" (fraction and 'Z' optional, ' ' or 'T')
// -> µs since the epoch. False if malformed.
bool parse_time_arg(const std::string& s, TimestampUs& out) noexcept;

}  // namespace bparb::backtest
