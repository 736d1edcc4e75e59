#pragma once
// Lighter WebSocket session on top of net::WsClient (docs/lighter.md, "WebSocket frames", "Order book
// continuity", "Auth tokens"):
//
// - order_book/{m}: one OrderBook per market kept by BookSync. A nonce-chain break, a crossed book, a
//   level off the grid or silence (checked from a periodic timer against the injected Clock) makes
//   the book invalid and the session unsubscribes + subscribes; the book is valid again only from the
//   fresh snapshot on. A disconnect invalidates every book; a reconnect subscribes everything again.
// - trade/{m}, account_all/{account} (no auth), account_orders/{m}/{account} and
//   account_all_orders/{account} (auth token made by the signer, renewed `refresh_before` ahead of its
//   deadline; the account channels are then unsubscribed and subscribed with the new token).
// - client-side pings ({"type":"ping"}) every ping_interval (the venue drops a connection without
//   traffic for 2 minutes); the server's pings are answered with pongs.
// - reconnect with exponential back-off and jitter (net::WsClient).
// - jsonapi/sendtx: send_tx() writes a signed transaction; replies (and tx error frames) go to
//   on_tx_reply in arrival order.
//
// Hot path: one JsonParser and one WsFrame reused for every frame, parsed in place from the receive
// buffer; order_book, trade and account frames allocate nothing once warm. Malformed frames are counted
// and skipped.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/net/ws_client.hpp"
#include "bparb/venue/lighter/book_sync.hpp"
#include "bparb/venue/lighter/messages.hpp"
#include "bparb/venue/lighter/nonce_manager.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::lighter {

class JsonParser;

struct LighterWsOptions {
  net::WsClientOptions ws;  // url e.g. "wss://mainnet.zklighter.elliot.ai/stream"
  BookSyncConfig book;
  std::size_t reserve_levels = 4096;                // per side, per book
  DurationUs ping_interval_us = 30 * kUsPerSecond;  // our {"type":"ping"} when we sent nothing for this long
  DurationUs timer_period_us = 1 * kUsPerSecond;    // staleness / ping / token checks (steady time)
  std::int64_t auth_lifetime_s = std::int64_t{7} * 3600;
  std::int64_t auth_refresh_before_s = std::int64_t{10} * 60;
};

struct LighterWsCounters {
  std::uint64_t frames = 0;
  std::uint64_t malformed = 0;
  std::uint64_t unknown = 0;
  std::uint64_t error_frames = 0;
  std::uint64_t book_frames = 0;
  std::uint64_t resubscribes = 0;  // order_book subscriptions renewed after a break / crossed / stale
  std::uint64_t subscribe_messages = 0;
  std::uint64_t pings_sent = 0;
  std::uint64_t pongs_sent = 0;
  std::uint64_t token_refreshes = 0;  // auth tokens made (the first one included)
  std::uint64_t token_failures = 0;
  std::uint64_t tx_sent = 0;
  std::uint64_t connects = 0;
  std::uint64_t disconnects = 0;
  TimestampUs last_frame_us = 0;  // local receive time (Clock) of the last frame; 0 = none yet
};

// Views inside the frames are valid only during the call.
struct LighterWsHandlers {
  // Every received text frame exactly as it arrived, before it is decoded (the recorder's tap).
  std::function<void(std::string_view text)> on_raw_frame;
  // A book changed: update applied, snapshot loaded, or the book became invalid.
  std::function<void(std::int64_t market_id)> on_book;
  std::function<void(const Trade& trade)> on_trade;
  // account_orders / account_all_orders / account_all frames (orders, trades, positions).
  std::function<void(const WsFrame& frame)> on_account;
  // jsonapi/sendtx replies, and error frames carrying a transaction code (21xxx, 23000), in order.
  std::function<void(const WsFrame& frame)> on_tx_reply;
  // Any other error frame (subscription errors: 30003 already subscribed, 20013 bad token, ...).
  std::function<void(std::int64_t code, std::string_view message)> on_error;
  std::function<void()> on_connected;  // after the subscriptions were sent
  std::function<void(const net::DisconnectInfo& info)> on_disconnected;
};

