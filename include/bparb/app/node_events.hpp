#pragma once
// The daemon's event sink: the engine's commands go to the venue adapter, the adapter's reports go to the
// journal and then the engine, the feed's book and mark updates go to the engine, and the engine's
// observations go to the journal, the log lines (runtime/log_lines.hpp), the trades CSV and the service
// status. It also counts what the run summary shows.
// It lives in app/ because two of its observers are the app's (trades CSV, systemd status) and because it is
// the Backpack adapter's sink; runtime/ knows neither.
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
#include "bparb/app/daily_csv.hpp"
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

// What the run summary counts.
struct NodeEventCounts {
  std::uint64_t orders_sent = 0;
  std::uint64_t rejected = 0;
  std::uint64_t fills = 0;
  std::uint64_t hedges = 0;
  std::uint64_t leg_failures = 0;
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

class NodeEvents final : public exec::CommandSink, public exec::EngineObserver, public backpack::AdapterSink {
 public:
  NodeEvents(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock, RiskGate& risk,
             const runtime::LogLines& lines, runtime::JournalWriter& journal, const runtime::Node& node,
             ServiceNotifier& svc);

  // trades_<BASE>_<date>.csv in the log file's directory.
  void open_trades_csv(const std::string& log_file);
  // The pieces the events reach, as they come to exist: the adapter before start-up, the engine and its
  // portfolio once start-up passed, then the reconciler.
  void set_adapter(backpack::BackpackAdapter& adapter) noexcept { adapter_ = &adapter; }
  // The Lighter venue (runtime/lighter_venue.hpp), when the daemon hosts one: the engine's commands for its
  // instruments go there (it journals and reports on its own), the rest to the Backpack adapter.
  void set_lighter(runtime::LighterVenue* lighter);
  void set_engine(exec::ArbEngine& engine, Portfolio& portfolio) noexcept {
    engine_ = &engine;
    portfolio_ = &portfolio;
  }
  void set_reconciler(runtime::Reconciler& reconciler);
  // Operator alerts (docs/alerts.md): trading state, leg risk, rejects, fills and the stream's health go
  // there too. Null = none.
  void set_alerter(alerts::Alerter* alerter) noexcept { alerter_ = alerter; }
  // Trading starts: the feed's book and mark updates of `pairs` go to the engine, the private order stream
  // to the adapter; the stream's connections are logged. `venue` and `pairs` outlive the run.
  void listen(backpack::BackpackVenue& venue, const std::vector<runtime::PairRef>& pairs);
  // A book frame received at `received_us` is being handed to the engine: the orders it places on either venue
  // until tick_end() were decided on it (each venue's tick-to-order). 0 = not a usable frame (no sample).
  void tick_begin(TimestampUs received_us) noexcept {
    metrics_.tick_begin(received_us);
    lighter_metrics_.tick_begin(received_us);
  }
  void tick_end() noexcept {
    metrics_.tick_end();
    lighter_metrics_.tick_end();
  }
  // Book updates of instruments outside the pairs (the market maker's perps) go here. Null = dropped.
  void set_single_book_listener(std::function<void(InstrumentId)> f) { single_book_ = std::move(f); }
  // A single-order strategy (the market maker) trades instead of the pairs: the engine's periodic stats are
  // not logged (the strategy logs its own) and the service status is `words()` after the trading state.
  void set_single_order_status(std::function<std::string()> words) { single_order_status_ = std::move(words); }
  void set_pair_listener(PairEventListener* l) noexcept { pair_listener_ = l; }

  const NodeEventCounts& counts() const noexcept { return counts_; }
  // What the operator's HTTP surface shows of the run: cancels, refusals and the last refusal.
  const service::Tally& tally() const noexcept { return tally_; }
  // The order path's latencies, fills by liquidity and funding rates (the operator's /metrics).
  const service::TradingMetrics& metrics() const noexcept { return metrics_; }
  // The same figures of the Lighter venue's orders and fills (its order-ack latency, fills by liquidity).
  const service::TradingMetrics& lighter_metrics() const noexcept { return lighter_metrics_; }
  // The last booked fills (GET /api/v1/fills).
  const service::FillRing& recent_fills() const noexcept { return fills_; }

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

  // ---- EngineObserver: observations (the log lines are the greppable contract of the README)
  void on_event(const exec::EngineEvent& e) override;

 private:
  const exec::PairInfo& pair_info(PairIndex p) const noexcept { return engine_->pair(p); }
  void observe(const exec::event::Opportunity& e);
  void observe(const exec::event::EntryRefused& e);
  void observe(const exec::event::PositionOpened& e);
  void observe(const exec::event::ExitSignalled& e);
  void observe(const exec::event::PositionClosed& e);
  void observe(const exec::event::TradeAbandoned& e);
  void observe(const exec::event::Fill& e);
  void observe(const exec::event::FillNotBooked& e);
  void observe(const exec::event::LegRisk& e);
  void observe(const exec::event::OrderRejected& e);
  void observe(const exec::event::TradingStateChanged& e);
  void observe(const exec::event::Stats& e);
  void observe(const exec::event::Funding& e);
  // Single orders (exec/order_entry.hpp): counted and logged like the pairs' orders; no pair, no CSV row.
  void observe(const exec::event::SingleOrderFill& e);
  void observe(const exec::event::SingleOrderRejected& e);
  bool journal_intents(std::span<const exec::OrderSpec> orders);
  // The orders could not be journaled, so they were not sent: each is answered rejected and trading halts.
  void refuse_unjournaled(std::span<const exec::OrderSpec> orders);
  void place_on_lighter(std::span<const exec::OrderSpec> orders);
  void journal_daily_pnl();
  const runtime::PairRef* pair_of(InstrumentId instrument) const noexcept;
  void write_trade_csv(const exec::PairInfo& p, const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
                       std::string_view fee_symbol, bool maker) noexcept;
  void alert_fill_later(const exec::PairInfo& p, const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
                        std::string_view fee_symbol, bool maker);
  void alert_leg_risk_later(const exec::PairInfo& p, const exec::LegRiskDecision& d);

  boost::asio::io_context& io_;
  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  RiskGate& risk_;
  const runtime::LogLines& lines_;
  runtime::JournalWriter& journal_;
  const runtime::Node& node_;
  ServiceNotifier& svc_;
  std::optional<TradesCsv> trades_csv_;
  backpack::BackpackAdapter* adapter_ = nullptr;
  runtime::LighterVenue* lighter_ = nullptr;
  exec::ArbEngine* engine_ = nullptr;
  Portfolio* portfolio_ = nullptr;
  runtime::Reconciler* reconciler_ = nullptr;
  alerts::Alerter* alerter_ = nullptr;
  std::vector<const runtime::PairRef*> pair_by_instrument_;  // by InstrumentId, built once by listen()
  std::vector<const OrderBook*> book_by_instrument_;         // likewise: the frame's receive time is its stamp
  std::function<std::string()> single_order_status_;
  std::function<void(InstrumentId)> single_book_;  // a book no pair trades (the market maker's)
  PairEventListener* pair_listener_ = nullptr;
  NodeEventCounts counts_;
  service::Tally tally_;
  service::FillRing fills_;
  service::TradingMetrics metrics_;
  service::TradingMetrics lighter_metrics_;
  // The stream fill being booked (its trade id and venue time for the ring), null outside that call.
  const exec::FillReport* booking_ = nullptr;
};

}  // namespace bparb::app
