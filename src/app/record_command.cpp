#include "bparb/app/record_command.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <optional>
#include <ostream>
#include <stdexcept>

#include "bparb/app/cli.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/daily_csv.hpp"
#include "bparb/app/lighter_record.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/app/signals.hpp"
#include "bparb/app/xarb_record.hpp"
#include "bparb/net/http_client.hpp"
#include "bparb/net/ws_client.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace bparb::app {
namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace {

// Detail texts go inside a JSON string on one line: keep printable ASCII minus '"' and '\'.
std::string json_safe(std::string_view s) {
  std::string out;
  for (const char c : s) out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : ' ';
  return out;
}

// "depth.SOL_USDC" / "depth.200ms.SOL_USDC" -> "SOL_USDC", from the raw envelope (used for frames the
// parser refused, so that they are still recorded in their market's file).
std::string_view symbol_from_raw(std::string_view frame) {
  constexpr std::string_view kKey = "\"stream\":\"";
  const std::size_t k = frame.find(kKey);
  if (k == std::string_view::npos) return {};
  const std::size_t b = k + kKey.size();
  const std::size_t e = frame.find('"', b);
  if (e == std::string_view::npos) return {};
  const std::string_view stream = frame.substr(b, e - b);
  const std::size_t dot = stream.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : stream.substr(dot + 1);
}

}  // namespace

std::string RecordStats::to_string() const {
  std::string s = "Recorded";
  std::uint64_t total = 0;
  for (const auto& [m, n] : frames) {
    s += " " + m + "=" + std::to_string(n);
    total += n;
  }
  s += " (" + std::to_string(total) + " frames) | snapshots " + std::to_string(snapshots) + " | gaps " +
       std::to_string(gaps) + " | reconnects " + std::to_string(reconnects) + " | bbo rows " +
       std::to_string(bbo_rows) + " | bytes " + std::to_string(bytes);
  if (snapshot_failures != 0) s += " | snapshot failures " + std::to_string(snapshot_failures);
  if (malformed_frames != 0) s += " | malformed frames " + std::to_string(malformed_frames);
  return s;
}

struct Recorder::Impl : std::enable_shared_from_this<Recorder::Impl> {
  struct Market {
    Market(asio::io_context& io, const MarketSpec& s, const DepthSyncConfig& c)
        : spec(s), book(spec, 2048), sync(book, c), retry(io) {}
    MarketSpec spec;  // before book: the book keeps a reference
    OrderBook book;
    DepthSync sync;
    asio::steady_timer retry;
    std::size_t pair = 0;
    bool in_flight = false;
    bool retry_scheduled = false;
    std::uint64_t generation = 0;  // bumps on reset: older snapshot answers are dropped, never recorded
    std::unique_ptr<record::RecordingWriter> writer;
    TimestampUs day_end = 0;
    std::uint64_t bytes_closed = 0;
    std::uint64_t frames = 0;
    bool has_bid = false;
    bool has_ask = false;
    Decimal bid;
    Decimal ask;
  };
  struct Pair {
    std::string base;
    Market* spot = nullptr;
    Market* perp = nullptr;
    DailyCsv bbo;
    DailyCsv trades;
    bool has_row = false;
    bool last_flags[4] = {};
    Decimal last[4];
  };

  Impl(asio::io_context& i, const Clock& c, RecorderOptions o)
      : io(i), clock(c), opts(std::move(o)), flush_timer(i), http(i, http_options(opts)) {}

  static net::HttpClientOptions http_options(const RecorderOptions& o) {
    net::HttpClientOptions h;
    h.base_url = o.rest_url;
    h.default_timeout_us = o.rest_timeout_us;
    return h;
  }

  asio::io_context& io;
  const Clock& clock;
  RecorderOptions opts;
  asio::steady_timer flush_timer;
  net::HttpClient http;
  std::unique_ptr<net::WsClient> ws;
  std::vector<std::unique_ptr<Market>> markets;
  std::vector<std::unique_ptr<Pair>> pairs;
  std::vector<std::string> streams;
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  DepthSnapshot snapshot;
  std::string line;  // reused payload buffer (events, rest_depth)
  BookHook hook;
  RecordStats st;
  bool connected_once = false;
  bool stopped = false;

