#include "bparb/portfolio/portfolio.hpp"

#include <gtest/gtest.h>

#include <array>
#include <ostream>

namespace bparb {
// Readable failure messages ("164.06" instead of raw bytes).
inline void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.str();
}

namespace {

Decimal D(const char* s) {
  return Decimal::from_string(s);
}

// 2026-11-20 00:00:00 UTC.
constexpr TimestampUs kDay0 = 1'795'132'800LL * kUsPerSecond;

Fill fill(Leg leg, Side side, const char* px, const char* qty, const char* fee = "0", FeeAsset asset = FeeAsset::kQuote,
          TimestampUs t = kDay0) {
  return Fill{leg, side, D(px), D(qty), D(fee), asset, t};
}

TEST(LegPosition, AverageCostPartialCloseAndFlip) {
  LegPosition l;
  EXPECT_EQ(l.apply(D("0.3"), D("100")), D("0"));
  EXPECT_EQ(l.apply(D("0.1"), D("104")), D("0"));
  EXPECT_EQ(l.cost(), D("40.4"));
  EXPECT_EQ(l.average_price(), D("101"));
  // Sell 0.1 @ 110: cost of the part = 40.4 * 0.1 / 0.4 = 10.1 -> +0.9.
  EXPECT_EQ(l.apply(D("-0.1"), D("110")), D("0.9"));
  EXPECT_EQ(l.cost(), D("30.3"));
  // Sell 0.3 @ 90: 27 - 30.3 = -3.3; total -2.4 = (11 + 27) - 40.4.
  EXPECT_EQ(l.apply(D("-0.3"), D("90")), D("-3.3"));
  EXPECT_TRUE(l.flat());
  EXPECT_EQ(l.cost(), D("0"));

  // Short 1 @ 100, buy 1.5 @ 90: +10 realized, flips to long 0.5 @ 90.
  LegPosition s;
  s.apply(D("-1"), D("100"));
  EXPECT_EQ(s.unrealized(D("95")), D("5"));
  EXPECT_EQ(s.apply(D("1.5"), D("90")), D("10"));
  EXPECT_EQ(s.quantity(), D("0.5"));
  EXPECT_EQ(s.cost(), D("45"));
  EXPECT_EQ(s.average_price(), D("90"));
}

// Hummingbot spot_perpetual_arbitrage worked example, as it is usually quoted: entry spot 50000 /
// perp 50200, three funding payments at 0.01%, exit spot 51000 / perp 51051, claimed result
// "-1635.94 USD". We could not find this example in Hummingbot's documentation: the strategy page
// (hummingbot-site docs/strategies/spot-perpetual-arbitrage.md, both v1 and current) has no worked
// numbers, and the strategy's blog post (hummingbot-site docs/blog/posts/
// 2021-03-spot-perpetual-protocol-guide/index.md, "How to Use the New Spot-perpetual Arbitrage
// Strategy", 2021-03-12) uses a different one: 1 BTC, spot 50000 / perp 51000 -> both 52000,
// "Perpetual result: - $1000, Spot result: + $2000, Final profit: + $1000", fees ignored.
// Under those stated assumptions (1 BTC per order, fees ignored, funding on the entry perp
// notional) the numbers give +164.06, not -1635.94:
//   spot long  50000 -> 51000   = +1000.00
//   perp short 50200 -> 51051   =  -851.00
//   funding 3 x 0.01% x 50200   =   +15.06   (positive rate: the short receives)
//   total                       =  +164.06   = entry basis 200 - exit basis 51 + funding 15.06
// -1635.94 is exactly 164.06 - 1800, i.e. what comes out if the spot leg is booked as -1000 (sign
// flipped) AND the 200 entry spread is added on top of the legs (double counted):
//   200 - 1000 - 851 + 15.06 = -1635.94. No fee level reaches it (1800 USD would be 0.89% of the
// 202,251 USD traded). So the -1635.94 figure cannot be reproduced by correct accounting; the test
// pins the correct value, and the Blog example's +1000.
TEST(PortfolioHummingbot, SpotPerpArbWorkedExampleNoFees) {
  Portfolio pf;
  const PairIndex btc = pf.add_pair();
  EXPECT_EQ(pf.apply_fill(btc, fill(Leg::kSpot, Side::kBid, "50000", "1")).event, FillEvent::kOpened);
  pf.apply_fill(btc, fill(Leg::kPerp, Side::kAsk, "50200", "1"));
  EXPECT_EQ(pf.position(btc).entry_basis, D("0.004"));
  for (int i = 0; i < 3; ++i) pf.apply_funding(btc, D("5.02"), kDay0 + (i + 1) * kUsPerHour);  // -(-1 * 50200 * 0.0001)

  const std::array<Marks, 1> marks{Marks{D("51000"), D("51051")}};
  EXPECT_EQ(pf.position(btc).unrealized(D("51000"), D("51051")), D("149"));
  EXPECT_EQ(pf.total_pnl(marks), D("164.06"));

  pf.apply_fill(btc, fill(Leg::kSpot, Side::kAsk, "51000", "1"));
  const FillOutcome out = pf.apply_fill(btc, fill(Leg::kPerp, Side::kBid, "51051", "1"));
  ASSERT_EQ(out.event, FillEvent::kClosed);
  EXPECT_EQ(out.realized, D("-851"));
  EXPECT_EQ(out.closed.realized_pnl, D("149"));
  EXPECT_EQ(out.closed.funding, D("15.06"));
  EXPECT_EQ(out.closed.realized_net(), D("164.06"));
  EXPECT_NE(out.closed.realized_net(), D("-1635.94"));
  EXPECT_EQ(D("200") - D("1000") - D("851") + D("15.06"), D("-1635.94"));  // the sign-flip reading
  EXPECT_FALSE(pf.has_open(btc));
  EXPECT_EQ(pf.stats().wins, 1u);
}

TEST(PortfolioHummingbot, BlogExampleOneThousandProfit) {
  // hummingbot blog 2021-03-12: short perp 51000, buy 1 BTC spot 50000; both converge to 52000.
  Portfolio pf;
  const PairIndex btc = pf.add_pair();
  pf.apply_fill(btc, fill(Leg::kPerp, Side::kAsk, "51000", "1"));
  pf.apply_fill(btc, fill(Leg::kSpot, Side::kBid, "50000", "1"));
  pf.apply_fill(btc, fill(Leg::kPerp, Side::kBid, "52000", "1"));
  const FillOutcome out = pf.apply_fill(btc, fill(Leg::kSpot, Side::kAsk, "52000", "1"));
  ASSERT_EQ(out.event, FillEvent::kClosed);
  EXPECT_EQ(out.realized, D("2000"));             // "Spot result: + $2000"
  EXPECT_EQ(out.closed.realized_pnl, D("1000"));  // "Final profit: + $1000"
}

TEST(PortfolioHummingbot, SameExampleWithSeedTakerFeesToTheCent) {
  // Spot taker 0.10% (buy fee charged in BTC), perp taker 0.04% (USDC).
  Portfolio pf;
  const PairIndex btc = pf.add_pair();
  pf.apply_fill(btc, fill(Leg::kSpot, Side::kBid, "50000", "1", "0.001", FeeAsset::kBase));
  EXPECT_EQ(pf.position(btc).spot.quantity(), D("0.999"));  // what the account really holds
  EXPECT_EQ(pf.position(btc).spot.cost(), D("49950"));
  pf.apply_fill(btc, fill(Leg::kPerp, Side::kAsk, "50200", "1", "20.08"));
  for (int i = 0; i < 3; ++i) pf.apply_funding(btc, D("5.02"), kDay0 + (i + 1) * kUsPerHour);
  pf.apply_fill(btc, fill(Leg::kSpot, Side::kAsk, "51000", "0.999", "50.949"));  // 0.1% of 50949
  const FillOutcome out = pf.apply_fill(btc, fill(Leg::kPerp, Side::kBid, "51051", "1", "20.4204"));
  ASSERT_EQ(out.event, FillEvent::kClosed);
  const PositionState& p = out.closed;
  EXPECT_EQ(p.realized_pnl, D("148"));  // spot 50949 - 49950 = 999; perp -851
  EXPECT_EQ(p.fees_base, D("0.001"));
  EXPECT_EQ(p.fees_quote, D("91.4494"));  // 20.08 + 50.949 + 20.4204
  EXPECT_EQ(p.fees_usd, D("141.4494"));   // + 0.001 BTC at 50000 = 50
  EXPECT_EQ(p.funding, D("15.06"));
  EXPECT_EQ(p.realized_net(), D("21.6106"));
  // Cash reconciliation: USDC -50000 + (50949 - 50.949) + perp (-851 - 20.08 - 20.4204 + 15.06)
  // and BTC +0.999 - 0.999 = 0.
  EXPECT_EQ(D("-50000") + D("50949") - D("50.949") - D("851") - D("20.08") - D("20.4204") + D("15.06"), D("21.6106"));
  const StrategyStats s = pf.stats();
  EXPECT_EQ(s.fees, D("141.4494"));
  EXPECT_EQ(s.funding, D("15.06"));
  EXPECT_EQ(s.realized_net, D("21.6106"));
  EXPECT_EQ(s.closed_net, D("21.6106"));
}

TEST(Portfolio, DustFromBaseFeeClosesPositionWithinThreshold) {
  // SpotPremium: sell spot, buy perp; unwind buys spot back and the BTC fee leaves 0.00001 short.
  Portfolio strict;
  Portfolio lenient;
  const PairIndex a = strict.add_pair();
  const PairIndex b = lenient.add_pair(D("0.00001"));
  for (Portfolio* pf : {&strict, &lenient}) {
    const PairIndex i = pf == &strict ? a : b;
    pf->apply_fill(i, fill(Leg::kSpot, Side::kAsk, "100", "0.01", "0.001"));
    pf->apply_fill(i, fill(Leg::kPerp, Side::kBid, "99", "0.01", "0.000396"));
    pf->apply_fill(i, fill(Leg::kPerp, Side::kAsk, "100.5", "0.01", "0.000402"));
  }
  FillOutcome o = strict.apply_fill(a, fill(Leg::kSpot, Side::kBid, "101", "0.01", "0.00001", FeeAsset::kBase));
  EXPECT_EQ(o.event, FillEvent::kUpdated);  // still 0.00001 BTC short: not closed
  EXPECT_EQ(strict.position(a).spot.quantity(), D("-0.00001"));
  o = lenient.apply_fill(b, fill(Leg::kSpot, Side::kBid, "101", "0.01", "0.00001", FeeAsset::kBase));
  ASSERT_EQ(o.event, FillEvent::kClosed);
  EXPECT_EQ(o.closed.dust_base, D("-0.00001"));
  // spot: sold 1.00 bought 1.01 -> -0.01; perp: +0.015; fees 0.001 + 0.000396 + 0.000402 + 0.00101.
  EXPECT_EQ(o.closed.realized_pnl, D("0.005"));
  EXPECT_EQ(o.closed.fees_usd, D("0.002808"));
  EXPECT_EQ(o.closed.realized_net(), D("0.002192"));
}

TEST(Portfolio, RejectsBadFills) {
  Portfolio pf;
  const PairIndex p = pf.add_pair();
  EXPECT_EQ(pf.apply_fill(7, fill(Leg::kSpot, Side::kBid, "1", "1")).event, FillEvent::kRejected);
  EXPECT_EQ(pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "1", "0")).event, FillEvent::kRejected);
  EXPECT_EQ(pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "0", "1")).event, FillEvent::kRejected);
  EXPECT_EQ(pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "1", "0")).problem, FillProblem::kBadQuantity);
  EXPECT_EQ(pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "0", "1")).problem, FillProblem::kBadPrice);
  EXPECT_EQ(pf.apply_funding(9, D("1"), kDay0).target, FundingTarget::kUnknownPair);
  EXPECT_FALSE(pf.has_open(p));
  EXPECT_EQ(pf.position(42).id, 0u);  // unknown pair: empty state, no crash
  EXPECT_EQ(pf.stats().executed, 0u);
  EXPECT_STREQ(to_string(FillEvent::kRejected), "rejected");
}

