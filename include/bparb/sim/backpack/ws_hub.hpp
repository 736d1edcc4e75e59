#pragma once
// WsHub: bpsim's WebSocket protocol, transport-free. Connections (SimServer's WS sessions, or fakes
// in tests) attach; client text messages go to on_client_message(); Exchange events are rendered
// once per event into Backpack frames {"stream":..,"data":{..}} and fanned out to subscribers.
//
// Streams: depth.<s>, bookTicker.<s>, trade.<s>, markPrice.<s>, ticker.<s>; private
// account.orderUpdate[.<s>], account.positionUpdate[.<s>] (need the "signature" array:
// [api key, signature of "instruction=subscribe&timestamp=<ts>&window=<w>", ts, window]). A
// positionUpdate subscribe is answered with one snapshot frame per open position (no "e").
// E/T are sent as strings of µs (as the live exchange does), U/u/t/i as numbers.
// Errors: {"id":<id or null>,"error":{"code":4006,"message":"Invalid stream"}} for unknown streams;
// bpsim-specific codes 4000 (malformed request / unknown method) and 4001 (private-stream auth:
// "Missing signature", "Invalid signature", "Request has expired", "Unknown API key").
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bparb/sim/exchange.hpp"
#include "bparb/sim/faults.hpp"

namespace bparb::sim {

class SimRuntime;

// One client connection as the hub sees it.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  // Queue one text frame (shared between all subscribers of an event).
  virtual void send_text(std::shared_ptr<const std::string> frame) = 0;
  // Close the connection (the implementation detaches itself from the hub).
  virtual void close_connection(std::string_view reason, bool hard) = 0;
};

struct WsHubCounters {
  std::int64_t frames_sent = 0;  // frames queued to connections (one per subscriber)
  std::int64_t subscribe_errors = 0;
  std::int64_t private_subscribes = 0;
};

class WsHub final : public ExchangeListener {
 public:
  explicit WsHub(SimRuntime& runtime);  // registers itself as an Exchange listener
  ~WsHub() override;
  WsHub(const WsHub&) = delete;
  WsHub& operator=(const WsHub&) = delete;

  void attach(WsConnection* c);
  void detach(WsConnection* c);
  void on_client_message(WsConnection* c, std::string_view text);
  // Closes every connection (fault injection / shutdown). Returns how many were closed.
  std::size_t close_all(std::string_view reason, bool hard);
  std::size_t connection_count() const noexcept { return conns_.size(); }
  std::size_t subscriber_count(std::string_view stream) const;
  const WsHubCounters& counters() const noexcept { return counters_; }

  // ExchangeListener
  void on_depth(const DepthDelta& d) override;
  void on_book_ticker(const BookTickerEvent& e) override;
  void on_trade(const TradeEvent& e) override;
  void on_mark_price(const MarkPriceEvent& e) override;
  void on_ticker(const TickerEvent& e) override;
  void on_order(const OrderEvent& e) override;
  void on_position(const PositionEvent& e) override;

 private:
  struct ConnState {
    std::set<std::string, std::less<>> streams;  // every subscribed stream name
    bool has_account = false;
    AccountId account = 0;
  };

  void subscribe(WsConnection* c, ConnState& st, const std::vector<std::string>& streams, bool has_sig,
                 const std::vector<std::string>& sig, std::string_view id_json);
  void unsubscribe(WsConnection* c, ConnState& st, const std::vector<std::string>& streams);
  void send_error(WsConnection* c, std::string_view id_json, int code, std::string_view message);
  // Sends `data_json` as stream `stream` to every connection indexed under `key` (the stream name
  // itself, or "<account>|<stream>" for private streams), applying stall / malformed-frame faults.
  void publish_to(const std::string& key, std::string_view stream, std::string_view data_json);
  std::shared_ptr<const std::string> make_frame(std::string_view stream, std::string_view data_json);

  SimRuntime& rt_;
  std::map<WsConnection*, ConnState> conns_;
  std::unordered_map<std::string, std::vector<WsConnection*>> subscribers_;  // stream -> connections
  std::string scratch_;
  WsHubCounters counters_;
};

}  // namespace bparb::sim