  Market* find(std::string_view sym) noexcept {
    for (auto& m : markets)
      if (m->spec.symbol == sym) return m.get();
    return nullptr;
  }

  record::RecordingWriter& writer(Market& m, TimestampUs t) {
    if (m.writer == nullptr || t >= m.day_end) {
      if (m.writer != nullptr) {
        m.writer->close();
        m.bytes_closed += m.writer->bytes_written();
        m.writer.reset();
      }
      const fs::path p = fs::path(opts.out_dir) / record::recording_file_name(m.spec.symbol, t, true);
      fs::create_directories(p.parent_path());
      m.writer = std::make_unique<record::RecordingWriter>(p.string(), true);  // a restart appends a gzip member
      m.day_end = utc_day_start(t) + kUsPerDay;
    }
    return *m.writer;
  }

  void write_event(Market& m, TimestampUs t, std::string_view type, std::string_view detail) {
    line = "{\"type\":\"";
    line += type;
    line += "\",\"symbol\":\"";
    line += m.spec.symbol;
    line += "\",\"detail\":\"";
    line += json_safe(detail);
    line += "\"}";
    writer(m, t).write(t, VenueId::kBackpack, record::FrameKind::kEvent, line);
  }

  void start() {
    fs::create_directories(opts.out_dir);
    const TimestampUs now = clock.now_us();
    for (auto& p : pairs) {
      if (p->spot == nullptr) continue;  // a lone perp has no pair CSV files
      p->bbo.roll(now);
      p->trades.roll(now);
    }
    net::WsClientOptions wo;
    wo.url = opts.ws_url;
    wo.silence_timeout_us = opts.ws_silence_timeout_us;
    wo.backoff.initial_us = opts.reconnect_initial_us;
    ws = std::make_unique<net::WsClient>(io, wo);
    std::weak_ptr<Impl> w = weak_from_this();
    ws->on_message([w](std::string_view f) {
      if (auto s = w.lock()) s->guard([&] { s->on_frame(f); });
    });
    ws->on_connected([w] {
      if (auto s = w.lock()) s->guard([&] { s->on_connected(); });
    });
    ws->on_disconnected([w](const net::DisconnectInfo& info) {
      if (auto s = w.lock()) s->guard([&] { s->on_disconnected(info); });
    });
    ws->start();
    schedule_flush();
    spdlog::info("Recording {} market(s) from {} into {}", markets.size(), opts.ws_url, opts.out_dir);
  }

  // I/O errors on the recording files are fatal for a recorder: log, stop, and let the owner see stopped.
  template <class F>
  void guard(F&& f) {
    if (stopped) return;
    try {
      f();
    } catch (const std::exception& e) {
      spdlog::critical("Recorder stopped: {}", e.what());
      fatal = e.what();
      stop();
    }
  }
  std::string fatal;

  void schedule_flush() {
    flush_timer.expires_after(std::chrono::microseconds(opts.flush_interval_us));
    std::weak_ptr<Impl> w = weak_from_this();
    flush_timer.async_wait([w](const boost::system::error_code& ec) {
      auto s = w.lock();
      if (ec || !s || s->stopped) return;
      s->guard([&] {
        s->flush_all();
        s->schedule_flush();
      });
    });
  }

  void flush_all() {
    for (auto& m : markets)
      if (m->writer) m->writer->flush();
    for (auto& p : pairs) {
      p->bbo.flush();
      p->trades.flush();
    }
  }

  void on_connected() {
    const std::int64_t ts = clock.now_ms();
    std::vector<std::string_view> views(streams.begin(), streams.end());
    ws->send(backpack::ws_subscribe_message(views, nullptr, ts, backpack::kDefaultWindowMs));
    // A new connection starts a new depth sequence (nothing arrived since the disconnect reset).
    reset_all();
    spdlog::info("Recorder: WebSocket {} {}; subscribed {} streams", connected_once ? "reconnected to" : "connected to",
                 opts.ws_url, streams.size());
    connected_once = true;
  }

