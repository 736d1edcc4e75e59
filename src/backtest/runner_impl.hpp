#pragma once
// The backtest runner's state and steps (runner.hpp), shared by its files: runner.cpp (set-up, the clock,
// the recorded lines), runner_results.cpp (the engine's events -> the result, equity, the end of the run).
// Internal to src/backtest.
#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>
#include <variant>

#include "bparb/backtest/coverage.hpp"
#include "bparb/backtest/parsed_recording.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/backtest/sim_venue.hpp"
#include "bparb/backtest/watched_books.hpp"
#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/sim/recorded_frames.hpp"
#include "mm_replay.hpp"
#include "xarb_replay.hpp"

namespace bparb::backtest {

struct Runner::Impl final : exec::CommandSink, exec::EngineObserver, VenueEventSink {
  // ---- set-up
  // One market: the engine's book (the recorded book, followed exactly as live), also the simulated
  // venue's market `market` (its background liquidity).
  struct EngineBook {
    const MarketSpec* spec = nullptr;
    PairIndex pair = 0;
    bool spot = true;
    std::size_t market = 0;  // index in the venue (and in `books`)
    std::unique_ptr<OrderBook> book;
    std::unique_ptr<DepthSync> sync;
    std::size_t validity_index = 0;  // in `validity`
    std::size_t mm = SIZE_MAX;       // a market-maker perp: its index in `mm` (no pair)
    std::size_t mm_funding = 0;      // ... in `funding_feeds`
    SimVenue* venue = nullptr;       // the simulated venue that lists it (Lighter's for the cross-venue leg 1)
    Decimal mid;                     // cross-venue: the last mid given to its venue as mark and index
    std::uint64_t lines = 0;         // depth and snapshot lines applied
  };
  struct PairState {
    std::string name;
    const MarketSpec* spot = nullptr;
    const MarketSpec* perp = nullptr;
    EngineBook* spot_book = nullptr;
    EngineBook* perp_book = nullptr;
    bool inventory_deposited = false;
    TimestampUs last_basis_sample_us = -1;
    std::vector<double> perp_premium, spot_premium;
    std::size_t open_trade = SIZE_MAX;  // index into result.trades
    double last_exit_basis_bps = 0;
    ExitReason last_exit_reason = ExitReason::kNone;
    std::uint64_t episodes_seen = 0;  // portfolio opportunity count when this pair last reported one
    bool refusal_counted = false;     // a refusal reason was counted for the current episode
    Decimal spot_mid, perp_mid;       // last mids given to the venue as mark/index
    bool marks_dirty = false;
    std::size_t funding_index = 0;  // in `funding_feeds`
    bool cross_venue = false;       // spot_book is Backpack's perp (leg 0), perp_book Lighter's (leg 1)
  };
  explicit Impl(RunnerConfig c);
  std::unique_ptr<EngineBook> make_book(const MarketSpec* spec, PairIndex pair, bool spot);

  // ---- CommandSink: the kernel's commands go to the simulated venue
  void place_orders(std::span<const exec::OrderSpec> specs_in) override;
  void cancel_order(InstrumentId instrument, oms::ClientId client_id) override;
  void query_order(InstrumentId instrument, oms::ClientId client_id) override;

  // ---- VenueEventSink: the venue's answers go to the engine
  void on_order_ack(const exec::OrderAck& ack, TimestampUs now) override;
  void on_order_update(const exec::OrderUpdate& u, TimestampUs now) override;
  void on_order_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed,
                      TimestampUs now) override;

  // ---- EngineObserver: the kernel's events -> result (the ones the report does not use are ignored)
  void on_event(const exec::EngineEvent& e) override;
  template <typename Event>
  void observe(const Event&) {}
  const std::string& pair_name(PairIndex p) const;

  // The engine reports an opportunity at the start of each episode (spread excursion) and again every
  // opportunity_log_interval while it lasts; risk refusals come on every attempt. One refusal is counted
  // per episode: the first reason it was not taken.
  void observe(const exec::event::Opportunity& e);
  void observe(const exec::event::EntryRefused& e);
  void observe(const exec::event::PositionOpened& e);
  void observe(const exec::event::ExitSignalled& e);
  void observe(const exec::event::PositionClosed& e);
  void observe(const exec::event::Fill& e);
  void on_fill(const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee, bool maker);
  void observe(const exec::event::OrderRejected&);
  // The market maker's orders (exec/order_entry.hpp).
  void observe(const exec::event::SingleOrderFill& e);
  void observe(const exec::event::SingleOrderRejected&);
  void count_refusal(std::string_view reason);
  PairState& pair_by_name(std::string_view name);
  EngineBook* book_of(std::string_view symbol) noexcept;

