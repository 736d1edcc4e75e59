#pragma once
// The daemon's hot path assembled in one process, for the bench tool, the Google Benchmark suites and
// the no-allocation test:
//
//   WS frame bytes -> backpack::parse_ws_frame -> DepthSync/OrderBook -> exec::ArbEngine::on_book_update
//   (BasisEvaluator + RiskGate) -> CommandSink::place_orders -> backpack::BackpackAdapter::place_orders
//   (the daemon's order mapping) -> backpack::RequestWriter::write_batch -> SigningKey::sign_base64
//   -> HTTP/1.1 request bytes in a reused buffer. The adapter's request hook captures the requests where
//   the daemon would hand them to RestClient; its RestClient and BackpackWs are built but never connect.
//
// Books come from an in-process bpsim (sim::Exchange + sim::MarketModel on a ManualClock): 5 coins,
// 10 markets, the same ladders paper mode trades against. Trigger frames for pair 0's perp are
// rendered exactly like bpsim's WsHub renders depth frames. A "spike" frame re-quotes the perp bid
// ladder `spike_bps` higher (the engine trades), a "revert" frame moves it back (no trade).
//
// Tool code: construction allocates and may throw; on_frame() is the measured hot path.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/depth_types.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/venue/backpack/adapter.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::bench {

// Markets and REST-shaped depth snapshots taken from an in-process bpsim.
struct SimBooks {
  std::vector<std::string> coins;        // "SOL", "BTC", ...
  std::vector<MarketSpec> markets;       // per coin: spot then perp
  std::vector<DepthSnapshot> snapshots;  // same order as markets
};

// Runs bpsim's exchange + market model (seeded, ManualClock) for `warm_us` of simulated time with
// every coin's basis pinned near `basis_bps`, then snapshots the 10 books. Throws on sim errors.
SimBooks make_sim_books(std::uint64_t seed = 42, double basis_bps = 2.0, DurationUs warm_us = 30 * kUsPerSecond);

// A recorded depth stream of one bpsim market: the REST snapshot body and the WS frames that follow
// it (frame i+1's U == frame i's u + 1, the first frame's U == snapshot lastUpdateId + 1).
struct CapturedStream {
  std::string snapshot_json;        // GET /api/v1/depth body, as bpsim's RestApi renders it
  DepthSnapshot snapshot;           // the same, parsed
  std::vector<std::string> frames;  // WS text frames, exactly as bpsim's WsHub sends them
  std::uint64_t levels = 0;         // level updates over all frames
};
// Runs bpsim's exchange + market model (ManualClock, `step_us` per model step) until `frames` depth
// frames of `symbol` were captured. Throws std::invalid_argument for an unknown symbol.
// keep_unchanged_levels: sim::MarketModelConfig's option of that name (live-shaped deltas of a few levels).
CapturedStream capture_depth_stream(std::uint64_t seed, std::string_view symbol, std::size_t frames,
                                    DurationUs step_us = 100 * kUsPerMs, bool keep_unchanged_levels = false);
// Renders a snapshot like bpsim's GET /api/v1/depth: {"asks":[..],"bids":[..],"lastUpdateId":"N","timestamp":T}.
void render_depth_snapshot(const DepthSnapshot& s, std::string& out);

// Renders one depth delta exactly as bpsim's WsHub sends it:
// {"stream":"depth.<s>","data":{"e":"depth","E":"..","s":..,"a":[[..]],"b":[[..]],"U":..,"u":..,"T":".."}}
// Appends to `out` (cleared first). Prices/quantities in canonical decimal text.
void render_depth_frame(const DepthDelta& d, std::string& out);

struct TickToWireOptions {
  std::uint64_t seed = 42;
  std::size_t pairs = 5;          // 1..5 (SOL, BTC, ETH, SUI, JUP)
  double spike_bps = 60.0;        // perp bid ladder shift of a spike frame (engine trades at ~>50 bps)
  std::size_t ladder_levels = 0;  // top perp bid levels moved by spike/revert frames (0 = the whole side)
  std::string host = "api.backpack.exchange";
};

// Timestamps (steady clock ns) taken inside on_frame when timing is on.
struct StageTimes {
  std::int64_t start = 0, parsed = 0, applied = 0, decided = 0, serialized = 0, signed_ = 0, wired = 0;
};

class TickToWire final : public exec::CommandSink, public exec::EngineObserver {
 public:
  explicit TickToWire(const TickToWireOptions& opts = {});
  ~TickToWire() override;
  TickToWire(const TickToWire&) = delete;
  TickToWire& operator=(const TickToWire&) = delete;

  // Renders the next trigger frame into an internal padded buffer (alternating spike / revert,
  // contiguous update ids) and returns it. Not part of the hot path.
  const std::string& next_frame();
  bool next_is_spike() const noexcept { return spike_next_; }
  std::size_t levels_moved() const noexcept { return high_bids_.size(); }
  // A frame that changes the quantities of the current (reverted) perp bid ladder by one step: a
  // book update on which the engine evaluates the pair but does not trade. Call only after a revert.
  const std::string& next_quiet_frame();

  // THE HOT PATH: one WS frame -> book -> engine -> (when it trades) signed batch request bytes.
  // `capacity` = readable bytes at data (>= size + 64 for zero-copy parsing). Returns true when an
  // order request was written (see wire()). With `times`, records stage timestamps.
  bool on_frame(const char* data, std::size_t size, std::size_t capacity, StageTimes* times = nullptr) noexcept;
  bool on_frame(const std::string& f, StageTimes* times = nullptr) noexcept {
    return on_frame(f.data(), f.size(), f.capacity(), times);
  }