TEST(Portfolio, StatsAcrossPositions) {
  Portfolio pf;
  const PairIndex sol = pf.add_pair();
  const PairIndex eth = pf.add_pair();
  pf.note_opportunity();
  pf.note_opportunity();
  pf.note_opportunity();
  // SOL: winner +0.5 - 0.1 fees.
  pf.apply_fill(sol, fill(Leg::kSpot, Side::kBid, "150", "1", "0.05"));
  pf.apply_fill(sol, fill(Leg::kPerp, Side::kAsk, "151", "1", "0.05"));
  pf.apply_fill(sol, fill(Leg::kSpot, Side::kAsk, "152", "1"));
  EXPECT_EQ(pf.apply_fill(sol, fill(Leg::kPerp, Side::kBid, "152.5", "1")).event, FillEvent::kClosed);
  // ETH: open, ids keep counting.
  const FillOutcome o = pf.apply_fill(eth, fill(Leg::kSpot, Side::kBid, "3000", "0.1"));
  EXPECT_EQ(o.position_id, 2u);
  pf.apply_fill(eth, fill(Leg::kPerp, Side::kAsk, "3010", "0.1"));
  // SOL again: a new position id.
  EXPECT_EQ(pf.apply_fill(sol, fill(Leg::kSpot, Side::kBid, "150", "1")).position_id, 3u);
  pf.apply_fill(sol, fill(Leg::kSpot, Side::kAsk, "149", "1", "0.01"));  // closes spot-only: loser

  const StrategyStats s = pf.stats();
  EXPECT_EQ(s.opportunities, 3u);
  EXPECT_EQ(s.executed, 3u);
  EXPECT_EQ(s.open, 1u);
  EXPECT_EQ(s.closed, 2u);
  EXPECT_EQ(s.wins, 1u);
  EXPECT_DOUBLE_EQ(s.win_rate, 0.5);
  EXPECT_EQ(s.realized_pnl, D("-0.5"));  // +0.5 then -1
  EXPECT_EQ(s.fees, D("0.11"));
  EXPECT_EQ(s.closed_net, D("-0.61"));  // 0.4 + (-1.01)

  const std::array<Marks, 2> marks{Marks{D("150"), D("150")}, Marks{D("3005"), D("3012")}};
  EXPECT_EQ(pf.unrealized(marks), D("0.3"));  // ETH: +0.5 spot, -0.2 perp
  EXPECT_EQ(pf.exposure_usd(marks), D("300.5"));
  EXPECT_EQ(pf.total_pnl(marks), D("-0.31"));
}

