#pragma once
// Spot–perp basis signal for one pair (spot market + perp market of the same base asset).
//
// Sign conventions (all fractions are Decimals, 0.001 = 0.1% = 10 bps):
//  * Direction kPerpPremium = buy spot, sell perp (perp trades rich). kSpotPremium = sell spot, buy
//    perp (spot trades rich; needs spot inventory unless allow_spot_borrow).
//  * entry_spread = (sell_vwap - buy_vwap) / buy_vwap from walking both books as a taker for the
//    intended size: PerpPremium sells perp bids / buys spot asks; SpotPremium sells spot bids / buys
//    perp asks. Positive = the trade locks in a premium.
//  * expected_exit_basis = premium we expect still to pay back when unwinding (0 = full convergence).
//  * funding_fraction = funding RECEIVED per unit notional over the expected holding time: the perp's
//    current rate (markPrice `f`, per fundingInterval — hourly on Backpack) times the number of
//    settlements in the holding window; rate > 0 pays shorts, so PerpPremium (short perp) earns +rate
//    and SpotPremium (long perp) earns -rate.
//  * net_expected = entry_spread - expected_exit_basis - fee_fraction (all four fills)
//                   - slippage_allowance + funding_fraction.
// Economics always use the walked TAKER prices, even for a MAKER plan (conservative: a post-only
// order at the touch can only do better); the plan only changes the fee rates and limit prices.
//
// Pure: no clock (pass `now`), no logging, no allocation. One BasisEvaluator per pair.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/strategy/basis_volatility.hpp"
#include "bparb/strategy/fee_model.hpp"
#include "bparb/strategy/funding.hpp"

