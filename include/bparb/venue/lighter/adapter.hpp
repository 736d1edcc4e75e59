#pragma once
// The Lighter adapter: the kernel's orders as Lighter transactions (CreateOrder / CancelOrder through
// LighterTxSender), the sender's answers as the kernel's acks, and the account stream's order changes as
// its updates and fill reports (docs/lighter.md, "The adapter"). It translates; what a report means is the
// sink's call.
//
// Outcome rule: a sendTx answer only says the venue took the transaction. A taken CreateOrder is acked as
// accepted with status kNew and nothing executed; whether it rests, fills, is cancelled or expires comes
// from the account stream (account_all / account_orders) or from query_order when the stream is silent.
//
// The client order index is the kernel's ClientId: 1 .. 2^48 - 1 (the venue's range). A wider id is
// never sent nor truncated: the order is answered as rejected, a cancel is dropped, a query answers
// "not found".
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/venue/lighter/messages.hpp"
#include "bparb/venue/lighter/orders.hpp"
#include "bparb/venue/lighter/rest_client.hpp"
#include "bparb/venue/lighter/signer.hpp"
#include "bparb/venue/lighter/tx_sender.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::lighter {

// The venue's client_order_index range: 1 .. 2^48 - 1 (0 means "none").
inline constexpr ClientId kMaxLighterClientId = (ClientId{1} << 48) - 1;

class LighterAdapterSink {
 public:
  virtual ~LighterAdapterSink() = default;
  // The answer to a placed order: accepted (taken, outcome unknown), rejected, or unknown.
  virtual void on_ack(const exec::OrderAck& a) = 0;
  // A stream event that is not a fill (accepted, cancelled, expired).
  virtual void on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) = 0;
  // A fill of one of our orders, from the stream or a queried order.
  virtual void on_fill(const exec::FillReport& f) = 0;
  // What a query found out about an order.
  virtual void on_query(ClientId client_id, bool found, bparb::OrderStatus status, Decimal executed) = 0;
};

// What a refused transaction's Lighter code means for the kernel (docs/lighter.md, "The adapter").
RejectClass reject_class(LighterError e) noexcept;
// The same for an order refused before sending (to_create_order's checks).
RejectClass reject_class(OrderError e) noexcept;

class LighterAdapter {
 public:
  static constexpr std::size_t kMaxOrders = 256;  // orders tracked at once (placed, not yet final)

  // Installs the sender's on_answer. `instruments` names the markets (symbols for fill reports); each
  // instrument an order can be for is registered with add_market. References must outlive the adapter.
  LighterAdapter(boost::asio::io_context& io, const Clock& clock, const Signer& signer, LighterRest& rest,
                 LighterTxSender& sender, const InstrumentTable& instruments, LighterAdapterSink& sink);
  LighterAdapter(const LighterAdapter&) = delete;
  LighterAdapter& operator=(const LighterAdapter&) = delete;

  // Start-up: the Lighter market behind an instrument (its id, decimals, minimums and fees).
  void add_market(InstrumentId instrument, const MarketDetails& market);

  // Once warm, placing, cancelling and reading the stream allocate nothing in the adapter (the sender's
  // WebSocket transport copies each frame; a refusal before sending is posted with a small capture).
  void place_orders(std::span<const exec::OrderSpec> orders);
  void cancel_order(InstrumentId instrument, ClientId client_id);
  // REST accountActiveOrders, then accountInactiveOrders (cold path: allocates). Fills the stream missed
  // are reported from the order's cumulative amounts.
  void query_order(InstrumentId instrument, ClientId client_id);
  // One account frame (LighterWsHandlers::on_account): orders, and the trades of account_all.
  void on_account_frame(const WsFrame& frame);

  std::size_t tracked_orders() const noexcept;
  // The sender's answers. The constructor installs this as the sender's on_answer; a composition that
  // shares the sender with other users (the dead-man switch) installs its own and forwards the rest here.
  void on_answer(const TxAnswer& a);

 private:
  struct Market {
    InstrumentId instrument = kNoInstrument;
    MarketDetails details;
  };
  struct Tracked {
    bool used = false;
    bool accepted_reported = false;
    bool seen_open = false;  // seen resting: a later fill is a maker fill unless a trade says otherwise
    ClientId client_id = 0;
    InstrumentId instrument = kNoInstrument;
    std::int64_t market_id = 0;
    Side side = Side::kBid;
    bool post_only = false;
    Decimal filled_base;   // cumulative, as last reported
    Decimal filled_quote;  // cumulative
    std::int64_t order_index = 0;
    std::array<char, 24> order_id{};  // order_index in decimal
    std::size_t order_id_len = 0;
    std::string_view order_id_view() const noexcept { return {order_id.data(), order_id_len}; }
  };

  const Market* market_of(InstrumentId id) const noexcept;
  const Market* market_by_id(std::int64_t market_id) const noexcept;
  Tracked* find(ClientId id) noexcept;
  Tracked* track(const exec::OrderSpec& o, std::int64_t market_id);
  void reject_later(ClientId id, RejectClass cls, std::string_view code, std::string_view message);
  // One order as the stream or a query reports it: accepted / fills / final event (ignored when it is
  // not one we track).
  void apply_order(const Order& o, std::span<const Trade> trades);
  void emit_fill(Tracked& t, const Market& m, Decimal price, Decimal qty, bool maker, std::int64_t trade_id,
                 TimestampUs venue_time_us, bool order_filled);
  void query_inactive(std::int64_t market_id, ClientId client_id);
  void answer_query(ClientId client_id, const Order* o);

  boost::asio::io_context& io_;
  const Clock& clock_;
  const Signer& signer_;
  LighterRest& rest_;
  LighterTxSender& sender_;
  const InstrumentTable& instruments_;
  LighterAdapterSink& sink_;
  std::vector<Market> markets_;
  std::array<Tracked, kMaxOrders> orders_{};
};

}  // namespace bparb::lighter