TEST(Portfolio, DailyPnlResetsAtUtcMidnight) {
  Portfolio pf;
  const PairIndex p = pf.add_pair();
  std::array<Marks, 1> m{Marks{D("100"), D("100")}};
  const TimestampUs t2300 = kDay0 + 23 * kUsPerHour;
  EXPECT_EQ(pf.daily_pnl(t2300, m), D("0"));
  EXPECT_EQ(pf.day_start_us(), kDay0);
  pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "100", "1", "0.1"));
  pf.apply_fill(p, fill(Leg::kPerp, Side::kAsk, "101", "1", "0.1"));
  m[0] = Marks{D("99"), D("101.5")};  // unrealized -1 - 0.5
  EXPECT_EQ(pf.daily_pnl(t2300 + kUsPerSecond, m), D("-1.7"));
  pf.apply_funding(p, D("-0.3"), t2300 + 2 * kUsPerSecond);
  EXPECT_EQ(pf.daily_pnl(kDay0 + kUsPerDay - 1, m), D("-2"));  // 23:59:59.999999

  // 00:00:00 UTC: the budget starts again from the current total.
  pf.roll_day(kDay0 + kUsPerDay, m);
  EXPECT_EQ(pf.day_start_us(), kDay0 + kUsPerDay);
  EXPECT_EQ(pf.daily_pnl(kDay0 + kUsPerDay, m), D("0"));
  m[0] = Marks{D("98"), D("101.5")};
  EXPECT_EQ(pf.daily_pnl(kDay0 + kUsPerDay + kUsPerHour, m), D("-1"));
  EXPECT_EQ(pf.total_pnl(m), D("-3"));
  // Lazy roll on the following day without an explicit roll_day().
  EXPECT_EQ(pf.daily_pnl(kDay0 + 2 * kUsPerDay + 5, m), D("0"));
}

}  // namespace
}  // namespace bparb

