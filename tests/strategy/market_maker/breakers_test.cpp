// Each breaker fires with its numbers, cancels the quote and starts the cooldown.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "mm_test_util.hpp"

namespace bparb::mmtest {
namespace {

std::string text(const BreakerTrip& t) {
  char buf[256];
  const std::size_t n = format_trip(t, buf, sizeof buf);
  return std::string(buf, n);
}

// A live ask, then the breaker's condition: the next decision cancels for kBreaker.
void expect_cancel_for_breaker(Rig& r) {
  const MmDecision d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kBreaker);
}

TEST(MmBreakers, MidMoveIsMeasuredAgainstTheMidOneSecondAgoNotTheLastOne) {
  MmParams p;
  p.breaker_mid_move_fraction = D("0.002");  // 0.2 % of 150 = 0.30 = 30 ticks (60 in bid + ask)
  Rig r(p);
  r.ready(true);
  r.decide_and_accept();
  // A drift of 5 ticks every 100 ms: each step is 0.033 %, never a breaker against the previous mid,
  // but 30 ticks within one second is.
  const std::uint64_t trips = r.core.trip_count();
  for (int i = 1; i <= 5; ++i) {
    r.advance_ms(100);
    r.book(r.bid + 5, r.ask + 5);
    r.trade(true);
    const MmDecision d = r.decide();
    if (d.action == MmAction::kCancel) {
      EXPECT_NE(d.reason, MmReason::kBreaker);
      r.core.on_quote_done(r.core.quote_id(), QuoteEnd::kCancelled, r.now);
    }
    if (d.action == MmAction::kPlace) {
      r.core.on_quote_submitted(r.next_id);
      r.core.on_quote_accepted(r.next_id++);
    }
  }
  EXPECT_EQ(r.core.trip_count(), trips);  // +25 ticks in 500 ms: 0.167 %
  r.advance_ms(100);
  r.book(r.bid + 5, r.ask + 5);  // +30 ticks against the mid 1 s ago (150.00 -> 150.30)
  r.trade(true);
  const MmDecision d = r.decide();
  EXPECT_EQ(r.core.trip_count(), trips + 1);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kMidMove);
  EXPECT_EQ(r.core.last_trip().observed, D("0.002"));
  EXPECT_EQ(r.core.last_trip().mid_now, D("150.3"));
  EXPECT_EQ(r.core.last_trip().mid_then, D("150"));
  if (r.core.quote_state() == QuoteState::kLive || d.action == MmAction::kCancel) {
    EXPECT_EQ(d.action, MmAction::kCancel);
    EXPECT_EQ(d.reason, MmReason::kBreaker);
  }
  EXPECT_EQ(text(r.core.last_trip()),
            "mm breaker mid_move: observed 0.002 >= limit 0.002 (mid 150.3 vs 150 600 ms earlier); no quote for 5000 "
            "ms");
}