  void on_disconnected(const net::DisconnectInfo& info) {
    if (stopped || info.reason == net::DisconnectReason::kClosedByUser) return;
    ++st.reconnects;
    const TimestampUs t = clock.now_us();
    const std::string detail = std::string("ws disconnected: ") + net::to_string(info.reason) + " " + info.message;
    for (auto& m : markets) write_event(*m, t, "reconnect", detail);
    spdlog::warn("Recorder: {}; books reset, reconnecting", detail);
    reset_all();
  }

  void reset_all() {
    for (auto& m : markets) {
      ++m->generation;
      m->in_flight = false;
      m->retry_scheduled = false;
      m->retry.cancel();
      m->sync.reset();
    }
  }

  void on_frame(std::string_view f) {
    const TimestampUs t = clock.now_us();
    const backpack::ParseError e = backpack::parse_ws_frame(
        parser, backpack::JsonInput(f.data(), f.size(), f.size() + net::kReceivePadding), frame);
    std::string_view sym;
    if (!e.ok()) {
      ++st.malformed_frames;
      sym = symbol_from_raw(f);
    } else {
      switch (frame.type) {
        case backpack::WsFrameType::kDepth:
          sym = frame.depth.symbol;
          break;
        case backpack::WsFrameType::kBookTicker:
          sym = frame.book_ticker.symbol;
          break;
        case backpack::WsFrameType::kTrade:
          sym = frame.trade.symbol;
          break;
        case backpack::WsFrameType::kMarkPrice:
          sym = frame.mark_price.symbol;
          break;
        default:
          sym = symbol_from_raw(f);
          break;
      }
    }
    Market* m = sym.empty() ? nullptr : find(sym);
    if (m == nullptr) {
      ++st.other_frames;
      return;
    }
    // The frame exactly as received, before anything else: the recording is the source of truth.
    if (!writer(*m, t).write(t, VenueId::kBackpack, record::FrameKind::kWs, f)) {
      ++st.malformed_frames;  // empty or multi-line frame: cannot be a line of the format
      return;
    }
    ++m->frames;
    if (!e.ok()) return;
    if (frame.type == backpack::WsFrameType::kDepth) {
      const std::uint64_t gaps_before = m->sync.stats().gaps;
      const std::int64_t last = m->sync.last_update_id();
      const SyncAction a = m->sync.on_delta(frame.depth, t);
      if (m->sync.stats().gaps != gaps_before) {
        ++st.gaps;
        write_event(*m, t, "gap",
                    "U=" + std::to_string(frame.depth.first_update_id) + " after u=" + std::to_string(last));
        spdlog::warn("Recorder: depth gap on {} (U={} after u={}); resyncing", m->spec.symbol,
                     frame.depth.first_update_id, last);
      }
      act(*m, a);
    } else if (frame.type == backpack::WsFrameType::kBookTicker) {
      const backpack::BookTickerEvent& b = frame.book_ticker;
      m->has_bid = b.has_bid;
      m->has_ask = b.has_ask;
      m->bid = b.bid_price;
      m->ask = b.ask_price;
      if (pairs[m->pair]->spot != nullptr) bbo_row(*pairs[m->pair], t);
    }
  }

  void act(Market& m, SyncAction a) {
    if (a == SyncAction::kBookUpdated) {
      if (hook) hook(m.spec.symbol, m.book, m.sync.last_update_id());
    } else if (a == SyncAction::kRequestSnapshot) {
      request_snapshot(m);
    }
  }

  void request_snapshot(Market& m) {
    if (m.in_flight || m.retry_scheduled || stopped) return;
    m.in_flight = true;
    net::HttpRequest req;
    req.method = net::HttpMethod::kGet;
    req.target = "/api/v1/depth?symbol=" + m.spec.symbol + "&limit=" + std::to_string(opts.snapshot_limit);
    std::weak_ptr<Impl> w = weak_from_this();
    Market* mp = &m;
    const std::uint64_t gen = m.generation;
    http.request(std::move(req), [w, mp, gen](net::HttpResult& r) {
      auto s = w.lock();
      if (!s) return;
      s->guard([&] { s->on_snapshot(*mp, gen, r); });
    });
  }

