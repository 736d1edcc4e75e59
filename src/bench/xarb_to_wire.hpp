#pragma once
// The cross-venue arbitrage's entry path assembled in one process, for the bench tool and the no-allocation
// test: a book frame on either venue that opens a dislocation -> both legs' wire bytes.
//
//   Backpack WS depth frame -> backpack::parse_ws_frame -> DepthSync/OrderBook, or
//   Lighter order_book frame -> lighter::parse_ws_frame -> lighter::BookSync/OrderBook; then
//   -> exec::ArbEngine::on_book_update (CrossVenueStrategy, RiskGate, OMS) -> CommandSink::place_orders with both IOC
//   legs ->
//   - Backpack leg: BackpackAdapter::place_orders (the daemon's order mapping, request hook)
//     -> RequestWriter::write_order -> ED25519 signature -> HTTP/1.1 request bytes;
//   - Lighter leg: the Lighter adapter's order mapping (NeutralOrder -> to_create_order, as
//     LighterAdapter::place_orders maps it) -> a nonce from a NonceManager seeded here (no nextNonce fetch)
//     -> Signer::sign_create_order (Schnorr over Poseidon2) -> the jsonapi/sendtx WebSocket frame text,
//     rendered as LighterWs::send_tx renders it (request id, tx_type, tx_info).
//
// Not in the timed path: LighterTxSender and LighterWs themselves (the sender only writes on a connected
// session and falls back to REST otherwise, so it cannot run without a socket; its slot bookkeeping and the
// transport's frame copy are left out), the WebSocket frame header and masking, and any socket write.
//
// Markets: BTC perps, Backpack's BTC_USDC_PERP (tick 0.1, step 0.0001) and Lighter's BTC (market 1, price
// decimals 1, size decimals 5). An "open" frame moves one venue's touch across the other's (Backpack: an ask
// 0.2% under Lighter's bid, its bids stepping back; Lighter: a bid 0.2% over Backpack's ask, its asks stepping
// up), the engine enters LongBackpack;
// finish_trade() answers both IOC legs as expired unfilled (the venue's answers, untimed) and the matching
// "close" frame takes the level away, so every open frame trades again.
//
// Tool code: construction allocates and may throw; on_frame() is the measured hot path.
#include <algorithm>
#include <array>
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
#include "bparb/strategy/cross_venue/cross_venue_strategy.hpp"
#include "bparb/venue/backpack/adapter.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/lighter/book_sync.hpp"
#include "bparb/venue/lighter/messages.hpp"
#include "bparb/venue/lighter/nonce_manager.hpp"
#include "bparb/venue/lighter/parsers.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::bench {

struct XarbToWireOptions {
  std::string host = "api.backpack.exchange";
  std::int64_t lighter_first_nonce = 1'000;  // the nonce a nextNonce fetch would have answered
};

// Timestamps (steady clock ns) taken inside on_frame when timing is on.
struct XarbStageTimes {
  std::int64_t start = 0, parsed = 0, decided = 0;  // decided: the engine hands both legs to the sink
  std::int64_t backpack_wired = 0, lighter_wired = 0;
  std::int64_t backpack_start = 0, lighter_start = 0;  // each leg's mapping begins
};

enum class XarbFrameVenue : std::uint8_t { kBackpack, kLighter };

class XarbToWire final : public exec::CommandSink, public exec::EngineObserver {
 public:
  explicit XarbToWire(const XarbToWireOptions& opts = {});
  ~XarbToWire() override;
  XarbToWire(const XarbToWire&) = delete;
  XarbToWire& operator=(const XarbToWire&) = delete;

  // Frames, rendered into an internal padded buffer (not part of the hot path).
  const std::string& backpack_open_frame();   // an ask under Lighter's bid appears on Backpack
  const std::string& backpack_close_frame();  // ... and goes
  const std::string& lighter_open_frame();    // a bid over Backpack's ask appears on Lighter
  const std::string& lighter_close_frame();   // ... and goes

  // THE HOT PATH: one frame of `venue` -> ... -> both legs' bytes, if the engine entered. Returns the legs
  // written by this frame (2 for an entry).
  int on_frame(XarbFrameVenue venue, const std::string& f, XarbStageTimes* times = nullptr) noexcept;
  // The venues' answers to the entry's two IOC orders: accepted, then expired with nothing filled. The engine
  // ends the trade flat; the clock moves on by `advance_us` (two orders per trade: 250 ms keeps the risk gate's
  // order rate, at most 1,024 a minute, out of the way). Not part of the hot path.
  void finish_trade(DurationUs advance_us = 250 * kUsPerMs);

