// Record -> replay proof: `bparb record`'s Recorder runs against an in-process bpsim while the market moves,
// a depth gap is forced on each market and the server drops the WebSocket once. Every time a live book
// changes, its top levels and last update id are kept. Then the recording is read back (RecordingReader)
// and pushed through the same parser + DepthSync + OrderBook: the replayed books must equal the live ones
// at every recorded update, in the same order, across the gaps and the reconnect.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bparb/app/record_command.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/sim/backpack/ws_hub.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "sim_thread.hpp"

namespace bparb {
namespace {

namespace fs = std::filesystem;
using testing::SimThread;
constexpr std::string_view kSpot = "SOL_USDC";
constexpr std::string_view kReplayPerp = "SOL_USDC_PERP";
constexpr std::size_t kTopLevels = 20;

// One observation of a valid book: its update id and top levels (price, quantity) per side.
struct BookView {
  std::int64_t update_id = 0;
  std::vector<BookLevel> bids;
  std::vector<BookLevel> asks;
  bool operator==(const BookView& o) const {
    auto same = [](const std::vector<BookLevel>& a, const std::vector<BookLevel>& b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].price != b[i].price || a[i].quantity != b[i].quantity) return false;
      }
      return true;
    };
    return update_id == o.update_id && same(bids, o.bids) && same(asks, o.asks);
  }
};

BookView view_of(const OrderBook& b, std::int64_t update_id) {
  BookView v;
  v.update_id = update_id;
  for (Side s : {Side::kBid, Side::kAsk}) {
    auto& out = s == Side::kBid ? v.bids : v.asks;
    for (std::size_t i = 0; i < kTopLevels && i < b.level_count(s); ++i) out.push_back(b.level(s, i));
  }
  return v;
}

std::string describe(const BookView& v) {
  std::string s = "u=" + std::to_string(v.update_id) + " bids:";
  for (const auto& l : v.bids) s += " " + l.price.str() + "x" + l.quantity.str();
  s += " asks:";
  for (const auto& l : v.asks) s += " " + l.price.str() + "x" + l.quantity.str();
  return s;
}

using Views = std::map<std::string, std::vector<BookView>, std::less<>>;

struct ReplayCounts {
  std::uint64_t ws = 0;
  std::uint64_t snapshots = 0;
  std::map<std::string, std::uint64_t> snapshots_by_symbol;
  std::uint64_t gap_events = 0;
  std::uint64_t reconnect_events = 0;
  std::uint64_t parse_errors = 0;
};

// The consumer side: the recording through the same parser, DepthSync and OrderBook as the live feed.
Views replay(const std::string& dir, const std::vector<MarketSpec>& specs, ReplayCounts& n) {
  struct Book {
    explicit Book(const MarketSpec& s) : spec(s), book(spec, 2048), sync(book, DepthSyncConfig{}) {}
    MarketSpec spec;
    OrderBook book;
    DepthSync sync;
  };
  std::map<std::string, std::unique_ptr<Book>, std::less<>> books;
  for (const MarketSpec& s : specs) books.emplace(s.symbol, std::make_unique<Book>(s));
  Views out;
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  DepthSnapshot snap;
  simdjson::dom::parser dom;
  auto find = [&](std::string_view sym) -> Book* {
    auto it = books.find(sym);
    return it == books.end() ? nullptr : it->second.get();
  };
  auto keep = [&](Book& b, SyncAction a) {
    if (a == SyncAction::kBookUpdated) out[b.spec.symbol].push_back(view_of(b.book, b.sync.last_update_id()));
  };
  record::RecordingReader reader(dir);
  record::FrameLine l;
  while (reader.next(l)) {
    if (l.kind == record::FrameKind::kWs) {
      ++n.ws;
      if (!backpack::parse_ws_frame(parser, backpack::JsonInput(l.payload), frame).ok()) {
        ++n.parse_errors;
        continue;
      }
      if (frame.type != backpack::WsFrameType::kDepth) continue;
      if (Book* b = find(frame.depth.symbol)) keep(*b, b->sync.on_delta(frame.depth, l.receive_time_us));
    } else if (l.kind == record::FrameKind::kRestDepth) {
      simdjson::dom::element doc;
      simdjson::dom::element data;
      std::string_view sym;
      if (dom.parse(l.payload.data(), l.payload.size()).get(doc) || doc["symbol"].get_string().get(sym) ||
          doc["data"].get(data)) {
        ++n.parse_errors;
        continue;
      }
      Book* b = find(sym);
      if (b == nullptr) continue;
      ++n.snapshots;
      ++n.snapshots_by_symbol[std::string(sym)];
      const std::string body = simdjson::minify(data);
      if (!backpack::parse_depth_snapshot(parser, backpack::JsonInput(body), snap).ok()) {
        ++n.parse_errors;
        b->sync.on_snapshot_failed();
        continue;
      }
      keep(*b, b->sync.on_snapshot(snap, l.receive_time_us));
    } else {
      simdjson::dom::element doc;
      std::string_view type;
      std::string_view sym;
      if (dom.parse(l.payload.data(), l.payload.size()).get(doc) || doc["type"].get_string().get(type) ||
          doc["symbol"].get_string().get(sym)) {
        ++n.parse_errors;
        continue;
      }
      if (type == "gap") ++n.gap_events;
      if (type == "reconnect") {
        ++n.reconnect_events;
        if (Book* b = find(sym)) b->sync.reset();  // the stream restarts: what the recorder did live
      }
    }
  }
  EXPECT_EQ(reader.error(), "");
  EXPECT_EQ(reader.stats().malformed, 0u);
  return out;
}

