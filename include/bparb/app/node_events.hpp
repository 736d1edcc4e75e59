#pragma once
// The daemon's command side: the engine's commands go to the venue adapter of the instrument's venue (the
// intents journaled first), the adapter's reports go to the journal and then the engine, and the feed's book
// and mark updates go to the engine. The engine's observations go to the daemon's observers instead
// (app/node_observers.hpp, runtime/engine_observers.hpp); the run's metrics are one of them, held here
// because the order side counts into them too.
// It lives in app/ because it is the Backpack adapter's sink and hosts the app's metrics; runtime/ knows
// neither.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/alerts/alerter.hpp"
#include "bparb/app/node_observers.hpp"
#include "bparb/app/service.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/lighter_venue.hpp"
#include "bparb/runtime/log_lines.hpp"
#include "bparb/runtime/node.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/service/snapshot.hpp"
#include "bparb/service/trading_metrics.hpp"
#include "bparb/venue/backpack/adapter.hpp"
#include "bparb/venue/backpack/venue.hpp"

namespace bparb::app {

class NodeEvents final : public exec::CommandSink, public backpack::AdapterSink {
 public:
  NodeEvents(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock, RiskGate& risk,
             const runtime::LogLines& lines, runtime::JournalWriter& journal, const runtime::Node& node,
             ServiceNotifier& svc);

  // The pieces the events reach, as they come to exist: the adapter before start-up, the engine once
  // start-up passed, then the reconciler.
  void set_adapter(backpack::BackpackAdapter& adapter) noexcept { adapter_ = &adapter; }
  // The Lighter venue (runtime/lighter_venue.hpp), when the daemon hosts one: the engine's commands for its
  // instruments go there (it journals and reports on its own), the rest to the Backpack adapter.
  void set_lighter(runtime::LighterVenue* lighter);
  void set_engine(exec::ArbEngine& engine) noexcept {
    engine_ = &engine;
    run_metrics_.set_engine(engine);
  }
  // Where the engine's events go (the daemon's ObserverList): an order refused for want of a journal halts
  // trading, and the observers hear of it like any other trading-state change.
  void set_observers(exec::EngineObserver& observers) noexcept { observers_ = &observers; }
  void set_reconciler(runtime::Reconciler& reconciler);
  // Operator alerts (docs/alerts.md) on the stream's health and reconciliation mismatches (the engine's
  // events reach the alerter through the daemon's AlertObserver). Null = none.
  void set_alerter(alerts::Alerter* alerter) noexcept { alerter_ = alerter; }
  // Trading starts: the feed's book and mark updates of `pairs` go to the engine, the private order stream
  // to the adapter; the stream's connections are logged. `venue` and `pairs` outlive the run.
  void listen(backpack::BackpackVenue& venue, const std::vector<runtime::PairRef>& pairs);
  // A book frame received at `received_us` is being handed to the engine: the orders it places on either venue
  // until tick_end() were decided on it (each venue's tick-to-order). 0 = not a usable frame (no sample).
  void tick_begin(TimestampUs received_us) noexcept {
    run_metrics_.metrics().tick_begin(received_us);
    run_metrics_.lighter_metrics().tick_begin(received_us);
  }
  void tick_end() noexcept {
    run_metrics_.metrics().tick_end();
    run_metrics_.lighter_metrics().tick_end();
  }
  // Book updates of instruments outside the pairs (the market maker's perps) go here. Null = dropped.
  void set_single_book_listener(std::function<void(InstrumentId)> f) { single_book_ = std::move(f); }
  // The run's figures, an observer of the engine's events the daemon attaches first.
  RunMetrics& run_metrics() noexcept { return run_metrics_; }
  const NodeEventCounts& counts() const noexcept { return run_metrics_.counts(); }
  // What the operator's HTTP surface shows of the run: cancels, refusals and the last refusal.
  const service::Tally& tally() const noexcept { return run_metrics_.tally(); }
  // The order path's latencies, fills by liquidity and funding rates (the operator's /metrics).
  const service::TradingMetrics& metrics() const noexcept { return run_metrics_.metrics(); }
  // The same figures of the Lighter venue's orders and fills (its order-ack latency, fills by liquidity).
  const service::TradingMetrics& lighter_metrics() const noexcept { return run_metrics_.lighter_metrics(); }
  // The last booked fills (GET /api/v1/fills).
  const service::FillRing& recent_fills() const noexcept { return run_metrics_.recent_fills(); }

  // ---- CommandSink: I/O, through the adapter
  void place_orders(std::span<const exec::OrderSpec> orders) override;
  void cancel_order(InstrumentId instrument, oms::ClientId client_id) override;
  // The kernel's cancel-all (shutdown, the operator's /api/v1/cancel-all): one cancel-all per instrument that
  // has live orders, through its venue's adapter (Lighter: CancelAllOrders for the market; Backpack: DELETE
  // /orders for the symbol), not a cancel per order. When a venue refuses it, that instrument's orders are
  // cancelled one by one. The stream reports each order cancelled.
  void cancel_all(std::span<const exec::LiveOrder> live);
  // On Lighter one ModifyOrder; elsewhere the cancel, then the new order.
  void replace_order(InstrumentId instrument, oms::ClientId old_id, const exec::OrderSpec& next) override;
  void query_order(InstrumentId instrument, oms::ClientId client_id) override;

  // ---- AdapterSink: what the venue reported
  bool before_send(std::span<const exec::OrderSpec> orders) override;
  void on_sent(std::span<const exec::OrderSpec> legs) override;
  void on_ack(const exec::OrderAck& a, std::string_view exchange_order_id) override;
  void on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) override;
  void on_fill(const exec::FillReport& f) override;
  void on_cancel_refused(const exec::CancelRefusal& refusal) override;
  void on_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed) override;

 private:
  bool journal_intents(std::span<const exec::OrderSpec> orders);
  // The orders could not be journaled, so they were not sent: each is answered rejected and trading halts.
  void refuse_unjournaled(std::span<const exec::OrderSpec> orders);
  void place_on_lighter(std::span<const exec::OrderSpec> orders);
  const runtime::PairRef* pair_of(InstrumentId instrument) const noexcept;

  boost::asio::io_context& io_;
  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  RiskGate& risk_;
  const runtime::LogLines& lines_;
  runtime::JournalWriter& journal_;
  const runtime::Node& node_;
  ServiceNotifier& svc_;
  backpack::BackpackAdapter* adapter_ = nullptr;
  runtime::LighterVenue* lighter_ = nullptr;
  exec::ArbEngine* engine_ = nullptr;
  alerts::Alerter* alerter_ = nullptr;
  std::vector<const runtime::PairRef*> pair_by_instrument_;  // by InstrumentId, built once by listen()
  std::vector<const OrderBook*> book_by_instrument_;         // likewise: the frame's receive time is its stamp
  std::function<void(InstrumentId)> single_book_;            // a book no pair trades (the market maker's)
  exec::EngineObserver* observers_ = nullptr;
  RunMetrics run_metrics_{clock_};
};

}  // namespace bparb::app
