// `bparb record` for the cross-venue strategy (include/bparb/app/xarb_record.hpp).
#include "bparb/app/xarb_record.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/lighter_node.hpp"
#include "bparb/app/node_options.hpp"
#include "bparb/app/signals.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/lighter/rest_client.hpp"

namespace bparb::app {
namespace asio = boost::asio;
namespace lt = bparb::lighter;

std::string XarbRecordStats::to_string() const {
  std::string s;
  if (!backpack.frames.empty()) s = backpack.to_string();
  if (!lighter.frames.empty() || s.empty()) s += (s.empty() ? "" : " | ") + lighter.to_string();
  return s;
}

XarbRecordStats run_xarb_record(const Config& cfg, const std::string& out_dir, DurationUs duration_us,
                                XarbRecordVenues venues) {
  if (!venues.backpack && !venues.lighter) throw std::invalid_argument("cross-venue recording: no venue chosen");
  if (venues.lighter && !cfg.venues.lighter)
    throw std::runtime_error(cfg.source_path + " has no [venues.lighter] section: the Lighter leg (" +
                             cfg.xarb.lighter_market + ") cannot be recorded");
  asio::io_context io;
  SystemClock clock;
  std::string bp_rest = cfg.exchange.rest_url;
  std::string bp_ws = cfg.exchange.ws_url;
  std::string lt_rest = cfg.venues.lighter ? cfg.venues.lighter->rest_url : std::string();
  std::string lt_ws = cfg.venues.lighter ? cfg.venues.lighter->ws_url : std::string();
  std::unique_ptr<runtime::PaperExchange> paper;
  if (cfg.exchange.mode == Mode::kPaper) {
    // The daemon's paper world: Backpack and Lighter in one simulated world (one clock, one fair value).
    const backpack::SigningKey key = backpack::SigningKey::generate();
    runtime::PaperOptions po = paper_options(cfg, key.public_key_base64());
    if (cfg.venues.lighter) {
      const std::vector<lt::Signer> keys = paper_lighter_keys(cfg);
      po.lighter = paper_lighter_options(cfg, keys);
      if (po.lighter->markets.empty()) po.lighter->markets = {cfg.xarb.lighter_market};
    }
    paper = std::make_unique<runtime::PaperExchange>(io, po);
    bp_rest = paper->http_url();
    bp_ws = paper->ws_url();
    lt_rest = paper->lighter_http_url();
    lt_ws = paper->lighter_ws_url();
    spdlog::info("Paper mode: recording from an embedded bpsim (Backpack {}, Lighter {}; no network)", bp_rest,
                 lt_rest.empty() ? "not served" : lt_rest);
  }

  backpack::RestClientOptions ro;
  ro.http.base_url = bp_rest;
  ro.http.default_timeout_us = cfg.exchange.rest_timeout_us;
  backpack::RestClient rest(io, clock, ro);
  lt::LighterRestOptions lro;
  lro.http.base_url = lt_rest;
  lro.http.default_timeout_us = cfg.exchange.rest_timeout_us;
  std::unique_ptr<lt::LighterRest> lrest;
  if (venues.lighter) lrest = std::make_unique<lt::LighterRest>(io, lro);

  std::unique_ptr<Recorder> bp_rec;
  std::unique_ptr<LighterRecorder> lt_rec;
  std::string failure;
  asio::steady_timer stop_timer(io);
  int waiting = (venues.backpack ? 1 : 0) + (venues.lighter ? 1 : 0);
  auto stop_all = [&] {
    if (bp_rec) bp_rec->stop();
    if (lt_rec) lt_rec->stop();
    stop_timer.cancel();
    if (paper) paper->stop();
    io.stop();
  };
  auto fail = [&](std::string why) {
    if (failure.empty()) failure = std::move(why);
    stop_all();
  };
  // The duration counts from the moment both venues record.
  auto started = [&] {
    if (--waiting != 0 || duration_us <= 0) return;
    stop_timer.expires_after(std::chrono::microseconds(duration_us));
    stop_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      spdlog::info("Recorder: duration reached: flushing and closing");
      stop_all();
    });
  };
  SignalWatcher sigs(io, [&](SignalAction a, int signo) {
    if (a != SignalAction::kShutdown && a != SignalAction::kForceExit) return;
    spdlog::info("Recorder: signal {}: flushing and closing", signo);
    stop_all();
  });

  if (venues.backpack) {
    rest.get_markets([&](backpack::RestResult<std::vector<MarketSpec>>& m) {
      if (!failure.empty()) return;
      if (!m) return fail("Backpack GET /api/v1/markets failed: " + m.error().message);
      const MarketSpec* perp = nullptr;
      for (const MarketSpec& x : *m)
        if (x.symbol == cfg.xarb.backpack_market) perp = &x;
      if (perp == nullptr || !perp->is_perp())
        return fail("[xarb] backpack_market " + cfg.xarb.backpack_market +
                    " is not a perp Backpack lists (check [xarb] in " + cfg.source_path + ")");
      RecorderOptions o;
      o.out_dir = out_dir;
      o.rest_url = bp_rest;
      o.ws_url = bp_ws;
      o.rest_timeout_us = cfg.exchange.rest_timeout_us;
      o.ws_silence_timeout_us = cfg.exchange.ws_stale_timeout_us;
      try {
        bp_rec =
            std::make_unique<Recorder>(io, clock, std::vector<RecordPair>{{cfg.xarb.coin, MarketSpec{}, *perp}}, o);
        bp_rec->start();
      } catch (const std::exception& e) {
        return fail(e.what());
      }
      started();
    });
  }
  if (venues.lighter) {
    lrest->order_book_details(255, [&](lt::RestResult<std::vector<lt::MarketDetails>>& r) {
      if (!failure.empty()) return;
      if (!r) return fail("Lighter orderBookDetails failed: " + r.error().describe());
      std::vector<lt::MarketDetails> chosen;
      for (const lt::MarketDetails& m : r.value())
        if (m.kind == lt::MarketKind::kPerp && m.symbol == cfg.xarb.lighter_market) chosen.push_back(m);
      if (chosen.empty())
        return fail("[xarb] lighter_market " + cfg.xarb.lighter_market +
                    " is not a perp Lighter lists (check [xarb] in " + cfg.source_path + ")");
      spdlog::info("Lighter recorder: {} -> {}({})", lt_ws, chosen[0].symbol, chosen[0].market_id);
      LighterRecorderOptions o;
      o.out_dir = out_dir;
      o.ws_url = lt_ws;
      try {
        lt_rec = std::make_unique<LighterRecorder>(io, clock, std::move(chosen), o);
        lt_rec->start();
      } catch (const std::exception& e) {
        return fail(e.what());
      }
      started();
    });
  }
  io.run();
  if (bp_rec) bp_rec->stop();
  if (lt_rec) lt_rec->stop();
  if (!failure.empty()) throw std::runtime_error(failure);
  if ((venues.backpack && !bp_rec) || (venues.lighter && !lt_rec)) throw std::runtime_error("recorder did not start");
  if (bp_rec && !bp_rec->error().empty()) throw std::runtime_error("recording failed: " + bp_rec->error());
  if (lt_rec && !lt_rec->error().empty()) throw std::runtime_error("recording failed: " + lt_rec->error());
  XarbRecordStats s;
  if (bp_rec) s.backpack = bp_rec->stats();
  if (lt_rec) s.lighter = lt_rec->stats();
  return s;
}

}  // namespace bparb::app
