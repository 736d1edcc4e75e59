// Lighter WebSocket session (include/bparb/venue/lighter/ws_session.hpp).
#include "bparb/venue/lighter/ws_session.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <utility>

#include "bparb/venue/lighter/parsers.hpp"

namespace bparb::lighter {

namespace {

constexpr std::string_view kPing = R"({"type":"ping"})";
constexpr std::string_view kPong = R"({"type":"pong"})";

// The venue's transaction codes (21xxx) and its request rate limit (23000): an error frame with one of
// these answers a transaction we sent (inferred: the venue documents sendtx failures as either a reply
// with a code or an error frame). The other 23xxx limits are about subscriptions and connections.
bool is_tx_code(std::int64_t code) noexcept {
  return (code >= 21000 && code < 22000) || code == 23000;
}

}  // namespace

struct LighterWs::Book {
  Book(const MarketDetails& m, const Clock& clock, const BookSyncConfig& cfg, std::size_t reserve)
      : market_id(m.market_id),
        book(book_spec(m), reserve),
        sync(book, m.market_id, clock, cfg),
        channel("order_book/" + std::to_string(m.market_id)) {}
  std::int64_t market_id;
  OrderBook book;
  BookSync sync;
  std::string channel;
};

struct LighterWs::TimerState {
  explicit TimerState(boost::asio::io_context& ioc) : timer(ioc) {}
  boost::asio::steady_timer timer;
  LighterWs* owner = nullptr;  // null once the session is gone
};

LighterWs::LighterWs(boost::asio::io_context& ioc, const Clock& clock, LighterWsOptions opts, const Signer* signer)
    : clock_(clock),
      opts_(std::move(opts)),
      signer_(signer),
      ws_(std::make_unique<net::WsClient>(ioc, opts_.ws)),
      parser_(std::make_unique<JsonParser>()),
      frame_(std::make_unique<WsFrame>()),
      schedule_(opts_.auth_lifetime_s, opts_.auth_refresh_before_s),
      timer_(std::make_shared<TimerState>(ioc)) {
  timer_->owner = this;
  scratch_.reserve(1024);
  ws_->on_message(
      [this](std::string_view text) { handle_frame(text.data(), text.size(), text.size() + net::kReceivePadding); });
  ws_->on_connected([this] { on_open(); });
  ws_->on_disconnected([this](const net::DisconnectInfo& info) { on_close(info); });
}

LighterWs::~LighterWs() {
  timer_->owner = nullptr;
  timer_->timer.cancel();
  ws_.reset();  // closes without callbacks
}

// ---------------------------------------------------------------- subscriptions

LighterWs::Book* LighterWs::find_book(std::int64_t market_id) noexcept {
  for (auto& b : books_)
    if (b->market_id == market_id) return b.get();
  return nullptr;
}

const LighterWs::Book* LighterWs::find_book(std::int64_t market_id) const noexcept {
  for (const auto& b : books_)
    if (b->market_id == market_id) return b.get();
  return nullptr;
}

void LighterWs::add_book(const MarketDetails& market) {
  if (find_book(market.market_id)) return;
  books_.push_back(std::make_unique<Book>(market, clock_, opts_.book, opts_.reserve_levels));
  add_channel(books_.back()->channel, false);
}

void LighterWs::add_trades(std::int64_t market_id) {
  add_channel("trade/" + std::to_string(market_id), false);
}

void LighterWs::add_account_all(std::int64_t account_index) {
  add_channel("account_all/" + std::to_string(account_index), false);
}

bool LighterWs::add_account_orders(std::int64_t market_id) {
  if (!signer_) return false;
  add_channel("account_orders/" + std::to_string(market_id) + "/" + std::to_string(signer_->config().account_index),
              true);
  return true;
}

bool LighterWs::add_account_all_orders() {
  if (!signer_) return false;
  add_channel("account_all_orders/" + std::to_string(signer_->config().account_index), true);
  return true;
}

void LighterWs::add_channel(std::string name, bool auth) {
  for (const Channel& c : channels_)
    if (c.name == name) return;
  channels_.push_back(Channel{std::move(name), auth});
  if (!connected()) return;
  if (auth && schedule_.needs_refresh(clock_.now_us()) && !refresh_token()) return;
  send_subscribe(channels_.back().name, auth);
}

void LighterWs::send_subscribe(std::string_view name, bool auth) {
  if (auth && token_.len == 0) return;  // no token: refresh_token() failed and counted it
  scratch_.clear();
  scratch_ += R"({"type":"subscribe","channel":")";
  scratch_ += name;
  scratch_ += '"';
  if (auth) {
    scratch_ += R"(,"auth":")";
    scratch_ += token_.str();
    scratch_ += '"';
  }
  scratch_ += '}';
  ++counters_.subscribe_messages;
  send_text(scratch_);
}

