// `bparb record --venue lighter` (include/bparb/app/lighter_record.hpp).
#include "bparb/app/lighter_record.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "bparb/app/config.hpp"
#include "bparb/app/signals.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/venue/lighter/rest_client.hpp"
#include "bparb/venue/lighter/ws_session.hpp"

namespace bparb::app {
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace lt = bparb::lighter;

namespace {

// The market id of an order_book / trade frame from its "channel" ("order_book:0", "trade:0"); -1 for
// any other frame. The venue writes compact JSON; blanks after the colon are tolerated.
std::int64_t market_of(std::string_view frame) {
  const std::size_t k = frame.find("\"channel\"");
  if (k == std::string_view::npos) return -1;
  std::size_t i = k + 9;
  while (i < frame.size() && (frame[i] == ' ' || frame[i] == ':')) ++i;
  if (i >= frame.size() || frame[i] != '"') return -1;
  const std::string_view rest = frame.substr(i + 1);
  std::string_view num;
  for (std::string_view prefix : {"order_book:", "trade:"}) {
    if (rest.substr(0, prefix.size()) == prefix) num = rest.substr(prefix.size());
  }
  if (num.empty()) return -1;
  std::int64_t id = -1;
  const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), id);
  if (ec != std::errc() || p == num.data() + num.size() || *p != '"') return -1;
  return id;
}

}  // namespace

std::string LighterRecordStats::to_string() const {
  std::string s = "lighter recorded:";
  for (const auto& [m, n] : frames) s += " " + m + "=" + std::to_string(n);
  s += " reconnects=" + std::to_string(reconnects) + " resyncs=" + std::to_string(resyncs);
  return s;
}

std::string lighter_market_dir(const lt::MarketDetails& m) {
  std::string out = "lighter_";
  for (char c : m.symbol) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '-';
  return out;
}

struct LighterRecorder::Impl : std::enable_shared_from_this<LighterRecorder::Impl> {
  struct Market {
    lt::MarketDetails details;
    std::string dir;
    std::unique_ptr<record::RecordingWriter> writer;
    TimestampUs day_end = 0;
    bool valid = false;
  };

  Impl(asio::io_context& i, const Clock& c, LighterRecorderOptions o)
      : clock(c), opts(std::move(o)), flush_timer(i), ws(i, c, ws_options(opts)) {}

  static lt::LighterWsOptions ws_options(const LighterRecorderOptions& o) {
    lt::LighterWsOptions w;
    w.ws.url = o.ws_url;
    w.ws.backoff.initial_us = o.reconnect_initial_us;
    return w;
  }

  const Clock& clock;
  LighterRecorderOptions opts;
  asio::steady_timer flush_timer;
  lt::LighterWs ws;
  std::vector<Market> markets;
  LighterRecordStats st;
  std::string fatal;
  std::string line;
  bool stopped = false;

  Market* find(std::int64_t id) {
    for (auto& m : markets)
      if (m.details.market_id == id) return &m;
    return nullptr;
  }

  record::RecordingWriter& writer(Market& m, TimestampUs t) {
    if (m.writer == nullptr || t >= m.day_end) {
      if (m.writer) m.writer->close();
      const fs::path p = fs::path(opts.out_dir) / record::recording_file_name(m.dir, t, true);
      fs::create_directories(p.parent_path());
      m.writer = std::make_unique<record::RecordingWriter>(p.string(), true);
      m.day_end = utc_day_start(t) + kUsPerDay;
    }
    return *m.writer;
  }

  void write_event(Market& m, TimestampUs t, std::string_view type) {
    line = "{\"type\":\"";
    line += type;
    line += "\",\"market_id\":";
    line += std::to_string(m.details.market_id);
    line += '}';
    writer(m, t).write(t, VenueId::kLighter, record::FrameKind::kEvent, line);
  }

  template <class F>
  void guard(F&& f) {
    if (stopped) return;
    try {
      f();
    } catch (const std::exception& e) {
      spdlog::critical("Lighter recorder stopped: {}", e.what());
      fatal = e.what();
      stop();
    }
  }

  void on_raw(std::string_view text) {
    guard([&] {
      Market* m = find(market_of(text));
      if (m == nullptr) {
        ++st.other_frames;
        return;
      }
      const TimestampUs t = clock.now_us();
      if (writer(*m, t).write(t, VenueId::kLighter, record::FrameKind::kWs, text)) ++st.frames[m->dir];
    });
  }

  void on_book(std::int64_t id) {
    guard([&] {
      Market* m = find(id);
      if (m == nullptr) return;
      const bool valid = ws.book_valid(id);
      if (m->valid && !valid) {
        ++st.resyncs;
        write_event(*m, clock.now_us(), "resync");
      }
      m->valid = valid;
    });
  }

  void on_disconnected(const net::DisconnectInfo& info) {
    guard([&] {
      if (info.reason == net::DisconnectReason::kClosedByUser) return;
      ++st.reconnects;
      const TimestampUs t = clock.now_us();
      for (auto& m : markets) {
        m.valid = false;
        write_event(m, t, "reconnect");
      }
      spdlog::warn("Lighter recorder: WebSocket disconnected ({}); reconnecting", net::to_string(info.reason));
    });
  }