class RecordReplay : public ::testing::Test {
 protected:
  static sim::SimConfig manual_sim() {
    sim::SimConfig sc = sim::default_sim_config();
    sc.runtime.seed = 7;
    sc.runtime.step_interval_ms = 0;  // the market moves only when the test steps it
    // A lively market: every step re-quotes, so every step changes both books (depth frames).
    sc.runtime.time_scale = 100;
    sc.model.requote_threshold_bps = 0.0;
    for (auto& c : sc.model.coins) {
      if (c.coin == "SOL") c.annual_volatility = 3.0;
    }
    return sc;
  }
  RecordReplay() : sim_(manual_sim()) {
    dir_ = (fs::temp_directory_path() / ("bparb_record_replay_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
  }
  ~RecordReplay() override { fs::remove_all(dir_); }

  MarketSpec spec(std::string_view sym) {
    const MarketSpec* s = sim_.call([&] { return sim_.rt->exchange().market(sym); });
    EXPECT_NE(s, nullptr) << sym;
    return s ? *s : MarketSpec{};
  }
  void step_market() {
    sim_.call([this] {
      sim_.rt->step();
      return 0;
    });
  }
  // Steps the market and runs our io_context until `pred` holds (bounded).
  bool step_until(const std::function<bool()>& pred, int max_steps = 400) {
    for (int i = 0; i < max_steps; ++i) {
      if (pred()) return true;
      step_market();
      io_.run_for(std::chrono::milliseconds(15));
    }
    return pred();
  }

  SimThread sim_;
  boost::asio::io_context io_;
  SystemClock clock_;
  std::string dir_;
};

TEST_F(RecordReplay, ReplayedBooksEqualTheLiveBooksAtEveryUpdateAcrossGapsAndAReconnect) {
  const std::vector<MarketSpec> specs = {spec(kSpot), spec(kReplayPerp)};
  app::RecorderOptions o;
  o.out_dir = dir_;
  o.rest_url = sim_.srv->http_url();
  o.ws_url = sim_.srv->ws_url();
  o.reconnect_initial_us = 50 * kUsPerMs;
  o.snapshot_retry_delay_us = 50 * kUsPerMs;
  app::Recorder rec(io_, clock_, {{"SOL", specs[0], specs[1]}}, o);
  Views live;
  rec.on_book_update([&](std::string_view sym, const OrderBook& b, std::int64_t id) {
    live[std::string(sym)].push_back(view_of(b, id));
  });
  rec.start();
  auto both_valid = [&] { return rec.book_valid(kSpot) && rec.book_valid(kReplayPerp); };

  ASSERT_TRUE(step_until(both_valid)) << "books never synced";
  const std::size_t warm = live[std::string(kReplayPerp)].size();
  ASSERT_TRUE(step_until([&] { return live[std::string(kReplayPerp)].size() >= warm + 20; }))
      << warm << " " << live[std::string(kReplayPerp)].size() << " " << live[std::string(kSpot)].size() << " "
      << rec.stats().to_string() << " valid " << rec.book_valid(kReplayPerp);

  // A withheld depth frame on each market: the recorder must log the gap and resync from a new snapshot.
  sim_.call([this] {
    sim_.rt->faults().add_depth_gap(kSpot, 1);
    sim_.rt->faults().add_depth_gap(kReplayPerp, 1);
    return 0;
  });
  ASSERT_TRUE(step_until([&] { return rec.stats().gaps >= 2; })) << "gaps not detected";
  ASSERT_TRUE(step_until(both_valid)) << "no resync after the gaps";
  const std::size_t after_gap = live[std::string(kSpot)].size();
  ASSERT_TRUE(step_until([&] { return live[std::string(kSpot)].size() >= after_gap + 10; }));

  // The server drops the WebSocket: a reconnect event, then a fresh sync.
  const std::size_t dropped = sim_.call([this] { return sim_.srv->hub().close_all("test drop", true); });
  EXPECT_GE(dropped, 1u);
  ASSERT_TRUE(step_until([&] { return rec.stats().reconnects >= 1 && both_valid(); })) << "no resync after the drop";
  const std::size_t after_drop = live[std::string(kReplayPerp)].size();
  ASSERT_TRUE(step_until([&] { return live[std::string(kReplayPerp)].size() >= after_drop + 10; }));

  rec.stop();
  const app::RecordStats st = rec.stats();
  EXPECT_EQ(rec.error(), "");
  EXPECT_GE(st.snapshots, 4u);  // initial + after the gap, per market
  EXPECT_GE(st.reconnects, 1u);
  EXPECT_GT(st.frames.at(std::string(kSpot)), 0u);
  EXPECT_GT(st.bbo_rows, 0u);

  ReplayCounts n;
  const Views replayed = replay(dir_, specs, n);
  EXPECT_EQ(n.parse_errors, 0u);
  EXPECT_EQ(n.ws, st.frames.at(std::string(kSpot)) + st.frames.at(std::string(kReplayPerp)));
  EXPECT_EQ(n.snapshots, st.snapshots);
  EXPECT_GE(n.snapshots_by_symbol[std::string(kSpot)], 3u);  // start, after the gap, after the reconnect
  EXPECT_GE(n.snapshots_by_symbol[std::string(kReplayPerp)], 3u);
  EXPECT_GE(n.gap_events, 2u);
  EXPECT_EQ(n.reconnect_events, 2 * st.reconnects);  // one line per market
  for (std::string_view sym : {kSpot, kReplayPerp}) {
    const auto& a = live[std::string(sym)];
    const auto it = replayed.find(sym);
    ASSERT_NE(it, replayed.end()) << sym;
    const auto& b = it->second;
    ASSERT_GT(a.size(), 30u) << sym;
    ASSERT_EQ(a.size(), b.size()) << sym;
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_TRUE(a[i] == b[i]) << sym << " update #" << i << "\n live:   " << describe(a[i])
                                << "\n replay: " << describe(b[i]);
    }
  }

  // The BBO CSV has its header and one row per price change; the trades CSV only its header.
  std::vector<std::string> csvs;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.is_regular_file()) csvs.push_back(e.path().filename().string());
  }
  ASSERT_EQ(csvs.size(), 2u);
  for (const std::string& f : csvs) {
    std::ifstream in(fs::path(dir_) / f);
    std::string header;
    std::getline(in, header);
    std::size_t rows = 0;
    for (std::string row; std::getline(in, row);) ++rows;
    if (f.starts_with("bbo_SOL_")) {
      EXPECT_EQ(header, "timestamp_us,spot_bid,spot_ask,perp_bid,perp_ask,perp_premium_pct,spot_premium_pct");
      EXPECT_EQ(rows, st.bbo_rows);
    } else {
      EXPECT_TRUE(f.starts_with("trades_SOL_")) << f;
      EXPECT_EQ(rows, 0u);
    }
  }
}

