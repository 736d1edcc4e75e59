#pragma once
// The Backpack adapter: the engine's orders as Backpack requests (one signed batch per plan), Backpack's
// answers and order-stream events as the engine's acks, updates and fill reports, and a clock re-sync when
// a signed request was refused as expired. It translates; what to do with a report is the sink's call.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/ws_client.hpp"

namespace bparb::backpack {

class AdapterSink {
 public:
  virtual ~AdapterSink() = default;
  // Write-ahead, before a byte leaves: false = the batch is not sent (and the sink answers its orders).
  virtual bool before_send(std::span<const exec::OrderSpec> orders) = 0;
  // The request is on its way (the "Placing ..." line).
  virtual void on_sent(std::span<const exec::OrderSpec> legs) = 0;
  // The answer to a placed order; exchange_order_id is empty unless it was accepted.
  virtual void on_ack(const exec::OrderAck& a, std::string_view exchange_order_id) = 0;
  // A stream event that is not a fill (accepted, cancelled, expired).
  virtual void on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) = 0;
  // A fill of one of our orders, from the stream or the fills history of a queried order.
  virtual void on_fill(const exec::FillReport& f) = 0;
  // The venue refused a cancel (or did not answer it): the order may still be live.
  virtual void on_cancel_refused(const exec::CancelRefusal& /*refusal*/) {}
  // What a cancel or a query found out about an order.
  virtual void on_query(ClientId client_id, bool found, OrderStatus status, Decimal executed) = 0;
};

// A fills-history row as a fill report (the stream builds its own from the event).
exec::FillReport fill_report(const Fill& f, ClientId client_id);
exec::FillReport fill_report(const Fill& f);  // the row's own client id, if any

class BackpackAdapter final : public exec::ReconciliationVenue, public exec::StartupVenue {
 public:
  // `instruments` holds every market an order can be for (its ids are what cancels and queries name; it is
  // filled at start-up, after construction); `history_from_us` bounds the fills history asked for a queried
  // order (the run's start).
  BackpackAdapter(boost::asio::io_context& io, const Clock& clock, RestClient& rest, BackpackWs& ws,
                  const InstrumentTable& instruments, TimestampUs history_from_us, std::shared_ptr<spdlog::logger> log,
                  AdapterSink& sink);

  // Once warm this allocates nothing on the heap (RestOrderPath.* in bparb_perf_tests; BENCHMARKS.md): the
  // requests and the batch records reuse member storage, the REST callbacks capture 16 trivially copyable
  // bytes.
  void place_orders(std::span<const exec::OrderSpec> orders);
  // A seam for the tick-to-wire harness: with a hook set, place_orders hands the mapped requests to it
  // instead of RestClient, after before_send and with no batch record kept (the hook's owner answers the
  // orders; on_sent is not called). The daemon never sets one. A plain function pointer: no allocation.
  using RequestHook = void (*)(void* ctx, std::span<const OrderRequest> orders);
  void set_request_hook(RequestHook hook, void* ctx) noexcept {
    request_hook_ = hook;
    request_hook_ctx_ = ctx;
  }
  // An id wider than Backpack's clientId is never sent (nor truncated): place_orders answers every order of
  // the request as rejected (RejectClass::kOther), cancel_order drops it, query_order answers "not found"
  // (as for an instrument the table does not hold).
  void cancel_order(InstrumentId instrument, ClientId client_id);
  void query_order(InstrumentId instrument, ClientId client_id);
  // One private order-stream event (account.orderUpdate).
  void on_order_event(const OrderUpdateEvent& e);
  // A signed request refused for its timestamp means the offset to the exchange's clock is stale (one of the
  // two clocks stepped): measure it again from /api/v1/time, one re-sync at a time.
  void resync_clock_on_expiry(const RestError& e);

  // ---- Start-up reports
  void sync_clock(std::function<void(const exec::VenueError*, const exec::ClockOffsetReport&)> done) override;
  void markets(std::function<void(const exec::VenueError*, std::span<const MarketSpec>)> done) override;
  void account_terms(std::function<void(const exec::VenueError*, const exec::AccountTermsReport&)> done) override;

  // ---- Reconciliation reports (recovery, polls)
  void open_order_count(std::string_view symbol,
                        std::function<void(const exec::VenueError*, std::size_t)> done) override;
  void cancel_all(std::string_view symbol, std::function<void(const exec::VenueError*)> done) override;
  void fills_since(std::string_view symbol, std::int64_t from_ms, std::size_t limit,
                   std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)> done) override;
  void positions(std::function<void(const exec::VenueError*, std::span<const exec::PositionReport>)> done) override;
  void equity(std::function<void(const exec::VenueError*, const exec::EquityReport&)> done) override;
  void account(std::function<void(const exec::VenueError*, const exec::EquityReport&,
                                  const std::span<const exec::BalanceReport>*)>
                   done) override;
  void recent_fills(std::int64_t from_ms, std::size_t limit,
                    std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)> done) override;
  void funding_history(
      std::size_t limit,
      std::function<void(const exec::VenueError*, std::span<const exec::FundingReport>)> done) override;

 private:
  // A batch in flight: what its answer settles (the legs' client ids) and what its log line says.
  // Records are reused; one is free again once its answer arrived and its line was written.
  struct BatchInFlight {
    std::vector<exec::OrderSpec> legs;  // capacity kept
    bool awaiting_ack = false;
    bool awaiting_log = false;
  };
  std::uint32_t acquire_batch(std::span<const exec::OrderSpec> orders);
  void release_batch_ack(std::uint32_t slot) { batches_[slot]->awaiting_ack = false; }
  void sent(std::uint32_t slot);
  void on_batch_answer(std::uint32_t slot, RestResult<std::vector<BatchOrderResult>>& r);
  void ack_ok(ClientId id, const Order& o);
  void ack_error(ClientId id, const RestError& e);
  // False (and the orders answered as rejected, the first time logged) when an id does not fit clientId.
  bool client_ids_fit(std::span<const exec::OrderSpec> orders);

  boost::asio::io_context& io_;
  const Clock& clock_;
  RestClient& rest_;
  BackpackWs& ws_;
  const InstrumentTable& instruments_;
  std::string_view symbol_of(InstrumentId id) const noexcept {
    return instruments_.contains(id) ? std::string_view(instruments_.market(id).symbol) : std::string_view("?");
  }
  // A fill's instrument: a scan of the table's few Backpack markets (no allocation), once per fill.
  InstrumentId instrument_of(std::string_view symbol) const noexcept {
    return instruments_.find(VenueId::kBackpack, symbol).value_or(kNoInstrument);
  }
  exec::FillReport history_fill(const Fill& f) const {
    exec::FillReport r = fill_report(f);
    r.instrument = instrument_of(r.symbol);
    return r;
  }
  TimestampUs history_from_us_;
  std::shared_ptr<spdlog::logger> log_;
  AdapterSink& sink_;
  std::vector<OrderRequest> order_reqs_;                 // reused request storage
  std::vector<std::unique_ptr<BatchInFlight>> batches_;  // batches in flight (stable addresses)
  bool clock_resync_in_flight_ = false;
  bool wide_id_logged_ = false;
  RequestHook request_hook_ = nullptr;
  void* request_hook_ctx_ = nullptr;
};

}  // namespace bparb::backpack
