#pragma once
// Lighter as a venue of the node (docs/lighter.md, "In the daemon"): one account and API key, its REST and
// WebSocket clients, the transaction sender, the kernel's adapter (venue/lighter/adapter.hpp) and the
// dead-man switch, composed in one place so that the daemon only chooses the endpoints and the markets.
//
// - Start-up: orderBookDetails names the configured markets; each becomes an instrument of the table (venue
//   lighter, tick 10^-price_decimals, step 10^-size_decimals, the minimum base amount) with this account's
//   fees (a standard account pays none; a premium one the market's maker/taker fees), and its order book is
//   subscribed (order_book/{m}) beside the account stream (account_all/{account}).
// - Orders: the engine's commands for a Lighter instrument come here (the daemon's sink routes them by the
//   instrument's venue); intents are journaled with venue lighter before anything is sent.
// - Reports: the adapter's acks, order events, fills and query answers are journaled (venue lighter; fills
//   through ingest_fill, so each trade once) and handed to the engine.
// - Reconciliation: the exec::ReconciliationVenue reports for recovery (open orders, cancel-all per market,
//   fills, positions, equity) from Lighter's REST answers.
// - The dead-man switch runs while the venue runs and is aborted on a clean stop (stop()).
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/strategy/funding.hpp"
#include "bparb/venue/lighter/adapter.hpp"
#include "bparb/venue/lighter/dead_man_switch.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::runtime {

struct LighterVenueOptions {
  std::string rest_url;
  std::string ws_url;
  lighter::SignerConfig signer;      // chain id, account index, API key slot
  bool premium = false;              // the account's tier: a standard account pays no trading fees
  std::vector<std::string> markets;  // Lighter's symbols, in the order they become instruments
  std::string source_path;           // the config file, named when a market does not exist
  bool dead_man_switch = true;
  lighter::DeadManSwitchOptions dead_man;
  DurationUs rest_timeout_us = 5 * kUsPerSecond;
  DurationUs book_silence_us = 15 * kUsPerSecond;  // no book frame for this long: invalid, resubscribed
};

// What the venue has done, for the run summary and the status page.
struct LighterVenueCounts {
  std::uint64_t orders_sent = 0;
  std::uint64_t fills = 0;
  std::uint64_t cancels = 0;
  std::uint64_t replaces = 0;
};

class LighterVenue final : public lighter::LighterAdapterSink, public exec::ReconciliationVenue {
 public:
  // Builds the clients (nothing is sent yet). Throws std::invalid_argument for a bad URL or dead-man
  // switch options, or a pool key of another account or a slot twice. `instruments` receives the markets at
  // load_markets; every reference outlives the venue. `more_keys`: the other API keys of a pool, used round
  // robin with `signer` per transaction ([venues.lighter] api_key_indexes); `signer` also signs the auth
  // tokens.
  LighterVenue(boost::asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log,
               JournalWriter& journal, InstrumentTable& instruments, lighter::Signer signer, LighterVenueOptions opts,
               std::vector<lighter::Signer> more_keys = {});
  ~LighterVenue() override;
  LighterVenue(const LighterVenue&) = delete;
  LighterVenue& operator=(const LighterVenue&) = delete;

  // ---- Start-up
  // orderBookDetails: every configured market into the instrument table and the adapter, its book
  // subscribed; then each API key's public key against the one the venue holds for its slot. `done` with an
  // error message (a market the venue does not list, or is inactive; a key the venue does not hold; no
  // answer), or null once every market is in and every key matches.
  void load_markets(std::function<void(const std::string* error)> done);
  // The engine the reports go to from now on; the books are registered with its order entry (an order on an
  // instrument whose book is not synced and fresh is refused by the risk gate).
  void attach(exec::ArbEngine& engine);
  // Connects the stream (books, account) and arms the dead-man switch when configured.
  void start();
  // Clean stop: the dead-man switch aborts its schedule (unless configured to leave it), then the stream
  // closes; `done` once that is settled or after `timeout_us`, whichever is first.
  void stop(DurationUs timeout_us, std::function<void()> done);
  // Closes at once (the loop is ending).
  void close();