TEST_F(RecordReplay, FilesRotateAtTheUtcDayBoundary) {
  // Receive times come from the injected clock: start 2 s before a UTC midnight, then jump past it.
  const TimestampUs midnight = utc_day_start(SystemClock().now_us()) + kUsPerDay;
  ManualClock clock(midnight - 2 * kUsPerSecond);
  app::RecorderOptions o;
  o.out_dir = dir_;
  o.rest_url = sim_.srv->http_url();
  o.ws_url = sim_.srv->ws_url();
  app::Recorder rec(io_, clock, {{"SOL", spec(kSpot), spec(kReplayPerp)}}, o);
  rec.start();
  auto frames = [&] {
    const app::RecordStats st = rec.stats();
    return st.frames.at(std::string(kSpot)) + st.frames.at(std::string(kReplayPerp));
  };
  ASSERT_TRUE(step_until([&] { return frames() >= 20 && rec.stats().bbo_rows >= 2; }));
  const std::uint64_t before = frames();
  clock.set_us(midnight + kUsPerSecond);
  ASSERT_TRUE(step_until([&] { return frames() >= before + 20 && rec.stats().bbo_rows >= 6; }));
  rec.stop();

  const std::string day1 = record::recording_file_name("X", midnight - kUsPerSecond, true).substr(2, 10);
  const std::string day2 = record::recording_file_name("X", midnight + kUsPerSecond, true).substr(2, 10);
  ASSERT_NE(day1, day2);
  for (std::string_view sym : {kSpot, kReplayPerp}) {
    for (const std::string& d : {day1, day2}) {
      EXPECT_TRUE(fs::exists(fs::path(dir_) / std::string(sym) / (d + ".frames.gz"))) << sym << " " << d;
    }
  }
  for (const std::string& d : {day1, day2}) {
    EXPECT_TRUE(fs::exists(fs::path(dir_) / ("bbo_SOL_" + d + ".csv"))) << d;
    EXPECT_TRUE(fs::exists(fs::path(dir_) / ("trades_SOL_" + d + ".csv"))) << d;
  }
  // Read back as one stream: every line of day 1 before every line of day 2, none lost.
  record::RecordingReader reader(dir_);
  record::FrameLine l;
  std::uint64_t ws = 0;
  TimestampUs prev = 0;
  while (reader.next(l)) {
    EXPECT_GE(l.receive_time_us, prev);
    prev = l.receive_time_us;
    ws += l.kind == record::FrameKind::kWs;
  }
  EXPECT_EQ(reader.error(), "");
  EXPECT_EQ(reader.files().size(), 4u);
  EXPECT_EQ(ws, frames());
}

}  // namespace
}  // namespace bparb
