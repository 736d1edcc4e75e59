#pragma once
// What the kernel observed, as plain events: a fill booked, a position opened or closed, an entry the risk
// gate refused, a venue's refusal, a trading-state change, ... Each event is a trivially copyable value
// (ids, the pair's index, enums, exact decimals, short texts copied in), so an observer may keep it, post it
// to a later handler or write it to a file without anything it names going away under it. The pair is
// named by its index (ArbEngine::pair(index) gives its name, markets and books); an order by its OrderSpec,
// whose market pointer is the start-up table's and outlives the run.
//
// The engine hands every event to one EngineObserver; the daemon and the backtest attach theirs (journal
// writer, log lines, metrics, alerts, report collector) to an ObserverList, which passes each event to
// each of them in the order they were added. Observers read what they need and ignore the rest, so a
// strategy's new event reaches only the observers that handle it. Observers must not call back into the
// engine from on_event (post instead), and must not throw.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>

#include "bparb/core/decimal.hpp"
#include "bparb/exec/commands.hpp"
#include "bparb/exec/leg_risk.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/strategy/basis.hpp"
#include "bparb/strategy/exit_rules.hpp"

namespace bparb::exec {

// A short text copied into the event (a venue's reject code and message, a fee symbol, a reason): the
// original is often a view into a response buffer that is gone once the call returns. Longer texts are cut
// at N characters.
template <std::size_t N>
struct EventText {
  std::array<char, N> chars{};
  std::uint16_t size = 0;

  static EventText of(std::string_view s) noexcept {
    static_assert(N <= 0xFFFF);
    EventText t;
    t.size = static_cast<std::uint16_t>(std::min(s.size(), N));
    std::copy_n(s.data(), t.size, t.chars.data());
    return t;
  }
  std::string_view view() const noexcept { return {chars.data(), size}; }
};

using FeeSymbolText = EventText<16>;
using RejectCodeText = EventText<48>;
using RejectMessageText = EventText<256>;
using ReasonText = EventText<128>;

// "spot" / "perp": the leg of a pair as log lines name it.
std::string_view leg_name(LegIndex leg) noexcept;

namespace event {

// The strategy's view of a pair's spread, reported at most once per opportunity_log_interval.
struct Opportunity {
  PairIndex pair = 0;
  BasisQuote quote;
};
// The risk gate refused one of the first orders of an entry or an exit.
struct EntryRefused {
  PairIndex pair = 0;
  BasisQuote quote;
  LegIndex leg = LegIndex::kSpot;
  RiskDecision decision;
};
struct PositionOpened {
  PairIndex pair = 0;
  PositionState position;
  BasisQuote quote;
};
struct ExitSignalled {
  PairIndex pair = 0;
  PositionState position;
  ExitSignal signal;
};
struct PositionClosed {
  PairIndex pair = 0;
  PositionState position;
  ExitReason reason = ExitReason::kNone;
};
// An entry ended with nothing open.
struct TradeAbandoned {
  PairIndex pair = 0;
  ReasonText why;
};
// A fill of a pair's order, booked once.
struct Fill {
  PairIndex pair = 0;
  OrderSpec order;
  Decimal quantity;
  Decimal price;
  Decimal fee;
  FeeSymbolText fee_symbol;
  bool maker = false;
};
// A fill the venue reported that could not be booked in full (see FillProblem). The engine has already
// stopped opening (ReduceOnly) and hedges the quantity the venue reported.
struct FillNotBooked {
  PairIndex pair = 0;
  OrderSpec order;
  FillProblem problem = FillProblem::kNone;
  Decimal quantity;
  Decimal price;
  Decimal fee;
  FeeSymbolText fee_symbol;
};
struct LegRisk {
  PairIndex pair = 0;
  LegRiskDecision decision;
};
// The venue refused a pair's order.
struct OrderRejected {
  PairIndex pair = 0;
  OrderSpec order;
  RejectCodeText code;  // the venue's own code and message
  RejectMessageText message;
};
// The risk gate's state moved (or was asked to and stayed: `change.changed` says which).
struct TradingStateChanged {
  StateChange change;
  ReasonText why;
};
// The periodic summary (every stats_interval).
struct Stats {
  StrategyStats stats;
  TradingState state = TradingState::kActive;
};
// A funding payment, booked to the position open at the venue's settlement time (see FundingOutcome).
struct Funding {
  PairIndex pair = 0;
  Decimal amount;
  FundingOutcome outcome;
};
// Single orders (exec/order_entry.hpp; OrderSpec::pair is no pair): a fill booked once, and the venue's
// refusal. Their owner hears of them as SingleOrderEvents.
struct SingleOrderFill {
  OrderSpec order;
  Decimal quantity;
  Decimal price;
  Decimal fee;
  FeeSymbolText fee_symbol;
  bool maker = false;
};
struct SingleOrderRejected {
  OrderSpec order;
  RejectCodeText code;
  RejectMessageText message;
};

}  // namespace event

using EngineEvent = std::variant<event::Opportunity, event::EntryRefused, event::PositionOpened, event::ExitSignalled,
                                 event::PositionClosed, event::TradeAbandoned, event::Fill, event::FillNotBooked,
                                 event::LegRisk, event::OrderRejected, event::TradingStateChanged, event::Stats,
                                 event::Funding, event::SingleOrderFill, event::SingleOrderRejected>;
static_assert(std::is_trivially_copyable_v<EngineEvent>, "engine events are plain values");

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void on_event(const EngineEvent& e) = 0;
};

// The observers of one engine, told in the order they were added. Fixed capacity: telling them allocates
// nothing.
class ObserverList final : public EngineObserver {
 public:
  static constexpr std::size_t kCapacity = 8;

  // Start-up. Throws std::length_error beyond kCapacity.
  void add(EngineObserver& observer);
  std::size_t size() const noexcept { return size_; }

  void on_event(const EngineEvent& e) override {
    for (std::size_t i = 0; i < size_; ++i) observers_[i]->on_event(e);
  }

 private:
  std::array<EngineObserver*, kCapacity> observers_{};
  std::size_t size_ = 0;
};

}  // namespace bparb::exec
