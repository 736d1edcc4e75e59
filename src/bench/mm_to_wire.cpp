#include "mm_to_wire.hpp"

#include <spdlog/sinks/null_sink.h>

#include <cstdio>
#include <stdexcept>

#include "tick_to_wire.hpp"

namespace bparb::bench {
namespace {

RiskLimits mm_bench_limits() {
  RiskLimits l;
  l.max_position_usd = Decimal::from_int(1'000);
  l.max_total_exposure_usd = Decimal::from_int(5'000);
  l.max_daily_loss_usd = Decimal::from_int(100);
  l.min_account_balance_usd = Decimal::from_int(100);
  l.max_book_age_ms = 365LL * 24 * 3600 * 1000;  // the clock moves 100 ms per replace; book age is not measured
  l.max_orders_per_minute = 1024;
  return l;
}

// The shipped defaults, except what a tight replace loop needs: the side follows each print and the quote
// each book move at once (no persistence wait), the request budget is not the limit, and book frames
// without prints do not trip the stale-trade breaker.
MmParams mm_bench_params() {
  MmParams p;
  p.requote_persist_ms = 0;
  p.flow_window_ms = 100;
  p.flow_ema_alpha = Decimal::from_int(1);
  p.min_side_hold_ms = 0;
  p.max_trade_age_ms = 3'600'000;
  p.max_requests_per_window = 10'000;
  p.request_window_ms = 1'000;
  return p;
}

std::array<std::uint8_t, backpack::kSeedBytes> mm_bench_seed() {
  std::array<std::uint8_t, backpack::kSeedBytes> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 11 + 3);
  return s;
}

}  // namespace

MmToWire::MmToWire(const MmToWireOptions& opts)
    : opts_(opts),
      clock_(1'795'132'860LL * kUsPerSecond),
      risk_(mm_bench_limits(), clock_),
      key_(backpack::SigningKey::from_seed(mm_bench_seed())) {
  const SimBooks sb = make_sim_books(opts_.seed);
  std::size_t perp = sb.markets.size();
  for (std::size_t i = 0; i < sb.markets.size(); ++i)
    if (sb.markets[i].symbol == "SOL_USDC_PERP") perp = i;
  if (perp == sb.markets.size()) throw std::runtime_error("bpsim has no SOL_USDC_PERP");
  markets_.add(VenueId::kBackpack, sb.markets[perp]);
  const MarketSpec& spec = markets_.market(0);
  book_ = std::make_unique<OrderBook>(spec);
  DepthSyncConfig sc;
  sc.snapshot_delay = 0;
  sync_ = std::make_unique<DepthSync>(*book_, sc);
  sync_->on_snapshot(sb.snapshots[perp], clock_.now_us());
  next_id_ = sync_->last_update_id() + 1;
  const Decimal best = book_->best_bid().price;
  const Decimal above = best + spec.tick_size;
  if (!(book_->best_ask().price > above)) throw std::runtime_error("bpsim's SOL perp spread is a single tick");
  best_bid_ = best.str();
  above_bid_ = above.str();
  far_ask_ = (book_->best_ask().price + spec.tick_size * 50).str();

  backpack::RestClientOptions ro;
  ro.http.base_url = "https://" + opts_.host;
  rest_ = std::make_unique<backpack::RestClient>(io_, clock_, ro, &key_);
  backpack::BackpackWsOptions wo;
  wo.ws.url = "wss://" + opts_.host + "/";
  ws_ = std::make_unique<backpack::BackpackWs>(io_, clock_, wo, &key_);
  forward_.self = this;
  adapter_ = std::make_unique<backpack::BackpackAdapter>(
      io_, clock_, *rest_, *ws_, markets_, clock_.now_us(),
      std::make_shared<spdlog::logger>("mm-to-wire", std::make_shared<spdlog::sinks::null_sink_st>()), forward_);
  adapter_->set_request_hook(&MmToWire::on_adapter_requests, this);

  exec::EngineParams ep;
  ep.stats_interval_us = 365LL * 24 * 3600 * kUsPerSecond;
  ep.first_client_id = 1000;
  engine_ = std::make_unique<exec::ArbEngine>(ep, markets_, risk_, portfolio_, *this, *this);
  engine_->order_entry().set_book(0, book_.get());
  runner_ = std::make_unique<MmRunner>(mm_bench_params(), markets_, 0, engine_->order_entry(), clock_);
  exec::AccountSnapshot account{};
  account.view.fees = {Decimal::from_int(8), Decimal::from_int(10), Decimal::from_int(2), Decimal::from_int(5)};
  account.view.available_quote = Decimal::from_int(100'000);
  account.view.available_margin = Decimal::from_int(100'000);
  account.net_equity = Decimal::from_int(100'000);
  engine_->on_account(account, clock_.now_us());
  runner_->on_equity(account.net_equity);
  runner_->on_book(*book_);

  wire_.reserve(4096);
  frame_buf_.reserve(4096);
  frame_.depth.bids.reserve(64);
  frame_.depth.asks.reserve(64);
  // A taker sell puts the quote on the bid: placed, then accepted.
  buy_next_ = false;
  if (on_frame(next_trade_frame()) != MmWire::kPlace) throw std::runtime_error("the market maker placed no quote");
  accept_quote();
}

MmToWire::~MmToWire() = default;

void MmToWire::pad_frame() {
  if (frame_buf_.capacity() < frame_buf_.size() + backpack::kJsonPadding)
    frame_buf_.reserve(frame_buf_.size() + backpack::kJsonPadding);
}

const std::string& MmToWire::next_book_frame() {
  const bool up = up_next_;
  up_next_ = !up_next_;
  const std::string t = std::to_string(clock_.now_us());
  const std::string id = std::to_string(next_id_++);
  frame_buf_ = "{\"stream\":\"depth.SOL_USDC_PERP\",\"data\":{\"e\":\"depth\",\"E\":\"" + t +
               "\",\"s\":\"SOL_USDC_PERP\",\"a\":[],\"b\":[[\"" + above_bid_ + "\",\"" + (up ? "10" : "0") +
               "\"]],\"U\":" + id + ",\"u\":" + id + ",\"T\":\"" + t + "\"}}";
  pad_frame();
  return frame_buf_;
}

const std::string& MmToWire::next_quiet_book_frame() {
  quiet_toggle_ = !quiet_toggle_;
  const std::string t = std::to_string(clock_.now_us());
  const std::string id = std::to_string(next_id_++);
  frame_buf_ = "{\"stream\":\"depth.SOL_USDC_PERP\",\"data\":{\"e\":\"depth\",\"E\":\"" + t +
               "\",\"s\":\"SOL_USDC_PERP\",\"a\":[[\"" + far_ask_ + "\",\"" + (quiet_toggle_ ? "3" : "0") +
               "\"]],\"b\":[],\"U\":" + id + ",\"u\":" + id + ",\"T\":\"" + t + "\"}}";
  pad_frame();
  return frame_buf_;
}

const std::string& MmToWire::next_trade_frame() {
  const bool buy = buy_next_;
  buy_next_ = !buy_next_;
  const std::string t = std::to_string(clock_.now_us());
  frame_buf_ = "{\"stream\":\"trade.SOL_USDC_PERP\",\"data\":{\"e\":\"trade\",\"E\":\"" + t +
               "\",\"s\":\"SOL_USDC_PERP\",\"p\":\"" + (buy ? above_bid_ : best_bid_) +
               "\",\"q\":\"1.5\",\"b\":\"11\",\"a\":\"12\",\"t\":" + std::to_string(++trade_id_) + ",\"T\":\"" + t +
               "\",\"m\":" + (buy ? "false" : "true") + "}}";
  pad_frame();
  return frame_buf_;
}

const std::string& MmToWire::cancel_confirmation_frame() {
  const std::string t = std::to_string(clock_.now_us());
  frame_buf_ = "{\"stream\":\"account.orderUpdate\",\"data\":{\"e\":\"orderCancelled\",\"E\":\"" + t +
               "\",\"s\":\"SOL_USDC_PERP\",\"c\":" + std::to_string(cancelled_id_) +
               ",\"S\":\"Bid\",\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":\"0.2\",\"p\":\"" + best_bid_ +
               "\",\"X\":\"Cancelled\",\"i\":\"" + std::to_string(cancelled_id_ + 900'000'000ULL) +
               "\",\"t\":null,\"z\":\"0\",\"Z\":\"0\",\"V\":\"RejectTaker\",\"T\":\"" + t +
               "\",\"O\":\"USER\",\"y\":true,\"r\":false}}";
  pad_frame();
  return frame_buf_;
}

MmWire MmToWire::on_frame(const char* data, std::size_t size, std::size_t capacity, MmStageTimes* times) noexcept {
  times_ = times;
  wrote_ = MmWire::kNone;
  if (times) times->start = steady_ns();
  const backpack::ParseError e = backpack::parse_ws_frame(parser_, backpack::JsonInput(data, size, capacity), frame_);
  if (times) times->parsed = steady_ns();
  if (!e.ok()) {
    ++parse_errors_;
    times_ = nullptr;
    return MmWire::kNone;
  }
  const TimestampUs now = clock_.now_us();
  switch (frame_.type) {
    case backpack::WsFrameType::kDepth: {
      const SyncAction a = sync_->on_delta(frame_.depth, now);
      if (a == SyncAction::kBookUpdated || a == SyncAction::kBookInvalidated) runner_->on_book(*book_);
      break;
    }
    case backpack::WsFrameType::kTrade: {
      const backpack::TradeEvent& t = frame_.trade;
      runner_->on_trade(now, t.price, t.quantity, t.buyer_is_maker);
      break;
    }
    case backpack::WsFrameType::kOrderUpdate:
      adapter_->on_order_event(frame_.order_update);  // -> Forward -> engine -> OMS -> MmRunner
      break;
    default:
      break;
  }
  times_ = nullptr;
  return wrote_;
}

void MmToWire::accept_quote(DurationUs advance_us) {
  exec::OrderAck a;
  a.client_id = placed_id_;
  a.kind = exec::OrderAck::Kind::kAccepted;
  a.status = OrderStatus::kNew;
  engine_->on_order_ack(a, clock_.now_us());
  clock_.advance_us(advance_us);
}

void MmToWire::Forward::on_ack(const exec::OrderAck& a, std::string_view) {
  self->engine_->on_order_ack(a, self->clock_.now_us());
}
void MmToWire::Forward::on_order_event(const exec::OrderUpdate& u, std::string_view) {
  self->engine_->on_order_update(u, self->clock_.now_us());
}

// ---- the engine's commands -> request bytes

void MmToWire::place_orders(std::span<const exec::OrderSpec> orders) {
  if (times_) times_->decided = steady_ns();
  adapter_->place_orders(orders);  // maps and hands the request to on_adapter_requests
}

void MmToWire::on_adapter_requests(void* ctx, std::span<const backpack::OrderRequest> orders) noexcept {
  auto* self = static_cast<MmToWire*>(ctx);
  if (orders.size() != 1) return void(++self->write_errors_);  // the market maker sends one order at a time
  if (self->loop_rest_ != nullptr) {
    self->placed_id_ = orders[0].client_id.value_or(0);
    self->answered_ = false;
    self->loop_rest_->execute_order(orders[0], [self](backpack::RestResult<backpack::Order>& r) {
      self->answered_ns_ = steady_ns();
      self->answered_ = true;
      if (!r) ++self->refused_answers_;
    });
    self->handed_ns_ = steady_ns();
    ++self->places_;
    self->wrote_ = MmWire::kPlace;
    return;
  }
  backpack::RequestAuth auth;
  auth.key = nullptr;  // signed below, as the daemon's RestClient does
  auth.timestamp_ms = self->clock_.now_ms();
  if (self->writer_.write_order(orders[0], auth, self->written_) != backpack::RequestError::kOk)
    return void(++self->write_errors_);
  self->placed_id_ = orders[0].client_id.value_or(0);
  self->finish_request("POST", "/api/v1/order");
  ++self->places_;
  self->wrote_ = MmWire::kPlace;
}

// The adapter's cancel mapping (BackpackAdapter::cancel_order: symbol and the 32-bit client id) without its
// RestClient call, which needs a connection: the request is written here instead.
void MmToWire::cancel_order(InstrumentId instrument, ClientId client_id) {
  if (times_) times_->decided = steady_ns();
  if (client_id > backpack::kMaxBackpackClientId) return void(++write_errors_);
  backpack::CancelRequest c;
  c.symbol = markets_.market(instrument).symbol;
  c.client_id = static_cast<std::uint32_t>(client_id);
  cancelled_id_ = static_cast<std::uint32_t>(client_id);
  if (loop_rest_ != nullptr) {
    answered_ = false;
    loop_rest_->cancel_order(c, [this](backpack::RestResult<backpack::CancelResult>& r) {
      answered_ns_ = steady_ns();
      answered_ = true;
      if (!r) ++refused_answers_;
    });
    handed_ns_ = steady_ns();
    ++cancels_;
    wrote_ = MmWire::kCancel;
    return;
  }
  backpack::RequestAuth auth;
  auth.key = nullptr;
  auth.timestamp_ms = clock_.now_ms();
  if (writer_.write_cancel(c, auth, written_) != backpack::RequestError::kOk) return void(++write_errors_);
  finish_request("DELETE", "/api/v1/order");
  ++cancels_;
  wrote_ = MmWire::kCancel;
}

// Signature and the HTTP/1.1 request exactly as it would leave the socket.
void MmToWire::finish_request(const char* method, const char* path) noexcept {
  const std::size_t sig_len = key_.sign_base64(written_.signing_string, sig_);
  written_.signature = std::string_view(sig_, sig_len);
  char len[24];
  const int len_n = std::snprintf(len, sizeof len, "%zu", written_.body.size());
  wire_.clear();
  wire_ += method;
  wire_ += ' ';
  wire_ += path;
  wire_ += " HTTP/1.1\r\nHost: ";
  wire_ += opts_.host;
  wire_ += "\r\nContent-Type: application/json; charset=utf-8\r\nX-API-Key: ";
  wire_ += key_.public_key_base64();
  wire_ += "\r\nX-Signature: ";
  wire_ += written_.signature;
  wire_ += "\r\nX-Timestamp: ";
  wire_ += written_.timestamp;
  wire_ += "\r\nX-Window: ";
  wire_ += written_.window;
  wire_ += "\r\nContent-Length: ";
  wire_.append(len, static_cast<std::size_t>(len_n));
  wire_ += "\r\n\r\n";
  wire_ += written_.body;
  if (times_) times_->wired = steady_ns();
}

}  // namespace bparb::bench