  void start() {
    fs::create_directories(opts.out_dir);
    lt::LighterWsHandlers h;
    std::weak_ptr<Impl> w = weak_from_this();
    h.on_raw_frame = [w](std::string_view text) {
      if (auto s = w.lock()) s->on_raw(text);
    };
    h.on_book = [w](std::int64_t id) {
      if (auto s = w.lock()) s->on_book(id);
    };
    h.on_disconnected = [w](const net::DisconnectInfo& info) {
      if (auto s = w.lock()) s->on_disconnected(info);
    };
    ws.set_handlers(std::move(h));
    for (const auto& m : markets) {
      ws.add_book(m.details);
      ws.add_trades(m.details.market_id);
    }
    ws.start();
    schedule_flush();
  }

  void schedule_flush() {
    flush_timer.expires_after(std::chrono::microseconds(opts.flush_interval_us));
    std::weak_ptr<Impl> w = weak_from_this();
    flush_timer.async_wait([w](const boost::system::error_code& ec) {
      auto s = w.lock();
      if (ec || !s || s->stopped) return;
      s->guard([&] {
        for (auto& m : s->markets)
          if (m.writer) m.writer->flush();
        s->schedule_flush();
      });
    });
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    flush_timer.cancel();
    ws.close();
    for (auto& m : markets) {
      if (!m.writer) continue;
      try {
        m.writer->close();
      } catch (const std::exception& e) {
        if (fatal.empty()) fatal = e.what();
      }
      m.writer.reset();
    }
  }
};

LighterRecorder::LighterRecorder(asio::io_context& io, const Clock& clock, std::vector<lt::MarketDetails> markets,
                                 LighterRecorderOptions opts) {
  if (opts.out_dir.empty()) throw std::invalid_argument("lighter recorder: empty output directory");
  if (markets.empty()) throw std::invalid_argument("lighter recorder: no market to record");
  impl_ = std::make_shared<Impl>(io, clock, std::move(opts));
  for (auto& m : markets) {
    Impl::Market x;
    x.dir = lighter_market_dir(m);
    x.details = std::move(m);
    impl_->markets.push_back(std::move(x));
  }
}

LighterRecorder::~LighterRecorder() {
  if (impl_) impl_->stop();
}

void LighterRecorder::start() {
  impl_->start();
}

void LighterRecorder::stop() {
  impl_->stop();
}

const LighterRecordStats& LighterRecorder::stats() const noexcept {
  return impl_->st;
}

const std::string& LighterRecorder::error() const noexcept {
  return impl_->fatal;
}

LighterRecordStats run_lighter_record(const Config& cfg, const std::string& out_dir, DurationUs duration_us) {
  if (!cfg.venues.lighter) throw std::runtime_error(cfg.source_path + " has no [venues.lighter] section");
  const LighterVenueConfig& v = *cfg.venues.lighter;
  asio::io_context io;
  SystemClock clock;
  lt::LighterRestOptions ro;
  ro.http.base_url = v.rest_url;
  ro.http.default_timeout_us = cfg.exchange.rest_timeout_us;
  lt::LighterRest rest(io, ro);
  std::unique_ptr<LighterRecorder> rec;
  std::string failure;
  asio::steady_timer stop_timer(io);
  auto stop_all = [&] {
    if (rec) rec->stop();
    stop_timer.cancel();
    io.stop();
  };
  SignalWatcher sigs(io, [&](SignalAction a, int signo) {
    if (a != SignalAction::kShutdown && a != SignalAction::kForceExit) return;
    spdlog::info("Lighter recorder: signal {}: flushing and closing", signo);
    stop_all();
  });
  rest.order_book_details(255, [&](lt::RestResult<std::vector<lt::MarketDetails>>& r) {
    if (!r) {
      failure = "orderBookDetails failed: " + r.error().describe();
      return stop_all();
    }
    std::vector<lt::MarketDetails> chosen;
    for (const PairConfig& pc : cfg.pairs) {
      if (!pc.enabled) continue;
      for (const lt::MarketDetails& m : r.value()) {
        if (m.kind == lt::MarketKind::kPerp && m.symbol == pc.base) chosen.push_back(m);
      }
    }
    if (chosen.empty()) {
      failure = "no Lighter perp market matches an enabled pair's base (check [[pairs]] in " + cfg.source_path + ")";
      return stop_all();
    }
    std::string names;
    for (const auto& m : chosen) names += " " + m.symbol + "(" + std::to_string(m.market_id) + ")";
    spdlog::info("Lighter recorder: {} ->{}", v.ws_url, names);
    LighterRecorderOptions o;
    o.out_dir = out_dir;
    o.ws_url = v.ws_url;
    try {
      rec = std::make_unique<LighterRecorder>(io, clock, std::move(chosen), o);
      rec->start();
    } catch (const std::exception& e) {
      failure = e.what();
      return stop_all();
    }
    if (duration_us > 0) {
      stop_timer.expires_after(std::chrono::microseconds(duration_us));
      stop_timer.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) stop_all();
      });
    }
  });
  io.run();
  if (rec) rec->stop();
  if (!failure.empty()) throw std::runtime_error(failure);
  if (!rec) throw std::runtime_error("lighter recorder did not start");
  if (!rec->error().empty()) throw std::runtime_error("recording failed: " + rec->error());
  return rec->stats();
}

}  // namespace bparb::app
