// MarketMakerCore: what it quotes, when it refuses, and that it never has two quotes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <random>
#include <set>

#include "mm_test_util.hpp"

namespace bparb::mmtest {
namespace {

TEST(MarketMakerCore, NoQuoteWhileEquityUnknownNeverADefaultSize) {
  Rig r;
  r.book(r.bid, r.ask);
  r.burst(true);
  MmDecision d = r.decide();
  EXPECT_EQ(d.action, MmAction::kNone);
  EXPECT_EQ(d.reason, MmReason::kEquityUnknown);
  r.core.on_equity(D("0"));
  EXPECT_EQ(r.decide().reason, MmReason::kEquityUnknown);
  r.core.on_equity(D("1000"));
  EXPECT_EQ(r.decide().action, MmAction::kPlace);
}

TEST(MarketMakerCore, NoQuoteBeforeTheFlowPicksASide) {
  Rig r;
  r.core.on_equity(D("1000"));
  r.book(r.bid, r.ask);
  EXPECT_EQ(r.decide().reason, MmReason::kNoSide);
}

TEST(MarketMakerCore, PlacesOnePostOnlyQuoteSizedFromEquityAtOurSidesBest) {
  Rig r;
  r.ready(/*taker_buy=*/true);  // aggressive buyers: quote the ask
  MmDecision d = r.decide();
  ASSERT_EQ(d.action, MmAction::kPlace);
  EXPECT_EQ(d.side, Side::kAsk);
  EXPECT_EQ(d.price_ticks, 15'001);
  // 1000 x 1 % = 10 USD at 150.01 x 0.01 per lot = 6.66 -> 6 lots (rounded down).
  EXPECT_EQ(d.qty_lots, 6);
  EXPECT_TRUE(d.post_only);
  EXPECT_EQ(d.tif, TimeInForce::kGtc);
  EXPECT_EQ(r.core.quote_state(), QuoteState::kPendingNew);
  // Pending: nothing more, however often we ask.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.core.on_quote_submitted(7);
  r.core.on_quote_accepted(7);
  EXPECT_EQ(r.core.quote_state(), QuoteState::kLive);
  EXPECT_TRUE(r.core.quote_at_touch());
  EXPECT_EQ(r.decide().action, MmAction::kNone);
}

TEST(MarketMakerCore, SizeIsCappedAtMaxQuoteUsdAndSkippedBelowMinimum) {
  Rig big;
  big.core.on_equity(D("100000"));  // 1 % = 1000 USD, capped at 30 USD -> 30 / 1.5001 = 19.99 -> 19 lots
  big.book(big.bid, big.ask);
  big.burst(true);
  EXPECT_EQ(big.decide().qty_lots, 19);

  Rig small;
  small.core.on_equity(D("100"));  // 1 USD < one lot (1.50 USD)
  small.book(small.bid, small.ask);
  small.burst(true);
  EXPECT_EQ(small.decide().reason, MmReason::kTooSmall);
}

TEST(MarketMakerCore, PriceOffsetPutsTheQuoteBehindTheTouch) {
  MmParams p;
  p.price_offset_ticks = 3;
  Rig r(p);
  r.ready(false);
  r.advance_ms(100);
  MmDecision d = r.decide();
  ASSERT_EQ(d.action, MmAction::kPlace);
  EXPECT_EQ(d.side, Side::kBid);
  EXPECT_EQ(d.price_ticks, 14'999 - 3);
}

TEST(MarketMakerCore, SideSwitchIsCancelConfirmedThenPlace) {
  Rig r;
  r.ready(true);
  ASSERT_EQ(r.decide_and_accept().side, Side::kAsk);
  const ClientId first = r.core.quote_id();
  r.advance_ms(2'100);  // window empty, hold over
  r.refresh_book();
  r.burst(false, 8);
  MmDecision d = r.decide();
  ASSERT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kSideSwitch);
  EXPECT_EQ(d.client_id, first);
  // The cancel is not confirmed: no new quote, however long it takes.
  for (int i = 0; i < 10; ++i) {
    r.advance_ms(50);
    r.refresh_book();
    r.trade(false);
    EXPECT_EQ(r.decide().action, MmAction::kNone);
  }
  r.core.on_quote_done(first, QuoteEnd::kCancelled, r.now);
  d = r.decide();
  ASSERT_EQ(d.action, MmAction::kPlace);
  EXPECT_EQ(d.side, Side::kBid);
}

TEST(MarketMakerCore, RequoteFollowsEveryoneElsesBestNotOurOwnQuote) {
  Rig r;
  r.ready(true);
  ASSERT_EQ(r.decide_and_accept().price_ticks, 15'001);
  // Our 6 lots join the 500 at the best ask: everyone else's best is unchanged.
  r.core.on_book(top(14'999, 15'001, r.now, 500, 506), r.now);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  // The others leave our level: only our 6 lots remain at 15001, everyone else asks 15002. Our own quote
  // does not count as "the best" (we would sit alone ahead of the market): requote.
  r.core.on_book(top(14'999, 15'001, r.now, 500, 6), r.now);
  MmDecision d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kPriceMoved);
  r.core.on_quote_done(d.client_id, QuoteEnd::kCancelled, r.now);
  r.refresh_book();
  d = r.decide_and_accept();
  ASSERT_EQ(d.action, MmAction::kPlace);
  // Someone improves the ask by one tick: requote.
  r.book(14'999, 15'000);
  d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kPriceMoved);
}

// requote_persist_ms: a new best price must hold that long before the quote moves. A level that vanishes
// for a frame (its owner re-posts it) leaves our quote alone at the touch; the next level counts as everyone
// else's best for that frame only, and no requote follows.
TEST(MarketMakerCore, APriceMoveMustPersistBeforeTheQuoteMoves) {
  MmParams p;
  p.requote_persist_ms = 300;
  Rig r(p);
  r.ready(true);
  ASSERT_EQ(r.decide_and_accept().price_ticks, 15'001);
  r.core.on_book(top(14'999, 15'001, r.now, 500, 506), r.now);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  // The others leave our level for 100 ms (we are alone: their best is 15002), then come back.
  r.advance_ms(50);
  r.core.on_book(top(14'999, 15'001, r.now, 500, 6), r.now);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.advance_ms(100);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.core.on_book(top(14'999, 15'001, r.now, 500, 506), r.now);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  // The flicker again: the clock restarted when the level came back, so 250 ms more is not enough...
  r.advance_ms(50);
  r.core.on_book(top(14'999, 15'001, r.now, 500, 6), r.now);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.advance_ms(250);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  // ... and once the move has held 300 ms, the quote follows it.
  r.advance_ms(50);
  MmDecision d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kPriceMoved);
}

TEST(MarketMakerCore, WithoutPersistenceAOneFrameFlickerRequotes) {
  MmParams p;
  p.requote_persist_ms = 0;
  Rig r(p);
  r.ready(true);
  ASSERT_EQ(r.decide_and_accept().price_ticks, 15'001);
  r.core.on_book(top(14'999, 15'001, r.now, 500, 6), r.now);
  EXPECT_EQ(r.decide().reason, MmReason::kPriceMoved);
}

// A move that persists is followed; a move back to where we placed stops the clock.
TEST(MarketMakerCore, APersistentImprovementIsFollowedAfterTheDelay) {
  MmParams p;
  p.requote_persist_ms = 200;
  Rig r(p);
  r.ready(true);
  ASSERT_EQ(r.decide_and_accept().price_ticks, 15'001);
  r.book(14'999, 15'000);  // someone improves the ask
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.advance_ms(150);
  r.book(14'999, 15'001);  // and leaves again
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.advance_ms(100);
  r.book(14'999, 15'000);  // improves again: a fresh 200 ms
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.advance_ms(199);
  EXPECT_EQ(r.decide().action, MmAction::kNone);
  r.advance_ms(1);
  EXPECT_EQ(r.decide().reason, MmReason::kPriceMoved);
}

TEST(MarketMakerCore, QuoteAgeLimitIsOffByDefaultAndRequotesWhenSet) {
  Rig off;
  off.ready(true);
  off.decide_and_accept();
  off.advance_ms(3'000);
  off.refresh_book();
  off.trade(true);
  EXPECT_EQ(off.decide().action, MmAction::kNone);

  MmParams p;
  p.max_quote_age_ms = 2'000;
  Rig on(p);
  on.ready(true);
  on.decide_and_accept();
  on.advance_ms(2'000);
  on.refresh_book();
  on.trade(true);
  MmDecision d = on.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kQuoteAged);
}

TEST(MarketMakerCore, SoftLevelQuotesOnlyTheReducingSide) {
  Rig r;
  r.ready(false);          // sellers aggressive: the flow wants the bid
  r.core.on_position(85);  // long 85 lots, soft level 80
  MmDecision d = r.decide();
  ASSERT_EQ(d.action, MmAction::kPlace);
  EXPECT_EQ(d.side, Side::kAsk);
  r.core.on_quote_submitted(1);
  r.core.on_quote_accepted(1);
  // Short beyond the soft level: the live ask increases the position and is pulled.
  r.core.on_position(-81);
  d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kInventorySoft);
  r.core.on_quote_done(1, QuoteEnd::kCancelled, r.now);
  d = r.decide();
  ASSERT_EQ(d.action, MmAction::kPlace);
  EXPECT_EQ(d.side, Side::kBid);
}

TEST(MarketMakerCore, QuoteSizeIsClippedSoThePositionStaysWithinTheCap) {
  MmParams p;
  p.inventory_soft_fraction = D("1");  // soft level = cap, to see the cap itself
  Rig r(p);
  r.ready(false);
  r.core.on_position(97);  // cap 100: room for 3 lots on the bid
  MmDecision d = r.decide();
  ASSERT_EQ(d.action, MmAction::kPlace);
  EXPECT_EQ(d.side, Side::kBid);
  EXPECT_EQ(d.qty_lots, 3);
}

TEST(MarketMakerCore, TheCapCountsOurRestingQuote) {
  MmParams p;
  p.inventory_soft_fraction = D("1");
  Rig r(p);
  r.ready(false);
  ASSERT_EQ(r.decide_and_accept().qty_lots, 6);
  EXPECT_EQ(r.core.exposure_lots(), 6);
  r.core.on_position(96);  // 96 + the resting 6-lot bid = 102 > cap 100
  EXPECT_EQ(r.core.exposure_lots(), 102);
  MmDecision d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kInventoryCap);
}

TEST(MarketMakerCore, OverTheCapAThrottledReduceOnlyHedgeThatNeverIncreasesThePosition) {
  Rig r;
  r.ready(true);
  r.core.on_position(150);  // cap 100: excess 50, hedge 60 % = 30 lots
  MmDecision d = r.decide();
  ASSERT_EQ(d.action, MmAction::kHedge);
  EXPECT_EQ(d.side, Side::kAsk);
  EXPECT_EQ(d.qty_lots, 30);
  EXPECT_TRUE(d.reduce_only);
  EXPECT_EQ(d.tif, TimeInForce::kIoc);
  EXPECT_EQ(d.price_ticks, 14'999);  // the bid it sells into
  r.core.on_hedge_submitted(55);
  // In flight: no second hedge (a reducing quote may still go out).
  d = r.decide();
  EXPECT_NE(d.action, MmAction::kHedge);
  r.core.on_hedge_fill(55, Side::kAsk, 30);
  r.core.on_hedge_done(55, r.now, false);
  EXPECT_EQ(r.core.position_lots(), 120);
  // Done, but the interval (2 s) has not passed.
  r.advance_ms(1'000);
  r.refresh_book();
  r.trade(true);
  EXPECT_NE(r.decide().action, MmAction::kHedge);
  r.advance_ms(1'000);
  r.refresh_book();
  r.trade(true);
  for (int i = 0; i < 3; ++i) {
    d = r.decide();
    if (d.action == MmAction::kHedge) break;
  }
  ASSERT_EQ(d.action, MmAction::kHedge);
  EXPECT_EQ(d.qty_lots, 12);  // 60 % of 20

  // Short side; the venue's minimum raises a small hedge, which still only reduces the position.
  MarketSpec spec = sol_perp();
  spec.min_quantity = D("1");  // 100 lots
  MarketMakerCore c(MmParams{}, spec);
  c.on_equity(D("1000"));
  c.on_book(top(14'999, 15'001, kT0), kT0);
  c.on_position(-130);
  d = c.decide(kT0);
  ASSERT_EQ(d.action, MmAction::kHedge);
  EXPECT_EQ(d.side, Side::kBid);
  EXPECT_EQ(d.qty_lots, 100);  // 60 % of the excess of 30 is 18, below the minimum of 100
  EXPECT_EQ(d.price_ticks, 15'001);
  c.on_hedge_done(0, kT0, false);
  c.on_position(-60);  // within the cap (100 lots): no hedge
  EXPECT_NE(c.decide(kT0 + 5 * kUsPerSecond).action, MmAction::kHedge);
}

TEST(MarketMakerCore, AfterAReconnectTheBookMustUpdateBeforeQuoting) {
  MmParams p;
  p.cooldown_ms = 1'000;
  Rig r(p);
  r.ready(true);
  r.decide_and_accept();
  r.advance_ms(10);
  r.core.on_reconnect(r.now);
  EXPECT_EQ(r.core.last_trip().kind, MmBreaker::kReconnect);
  MmDecision d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  r.core.on_quote_done(r.core.quote_id(), QuoteEnd::kCancelled, r.now);
  r.advance_ms(1'500);  // cooldown over, but no book frame since the reconnect
  r.trade(true);
  EXPECT_EQ(r.decide().reason, MmReason::kBookInvalid);
  r.refresh_book();
  EXPECT_EQ(r.decide().action, MmAction::kPlace);
}

// flatten(): the live quote is cancelled, nothing is quoted again, and the whole position goes out as one
// reduce-only IOC at the touch (whatever the cap), throttled like any hedge.
TEST(MarketMakerCore, FlattenCancelsTheQuoteAndClosesTheWholePosition) {
  Rig r;
  r.ready(true);
  const MmDecision placed = r.decide_and_accept();
  ASSERT_EQ(placed.action, MmAction::kPlace);
  r.core.on_quote_fill(r.core.quote_id(), Side::kAsk, 4);  // short 4 lots, well under the cap
  r.core.flatten();
  MmDecision d = r.decide();
  EXPECT_EQ(d.action, MmAction::kCancel);
  EXPECT_EQ(d.reason, MmReason::kStopping);
  r.core.on_quote_done(d.client_id, QuoteEnd::kCancelled, r.now);
  d = r.decide();
  ASSERT_EQ(d.action, MmAction::kHedge);
  EXPECT_EQ(d.reason, MmReason::kStopping);
  EXPECT_EQ(d.side, Side::kBid);
  EXPECT_EQ(d.qty_lots, 4);
  EXPECT_EQ(d.price_ticks, r.ask);
  EXPECT_TRUE(d.reduce_only);
  EXPECT_EQ(d.tif, TimeInForce::kIoc);
  r.core.on_hedge_submitted(900);
  r.core.on_hedge_fill(900, Side::kBid, 4);
  r.core.on_hedge_done(900, r.now, false);
  r.advance_ms(5'000);
  r.refresh_book();
  d = r.decide();
  EXPECT_EQ(d.action, MmAction::kNone);  // flat: nothing more, and never a new quote
  EXPECT_EQ(d.reason, MmReason::kStopping);
  EXPECT_EQ(r.core.position_lots(), 0);
}

TEST(MarketMakerCore, RequestBudgetKeepsHeadroomForCancels) {
  MmParams p = requote_at_once();
  p.max_requests_per_window = 5;  // quotes may use 4, cancels all 5
  p.request_window_ms = 60'000;
  Rig r(p);
  r.ready(true);
  int places = 0;
  for (int i = 0; i < 10; ++i) {
    MmDecision d = r.decide_and_accept();
    if (d.action == MmAction::kPlace) {
      ++places;
      // The venue expires it straight away (say, a quote that would have crossed).
      r.core.on_quote_done(r.core.quote_id(), QuoteEnd::kExpired, r.now);
    } else {
      EXPECT_EQ(d.reason, MmReason::kBudget);
    }
  }
  EXPECT_EQ(places, 4);
  // With a live quote (placed before the budget ran out) a cancel still goes out.
  Rig r2(p);
  r2.ready(true);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(r2.decide_and_accept().action, MmAction::kPlace);
    r2.core.on_quote_done(r2.core.quote_id(), QuoteEnd::kExpired, r2.now);
  }
  ASSERT_EQ(r2.decide_and_accept().action, MmAction::kPlace);  // the 4th request: quotes are now out
  r2.book(14'999, 15'000);
  EXPECT_EQ(r2.decide().action, MmAction::kCancel);  // the 5th, from the headroom
}

// A scripted venue that confirms late, answers 429s and fills at random; the core must never have two
// quotes of ours at once (placed and not yet reported gone).
TEST(MarketMakerCore, NeverTwoQuotesThroughDelayedConfirmationsAnd429s) {
  MmParams p;
  p.requote_ticks = 1;
  p.max_quote_age_ms = 300;
  p.rate_limit_backoff_ms = 200;
  p.rate_limit_backoff_max_ms = 1'000;
  p.cooldown_ms = 200;
  p.inventory_cap_fraction = D("0.03");  // 30 USD = 20 lots at 150: the cap and the soft level are reached
  p.max_requests_per_window = 200;
  Rig r(p);
  r.ready(true);
  std::mt19937_64 rng(7);
  struct Pending {
    TimestampUs due;
    int kind;  // 0 accept, 1 cancel confirm, 2 cancel fails with 429, 3 fill+done
    ClientId id;
  };
  std::deque<Pending> venue;
  std::set<ClientId> alive;  // quotes the venue holds (placed, not yet reported gone)
  int max_existing = 0;
  int places = 0, cancels = 0, r429 = 0, hedges = 0;
  std::int64_t max_position = 0;
  for (int step = 0; step < 20'000; ++step) {
    r.advance_ms(1 + static_cast<std::int64_t>(rng() % 20));
    // Market: the touch wanders, flow flips now and then.
    if (rng() % 4 == 0) {
      const std::int64_t mid = 15'000 + static_cast<std::int64_t>(rng() % 5) - 2;
      r.book(mid - 1, mid + 1);
    } else {
      r.refresh_book();
    }
    r.trade(rng() % 3 != 0 ? (step / 500) % 2 == 0 : (step / 500) % 2 != 0);
    // In the second half the position jumps past the cap now and then (a fill we did not expect, say):
    // the core must hedge it back.
    if (step >= 10'000 && step % 1'000 == 0) r.core.on_position(r.core.position_lots() + (step % 2'000 ? 30 : -30));
    // The venue answers whatever is due, in order, for orders it still has.
    while (!venue.empty() && venue.front().due <= r.now) {
      const Pending e = venue.front();
      venue.pop_front();
      if (alive.count(e.id) == 0) continue;
      switch (e.kind) {
        case 0:
          r.core.on_quote_accepted(e.id);
          break;
        case 1:
          alive.erase(e.id);
          r.core.on_quote_done(e.id, QuoteEnd::kCancelled, r.now);
          break;
        case 2:
          r.core.on_cancel_failed(e.id, r.now, true);
          break;
        case 3:
          alive.erase(e.id);
          r.core.on_quote_fill(e.id, r.core.quote_side(), r.core.quote_remaining_lots());
          r.core.on_quote_done(e.id, QuoteEnd::kFilled, r.now);
          break;
      }
    }
    for (int k = 0; k < 4; ++k) {
      const MmDecision d = r.decide();
      if (d.action == MmAction::kNone) break;
      if (d.action == MmAction::kPlace) {
        if (rng() % 10 == 0) {  // 429 on the place: it never reached the book
          r.core.on_quote_refused(r.now, true);
          ++r429;
          continue;
        }
        const ClientId id = r.next_id++;
        r.core.on_quote_submitted(id);
        ++places;
        alive.insert(id);
        max_existing = std::max(max_existing, static_cast<int>(alive.size()));
        const TimestampUs ack = r.now + static_cast<TimestampUs>(rng() % 200) * kMs;
        venue.push_back({ack, 0, id});
        if (rng() % 5 == 0) venue.push_back({ack + 50 * kMs, 3, id});
      } else if (d.action == MmAction::kCancel) {
        ++cancels;
        const TimestampUs due = r.now + static_cast<TimestampUs>(rng() % 500) * kMs;  // slow confirmations
        const bool refused = rng() % 6 == 0;
        venue.push_back({due, refused ? 2 : 1, d.client_id});
        if (refused) ++r429;
      } else if (d.action == MmAction::kHedge) {
        // A hedge only ever brings the position toward zero.
        const std::int64_t pos = r.core.position_lots();
        ASSERT_NE(pos, 0);
        EXPECT_EQ(d.side, pos > 0 ? Side::kAsk : Side::kBid);
        EXPECT_LE(d.qty_lots, pos > 0 ? pos : -pos);
        EXPECT_TRUE(d.reduce_only);
        ++hedges;
        r.core.on_hedge_fill(0, d.side, d.qty_lots);
        r.core.on_hedge_done(0, r.now, false);
      }
      ASSERT_LE(alive.size(), 1u) << "step " << step;
      // The cap (20 lots at 150; 19 when the mid is a tick or two higher) is enforced, not promised.
      if (step < 10'000) max_position = std::max(max_position, std::abs(r.core.position_lots()));
    }
  }
  EXPECT_LE(max_existing, 1);
  EXPECT_GT(places, 50);
  EXPECT_GT(cancels, 20);
  EXPECT_GT(r429, 5);
  EXPECT_LE(max_position, 20);
  EXPECT_GT(hedges, 5);
}

}  // namespace
}  // namespace bparb::mmtest
