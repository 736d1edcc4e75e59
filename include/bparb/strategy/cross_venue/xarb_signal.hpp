#pragma once
// The cross-venue arbitrage's decision core for one coin: the same perpetual on Backpack and on Lighter.
//
//  * LongBackpack  = buy Backpack (its asks), sell Lighter (its bids): when Lighter's bid is above
//    Backpack's ask. ShortBackpack = sell Backpack (bids), buy Lighter (asks): the opposite.
//  * entry spread = sell VWAP - buy VWAP from walking both books as a taker for the intended size
//    (USD per unit), and as a fraction of the buy VWAP.
//  * net edge = entry spread - expected exit spread - fees of the four fills (each venue's rates for this
//    account) - slippage allowance + funding received over the expected holding time (both venues settle
//    hourly; rate > 0 pays shorts). docs/cross_venue.md §2 has the formulas and the rounding.
//
// Pure: the caller passes the books, the venue state and `now`; no clock, no logging, no allocation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/venue.hpp"
#include "bparb/strategy/basis_volatility.hpp"
#include "bparb/strategy/cross_venue/xarb_params.hpp"
#include "bparb/strategy/funding.hpp"

namespace bparb {

enum class XarbDirection : std::uint8_t { kLongBackpack, kShortBackpack };
const char* to_string(XarbDirection d) noexcept;  // "LongBackpack" / "ShortBackpack"

// Why a quote may not open. The first failing check wins (in this order); the venue it concerns is
// reported beside it.
enum class XarbRefusal : std::uint8_t {
  kNone = 0,
  kBadMarketSpec,          // missing spec/book, tick or step <= 0
  kMarketNotTrading,       // a market not accepting taker orders (closed, cancel-only, post-only)
  kBookInvalid,            // a book not synced
  kBookStale,              // a book not updated for longer than max_book_age_ms
  kPrivateStreamDown,      // a venue's order/fill stream is down: we would be blind to our own fills
  kClockUnsettled,         // a venue's clock offset is not measured yet
  kNonceUnsettled,         // a venue's order nonce/sequence is not settled (Lighter after a restart)
  kBookEmpty,              // a side we consume is empty
  kInsufficientLiquidity,  // the walk could not fill the size (or in-band depth leaves less than the minimum)
  kPositionLimit,          // a venue's max position leaves less than the minimum quantity
  kMarginLimit,            // a venue's available margin leaves less than the minimum quantity
  kExposureLimit,          // total exposure leaves less than the minimum quantity
  kBelowMinQuantity,       // target size below either market's minimum
  kBelowEntrySpread,       // entry spread (bps) not > min_entry_spread_bps
  kBelowThreshold,         // entry spread (USD per unit) not > long_threshold / short_threshold
  kBelowNetEdge,           // net edge (bps) not > min_net_edge_bps
  kLowConfidence,
};
inline constexpr std::size_t kXarbRefusalCount = static_cast<std::size_t>(XarbRefusal::kLowConfidence) + 1;
const char* to_string(XarbRefusal r) noexcept;  // "book_invalid", ...

// What bounded the size.
enum class XarbSizeLimit : std::uint8_t { kTarget, kLiquidity, kMaxQuantity, kPosition, kMargin, kExposure };
const char* to_string(XarbSizeLimit s) noexcept;

// What the runtime knows about one venue beyond its book.
struct XarbVenueState {
  const MarketSpec* spec = nullptr;
  const OrderBook* book = nullptr;
  TimestampUs synced_since_us = 0;  // when the book last became valid; 0 = not tracked (no penalty)
  bool private_stream_up = false;
  bool clock_settled = false;
  bool nonce_settled = false;
  FundingInfo funding;       // current rate per interval (fraction, > 0 pays shorts), interval, next settlement
  Decimal position;          // signed base quantity held now (+ long)
  Decimal available_margin;  // collateral free for this leg's initial margin (USD)
};

struct XarbInputs {
  XarbVenueState backpack;
  XarbVenueState lighter;
  InstrumentFees backpack_fees;  // this account's Backpack perp rates (bps)
  Decimal exposure_usd;          // gross notional already open on this coin's legs and any other
  TimestampUs now = 0;
};

struct XarbLegPlan {
  Side side = Side::kBid;  // Bid = buy
  Decimal vwap;            // walked taker VWAP, rounded against us by the book
  Decimal best_price;
  Decimal worst_price;
  Decimal depth;    // in-band quantity on the consumed side
  Decimal fee_bps;  // entry fee rate used
};

struct XarbConfidence {
  double base = 0.5;
  double liquidity = 0;       // +0.1 (>=1x), +0.2 (>=3x), +0.3 (>=10x) thinner depth / size
  double spread_quality = 0;  // +0.2 for 20..100 bps entry spread, +0.1 for 15..20 bps
  double stale_penalty = 0;   // <= 0
  double resync_penalty = 0;  // <= 0
  double volatility_penalty = 0;
  double total = 0;  // clamp(sum, 0, 1)
  double depth_ratio = 0;
  double differential_stddev_bps = 0;
};

struct XarbQuote {
  XarbDirection direction = XarbDirection::kLongBackpack;
  Decimal quantity;                               // both legs, on both markets' steps
  Decimal buy_notional_usd;                       // the buy leg's walked notional
  Decimal spread_usd;                             // sell VWAP - buy VWAP, per unit
  Decimal entry_spread;                           // spread_usd / buy VWAP (fraction)
  Decimal expected_exit_spread;                   // fraction
  Decimal fee_fraction;                           // four fills
  Decimal slippage_allowance;                     // fraction
  Decimal funding_fraction;                       // received over the holding window (may be negative)
  std::int64_t funding_settlements_backpack = 0;  // settlements counted in the holding window
  std::int64_t funding_settlements_lighter = 0;
  Decimal net_edge;             // fraction of the buy notional
  Decimal expected_profit_usd;  // net_edge * buy_notional_usd
  XarbConfidence confidence;
  XarbLegPlan backpack;
  XarbLegPlan lighter;
  XarbSizeLimit size_limited_by = XarbSizeLimit::kTarget;
  bool economics_valid = false;
  bool opportunity = false;  // entry spread above both entry thresholds
  bool tradeable = false;
  XarbRefusal refusal = XarbRefusal::kNone;
  VenueId refused_venue = VenueId::kBackpack;  // meaningful for the per-venue refusals
};

// Refusals counted by reason, for the run report. Plain array: counting allocates nothing.
class XarbRefusalCounts {
 public:
  void add(XarbRefusal r) noexcept { ++counts_[static_cast<std::size_t>(r)]; }
  std::uint64_t count(XarbRefusal r) const noexcept { return counts_[static_cast<std::size_t>(r)]; }
  std::uint64_t total_refused() const noexcept;  // every reason but kNone
  void reset() noexcept { counts_ = {}; }

