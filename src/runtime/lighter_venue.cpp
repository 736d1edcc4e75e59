// Lighter as a venue of the node: the composition, start-up's markets, the engine's commands and the
// adapter's reports (include/bparb/runtime/lighter_venue.hpp). The reconciliation reports are in
// lighter_reports.cpp.
#include "bparb/runtime/lighter_venue.hpp"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "bparb/runtime/ingest_fill.hpp"
#include "lighter_venue_impl.hpp"

namespace bparb::runtime {

namespace {

lighter::LighterWsOptions ws_options(const LighterVenueOptions& o) {
  lighter::LighterWsOptions w;
  w.ws.url = o.ws_url;
  w.book.max_silence_us = o.book_silence_us;
  return w;
}

lighter::LighterRestOptions rest_options(const LighterVenueOptions& o) {
  lighter::LighterRestOptions r;
  r.http.base_url = o.rest_url;
  r.http.default_timeout_us = o.rest_timeout_us;
  r.tx_timeout_us = o.rest_timeout_us;
  return r;
}

// The fee rates this account pays on a market, in bps: the venue lists them in percent; a standard account
// pays none (docs/lighter.md, "REST answers").
InstrumentFees fees_of(const lighter::MarketDetails& m, bool premium) {
  if (!premium) return {};
  return {m.maker_fee_pct.mul(Decimal::from_int(100), Rounding::kNearest),
          m.taker_fee_pct.mul(Decimal::from_int(100), Rounding::kNearest)};
}

}  // namespace

LighterVenue::Impl::Impl(boost::asio::io_context& io, const Clock& clock, lighter::Signer s,
                         const LighterVenueOptions& o, std::vector<lighter::Signer> more)
    : signer(std::move(s)),
      more_keys(std::move(more)),
      rest(io, rest_options(o)),
      ws(io, clock, ws_options(o), &signer),
      stop_timer(io) {}

LighterVenue::LighterVenue(boost::asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log,
                           JournalWriter& journal, InstrumentTable& instruments, lighter::Signer signer,
                           LighterVenueOptions opts, std::vector<lighter::Signer> more_keys)
    : io_(io),
      clock_(clock),
      log_(std::move(log)),
      journal_(journal),
      instruments_(instruments),
      opts_(std::move(opts)),
      impl_(std::make_unique<Impl>(io, clock, std::move(signer), opts_, std::move(more_keys))) {
  Impl& m = *impl_;
  // The session's handlers first: the sender wraps on_disconnected and installs on_tx_reply.
  lighter::LighterWsHandlers& h = m.ws.handlers();
  h.on_book = [this](std::int64_t market_id) {
    const Market* mk = market_by_id(market_id);
    if (mk && on_book_) on_book_(mk->id);
  };
  h.on_account = [this](const lighter::WsFrame& f) { impl_->adapter->on_account_frame(f); };
  h.on_error = [this](std::int64_t code, std::string_view message) {
    log_->warn("Lighter stream: error {}: {}", code, message);
  };
  h.on_connected = [this] { log_->info("Lighter stream connected; subscriptions sent"); };
  h.on_disconnected = [this](const net::DisconnectInfo& d) {
    if (!impl_->stopping)
      log_->warn("Lighter stream disconnected ({}): its books invalid until resynced; reconnecting",
                 net::to_string(d.reason));
  };
  m.sender = std::make_unique<lighter::LighterTxSender>(io, clock, m.signer, m.rest, m.ws);
  for (const lighter::Signer& k : m.more_keys)
    if (!m.sender->add_key(k))
      throw std::invalid_argument("venues.lighter.api_key_indexes: API key slot " +
                                  std::to_string(k.config().api_key_index) +
                                  " is listed twice, belongs to another account, or the pool has more than " +
                                  std::to_string(lighter::NoncePool::kMaxKeys) + " keys");
  m.adapter = std::make_unique<lighter::LighterAdapter>(io, clock, m.signer, m.rest, *m.sender, instruments_, *this);
  // One sender, two users: the dead-man switch's own transactions, and the adapter's (orders, cancel-alls).
  m.sender->on_answer([this](const lighter::TxAnswer& a) { on_tx_answer(a); });
  // The adapter tags an order's transaction with its client id (the switch's cancel-alls are neither type).
  m.sender->on_written([this](const lighter::TxWritten& w) {
    if (on_wire_ && (w.type == lighter::TxType::kCreateOrder || w.type == lighter::TxType::kModifyOrder))
      on_wire_(static_cast<ClientId>(w.tag));
  });
  if (opts_.dead_man_switch) {
    m.dead_man = std::make_unique<lighter::LighterDeadManSwitch>(io, clock, *m.sender, opts_.dead_man);
    m.dead_man->on_event([this](const lighter::DeadManEvent& e) { on_dead_man(e); });
  }
}

LighterVenue::~LighterVenue() = default;

void LighterVenue::on_tx_answer(const lighter::TxAnswer& a) {
  Impl& m = *impl_;
  if (m.dead_man && m.dead_man->on_answer(a)) return;
  m.adapter->on_answer(a);
}

void LighterVenue::on_dead_man(const lighter::DeadManEvent& e) {
  using K = lighter::DeadManEventKind;
  switch (e.kind) {
    case K::kArmed:
      if (!impl_->dead_man_armed_logged) {
        log_->info("Lighter dead-man switch armed: the venue cancels every resting order at {} ms unless refreshed",
                   e.trigger_ms);
        impl_->dead_man_armed_logged = true;
      }
      break;
    case K::kRefreshFailed:
      log_->warn("Lighter dead-man switch: refresh failed ({} in a row, {}); retrying in {} ms", e.consecutive_failures,
                 lighter::to_string(e.error), e.retry_in_us / kUsPerMs);
      break;
    case K::kAborted:
      log_->info("Lighter dead-man switch aborted: no cancel-all is scheduled any more");
      break;
    case K::kAbortFailed:
      log_->error("Lighter dead-man switch: the abort failed; the venue cancels every resting order at {} ms",
                  e.trigger_ms);
      break;
    case K::kStopped:
      log_->info("Lighter dead-man switch stopped; the schedule fires at {} ms (dead_man_abort_on_stop = false)",
                 e.trigger_ms);
      break;
    case K::kLapsed:
      log_->error(
          "Lighter dead-man switch lapsed at {} ms: the venue has cancelled every resting order of the account; "
          "their outcome is queried",
          e.trigger_ms);
      break;
  }
}

// ---- Start-up

void LighterVenue::load_markets(std::function<void(const std::string* error)> done) {
  impl_->rest.order_book_details(
      255, [this, done = std::move(done)](lighter::RestResult<std::vector<lighter::MarketDetails>>& r) {
        if (!r) {
          const std::string e = "Lighter orderBookDetails failed: " + r.error().describe();
          return done(&e);
        }
        for (const std::string& want : opts_.markets) {
          const lighter::MarketDetails* found = nullptr;
          for (const lighter::MarketDetails& d : *r)
            if (d.symbol == want) found = &d;
          if (found == nullptr || !found->active) {
            const std::string e = "venues.lighter.markets: " + want +
                                  (found ? " is not active on Lighter" : " is not a market Lighter lists") + " (" +
                                  opts_.source_path + ")";
            return done(&e);
          }
          lighter::MarketDetails d = *found;
          if (!opts_.premium) {
            // What the adapter charges per fill follows the account's tier, like the instrument's rates.
            d.maker_fee_pct = Decimal{};
            d.taker_fee_pct = Decimal{};
          }
          MarketSpec spec = lighter::book_spec(d);
          if (d.kind == lighter::MarketKind::kSpot) {
            const std::size_t slash = d.symbol.find('/');
            if (slash != std::string::npos) {
              spec.base_symbol = d.symbol.substr(0, slash);
              spec.quote_symbol = d.symbol.substr(slash + 1);
            }
          }
          const InstrumentId id = instruments_.add(VenueId::kLighter, spec, fees_of(d, opts_.premium));
          markets_.push_back(Market{id, d, std::nullopt});
          ids_.push_back(id);
          impl_->adapter->add_market(id, d);
          impl_->ws.add_book(d);
          log_->info("Lighter market {} (id {}): tick {} step {} min {} | fees maker {} taker {} bps ({} account)",
                     d.symbol, d.market_id, spec.tick_size.str(), spec.step_size.str(), spec.min_quantity.str(),
                     instruments_[id].fees.maker_bps.str(), instruments_[id].fees.taker_bps.str(),
                     opts_.premium ? "premium" : "standard");
        }
        check_key(0, std::move(done));
      });
}

// A key the venue does not hold for its slot would have every transaction refused for its signature: start-up
// stops on it instead, naming the slot (`bparb lighter check` shows both keys too).
void LighterVenue::check_key(std::size_t i, std::function<void(const std::string* error)> done) {
  Impl& m = *impl_;
  if (i > m.more_keys.size()) {
    m.ws.add_account_all(opts_.signer.account_index);
    return done(nullptr);
  }
  const lighter::Signer& key = i == 0 ? m.signer : m.more_keys[i - 1];
  const std::uint8_t slot = key.config().api_key_index;
  const std::int64_t account = key.config().account_index;
  m.rest.api_keys(
      account, slot,
      [this, i, slot, account, &key,
       done = std::move(done)](lighter::RestResult<std::vector<lighter::ApiKeyInfo>>& r) mutable {
        std::array<char, 80> hex{};
        key.public_key_hex(hex);
        const std::string ours(hex.data(), hex.size());
        std::string e;
        if (!r) {
          e = "Lighter apikeys for account " + std::to_string(account) + " API key slot " + std::to_string(slot) +
              " failed: " + r.error().describe();
          return done(&e);
        }
        const lighter::ApiKeyInfo* held = nullptr;
        for (const lighter::ApiKeyInfo& k : *r)
          if (k.api_key_index == slot) held = &k;
        if (held == nullptr)
          e = "venues.lighter: account " + std::to_string(account) + " has no API key in slot " + std::to_string(slot) +
              " on the venue (" + opts_.source_path + "; register it, or check the slot with `bparb lighter check`)";
        else if (held->public_key != ours)
          e = "venues.lighter: the key for API key slot " + std::to_string(slot) + " of account " +
              std::to_string(account) + " is not the one the venue holds there (venue " + held->public_key + ", ours " +
              ours + "): wrong key, slot or account, or the key was replaced on the venue (" + opts_.source_path + ")";
        if (!e.empty()) return done(&e);
        log_->info("Lighter API key slot {} of account {}: the venue holds this key", slot, account);
        check_key(i + 1, std::move(done));
      });
}

void LighterVenue::attach(exec::ArbEngine& engine) {
  engine_ = &engine;
  for (const Market& m : markets_) engine.order_entry().set_book(m.id, impl_->ws.book(m.details.market_id));
}

void LighterVenue::start() {
  impl_->ws.start();
  if (impl_->dead_man) impl_->dead_man->start();
}

void LighterVenue::stop(DurationUs timeout_us, std::function<void()> done) {
  Impl& m = *impl_;
  m.stopping = true;
  if (!m.dead_man || !m.dead_man->running()) {
    close();
    return done();
  }
  m.dead_man->stop();
  m.stop_done = std::move(done);
  m.stop_deadline_us = clock_.now_us() + timeout_us;
  // Polled: the switch settles through the sender's answer, which arrives on this loop. The poll holds itself
  // only weakly; the pending timer's handler holds it, so it is freed once no wait is pending.
  const auto poll = std::make_shared<std::function<void()>>();
  const std::weak_ptr<std::function<void()>> weak_poll = poll;
  *poll = [this, weak_poll] {
    Impl& s = *impl_;
    if (s.dead_man->stopped() || clock_.now_us() >= s.stop_deadline_us) {
      if (!s.dead_man->stopped()) log_->warn("Lighter dead-man switch: no answer to the abort before the stop timeout");
      close();
      if (auto d = std::move(s.stop_done)) d();
      return;
    }
    s.stop_timer.expires_after(std::chrono::milliseconds(20));
    s.stop_timer.async_wait([poll = weak_poll.lock()](const boost::system::error_code& ec) {
      if (!ec && poll) (*poll)();
    });
  };
  (*poll)();
}

void LighterVenue::close() {
  impl_->stopping = true;
  impl_->stop_timer.cancel();
  impl_->ws.close();
}

// ---- Commands

const LighterVenue::Market* LighterVenue::market_of(InstrumentId id) const noexcept {
  for (const Market& m : markets_)
    if (m.id == id) return &m;
  return nullptr;
}
const LighterVenue::Market* LighterVenue::market_by_symbol(std::string_view symbol) const noexcept {
  for (const Market& m : markets_)
    if (instruments_.market(m.id).symbol == symbol) return &m;
  return nullptr;
}
const LighterVenue::Market* LighterVenue::market_by_id(std::int64_t market_id) const noexcept {
  for (const Market& m : markets_)
    if (m.details.market_id == market_id) return &m;
  return nullptr;
}

bool LighterVenue::owns(InstrumentId id) const noexcept {
  return instruments_.contains(id) && instruments_[id].venue == VenueId::kLighter;
}

bool LighterVenue::place_orders(std::span<const exec::OrderSpec> orders) {
  // Write-ahead, as for every venue: the intents are durable before a byte leaves.
  if (!journal_.intents(orders, VenueId::kLighter)) return false;
  counts_.orders_sent += orders.size();
  impl_->adapter->place_orders(orders);
  return true;
}

void LighterVenue::cancel_order(InstrumentId instrument, ClientId client_id) {
  ++counts_.cancels;
  impl_->adapter->cancel_order(instrument, client_id);
}

bool LighterVenue::replace_order(ClientId old_id, const exec::OrderSpec& next) {
  if (!journal_.intents(std::span<const exec::OrderSpec>(&next, 1), VenueId::kLighter)) return false;
  ++counts_.orders_sent;
  ++counts_.replaces;
  impl_->adapter->replace_order(old_id, next);
  return true;
}

void LighterVenue::query_order(InstrumentId instrument, ClientId client_id) {
  impl_->adapter->query_order(instrument, client_id);
}

// ---- Reports: journal first, then the engine (as the Backpack path does)

void LighterVenue::on_ack(const exec::OrderAck& a) {
  const journal::OrderRecordState st = a.kind == exec::OrderAck::Kind::kAccepted ? record_state(a.status)
                                       : a.kind == exec::OrderAck::Kind::kRejected
                                           ? journal::OrderRecordState::kRejected
                                           : journal::OrderRecordState::kUnknown;
  journal_.ack(a.client_id, {}, st, a.executed_quantity, VenueId::kLighter);
  if (on_answered_) on_answered_(a.client_id, a.kind != exec::OrderAck::Kind::kUnknown);
  if (engine_) engine_->on_order_ack(a, clock_.now_us());
}

void LighterVenue::on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) {
  using K = exec::OrderUpdate::Kind;
  const journal::OrderRecordState st = u.kind == K::kAccepted    ? journal::OrderRecordState::kOpen
                                       : u.kind == K::kCancelled ? journal::OrderRecordState::kCancelled
                                                                 : journal::OrderRecordState::kExpired;
  journal_.ack(u.client_id, exchange_order_id, st, u.cumulative_quantity, VenueId::kLighter);
  if (engine_) engine_->on_order_update(u, clock_.now_us());
}