  std::string_view backpack_wire() const noexcept { return bp_wire_; }
  std::string_view lighter_wire() const noexcept { return lt_wire_; }
  const backpack::WrittenRequest& backpack_written() const noexcept { return written_; }
  const backpack::SigningKey& backpack_key() const noexcept { return key_; }
  const lighter::SignedTx& lighter_signed() const noexcept { return signed_; }
  const lighter::Signer& lighter_signer() const noexcept { return *signer_; }
  std::int64_t lighter_nonce() const noexcept { return last_nonce_; }
  const CrossVenueStrategy& strategy() const noexcept { return strategy_; }
  std::uint64_t entries() const noexcept { return entries_; }
  std::uint64_t parse_errors() const noexcept { return parse_errors_; }
  std::uint64_t write_errors() const noexcept { return write_errors_; }
  std::uint64_t sync_errors() const noexcept { return sync_errors_; }

  // CommandSink
  void place_orders(std::span<const exec::OrderSpec> orders) override;
  void cancel_order(InstrumentId, ClientId) override { ++write_errors_; }  // an entry cancels nothing
  void query_order(InstrumentId, ClientId) override {}
  void on_event(const exec::EngineEvent&) override {}

 private:
  struct Forward final : backpack::AdapterSink {
    bool before_send(std::span<const exec::OrderSpec>) override { return true; }
    void on_sent(std::span<const exec::OrderSpec>) override {}
    void on_ack(const exec::OrderAck&, std::string_view) override {}
    void on_order_event(const exec::OrderUpdate&, std::string_view) override {}
    void on_fill(const exec::FillReport&) override {}
    void on_query(ClientId, bool, OrderStatus, Decimal) override {}
  };
  static void on_adapter_requests(void* ctx, std::span<const backpack::OrderRequest> orders) noexcept;
  void write_lighter(const exec::OrderSpec& o) noexcept;
  void render_lighter_frame(bool snapshot, std::string_view bids, std::string_view asks);
  void render_backpack_frame(std::string_view bids, std::string_view asks);
  void pad_frame();

  XarbToWireOptions opts_;
  ManualClock clock_;
  InstrumentTable markets_;
  InstrumentId bp_id_ = 0, lt_id_ = 0;
  lighter::MarketDetails lt_market_;
  std::unique_ptr<OrderBook> bp_book_, lt_book_;
  std::unique_ptr<DepthSync> bp_sync_;
  std::unique_ptr<lighter::BookSync> lt_sync_;
  RiskGate risk_;
  Portfolio portfolio_;
  CrossVenueStrategy strategy_;
  std::unique_ptr<exec::ArbEngine> engine_;
  // Backpack's side.
  backpack::SigningKey key_;
  backpack::JsonParser bp_parser_;
  backpack::WsFrame bp_frame_;
  backpack::RequestWriter writer_;
  backpack::WrittenRequest written_;
  boost::asio::io_context io_;
  std::unique_ptr<backpack::RestClient> rest_;
  std::unique_ptr<backpack::BackpackWs> ws_;
  Forward forward_;
  std::unique_ptr<backpack::BackpackAdapter> adapter_;
  std::string bp_wire_;
  char sig_[backpack::kSignatureBase64Chars + 1] = {};
  // Lighter's side.
  std::unique_ptr<lighter::Signer> signer_;
  lighter::NonceManager nonces_;
  lighter::JsonParser lt_parser_;
  lighter::WsFrame lt_frame_;
  lighter::SignedTx signed_;
  std::string lt_wire_;
  std::int64_t next_request_id_ = 1;
  std::int64_t last_nonce_ = -1;
  lighter::NonceGrant last_grant_;  // the entry's nonce, settled by finish_trade (the venue's answer)

  XarbStageTimes* times_ = nullptr;
  int legs_ = 0;
  std::array<ClientId, 2> leg_ids_{};
  std::size_t leg_count_ = 0;

  // Frames.
  std::string frame_buf_;
  std::int64_t bp_next_id_ = 0;
  std::int64_t lt_nonce_ = 0, lt_offset_ = 0;

  std::uint64_t entries_ = 0, parse_errors_ = 0, write_errors_ = 0, sync_errors_ = 0;
};

// bparb-bench xarb-to-wire (xarb_to_wire_cmd.cpp): `iterations` entries per venue; prints a table, then one
// JSON line. Throws std::runtime_error when a frame does not write both legs.
int run_xarb_to_wire(std::size_t iterations);

}  // namespace bparb::bench