 private:
  std::array<std::uint64_t, kXarbRefusalCount> counts_{};
};

class XarbEvaluator {
 public:
  static constexpr std::size_t kDefaultVolWindow = 60;
  explicit XarbEvaluator(const XarbParams& params, std::size_t vol_window = kDefaultVolWindow,
                         DurationUs vol_min_interval_us = 0);

  const XarbParams& params() const noexcept { return params_; }

  // Feed the mid differential (lighter_mid - backpack_mid) / backpack_mid into the volatility window.
  // Call on every book update of either venue; ignored while either book is invalid or one-sided.
  void observe(const OrderBook& backpack, const OrderBook& lighter, TimestampUs now) noexcept;
  const BasisVolatility& volatility() const noexcept { return vol_; }

  XarbQuote evaluate(const XarbInputs& in, XarbDirection direction) const noexcept;
  // Both directions; the tradeable one with the higher net edge, else the higher net edge.
  XarbQuote evaluate_best(const XarbInputs& in) const noexcept;

  // False only when `direction` certainly cannot be an opportunity: a book is missing, invalid or empty
  // on a consumed side, or even the touch prices give a spread not above the direction's USD threshold or
  // an entry spread not above min_entry_spread_bps (a walk's VWAP is never better than the touch). Exact
  // integer arithmetic, no walk.
  bool may_be_opportunity(const XarbInputs& in, XarbDirection direction) const noexcept;

  // evaluate_best for the per-update path, with the same decision: whenever evaluate_best's quote is an
  // opportunity or tradeable, this returns that identical quote. Otherwise it returns a quote that is
  // neither; when neither direction may_be_opportunity it walks nothing and reports the venue gate's
  // refusal if a venue is unhealthy, else kBelowEntrySpread (no economics).
  XarbQuote evaluate_best_fast(const XarbInputs& in) const noexcept;

 private:
  // Specs, market states and venue health, in the order docs/cross_venue.md §9 gives; sets q's refusal.
  void gate(const XarbInputs& in, XarbQuote& q) const noexcept;

  XarbParams params_;
  BasisVolatility vol_;
};

}  // namespace bparb