void LighterVenue::on_fill(const exec::FillReport& f) {
  exec::FillReport r = f;
  r.venue = VenueId::kLighter;
  if (r.instrument == kNoInstrument)
    if (const Market* m = market_by_symbol(r.symbol)) r.instrument = m->id;
  ingest_fill(journal_, r, [this](const exec::FillReport& booked) {
    ++counts_.fills;
    if (engine_) engine_->on_order_update(fill_update(booked), clock_.now_us());
  });
}

void LighterVenue::on_query(ClientId client_id, bool found, bparb::OrderStatus status, Decimal executed) {
  journal_.query_answer(client_id, found, status, executed, VenueId::kLighter);
  if (engine_) engine_->on_order_query(client_id, found, status, executed, clock_.now_us());
}

// A cancel the venue refused (or the sender could not queue): the order is live again for the engine, which
// queries it unless the refusal was for rate (docs/kernel.md).
void LighterVenue::on_cancel_refused(const exec::CancelRefusal& refusal) {
  if (engine_) engine_->on_cancel_refused(refusal, clock_.now_us());
}

// ---- Health

const OrderBook* LighterVenue::book(InstrumentId id) const noexcept {
  const Market* m = market_of(id);
  return m ? impl_->ws.book(m->details.market_id) : nullptr;
}
bool LighterVenue::book_valid(InstrumentId id) const noexcept {
  const Market* m = market_of(id);
  return m && impl_->ws.book_valid(m->details.market_id);
}
std::size_t LighterVenue::valid_books() const noexcept {
  std::size_t n = 0;
  for (const Market& m : markets_) n += impl_->ws.book_valid(m.details.market_id) ? 1 : 0;
  return n;
}
bool LighterVenue::stream_connected() const noexcept {
  return impl_->ws.connected();
}
TimestampUs LighterVenue::last_frame_us() const noexcept {
  return impl_->ws.counters().last_frame_us;
}
std::uint64_t LighterVenue::reconnects() const noexcept {
  return impl_->ws.transport().counters().reconnects;
}
std::uint64_t LighterVenue::book_resyncs() const noexcept {
  return impl_->ws.counters().resubscribes;
}
std::uint64_t LighterVenue::book_gaps() const noexcept {
  std::uint64_t n = 0;
  for (const Market& m : markets_)
    if (const lighter::BookSync* s = impl_->ws.book_sync(m.details.market_id)) n += s->stats().gaps;
  return n;
}
std::int64_t LighterVenue::dead_man_trigger_ms() const noexcept {
  return impl_->dead_man ? impl_->dead_man->trigger_ms() : 0;
}

}  // namespace bparb::runtime
