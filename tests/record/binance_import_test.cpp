// Imports the real hftbacktest Binance sample (spot + USDⓈ-M BTCUSDT, 2024-08-08) and checks the result
// through our own depth pipeline (DepthSync + OrderBook) and through bpsim's ReplayModel.
// The data lives outside the repo in the sample data directory (BPARB_SAMPLE_DATA_DIR); the tests SKIP when it
// is absent.
#include "bparb/record/binance_import.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/replay_model.hpp"
#include "bparb/venue/backpack/parsers.hpp"

namespace bparb::record {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(BPARB_SAMPLE_DATA_DIR) + "/hftbacktest/examples";
const std::string kSpotFile = kData + "/spot/btcusdt_20240808.gz";
const std::string kPerpFile = kData + "/usdm/btcusdt_20240808.gz";

bool have_data() {
  return fs::exists(kSpotFile) && fs::exists(kPerpFile);
}

// The converted sample, built once for the whole suite (takes ~1 s).
struct Imported {
  BinanceMarketStats spot_stats, perp_stats;
  std::vector<ImportedLine> lines;
  fs::path dir;
};
const Imported& imported() {
  static const Imported* once = [] {
    auto* im = new Imported;
    auto s = convert_binance_file(kSpotFile, binance_stand_in_spec("SOL_USDC", false), false, im->spot_stats);
    auto p = convert_binance_file(kPerpFile, binance_stand_in_spec("SOL_USDC_PERP", true), true, im->perp_stats);
    im->lines = merge_by_time(std::move(s), std::move(p));
    im->dir = fs::temp_directory_path() / ("bparb_binance_import_" + std::to_string(::getpid()));
    fs::remove_all(im->dir);
    write_recording(im->lines, im->dir.string());
    return im;
  }();
  return *once;
}

class BinanceImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_data())
      GTEST_SKIP() << "hftbacktest sample not found at " << kData
                   << " (the sample data directory, BPARB_SAMPLE_DATA_DIR)";
  }
  static void TearDownTestSuite() {
    if (have_data()) fs::remove_all(imported().dir);
  }
};

TEST_F(BinanceImportTest, CountsMatchTheSourceAndNothingIsLost) {
  const Imported& im = imported();
  // The sample's published line counts: spot bookTicker 28040, depth 3451, trade 9757, 1 snapshot;
  // usdm 66089, 6551, 21313, 1.
  EXPECT_EQ(im.spot_stats.depth, 3451u);
  EXPECT_EQ(im.spot_stats.book_tickers, 28040u);
  EXPECT_EQ(im.spot_stats.trades, 9757u);
  EXPECT_EQ(im.spot_stats.snapshots, 1u);
  EXPECT_EQ(im.perp_stats.depth, 6551u);
  EXPECT_EQ(im.perp_stats.book_tickers, 66089u);
  EXPECT_EQ(im.perp_stats.trades, 21313u);
  EXPECT_EQ(im.perp_stats.snapshots, 1u);
  for (const auto* s : {&im.spot_stats, &im.perp_stats}) {
    EXPECT_EQ(s->off_grid, 0u);  // the stand-in steps hold every quantity exactly
    EXPECT_EQ(s->malformed, 0u);
    EXPECT_EQ(s->unknown, 0u);
    EXPECT_EQ(s->gaps, 0u);
  }
  EXPECT_EQ(im.lines.size(), 3451u + 28040 + 9757 + 1 + 6551 + 66089 + 21313 + 1);
}

TEST_F(BinanceImportTest, DirectoryRoundTripIsMergedInReceiveOrder) {
  const Imported& im = imported();
  RecordingReader r(im.dir.string());
  EXPECT_EQ(r.files().size(), 2u);  // SOL_USDC/2024-08-08.frames.gz, SOL_USDC_PERP/2024-08-08.frames.gz
  FrameLine l;
  std::size_t n = 0;
  TimestampUs prev = 0;
  std::size_t backwards = 0;
  std::size_t same_payload = 0;
  while (r.next(l)) {
    if (l.receive_time_us < prev) ++backwards;
    prev = l.receive_time_us;
    if (n < im.lines.size() && l.payload == im.lines[n].payload) ++same_payload;
    ++n;
  }
  EXPECT_TRUE(r.error().empty()) << r.error();
  EXPECT_EQ(n, im.lines.size());
  EXPECT_EQ(backwards, 0u);
  EXPECT_EQ(r.stats().malformed, 0u);
  EXPECT_EQ(r.stats().out_of_order, 0u);
  // Equal-time lines of the two markets may come in the other order; everything else is identical.
  EXPECT_GT(same_payload, im.lines.size() - 100);
}