  // After a trade: the exchange's answer (both IOC legs expired unfilled), so the pair is flat again.
  // Not part of the hot path. Also advances the clock by `advance_us`.
  void settle(DurationUs advance_us = 200 * kUsPerMs);

  // Hand the adapter's requests to something else instead of RequestWriter + signing (the loopback mode
  // passes it to the daemon's RestClient). A plain function pointer: no allocation, no std::function.
  using OrderHook = void (*)(void* ctx, std::span<const backpack::OrderRequest> orders);
  void set_order_hook(OrderHook hook, void* ctx) noexcept {
    hook_ = hook;
    hook_ctx_ = ctx;
  }

  // Last written request.
  std::string_view wire() const noexcept { return wire_; }
  std::string_view body() const noexcept { return written_.body; }
  const backpack::WrittenRequest& written() const noexcept { return written_; }
  std::size_t last_batch_size() const noexcept { return last_batch_; }

  std::uint64_t frames() const noexcept { return frames_; }
  std::uint64_t orders_written() const noexcept { return orders_written_; }
  std::uint64_t parse_errors() const noexcept { return parse_errors_; }
  std::uint64_t write_errors() const noexcept { return write_errors_; }
  std::uint64_t refusals() const noexcept { return refusals_; }
  bool synced_all() const noexcept;

  // Pieces, for the micro-benchmarks.
  ManualClock& clock() noexcept { return clock_; }
  exec::ArbEngine& engine() noexcept { return *engine_; }
  RiskGate& risk() noexcept { return risk_; }
  const Portfolio& portfolio() const noexcept { return portfolio_; }
  const OrderBook& book(std::size_t market) const noexcept { return *books_[market].book; }
  std::size_t market_count() const noexcept { return books_.size(); }
  const MarketSpec& market(std::size_t i) const noexcept { return markets_.market(static_cast<InstrumentId>(i)); }
  const backpack::SigningKey& key() const noexcept { return key_; }
  const exec::EngineParams& engine_params() const noexcept { return params_; }
  const exec::AccountSnapshot& account() const noexcept { return account_; }

  // CommandSink
  void place_orders(std::span<const exec::OrderSpec> orders) override;
  void cancel_order(InstrumentId, ClientId) override {}
  void query_order(InstrumentId, ClientId) override {}
  // EngineObserver: the risk gate's refusals are counted, the rest is not looked at.
  void on_event(const exec::EngineEvent& e) override {
    if (std::holds_alternative<exec::event::EntryRefused>(e)) ++refusals_;
  }

 private:
  struct Book {
    std::unique_ptr<OrderBook> book;
    std::unique_ptr<DepthSync> sync;
    std::size_t pair = 0;
  };

  // The adapter's reports: the harness answers its orders itself (settle()), so they carry nothing here.
  struct QuietAdapterSink final : backpack::AdapterSink {
    bool before_send(std::span<const exec::OrderSpec>) override { return true; }
    void on_sent(std::span<const exec::OrderSpec>) override {}
    void on_ack(const exec::OrderAck&, std::string_view) override {}
    void on_order_event(const exec::OrderUpdate&, std::string_view) override {}
    void on_fill(const exec::FillReport&) override {}
    void on_query(ClientId, bool, OrderStatus, Decimal) override {}
  };
  static void on_adapter_requests(void* ctx, std::span<const backpack::OrderRequest> orders) noexcept;
  void write_request(std::span<const backpack::OrderRequest> orders) noexcept;

  TickToWireOptions opts_;
  ManualClock clock_;
  InstrumentTable markets_;  // stable after construction (the adapter and the engine hold it)
  std::vector<Book> books_;
  RiskGate risk_;
  Portfolio portfolio_;
  exec::EngineParams params_;
  exec::AccountSnapshot account_{};
  std::unique_ptr<exec::ArbEngine> engine_;
  backpack::SigningKey key_;
  backpack::JsonParser parser_;
  backpack::WsFrame frame_;
  backpack::RequestWriter writer_;
  backpack::WrittenRequest written_;
  boost::asio::io_context io_;
  std::unique_ptr<backpack::RestClient> rest_;
  std::unique_ptr<backpack::BackpackWs> ws_;
  QuietAdapterSink adapter_sink_;
  std::unique_ptr<backpack::BackpackAdapter> adapter_;
  std::array<std::uint32_t, backpack::RequestWriter::kMaxBatch> last_ids_{};
  std::size_t last_batch_ = 0;
  std::string wire_;
  StageTimes* times_ = nullptr;
  bool wrote_ = false;
  char sig_[backpack::kSignatureBase64Chars + 1] = {};
  bool quiet_toggle_ = false;
  OrderHook hook_ = nullptr;
  void* hook_ctx_ = nullptr;

  // Trigger frames.
  std::vector<LevelUpdate> high_bids_, low_bids_;
  DepthDelta trigger_;
  std::string frame_buf_;
  std::int64_t next_id_ = 0;
  bool spike_next_ = true;

  std::uint64_t frames_ = 0, orders_written_ = 0, parse_errors_ = 0, write_errors_ = 0, refusals_ = 0;
};

std::int64_t steady_ns() noexcept;
// CPU time of the calling thread (excludes time the scheduler gave to other processes: on a shared
// machine this is the load-independent companion of steady_ns()). A syscall: not for per-event use.
std::int64_t thread_cpu_ns() noexcept;

}  // namespace bparb::bench
