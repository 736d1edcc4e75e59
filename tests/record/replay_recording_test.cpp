// bpsim's [replay] mode end to end with a recording made by `bparb record` (tests/record/data/paper_sol:
// 3 s of SOL_USDC + SOL_USDC_PERP from a paper-mode bpsim with one forced WebSocket drop; made with
//   bparb record --config tests/record/data/paper_sol_bparb.toml --out DIR --duration 3
// and paper_sol_sim.toml as the embedded simulator's config).
// SimRuntime replays it line by line on a manual clock; after every distinct receive time the simulated
// exchange's books must equal the books an independent DepthSync/OrderBook builds from the same lines,
// and be empty while the recording has no valid book (before the first snapshot, after the reconnect).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/parsers.hpp"

namespace bparb {
namespace {

const std::string kRecording = std::string(BPARB_TEST_DATA_DIR) + "/paper_sol";
constexpr std::size_t kLevels = 10;

struct Line {
  TimestampUs t = 0;
  record::FrameKind kind = record::FrameKind::kWs;
  std::string payload;
};

std::vector<Line> read_lines(const std::string& path) {
  record::RecordingReader r(path);
  std::vector<Line> out;
  record::FrameLine l;
  while (r.next(l)) out.push_back({l.receive_time_us, l.kind, std::string(l.payload)});
  EXPECT_EQ(r.error(), "");
  EXPECT_EQ(r.stats().malformed, 0u);
  return out;
}

// The reference consumer: parser + DepthSync + OrderBook per market, fed one line at a time.
class ReferenceBooks {
 public:
  explicit ReferenceBooks(const std::vector<MarketSpec>& specs) {
    for (const MarketSpec& s : specs) books_.emplace(s.symbol, std::make_unique<Book>(s));
  }
  void apply(const Line& l) {
    if (l.kind == record::FrameKind::kWs) {
      ASSERT_TRUE(backpack::parse_ws_frame(parser_, backpack::JsonInput(l.payload), frame_).ok()) << l.payload;
      if (frame_.type == backpack::WsFrameType::kDepth) book(frame_.depth.symbol).sync.on_delta(frame_.depth, l.t);
      return;
    }
    simdjson::dom::element doc;
    ASSERT_EQ(dom_.parse(l.payload).get(doc), simdjson::SUCCESS) << l.payload;
    std::string_view sym;
    ASSERT_EQ(doc["symbol"].get_string().get(sym), simdjson::SUCCESS) << l.payload;
    if (l.kind == record::FrameKind::kRestDepth) {
      ++snapshots;
      const std::string body = simdjson::minify(doc["data"]);
      ASSERT_TRUE(backpack::parse_depth_snapshot(parser_, backpack::JsonInput(body), snap_).ok());
      book(sym).sync.on_snapshot(snap_, l.t);
    } else {
      ++events;
      std::string_view type;
      ASSERT_EQ(doc["type"].get_string().get(type), simdjson::SUCCESS);
      if (type == "reconnect") book(sym).sync.reset();
    }
  }
  bool valid(std::string_view sym) { return book(sym).sync.synced(); }
  const OrderBook& ob(std::string_view sym) { return book(sym).book; }
  std::uint64_t snapshots = 0;
  std::uint64_t events = 0;