  void on_snapshot(Market& m, std::uint64_t gen, net::HttpResult& r) {
    if (gen != m.generation) return;  // a reset happened meanwhile: this book state is gone
    m.in_flight = false;
    if (!r.ok() || r.response.status != 200) {
      ++st.snapshot_failures;
      spdlog::warn("Recorder: depth snapshot for {} failed: {}", m.spec.symbol,
                   r.ok() ? "HTTP " + std::to_string(r.response.status) : r.error_message);
      if (m.sync.on_snapshot_failed() == SyncAction::kRequestSnapshot) schedule_snapshot(m);
      return;
    }
    std::string& body = r.response.body;
    for (char& c : body)
      if (c == '\n' || c == '\r') c = ' ';  // JSON whitespace; a line of the format has no newline
    const TimestampUs t = clock.now_us();
    line = "{\"symbol\":\"";
    line += m.spec.symbol;
    line += "\",\"data\":";
    line += body;
    line += '}';
    writer(m, t).write(t, VenueId::kBackpack, record::FrameKind::kRestDepth, line);
    ++st.snapshots;
    if (!backpack::parse_depth_snapshot(parser, backpack::JsonInput(body), snapshot).ok()) {
      ++st.snapshot_failures;
      if (m.sync.on_snapshot_failed() == SyncAction::kRequestSnapshot) schedule_snapshot(m);
      return;
    }
    const SyncAction a = m.sync.on_snapshot(snapshot, t);
    if (a == SyncAction::kRequestSnapshot) {  // too old: the REST book lags the stream
      schedule_snapshot(m);
      return;
    }
    act(m, a);
  }

  void schedule_snapshot(Market& m) {
    if (m.retry_scheduled || stopped) return;
    m.retry_scheduled = true;
    m.retry.expires_after(std::chrono::microseconds(opts.snapshot_retry_delay_us));
    std::weak_ptr<Impl> w = weak_from_this();
    Market* mp = &m;
    const std::uint64_t gen = m.generation;
    m.retry.async_wait([w, mp, gen](const boost::system::error_code& ec) {
      auto s = w.lock();
      if (ec || !s) return;
      mp->retry_scheduled = false;
      if (gen != mp->generation) return;
      s->guard([&] { s->request_snapshot(*mp); });
    });
  }

  void bbo_row(Pair& p, TimestampUs t) {
    const bool flags[4] = {p.spot->has_bid, p.spot->has_ask, p.perp->has_bid, p.perp->has_ask};
    const Decimal px[4] = {p.spot->bid, p.spot->ask, p.perp->bid, p.perp->ask};
    bool same = p.has_row;
    for (int i = 0; i < 4 && same; ++i) same = flags[i] == p.last_flags[i] && (!flags[i] || px[i] == p.last[i]);
    if (same) return;  // bookTicker also moves on quantity-only changes; the CSV is about prices
    p.has_row = true;
    for (int i = 0; i < 4; ++i) {
      p.last_flags[i] = flags[i];
      p.last[i] = px[i];
    }
    std::string& r = line;
    r = std::to_string(t);
    const Market* owner[4] = {p.spot, p.spot, p.perp, p.perp};
    for (int i = 0; i < 4; ++i) {
      r += ',';
      if (flags[i]) r += px[i].str_fixed(owner[i]->spec.price_decimals());  // exact, at the market's tick
    }
    // Executable premiums (doubles: ratios only): sell perp bid / buy spot ask, and the reverse.
    char buf[64];
    r += ',';
    if (flags[2] && flags[1] && px[1].is_positive()) {
      std::snprintf(buf, sizeof buf, "%.6f", (px[2].to_double() / px[1].to_double() - 1.0) * 100.0);
      r += buf;
    }
    r += ',';
    if (flags[0] && flags[3] && px[3].is_positive()) {
      std::snprintf(buf, sizeof buf, "%.6f", (px[0].to_double() / px[3].to_double() - 1.0) * 100.0);
      r += buf;
    }
    r += '\n';
    p.trades.roll(t);
    p.bbo.put(t, r);
    ++st.bbo_rows;
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    flush_timer.cancel();
    for (auto& m : markets) m->retry.cancel();
    if (ws) ws->close();
    http.shutdown();
    std::string first_error;
    for (auto& m : markets) {
      if (!m->writer) continue;
      try {
        m->writer->close();
      } catch (const std::exception& e) {
        if (first_error.empty()) first_error = e.what();
      }
      m->bytes_closed += m->writer->bytes_written();
      m->writer.reset();
    }
    for (auto& p : pairs) {
      p->bbo.close();
      p->trades.close();
    }
    if (!first_error.empty() && fatal.empty()) fatal = first_error;
  }

