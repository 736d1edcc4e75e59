#pragma once
// The decision core of the one-sided post-only market maker, for one perp market. Pure: it takes events
// and the time, and returns ONE decision per call to decide(): nothing, place a post-only quote, cancel our
// quote, or send a reduce-only IOC hedge. No I/O, no clock of its own, no allocation once constructed, no
// exceptions after construction. docs/market_maker.md states the rules.
//
// Invariant, by construction: at most one quote of ours exists. A place is decided only when the quote
// state is kNone; deciding it moves the state to kPendingNew before returning, and only the kernel's report
// that the order is gone (filled, cancelled, expired, rejected, refused) brings it back to kNone. A replace
// is therefore cancel -> confirmed gone -> place, however late the confirmation comes.
//
// Driving it: feed every event, then call decide(now) until it returns kNone (each decision changes the
// state, so this ends after at most three). After a kPlace, report the client id the kernel issued
// (on_quote_submitted) or that the order was refused before reaching the venue (on_quote_refused).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/strategy/market_maker/mm_guards.hpp"
#include "bparb/strategy/market_maker/mm_params.hpp"
#include "bparb/strategy/market_maker/taker_flow.hpp"

namespace bparb {

class OrderBook;

// The top of the book as the core needs it, in ticks and lots. next_* is the second level (0 when
// absent): when our quote is alone at the best price, the best price of everyone else is the next level.
struct BookTop {
  std::int64_t bid_ticks = 0;
  std::int64_t bid_lots = 0;
  std::int64_t next_bid_ticks = 0;
  std::int64_t ask_ticks = 0;
  std::int64_t ask_lots = 0;
  std::int64_t next_ask_ticks = 0;
  TimestampUs updated_us = 0;  // when the book last changed (local receive time)
  bool valid = false;          // the book is in sync (a gap or resync makes it invalid)
};
// From a book (valid() and both sides non-empty make it valid).
BookTop book_top(const OrderBook& book) noexcept;

enum class QuoteState : std::uint8_t { kNone, kPendingNew, kLive, kPendingCancel };
const char* to_string(QuoteState s) noexcept;

// How our quote ended (the kernel's OMS knows; the core only needs to know it is gone and why).
enum class QuoteEnd : std::uint8_t { kFilled, kCancelled, kExpired, kRejected, kPostOnlyRejected };

enum class MmAction : std::uint8_t { kNone, kPlace, kCancel, kHedge };
const char* to_string(MmAction a) noexcept;

enum class MmReason : std::uint8_t {
  kNone,
  // why a place
  kQuote,
  // why a cancel, or why nothing is quoted
  kSideSwitch,
  kPriceMoved,
  kQuoteAged,
  kBreaker,          // a breaker is active or cooling down (last_trip() has the numbers)
  kEquityUnknown,    // no equity yet (or not positive): nothing is quoted, never a default size
  kBookInvalid,      // out of sync, one side empty, or not updated since a reconnect
  kInventorySoft,    // above the soft level the increasing side is not quoted
  kInventoryCap,     // the quote would take the position (with our quote) past the cap
  kNoSide,           // the taker flow has not decided a side yet
  kTooSmall,         // the size rounds below the market's minimum quantity
  kRateLimited,      // inside the 429 back-off
  kBudget,           // the request budget (minus the headroom, for quotes) is used up
  kWaitingForOrder,  // our quote is pending (new or cancel); nothing is decided until it settles
  kHedgeInFlight,    // over the cap; the previous hedge has not finished or the interval has not passed
  kOverCap,          // why a hedge
  kStopping,         // flattening at shutdown: no quote; reduce-only IOC orders take the position to zero
};
const char* to_string(MmReason r) noexcept;

struct MmDecision {
  MmAction action = MmAction::kNone;
  MmReason reason = MmReason::kNone;
  Side side = Side::kBid;
  std::int64_t price_ticks = 0;  // place: the limit; hedge: the touch it takes (the kernel bounds slippage)
  std::int64_t qty_lots = 0;
  bool post_only = false;               // place
  bool reduce_only = false;             // hedge
  TimeInForce tif = TimeInForce::kGtc;  // place: GTC post-only; hedge: IOC
  ClientId client_id = 0;               // cancel: our quote
};

enum class MmBreaker : std::uint8_t {
  kMidMove,          // observed: |mid - mid window ago| / mid window ago; limit: breaker_mid_move_fraction
  kSpread,           // observed: spread / mid; limit: breaker_spread_fraction
  kStaleBook,        // observed/limit: ms since the last book frame / max_book_age_ms
  kStaleTrades,      // observed/limit: ms since the last public trade / max_trade_age_ms
  kReconnect,        // a feed reconnect or book resync
  kPostOnlyRejects,  // observed/limit: rejections in the window / reject_burst_count
  kRateLimited,      // a 429; observed: the back-off in ms
};
const char* to_string(MmBreaker b) noexcept;

// One breaker firing, with the numbers for one log line.
struct BreakerTrip {
  MmBreaker kind = MmBreaker::kMidMove;
  TimestampUs at_us = 0;
  Decimal observed;
  Decimal limit;
  Decimal mid_now;  // mid move: the mid now and the reference mid
  Decimal mid_then;
  TimestampUs then_us = 0;  // mid move: when the reference mid was; post-only rejections: the window's start
  TimestampUs cooldown_until_us = 0;
};
// "mm breaker mid_move: observed 0.0031 >= limit 0.002 (mid 150.125 vs 149.66 1000 ms earlier); no quote
// until +5000 ms". Writes at most n-1 chars and a NUL; returns the length. No allocation.
std::size_t format_trip(const BreakerTrip& t, char* buf, std::size_t n) noexcept;

class MarketMakerCore {
 public:
  // Start-up only: throws std::invalid_argument listing every problem if validate_mm_params() finds any,
  // or naming the market if its tick or step is not positive.
  MarketMakerCore(const MmParams& params, const MarketSpec& spec);