void LighterWs::send_unsubscribe(std::string_view name) {
  scratch_.clear();
  scratch_ += R"({"type":"unsubscribe","channel":")";
  scratch_ += name;
  scratch_ += R"("})";
  send_text(scratch_);
}

bool LighterWs::refresh_token() {
  if (!signer_) return false;
  const std::int64_t deadline = schedule_.deadline_for(clock_.now_us());
  if (signer_->auth_token(deadline, token_).has_value()) {
    ++counters_.token_failures;
    token_.len = 0;
    return false;
  }
  schedule_.on_token(deadline);
  ++counters_.token_refreshes;
  return true;
}

void LighterWs::send_text(std::string_view text) {
  if (ws_->send(text)) last_sent_us_ = clock_.now_us();
}

// ---------------------------------------------------------------- connection

void LighterWs::start() {
  ws_->start();
  arm_timer();
}

void LighterWs::close() {
  timer_->timer.cancel();
  ws_->close();
}

void LighterWs::reconnect() {
  ws_->close();
  ws_->start();
}

bool LighterWs::connected() const noexcept {
  return ws_->connected();
}

void LighterWs::on_open() {
  ++counters_.connects;
  for (auto& b : books_) b->sync.reset();
  bool need_token = false;
  for (const Channel& c : channels_) need_token = need_token || c.auth;
  if (need_token && schedule_.needs_refresh(clock_.now_us())) refresh_token();
  for (const Channel& c : channels_) send_subscribe(c.name, c.auth);
  last_sent_us_ = clock_.now_us();
  if (handlers_.on_connected) handlers_.on_connected();
}

void LighterWs::on_close(const net::DisconnectInfo& info) {
  ++counters_.disconnects;
  // Every book is invalid until the next connection's snapshot.
  for (auto& b : books_) {
    b->sync.reset();
    if (handlers_.on_book) handlers_.on_book(b->market_id);
  }
  if (handlers_.on_disconnected) handlers_.on_disconnected(info);
}

void LighterWs::arm_timer() {
  timer_->timer.expires_after(std::chrono::microseconds(std::max<DurationUs>(opts_.timer_period_us, kUsPerMs)));
  timer_->timer.async_wait([t = timer_](boost::system::error_code ec) {
    if (ec || t->owner == nullptr) return;
    t->owner->on_timer();
    t->owner->arm_timer();
  });
}

void LighterWs::on_timer() {
  for (auto& b : books_) {
    if (b->sync.on_timer().action == SyncAction::kResubscribe) {
      ++counters_.resubscribes;
      if (connected()) {
        send_unsubscribe(b->channel);
        send_subscribe(b->channel, false);
      }
      if (handlers_.on_book) handlers_.on_book(b->market_id);
    }
  }
  if (!connected()) return;
  const TimestampUs now = clock_.now_us();
  bool has_auth = false;
  for (const Channel& c : channels_) has_auth = has_auth || c.auth;
  if (has_auth && schedule_.needs_refresh(now) && refresh_token()) {
    // The venue knows the old token's subscriptions: renew them with the new token.
    for (const Channel& c : channels_) {
      if (!c.auth) continue;
      send_unsubscribe(c.name);
      send_subscribe(c.name, true);
    }
  }
  if (now - last_sent_us_ >= opts_.ping_interval_us) {
    ++counters_.pings_sent;
    send_text(kPing);
  }
}