  RecordStats stats() const {
    RecordStats s = st;
    s.bytes = 0;
    for (const auto& m : markets) {
      s.frames[m->spec.symbol] = m->frames;
      s.bytes += m->bytes_closed + (m->writer ? m->writer->bytes_written() : 0);
    }
    for (const auto& p : pairs) s.bytes += p->bbo.bytes() + p->trades.bytes();
    return s;
  }
};

Recorder::Recorder(asio::io_context& io, const Clock& clock, std::vector<RecordPair> pairs, RecorderOptions opts)
    : impl_(std::make_shared<Impl>(io, clock, std::move(opts))) {
  if (impl_->opts.out_dir.empty()) throw std::invalid_argument("recorder: empty output directory");
  if (pairs.empty()) throw std::invalid_argument("recorder: no markets to record");
  for (RecordPair& rp : pairs) {
    auto p = std::make_unique<Impl::Pair>();
    p->base = rp.base;
    for (const MarketSpec* spec : {&rp.spot, &rp.perp}) {
      if (spec->symbol.empty() && spec == &rp.spot) continue;  // a lone perp (the cross-venue strategy's leg)
      if (impl_->find(spec->symbol) != nullptr)
        throw std::invalid_argument("recorder: market " + spec->symbol + " twice");
      auto m = std::make_unique<Impl::Market>(io, *spec, impl_->opts.sync);
      m->pair = impl_->pairs.size();
      (spec == &rp.spot ? p->spot : p->perp) = m.get();
      impl_->streams.push_back("depth." + spec->symbol);
      impl_->streams.push_back("bookTicker." + spec->symbol);
      impl_->streams.push_back("trade." + spec->symbol);
      if (spec->is_perp()) impl_->streams.push_back("markPrice." + spec->symbol);
      impl_->markets.push_back(std::move(m));
    }
    if (p->spot != nullptr) {
      p->bbo = DailyCsv(impl_->opts.out_dir, "bbo_" + rp.base + "_", kBboCsvHeader);
      p->trades = DailyCsv(impl_->opts.out_dir, "trades_" + rp.base + "_", kTradesCsvHeader);
    }
    impl_->pairs.push_back(std::move(p));
  }
}

Recorder::~Recorder() {
  try {
    impl_->stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; stop() explicitly to see errors
  }
}

void Recorder::on_book_update(BookHook hook) {
  impl_->hook = std::move(hook);
}
void Recorder::start() {
  impl_->start();
}
void Recorder::stop() {
  impl_->stop();
}
RecordStats Recorder::stats() const {
  return impl_->stats();
}
const std::string& Recorder::error() const noexcept {
  return impl_->fatal;
}

const OrderBook* Recorder::book(std::string_view symbol) const noexcept {
  const Impl::Market* m = impl_->find(symbol);
  return m ? &m->book : nullptr;
}

bool Recorder::book_valid(std::string_view symbol) const noexcept {
  const Impl::Market* m = impl_->find(symbol);
  return m && m->sync.synced() && m->book.valid();
}

// ---------------------------------------------------------------------------------------------