 private:
  struct Book {
    explicit Book(const MarketSpec& s) : spec(s), book(spec, 2048), sync(book, DepthSyncConfig{}) {}
    MarketSpec spec;
    OrderBook book;
    DepthSync sync;
  };
  Book& book(std::string_view sym) {
    auto it = books_.find(sym);
    EXPECT_NE(it, books_.end()) << sym;
    return *it->second;
  }
  std::map<std::string, std::unique_ptr<Book>, std::less<>> books_;
  backpack::JsonParser parser_;
  backpack::WsFrame frame_;
  DepthSnapshot snap_;
  simdjson::dom::parser dom_;
};

TEST(ReplayRecordedPaperTest, BpsimReplaysARecorderRecordingExactly) {
  const std::vector<Line> lines = read_lines(kRecording);
  ASSERT_GT(lines.size(), 500u);
  const TimestampUs t0 = lines.front().t;
  const std::string toml = "[runtime]\nstep_interval_ms = 0\nstart_time_ms = " + std::to_string(t0 / 1000) +
                           "\n[exchange]\nmarkets = [\"SOL_USDC\", \"SOL_USDC_PERP\"]\n"
                           "[replay]\nenabled = true\npath = \"" +
                           kRecording + "\"\n";
  const sim::SimConfig c = sim::parse_sim_config(toml, "replay.toml");
  ManualClock wall(t0);
  boost::asio::io_context io;
  sim::SimRuntime rt(io, c, &wall, sim::make_backpack_frame_decoder);
  ASSERT_NE(rt.replay(), nullptr);
  std::vector<MarketSpec> specs;
  for (const char* s : {"SOL_USDC", "SOL_USDC_PERP"}) specs.push_back(*rt.exchange().market(s));
  ReferenceBooks ref(specs);

  std::size_t compared_valid = 0;
  std::size_t compared_empty = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ref.apply(lines[i]);
    if (i + 1 < lines.size() && lines[i + 1].t == lines[i].t) continue;  // the replay applies equal times together
    wall.set_us(lines[i].t);
    rt.step();
    for (const MarketSpec& s : specs) {
      const auto ex = rt.exchange().depth_snapshot(s.symbol, kLevels);
      ASSERT_TRUE(ex.has_value());
      if (!ref.valid(s.symbol)) {
        ASSERT_TRUE(ex->bids.empty() && ex->asks.empty())
            << s.symbol << " has liquidity without a valid record at line " << i;
        ++compared_empty;
        continue;
      }
      const OrderBook& b = ref.ob(s.symbol);
      ASSERT_EQ(ex->bids.size(), std::min(kLevels, b.level_count(Side::kBid))) << s.symbol << " line " << i;
      ASSERT_EQ(ex->asks.size(), std::min(kLevels, b.level_count(Side::kAsk))) << s.symbol << " line " << i;
      for (std::size_t k = 0; k < ex->bids.size(); ++k) {  // snapshot sides ascending: best bid last
        const LevelUpdate& l = ex->bids[ex->bids.size() - 1 - k];
        ASSERT_EQ(l.price, b.level(Side::kBid, k).price) << s.symbol << " line " << i << " bid " << k;
        ASSERT_EQ(l.quantity, b.level(Side::kBid, k).quantity) << s.symbol << " line " << i << " bid " << k;
      }
      for (std::size_t k = 0; k < ex->asks.size(); ++k) {
        ASSERT_EQ(ex->asks[k].price, b.level(Side::kAsk, k).price) << s.symbol << " line " << i << " ask " << k;
        ASSERT_EQ(ex->asks[k].quantity, b.level(Side::kAsk, k).quantity) << s.symbol << " line " << i << " ask " << k;
      }
      ++compared_valid;
    }
  }
  EXPECT_TRUE(rt.replay()->finished());
  const sim::ReplayStats& st = rt.replay()->stats();
  EXPECT_EQ(st.lines, lines.size());
  EXPECT_EQ(st.parse_errors, 0u);
  EXPECT_EQ(st.unknown_symbol, 0u);
  EXPECT_EQ(st.orders_refused, 0u) << st.first_refusal;
  EXPECT_EQ(st.snapshots, ref.snapshots);
  EXPECT_EQ(ref.snapshots, 4u);  // start + after the reconnect, per market
  EXPECT_EQ(st.events, ref.events);
  EXPECT_EQ(ref.events, 2u);  // the forced drop: one reconnect line per market
  EXPECT_GE(st.syncs, 4u);
  EXPECT_GT(compared_valid, 400u);
  EXPECT_GT(compared_empty, 10u);  // before the first snapshot and after the reconnect
}

}  // namespace
}  // namespace bparb