  // ---- account and funding
  void send_account();
  void book_funding(const std::vector<sim::FundingPayment>& payments);
  TimestampUs next_funding_boundary(TimestampUs now) const noexcept;

  // ---- equity
  Decimal exit_mark(const EngineBook& b, Decimal qty) const noexcept;
  Decimal pair_unrealized(const PairState& p) const noexcept;
  void equity_point(TimestampUs t);

  // ---- the clock: walk to `t`, delivering everything due on the way
  void advance_to(TimestampUs t);

  // ---- engine side of one line
  void book_changed(EngineBook& b, TimestampUs now);

  // The venue's mark/index follow the recorded mids (perp mark = perp mid, index = spot mid; spot mark =
  // index = spot mid) like bpsim's ReplayModel, so funding and margin work. Only on change: it is cheap
  // but runs per book update.
  void update_marks(PairState& p);
  void xarb_book_changed(EngineBook& b, PairState& p, TimestampUs now);
  void add_xarb_pair();
  void basis_sample(PairState& p, TimestampUs now);
  void after_sync(EngineBook& b, bool was_synced, SyncAction a, TimestampUs now);

  // ---- engine side of one parsed line (parsed_recording.hpp)
  void engine_depth(const ParsedRecording& r, const ParsedEvent& e, TimestampUs now);
  void engine_mark(const ParsedRecording& r, const ParsedEvent& e);
  void engine_trade(const ParsedRecording& r, const ParsedEvent& e);
  void engine_snapshot(const ParsedRecording& r, const ParsedEvent& e);
  void engine_reset(const ParsedRecording& r, const ParsedEvent& e);
  void engine_line(const ParsedRecording& r, const ParsedEvent& e);

  // ---- coverage (coverage.hpp): book validity and the funding feed, outside the replay logic proper
  void note_validity(TimestampUs t) noexcept;
  // A recorded funding rate (markPrice frame) for the perp's settlement at its next-funding time: the
  // venue pays it instead of its modelled rate when that settlement comes.
  void recorded_funding(const EngineBook& b, const sim::RecordedMark& m);
  void note_settlements(TimestampUs now) noexcept;
  void start_trading(TimestampUs now);
  BacktestResult run(record::FrameSource& source);
  BacktestResult run(const ParsedRecording& parsed);
  BacktestResult run(ParsedSource& source);

  // False once past config.to_us.
  bool replay(const ParsedRecording& parsed);
  void begin_run();
  void step(const ParsedRecording& r, const ParsedEvent& e);
  BacktestResult end_run();
  void finish();

  RunnerConfig cfg;
  ManualClock clock;
  InstrumentTable instruments;  // spot, perp per pair in config order; stable addresses for PairInfo / OrderSpec
  std::unique_ptr<SimVenue> venue;
  std::unique_ptr<XarbReplay> xarb;  // [strategy] kind = "cross_venue" only; before the engine (its strategy)
  std::unique_ptr<RiskGate> risk;
  std::unique_ptr<Portfolio> portfolio;
  std::unique_ptr<exec::ArbEngine> engine;
  std::unique_ptr<MmReplay> mm;  // [strategy] kind = "market_maker" only; after the engine (its order entry)
  std::vector<std::unique_ptr<EngineBook>> books;
  std::vector<PairState> pairs;
  std::vector<PairSeries> pair_series;
  bool fill_happened = false;
  bool trading = false;
  bool ran = false;
  TimestampUs next_timer = INT64_MAX, next_account = INT64_MAX, next_sample = INT64_MAX, next_funding = INT64_MAX;
  Decimal peak;
  bool have_peak = false;
  bool first = true;
  TimestampUs last_t = 0;
  DepthDelta delta;  // the parsed event's levels, in the form DepthSync and the venue take
  DepthSnapshot snapshot;
  BookValidityTracker validity;
  WatchedBooks watched{validity};  // markets of another venue (Lighter), by first sight
  FundingFeedTracker funding_feeds;
  BacktestResult result;
  RunnerStats stats;
};

}  // namespace bparb::backtest