RecordStats run_record(const Config& cfg, const std::string& out_dir, DurationUs duration_us) {
  asio::io_context io;
  SystemClock clock;
  std::unique_ptr<sim::SimRuntime> sim;
  std::unique_ptr<sim::SimServer> srv;
  std::string rest_url = cfg.exchange.rest_url;
  std::string ws_url = cfg.exchange.ws_url;
  if (cfg.exchange.mode == Mode::kPaper) {
    sim::SimConfig sc = sim::load_sim_config(cfg.paper.sim_config);
    sc.server.listen_address = "127.0.0.1";
    sc.server.port = cfg.paper.port;
    sim = std::make_unique<sim::SimRuntime>(io, std::move(sc), nullptr, sim::make_backpack_frame_decoder);
    srv = std::make_unique<sim::SimServer>(io, *sim, sim->config().server);
    srv->start();
    sim->start();
    rest_url = srv->http_url();
    ws_url = srv->ws_url();
    spdlog::info("Paper mode: recording from an embedded bpsim on {} (no network)", rest_url);
  }
  backpack::RestClientOptions ro;
  ro.http.base_url = rest_url;
  ro.http.default_timeout_us = cfg.exchange.rest_timeout_us;
  backpack::RestClient rest(io, clock, ro);
  std::unique_ptr<Recorder> rec;
  std::string failure;
  asio::steady_timer stop_timer(io);
  auto stop_all = [&] {
    if (rec) rec->stop();
    stop_timer.cancel();
    if (srv) srv->stop();
    if (sim) sim->stop();
    io.stop();
  };
  SignalWatcher sigs(io, [&](SignalAction a, int signo) {
    if (a != SignalAction::kShutdown && a != SignalAction::kForceExit) return;
    spdlog::info("Recorder: signal {}: flushing and closing", signo);
    stop_all();
  });
  rest.get_markets([&](backpack::RestResult<std::vector<MarketSpec>>& m) {
    if (!m) {
      failure = "GET /api/v1/markets failed: " + m.error().message;
      return stop_all();
    }
    auto find = [&](const std::string& s) -> const MarketSpec* {
      for (const MarketSpec& x : *m)
        if (x.symbol == s) return &x;
      return nullptr;
    };
    std::vector<RecordPair> pairs;
    for (const PairConfig& pc : cfg.pairs) {
      if (!pc.enabled) continue;
      const MarketSpec* s = find(pc.spot_symbol);
      const MarketSpec* p = find(pc.perp_symbol);
      if (!s || !p) {
        failure = "pair " + pc.base + ": market " + (!s ? pc.spot_symbol : pc.perp_symbol) +
                  " does not exist on the exchange (check [[pairs]] in " + cfg.source_path + ")";
        return stop_all();
      }
      pairs.push_back({pc.base, *s, *p});
    }
    if (pairs.empty()) {
      failure = "no enabled pair to record";
      return stop_all();
    }
    RecorderOptions o;
    o.out_dir = out_dir;
    o.rest_url = rest_url;
    o.ws_url = ws_url;
    o.rest_timeout_us = cfg.exchange.rest_timeout_us;
    o.ws_silence_timeout_us = cfg.exchange.ws_stale_timeout_us;
    try {
      rec = std::make_unique<Recorder>(io, clock, std::move(pairs), o);
      rec->start();
    } catch (const std::exception& e) {
      failure = e.what();
      return stop_all();
    }
    if (duration_us > 0) {
      stop_timer.expires_after(std::chrono::microseconds(duration_us));
      stop_timer.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        spdlog::info("Recorder: duration reached: flushing and closing");
        stop_all();
      });
    }
  });
  io.run();
  if (rec) rec->stop();
  if (!failure.empty()) throw std::runtime_error(failure);
  if (!rec) throw std::runtime_error("recorder did not start");
  if (!rec->error().empty()) throw std::runtime_error("recording failed: " + rec->error());
  return rec->stats();
}

