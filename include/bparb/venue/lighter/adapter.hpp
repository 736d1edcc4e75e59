#pragma once
// The Lighter adapter: the kernel's orders as Lighter transactions (CreateOrder, CancelOrder, ModifyOrder
// for a replace, an immediate CancelAllOrders, through LighterTxSender), the sender's answers as the kernel's acks, and
// the account stream's order changes as its updates and fill reports (docs/lighter.md, "The adapter"). It translates;
// what a report means is the sink's call.
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
#include <functional>
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
  // The venue refused a cancel (the order already gone, a rate limit, ...) or its answer was lost
  // (`ambiguous`): the order may still be live. A refused replace reports its old order here and its new
  // one as a rejected ack.
  virtual void on_cancel_refused(const exec::CancelRefusal& /*refusal*/) {}
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
  // The kernel's replace (cancel `old_id`, place `next`) as one ModifyOrder of the venue's order: it keeps
  // its venue ids and takes next's price and quantity (docs/lighter.md, "The adapter"). Once the venue takes
  // it, `old_id` is reported cancelled (with what it filled) and `next` accepted; later fills are next's.
  // Refused: `old_id` comes back as a cancel refusal and `next` as rejected. When a modify cannot express
  // the replace (old order not tracked, another instrument, side or flags), it is a cancel and a new order.
  void replace_order(ClientId old_id, const exec::OrderSpec& next);
  // An immediate CancelAllOrders for the Lighter market of `symbol` (the instrument's symbol or the
  // venue's), or of every market when `symbol` is empty. `done` gets null once the venue took it (the
  // stream then reports each order cancelled), else what failed. Cold path: allocates.
  void cancel_all(std::string_view symbol, std::function<void(const exec::VenueError*)> done);
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
    bool seen_open = false;        // seen resting: a later fill is a maker fill unless a trade says otherwise
    ClientId client_id = 0;        // the kernel's id of the order
    std::int64_t venue_index = 0;  // its client_order_index at the venue (a replace keeps the first one)
    ClientId next_id = 0;          // a replace sent as ModifyOrder and not yet settled: the new kernel id
    Decimal next_price;            // ... and the price and size the modify gives the order
    Decimal next_base;
    bool next_same = false;  // the modify changes neither: only the venue's answer tells it applied
    InstrumentId instrument = kNoInstrument;
    std::int64_t market_id = 0;
    Side side = Side::kBid;
    bool post_only = false;
    bool reduce_only = false;
    Decimal price;  // as placed (or as last modified)
    Decimal base;
    Decimal filled_base;   // cumulative, as last reported
    Decimal filled_quote;  // cumulative
    std::int64_t order_index = 0;
    std::array<char, 24> order_id{};  // order_index in decimal
    std::size_t order_id_len = 0;
    std::string_view order_id_view() const noexcept { return {order_id.data(), order_id_len}; }
  };

  const Market* market_of(InstrumentId id) const noexcept;
  const Market* market_by_id(std::int64_t market_id) const noexcept;
  Tracked* find(ClientId id) noexcept;  // by kernel id (a pending replace's new id too)
  Tracked* find_venue(std::int64_t client_order_index, std::int64_t market_id) noexcept;
  bool is_modified(const Tracked& t, const Order& o) const noexcept;
  // The modify of `t` took effect: its old kernel order ends as cancelled, the venue's order is next's.
  void switch_to_next(Tracked& t);
  void cancel_refused(ClientId id, RejectClass cls, bool ambiguous, std::string_view code, std::string_view message);
  void answer_cancel_all(const TxAnswer& a);
  void answer_modify(const TxAnswer& a);
  Tracked* track(const exec::OrderSpec& o, std::int64_t market_id);
  void reject_later(ClientId id, RejectClass cls, std::string_view code, std::string_view message);
  // One order as the stream or a query reports it: accepted / fills / final event (ignored when it is
  // not one we track).
  void apply_order(const Order& o, std::span<const Trade> trades);
  void emit_fill(Tracked& t, const Market& m, Decimal price, Decimal qty, bool maker, std::int64_t trade_id,
                 TimestampUs venue_time_us, bool order_filled);
  void query_inactive(std::int64_t market_id, ClientId client_id, std::int64_t index);
  void answer_query(ClientId client_id, const Order* o);
  const Market* market_by_symbol(std::string_view symbol) const noexcept;

  boost::asio::io_context& io_;
  const Clock& clock_;
  const Signer& signer_;
  LighterRest& rest_;
  LighterTxSender& sender_;
  const InstrumentTable& instruments_;
  LighterAdapterSink& sink_;
  std::vector<Market> markets_;
  std::array<Tracked, kMaxOrders> orders_{};
  struct PendingCancelAll {
    std::uint64_t tag = 0;
    std::int64_t market_id = -1;  // -1: every market
    std::function<void(const exec::VenueError*)> done;
  };
  std::vector<PendingCancelAll> cancel_alls_;
  std::uint64_t next_cancel_all_tag_ = 1;
};

}  // namespace bparb::lighter
