#pragma once
// The simulated Lighter's WebSocket protocol, transport-free (LighterServer's sessions, or fakes in
// tests, attach as LighterWsConnection). Channels (docs/lighter.md, "The simulated Lighter"):
//   order_book/{m}            snapshot, then one update per Exchange depth delta; nonce strictly
//                             chained (begin_nonce = previous nonce), offset not contiguous
//   trade/{m}                 public trades
//   account_all/{acct}        orders, trades and positions of one account (no auth, as on the venue)
//   account_orders/{m}/{acct}, account_all_orders/{acct}   orders; need a valid auth token ("auth")
// Client frames: subscribe / unsubscribe, ping (answered pong), jsonapi/sendtx and jsonapi/sendtxbatch
// (tx_info as an object or a JSON string), which go through LighterApi exactly as REST sendTx does.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/sim/exchange.hpp"
#include "bparb/sim/lighter/api.hpp"

namespace bparb::sim::lighter {

class LighterWsConnection {
 public:
  virtual ~LighterWsConnection() = default;
  virtual void send_text(std::shared_ptr<const std::string> frame) = 0;
};

class LighterHub final : public ExchangeListener {
 public:
  // Registers itself as an Exchange listener; `api` must have been constructed first (it names new
  // orders before the hub renders them).
  LighterHub(LighterApi& api, const Clock& wall_clock);
  ~LighterHub() override;
  LighterHub(const LighterHub&) = delete;
  LighterHub& operator=(const LighterHub&) = delete;

  void attach(LighterWsConnection* c);  // sends {"type":"connected",...}
  void detach(LighterWsConnection* c);
  void on_client_message(LighterWsConnection* c, std::string_view text);
  std::size_t connection_count() const noexcept { return conns_.size(); }

  // A fault for tests: the next `n` order_book updates leave the nonce chain (their begin_nonce is not the previous
  // frame's nonce), as from a venue that lost frames; book_chain_breaks() counts those sent.
  void break_book_chain_next(std::int64_t n) noexcept { break_chain_next_ = n; }
  std::int64_t book_chain_breaks() const noexcept { return chain_breaks_; }
  // Order-book snapshots sent (one per order_book subscription): a client's resync shows here.
  std::int64_t book_snapshots() const noexcept { return book_snapshots_; }
  // A fault for tests: when each of the next `n` orders of any account reaches the venue, every WebSocket
  // connection is closed before a frame about it is sent (the order still executes): its transaction's answer,
  // its order and trade updates and the books' next frames are lost with the connections. The front-end that
  // owns the connections supplies the closer; connection_drops() counts the drops.
  void drop_connections_on_next_orders(std::int64_t n) noexcept { drop_on_next_orders_ = n; }
  std::int64_t connection_drops() const noexcept { return connection_drops_; }
  void set_connection_closer(std::function<void()> close_all) { close_all_ = std::move(close_all); }

  // ExchangeListener
  void on_depth(const DepthDelta& d) override;
  void on_trade(const TradeEvent& e) override;
  void on_order(const OrderEvent& e) override;
  void on_position(const PositionEvent& e) override;

 private:
  struct BookState {
    std::int64_t nonce = 0;
    std::int64_t offset = 0;
  };
  void send(LighterWsConnection* c, std::string text);
  void publish(const std::string& channel, const std::string& text);
  void subscribe(LighterWsConnection* c, std::string_view channel, std::string_view auth);
  std::string book_snapshot(const LighterMarketRules& m);
  std::string trade_json(const TradeEvent& e, const LighterMarketRules& m) const;
  void send_tx(LighterWsConnection* c, std::string_view text, bool batch);

  LighterApi& api_;
  const Clock& wall_;
  std::map<LighterWsConnection*, std::set<std::string, std::less<>>> conns_;
  std::map<std::string, std::vector<LighterWsConnection*>, std::less<>> subscribers_;
  std::map<std::int64_t, BookState> books_;  // by market id
  std::uint64_t next_session_ = 1;
  // The trade being reported: the Exchange announces each match's trade before its fills.
  std::int64_t last_trade_id_ = -1;
  OrderId last_buyer_ = 0;
  OrderId last_seller_ = 0;
  bool last_buyer_is_maker_ = false;
  std::int64_t break_chain_next_ = 0;
  std::int64_t chain_breaks_ = 0;
  std::int64_t book_snapshots_ = 0;
  std::int64_t drop_on_next_orders_ = 0;
  std::int64_t connection_drops_ = 0;
  std::function<void()> close_all_;
};

}  // namespace bparb::sim::lighter
