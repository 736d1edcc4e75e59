#include "tick_to_wire.hpp"

#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <stdexcept>

#include "bparb/sim/backpack/rest_api_json.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/market_model.hpp"

namespace bparb::bench {

std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t thread_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

SimBooks make_sim_books(std::uint64_t seed, double basis_bps, DurationUs warm_us) {
  // 2026-11-20 00:00:30 UTC: a fixed start so every run sees the same model path.
  ManualClock clock(1'795'132'830LL * kUsPerSecond);
  sim::Exchange ex(clock, sim::default_exchange_config());
  sim::MarketModelConfig mc = sim::default_model_config();
  mc.seed = seed;
  sim::MarketModel model(ex, mc);
  SimBooks out;
  for (const sim::CoinModelParams& c : mc.coins) out.coins.push_back(c.coin);
  const DurationUs step = 100 * kUsPerMs;
  for (DurationUs t = 0; t < warm_us; t += step) {
    // Pin the basis: the OU process would otherwise pull it back toward its mean.
    for (const std::string& c : out.coins) model.set_basis_bps(c, basis_bps);
    clock.advance_us(step);
    model.step(clock.now_us());
  }
  for (const std::string& c : out.coins) {
    for (const char* suffix : {"_USDC", "_USDC_PERP"}) {
      const std::string sym = c + suffix;
      const MarketSpec* m = ex.market(sym);
      if (m == nullptr) throw std::runtime_error("bpsim has no market " + sym);
      auto snap = ex.depth_snapshot(sym, 1000);
      if (!snap) throw std::runtime_error("bpsim depth snapshot failed for " + sym);
      out.markets.push_back(*m);
      out.snapshots.push_back(std::move(*snap));
    }
  }
  return out;
}

void render_depth_frame(const DepthDelta& d, std::string& out) {
  // Same calls, same order as sim::WsHub::on_depth + make_frame.
  out.clear();
  out += "{\"stream\":\"depth.";
  out += d.symbol;
  out += "\",\"data\":";
  sim::JsonWriter w(out);
  w.begin_object().kv("e", "depth").key("E").num_str(d.event_time_us != 0 ? d.event_time_us : d.engine_time_us);
  w.kv("s", d.symbol);
  w.key("a").begin_array();
  for (const auto& l : d.asks) w.begin_array().dec(l.price).dec(l.quantity).end_array();
  w.end_array();
  w.key("b").begin_array();
  for (const auto& l : d.bids) w.begin_array().dec(l.price).dec(l.quantity).end_array();
  w.end_array();
  w.key("U").num(d.first_update_id).key("u").num(d.last_update_id).key("T").num_str(d.engine_time_us);
  w.end_object();
  out += '}';
}

void render_depth_snapshot(const DepthSnapshot& s, std::string& out) {
  // Same calls, same order as sim h_depth (rest_api.cpp).
  out.clear();
  sim::JsonWriter w(out);
  w.begin_object();
  auto side = [&](std::string_view k, const std::vector<LevelUpdate>& levels) {
    w.key(k).begin_array();
    for (const auto& l : levels) w.begin_array().dec(l.price).dec(l.quantity).end_array();
    w.end_array();
  };
  side("asks", s.asks);
  side("bids", s.bids);
  w.kv("lastUpdateId", std::to_string(s.last_update_id));
  w.key("timestamp").num(s.timestamp_us);
  w.end_object();
}

namespace {

// Collects one market's depth deltas as rendered frames.
class DepthCapture final : public sim::ExchangeListener {
 public:
  DepthCapture(std::string symbol, CapturedStream& out) : symbol_(std::move(symbol)), out_(out) {}
  void on_depth(const DepthDelta& d) override {
    if (!armed_ || d.symbol != symbol_ || out_.frames.size() >= target_) return;
    std::string f;
    render_depth_frame(d, f);
    out_.frames.push_back(std::move(f));
    out_.levels += d.bids.size() + d.asks.size();
  }
  bool armed_ = false;
  std::size_t target_ = 0;

 private:
  std::string symbol_;
  CapturedStream& out_;
};

}  // namespace

CapturedStream capture_depth_stream(std::uint64_t seed, std::string_view symbol, std::size_t frames, DurationUs step_us,
                                    bool keep_unchanged_levels) {
  ManualClock clock(1'795'132'830LL * kUsPerSecond);
  sim::Exchange ex(clock, sim::default_exchange_config());
  if (ex.market(symbol) == nullptr) throw std::invalid_argument("bpsim has no market " + std::string(symbol));
  sim::MarketModelConfig mc = sim::default_model_config();
  mc.seed = seed;
  mc.keep_unchanged_levels = keep_unchanged_levels;
  sim::MarketModel model(ex, mc);
  CapturedStream out;
  DepthCapture cap{std::string(symbol), out};
  ex.add_listener(&cap);
  for (int i = 0; i < 50; ++i) {  // 5 s of warm-up so the ladders and the trade flow are going
    clock.advance_us(step_us);
    model.step(clock.now_us());
  }
  auto snap = ex.depth_snapshot(symbol, 1000);
  if (!snap) throw std::runtime_error("bpsim depth snapshot failed");
  out.snapshot = std::move(*snap);
  render_depth_snapshot(out.snapshot, out.snapshot_json);
  cap.armed_ = true;
  cap.target_ = frames;
  out.frames.reserve(frames);
  // Bounded: a market that stopped publishing must not hang the tool.
  for (std::size_t steps = 0; out.frames.size() < frames && steps < frames * 1000 + 1000; ++steps) {
    clock.advance_us(step_us);
    model.step(clock.now_us());
  }
  ex.remove_listener(&cap);
  return out;
}

namespace {

RiskLimits bench_limits() {
  RiskLimits l;
  l.max_position_usd = Decimal::from_int(1'000);
  l.max_total_exposure_usd = Decimal::from_int(5'000);
  l.max_daily_loss_usd = Decimal::from_int(100);
  l.min_account_balance_usd = Decimal::from_int(100);
  // The simulated clock advances 200 ms per trade (to stay under the order-rate cap) while only the
  // triggering book receives frames: book age is not what this benchmark is about.
  l.max_book_age_ms = 365LL * 24 * 3600 * 1000;
  l.max_orders_per_minute = 1024;
  return l;
}

std::array<std::uint8_t, backpack::kSeedBytes> bench_seed() {
  std::array<std::uint8_t, backpack::kSeedBytes> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return s;
}

}  // namespace

TickToWire::TickToWire(const TickToWireOptions& opts)
    : opts_(opts),
      clock_(1'795'132'860LL * kUsPerSecond),
      risk_(bench_limits(), clock_),
      key_(backpack::SigningKey::from_seed(bench_seed())) {
  if (opts_.pairs < 1 || opts_.pairs > 5) throw std::invalid_argument("pairs must be 1..5");
  // Books quoted at the spike basis; the constructor then reverts pair 0's perp bids so the engine
  // starts flat and only a spike frame makes it trade.
  const SimBooks sb = make_sim_books(opts_.seed, 2.0 + opts_.spike_bps + 10.0);
  const std::size_t nmarkets = 2 * opts_.pairs;
  for (std::size_t i = 0; i < nmarkets; ++i) markets_.add(VenueId::kBackpack, sb.markets[i]);
  books_.resize(nmarkets);
  // The daemon's adapter, on clients that are built but never connect: its request hook takes the batch.
  backpack::RestClientOptions ro;
  ro.http.base_url = "https://" + opts_.host;
  rest_ = std::make_unique<backpack::RestClient>(io_, clock_, ro, &key_);
  backpack::BackpackWsOptions wo;
  wo.ws.url = "wss://" + opts_.host + "/";
  ws_ = std::make_unique<backpack::BackpackWs>(io_, clock_, wo, &key_);
  adapter_ = std::make_unique<backpack::BackpackAdapter>(
      io_, clock_, *rest_, *ws_, markets_, clock_.now_us(),
      std::make_shared<spdlog::logger>("tick-to-wire", std::make_shared<spdlog::sinks::null_sink_st>()), adapter_sink_);
  adapter_->set_request_hook(&TickToWire::on_adapter_requests, this);
  DepthSyncConfig sc;
  sc.snapshot_delay = 0;
  for (std::size_t i = 0; i < nmarkets; ++i) {
    books_[i].book = std::make_unique<OrderBook>(markets_.market(static_cast<InstrumentId>(i)));
    books_[i].sync = std::make_unique<DepthSync>(*books_[i].book, sc);
    books_[i].pair = i / 2;
    books_[i].sync->on_snapshot(sb.snapshots[i], clock_.now_us());
  }

  params_.basis.position_size_usd = Decimal::from_int(100);
  params_.basis.stale_after_us = 365LL * 24 * 3600 * kUsPerSecond;
  params_.basis.resync_grace_us = 0;
  params_.opening_delay_us = 0;
  params_.stats_interval_us = 365LL * 24 * 3600 * kUsPerSecond;
  params_.first_client_id = 1000;
  engine_ = std::make_unique<exec::ArbEngine>(params_, markets_, risk_, portfolio_, *this, *this);
  for (std::size_t p = 0; p < opts_.pairs; ++p) {
    const auto spot = static_cast<InstrumentId>(2 * p);
    const auto perp = static_cast<InstrumentId>(2 * p + 1);
    portfolio_.add_pair(markets_.market(spot).step_size);
    engine_->add_pair(sb.coins[p], {spot, perp}, {books_[2 * p].book.get(), books_[2 * p + 1].book.get()});
  }

  // Trigger ladders: the top `ladder_levels` perp bids of pair 0 as quoted (high) and moved down by
  // spike_bps (low, on the tick grid, same quantities).
  const OrderBook& pb = *books_[1].book;
  const std::size_t n =
      opts_.ladder_levels == 0 ? pb.level_count(Side::kBid) : std::min(opts_.ladder_levels, pb.level_count(Side::kBid));
  if (n == 0) throw std::runtime_error("bpsim perp book has no bids");
  const std::int64_t shift_ticks = std::max<std::int64_t>(
      1, std::llround(pb.best_bid().price.to_double() * opts_.spike_bps / 1e4 / pb.tick_size().to_double()));
  for (std::size_t i = 0; i < n; ++i) {
    const BookLevel l = pb.level(Side::kBid, i);
    high_bids_.push_back({l.price, l.quantity});
    low_bids_.push_back({l.price - pb.tick_size() * shift_ticks, l.quantity});
  }
  // high_bids_ runs best first: the low ladder must sit wholly below the high one (no shared price).
  if (low_bids_.front().price >= high_bids_.back().price)
    throw std::runtime_error("spike shift smaller than the ladder's width: raise spike_bps or lower ladder_levels");
  trigger_.bids.reserve(4 * n);
  next_id_ = books_[1].sync->last_update_id() + 1;
  frame_buf_.reserve(16 * 1024);
  wire_.reserve(16 * 1024);
  frame_.depth.bids.reserve(256);
  frame_.depth.asks.reserve(256);

  // Start from the reverted state (before the engine has an account, so nothing trades).
  spike_next_ = false;
  on_frame(next_frame());
  account_.view.fees = {Decimal::from_int(8), Decimal::from_int(10), Decimal::from_int(2), Decimal::from_int(5)};
  account_.view.available_quote = Decimal::from_int(100'000);
  account_.view.available_margin = Decimal::from_int(100'000);
  account_.net_equity = Decimal::from_int(100'000);
  for (std::size_t p = 0; p < opts_.pairs; ++p) account_.available_base[p] = Decimal::from_int(1'000'000);
  engine_->on_account(account_, clock_.now_us());
  frames_ = 0;
}

TickToWire::~TickToWire() = default;

bool TickToWire::synced_all() const noexcept {
  return std::all_of(books_.begin(), books_.end(), [](const Book& b) { return b.sync->synced(); });
}

const std::string& TickToWire::next_frame() {
  const bool spike = spike_next_;
  spike_next_ = !spike_next_;
  trigger_.clear();
  trigger_.symbol = markets_.market(1).symbol;
  // Delete the ladder we leave, add the one we go to (one re-quote, as bpsim's model sends it).
  const auto& from = spike ? low_bids_ : high_bids_;
  const auto& to = spike ? high_bids_ : low_bids_;
  for (const LevelUpdate& l : from) trigger_.bids.push_back({l.price, Decimal::zero()});
  for (const LevelUpdate& l : to) trigger_.bids.push_back(l);
  std::sort(trigger_.bids.begin(), trigger_.bids.end(),
            [](const LevelUpdate& a, const LevelUpdate& b) { return a.price < b.price; });
  trigger_.first_update_id = next_id_;
  trigger_.last_update_id = next_id_ + static_cast<std::int64_t>(trigger_.bids.size()) - 1;
  next_id_ = trigger_.last_update_id + 1;
  trigger_.engine_time_us = clock_.now_us();
  trigger_.event_time_us = trigger_.engine_time_us + 900;
  render_depth_frame(trigger_, frame_buf_);
  if (frame_buf_.capacity() < frame_buf_.size() + backpack::kJsonPadding)
    frame_buf_.reserve(frame_buf_.size() + backpack::kJsonPadding);
  return frame_buf_;
}

const std::string& TickToWire::next_quiet_frame() {
  quiet_toggle_ = !quiet_toggle_;
  trigger_.clear();
  trigger_.symbol = markets_.market(1).symbol;
  const Decimal step = markets_.market(1).step_size;
  for (const LevelUpdate& l : low_bids_)
    trigger_.bids.push_back({l.price, quiet_toggle_ ? l.quantity + step : l.quantity});
  std::sort(trigger_.bids.begin(), trigger_.bids.end(),
            [](const LevelUpdate& a, const LevelUpdate& b) { return a.price < b.price; });
  trigger_.first_update_id = next_id_;
  trigger_.last_update_id = next_id_ + static_cast<std::int64_t>(trigger_.bids.size()) - 1;
  next_id_ = trigger_.last_update_id + 1;
  trigger_.engine_time_us = clock_.now_us();
  trigger_.event_time_us = trigger_.engine_time_us + 900;
  render_depth_frame(trigger_, frame_buf_);
  if (frame_buf_.capacity() < frame_buf_.size() + backpack::kJsonPadding)
    frame_buf_.reserve(frame_buf_.size() + backpack::kJsonPadding);
  return frame_buf_;
}

bool TickToWire::on_frame(const char* data, std::size_t size, std::size_t capacity, StageTimes* times) noexcept {
  times_ = times;
  wrote_ = false;
  if (times) times->start = steady_ns();
  ++frames_;
  const backpack::ParseError e = backpack::parse_ws_frame(parser_, backpack::JsonInput(data, size, capacity), frame_);
  if (times) times->parsed = steady_ns();
  if (!e.ok()) {
    ++parse_errors_;
    return false;
  }
  if (frame_.type != backpack::WsFrameType::kDepth) return false;
  Book* b = nullptr;
  for (std::size_t i = 0; i < books_.size(); ++i) {
    if (market(i).symbol == frame_.depth.symbol) {
      b = &books_[i];
      break;
    }
  }
  if (b == nullptr) return false;
  const TimestampUs now = clock_.now_us();
  const SyncAction a = b->sync->on_delta(frame_.depth, now);
  if (times) times->applied = steady_ns();
  if (a == SyncAction::kBookUpdated || a == SyncAction::kBookInvalidated || a == SyncAction::kRequestSnapshot)
    engine_->on_book_update(static_cast<PairIndex>(b->pair), now);
  times_ = nullptr;
  return wrote_;
}

void TickToWire::place_orders(std::span<const exec::OrderSpec> orders) {
  if (times_) times_->decided = steady_ns();
  adapter_->place_orders(orders);  // maps and hands the requests to on_adapter_requests
}

void TickToWire::on_adapter_requests(void* ctx, std::span<const backpack::OrderRequest> orders) noexcept {
  static_cast<TickToWire*>(ctx)->write_request(orders);
}

void TickToWire::write_request(std::span<const backpack::OrderRequest> orders) noexcept {
  const std::size_t n = std::min(orders.size(), last_ids_.size());
  for (std::size_t i = 0; i < n; ++i) last_ids_[i] = orders[i].client_id.value_or(0);  // the adapter always sets it
  last_batch_ = n;
  if (hook_ != nullptr) {
    hook_(hook_ctx_, orders.first(n));
    ++orders_written_;
    wrote_ = true;
    return;
  }
  backpack::RequestAuth auth;
  auth.key = nullptr;  // serialize first, sign below: lets the breakdown separate the two
  auth.timestamp_ms = clock_.now_ms();
  auth.window_ms = backpack::kDefaultWindowMs;
  const backpack::RequestError err = writer_.write_batch(orders.first(n), auth, written_);
  if (err != backpack::RequestError::kOk) {
    ++write_errors_;
    return;
  }
  if (times_) times_->serialized = steady_ns();
  const std::size_t sig_len = key_.sign_base64(written_.signing_string, sig_);
  written_.signature = std::string_view(sig_, sig_len);
  if (times_) times_->signed_ = steady_ns();
  // HTTP/1.1 request exactly as it would leave the socket.
  char len[24];
  const int len_n = std::snprintf(len, sizeof len, "%zu", written_.body.size());
  wire_.clear();
  wire_ += "POST /api/v1/orders HTTP/1.1\r\nHost: ";
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
  ++orders_written_;
  wrote_ = true;
}

void TickToWire::settle(DurationUs advance_us) {
  for (std::size_t i = 0; i < last_batch_; ++i) {
    exec::OrderAck a;
    a.client_id = last_ids_[i];
    a.kind = exec::OrderAck::Kind::kAccepted;
    a.status = OrderStatus::kExpired;  // IOC, nothing filled
    engine_->on_order_ack(a, clock_.now_us());
  }
  last_batch_ = 0;
  clock_.advance_us(advance_us);
}

}  // namespace bparb::bench
