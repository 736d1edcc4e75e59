// The simulated venue's parts apart from the runner: the maker queue model, the latency validation, and
// the runner picking each recorded line's decoder by its venue tag.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "backtest_test_util.hpp"
#include "bparb/backtest/queue_model.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/backtest/sim_venue.hpp"

namespace bparb::backtest {
namespace {

using namespace bparb::backtest::testing;

TEST(QueueModel, TradesAtOurPriceConsumeTheQueueAheadFirst) {
  QueueModel q;
  q.add(7, 0, Side::kBid, 100, 5);  // a bid at 100 behind 5 lots
  QueueModel::Hits hits{};
  std::int64_t lots = 3;  // a seller hits 100 for 3: all of it goes to the queue ahead
  EXPECT_EQ(q.on_trade(0, 100, /*buyer_is_maker=*/true, lots, hits), 0u);
  EXPECT_EQ(lots, 0);
  lots = 4;  // 2 left ahead, then 2 reach us
  ASSERT_EQ(q.on_trade(0, 100, true, lots, hits), 1u);
  EXPECT_EQ(hits[0], 7u);
  EXPECT_EQ(lots, 2);
}

TEST(QueueModel, OnlyTheOtherSidesAggressorAndOurMarketReachUs) {
  QueueModel q;
  q.add(7, 0, Side::kBid, 100, 0);
  QueueModel::Hits hits{};
  std::int64_t lots = 3;
  EXPECT_EQ(q.on_trade(0, 100, /*buyer_is_maker=*/false, lots, hits), 0u);  // a buyer lifting an ask at 100
  EXPECT_EQ(q.on_trade(1, 100, true, lots, hits), 0u);                      // another market
  EXPECT_EQ(q.on_trade(0, 101, true, lots, hits), 0u);                      // above our bid
  EXPECT_EQ(lots, 3);
}

TEST(QueueModel, ATradeThroughOurPriceFillsUsOutrightAndCancelsAheadAdvanceUs) {
  QueueModel q;
  q.add(7, 0, Side::kAsk, 200, 50);
  QueueModel::Hits hits{};
  std::int64_t lots = 4;
  ASSERT_EQ(q.on_trade(0, 201, /*buyer_is_maker=*/false, lots, hits), 1u);  // a buyer paid above our ask
  EXPECT_EQ(lots, 4);
  EXPECT_TRUE(q.has_resting(0));
  EXPECT_FALSE(q.has_resting(1));
  q.drop(7);
  EXPECT_TRUE(q.empty());
}

TEST(SimVenueLatency, NegativeSamplesOrFixedPartsAreRefused) {
  VenueLatency l;
  EXPECT_EQ(validate(l), nullptr);
  l.response.samples_us = {1, -1};
  EXPECT_STREQ(validate(l), "latency samples must be >= 0");
  l.response.samples_us.clear();
  l.entry.fixed_us = -1;
  EXPECT_STREQ(validate(l), "order latency must be >= 0");
}

// Every line of `in`, tagged with `venue`.
class Tagged final : public record::FrameSource {
 public:
  Tagged(record::FrameSource& in, VenueId venue) : in_(in), venue_(venue) {}
  bool next(record::FrameLine& out) override {
    if (!in_.next(out)) return false;
    out.venue = venue_;
    return true;
  }

 private:
  record::FrameSource& in_;
  VenueId venue_;
};

Script two_books() {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
  s.depth(kT0 + kUsPerSecond, "SOL_USDC", {{"99.95", "5"}}, {});
  return s;
}

TEST(BacktestRunnerVenueTag, BackpackTaggedLinesReplayLikeUntaggedOnes) {
  Script plain = two_books();
  Script tagged = two_books();
  Tagged src(tagged.src, VenueId::kBackpack);
  const BacktestResult a = Runner(scripted_config()).run(plain.src);
  const BacktestResult b = Runner(scripted_config()).run(src);
  EXPECT_EQ(b.events, 3u);
  EXPECT_EQ(b.malformed_frames, 0u);
  EXPECT_EQ(a.pairs.at(0).perp_premium.samples, b.pairs.at(0).perp_premium.samples);
  EXPECT_GT(b.pairs.at(0).perp_premium.samples, 0u);  // the books were built from the tagged lines
}

TEST(BacktestRunnerVenueTag, LinesTaggedLighterGoToLightersDecoderNotToTheBackpackBooks) {
  // Backpack's lines with the wrong tag: Lighter's decoder has no rest_depth lines and Backpack's depth
  // frame does not parse as a Lighter frame, so all three are malformed; the Backpack books never see them.
  Script s = two_books();
  Tagged src(s.src, VenueId::kLighter);
  const BacktestResult r = Runner(scripted_config()).run(src);
  EXPECT_EQ(r.events, 3u);
  EXPECT_EQ(r.malformed_frames, 3u);
  EXPECT_EQ(r.pairs.at(0).perp_premium.samples, 0u);
  for (const BookValidity& b : r.books) EXPECT_EQ(b.first_valid_us, 0) << b.symbol;
}

}  // namespace
}  // namespace bparb::backtest
