#include "bparb/venue/backpack/ws_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {

static_assert(net::kReceivePadding >= kJsonPadding, "WS receive padding must cover simdjson's");

BackpackWs::BackpackWs(boost::asio::io_context& ioc, const Clock& clock, BackpackWsOptions opts, const SigningKey* key)
    : clock_(clock),
      opts_(std::move(opts)),
      key_(key),
      parser_(std::make_unique<JsonParser>(16u << 20)),
      frame_(std::make_unique<WsFrame>()) {
  if (opts_.window_ms < 1 || opts_.window_ms > kMaxWindowMs) {
    throw std::invalid_argument("BackpackWs: window_ms must be in 1..60000, got " + std::to_string(opts_.window_ms));
  }
  ws_ = std::make_unique<net::WsClient>(ioc, opts_.ws);
  // Depth frames on busy markets carry a few hundred levels; reserve once so the hot path never grows.
  frame_->depth.bids.reserve(512);
  frame_->depth.asks.reserve(512);
  ws_->on_message([this](std::string_view m) { handle_frame(m.data(), m.size(), m.size() + net::kReceivePadding); });
  ws_->on_connected([this] {
    send_subscriptions();
    for (auto& f : connected_) f();
  });
  ws_->on_disconnected([this](const net::DisconnectInfo& d) {
    // Our own close (shutdown) is expected: a warning on every clean stop would teach users to ignore them.
    const auto level = d.reason == net::DisconnectReason::kClosedByUser ? spdlog::level::info : spdlog::level::warn;
    spdlog::log(level, "backpack ws disconnected: {} ({})", net::to_string(d.reason), d.message);
    for (auto& f : disconnected_) f(d);
  });
}

BackpackWs::~BackpackWs() = default;

void BackpackWs::set_handlers(BackpackWsHandlers h) {
  handlers_ = std::move(h);
}
void BackpackWs::add_connected_listener(std::function<void()> f) {
  connected_.push_back(std::move(f));
}
void BackpackWs::add_disconnected_listener(std::function<void(const net::DisconnectInfo&)> f) {
  disconnected_.push_back(std::move(f));
}

bool BackpackWs::is_private_stream(std::string_view stream) noexcept {
  return stream.starts_with("account.");
}

bool BackpackWs::subscribe(std::string_view stream) {
  if (stream.empty()) return false;
  if (is_private_stream(stream) && !key_) {
    spdlog::error("backpack ws: private stream {} needs an API key", stream);
    return false;
  }
  if (std::find(streams_.begin(), streams_.end(), stream) != streams_.end()) return true;
  streams_.emplace_back(stream);
  if (ws_->connected()) send_one(stream, true);
  return true;
}

bool BackpackWs::unsubscribe(std::string_view stream) {
  auto it = std::find(streams_.begin(), streams_.end(), stream);
  if (it == streams_.end()) return false;
  streams_.erase(it);
  if (ws_->connected()) send_one(stream, false);
  return true;
}

bool BackpackWs::send_one(std::string_view stream, bool subscribe) {
  const std::string_view one[1] = {stream};
  const bool priv = is_private_stream(stream);
  const std::int64_t ts = clock_.now_ms() + offset_ms_;
  const std::string msg = subscribe ? ws_subscribe_message(one, priv ? key_ : nullptr, ts, opts_.window_ms)
                                    : ws_unsubscribe_message(one, priv ? key_ : nullptr, ts, opts_.window_ms);
  ++counters_.subscribe_messages;
  return ws_->send(msg);
}

void BackpackWs::send_subscriptions() {
  // One public message and one private message signed NOW: a signature from an earlier connection
  // would be outside its window after any real outage.
  std::vector<std::string_view> pub, priv;
  for (const auto& s : streams_) (is_private_stream(s) ? priv : pub).push_back(s);
  const std::int64_t ts = clock_.now_ms() + offset_ms_;
  if (!pub.empty()) {
    ++counters_.subscribe_messages;
    ws_->send(ws_subscribe_message(pub, nullptr, ts, opts_.window_ms));
  }
  if (!priv.empty() && key_) {
    ++counters_.subscribe_messages;
    ws_->send(ws_subscribe_message(priv, key_, ts, opts_.window_ms));
  }
}

void BackpackWs::start() {
  ws_->start();
}
void BackpackWs::close() {
  ws_->close();
}
bool BackpackWs::connected() const noexcept {
  return ws_->connected();
}

void BackpackWs::handle_frame(const char* data, std::size_t size, std::size_t capacity) {
  ++counters_.frames;
  const TimestampUs now = clock_.now_us();
  counters_.last_frame_us = now;
  WsFrame& f = *frame_;
  const ParseError pe = parse_ws_frame(*parser_, JsonInput(data, size, capacity), f);
  if (!pe.ok()) {
    // Rare by nature; log only the first few so a misbehaving feed cannot flood the log.
    if (++counters_.malformed <= 10) {
      spdlog::warn("backpack ws: malformed frame skipped ({}): {}", pe.message(),
                   std::string_view(data, std::min<std::size_t>(size, 200)));
    }
    return;
  }
  switch (f.type) {
    case WsFrameType::kDepth:
      if (handlers_.on_depth) handlers_.on_depth(f.depth, now);
      break;
    case WsFrameType::kBookTicker:
      if (handlers_.on_book_ticker) handlers_.on_book_ticker(f.book_ticker, now);
      break;
    case WsFrameType::kTrade:
      if (handlers_.on_trade) handlers_.on_trade(f.trade, now);
      break;
    case WsFrameType::kMarkPrice:
      if (handlers_.on_mark_price) handlers_.on_mark_price(f.mark_price, now);
      break;
    case WsFrameType::kTicker:
      if (handlers_.on_ticker) handlers_.on_ticker(f.ticker, now);
      break;
    case WsFrameType::kOrderUpdate:
      if (handlers_.on_order_update) handlers_.on_order_update(f.order_update, now);
      break;
    case WsFrameType::kPositionUpdate:
      if (handlers_.on_position_update) handlers_.on_position_update(f.position_update, now);
      break;
    case WsFrameType::kError:
      ++counters_.error_frames;
      spdlog::warn("backpack ws: server error frame code={} message={}", f.error.code, f.error.message);
      if (handlers_.on_error_frame) handlers_.on_error_frame(f.error);
      break;
    case WsFrameType::kUnknown:
    case WsFrameType::kNone:
      ++counters_.unknown;
      break;
  }
}

}  // namespace bparb::backpack