// Replays the imported depth through DepthSync + OrderBook and compares the book with every bookTicker
// whose update id equals the book's (Binance bookTicker u is in the depth id space).
TEST_F(BinanceImportTest, DepthSyncBookMatchesBookTickers) {
  const Imported& im = imported();
  struct Mkt {
    explicit Mkt(const MarketSpec& s) : book(s), sync(book, DepthSyncConfig{0, 4096, 16}) {}
    OrderBook book;
    DepthSync sync;
    std::map<std::int64_t, std::pair<Decimal, Decimal>> pending;  // bookTicker u -> (bid, ask)
    std::uint64_t checks = 0, mismatches = 0;
  };
  std::map<std::string, std::unique_ptr<Mkt>, std::less<>> m;
  m.emplace("SOL_USDC", std::make_unique<Mkt>(binance_stand_in_spec("SOL_USDC", false)));
  m.emplace("SOL_USDC_PERP", std::make_unique<Mkt>(binance_stand_in_spec("SOL_USDC_PERP", true)));

  auto check = [](Mkt& k, Decimal bid, Decimal ask) {
    ++k.checks;
    if (k.book.best_bid().price != bid || k.book.best_ask().price != ask) ++k.mismatches;
  };
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  DepthSnapshot snap;
  simdjson::dom::parser dom;
  std::uint64_t parse_errors = 0;
  for (const ImportedLine& l : im.lines) {
    if (l.kind == FrameKind::kRestDepth) {
      simdjson::dom::element doc;
      ASSERT_EQ(dom.parse(l.payload).get(doc), simdjson::SUCCESS);
      const std::string body = simdjson::minify(doc["data"]);
      ASSERT_TRUE(backpack::parse_depth_snapshot(parser, backpack::JsonInput(body), snap).ok());
      Mkt& k = *m.at(l.market);
      EXPECT_EQ(k.sync.on_snapshot(snap, l.receive_time_us), SyncAction::kBookUpdated);
      continue;
    }
    if (l.kind != FrameKind::kWs) continue;
    if (!backpack::parse_ws_frame(parser, backpack::JsonInput(l.payload), frame).ok()) {
      ++parse_errors;
      continue;
    }
    if (frame.type == backpack::WsFrameType::kDepth) {
      Mkt& k = *m.find(frame.depth.symbol)->second;
      k.sync.on_delta(frame.depth, l.receive_time_us);
      if (!k.sync.synced()) continue;
      // A bookTicker seen before the depth frame that reached its id.
      auto it = k.pending.find(k.book.last_update_id());
      if (it != k.pending.end()) check(k, it->second.first, it->second.second);
      k.pending.erase(k.pending.begin(), k.pending.upper_bound(k.book.last_update_id()));
    } else if (frame.type == backpack::WsFrameType::kBookTicker) {
      const auto& bt = frame.book_ticker;
      Mkt& k = *m.find(bt.symbol)->second;
      if (k.sync.synced() && bt.update_id == k.book.last_update_id()) {
        check(k, bt.bid_price, bt.ask_price);
      } else if (!k.sync.synced() || bt.update_id > k.book.last_update_id()) {
        k.pending[bt.update_id] = {bt.bid_price, bt.ask_price};
      }
    }
  }
  EXPECT_EQ(parse_errors, 0u);
  for (auto& [sym, k] : m) {
    SCOPED_TRACE(sym);
    EXPECT_TRUE(k->sync.synced());
    EXPECT_EQ(k->sync.stats().gaps, 0u);
    EXPECT_EQ(k->sync.stats().resyncs, 0u);
    EXPECT_EQ(k->sync.stats().malformed, 0u);
    EXPECT_EQ(k->sync.stats().rejected_levels, 0u);
    EXPECT_EQ(k->sync.stats().snapshots, 1u);
    EXPECT_GT(k->checks, 50u);
    EXPECT_EQ(k->mismatches, 0u);
    std::printf("%s: %llu bookTicker checks, %llu mismatches, %llu deltas applied\n", sym.c_str(),
                static_cast<unsigned long long>(k->checks), static_cast<unsigned long long>(k->mismatches),
                static_cast<unsigned long long>(k->sync.stats().applied));
  }
}

