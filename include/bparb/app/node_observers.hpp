#pragma once
// The daemon's observers of the engine's events (exec/engine_events.hpp) that belong to the app: the run's
// metrics and counts (the summary, the operator's /metrics and fills view), the service status line, the
// trades CSV with the pair strategy's own records, and operator alerts. With the runtime's journal and
// log-line observers (runtime/engine_observers.hpp) they are attached to the daemon's ObserverList in this
// order: metrics, journal, log lines, status, trade records, alerts. Each handles its own job's events.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bparb/alerts/alerter.hpp"
#include "bparb/app/daily_csv.hpp"
#include "bparb/app/service.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/engine_events.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/runtime/lighter_venue.hpp"
#include "bparb/service/snapshot.hpp"
#include "bparb/service/trading_metrics.hpp"

namespace bparb::app {

// What the run summary counts.
struct NodeEventCounts {
  std::uint64_t orders_sent = 0;
  std::uint64_t rejected = 0;
  std::uint64_t fills = 0;
  std::uint64_t hedges = 0;
  std::uint64_t leg_failures = 0;
};

// The run's figures: counts for the summary, the operator's tally of refusals, the last fills and the order
// path's metrics per venue. The order side (NodeEvents) counts what it sends; this observer counts what the
// engine booked.
class RunMetrics final : public exec::EngineObserver {
 public:
  explicit RunMetrics(const Clock& clock) noexcept : clock_(clock) {}

  void set_engine(const exec::ArbEngine& engine) noexcept { engine_ = &engine; }
  // Fills of the Lighter venue's instruments go to lighter_metrics().
  void set_lighter(const runtime::LighterVenue* lighter) noexcept { lighter_ = lighter; }
  // The stream fill being booked (its trade id and venue time for the fills view), null outside that call.
  void set_booking(const exec::FillReport* report) noexcept { booking_ = report; }

  void on_event(const exec::EngineEvent& e) override;

  NodeEventCounts& counts() noexcept { return counts_; }
  const NodeEventCounts& counts() const noexcept { return counts_; }
  service::Tally& tally() noexcept { return tally_; }
  const service::Tally& tally() const noexcept { return tally_; }
  const service::FillRing& recent_fills() const noexcept { return fills_; }
  service::TradingMetrics& metrics() noexcept { return metrics_; }
  const service::TradingMetrics& metrics() const noexcept { return metrics_; }
  service::TradingMetrics& lighter_metrics() noexcept { return lighter_metrics_; }
  const service::TradingMetrics& lighter_metrics() const noexcept { return lighter_metrics_; }

 private:
  service::TradingMetrics& metrics_of(InstrumentId instrument) noexcept {
    return lighter_ != nullptr && lighter_->owns(instrument) ? lighter_metrics_ : metrics_;
  }

  const Clock& clock_;
  const exec::ArbEngine* engine_ = nullptr;
  const runtime::LighterVenue* lighter_ = nullptr;
  const exec::FillReport* booking_ = nullptr;
  NodeEventCounts counts_;
  service::Tally tally_;
  service::FillRing fills_;
  service::TradingMetrics metrics_;
  service::TradingMetrics lighter_metrics_;
};

// The service status line (systemd STATUS=) at every periodic summary.
class StatusObserver final : public exec::EngineObserver {
 public:
  explicit StatusObserver(ServiceNotifier& svc) noexcept : svc_(svc) {}
  // A single-order strategy (the market maker) trades instead of the pairs: the status is `words()` after the
  // trading state.
  void set_single_order_status(std::function<std::string()> words) { single_order_status_ = std::move(words); }

  void on_event(const exec::EngineEvent& e) override;

 private:
  ServiceNotifier& svc_;
  std::function<std::string()> single_order_status_;
};

// A pair strategy's own record of its pairs' fills and positions (the cross-venue trades CSV): told after the
// journal and the log line.
class PairEventListener {
 public:
  virtual ~PairEventListener() = default;
  virtual void on_pair_fill(const exec::PairInfo& p, const exec::OrderSpec& o, Decimal qty, Decimal price,
                            Decimal fee) = 0;
  virtual void on_pair_opened(const exec::PairInfo& p, const PositionState& pos) = 0;
  virtual void on_pair_closed(const exec::PairInfo& p, const PositionState& pos) = 0;
};

// The pairs' fills as trades_<BASE>_<date>.csv rows, and a pair strategy's own records (PairEventListener).
class TradeRecords final : public exec::EngineObserver {
 public:
  TradeRecords(std::shared_ptr<spdlog::logger> log, const Clock& clock) : log_(std::move(log)), clock_(clock) {}

  // trades_<BASE>_<date>.csv in the log file's directory.
  void open_trades_csv(const std::string& log_file);
  void set_engine(const exec::ArbEngine& engine, const Portfolio& portfolio) noexcept {
    engine_ = &engine;
    portfolio_ = &portfolio;
  }
  void set_pair_listener(PairEventListener* l) noexcept { pair_listener_ = l; }

  void on_event(const exec::EngineEvent& e) override;

 private:
  void write_trade_csv(const exec::PairInfo& p, const exec::event::Fill& f) noexcept;

  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  std::optional<TradesCsv> trades_csv_;
  const exec::ArbEngine* engine_ = nullptr;
  const Portfolio* portfolio_ = nullptr;
  PairEventListener* pair_listener_ = nullptr;
};

// Operator alerts (docs/alerts.md) on trading-state changes, leg risk, rejects and fills. A fill's and a leg
// risk's alert is built in a handler posted to the loop, after the engine's call returned.
class AlertObserver final : public exec::EngineObserver {
 public:
  explicit AlertObserver(boost::asio::io_context& io) noexcept : io_(io) {}
  void set_engine(const exec::ArbEngine& engine) noexcept { engine_ = &engine; }
  void set_alerter(alerts::Alerter* alerter) noexcept { alerter_ = alerter; }  // null = none

  void on_event(const exec::EngineEvent& e) override;

 private:
  void alert_fill_later(const exec::PairInfo& p, const exec::event::Fill& f);
  void alert_leg_risk_later(const exec::PairInfo& p, const exec::LegRiskDecision& d);

  boost::asio::io_context& io_;
  const exec::ArbEngine* engine_ = nullptr;
  alerts::Alerter* alerter_ = nullptr;
};

}  // namespace bparb::app