  // Live parameters (SIGHUP; allocates, throws std::invalid_argument like the constructor): the keys read
  // only when deciding (mm_param_is_live) take effect at the next decide(); the others size or shape the
  // flow, the mid history, the rejection burst, the request budget and the back-off, built once here.
  // Returns the names of those that differ from the running values and were kept.
  std::vector<std::string> set_params(const MmParams& next);

  // --- Market data -----------------------------------------------------------------------------
  void on_book(const BookTop& top, TimestampUs now) noexcept;  // every book frame (top changed or not)
  void on_trade(const PublicTrade& t) noexcept;
  void on_reconnect(TimestampUs now) noexcept;  // a feed reconnect or a resync of the book

  // --- Account ---------------------------------------------------------------------------------
  void on_equity(Decimal equity_usd) noexcept;  // zero or negative = unknown: nothing is quoted
  // The venue's position in lots (signed, + long). Authoritative: it includes every fill reported before.
  void on_position(std::int64_t lots) noexcept;
  void on_rate_limited(TimestampUs now) noexcept;  // any 429 on this account
  // Shutdown with [mm] flatten_on_stop: the quote is cancelled, nothing is quoted again, and the whole position
  // is sent as reduce-only IOC orders at the touch (one per hedge_interval_ms) until it is zero.
  void flatten() noexcept { flattening_ = true; }
  bool flattening() const noexcept { return flattening_; }

  // --- Our quote -------------------------------------------------------------------------------
  void on_quote_submitted(ClientId id) noexcept;  // binds the id of the place just decided
  // The place never reached the book (the kernel's risk gate, a 429, a rejection before acceptance).
  void on_quote_refused(TimestampUs now, bool rate_limited) noexcept;
  void on_quote_accepted(ClientId id) noexcept;
  void on_quote_fill(ClientId id, Side side, std::int64_t qty_lots) noexcept;  // also moves the position
  void on_quote_done(ClientId id, QuoteEnd why, TimestampUs now) noexcept;
  // A cancel request failed and the order may still rest: it is live again (re-cancelled when allowed).
  void on_cancel_failed(ClientId id, TimestampUs now, bool rate_limited) noexcept;

  // --- Our hedge -------------------------------------------------------------------------------
  void on_hedge_submitted(ClientId id) noexcept;
  void on_hedge_fill(ClientId id, Side side, std::int64_t qty_lots) noexcept;    // also moves the position
  void on_hedge_done(ClientId id, TimestampUs now, bool rate_limited) noexcept;  // IOC finished (any outcome)

  // --- The decision ----------------------------------------------------------------------------
  MmDecision decide(TimestampUs now) noexcept;

