#pragma once
// The market maker's order path assembled in one process, for the bench tool and the no-allocation test:
//
//   WS frame bytes -> backpack::parse_ws_frame -> (depth) DepthSync/OrderBook | (trade) the frame's fields
//   -> MmRunner (MarketMakerCore decides) -> exec::OrderEntry (risk gate, OMS) -> CommandSink
//   -> cancel: the adapter's cancel mapping -> RequestWriter::write_cancel -> ED25519 signature -> HTTP bytes
//   -> place (once the cancel is confirmed: an account.orderUpdate frame -> BackpackAdapter::on_order_event
//      -> engine -> OMS -> MmRunner): BackpackAdapter::place_orders (the daemon's order mapping, request
//      hook) -> RequestWriter::write_order -> signature -> HTTP bytes.
//
// A replace is cancel, confirmed, then place (docs/market_maker.md): a trade or book frame that moves the
// quote hands the signed cancel request to the socket, and the confirmation frame hands the new quote.
// The book is bpsim's SOL_USDC_PERP (sim::Exchange + sim::MarketModel, as tick_to_wire.hpp). A book frame
// alternately adds a bid one tick above the best and takes it away (the bid quote follows it); a trade frame
// alternately prints a taker buy and a taker sell (with the flow's EMA weight 1 and no minimum side hold,
// each one switches the side the quote is on).
//
// Tool code: construction allocates and may throw; on_frame() is the measured hot path.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/strategy/market_maker/mm_runner.hpp"
#include "bparb/venue/backpack/adapter.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::bench {

struct MmToWireOptions {
  std::uint64_t seed = 42;
  std::string host = "api.backpack.exchange";
};

// Timestamps (steady clock ns) taken inside on_frame when timing is on.
struct MmStageTimes {
  std::int64_t start = 0, parsed = 0, decided = 0, wired = 0;
};

enum class MmWire : std::uint8_t { kNone, kCancel, kPlace };

class MmToWire final : public exec::CommandSink, public exec::EngineObserver {
 public:
  explicit MmToWire(const MmToWireOptions& opts = {});
  ~MmToWire() override;
  MmToWire(const MmToWire&) = delete;
  MmToWire& operator=(const MmToWire&) = delete;

  // Frames, rendered into an internal padded buffer (not part of the hot path).
  const std::string& next_book_frame();   // the best bid one tick up, then back: the bid quote must move
  const std::string& next_trade_frame();  // a taker buy, then a taker sell: the quote must change side
  // A level far from the touch appears or goes: the book is fresh and the quote stays (no request).
  const std::string& next_quiet_book_frame();
  // account.orderUpdate "orderCancelled" for the quote the last cancel request named.
  const std::string& cancel_confirmation_frame();
  // Book frames come without prints (a print could move the side): the bench's parameters allow an hour
  // without one before the stale-trade breaker fires.

  // THE HOT PATH: one WS frame -> ... -> the request bytes it caused, if any (wire(), last_wire()).
  MmWire on_frame(const char* data, std::size_t size, std::size_t capacity, MmStageTimes* times = nullptr) noexcept;
  MmWire on_frame(const std::string& f, MmStageTimes* times = nullptr) noexcept {
    return on_frame(f.data(), f.size(), f.capacity(), times);
  }
  // The venue accepts the quote just placed (its REST answer), then the clock moves on by `advance_us` (the
  // risk gate's order rate). Not part of the hot path.
  void accept_quote(DurationUs advance_us = 100 * kUsPerMs);

  // Loopback: hand the cancel and the new quote to `rest` (the daemon's RestClient, connected to a bpsim
  // server) instead of writing the bytes here; null: write them here again. handed_ns() is when the
  // RestClient call returned, answered() says whether the venue's answer came (answered_ns()).
  void set_rest(backpack::RestClient* rest) noexcept { loop_rest_ = rest; }
  std::int64_t handed_ns() const noexcept { return handed_ns_; }
  bool answered() const noexcept { return answered_; }
  std::int64_t answered_ns() const noexcept { return answered_ns_; }
  std::uint64_t refused_answers() const noexcept { return refused_answers_; }

  std::string_view wire() const noexcept { return wire_; }
  const backpack::WrittenRequest& written() const noexcept { return written_; }
  const backpack::SigningKey& key() const noexcept { return key_; }
  const MmRunner& runner() const noexcept { return *runner_; }
  const OrderBook& book() const noexcept { return *book_; }
  std::uint64_t cancels_written() const noexcept { return cancels_; }
  std::uint64_t places_written() const noexcept { return places_; }
  std::uint64_t parse_errors() const noexcept { return parse_errors_; }
  std::uint64_t write_errors() const noexcept { return write_errors_; }

  // CommandSink
  void place_orders(std::span<const exec::OrderSpec> orders) override;
  void cancel_order(InstrumentId instrument, ClientId client_id) override;
  void query_order(InstrumentId, ClientId) override {}
  // EngineObserver: nothing the bench measures.
  void on_event(const exec::EngineEvent&) override {}

 private:
  // The adapter's reports go to the engine, as the daemon's node does (without its journal).
  struct Forward final : backpack::AdapterSink {
    MmToWire* self = nullptr;
    bool before_send(std::span<const exec::OrderSpec>) override { return true; }
    void on_sent(std::span<const exec::OrderSpec>) override {}
    void on_ack(const exec::OrderAck& a, std::string_view) override;
    void on_order_event(const exec::OrderUpdate& u, std::string_view) override;
    void on_fill(const exec::FillReport&) override {}
    void on_query(ClientId, bool, OrderStatus, Decimal) override {}
  };
  static void on_adapter_requests(void* ctx, std::span<const backpack::OrderRequest> orders) noexcept;
  void finish_request(const char* method, const char* path) noexcept;
  void pad_frame();

  MmToWireOptions opts_;
  ManualClock clock_;
  InstrumentTable markets_;
  std::unique_ptr<OrderBook> book_;
  std::unique_ptr<DepthSync> sync_;
  RiskGate risk_;
  Portfolio portfolio_;
  std::unique_ptr<exec::ArbEngine> engine_;
  std::unique_ptr<MmRunner> runner_;
  backpack::SigningKey key_;
  backpack::JsonParser parser_;
  backpack::WsFrame frame_;
  backpack::RequestWriter writer_;
  backpack::WrittenRequest written_;
  boost::asio::io_context io_;
  std::unique_ptr<backpack::RestClient> rest_;
  std::unique_ptr<backpack::BackpackWs> ws_;
  Forward forward_;
  std::unique_ptr<backpack::BackpackAdapter> adapter_;
  std::string wire_;
  char sig_[backpack::kSignatureBase64Chars + 1] = {};
  MmStageTimes* times_ = nullptr;
  MmWire wrote_ = MmWire::kNone;
  backpack::RestClient* loop_rest_ = nullptr;
  std::int64_t handed_ns_ = 0, answered_ns_ = 0;
  bool answered_ = false;
  std::uint64_t refused_answers_ = 0;
  std::uint32_t placed_id_ = 0;     // the last quote placed
  std::uint32_t cancelled_id_ = 0;  // the last quote a cancel named

  // Frames.
  std::string frame_buf_;
  std::string best_bid_, above_bid_, far_ask_;  // prices as text
  bool quiet_toggle_ = false;
  std::int64_t next_id_ = 0;
  std::int64_t trade_id_ = 0;
  std::uint64_t order_no_ = 0;
  bool up_next_ = true;
  bool buy_next_ = true;

  std::uint64_t cancels_ = 0, places_ = 0, parse_errors_ = 0, write_errors_ = 0;
};

}  // namespace bparb::bench
