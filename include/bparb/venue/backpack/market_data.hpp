#pragma once
// Market-data feed: per symbol an OrderBook kept in sync by DepthSync (docs/backpack.md §6), plus the last
// bookTicker and markPrice, and (for markets added with trades on) the public trade stream passed on as
// MarketTrade events. Drives BackpackWs (depth/bookTicker/markPrice/trade subscriptions) and fetches
// REST depth snapshots when DepthSync asks, with a delay between retries.
//
// Validity: a book is valid only while DepthSync is Synced. A sequence gap, a reconnect or a
// disconnect makes it invalid (the strategy must not trade on it) until a fresh snapshot lines up.
// on_book_update(symbol) fires after every change of a book, including invalidation.
//
// Hot path: depth frame -> DepthSync -> OrderBook and trade frame -> MarketTrade without allocation once
// warm; symbol lookup is a linear scan over a handful of markets (no hashing, no strings built).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/venue/backpack/messages.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::backpack {

class BackpackWs;
class RestClient;

struct MarketDataOptions {
  DepthSyncConfig sync;
  std::size_t reserve_levels = 2048;  // per side, per book
  int snapshot_limit = 1000;          // GET /api/v1/depth?limit= (5|10|20|50|100|500|1000)
  bool subscribe_book_ticker = true;
  bool subscribe_mark_price = true;  // perps only
  // Delay before re-requesting a snapshot that was too old or failed (the REST book lags the stream).
  DurationUs snapshot_retry_delay_us = 250 * kUsPerMs;
  // A book still waiting for its snapshot asks for one this long after the first buffered delta even if
  // fewer than sync.snapshot_delay deltas came: a quiet market may send a few deltas a minute, and its book
  // (and the daemon's readiness) must not wait for them. 0 = only after snapshot_delay deltas.
  DurationUs first_snapshot_after_us = 1000 * kUsPerMs;
};

// Copies of the last bookTicker / markPrice (no views into frame buffers).
struct TopOfBook {
  bool has_bid = false;
  bool has_ask = false;
  Decimal bid_price;
  Decimal bid_quantity;
  Decimal ask_price;
  Decimal ask_quantity;
  std::int64_t update_id = 0;
  TimestampUs event_time_us = 0;
  TimestampUs engine_time_us = 0;
  TimestampUs received_us = 0;  // 0 = never received
};

struct MarkInfo {
  Decimal mark_price;
  bool has_funding = false;
  Decimal funding_rate;  // estimate for the current interval (fraction)
  Decimal index_price;
  std::int64_t next_funding_ms = 0;
  TimestampUs event_time_us = 0;
  TimestampUs received_us = 0;  // 0 = never received
};

// Which streams a market needs beyond depth (bookTicker and markPrice follow MarketDataOptions).
struct MarketStreams {
  bool trades = false;  // trade.<symbol>: a strategy that reads taker flow asks for it
};

// One public trade, venue-neutral: copies, no views into the frame buffer. `buyer_is_maker` true means
// the seller was the taker (an aggressive sell).
struct MarketTrade {
  Decimal price;
  Decimal quantity;
  bool buyer_is_maker = false;
  std::int64_t trade_id = 0;
  TimestampUs trade_time_us = 0;  // the venue's engine time (its event time when that is absent)
  TimestampUs received_us = 0;
};

struct MarketDataCounters {
  std::uint64_t depth_frames = 0;
  std::uint64_t book_updates = 0;       // deltas/snapshots that changed a valid book
  std::uint64_t invalidations = 0;      // gap/overflow/disconnect made a book invalid
  std::uint64_t snapshot_requests = 0;  // REST depth requests sent
  std::uint64_t snapshot_failures = 0;  // REST depth requests that failed
  std::uint64_t snapshots_stale = 0;    // snapshots dropped because a reset happened meanwhile
  std::uint64_t unknown_symbol = 0;     // frames for symbols we do not track
  std::uint64_t reconnect_resets = 0;   // times all books were reset for a (re)connect/disconnect
  std::uint64_t trades = 0;             // trades passed on to on_trade
  std::uint64_t trades_rejected = 0;    // trade frames that parsed but carry no usable trade (price or
                                        // quantity <= 0, no time) or arrived for a market without trades on
};

