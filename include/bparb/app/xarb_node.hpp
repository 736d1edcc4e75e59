#pragma once
// The cross-venue arbitrage in the daemon ([strategy] kind = "cross_venue", docs/cross_venue.md): the strategy the
// engine runs (strategy/cross_venue/cross_venue_strategy.hpp) and what the daemon adds around it — each venue's
// health and funding pushed in on the node's tick, the strategy's lines (opportunities, exits, refusal counts)
// logged in the shapes of xarb_text.hpp, and the seed's bbo_/trades_ CSV files (app/xarb_csv.hpp).
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/node_events.hpp"
#include "bparb/app/xarb_csv.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/strategy/cross_venue/cross_venue_strategy.hpp"

namespace bparb::app {

// The strategy's parameters from [xarb] (bps buffers as fractions).
CrossVenueStrategyParams cross_venue_params(const XarbConfig& x);

// What the daemon knows of both venues on a tick.
struct XarbVenueView {
  const OrderBook* backpack_book = nullptr;
  const OrderBook* lighter_book = nullptr;
  XarbVenueHealth backpack;
  XarbVenueHealth lighter;
  std::optional<FundingInfo> backpack_funding;  // from Backpack's mark stream, when it has one
  std::optional<FundingInfo> lighter_funding;   // from Lighter's funding-rates, once read
};

class XarbNode final : public XarbObserver, public PairEventListener {
 public:
  // `csv_dir` must exist; the files are opened here (throws std::runtime_error naming the file when not).
  XarbNode(std::shared_ptr<spdlog::logger> log, const Clock& clock, const XarbConfig& cfg, const std::string& csv_dir);

  CrossVenueStrategy& strategy() noexcept { return strategy_; }
  const XarbConfig& config() const noexcept { return cfg_; }
  // SIGHUP: the core's parameters and the daemon's buffers and cooldown; the coin and markets need a restart.
  void reload(const XarbConfig& next);

  // The node's tick: both venues' health and funding into the strategy, and a bbo row every 5 s.
  void on_tick(const XarbVenueView& v, TimestampUs now);
  // A funding payment booked to the pair: counted per venue for the stats line.
  void on_funding_booked(VenueId venue, Decimal amount) noexcept;
  // "Cross-venue stats BTC ..." and the refusal counts: the run's last lines and the periodic stats.
  std::vector<std::string> stats_lines() const;

  // ---- XarbObserver (inside the engine's call: log lines only)
  void on_xarb_opportunity(std::uint32_t pair, const XarbQuote& q) override;
  void on_xarb_exit(std::uint32_t pair, const XarbExitSignal& s, const XarbPosition& pos) override;

  // ---- PairEventListener: each completed two-leg trade (entry, then exit) becomes a trades CSV row.
  void on_pair_fill(const exec::PairInfo& p, const exec::OrderSpec& o, Decimal qty, Decimal price,
                    Decimal fee) override;
  void on_pair_opened(const exec::PairInfo& p, const PositionState& pos) override;
  void on_pair_closed(const exec::PairInfo& p, const PositionState& pos) override;

 private:
  // The fills of the trade in progress, per leg (0 Backpack, 1 Lighter).
  struct LegTally {
    Decimal quantity;
    Decimal notional;
    Decimal fee;
    Side side = Side::kBid;  // of its last fill
  };
  void write_trade(XarbDirection d);
  void csv_failed(const std::exception& e);

  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  XarbConfig cfg_;
  CrossVenueStrategy strategy_;
  std::optional<XarbCsvWriter> csv_;
  std::array<LegTally, 2> trade_{};
  std::array<Decimal, 2> funding_{};  // booked per venue this run
  std::uint64_t opened_ = 0;
  std::uint64_t closed_ = 0;
  bool last_entry_long_ = true;  // the open position's direction (the exit row goes the other way)
};

}  // namespace bparb::app
