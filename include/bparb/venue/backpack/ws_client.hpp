#pragma once
// Backpack WebSocket session on top of net::WsClient: remembers subscriptions and re-sends them on
// every (re)connect — private `account.*` streams re-signed with a fresh timestamp — and decodes
// frames with A's parsers straight from the receive buffer into typed callbacks.
//
// Hot path: one JsonParser and one WsFrame reused for every frame (zero-copy input thanks to the
// receive padding net::WsClient guarantees); no allocation per frame once warm. Malformed frames are
// counted and skipped; the connection stays up.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/net/ws_client.hpp"
#include "bparb/venue/backpack/messages.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::backpack {

class SigningKey;
class JsonParser;

struct BackpackWsOptions {
  net::WsClientOptions ws;                    // url e.g. "wss://ws.backpack.exchange"
  std::int64_t window_ms = kDefaultWindowMs;  // signature window for private subscriptions
};

struct BackpackWsCounters {
  std::uint64_t frames = 0;        // text frames handed to the decoder
  std::uint64_t malformed = 0;     // frames that failed to parse (skipped)
  std::uint64_t unknown = 0;       // well-formed frames for streams we don't decode / acks
  std::uint64_t error_frames = 0;  // {"error":{...}} from the server
  std::uint64_t subscribe_messages = 0;
  TimestampUs last_frame_us = 0;  // local receive time (Clock) of the last text frame; 0 = none yet
};

// Typed handlers; `received_us` is the local receive time (Clock) of the frame. Views inside the
// events are valid only during the call.
struct BackpackWsHandlers {
  std::function<void(const DepthDelta&, TimestampUs received_us)> on_depth;
  std::function<void(const BookTickerEvent&, TimestampUs received_us)> on_book_ticker;
  std::function<void(const TradeEvent&, TimestampUs received_us)> on_trade;
  std::function<void(const MarkPriceEvent&, TimestampUs received_us)> on_mark_price;
  std::function<void(const TickerEvent&, TimestampUs received_us)> on_ticker;
  std::function<void(const OrderUpdateEvent&, TimestampUs received_us)> on_order_update;
  std::function<void(const PositionUpdateEvent&, TimestampUs received_us)> on_position_update;
  std::function<void(const WsErrorEvent&)> on_error_frame;
};

class BackpackWs {
 public:
  // `key` may be null (public streams only). `clock` and `key` must outlive this object.
  // Throws std::invalid_argument on a bad URL / security options / window.
  BackpackWs(boost::asio::io_context& ioc, const Clock& clock, BackpackWsOptions opts, const SigningKey* key = nullptr);
  ~BackpackWs();
  BackpackWs(const BackpackWs&) = delete;
  BackpackWs& operator=(const BackpackWs&) = delete;

  void set_handlers(BackpackWsHandlers h);
  BackpackWsHandlers& handlers() noexcept { return handlers_; }
  // Several owners (market data, execution) may listen; called in registration order. on_connected
  // listeners run AFTER the remembered subscriptions were sent.
  void add_connected_listener(std::function<void()> f);
  void add_disconnected_listener(std::function<void(const net::DisconnectInfo&)> f);

  // Stream names as Backpack spells them: "depth.SOL_USDC", "bookTicker.SOL_USDC_PERP",
  // "account.orderUpdate". `account.*` streams are private and need a key (returns false without).
  // Remembered for reconnects and sent at once if connected. Duplicates are ignored (returns true).
  bool subscribe(std::string_view stream);
  bool unsubscribe(std::string_view stream);
  static bool is_private_stream(std::string_view stream) noexcept;

  void start();
  void close();
  bool connected() const noexcept;

  // Offset (server - local, ms) applied to private-subscription timestamps (from RestClient::sync_time).
  void set_time_offset_ms(std::int64_t offset) noexcept { offset_ms_ = offset; }

  const std::vector<std::string>& subscriptions() const noexcept { return streams_; }
  const BackpackWsCounters& counters() const noexcept { return counters_; }
  const net::WsClient& transport() const noexcept { return *ws_; }

  // Decodes and dispatches one frame exactly as if it had arrived on the socket (replay / tests).
  // `capacity` = readable bytes at data (>= size + kJsonPadding avoids a copy).
  void handle_frame(const char* data, std::size_t size, std::size_t capacity);

 private:
  void send_subscriptions();
  bool send_one(std::string_view stream, bool subscribe);

  const Clock& clock_;
  BackpackWsOptions opts_;
  const SigningKey* key_;
  std::unique_ptr<net::WsClient> ws_;
  std::unique_ptr<JsonParser> parser_;
  std::unique_ptr<WsFrame> frame_;
  BackpackWsHandlers handlers_;
  std::vector<std::function<void()>> connected_;
  std::vector<std::function<void(const net::DisconnectInfo&)>> disconnected_;
  std::vector<std::string> streams_;
  std::int64_t offset_ms_ = 0;
  BackpackWsCounters counters_;
};

}  // namespace bparb::backpack