class MarketDataFeed {
 public:
  // `ws`, `rest` and `clock` must outlive the feed. Installs the ws depth/bookTicker/markPrice/trade
  // handlers (the other BackpackWs handlers stay free for their owners) and connection listeners.
  MarketDataFeed(boost::asio::io_context& ioc, const Clock& clock, BackpackWs& ws, RestClient& rest,
                 MarketDataOptions opts = {});
  ~MarketDataFeed();
  MarketDataFeed(const MarketDataFeed&) = delete;
  MarketDataFeed& operator=(const MarketDataFeed&) = delete;

  // Track a market (spec from GET /api/v1/markets). Subscribes depth (+bookTicker, +markPrice for
  // perps, +trade when streams.trades). Call before or after BackpackWs::start(). Adding the same symbol
  // again only adds streams it did not have yet. `instrument`: the market's id in the caller's instrument
  // table, handed back with every notification so the caller routes it without comparing symbols
  // (kNoInstrument when the caller keeps no table).
  void add_market(const MarketSpec& spec, InstrumentId instrument = kNoInstrument, MarketStreams streams = {});

  // nullptr for unknown symbols. The book object lives as long as the feed (stable address).
  const OrderBook* book(std::string_view symbol) const noexcept;
  const DepthSync* depth_sync(std::string_view symbol) const noexcept;
  bool book_valid(std::string_view symbol) const noexcept;
  const TopOfBook* top_of_book(std::string_view symbol) const noexcept;
  const MarkInfo* mark(std::string_view symbol) const noexcept;
  std::vector<std::string> symbols() const;

  // Strategy hook: the named book changed (applied delta, snapshot sync, or invalidation). Every hook gets
  // the market's symbol and the instrument id it was added with.
  using MarketHook = std::function<void(std::string_view symbol, InstrumentId instrument)>;
  void on_book_update(MarketHook f) { on_book_update_ = std::move(f); }
  void on_book_ticker(MarketHook f) { on_book_ticker_ = std::move(f); }
  void on_mark_price(MarketHook f) { on_mark_price_ = std::move(f); }
  // One call per public trade of a market added with trades on, in stream order.
  void on_trade(std::function<void(std::string_view symbol, const MarketTrade&)> f) { on_trade_ = std::move(f); }

  // Aggregated DepthSync counters (gaps, resyncs, malformed, ...) over all books + feed counters.
  DepthSyncStats sync_stats() const noexcept;
  const MarketDataCounters& counters() const noexcept { return counters_; }
  // WS frames that failed to parse, trade frames included (counted by BackpackWs; they never reach the
  // feed).
  std::uint64_t malformed_frames() const noexcept;

 private:
  struct Market;
  Market* find(std::string_view symbol) noexcept;
  const Market* find(std::string_view symbol) const noexcept;
  void handle_depth(const DepthDelta& d, TimestampUs received_us);
  void handle_book_ticker(const BookTickerEvent& e, TimestampUs received_us);
  void handle_mark_price(const MarkPriceEvent& e, TimestampUs received_us);
  void handle_trade(const TradeEvent& e, TimestampUs received_us);
  void act(Market& m, SyncAction a);
  void request_snapshot(Market& m);
  void schedule_snapshot(Market& m);  // after snapshot_retry_delay_us
  void schedule_snapshot(Market& m, DurationUs delay_us);
  void reset_all();
  void notify(const Market& m);

  boost::asio::io_context& ioc_;
  const Clock& clock_;
  BackpackWs& ws_;
  RestClient& rest_;
  MarketDataOptions opts_;
  std::vector<std::unique_ptr<Market>> markets_;
  MarketHook on_book_update_;
  MarketHook on_book_ticker_;
  MarketHook on_mark_price_;
  std::function<void(std::string_view, const MarketTrade&)> on_trade_;
  MarketDataCounters counters_;
  std::shared_ptr<bool> alive_;  // async callbacks check it: the feed may be gone when they run
};

}  // namespace bparb::backpack
