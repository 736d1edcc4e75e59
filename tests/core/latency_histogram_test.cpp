// The fixed-bucket latency histogram: which bucket an observation lands in (bounds are inclusive upper
// bounds, as Prometheus' `le`), the cumulative counts, the sum, and a clock stepping back counting as zero.
#include "bparb/core/latency_histogram.hpp"

#include <gtest/gtest.h>

namespace bparb {
namespace {

TEST(LatencyHistogram, BoundsAreInclusiveUpperBoundsAndAboveTheLastIsInf) {
  LatencyHistogram h;
  h.record(5);           // <= 5 us: the first bucket
  h.record(6);           // (5, 10]
  h.record(1'000);       // exactly 1 ms: the 1 ms bucket
  h.record(10'000'001);  // above 10 s
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(7), 1u);
  EXPECT_EQ(LatencyHistogram::kBoundsUs[7], 1'000);
  EXPECT_EQ(h.bucket(LatencyHistogram::kBuckets - 1), 1u);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum_us(), 5 + 6 + 1'000 + 10'000'001);
  EXPECT_EQ(h.cumulative(0), 1u);
  EXPECT_EQ(h.cumulative(6), 2u);
  EXPECT_EQ(h.cumulative(7), 3u);
  EXPECT_EQ(h.cumulative(LatencyHistogram::kBuckets - 2), 3u);
  EXPECT_EQ(h.cumulative(LatencyHistogram::kBuckets - 1), h.count());
  EXPECT_EQ(h.bucket(LatencyHistogram::kBuckets), 0u);  // out of range reads zero
}

TEST(LatencyHistogram, NegativeDurationCountsAsZero) {
  LatencyHistogram h;
  h.record(-250);
  EXPECT_EQ(h.bucket(0), 1u);
  EXPECT_EQ(h.sum_us(), 0);
}

TEST(LatencyHistogram, BoundsAscend) {
  for (std::size_t i = 1; i < LatencyHistogram::kBoundsUs.size(); ++i)
    EXPECT_LT(LatencyHistogram::kBoundsUs[i - 1], LatencyHistogram::kBoundsUs[i]);
}

}  // namespace
}  // namespace bparb