// bpsim replay of the imported recording: the exchange's book equals the recorded book along the way,
// and our order trades against the replayed liquidity.
TEST_F(BinanceImportTest, ReplayModelKeepsTheExchangeBookEqualToTheRecording) {
  const Imported& im = imported();
  ManualClock clock(1'723'161'253'000'000);
  sim::ExchangeConfig cfg;
  cfg.markets.push_back({binance_stand_in_spec("SOL_USDC", false), Decimal::from_int(61800)});
  cfg.markets.push_back({binance_stand_in_spec("SOL_USDC_PERP", true), Decimal::from_int(61800)});
  cfg.accounts.push_back(sim::AccountSetup{"me", {{"USDC", Decimal::from_int(1'000'000)}}, {}, {}, false});
  sim::Exchange ex(clock, cfg);
  const sim::AccountId me = *ex.find_account("me");
  RecordingReader reader(im.dir.string());
  sim::ReplayModel replay(ex, reader, sim::make_backpack_frame_decoder());

  auto same_book = [&](const char* sym) {
    const OrderBook* rec = replay.recorded_book(sym);
    const auto snap = ex.depth_snapshot(sym, 0);
    if (rec == nullptr || !snap) return false;
    // Exchange: both sides ascending. Recorded book: best at the back (bids ascending, asks descending).
    const auto rb = rec->levels(Side::kBid);
    const auto ra = rec->levels(Side::kAsk);
    if (snap->bids.size() != rb.size() || snap->asks.size() != ra.size()) return false;
    for (std::size_t i = 0; i < rb.size(); ++i) {
      if (snap->bids[i].price != rec->ticks_to_price(rb[i].price_ticks) ||
          snap->bids[i].quantity != rec->lots_to_quantity(rb[i].qty_lots)) {
        return false;
      }
    }
    for (std::size_t i = 0; i < ra.size(); ++i) {
      const PriceLevel& l = ra[ra.size() - 1 - i];
      if (snap->asks[i].price != rec->ticks_to_price(l.price_ticks) ||
          snap->asks[i].quantity != rec->lots_to_quantity(l.qty_lots)) {
        return false;
      }
    }
    return true;
  };

  // Compare at every 250th line once both books are synced.
  std::size_t n = 0, compared = 0, equal = 0;
  while (replay.apply_next()) {
    clock.set_us(std::max(clock.now_us(), replay.next_line_time_us()));
    if (++n % 250 != 0 || !replay.synced("SOL_USDC") || !replay.synced("SOL_USDC_PERP")) continue;
    for (const char* sym : {"SOL_USDC", "SOL_USDC_PERP"}) {
      ++compared;
      equal += same_book(sym) ? 1 : 0;
    }
    if (n == 60'000) {
      // Our market buy of 0.01 on the perp fills at the recorded best ask (and at most the next levels).
      const OrderBook* rec = replay.recorded_book("SOL_USDC_PERP");
      const BookFill want = rec->walk(Side::kBid, Decimal::from_string("0.01"));
      sim::SimOrderRequest req;
      req.symbol = "SOL_USDC_PERP";
      req.side = Side::kBid;
      req.order_type = OrderType::kMarket;
      req.quantity = Decimal::from_string("0.01");
      auto r = ex.execute(me, req);
      ASSERT_TRUE(r) << sim::reject_name(r.error());
      EXPECT_EQ(r->status, OrderStatus::kFilled);
      EXPECT_EQ(r->executed_quantity, Decimal::from_string("0.01"));
      EXPECT_EQ(r->executed_quote_quantity, want.notional);
      ASSERT_EQ(ex.positions(me).size(), 1u);
    }
  }
  const auto& st = replay.stats();
  EXPECT_EQ(st.lines, im.lines.size());
  EXPECT_EQ(st.parse_errors, 0u);
  EXPECT_EQ(st.unknown_symbol, 0u);
  EXPECT_EQ(st.gaps, 0u);
  EXPECT_EQ(st.syncs, 2u);
  EXPECT_EQ(st.orders_refused, 0u) << st.first_refusal;
  EXPECT_GT(compared, 500u);
  // Every comparison but those right after our own trade (which consumed background liquidity until the
  // recording touched those levels again: at most one comparison per market) must match exactly.
  EXPECT_GE(equal + 2, compared);
  std::printf("replay: %zu comparisons, %zu equal, %llu orders placed, %llu cancelled\n", compared, equal,
              static_cast<unsigned long long>(st.orders_placed), static_cast<unsigned long long>(st.orders_cancelled));
  // Marks follow the mids: perp mark = perp mid, index = spot mid.
  const auto mp = ex.mark_price("SOL_USDC_PERP");
  ASSERT_TRUE(mp);
  EXPECT_EQ(mp->mark_price, replay.recorded_book("SOL_USDC_PERP")->mid());
  EXPECT_EQ(mp->index_price, replay.recorded_book("SOL_USDC")->mid());
}

}  // namespace
}  // namespace bparb::record

