// Parsed replay events: what each recorded line becomes, and that replaying the parsed events gives
// exactly the result of replaying the lines (a sweep replays parsed events, a single run the lines).
#include "bparb/backtest/parsed_recording.hpp"

#include <gtest/gtest.h>

#include "backtest_test_util.hpp"
#include "bparb/backtest/report.hpp"
#include "bparb/backtest/runner.hpp"

namespace bparb::backtest {
namespace {

using namespace bparb::backtest::testing;
constexpr TimestampUs kOneSecond = kUsPerSecond;

// A premium that opens and converges, plus every kind of line the replay counts rather than applies.
Script mixed_script() {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
  s.mark(kT0 + 100, "SOL_USDC_PERP", "100.00", "0.0001", (kT0 / kUsPerMs / 3'600'000 + 1) * 3'600'000);
  s.trade(kT0 + 200, "SOL_USDC", "100.00", "1", false);
  s.depth(kT0 + 1 * kOneSecond, "SOL_USDC_PERP", {{"99.95", "0"}, {"101.00", "100"}},
          {{"100.05", "0"}, {"101.10", "100"}});
  s.depth(kT0 + 1 * kOneSecond + 5, "ETH_USDC", {{"3000", "1"}}, {});  // a market no pair uses
  s.raw(kT0 + 1 * kOneSecond + 6, record::FrameKind::kRestDepth, R"({"symbol":"ETH_USDC","data":{}})");
  s.raw(kT0 + 1 * kOneSecond + 7, record::FrameKind::kRestDepth, R"({"symbol":"SOL_USDC","data":{"bids":7}})");
  s.raw(kT0 + 1 * kOneSecond + 8, record::FrameKind::kWs, "not json");
  s.raw(kT0 + 1 * kOneSecond + 9, record::FrameKind::kEvent, R"({"type":"gap","symbol":"SOL_USDC"})");
  s.depth(kT0 + 2 * kOneSecond, "SOL_USDC", {{"99.90", "0"}, {"100.50", "100"}}, {{"100.00", "0"}, {"100.60", "100"}});
  s.depth(kT0 + 2 * kOneSecond + 1, "SOL_USDC_PERP", {{"101.00", "0"}, {"100.40", "100"}},
          {{"101.10", "0"}, {"100.50", "100"}});
  s.raw(kT0 + 3 * kOneSecond, record::FrameKind::kEvent, R"({"type":"reconnect","symbol":"SOL_USDC_PERP"})");
  s.snapshot(kT0 + 4 * kOneSecond, "SOL_USDC_PERP", {{"100.40", "100"}}, {{"100.50", "100"}});
  return s;
}

ParsedRecording parse_all(record::FrameSource& src) {
  ParsedRecording p;
  record::FrameLine line;
  while (src.next(line)) p.append(line);
  return p;
}

TEST(ParsedRecording, EachLineBecomesOneEventWithItsLevelsInTheArena) {
  Script s = mixed_script();
  const ParsedRecording p = parse_all(s.src);
  const auto ev = p.events();
  ASSERT_EQ(ev.size(), s.src.size());
  EXPECT_EQ(ev[0].kind, ParsedKind::kSnapshot);
  EXPECT_EQ(p.symbol(ev[0].symbol), "SOL_USDC");
  ASSERT_EQ(p.bids(ev[0]).size(), 1u);
  EXPECT_EQ(p.bids(ev[0])[0].price, D("99.90"));
  EXPECT_EQ(p.asks(ev[0])[0].price, D("100.00"));
  EXPECT_EQ(ev[2].kind, ParsedKind::kMark);
  EXPECT_TRUE(ev[2].flag);
  EXPECT_EQ(ev[2].value2, D("0.0001"));
  EXPECT_EQ(ev[3].kind, ParsedKind::kTrade);
  EXPECT_EQ(ev[3].value1, D("100.00"));
  EXPECT_EQ(ev[4].kind, ParsedKind::kDepth);
  EXPECT_EQ(p.bids(ev[4]).size(), 2u);
  EXPECT_EQ(p.asks(ev[4])[1].price, D("101.10"));
  EXPECT_EQ(ev[6].kind, ParsedKind::kSnapshotMalformed);  // unknown market: counted as such at replay
  EXPECT_EQ(ev[7].kind, ParsedKind::kSnapshotMalformed);
  EXPECT_EQ(ev[8].kind, ParsedKind::kMalformed);
  EXPECT_EQ(ev[9].kind, ParsedKind::kIgnoredEvent);
  EXPECT_EQ(ev[12].kind, ParsedKind::kReset);
  EXPECT_TRUE(ev[12].flag);
  EXPECT_EQ(p.symbol(ev[12].symbol), "SOL_USDC_PERP");
  EXPECT_EQ(ev[0].symbol, ev[10].symbol);  // symbols are interned
}

TEST(ParsedRecording, EachLineIsDecodedByTheDecoderOfItsVenueTag) {
  // A Lighter order_book update (the shape bpsim's Lighter front-end sends; tests/backtest/data/lighter_sol
  // holds a whole recording): tagged lighter it is a depth delta, untagged it is read as Backpack's: a
  // frame of no Backpack stream the replay uses, only counted.
  const std::string update =
      R"({"channel":"order_book:2","offset":7,"order_book":{"code":0,"asks":[{"price":"150.030","size":"0.000"}],)"
      R"("bids":[{"price":"149.985","size":"392.838"}],"offset":7,"nonce":1012,"begin_nonce":1009,)"
      R"("last_updated_at":1796646651161988},"timestamp":1796646651161,"type":"update/order_book"})";
  record::VectorFrameSource src({{kT0, record::FrameKind::kWs, update, VenueId::kLighter},
                                 {kT0 + 1, record::FrameKind::kWs, update, VenueId::kBackpack}});
  const ParsedRecording p = parse_all(src);
  ASSERT_EQ(p.events().size(), 2u);
  const ParsedEvent& e = p.events()[0];
  EXPECT_EQ(e.kind, ParsedKind::kDepth);
  EXPECT_EQ(e.venue, VenueId::kLighter);
  EXPECT_EQ(p.symbol(e.symbol), "lighter:2");
  EXPECT_EQ(e.first_id, 1010);  // begin_nonce + 1
  EXPECT_EQ(e.last_id, 1012);   // nonce
  ASSERT_EQ(p.bids(e).size(), 1u);
  EXPECT_EQ(p.bids(e)[0].price, D("149.985"));
  ASSERT_EQ(p.asks(e).size(), 1u);
  EXPECT_TRUE(p.asks(e)[0].quantity.is_zero());
  EXPECT_EQ(p.events()[1].kind, ParsedKind::kOtherFrame);
  EXPECT_EQ(p.events()[1].venue, VenueId::kBackpack);
}

TEST(ParsedRecording, ReplayingParsedEventsGivesTheResultOfReplayingTheLines) {
  for (const TimestampUs to : {TimestampUs{0}, kT0 + 2 * kOneSecond}) {
    RunnerConfig c = scripted_config();
    c.to_us = to;
    Script lines = mixed_script();
    Runner from_lines(c);
    const BacktestResult a = from_lines.run(lines.src);
    Script again = mixed_script();
    const ParsedRecording parsed = parse_all(again.src);
    Runner from_parsed(c);
    const BacktestResult b = from_parsed.run(parsed);
    EXPECT_EQ(render_summary_json(a), render_summary_json(b));
    EXPECT_EQ(render_report_html(a), render_report_html(b));
    const RunnerStats& x = from_lines.stats();
    const RunnerStats& y = from_parsed.stats();
    EXPECT_EQ(x.depth_frames, y.depth_frames);
    EXPECT_EQ(x.snapshots, y.snapshots);
    EXPECT_EQ(x.trades_seen, y.trades_seen);
    EXPECT_EQ(x.unknown_symbol, y.unknown_symbol);
    EXPECT_EQ(x.other_frames, y.other_frames);
    EXPECT_EQ(x.fills, y.fills);
    if (to == 0) {
      EXPECT_EQ(a.malformed_frames, 2u);
      EXPECT_EQ(x.unknown_symbol, 2u);
      EXPECT_EQ(a.resyncs, 1u);
      EXPECT_EQ(a.trades.size(), 1u);
    }
  }
}

TEST(ParseAhead, ChunksParsedOnAThreadReplayLikeTheLines) {
  // Small chunks, few in flight: the parse thread waits for the replay, and a `to` stops it mid-stream.
  for (const TimestampUs to : {TimestampUs{0}, kT0 + 2 * kOneSecond}) {
    RunnerConfig c = scripted_config();
    c.to_us = to;
    Script lines = mixed_script();
    Runner from_lines(c);
    const BacktestResult a = from_lines.run(lines.src);
    Script again = mixed_script();
    ParseAhead ahead(again.src, 3, 2);
    Runner from_chunks(c);
    const BacktestResult b = from_chunks.run(ahead);
    EXPECT_EQ(render_summary_json(a), render_summary_json(b));
    EXPECT_EQ(from_lines.stats().unknown_symbol, from_chunks.stats().unknown_symbol);
    EXPECT_EQ(from_lines.stats().other_frames, from_chunks.stats().other_frames);
  }
}

TEST(ParseAhead, EndsWithNullAndAnEmptySourceGivesNoChunk) {
  record::VectorFrameSource empty;
  ParseAhead a(empty);
  EXPECT_EQ(a.next_chunk(), nullptr);
  EXPECT_EQ(a.next_chunk(), nullptr);
  Script s = mixed_script();
  ParseAhead b(s.src, 5, 2);
  std::size_t events = 0;
  while (const ParsedRecording* c = b.next_chunk()) events += c->events().size();
  EXPECT_EQ(events, s.src.size());
}

}  // namespace
}  // namespace bparb::backtest