  // ---- The engine's commands (CommandSink) for this venue's instruments
  bool owns(InstrumentId id) const noexcept;
  // Journals the intents (venue lighter) and sends. False = the journal refused them: nothing was sent, the
  // caller answers the orders.
  bool place_orders(std::span<const exec::OrderSpec> orders);
  void cancel_order(InstrumentId instrument, ClientId client_id);
  // The kernel's replace as one ModifyOrder (the adapter falls back to a cancel and a new order when a modify
  // cannot say it): `next`'s intent is journaled first. False = the journal refused it: nothing was sent, the
  // caller cancels the old order and answers the new one.
  bool replace_order(ClientId old_id, const exec::OrderSpec& next);
  void query_order(InstrumentId instrument, ClientId client_id);

  // ---- Market data and health
  // Told after a book of one of the instruments changed (update, snapshot, or it became invalid).
  void on_book(std::function<void(InstrumentId)> f) { on_book_ = std::move(f); }
  const std::vector<InstrumentId>& instrument_ids() const noexcept { return ids_; }
  const OrderBook* book(InstrumentId id) const noexcept;
  bool book_valid(InstrumentId id) const noexcept;
  std::size_t valid_books() const noexcept;
  bool stream_connected() const noexcept;
  std::uint64_t reconnects() const noexcept;
  std::uint64_t book_resyncs() const noexcept;
  std::uint64_t book_gaps() const noexcept;
  const LighterVenueCounts& counts() const noexcept { return counts_; }
  std::int64_t dead_man_trigger_ms() const noexcept;
  TimestampUs last_frame_us() const noexcept;  // the stream's last frame (0 = none yet)
  // funding-rates: Lighter's current rate of each market, kept for funding(). `done` with what went wrong (the
  // rates read before stay), or null.
  void refresh_funding(std::function<void(const std::string* error)> done);
  // The market's current funding (hourly, the next settlement on the next whole hour: venue/lighter/funding.hpp)
  // from the last refresh_funding that listed it; nullopt before.
  std::optional<FundingInfo> funding(InstrumentId id) const noexcept;
  // Told of each order's answer (accepted or rejected; `answered` false: a timeout, outcome unknown), before
  // the engine is: the operator's order-ack latency (service/trading_metrics.hpp).
  void on_answered(std::function<void(ClientId, bool answered)> f) { on_answered_ = std::move(f); }
  // Told each time an order's transaction (a CreateOrder, or the ModifyOrder of a replace) is on its way to
  // the venue, on the socket or over REST: the operator's tick-to-order latency.
  void on_wire(std::function<void(ClientId)> f) { on_wire_ = std::move(f); }

  // ---- LighterAdapterSink
  void on_ack(const exec::OrderAck& a) override;
  void on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) override;
  void on_fill(const exec::FillReport& f) override;
  void on_query(ClientId client_id, bool found, bparb::OrderStatus status, Decimal executed) override;
  void on_cancel_refused(const exec::CancelRefusal& refusal) override;

  // ---- exec::ReconciliationVenue (lighter_reports.cpp)
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
  struct Market {
    InstrumentId id = kNoInstrument;
    lighter::MarketDetails details;
    std::optional<Decimal> funding_rate_8h;  // funding-rates' last value (a fraction over 8 hours)
  };
  struct Impl;

  const Market* market_of(InstrumentId id) const noexcept;
  const Market* market_by_symbol(std::string_view symbol) const noexcept;
  const Market* market_by_id(std::int64_t market_id) const noexcept;
  void on_tx_answer(const lighter::TxAnswer& a);
  void on_dead_man(const lighter::DeadManEvent& e);
  // The i-th API key (0 = the first) against the venue's apikeys answer for its slot, then the next.
  void check_key(std::size_t i, std::function<void(const std::string* error)> done);
  // The account's trades (`market_id` 255 = every market) as fill reports, oldest first, our client ids
  // resolved through the account's orders.
  void account_fills(std::int64_t market_id, std::int64_t from_ms, std::size_t limit,
                     std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)> done);

  boost::asio::io_context& io_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  JournalWriter& journal_;
  InstrumentTable& instruments_;
  LighterVenueOptions opts_;
  std::unique_ptr<Impl> impl_;
  std::vector<Market> markets_;
  std::vector<InstrumentId> ids_;
  exec::ArbEngine* engine_ = nullptr;
  std::function<void(InstrumentId)> on_book_;
  std::function<void(ClientId, bool)> on_answered_;
  std::function<void(ClientId)> on_wire_;
  LighterVenueCounts counts_;
};

}  // namespace bparb::runtime
