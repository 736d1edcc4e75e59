#pragma once
// What the operator's HTTP surface shows: one Snapshot of the node, taken on a timer off the hot path
// (docs/service.md). Scrapes only read the last one, so no client can make the event loop do more work
// than one snapshot per interval. The snapshot is neutral: the application fills the venue's health and
// its own counters, collect_trading() fills what the engine, the portfolio and the risk gate hold.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/latency_histogram.hpp"
#include "bparb/core/reject_class.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/service/views.hpp"

namespace bparb::exec {
class ArbEngine;
}
namespace bparb {
class Portfolio;
}

namespace bparb::service {

class TradingMetrics;

struct BookView {
  std::string symbol;
  bool valid = false;
  TimestampUs last_update_us = 0;  // 0 = never updated
};

struct VenueHealth {
  std::string name;  // "backpack"
  bool stream_connected = false;
  std::uint64_t reconnects = 0;
  std::uint64_t book_resyncs = 0;
  std::uint64_t book_gaps = 0;
  std::vector<BookView> books;
  TimestampUs last_message_us = 0;  // the stream's last frame (0 = none yet)
  // The account poll's margin in the quote asset (absent before the first answer).
  std::optional<Decimal> margin_available, margin_used;
  // Fills the fills history held that the order stream never delivered (booked by the reconciliation).
  std::uint64_t fills_missing_from_stream = 0;
  LatencyHistogram order_ack;  // order handed to the send path -> the venue's answer
  // The venue's REST rate-limit back-off (a 429 holds the polls and queries; docs/backpack.md §4). Shown only
  // where the venue's client keeps one (rest_tracked).
  bool rest_tracked = false;
  bool rest_backing_off = false;
  std::uint64_t rest_backoffs = 0;  // back-offs entered
  std::uint64_t rest_http_429 = 0;  // 429 answers
  LatencyHistogram tick_to_order;   // book frame received -> the order it decided on the socket
  std::optional<Decimal> equity;    // the venue's net equity at its last account poll (absent before it)
};

// Fills and filled notional of one market and liquidity (maker/taker), this run.
struct LiquidityFlow {
  std::string venue;
  std::string symbol;
  std::string_view liquidity;  // "maker" / "taker"
  std::uint64_t fills = 0;
  Decimal notional;  // price * quantity, quote asset
};

struct FundingRateView {
  std::string symbol;  // the perp
  Decimal rate;        // per funding interval, as the venue quotes it
};

// Config reloads (SIGHUP and POST /api/v1/reload) by their result.
struct ReloadCounts {
  std::uint64_t applied = 0, invalid = 0, unreadable = 0;
};

struct LegView {
  std::string symbol;
  Decimal quantity;       // signed, base asset
  Decimal average_price;  // zero when flat
};

struct PairView {
  std::string name;        // "SOL"
  std::string_view phase;  // "flat" / "entering" / "open" / "exiting"
  bool open = false;
  std::uint64_t position_id = 0;
  LegView spot, perp;
  Decimal realized_pnl, fees_usd, funding;  // of the current (or last) position
  bool has_basis = false;                   // both books valid
  Decimal basis;                            // (perp mid - spot mid) / spot mid
  Decimal spot_mid, perp_mid;               // while has_basis
  Decimal entry_basis;                      // of the open position
  TimestampUs opened_us = 0;                // of the open position
};

// A P&L split in the quote asset: price P&L (spread), fees paid, funding received (+) or paid (-).
struct PnlSplit {
  Decimal spread, fees, funding;
  Decimal net() const noexcept { return spread - fees + funding; }
};

struct Refusal {
  TimestampUs at_us = 0;
  std::string pair;
  std::string leg;
  std::string_view rule;  // RiskRule name: a closed list
  Decimal limit, value;
};

// Counters the application bumps from its sink callbacks (one call each, no allocation except the
// refusal's strings): what the engine reports as events rather than as state.
class Tally {
 public:
  static constexpr std::size_t kRules = 32;  // > number of RiskRule values
  void order_sent(std::uint64_t n = 1) noexcept { sent_ += n; }
  void order_rejected() noexcept { ++rejected_; }
  void order_cancelled() noexcept { ++cancelled_; }
  void fill() noexcept { ++fills_; }
  void refusal(TimestampUs now, std::string_view pair, std::string_view leg, const RiskDecision& d);

