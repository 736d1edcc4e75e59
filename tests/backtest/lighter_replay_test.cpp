// Lighter lines in the backtest: a recording made by `bparb record --venue lighter` against bpsim's
// simulated Lighter decodes through the Lighter frame
// parser into snapshots, nonce-chained depth deltas and trades, and the runner follows the Lighter book
// for the report's book validity: valid from the venue's snapshot, invalid at a reconnect or a break of
// the nonce chain until the next snapshot, never a reason to refuse the run.
//
// tests/backtest/data/lighter_sol/ is such a recording, as written: bpsim run with
// config/sim-backpack-lighter.toml (its Lighter listener on a fixed loopback port, the BTC market left
// out), `bparb record --venue lighter --duration 22` with [venues.lighter] pointing at it and the SOL pair
// enabled, and bpsim stopped and started again after 11 s, so the recording holds the recorder's resync
// and reconnect events and the venue's second snapshot. The chain break below is made by leaving out one
// of its update lines, as a lost frame would.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backtest_test_util.hpp"
#include "bparb/backtest/coverage.hpp"
#include "bparb/backtest/parsed_recording.hpp"
#include "bparb/backtest/report.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/record/recording.hpp"

namespace bparb::backtest {
namespace {

using namespace bparb::backtest::testing;

const std::string kFixture = std::string(BPARB_TEST_DATA_DIR) + "/lighter_sol";
constexpr const char* kMarket = "lighter:2";  // bpsim's SOL perp on Lighter

std::vector<record::VectorFrameSource::Line> read_fixture() {
  record::RecordingReader reader(kFixture);
  std::vector<record::VectorFrameSource::Line> out;
  record::FrameLine l;
  while (reader.next(l)) out.push_back({l.receive_time_us, l.kind, std::string(l.payload), l.venue});
  EXPECT_TRUE(reader.error().empty()) << reader.error();
  return out;
}

ParsedRecording parse(const std::vector<record::VectorFrameSource::Line>& lines) {
  ParsedRecording p;
  for (const auto& l : lines) p.append(record::FrameLine{l.receive_time_us, l.kind, l.payload, l.venue});
  return p;
}

const BookValidity* lighter_validity_of(const BacktestResult& r, const std::string& sym) {
  for (const BookValidity& b : r.books)
    if (b.symbol == sym) return &b;
  return nullptr;
}

bool is_reset(const std::vector<record::VectorFrameSource::Line>& lines, std::size_t i) {
  return lines[i].kind == record::FrameKind::kEvent && (lines[i].payload.find("\"reconnect\"") != std::string::npos ||
                                                        lines[i].payload.find("\"resync\"") != std::string::npos);
}

TEST(LighterReplay, RecordedFramesDecodeIntoSnapshotsChainedDeltasAndTrades) {
  const auto lines = read_fixture();
  ASSERT_GT(lines.size(), 20u);
  const ParsedRecording p = parse(lines);
  std::size_t snapshots = 0, depths = 0, trades = 0, resets = 0;
  std::int64_t last = -1;  // the previous delta's (or snapshot's) last id, -1 after a reset
  for (const ParsedEvent& e : p.events()) {
    EXPECT_EQ(e.venue, VenueId::kLighter);
    switch (e.kind) {
      case ParsedKind::kSnapshot:
        ++snapshots;
        EXPECT_EQ(p.symbol(e.symbol), kMarket);
        EXPECT_FALSE(p.bids(e).empty());
        EXPECT_FALSE(p.asks(e).empty());
        EXPECT_LT(p.bids(e).front().price, p.asks(e).front().price);  // bids best first, asks ascending
        last = e.last_id;
        break;
      case ParsedKind::kDepth:
        ++depths;
        EXPECT_EQ(p.symbol(e.symbol), kMarket);
        EXPECT_GE(e.last_id, e.first_id);
        EXPECT_GT(e.bid_count + e.ask_count, 0u);
        // The recording as the venue sent it: each update's begin_nonce is the previous frame's nonce.
        if (last >= 0) {
          EXPECT_EQ(e.first_id, last + 1);
        }
        last = e.last_id;
        break;
      case ParsedKind::kTrade:
        ++trades;
        EXPECT_EQ(p.symbol(e.symbol), kMarket);
        EXPECT_TRUE(e.value1.is_positive());
        EXPECT_TRUE(e.value2.is_positive());
        break;
      case ParsedKind::kReset:
        ++resets;
        EXPECT_TRUE(e.flag);
        EXPECT_EQ(p.symbol(e.symbol), kMarket);
        last = -1;
        break;
      case ParsedKind::kOtherFrame:
      case ParsedKind::kIgnoredEvent:
        break;
      default:
        ADD_FAILURE() << "unexpected event kind " << static_cast<int>(e.kind);
    }
  }
  EXPECT_GE(snapshots, 2u);  // the first subscription's and the one after the reconnect
  EXPECT_GE(resets, 1u);
  EXPECT_GT(depths, 10u);
  EXPECT_GT(trades, 0u);
}

// Time valid of the Lighter book in `lines`, computed from the lines themselves: from each snapshot to the
// first reset or chain break after it, or to the end.
struct Expected {
  DurationUs valid_us = 0;
  TimestampUs first_valid_us = 0;
  std::uint64_t invalidations = 0;
};
Expected expected_validity(const std::vector<record::VectorFrameSource::Line>& lines) {
  const ParsedRecording p = parse(lines);
  Expected x;
  bool valid = false;
  TimestampUs since = 0;
  std::int64_t last = 0;
  const TimestampUs end = lines.back().receive_time_us;
  for (const ParsedEvent& e : p.events()) {
    const bool was = valid;
    if (e.kind == ParsedKind::kSnapshot && !valid) {
      valid = true;
      last = e.last_id;
    } else if (e.kind == ParsedKind::kDepth && valid) {
      if (e.last_id <= last) continue;
      if (e.first_id > last + 1) valid = false;
      last = e.last_id;
    } else if (e.kind == ParsedKind::kReset) {
      valid = false;
    }
    if (!was && valid) {
      since = e.receive_time_us;
      if (x.first_valid_us == 0) x.first_valid_us = since;
    } else if (was && !valid) {
      x.valid_us += e.receive_time_us - since;
      ++x.invalidations;
    }
  }
  if (valid) x.valid_us += end - since;
  return x;
}

TEST(LighterReplay, TheRunnerFollowsTheLighterBookAcrossAReconnectAndAChainBreak) {
  const auto lines = read_fixture();
  {
    record::VectorFrameSource src(lines);
    Runner r(scripted_config());
    const BacktestResult res = r.run(src);
    const BookValidity* b = lighter_validity_of(res, kMarket);
    ASSERT_NE(b, nullptr);
    EXPECT_FALSE(b->traded);
    const Expected x = expected_validity(lines);
    EXPECT_EQ(x.invalidations, 1u);  // the reconnect
    EXPECT_EQ(b->valid_us, x.valid_us);
    EXPECT_EQ(b->first_valid_us, x.first_valid_us);
    EXPECT_EQ(b->invalidations, x.invalidations);
    EXPECT_GE(b->snapshots, 2u);
    EXPECT_GT(b->depth_frames, 10u);
    EXPECT_EQ(res.malformed_frames, 0u);
    // The traded (Backpack) markets have no lines here: they are the reason a run is refused, not Lighter's.
    const std::string why = no_valid_book_reason(res.books);
    EXPECT_NE(why.find("SOL_USDC never had a valid order book"), std::string::npos) << why;
    EXPECT_EQ(why.find(kMarket), std::string::npos) << why;
    EXPECT_NE(render_summary_json(res).find(std::string("\"symbol\": \"") + kMarket + "\""), std::string::npos);
    EXPECT_NE(render_report_html(res).find(kMarket), std::string::npos);
  }
  // The same recording with one update lost before the reconnect: the next update breaks the chain and
  // the book stays invalid until the snapshot after the reconnect.
  auto gapped = lines;
  std::size_t first_reset = 0;
  while (first_reset < gapped.size() && !is_reset(gapped, first_reset)) ++first_reset;
  ASSERT_LT(first_reset, gapped.size());
  std::size_t drop = gapped.size();
  std::size_t depth_seen = 0;
  for (std::size_t i = 0; i < first_reset; ++i) {
    const bool update = gapped[i].payload.find("\"update/order_book\"") != std::string::npos;
    if (update && ++depth_seen == 3) drop = i;  // the third update after the snapshot
  }
  ASSERT_LT(drop, first_reset);
  gapped.erase(gapped.begin() + static_cast<std::ptrdiff_t>(drop));
  const Expected x = expected_validity(gapped);
  EXPECT_EQ(x.invalidations, 1u);  // the break; the reconnect then finds the book already invalid
  record::VectorFrameSource src(gapped);
  Runner r(scripted_config());
  const BacktestResult res = r.run(src);
  const BookValidity* b = lighter_validity_of(res, kMarket);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->valid_us, x.valid_us);
  EXPECT_EQ(b->invalidations, x.invalidations);
  EXPECT_LT(b->valid_us, expected_validity(lines).valid_us);
}

}  // namespace
}  // namespace bparb::backtest