class LighterWs {
 public:
  // `signer` may be null (public channels and account_all only); it and `clock` must outlive the
  // session. Throws std::invalid_argument on a bad URL or security options.
  LighterWs(boost::asio::io_context& ioc, const Clock& clock, LighterWsOptions opts, const Signer* signer = nullptr);
  ~LighterWs();
  LighterWs(const LighterWs&) = delete;
  LighterWs& operator=(const LighterWs&) = delete;

  void set_handlers(LighterWsHandlers h) { handlers_ = std::move(h); }
  LighterWsHandlers& handlers() noexcept { return handlers_; }

  // Subscriptions, remembered for reconnects and sent at once when connected. A repeat is a no-op.
  void add_book(const MarketDetails& market);
  void add_trades(std::int64_t market_id);
  void add_account_all(std::int64_t account_index);
  // Need the signer (false without one): the token is for the signer's account and key.
  bool add_account_orders(std::int64_t market_id);
  bool add_account_all_orders();

  void start();
  void close();
  // Drops the current connection (on_disconnected runs) and connects again with a fresh socket.
  void reconnect();
  bool connected() const noexcept;

  // The book of a market added with add_book (nullptr otherwise). Trade on it only while book_valid().
  const OrderBook* book(std::int64_t market_id) const noexcept;
  const BookSync* book_sync(std::int64_t market_id) const noexcept;
  bool book_valid(std::int64_t market_id) const noexcept;

  // jsonapi/sendtx with the signed tx_info as a JSON object and, when request_id >= 0, that "id" (the
  // venue echoes it in the reply: WsFrame::request_id). False when not connected (nothing sent).
  bool send_tx(const SignedTx& tx, std::int64_t request_id = -1);

  // Decodes and dispatches one frame exactly as if it had arrived on the socket (replay / tests).
  // `capacity` = readable bytes at data (>= size + kJsonPadding parses in place).
  void handle_frame(const char* data, std::size_t size, std::size_t capacity);
  // The periodic checks (staleness, ping, token renewal), as the timer runs them.
  void on_timer();

  const LighterWsCounters& counters() const noexcept { return counters_; }
  const net::WsClient& transport() const noexcept { return *ws_; }
  // When the current auth token is due for renewal (µs since the epoch, 0 = none made yet).
  TimestampUs token_refresh_at_us() const noexcept { return schedule_.refresh_at_us(); }

 private:
  struct Book;
  struct Channel {
    std::string name;  // "order_book/0"
    bool auth = false;
  };
  Book* find_book(std::int64_t market_id) noexcept;
  const Book* find_book(std::int64_t market_id) const noexcept;
  void add_channel(std::string name, bool auth);
  void send_subscribe(std::string_view name, bool auth);
  void send_unsubscribe(std::string_view name);
  bool refresh_token();
  void on_open();
  void on_close(const net::DisconnectInfo& info);
  void dispatch();
  void arm_timer();
  void send_text(std::string_view text);

  const Clock& clock_;
  LighterWsOptions opts_;
  const Signer* signer_;
  std::unique_ptr<net::WsClient> ws_;
  std::unique_ptr<JsonParser> parser_;
  std::unique_ptr<WsFrame> frame_;
  std::vector<std::unique_ptr<Book>> books_;
  std::vector<Channel> channels_;
  LighterWsHandlers handlers_;
  AuthTokenSchedule schedule_;
  AuthToken token_;
  std::string scratch_;  // subscribe / sendtx message being built (capacity kept)
  TimestampUs last_sent_us_ = 0;
  LighterWsCounters counters_;
  struct TimerState;
  std::shared_ptr<TimerState> timer_;
};

}  // namespace bparb::lighter