namespace bparb::record {
namespace {

// Hand-made USD-M lines: pu chaining, one real break, an off-grid quantity, malformed/unknown lines and
// one line out of receive order. Runs without the shared data.
TEST(BinanceConvertTest, FuturesContinuityGapsAndBadLines) {
  BinanceMarketStats st;
  const auto out = convert_binance_file(std::string(BPARB_TEST_DATA_DIR) + "/binance_usdm_small.txt",
                                        binance_stand_in_spec("SOL_USDC_PERP", true), true, st);
  EXPECT_EQ(st.lines, 10u);
  EXPECT_EQ(st.malformed, 2u);  // "garbage" (no time) and the depth line without pu
  EXPECT_EQ(st.unknown, 1u);    // aggTrade
  EXPECT_EQ(st.out_of_order, 1u);
  EXPECT_EQ(st.off_grid, 1u);  // 0.0001 is finer than step 0.001: skipped, counted
  EXPECT_EQ(st.gaps, 1u);      // pu 121 != previous u 120
  EXPECT_EQ(st.depth, 4u);
  EXPECT_EQ(st.snapshots, 1u);
  EXPECT_EQ(st.book_tickers, 1u);
  EXPECT_EQ(st.trades, 1u);
  ASSERT_EQ(out.size(), 8u);  // 4 depth + snapshot + bookTicker + trade + the gap event

  // Sorted by receive time: the bookTicker (1.9 s) comes before the 2.0 s depth frame.
  EXPECT_EQ(out[0].payload, R"({"stream":"depth.SOL_USDC_PERP","data":{"e":"depth","E":1000000,"s":"SOL_USDC_PERP",)"
                            R"("a":[["100.5","2.000"]],"b":[["100.0","1.000"]],"U":90,"u":95,"T":999000}})");
  EXPECT_EQ(out[1].kind, FrameKind::kRestDepth);
  EXPECT_EQ(out[1].payload,
            R"({"symbol":"SOL_USDC_PERP","data":{"asks":[["100.5","2.000"],["100.6","0.100"]],)"
            R"("bids":[["100.0","1.000"],["100.1","1.500"]],"lastUpdateId":"96","timestamp":1499000}})");
  EXPECT_EQ(out[2].receive_time_us, 1'723'161'255'900'000);  // local ns / 1000
  EXPECT_EQ(out[2].payload,
            R"({"stream":"bookTicker.SOL_USDC_PERP","data":{"e":"bookTicker","E":1998000,"s":"SOL_USDC_PERP",)"
            R"("a":"100.5","A":"2.000","b":"100.0","B":"1.000","u":103,"T":1998000}})");
  // pu == previous u: U becomes previous u + 1 (96), Binance's U 97 is not kept.
  EXPECT_NE(out[3].payload.find(R"("U":96,"u":103)"), std::string::npos) << out[3].payload;
  // pu 103 == previous u: U 104 (the off-grid level is dropped, the frame is kept).
  EXPECT_NE(out[4].payload.find(R"("a":[],"b":[],"U":104,"u":120)"), std::string::npos) << out[4].payload;
  // The break is recorded as an event, and the frame keeps a U that still reads as a gap (>= prev u + 2).
  EXPECT_EQ(out[5].kind, FrameKind::kEvent);
  EXPECT_EQ(out[5].payload, R"({"type":"gap","symbol":"SOL_USDC_PERP","detail":"binance pu 121 after u 120"})");
  EXPECT_NE(out[6].payload.find(R"("U":125,"u":130)"), std::string::npos) << out[6].payload;
  EXPECT_EQ(out[7].payload,
            R"({"stream":"trade.SOL_USDC_PERP","data":{"e":"trade","E":3100000,"s":"SOL_USDC_PERP","p":"100.5",)"
            R"("q":"0.010","t":5,"T":3099000,"m":false}})");

  EXPECT_THROW(convert_binance_file("/nonexistent/file.gz", binance_stand_in_spec("X", false), false, st),
               std::runtime_error);
}

}  // namespace
}  // namespace bparb::record

namespace bparb::record {
namespace {

std::string fixture(const char* name) {
  return std::string(BPARB_TEST_DATA_DIR) + "/" + name;
}

// Runs `f`, expecting a std::runtime_error; returns its message ("" if nothing was thrown).
template <class F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

// An older-style file: local timestamps in µs, and no REST snapshot.
TEST(BinanceConvertTest, MicrosecondTimestampsAreDetectedAndDatedCorrectly) {
  BinanceMarketStats st;
  const auto out = convert_binance_file(fixture("binance_spot_us_no_snapshot.txt"),
                                        binance_stand_in_spec("SOL_USDC", false), false, st);
  EXPECT_EQ(st.ts_unit, TimestampUnit::kMicroseconds);
  EXPECT_TRUE(st.ts_unit_detected);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out.front().receive_time_us, 1'672'531'200'000'000);  // 2023-01-01 00:00:00 UTC, not 1970
  EXPECT_EQ(st.first_us, 1'672'531'200'000'000);
  EXPECT_EQ(st.last_us, 1'672'531'200'200'000);
  EXPECT_EQ(format_utc_us(st.first_us), "2023-01-01 00:00:00.000000 UTC");
  EXPECT_EQ(format_utc_us(st.last_us), "2023-01-01 00:00:00.200000 UTC");
  // Given explicitly, the same unit gives the same lines.
  BinanceMarketStats st2;
  const auto out2 =
      convert_binance_file(fixture("binance_spot_us_no_snapshot.txt"), binance_stand_in_spec("SOL_USDC", false), false,
                           st2, TimestampUnit::kMicroseconds);
  EXPECT_FALSE(st2.ts_unit_detected);
  ASSERT_EQ(out2.size(), out.size());
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out2[i].receive_time_us, out[i].receive_time_us);
}

TEST(BinanceConvertTest, NoSnapshotIsReportedAsUnsynchronisableDepth) {
  BinanceMarketStats st;
  convert_binance_file(fixture("binance_spot_us_no_snapshot.txt"), binance_stand_in_spec("SOL_USDC", false), false, st);
  EXPECT_EQ(st.snapshots, 0u);
  EXPECT_EQ(st.depth, 2u);
  const std::string why = depth_sync_problem(st);
  EXPECT_NE(why.find("2 depth diffs but no REST depth snapshot"), std::string::npos) << why;
  EXPECT_NE(why.find("cannot be synchronised"), std::string::npos) << why;
  EXPECT_NE(why.find("best bid/ask (bookTicker, 2 lines) and the trades (1)"), std::string::npos) << why;
  EXPECT_NE(why.find("backtest"), std::string::npos) << why;
  // With a snapshot there is nothing to say.
  BinanceMarketStats ok;
  convert_binance_file(fixture("binance_usdm_small.txt"), binance_stand_in_spec("SOL_USDC_PERP", true), true, ok);
  EXPECT_EQ(depth_sync_problem(ok), "");
}

TEST(BinanceConvertTest, AWrongGivenUnitIsRefusedNamingFileLineAndTheUnitThatFits) {
  BinanceMarketStats st;
  const std::string why = refusal([&] {
    convert_binance_file(fixture("binance_spot_us_no_snapshot.txt"), binance_stand_in_spec("SOL_USDC", false), false,
                         st, TimestampUnit::kNanoseconds);
  });
  EXPECT_NE(why.find("binance_spot_us_no_snapshot.txt:1: local timestamp 1672531200000000 in ns (--ts-unit)"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("year 1970"), std::string::npos) << why;
  EXPECT_NE(why.find("it reads plausibly in us"), std::string::npos) << why;
}

TEST(BinanceConvertTest, ALineThatCannotBeDatedIsRefusedWithFileAndLine) {
  BinanceMarketStats st;
  // Lines 1-2 are ns (detected); line 3 carries seconds: 1970 in ns, refused.
  const std::string why = refusal([&] {
    convert_binance_file(fixture("binance_bad_time.txt"), binance_stand_in_spec("SOL_USDC_PERP", true), true, st);
  });
  EXPECT_NE(why.find("binance_bad_time.txt:3: local timestamp 1723161255 in ns (detected from line 1)"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("not a plausible time"), std::string::npos) << why;
  // A first line no unit can date: refused before guessing.
  const fs::path dir = fs::temp_directory_path() / ("bparb_badts_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path f = dir / "seconds.txt";
  std::FILE* fp = std::fopen(f.c_str(), "w");
  ASSERT_NE(fp, nullptr);
  std::fputs("1723161255 {\"stream\":\"btcusdt@trade\",\"data\":{}}\n", fp);
  std::fclose(fp);
  const std::string why2 =
      refusal([&] { convert_binance_file(f.string(), binance_stand_in_spec("SOL_USDC", false), false, st); });
  EXPECT_NE(why2.find("seconds.txt:1: local timestamp 1723161255 is not a plausible time in ns, us or ms"),
            std::string::npos)
      << why2;
  fs::remove_all(dir);
}

TEST(BinanceConvertTest, TimestampUnitNames) {
  TimestampUnit u{};
  for (const char* n : {"auto", "ns", "us", "ms"}) {
    ASSERT_TRUE(parse_timestamp_unit(n, u)) << n;
    EXPECT_EQ(timestamp_unit_name(u), n);
  }
  EXPECT_FALSE(parse_timestamp_unit("s", u));
  EXPECT_FALSE(parse_timestamp_unit("", u));
}

// markPrice frames become Backpack markPrice frames with the funding rate and next funding time.
TEST(BinanceConvertTest, MarkPriceFramesCarryMarkIndexFundingRateAndNextFundingTime) {
  BinanceMarketStats st;
  const auto out = convert_binance_file(fixture("binance_usdm_markprice.txt"),
                                        binance_stand_in_spec("SOL_USDC_PERP", true), true, st);
  EXPECT_EQ(st.mark_prices, 2u);
  EXPECT_EQ(st.malformed, 1u);  // the third frame has no funding rate
  EXPECT_EQ(st.unknown, 0u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload,
            R"({"stream":"markPrice.SOL_USDC_PERP","data":{"e":"markPrice","E":1723161256271000,"s":"SOL_USDC_PERP",)"
            R"("p":"61795.93217391","f":"0.0001","i":"61830.23369565","n":1723161600000,"T":1723161256271000}})");
  // `@markPrice` (3 s) is the same stream at a slower cadence; negative rates are kept.
  EXPECT_NE(out[1].payload.find(R"("f":"-0.000025")"), std::string::npos) << out[1].payload;
  // Our own parser reads it back as a funding update.
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  ASSERT_TRUE(backpack::parse_ws_frame(parser, backpack::JsonInput(out[0].payload), frame).ok());
  ASSERT_EQ(frame.type, backpack::WsFrameType::kMarkPrice);
  EXPECT_TRUE(frame.mark_price.has_funding);
  EXPECT_EQ(frame.mark_price.funding_rate, Decimal::from_string("0.0001"));
  EXPECT_EQ(frame.mark_price.mark_price, Decimal::from_string("61795.93217391"));
  EXPECT_EQ(frame.mark_price.index_price, Decimal::from_string("61830.23369565"));
  EXPECT_EQ(frame.mark_price.next_funding_ms, 1'723'161'600'000);
}

}  // namespace
}  // namespace bparb::record
