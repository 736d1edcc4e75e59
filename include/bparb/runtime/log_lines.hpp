#pragma once
// The greppable log-line contract: every line the README shows (opportunities, orders, fills, positions,
// funding, stats, leg risk, trading state) is written here and only here, so their shapes change in one
// place or not at all. Money is printed to the cent with parts that add up to the total (docs/money.md).
#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "bparb/core/decimal.hpp"
#include "bparb/exec/arb_engine.hpp"

namespace bparb::runtime {

// A P&L and its parts as printed, in cents: the parts add up to the total, and fees are what they add to
// the P&L (negative when paid).
struct PnlCents {
  std::string total, spread, fees, funding;
};
PnlCents pnl_cents(Decimal realized, Decimal fees_paid, Decimal funding);

// "pnl=0.81 USD (spread 2.16 fees -1.35 funding 0.00)".
std::string pnl_parts(Decimal realized, Decimal fees_paid, Decimal funding);

// A fraction as a percentage: 0.00799 -> "0.799%".
std::string pct(Decimal fraction, int places = 3);

class LogLines {
 public:
  explicit LogLines(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

  spdlog::logger& logger() const noexcept { return *log_; }

  void opportunity(const exec::PairInfo& p, const BasisQuote& q) const;
  void entry_refused(const exec::PairInfo& p, std::string_view leg, const RiskDecision& d) const;
  // `id` is the position's journal number (JournalWriter::position_id).
  void position_opened(const exec::PairInfo& p, std::uint64_t id, const PositionState& pos, const BasisQuote& q) const;
  void exit_signal(const exec::PairInfo& p, std::uint64_t id, const ExitSignal& s) const;
  void position_closed(const exec::PairInfo& p, std::uint64_t id, const PositionState& pos, ExitReason r) const;
  void trade_abandoned(const exec::PairInfo& p, std::string_view why) const;
  void fill(const exec::PairInfo& p, const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
            std::string_view fee_symbol, bool maker) const;
  void leg_risk(const exec::PairInfo& p, const exec::LegRiskDecision& d) const;
  // A single order (exec/order_entry.hpp) belongs to no pair: its lines name the market only.
  void fill(const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee, std::string_view fee_symbol,
            bool maker) const;
  void order_rejected(const exec::OrderSpec& o, std::string_view code, std::string_view message) const;
  void order_rejected(const exec::PairInfo& p, const exec::OrderSpec& o, std::string_view code,
                      std::string_view message) const;
  void trading_state(const StateChange& c, std::string_view why) const;
  void stats(const StrategyStats& s, TradingState st) const;
  void exposure(Decimal max_unhedged_usd, DurationUs longest_unhedged_us) const;
  // `id` is the journal number of the position the payment went to (unused for kNoPosition/kUnknownPair).
  void funding(const exec::PairInfo& p, Decimal amount, const FundingOutcome& o, std::uint64_t id) const;
  void fill_problem(const exec::PairInfo& p, const exec::OrderSpec& o, FillProblem why, Decimal qty, Decimal price,
                    Decimal fee, std::string_view fee_symbol) const;
  // "Placing N TAKER|MAKER orders (purpose): ...". Formatted into stack buffers: no heap for a usual batch.
  void placing(std::span<const exec::OrderSpec> legs) const;

 private:
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace bparb::runtime
