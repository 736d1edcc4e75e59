#pragma once
// What one backtest produced: the contract between the replay runner (runner.hpp) and the report
// writers (report.hpp). Everything here is deterministic for the same data and config: no wall-clock
// figures (replay speed is printed by the command, never written into the report).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::backtest {

// Account value marked to the books at a point in time (USD / quote asset).
struct EquityPoint {
  TimestampUs t = 0;
  Decimal equity;      // realized + unrealized − fees + funding since the start (P&L, not balance)
  Decimal realized;    // closed trades' spread capture
  Decimal fees;        // cumulative fees paid (positive = cost)
  Decimal funding;     // cumulative funding received (negative = paid)
  Decimal unrealized;  // open positions marked at executable exit prices
};

// Executable basis of one pair at one time, from the engine's own books, in basis points:
// perp premium = (perp bid − spot ask) / spot ask; spot premium = (spot bid − perp ask) / perp ask.
struct BasisSample {
  TimestampUs t = 0;
  double perp_premium_bps = 0;
  double spot_premium_bps = 0;
};

// Percentiles of one direction's basis over every book update of the run (not the down-sampled series).
struct BasisPercentiles {
  std::uint64_t samples = 0;
  double p50 = 0, p75 = 0, p90 = 0, p99 = 0, min = 0, max = 0;  // bps
};

struct PairSeries {
  std::string pair;                // "SOL"
  std::string spot_symbol;         // "SOL_USDC"
  std::string perp_symbol;         // "SOL_USDC_PERP"
  std::vector<BasisSample> basis;  // down-sampled for charts (at most one sample per sample_interval_us)
  BasisPercentiles perp_premium;   // all updates
  BasisPercentiles spot_premium;
};

struct TradeRecord {
  std::uint64_t id = 0;  // the engine's position number
  std::string pair;
  std::string direction;  // "perp_premium" | "spot_premium"
  TimestampUs opened_us = 0;
  TimestampUs closed_us = 0;  // 0 = still open at the end (marked, not closed)
  double entry_basis_bps = 0;
  double exit_basis_bps = 0;
  Decimal quantity;         // base asset, per leg
  Decimal spread_pnl;       // price P&L of both legs
  Decimal fees;             // positive = cost
  Decimal funding;          // positive = received
  Decimal net_pnl;          // spread_pnl − fees + funding
  std::string exit_reason;  // "convergence", "take_profit", "max_holding", "funding", "end_of_data", ...
};

struct RefusalCount {
  std::string reason;  // risk rule or sizing/confidence reason, e.g. "confidence", "max_open_positions"
  std::uint64_t count = 0;
};

// How long one market's order book was usable (synchronised with its depth stream) within the replayed
// window [from_us, to_us]. A market whose book never became valid cannot be priced or traded: such a
// run is not a result (the command says so and exits non-zero).
struct BookValidity {
  std::string symbol;
  std::uint64_t depth_frames = 0;   // depth frames of this market in the whole recording
  std::uint64_t snapshots = 0;      // rest_depth lines of this market
  DurationUs valid_us = 0;          // time within the window the book was synchronised
  TimestampUs first_valid_us = 0;   // first time within the window it was; 0 = never
  std::uint64_t invalidations = 0;  // times it stopped being valid within the window (gaps, reconnects)
  // False for a market only followed (another venue's, which no strategy trades): its book never being
  // valid is reported, never a reason to refuse the run.
  bool traded = true;
};

// Where one perp's funding came from. With recorded markPrice frames (funding rate + next funding time)
// a settlement pays the last recorded rate for that settlement time; without, the venue models the rate
// from the recorded mids (time-weighted premium over the interval).
struct FundingFeed {
  std::string symbol;
  std::uint64_t recorded_frames = 0;       // markPrice frames with a funding rate
  std::uint64_t settlements_recorded = 0;  // settlements inside the window paid at a recorded rate
  std::uint64_t settlements_modelled = 0;  // settlements inside the window with no recorded rate for them
  std::uint64_t off_grid = 0;              // recorded next-funding times not on the market's interval grid
};

// The market maker's markout at one horizon over its quote fills: the side-signed mid move from the fill to
// the first mid observed at or after fill time + horizon, times the quantity, summed (docs/market_maker.md;
// at 1 s, 5 s and 30 s the same figures as the P&L split's). Fills whose horizon lies past the end of the
// data take the last mid, as the live stats do.
struct MmMarkoutPoint {
  DurationUs horizon_us = 0;
  Decimal markout;                // quote currency, summed over the quote fills
  std::uint64_t fills = 0;        // quote fills counted
  std::uint64_t at_last_mid = 0;  // of those, fills whose horizon was not reached before the data ended
};

// The market maker's position and P&L at one time (one point per sample interval and per fill).
struct MmInventoryPoint {
  TimestampUs t = 0;
  Decimal position;  // signed base quantity from our fills
  Decimal pnl;       // the P&L split's total at that time (fills marked to the mid, fees, funding)
};