namespace bparb {
namespace {

// A maker rebate on a spot BUY arrives as a negative fee in the base coin: the account holds more coins
// than it bought, and the position must say so (it used to refuse the fill and leave the leg at zero).
TEST(PortfolioFees, SpotBuyRebateInBaseCoinIsBookedIntoTheLeg) {
  Portfolio pf;
  const PairIndex p = pf.add_pair(D("0.01"));
  FillOutcome o = pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "150", "3.33", "-0.000666", FeeAsset::kBase));
  EXPECT_EQ(o.event, FillEvent::kOpened);
  EXPECT_EQ(o.problem, FillProblem::kNone);
  EXPECT_EQ(pf.position(p).spot.quantity(), D("3.330666"));
  EXPECT_EQ(o.fee_usd, D("-0.0999"));
  EXPECT_EQ(pf.position(p).fees_usd, D("-0.0999"));
  EXPECT_EQ(pf.position(p).fees_base, D("-0.000666"));
  // Cash out is cost + fees: 499.5 paid, -0.0999 "fee" = 499.4001 of cost in the leg.
  EXPECT_EQ(pf.position(p).spot.cost(), D("499.5999"));
  pf.apply_fill(p, fill(Leg::kPerp, Side::kAsk, "151", "3.33", "0.2514", FeeAsset::kQuote));
  // Close: sell everything the account holds at 150 and buy the perp back at 151: realized is the
  // rebate's coins sold at 150 (0.0999) minus nothing; fees = -0.0999 + 0.2514 + 0.2514 + sell fee.
  o = pf.apply_fill(p, fill(Leg::kSpot, Side::kAsk, "150", "3.330666", "0.4996", FeeAsset::kQuote));
  EXPECT_EQ(o.event, FillEvent::kUpdated);
  o = pf.apply_fill(p, fill(Leg::kPerp, Side::kBid, "151", "3.33", "0.2514", FeeAsset::kQuote));
  ASSERT_EQ(o.event, FillEvent::kClosed);
  // Exchange view: USDC -499.5 - 0.2514*2... spot: -499.5 + 499.5999 - 0.4996; perp: 0 - 0.5028.
  EXPECT_EQ(o.closed.realized_net(), D("499.5999") - D("499.5") - D("0.4996") - D("0.5028"));
  EXPECT_TRUE(o.closed.spot.flat());
}

