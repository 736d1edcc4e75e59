#pragma once
// The simulated venue client of the backtest: it takes the kernel's commands (the engine's place_orders,
// cancel_order, query_order), delays them by the venue's entry latency, runs them against bpsim's matching
// core (sim::Exchange) whose background liquidity is the recorded book, and hands the answers back as
// kernel events (OrderAck, OrderUpdate, query answers) after the venue's response latency.
//
// Background liquidity: one unlimited "book" account's orders mirror the recorded book (as bpsim's
// ReplayModel does), lazily: levels the recording changed are re-set when one of our orders reaches that
// market, and on every change while one of ours rests there (so a book that crosses it fills it).
// Liquidity our orders took stays taken until the recording next sets that level. Recorded trades drive
// the maker queue model (backtest/queue_model.hpp). Rejects reach the engine as Backpack would answer them.
// Deterministic: the same commands at the same virtual times give the same events.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <queue>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bparb/backtest/queue_model.hpp"
#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/recorded_book_mirror.hpp"
#include "bparb/sim/recorded_frames.hpp"
#include "bparb/strategy/fee_model.hpp"

namespace bparb::backtest {

// One part of a trip between the engine and the venue.
struct LatencyPart {
  DurationUs fixed_us = 5 * kUsPerMs;
  std::vector<DurationUs> samples_us;  // non-empty: each trip draws one of these (seeded, uniform)
};

// A venue's latency: entry (engine -> venue: orders, cancels, queries) and response (venue -> engine:
// acks, order-stream updates, query answers), drawn from one seeded generator in event order.
struct VenueLatency {
  LatencyPart entry;
  LatencyPart response;
  std::uint64_t seed = 1;
};

// nullptr if usable, else what is wrong (the runner's config error text).
const char* validate(const VenueLatency& l) noexcept;

// Where the venue's answers go (the engine's order-event entry points).
class VenueEventSink {
 public:
  virtual ~VenueEventSink() = default;
  virtual void on_order_ack(const exec::OrderAck& ack, TimestampUs now) = 0;
  virtual void on_order_update(const exec::OrderUpdate& update, TimestampUs now) = 0;
  virtual void on_order_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed,
                              TimestampUs now) = 0;
};

struct SimVenueConfig {
  // The markets, in the order add-market indices refer to them; addresses stay valid for the venue's life
  // (orders name their market by MarketSpec address).
  std::vector<const MarketSpec*> markets;
  FeeSchedule fees;
  std::string quote_symbol;  // our starting balance's asset
  Decimal quote_balance;
  VenueLatency latency;
  bool queue_model = true;  // false: resting orders fill only when the book crosses them
  // The venue's own delay before it executes an order that takes liquidity (an IOC or market order), added
  // to the entry latency: Lighter's speed bump by account tier (xarb_replay.hpp). Zero for Backpack.
  DurationUs taker_delay_us = 0;
};

struct SimVenueCounters {
  std::uint64_t orders_sent = 0;
  std::uint64_t tape_fills = 0;  // fills produced by the queue model
  sim::MirrorCounters mirror;    // background levels the venue refused
};

class SimVenue final : sim::ExchangeListener {
 public:
  // `clock` is the backtest's virtual clock. Throws std::invalid_argument for markets the exchange refuses.
  SimVenue(const ManualClock& clock, SimVenueConfig config);
  ~SimVenue() override;
  SimVenue(const SimVenue&) = delete;
  SimVenue& operator=(const SimVenue&) = delete;

  // The recorded book of market `i` (config order), followed by the runner; must outlive the venue.
  void attach_book(std::size_t i, const OrderBook& book);
  // The exchange starts its funding grid and premium average at its clock's time, so it is made again at
  // the recording's first receive time (made at time 0 it would settle every interval since 1970).
  void restart();

  // ---- the kernel's commands
  void place_orders(std::span<const exec::OrderSpec> orders);
  void cancel_order(const MarketSpec& market, oms::ClientId client_id);
  void query_order(const MarketSpec& market, oms::ClientId client_id);