int cmd_record(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  static constexpr std::string_view kUsage =
      "usage: bparb record --config FILE --out DIR [--duration SECONDS] [--venue backpack|lighter|both]\n"
      "  Records raw market data (depth, bookTicker, trade, markPrice) of every enabled pair into\n"
      "  DIR/<market>/<YYYY-MM-DD>.frames.gz with REST depth snapshots and reconnect/gap events\n"
      "  (format: tests/record/FORMAT.md), plus DIR/bbo_<BASE>_<date>.csv (one row per best bid/ask change;\n"
      "  premiums: perp_premium_pct = perp_bid/spot_ask - 1, spot_premium_pct = spot_bid/perp_ask - 1, in %)\n"
      "  and DIR/trades_<BASE>_<date>.csv, which stays header-only: the recorder never trades.\n"
      "  Paper mode records from an embedded bpsim. Stops at --duration or SIGINT/SIGTERM, flushing every file.\n"
      "  --venue lighter: records order_book/{m} and trade/{m} of the Lighter perp markets named like the\n"
      "  enabled pairs' bases from [venues.lighter] (ws_url, rest_url) into DIR/lighter_<SYMBOL>/<date>.frames.gz,\n"
      "  each line tagged lighter.\n"
      "  [strategy] kind = \"cross_venue\": records both legs in one process (one receive clock), the default\n"
      "  (--venue both): Backpack's [xarb] backpack_market perp into DIR/<market>/ and Lighter's [xarb]\n"
      "  lighter_market into DIR/lighter_<SYMBOL>/ (no pair CSV files); --venue backpack|lighter records one leg.\n"
      "  Paper mode serves both venues from one embedded bpsim world. `bparb backtest` replays such a directory.\n";
  std::string path;
  std::string dir;
  DurationUs duration = 0;
  std::string venue;  // empty: by the strategy (both legs for cross_venue, else backpack)
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return kExitOk;
    }
    if ((a == "--config" || a == "-c") && i + 1 < args.size()) {
      path = args[++i];
    } else if (a == "--venue" && i + 1 < args.size()) {
      const std::string& v = args[++i];
      if (v != "backpack" && v != "lighter" && v != "both") {
        err << "bparb record: --venue: expected backpack, lighter or both, got \"" << v << "\"\n";
        return kExitUsage;
      }
      venue = v;
    } else if (a == "--out" && i + 1 < args.size()) {
      dir = args[++i];
    } else if (a == "--duration" && i + 1 < args.size()) {
      const std::string& v = args[++i];
      long long s = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
      if (ec != std::errc() || p != v.data() + v.size() || s <= 0 || s > 366LL * 24 * 3600) {
        err << "bparb record: --duration: expected whole seconds in [1, 31622400], got \"" << v << "\"\n";
        return kExitUsage;
      }
      duration = s * kUsPerSecond;
    } else {
      err << "bparb record: unexpected argument \"" << a << "\"\n" << kUsage;
      return kExitUsage;
    }
  }
  if (path.empty() || dir.empty()) {
    err << "bparb record: --config and --out are required\n" << kUsage;
    return kExitUsage;
  }
  Config cfg;
  if (const int rc = load_config_and_logging(path, "record", cfg, err); rc != 0) return rc;
  spdlog::info("bparb {} record: config {} mode={} out {}", kVersion, path, mode_name(cfg.exchange.mode), dir);
  const bool cross_venue = cfg.strategy.kind == StrategyKind::kCrossVenue;
  if (venue.empty()) venue = cross_venue ? "both" : "backpack";
  if (venue == "both" && !cross_venue) {
    err << "bparb record: --venue both records the two legs of [strategy] kind = \"cross_venue\"; " << path
        << " trades kind = \"" << strategy_kind_name(cfg.strategy.kind)
        << "\" (record each venue with --venue backpack or --venue lighter)\n";
    return kExitUsage;
  }
  const bool lighter = venue == "lighter";
  if ((lighter || venue == "both") && !cfg.venues.lighter) {
    err << "bparb record: --venue " << venue << " needs a [venues.lighter] section in " << path
        << " (see config/bparb.toml)\n";
    return kExitUsage;
  }
  try {
    if (cross_venue) {
      const std::string text =
          run_xarb_record(cfg, dir, duration, {venue != "lighter", venue != "backpack"}).to_string();
      spdlog::info("{}", text);
      shutdown_logging();
      out << text << "\n";
      return kExitOk;
    }
    if (lighter) {
      const std::string text = run_lighter_record(cfg, dir, duration).to_string();
      spdlog::info("{}", text);
      shutdown_logging();
      out << text << "\n";
      return kExitOk;
    }
    const RecordStats s = run_record(cfg, dir, duration);
    const std::string text = s.to_string();
    spdlog::info("{}", text);
    shutdown_logging();
    out << text << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    spdlog::critical("bparb record stopped: {}", e.what());
    shutdown_logging();
    err << "bparb record: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace bparb::app