// ---------------------------------------------------------------- frames

const OrderBook* LighterWs::book(std::int64_t market_id) const noexcept {
  const Book* b = find_book(market_id);
  return b ? &b->book : nullptr;
}

const BookSync* LighterWs::book_sync(std::int64_t market_id) const noexcept {
  const Book* b = find_book(market_id);
  return b ? &b->sync : nullptr;
}

bool LighterWs::book_valid(std::int64_t market_id) const noexcept {
  const Book* b = find_book(market_id);
  return b && b->sync.synced();
}

bool LighterWs::send_tx(const SignedTx& tx, std::int64_t request_id) {
  if (!connected()) return false;
  char digits[24];
  scratch_.clear();
  scratch_ += R"({"type":"jsonapi/sendtx","data":{)";
  if (request_id >= 0) {
    const auto r = std::to_chars(digits, digits + sizeof digits, request_id);
    scratch_ += R"("id":")";
    scratch_.append(digits, static_cast<std::size_t>(r.ptr - digits));
    scratch_ += R"(",)";
  }
  scratch_ += R"("tx_type":)";
  const auto t = std::to_chars(digits, digits + sizeof digits, static_cast<int>(tx.tx_type));
  scratch_.append(digits, static_cast<std::size_t>(t.ptr - digits));
  scratch_ += R"(,"tx_info":)";
  scratch_ += tx.tx_info();
  scratch_ += "}}";
  if (!ws_->send(scratch_)) return false;
  last_sent_us_ = clock_.now_us();
  ++counters_.tx_sent;
  return true;
}

void LighterWs::handle_frame(const char* data, std::size_t size, std::size_t capacity) {
  ++counters_.frames;
  counters_.last_frame_us = clock_.now_us();
  if (handlers_.on_raw_frame) handlers_.on_raw_frame(std::string_view(data, size));
  const ParseError e = parse_ws_frame(*parser_, JsonInput(data, size, capacity), *frame_);
  if (!e.ok()) {
    ++counters_.malformed;
    return;
  }
  dispatch();
}

void LighterWs::dispatch() {
  WsFrame& f = *frame_;
  switch (f.type) {
    case WsType::kOrderBook: {
      ++counters_.book_frames;
      Book* b = find_book(f.book.market_id);
      if (!b) {
        ++counters_.unknown;
        return;
      }
      const SyncResult r = b->sync.on_frame(f.book);
      if (r.action == SyncAction::kResubscribe) {
        ++counters_.resubscribes;
        send_unsubscribe(b->channel);
        send_subscribe(b->channel, false);
      }
      if (handlers_.on_book) handlers_.on_book(b->market_id);
      return;
    }
    case WsType::kTrade:
      if (handlers_.on_trade)
        for (const Trade& t : f.trades) handlers_.on_trade(t);
      return;
    case WsType::kAccountOrders:
    case WsType::kAccountAll:
      if (handlers_.on_account) handlers_.on_account(f);
      return;
    case WsType::kPing:
      ++counters_.pongs_sent;
      send_text(kPong);
      return;
    case WsType::kSendTx:
      if (handlers_.on_tx_reply) handlers_.on_tx_reply(f);
      return;
    case WsType::kError:
      ++counters_.error_frames;
      if (is_tx_code(f.error_code)) {
        if (handlers_.on_tx_reply) handlers_.on_tx_reply(f);
      } else if (handlers_.on_error) {
        handlers_.on_error(f.error_code, f.error_message);
      }
      return;
    case WsType::kConnected:
    case WsType::kPong:
      return;
    case WsType::kUnknown:
    case WsType::kNone:
      ++counters_.unknown;
      return;
  }
}

}  // namespace bparb::lighter