  // --- State for status, logs and tests ----------------------------------------------------------
  QuoteState quote_state() const noexcept { return quote_.state; }
  ClientId quote_id() const noexcept { return quote_.id; }
  Side quote_side() const noexcept { return quote_.side; }
  std::int64_t quote_price_ticks() const noexcept { return quote_.price_ticks; }
  std::int64_t quote_remaining_lots() const noexcept { return quote_.remaining_lots; }
  // Our quote rests at the best price of its side (for MmStats::on_quote_presence).
  bool quote_at_touch() const noexcept {
    if (quote_.state != QuoteState::kLive && quote_.state != QuoteState::kPendingCancel) return false;
    return quote_.price_ticks == (quote_.side == Side::kBid ? top_.bid_ticks : top_.ask_ticks);
  }
  std::int64_t position_lots() const noexcept { return position_lots_; }
  // Position the cap counts: the position, plus our resting quote when it would increase the position.
  std::int64_t exposure_lots() const noexcept;
  std::int64_t cap_lots() const noexcept { return cap_lots_; }  // as of the last decide()
  const TakerFlow& flow() const noexcept { return flow_; }
  std::uint64_t trip_count() const noexcept { return trip_count_; }
  // The latest trip, and the n-th (1 = the first) while it is among the last kRecentTrips: one decision can
  // trip several breakers at once (a ladder pulled back widens the spread and moves the mid), and each one
  // gets its own log line.
  static constexpr std::uint64_t kRecentTrips = 16;
  const BreakerTrip& last_trip() const noexcept { return trip_at(trip_count_); }
  const BreakerTrip& trip_at(std::uint64_t n) const noexcept {
    return recent_trips_[(n + kRecentTrips - 1) % kRecentTrips];
  }
  TimestampUs cooldown_until_us() const noexcept { return cooldown_until_; }
  bool hedge_in_flight() const noexcept { return hedge_in_flight_; }

 private:
  struct Quote {
    QuoteState state = QuoteState::kNone;
    ClientId id = 0;
    Side side = Side::kBid;
    std::int64_t price_ticks = 0;
    std::int64_t remaining_lots = 0;
    std::int64_t ref_best_ticks = 0;  // everyone else's best on our side when placed
    TimestampUs placed_us = 0;
    // Since when everyone else's best has stood requote_ticks or more from ref_best_ticks, at every decide()
    // (-1: it has not): a level that vanishes for a frame and comes back is no move.
    TimestampUs moved_since_us = -1;
  };

  void trip(MmBreaker kind, TimestampUs now, Decimal observed, Decimal limit, bool cooldown) noexcept;
  void track_price_move(TimestampUs now) noexcept;
  void check_breakers(TimestampUs now) noexcept;
  MmReason blocker(TimestampUs now) const noexcept;
  std::int64_t others_best(Side side) const noexcept;
  bool compute_limits(std::int64_t& cap, std::int64_t& soft) const noexcept;
  Side wanted_side(std::int64_t soft, bool& have) const noexcept;
  MmReason cancel_reason(TimestampUs now, MmReason blocked, std::int64_t cap, std::int64_t soft) const noexcept;
  MmDecision try_hedge(TimestampUs now, std::int64_t cap) noexcept;
  MmDecision try_place(TimestampUs now, MmReason blocked, std::int64_t cap, std::int64_t soft) noexcept;
  bool may_send(TimestampUs now, bool priority, MmReason& why) noexcept;

  MmParams p_;
  Decimal tick_;
  Decimal step_;
  std::int64_t min_qty_lots_ = 1;

  TakerFlow flow_;
  MidHistory mids_;
  EventBurst rejects_;
  RequestBudget budget_;
  RateLimitBackoff backoff_;

  BookTop top_;
  bool have_top_ = false;
  Decimal equity_;
  std::int64_t position_lots_ = 0;
  std::int64_t cap_lots_ = 0;
  Quote quote_;

  bool hedge_in_flight_ = false;
  bool flattening_ = false;
  ClientId hedge_id_ = 0;
  TimestampUs next_hedge_us_ = 0;

  TimestampUs reconnect_us_ = -1;  // a book frame newer than this is required after a reconnect
  TimestampUs cooldown_until_ = 0;
  std::uint64_t trip_count_ = 0;
  std::array<BreakerTrip, kRecentTrips> recent_trips_{};  // trip n at (n - 1) % kRecentTrips
  // Which condition breakers are active now (a trip is recorded when one becomes active).
  bool mid_active_ = false;
  bool spread_active_ = false;
  bool stale_book_active_ = false;
  bool stale_trades_active_ = false;
};

}  // namespace bparb