TEST(PortfolioFees, FeeThePositionCannotHoldIsReportedButTheQuantityIsBooked) {
  Portfolio pf;
  const PairIndex p = pf.add_pair();
  FillOutcome o = pf.apply_fill(p, fill(Leg::kPerp, Side::kAsk, "100", "2", "0.001", FeeAsset::kBase));
  EXPECT_EQ(o.event, FillEvent::kOpened);
  EXPECT_EQ(o.problem, FillProblem::kBaseFeeOnPerp);
  EXPECT_EQ(pf.position(p).perp.quantity(), D("-2"));
  EXPECT_EQ(pf.position(p).fees_usd, D("0"));
  o = pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "100", "2", "0.5", FeeAsset::kOther));
  EXPECT_EQ(o.problem, FillProblem::kFeeInOtherAsset);
  EXPECT_EQ(pf.position(p).spot.quantity(), D("2"));
  // A zero fee in any asset is no problem.
  o = pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "100", "1", "0", FeeAsset::kOther));
  EXPECT_EQ(o.problem, FillProblem::kNone);
  EXPECT_STREQ(to_string(FillProblem::kFeeInOtherAsset), "fee in an asset the position cannot value");
}

// Funding belongs to the position open at the venue's settlement time, whenever it is polled.
TEST(PortfolioFunding, BookedToThePositionThatHeldThePerpAtSettlement) {
  Portfolio pf;
  const PairIndex p = pf.add_pair();
  const TimestampUs h = kUsPerHour;
  auto open_at = [&](TimestampUs t) {
    pf.apply_fill(p, fill(Leg::kSpot, Side::kBid, "100", "1", "0", FeeAsset::kQuote, t));
    return pf.apply_fill(p, fill(Leg::kPerp, Side::kAsk, "100", "1", "0", FeeAsset::kQuote, t)).position_id;
  };
  auto close_at = [&](TimestampUs t) {
    pf.apply_fill(p, fill(Leg::kSpot, Side::kAsk, "100", "1", "0", FeeAsset::kQuote, t));
    return pf.apply_fill(p, fill(Leg::kPerp, Side::kBid, "100", "1", "0", FeeAsset::kQuote, t));
  };
  const std::uint64_t first = open_at(kDay0 + h / 2);
  FundingOutcome f = pf.apply_funding(p, D("0.5"), kDay0 + h);
  EXPECT_EQ(f.target, FundingTarget::kOpenPosition);
  EXPECT_EQ(f.position.id, first);
  const FillOutcome closed = close_at(kDay0 + h + h / 4);
  ASSERT_EQ(closed.event, FillEvent::kClosed);
  EXPECT_EQ(closed.closed.funding, D("0.5"));
  const std::uint64_t second = open_at(kDay0 + h + h / 2);
  // The 02:00 payment is for the second position; a late-polled second 01:00 payment goes to the first.
  f = pf.apply_funding(p, D("0.25"), kDay0 + 2 * h);
  EXPECT_EQ(f.target, FundingTarget::kOpenPosition);
  EXPECT_EQ(f.position.id, second);
  f = pf.apply_funding(p, D("0.125"), kDay0 + h);
  EXPECT_EQ(f.target, FundingTarget::kClosedPosition);
  EXPECT_EQ(f.position.id, first);
  EXPECT_EQ(f.position.funding, D("0.625"));
  EXPECT_EQ(f.position.realized_net(), D("0.625"));
  // Before any position: counted, not attributed.
  f = pf.apply_funding(p, D("-0.01"), kDay0);
  EXPECT_EQ(f.target, FundingTarget::kNoPosition);
  EXPECT_EQ(pf.stats().funding, D("0.865"));
  EXPECT_EQ(pf.stats().closed_net, D("0.625"));
  EXPECT_EQ(pf.stats().wins, 1u);
  // Funding polled after the latest position closed changes the pair's current record too.
  ASSERT_EQ(close_at(kDay0 + 3 * h).event, FillEvent::kClosed);
  f = pf.apply_funding(p, D("1"), kDay0 + 3 * h);
  EXPECT_EQ(f.target, FundingTarget::kClosedPosition);
  EXPECT_EQ(pf.position(p).funding, D("1.25"));
}