  // ---- in-flight events
  TimestampUs next_event_time() const noexcept { return events_.empty() ? INT64_MAX : events_.top().t; }
  // Handles the earliest event (due now): a command reaching the venue, or an answer reaching `sink`.
  // True if an answer was delivered to the engine.
  bool deliver_next(VenueEventSink& sink);
  // The longest one-way trip the latency model can draw.
  DurationUs max_latency() const noexcept;

  // ---- the recorded market, as the runner applies it to market i's book
  void note_delta(std::size_t i, bool was_synced, SyncAction a, bool synced, const DepthDelta& d);
  void note_snapshot(std::size_t i);
  void note_reset(std::size_t i);  // the book restarts its sync (reconnect)
  void on_recorded_trade(std::size_t i, const sim::RecordedTrade& trade);
  void set_mark_index(std::string_view symbol, Decimal mark, Decimal index);
  void set_funding_rate(std::string_view symbol, Decimal rate, std::int64_t funding_time_ms);

  // ---- our account
  void deposit(std::string_view asset, Decimal amount);
  Decimal available(std::string_view asset) const;
  sim::CollateralSummary collateral() const;
  Decimal position(std::string_view symbol) const;  // our perp position (+ long), base units
  // Settles funding due by `now`; returns the payments not returned before (oldest first).
  std::vector<sim::FundingPayment> settle_funding(TimestampUs now);

  const SimVenueCounters& counters() const noexcept { return counters_; }

 private:
  struct Market {
    const MarketSpec* spec = nullptr;
    const OrderBook* book = nullptr;
    std::unique_ptr<sim::RecordedBookMirror> mirror;
  };
  struct OrderInfo {
    OrderStatus status = OrderStatus::kNew;
    Decimal executed;
  };
  enum class EvType : std::uint8_t { kArrive, kCancelArrive, kQueryArrive, kAck, kUpdate, kQueryAnswer };
  struct Event {
    TimestampUs t = 0;
    std::uint64_t seq = 0;
    EvType type = EvType::kAck;
    exec::OrderSpec spec;  // kArrive
    const MarketSpec* market = nullptr;
    oms::ClientId client_id = 0;
    exec::OrderAck ack;
    exec::OrderUpdate update;
    bool found = false;
    OrderStatus status = OrderStatus::kNew;
    Decimal executed;
    std::string code, message;  // rejected acks (ack.code/message point here once delivered)
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const noexcept { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
  };

  void on_order(const sim::OrderEvent& e) override;
  void on_trade(const sim::TradeEvent& t) override;

  DurationUs draw(const LatencyPart& p) noexcept;
  void push(Event&& e);
  void push_request(EvType type, const MarketSpec& market, oms::ClientId client_id);
  void arrive(const exec::OrderSpec& o);
  void cancel_arrive(const Event& e);
  void query_arrive(const Event& e);
  void sync(Market& m) { m.mirror->sync(*m.book); }
  Market* market_of(const MarketSpec* spec) noexcept;
  Market* market_of(std::string_view symbol) noexcept;
  std::string_view stable_symbol(std::string_view market, std::string_view asset) const noexcept;
  std::unique_ptr<sim::RecordedBookMirror> make_mirror(const MarketSpec& spec);

  const ManualClock& clock_;
  SimVenueConfig cfg_;
  std::mt19937_64 rng_;
  sim::ExchangeConfig exchange_config_;
  std::unique_ptr<sim::Exchange> exchange_;
  sim::AccountId me_ = 0, tape_ = 0, book_maker_ = 0;
  std::vector<Market> markets_;
  QueueModel queue_;
  std::unordered_map<oms::ClientId, OrderInfo> orders_;
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  std::vector<Event> scratch_;  // order-stream updates of the order being executed
  std::uint64_t next_seq_ = 0;
  bool in_arrival_ = false;
  std::size_t funding_seen_ = 0;
  SimVenueCounters counters_;
};

}  // namespace bparb::backtest