// One perp the market maker quoted ([strategy] kind = "market_maker"): the figures of its live stats line
// (strategy/market_maker/mm_stats.hpp), from our fills on the simulated venue only.
struct MmMarketResult {
  std::string symbol;
  Decimal maker_volume_usd;
  std::int64_t quote_fills = 0;
  std::int64_t maker_fills = 0;
  std::int64_t hedge_fills = 0;
  std::int64_t quotes_placed = 0;
  std::int64_t cancels = 0;
  std::int64_t post_only_rejects = 0;
  std::uint64_t hedges_sent = 0;
  std::uint64_t refusals = 0;  // commands order entry refused before sending (risk gate, checks)
  std::uint64_t breaker_trips = 0;
  Decimal fill_rate;           // quote fills / quotes placed
  Decimal cancel_to_fill;      // cancels / quote fills
  DurationUs quoting_us = 0;   // a quote of ours rested
  DurationUs at_touch_us = 0;  // ... at the best price of its side
  // The P&L split: the parts add up to total exactly.
  Decimal spread_capture;
  Decimal adverse_selection;  // the 30 s markout
  Decimal inventory;
  Decimal fees;  // of quote fills, as added to P&L (rebates positive)
  Decimal funding;
  Decimal hedge_cost;
  Decimal total;
  Decimal markout_1s, markout_5s, markout_30s;
  Decimal net_per_million;  // total per 1,000,000 USD of maker volume
  Decimal position;
  Decimal last_mid;
  std::vector<MmMarkoutPoint> markout_curve;       // ascending horizons, from 0
  Decimal fees_paid;                               // every fee, quotes and hedges (cost positive)
  std::vector<MmInventoryPoint> inventory_series;  // time order
};

// [strategy] kind = "cross_venue": the Backpack–Lighter pair (docs/backtest.md, "Cross-venue").
struct CrossVenueResult {
  std::string coin;             // "BTC"
  std::string backpack_symbol;  // "BTC_USDC_PERP"
  std::string lighter_symbol;   // as the recording names it: "lighter:0"
  // The executable spread per direction at every book update of either venue, in bps: long_backpack =
  // (Lighter bid − Backpack ask) / Backpack ask, short_backpack = (Backpack bid − Lighter ask) / Lighter ask.
  BasisPercentiles long_backpack;
  BasisPercentiles short_backpack;
  std::uint64_t trades = 0;  // positions opened
  std::uint64_t closed = 0;
  std::uint64_t fills_backpack = 0;
  std::uint64_t fills_lighter = 0;
  // The P&L split; spread − fees + funding = net exactly (open positions marked at the books' exit prices).
  Decimal spread;
  Decimal fees;
  Decimal funding;
  Decimal net;
  // Opportunities the strategy refused, by reason (strategy/cross_venue/xarb_signal.hpp: each refused
  // opportunity once per episode, venue-gate refusals once per change of reason); reasons with a count only.
  std::vector<RefusalCount> refused;
  DurationUs lighter_taker_delay_us = 0;  // the account tier's delay the simulated Lighter applied to takers
};

struct BacktestResult {
  // Inputs, echoed so a report says what it is a report of.
  std::string config_path;
  std::string data_path;
  TimestampUs from_us = 0;  // first and last replayed receive time
  TimestampUs to_us = 0;
  std::uint64_t sample_interval_us = 1'000'000;

  // Replay counters.
  std::uint64_t events = 0;                // lines replayed (ws + rest_depth + event)
  std::uint64_t malformed_frames = 0;      // counted and skipped
  std::uint64_t resyncs = 0;               // book resynchronisations (gaps, reconnects)
  std::vector<BookValidity> books;         // per market (spot then perp of each pair)
  std::vector<FundingFeed> funding_feeds;  // per perp

  std::vector<EquityPoint> equity;  // down-sampled, plus a point at every fill
  std::vector<PairSeries> pairs;
  std::vector<TradeRecord> trades;  // in opening order

  std::uint64_t opportunities_seen = 0;   // episodes above min_spread_threshold
  std::uint64_t opportunities_taken = 0;  // episodes that opened a position
  std::vector<RefusalCount> refusals;     // why the rest were not taken, sorted by count desc then reason

  // Totals (exact).
  Decimal spread_capture;
  Decimal fees;
  Decimal funding;
  Decimal net_pnl;
  Decimal max_drawdown;    // largest peak-to-trough fall of `equity`, positive
  std::uint64_t wins = 0;  // closed trades with net_pnl > 0
  std::uint64_t losses = 0;
  double mean_holding_seconds = 0;  // closed trades
  double max_holding_seconds = 0;

  // [strategy] kind = "market_maker" only (empty for the basis strategy): per quoted perp. The totals above
  // then hold the market maker's money: spread_capture its fills marked to the mid (price P&L), fees every
  // fee (quotes and hedges, cost positive), funding, net_pnl the split's total; equity is that total over time.
  std::vector<MmMarketResult> market_maker;
  // [strategy] kind = "cross_venue" only (absent otherwise): the totals above are the pair's.
  std::optional<CrossVenueResult> cross_venue;
};

// One row of a --sweep grid.
struct SweepParam {
  std::string key;    // dotted TOML key, e.g. "strategy.min_execution_threshold"
  std::string value;  // as written into the config
};

struct SweepRow {
  std::vector<SweepParam> params;
  std::uint64_t trades = 0;
  std::uint64_t wins = 0;
  Decimal net_pnl;
  Decimal max_drawdown;
  Decimal fees;
  Decimal funding;
};

}  // namespace bparb::backtest