namespace bparb {

enum class BasisDirection : std::uint8_t { kPerpPremium, kSpotPremium };
enum class ExecutionPlan : std::uint8_t { kTaker, kMaker };

const char* to_string(BasisDirection d) noexcept;  // "PerpPremium" / "SpotPremium"
const char* to_string(ExecutionPlan p) noexcept;   // "TAKER" / "MAKER"

// Why a quote is not tradeable. The first failing check wins; economics are still filled in when
// the books allow it so the log line can show what was missed.
enum class Refusal : std::uint8_t {
  kNone = 0,
  kBadMarketSpec,          // missing spec/book, tick or step <= 0
  kMarketNotTrading,       // orderBookState Closed / CancelOnly (or PostOnly with a taker plan)
  kBookInvalid,            // book not synced (DepthSync) — never trade on it
  kBookEmpty,              // a side we need is empty
  kInsufficientLiquidity,  // the walk could not fill the size
  kRiskLimit,              // risk headroom (max position / total exposure) leaves less than the minimum
  kNoSpotInventory,        // SpotPremium without base inventory and borrowing not allowed
  kInsufficientBalance,    // not enough quote to buy the spot leg
  kInsufficientMargin,     // not enough margin for the perp leg's initial margin
  kBelowMinQuantity,       // size after step rounding below either market's minimum
  kBelowOpportunityThreshold,
  kBelowExecutionThreshold,
  kLowConfidence,
  kFundingAgainst,  // funding already charges the position more than the exit rule tolerates (set by ArbEngine)
};
const char* to_string(Refusal r) noexcept;

// What bounded the size (for the log line).
enum class SizeLimit : std::uint8_t {
  kTarget,         // position_size_usd
  kRisk,           // max_notional_usd from the risk gate
  kLiquidity,      // max_depth_fraction of in-band depth
  kMaxQuantity,    // a market's maxQuantity
  kQuoteBalance,   // available quote for the spot buy
  kBaseInventory,  // available base for the spot sell
  kMargin,         // perp initial margin
};
const char* to_string(SizeLimit s) noexcept;

struct BasisParams {
  Decimal position_size_usd = Decimal::from_int(100);
  Decimal min_spread_threshold = Decimal::from_raw(1'000'000);     // 0.001 entry spread: "opportunity" (logged)
  Decimal min_execution_threshold = Decimal::from_raw(2'000'000);  // 0.002: tradeable
  Decimal large_spread_threshold = Decimal::from_raw(10'000'000);  // 0.01 entry spread
  bool use_maker_for_large_spreads = false;
  bool exit_as_maker = false;                               // fee assumption for the two exit fills (default: cross)
  Decimal expected_exit_basis;                              // fraction still paid back at exit (0 = converged)
  Decimal slippage_allowance = Decimal::from_raw(200'000);  // 0.0002: latency/impact beyond the walk
  DurationUs expected_holding_us = 8 * kUsPerHour;
  bool allow_spot_borrow = false;
  // Taker limit price = worst walked price moved by this buffer (per market type), tick-aligned
  // inward (buy down, sell up) so the buffer is never exceeded.
  Decimal spot_slippage_buffer = Decimal::from_raw(500'000);  // 0.0005
  Decimal perp_slippage_buffer = Decimal::from_raw(500'000);
  // Liquidity: depth = quantity within depth_band_bps of best on the side we consume, thinner leg.
  Decimal depth_band_bps = Decimal::from_int(10);
  Decimal max_depth_fraction = Decimal::from_raw(500'000'000);  // 0.5: never take more than half
  // Confidence.
  double min_confidence = 0.6;
  DurationUs stale_after_us = 2 * kUsPerSecond;  // book older than this -> stale penalty
  double stale_penalty = 0.2;
  DurationUs resync_grace_us = 30 * kUsPerSecond;  // book re-synced more recently -> penalty
  double resync_penalty = 0.1;
  double volatility_threshold = 0.001;  // stddev of mid basis (fraction) over the window
  double volatility_penalty = 0.2;
};

// Start-up check of values the daemon loaded from config: nullptr if usable, else a message naming
// the field and the rule (e.g. "max_depth_fraction must be in (0, 1]").
const char* validate(const BasisParams& p) noexcept;

// Everything the confidence number is made of, so the log can print the formula.
struct ConfidenceFactors {
  double base = 0.5;
  double liquidity = 0;           // +0.1 (>=1x), +0.2 (>=3x), +0.3 (>=10x) depth / size
  double spread_quality = 0;      // +0.2 for 0.2%..1.0%, +0.1 for 0.15%..0.2%
  double stale_penalty = 0;       // <= 0
  double resync_penalty = 0;      // <= 0
  double volatility_penalty = 0;  // <= 0
  double total = 0;               // clamp(sum, 0, 1)
  double depth_ratio = 0;         // thinner leg's in-band depth / size
  double basis_stddev = 0;
  std::int64_t spot_age_us = 0;
  std::int64_t perp_age_us = 0;
};

struct LegPlan {
  Side side = Side::kBid;
  Decimal vwap;         // walked taker VWAP (adverse-rounded by the book)
  Decimal best_price;   // first level touched
  Decimal worst_price;  // last level touched
  Decimal limit_price;  // order price: taker = worst +/- buffer; maker = own-side touch
  bool post_only = false;
  Decimal depth;  // in-band quantity on the consumed side
};

struct BasisQuote {
  std::uint32_t pair_id = 0;   // BasisEvaluator's pair id (the daemon's pair index)
  std::string_view pair_name;  // BasisEvaluator's name (storage owned by the config)
  BasisDirection direction = BasisDirection::kPerpPremium;
  ExecutionPlan plan = ExecutionPlan::kTaker;
  Decimal quantity;      // equal on both legs, on both markets' step, >= both minimums (when tradeable)
  Decimal notional_usd;  // spot leg notional at the walked VWAP
  Decimal entry_spread;
  Decimal expected_exit_basis;
  Decimal fee_fraction;
  Decimal slippage_allowance;
  Decimal funding_fraction;
  std::int64_t funding_settlements = 0;
  Decimal net_expected;         // fraction of notional
  Decimal expected_profit_usd;  // net_expected * notional_usd
  ConfidenceFactors confidence;
  LegPlan spot;
  LegPlan perp;
  SizeLimit size_limited_by = SizeLimit::kTarget;
  bool economics_valid = false;  // spreads/fees computed from real walks
  bool opportunity = false;      // entry_spread >= min_spread_threshold
  bool tradeable = false;
  Refusal refusal = Refusal::kNone;
};

struct LegInput {
  const MarketSpec* spec = nullptr;
  const OrderBook* book = nullptr;
  TimestampUs synced_since_us = 0;  // when the book last became valid (snapshot after (re)sync)
};

struct AccountView {
  FeeSchedule fees;          // real rates from /api/v1/account
  Decimal available_quote;   // free USDC for the spot buy (fee included in the check)
  Decimal available_base;    // free spot inventory for the spot sell
  Decimal available_margin;  // netEquityAvailable: collateral for the perp leg's initial margin
};

struct BasisInputs {
  LegInput spot;
  LegInput perp;
  FundingInfo funding;
  AccountView account;
  Decimal max_notional_usd;  // risk headroom for this position (RiskGate::entry_headroom_usd)
  TimestampUs now = 0;
};

// Least common multiple of two increments (0.00001 and 0.0001 -> 0.0001): a quantity on it is on
// both markets' steps. Zero if either is <= 0 or the result overflows.
Decimal common_step(Decimal a, Decimal b) noexcept;

// One line with every number behind the decision (direction, plan, size, spread, exit basis, fees,
// slippage, funding, net, confidence formula, per-leg prices, size limit, refusal), for the
// "Found opportunity" log. Writes at most cap-1 chars plus NUL, returns the length written. No
// allocation; still string formatting, so call it only for quotes you are going to log.
std::size_t describe(const BasisQuote& q, char* buf, std::size_t cap) noexcept;

class BasisEvaluator {
 public:
  // `pair_name` must outlive the evaluator (points into the loaded config).
  explicit BasisEvaluator(const BasisParams& params, std::size_t vol_window = 60, DurationUs vol_min_interval_us = 0,
                          std::uint32_t pair_id = 0, std::string_view pair_name = {});

  const BasisParams& params() const noexcept { return params_; }
  void set_params(const BasisParams& p) noexcept { params_ = p; }

  // Feed the mid basis (perp_mid - spot_mid) / spot_mid into the volatility window. Call on every
  // book update of either leg; ignored when either book is invalid or one-sided.
  void observe(const OrderBook& spot, const OrderBook& perp, TimestampUs now) noexcept;
  const BasisVolatility& volatility() const noexcept { return vol_; }
  void reset_volatility() noexcept { vol_.reset(); }

  BasisQuote evaluate(const BasisInputs& in, BasisDirection direction) const noexcept;
  // Both directions; returns the tradeable one with the higher net, else the higher net.
  BasisQuote evaluate_best(const BasisInputs& in) const noexcept;

  // False only when `direction` certainly cannot be an opportunity: a book is missing, invalid or
  // empty on a consumed side, or even the touch prices give an entry spread below
  // min_spread_threshold (a taker walk's VWAP is never better than the touch, and the spread is
  // monotone in both prices). Exact integer arithmetic, a few nanoseconds: no walk, no fees.
  bool may_be_opportunity(const BasisInputs& in, BasisDirection direction) const noexcept;

  // evaluate_best for the per-update hot path, with the same decision: whenever evaluate_best's
  // quote is an opportunity or tradeable, this returns that identical quote; otherwise it returns
  // a quote that is neither (opportunity = tradeable = economics_valid = false, refusal
  // kBelowOpportunityThreshold, no economics) without walking the books when neither direction
  // may_be_opportunity. Use it where only opportunities/tradeable quotes are acted on (ArbEngine).
  BasisQuote evaluate_best_fast(const BasisInputs& in) const noexcept;

 private:
  BasisParams params_;
  BasisVolatility vol_;
  std::uint32_t pair_id_;
  std::string_view pair_name_;
};

}  // namespace bparb
