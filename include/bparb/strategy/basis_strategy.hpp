#pragma once
// The spot–perp basis strategy: leg 0 of each pair is the spot market, leg 1 the perpetual. It enters
// when BasisEvaluator finds a tradeable spread (and funding does not already trigger the exit rules),
// within max_open_positions and after each pair's opening_delay cooldown; it exits by the exit rules;
// it throttles the opportunity lines to one per episode and interval.
#include <cstdint>
#include <vector>

#include "bparb/strategy/basis.hpp"
#include "bparb/strategy/exit_rules.hpp"
#include "bparb/strategy/fee_model.hpp"
#include "bparb/strategy/strategy.hpp"

namespace bparb {

struct BasisStrategyParams {
  BasisParams basis;
  ExitParams exit;
  std::uint32_t max_open_positions = 3;
  DurationUs opening_delay_us = 60 * kUsPerSecond;
  DurationUs opportunity_log_interval_us = 10 * kUsPerSecond;
};

// Spot BUY quantity that leaves `net` coins in the account after its base-asset fee at `rate` (a rebate
// makes it smaller), rounded to `step` with `mode`.
Decimal spot_buy_gross(Decimal net, Decimal rate, Decimal step, Rounding mode) noexcept;

class BasisStrategy final : public Strategy {
 public:
  static constexpr std::size_t kMaxPairs = 32;

  explicit BasisStrategy(const BasisStrategyParams& params);
  void set_params(const BasisStrategyParams& p) noexcept;

  void add_pair(std::uint32_t pair, const StrategyPair& info) override;
  void on_funding(std::uint32_t pair, const FundingInfo& info) noexcept override;
  void on_book(std::uint32_t pair, TimestampUs now) noexcept override;
  void entry(std::uint32_t pair, const EntryContext& ctx, EntryDecision& out) noexcept override;
  void exit(std::uint32_t pair, const PositionContext& ctx, ExitDecision& out) noexcept override;
  void on_flat(std::uint32_t pair, TimestampUs now) noexcept override;

 private:
  struct Slot {
    StrategyPair info;
    FundingInfo funding;
    BasisEvaluator evaluator;
    TimestampUs cooldown_until_us = 0;
    TimestampUs last_opportunity_seen_us = 0;
    TimestampUs last_opportunity_log_us = 0;
    BasisDirection last_opportunity_direction = BasisDirection::kPerpPremium;  // of the last logged line
  };
  // The spot leg's margin flags when it is (or goes) short.
  void margin_flags(bool spot_short, std::array<LegOrderFlags, 2>& on_buy,
                    std::array<LegOrderFlags, 2>& on_sell) const noexcept;

  BasisStrategyParams params_;
  std::vector<Slot> pairs_;
};

}  // namespace bparb