TEST(PortfolioRestore, RestoredPositionCarriesWhatItRealizedPaidAndReceived) {
  Portfolio pf;
  const PairIndex p = pf.add_pair();
  RestoredState r;
  r.spot_qty = D("2");
  r.spot_cost = D("200");
  r.perp_qty = D("-2");
  r.perp_cost = D("-202");
  r.realized_pnl = D("1.5");
  r.fees_usd = D("0.4");
  r.funding = D("0.3");
  r.entry_basis = D("0.01");
  r.opened_at_us = kDay0;
  ASSERT_TRUE(pf.restore(p, r));
  EXPECT_FALSE(pf.restore(p, r));  // already open
  const PositionState& pos = pf.position(p);
  EXPECT_EQ(pos.spot.cost(), D("200"));
  EXPECT_EQ(pos.perp.cost(), D("-202"));
  EXPECT_EQ(pos.realized_net(), D("1.4"));
  EXPECT_EQ(pos.entry_basis, D("0.01"));
  // Closing it reports the whole position: 1.5 + 2 (basis) - 0.4 + 0.3.
  pf.apply_fill(p, fill(Leg::kSpot, Side::kAsk, "100", "2", "0", FeeAsset::kQuote, kDay0 + kUsPerHour));
  const FillOutcome o =
      pf.apply_fill(p, fill(Leg::kPerp, Side::kBid, "100", "2", "0", FeeAsset::kQuote, kDay0 + kUsPerHour));
  ASSERT_EQ(o.event, FillEvent::kClosed);
  EXPECT_EQ(o.closed.realized_net(), D("3.4"));
  EXPECT_EQ(pf.stats().realized_net, D("3.4"));
}

}  // namespace
}  // namespace bparb