TEST(MmBreakers, AJumpTripsAtOnce) {
  Rig r;
  r.ready(true);
  r.decide_and_accept();
  r.advance_ms(1'500);
  r.refresh_book();
  r.trade(true);
  r.advance_ms(10);
  r.book(r.bid + 40, r.ask + 40);  // +0.27 %
  r.trade(true);
  r.decide();
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kMidMove);
  EXPECT_GE(r.core.cooldown_until_us(), r.now + 5'000 * kMs);
}

TEST(MmBreakers, WideSpread) {
  Rig r;
  r.ready(true);
  r.decide_and_accept();
  r.book(14'985, 15'015);  // 30 ticks on 150.00 = 0.2 %
  r.trade(true);
  expect_cancel_for_breaker(r);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kSpread);
  EXPECT_EQ(r.core.last_trip().observed, D("0.002"));
  EXPECT_EQ(text(r.core.last_trip()), "mm breaker spread: observed 0.002 >= limit 0.002; no quote for 5000 ms");
  // The cooldown runs from when the spread narrows again.
  r.core.on_quote_done(r.core.quote_id(), QuoteEnd::kCancelled, r.now);
  r.advance_ms(3'000);
  r.book(14'999, 15'001);
  r.trade(true);
  EXPECT_EQ(r.decide().reason, MmReason::kBreaker);
  r.advance_ms(2'000);
  r.refresh_book();
  r.trade(true);
  EXPECT_EQ(r.decide().action, MmAction::kPlace);
}

// A book that widens to one side trips the spread and the mid move in one decision: both trips are kept, in
// order, each with its own numbers.
TEST(MmBreakers, TwoBreakersInOneDecisionAreBothKept) {
  Rig r;
  r.ready(true);
  r.decide_and_accept();
  r.advance_ms(1'500);
  r.refresh_book();
  r.trade(true);
  r.advance_ms(10);
  const std::uint64_t before = r.core.trip_count();
  r.book(r.bid, r.ask + 80);  // the ask 0.53 % away: spread 0.55 %, mid +0.27 %
  r.trade(true);
  r.decide();
  ASSERT_EQ(r.core.trip_count(), before + 2);
  EXPECT_EQ(r.core.trip_at(before + 1).kind, MmBreaker::kSpread);
  EXPECT_EQ(r.core.trip_at(before + 2).kind, MmBreaker::kMidMove);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kMidMove);
  EXPECT_EQ(r.core.trip_at(before + 2).mid_then, D("150"));
  EXPECT_EQ(r.core.trip_at(before + 1).limit, D("0.002"));
}

TEST(MmBreakers, StaleBook) {
  Rig r;
  r.ready(true);
  r.decide_and_accept();
  r.advance_ms(5'000);  // no book frame for 5 s (trades still arrive)
  r.trade(true);
  expect_cancel_for_breaker(r);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kStaleBook);
  EXPECT_EQ(r.core.last_trip().observed, D("5000"));
  EXPECT_EQ(r.core.last_trip().limit, D("5000"));
}

TEST(MmBreakers, NoQuoteOnAStaleBookFromTheStart) {
  Rig r;
  r.core.on_equity(D("1000"));
  r.book(r.bid, r.ask);
  r.advance_ms(6'000);
  r.burst(true);
  EXPECT_EQ(r.decide().reason, MmReason::kBreaker);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kStaleBook);
}

TEST(MmBreakers, StaleTradeFeed) {
  Rig r;
  r.ready(true);
  r.decide_and_accept();
  r.advance_ms(30'000);
  r.refresh_book();
  expect_cancel_for_breaker(r);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kStaleTrades);
  EXPECT_EQ(r.core.last_trip().observed, D("30000"));
}

TEST(MmBreakers, BurstOfPostOnlyRejections) {
  Rig r;
  r.ready(true);
  for (int i = 0; i < 5; ++i) {
    r.advance_ms(100);
    r.refresh_book();
    r.trade(true);
    ASSERT_EQ(r.decide().action, MmAction::kPlace) << i;
    r.core.on_quote_submitted(r.next_id);
    r.core.on_quote_done(r.next_id++, QuoteEnd::kPostOnlyRejected, r.now);
  }
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kPostOnlyRejects);
  EXPECT_EQ(r.core.last_trip().observed, D("5"));
  EXPECT_EQ(r.decide().reason, MmReason::kBreaker);
  char buf[256];
  const std::size_t n = format_trip(r.core.last_trip(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n),
            "mm breaker post_only_rejects: observed 5 >= limit 5 post-only rejections within 10000 ms; no quote for "
            "5000 ms");
}

TEST(MmBreakers, RateLimitBacksOffAndDoubles) {
  MmParams p;
  p.rate_limit_backoff_ms = 1'000;
  Rig r(p);
  r.ready(true);
  ASSERT_EQ(r.decide().action, MmAction::kPlace);
  r.core.on_quote_refused(r.now, /*rate_limited=*/true);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kRateLimited);
  EXPECT_EQ(text(r.core.last_trip()), "mm rate limited (429): sending nothing for 1000 ms");
  EXPECT_EQ(r.decide().reason, MmReason::kRateLimited);
  r.advance_ms(1'000);
  r.refresh_book();
  r.trade(true);
  ASSERT_EQ(r.decide().action, MmAction::kPlace);
  r.core.on_quote_refused(r.now, true);  // again: 2 s now
  r.advance_ms(1'500);
  r.refresh_book();
  r.trade(true);
  EXPECT_EQ(r.decide().reason, MmReason::kRateLimited);
  r.advance_ms(500);
  r.refresh_book();
  r.trade(true);
  EXPECT_EQ(r.decide().action, MmAction::kPlace);
}

}  // namespace
}  // namespace bparb::mmtest
