#pragma once
// The cross-venue arbitrage as the engine's Strategy (strategy/strategy.hpp): each pair is the same coin's
// perpetual on Backpack (leg 0) and on Lighter (leg 1). Entries come from the decision core's signal
// (xarb_signal.hpp) on every book update of either venue; exits from its exit rules (xarb_exit.hpp), reduce-only
// on both legs. The engine's two-leg trade sends both legs at once, each to its own venue (or, by leg_order, one
// venue's leg first and the other's as it fills), and owns the leg risk.
//
// What the engine does not know (each venue's funding, its private stream, clock and nonce state, Lighter's
// margin) the runtime pushes in with set_funding / set_venue_state; the lines worth logging (an opportunity,
// an exit) go to an XarbObserver. Pure: no clock, no I/O, no allocation after add_pair.
#include <array>
#include <cstdint>
#include <vector>

#include "bparb/core/venue.hpp"
#include "bparb/strategy/cross_venue/xarb_exit.hpp"
#include "bparb/strategy/cross_venue/xarb_params.hpp"
#include "bparb/strategy/cross_venue/xarb_signal.hpp"
#include "bparb/strategy/strategy.hpp"

namespace bparb {

struct CrossVenueStrategyParams {
  XarbParams xarb;
  // Taker limits go at most this fraction beyond the worst level the size walks, per venue.
  Decimal backpack_slippage_buffer = Decimal::from_raw(2'000'000);  // 0.002
  Decimal lighter_slippage_buffer = Decimal::from_raw(2'000'000);
  DurationUs opening_delay_us = 30 * kUsPerSecond;  // after a trade ends, before the next entry
  // Entries: both legs at once, or Backpack's (kLeg0First) / Lighter's (kLeg1First) first and the other as it fills,
  // the first leg cancelled after first_leg_timeout_us (strategy.hpp).
  LegSequence leg_order = LegSequence::kTogether;
  DurationUs first_leg_timeout_us = 2 * kUsPerSecond;
  DurationUs opportunity_log_interval_us = 10 * kUsPerSecond;
};

// What the runtime knows of a venue beyond its book (refreshed on its timer, read on every entry).
struct XarbVenueHealth {
  bool private_stream_up = false;
  bool clock_settled = false;
  bool nonce_settled = false;
  Decimal available_margin;  // collateral free for this leg's initial margin (USD)
};

// The lines the strategy asks to be logged (called from inside the engine's call: post any I/O).
class XarbObserver {
 public:
  virtual ~XarbObserver() = default;
  // An opportunity, tradeable or refused, at most once per log interval and direction turn.
  virtual void on_xarb_opportunity(std::uint32_t pair, const XarbQuote& q) = 0;
  // An exit rule fired for the open position.
  virtual void on_xarb_exit(std::uint32_t pair, const XarbExitSignal& s, const XarbPosition& pos) = 0;
};

class CrossVenueStrategy final : public Strategy {
 public:
  static constexpr std::size_t kMaxPairs = 32;

  explicit CrossVenueStrategy(const CrossVenueStrategyParams& params);
  void set_params(const CrossVenueStrategyParams& p) noexcept;
  const CrossVenueStrategyParams& params() const noexcept { return params_; }
  void set_observer(XarbObserver* o) noexcept { observer_ = o; }

  // The runtime's view of each venue (leg 0 Backpack, leg 1 Lighter).
  void set_funding(std::uint32_t pair, VenueId venue, const FundingInfo& info) noexcept;
  void set_venue_state(std::uint32_t pair, VenueId venue, const XarbVenueHealth& h) noexcept;

  // The last quote evaluated on a pair (the CSV's signal column, status).
  const XarbQuote& last_quote(std::uint32_t pair) const noexcept { return pairs_[pair].last; }
  // Opportunities refused, by reason (counted once per opportunity episode), and venue-gate refusals (book
  // stale/invalid, stream down...) counted once per change of reason.
  const XarbRefusalCounts& refusals(std::uint32_t pair) const noexcept { return pairs_[pair].refusals; }
  std::size_t pair_count() const noexcept { return pairs_.size(); }
  std::string_view pair_name(std::uint32_t pair) const noexcept { return pairs_[pair].info.name; }

  void add_pair(std::uint32_t pair, const StrategyPair& info) override;
  // The engine's funding event: Backpack's perp (the only mark stream it hears).
  void on_funding(std::uint32_t pair, const FundingInfo& info) noexcept override;
  void on_book(std::uint32_t pair, TimestampUs now) noexcept override;
  void entry(std::uint32_t pair, const EntryContext& ctx, EntryDecision& out) noexcept override;
  void exit(std::uint32_t pair, const PositionContext& ctx, ExitDecision& out) noexcept override;
  void on_flat(std::uint32_t pair, TimestampUs now) noexcept override;

 private:
  struct Slot {
    StrategyPair info;
    XarbEvaluator evaluator;
    std::array<FundingInfo, 2> funding{};
    std::array<XarbVenueHealth, 2> health{};
    XarbQuote last;
    XarbRefusalCounts refusals;
    XarbRefusal last_gate_refusal = XarbRefusal::kNone;
    TimestampUs cooldown_until_us = 0;
    TimestampUs last_opportunity_seen_us = 0;
    TimestampUs last_opportunity_log_us = 0;
    XarbDirection last_opportunity_direction = XarbDirection::kLongBackpack;
    bool exit_reported = false;  // the current exit signal's line was sent (once per exit)
  };
  XarbInputs inputs(const Slot& s, const AccountView& account, TimestampUs now) const noexcept;

  CrossVenueStrategyParams params_;
  std::vector<Slot> pairs_;
  XarbObserver* observer_ = nullptr;
};

// The engine's exit reason for a cross-venue exit rule (the Closed line and the journal name it).
ExitReason to_exit_reason(XarbExitReason r) noexcept;

}  // namespace bparb