  std::uint64_t sent() const noexcept { return sent_; }
  std::uint64_t rejected() const noexcept { return rejected_; }
  std::uint64_t cancelled() const noexcept { return cancelled_; }
  std::uint64_t fills() const noexcept { return fills_; }
  std::uint64_t refusals(RiskRule r) const noexcept {
    const auto i = static_cast<std::size_t>(r);
    return i < kRules ? refusals_[i] : 0;
  }
  const std::optional<Refusal>& last_refusal() const noexcept { return last_; }

 private:
  std::uint64_t sent_ = 0, rejected_ = 0, cancelled_ = 0, fills_ = 0;
  std::array<std::uint64_t, kRules> refusals_{};
  std::optional<Refusal> last_;
};

struct RefusalCount {
  std::string_view rule;
  std::uint64_t count = 0;
};

// One alert sink's delivery counters, copied by the application from its alerter (docs/alerts.md).
struct AlertSinkView {
  std::string name;           // the sink's kind and index ("webhook#0"), never its URL or token
  std::uint64_t sent = 0;     // delivered
  std::uint64_t failed = 0;   // given up on
  std::uint64_t dropped = 0;  // pushed out of a full queue
  std::uint64_t retried = 0;  // attempts after the first
  std::size_t queued = 0;     // waiting to be sent
};

// One market of the market maker ([strategy] kind = "market_maker"), copied by the application from its
// runner on the snapshot timer (docs/market_maker.md "On the operator surface"). Money is exact, in the quote
// asset; the P&L parts add up to `total` (strategy/market_maker/mm_stats.hpp).
struct MmBreakerTripView {
  std::string_view reason;  // the breaker's name: a closed list ("mid_move", "spread", ...)
  TimestampUs at_us = 0;
  Decimal observed, limit;
  TimestampUs cooldown_until_us = 0;
  std::string text;  // the log line's words ("mm breaker mid_move: observed ... >= limit ...")
};
struct MmBreakerCount {
  std::string_view reason;
  std::uint64_t trips = 0;
};
struct MmMarketView {
  std::string symbol;
  std::string_view side = "none";         // the side the taker flow chose ("bid" / "ask" / "none")
  std::string_view quote_state = "none";  // our quote: "none" / "pending_new" / "live" / "pending_cancel"
  std::string_view quote_side = "none";
  Decimal quote_price, quote_quantity;    // while a quote of ours exists
  bool at_touch = false;                  // it rests at the best price of its side
  std::string_view idle_reason = "none";  // without a quote: why the core's last decision placed none
  Decimal maker_volume;                   // price x quantity over maker fills of quotes
  std::int64_t quote_fills = 0, maker_fills = 0, hedge_fills = 0;
  std::int64_t quotes_placed = 0, cancels = 0, post_only_rejects = 0;
  std::uint64_t hedges_sent = 0, refusals = 0;
  Decimal fill_rate;       // quote fills / quotes placed
  Decimal cancel_to_fill;  // cancels / quote fills
  DurationUs quoting_us = 0, at_touch_us = 0;
  Decimal spread_capture, adverse_selection, inventory, fees, funding, hedge_cost, total;
  Decimal net_per_million;  // total / maker volume x 1,000,000
  Decimal position;         // signed, base asset
  Decimal cap;              // the inventory cap in the base asset, as of the last decision
  Decimal last_mid;
  bool cooling_down = false;  // a breaker's cooldown is running (nothing is quoted)
  TimestampUs cooldown_until_us = 0;
  std::uint64_t breaker_trips = 0;
  std::optional<MmBreakerTripView> last_trip;
  std::vector<MmBreakerCount> trips_by_reason;  // every breaker that fired at least once
};

struct Snapshot {
  TimestampUs taken_us = 0;
  TimestampUs started_us = 0;
  std::string version;
  std::string mode;         // "paper" / "live"
  std::string config_hash;  // sha256 of the config file's bytes
  // The strategy the daemon runs ([strategy] kind: "basis", "market_maker"): the `strategy` label of the order
  // path's metrics. A closed list, one value per daemon, so instances scraped together split by it.
  std::string_view strategy = "basis";
  bool trading = false;  // recovery done, the engine is trading (false while starting up)
  bool shutting_down = false;
  bool opening_paused = false;  // the engine opens no new position (an operator's pause, or shutting down)
  std::string_view trading_state = "Active";
  std::string_view state_reason = "none";
  // A valid book unchanged for longer is stale (0 = never). The application's choice: a quiet market leaves
  // a book unchanged for seconds, so it is the stream's silence bound, not the risk gate's entry limit.
  DurationUs stale_book_us = 0;
  std::vector<VenueHealth> venues;
  std::vector<PairView> pairs;
  std::size_t open_orders = 0;
  std::uint64_t orders_sent = 0, orders_rejected = 0, orders_cancelled = 0, fills = 0;
  // The rejections the engine saw, by what they mean (index: RejectClass; docs/service.md §Metrics).
  std::array<std::uint64_t, kRejectClassCount> orders_rejected_by_reason{};
  std::vector<RefusalCount> refusals;  // every rule refused at least once
  std::optional<Refusal> last_refusal;
  PnlSplit run_pnl;  // since this run started (positions restored at start-up carry theirs)
  PnlSplit today_pnl;
  TimestampUs today_since_us = 0;  // 00:00 UTC, or the run's start when later
  std::optional<Decimal> equity;   // the venue's net equity at the last account poll
  // The read views (views.hpp): our live orders, the fills and log-line rings' copies, the journal's P&L
  // report (computed on its own slower timer; null before the first one) and the effective config as JSON.
  std::vector<OrderView> orders;
  std::vector<FillView> recent_fills;
  std::uint64_t fills_total = 0;  // fills ever pushed to the ring (more than `recent_fills` once it wrapped)
  std::vector<EventView> events;
  std::shared_ptr<const PnlReport> pnl;
  std::shared_ptr<const std::string> config_json;
  std::vector<AlertSinkView> alerts;  // one per configured alert sink; empty without [alerts]
  std::vector<LiquidityFlow> liquidity;
  std::vector<FundingRateView> funding_rates;
  ReloadCounts reloads;
  LatencyHistogram journal_write;          // every journal write of the run (SQLite statement(s) and commit)
  std::vector<MmMarketView> market_maker;  // one per quoted market; empty unless the market maker runs
};

// Fills trading state, pairs, positions, open orders and run P&L. `engine`/`portfolio` may be null
// (still starting up). Allocates: call it from the snapshot timer, never from the hot path.
void collect_trading(Snapshot& s, const RiskGate& risk, const exec::ArbEngine* engine, const Portfolio* portfolio);
// Copies the tally's counters and last refusal.
void collect_tally(Snapshot& s, const Tally& t);
// Copies the order path's figures (trading_metrics.hpp) into the venue `v` and the snapshot; funding rates
// are named by the pairs' perps, so call it after collect_trading.
void collect_metrics(Snapshot& s, VenueHealth& v, const TradingMetrics& m);
// The order path's figures of one more venue (its own TradingMetrics): latencies into `v`, its fills by
// liquidity added to the snapshot's under `v`'s name. Funding rates are the first call's.
void collect_venue_metrics(Snapshot& s, VenueHealth& v, const TradingMetrics& m);

// The q-quantile (q = permille / 1000) of a latency histogram estimated from its buckets the way Prometheus'
// histogram_quantile does: the bucket holding rank q * count, linearly interpolated between its bounds (the first
// bucket's lower bound is 0; a rank in +Inf answers the last finite bound). Integer microseconds, rounded down;
// 0 without observations. A figure for people (status, live page), never an input to a decision.
DurationUs latency_quantile_us(const LatencyHistogram& h, std::uint32_t permille) noexcept;

// Lower-case hex SHA-256 of a file's bytes (the status's config hash); empty when it cannot be read.
std::string sha256_file_hex(const std::string& path);

// Today's P&L from the run totals: the split at the first snapshot of each UTC day is the baseline.
class DailySplit {
 public:
  void update(Snapshot& s) noexcept;

 private:
  TimestampUs day_start_us_ = -1;
  PnlSplit baseline_;
};

}  // namespace bparb::service
