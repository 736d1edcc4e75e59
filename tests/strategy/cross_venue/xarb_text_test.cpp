// The cross-venue log lines, to the character.
#include "bparb/strategy/cross_venue/xarb_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "xarb_test_util.hpp"

namespace bparb::xarbtest {
namespace {

std::string opportunity(const XarbQuote& q) {
  char buf[512];
  const std::size_t n = format_opportunity(q, "BTC", buf, sizeof buf);
  return std::string(buf, n);
}

TEST(XarbText, FoundOpportunity) {
  Rig r;
  r.long_books();
  r.in.backpack.funding = FundingInfo{D("0.0001"), 3'600'000, 0, {}};
  r.in.lighter.funding = FundingInfo{D("0.00005"), 3'600'000, 0, {}};
  const XarbQuote q = XarbEvaluator(base_params()).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(opportunity(q),
            "Found opportunity BTC LongBackpack spread=77 (15.39984 bps) net=1.39984 bps (0.139985399 USD) "
            "confidence=0.90 size=0.02 backpack=buy vwap=50000.5 lighter=sell vwap=50077.5 fees=10 bps slip=2 bps "
            "funding=-2 bps (4h/4h) exit=0 bps size_by=target TRADEABLE");
  // Positive funding carries its sign; a refused quote names its reason where TRADEABLE stood.
  r.in.backpack.funding.rate = D("-0.0001");
  XarbParams p = base_params();
  p.min_net_edge_bps = D("100");
  const std::string line = opportunity(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack));
  EXPECT_NE(line.find(" funding=+6 bps (4h/4h) "), std::string::npos) << line;
  EXPECT_NE(line.find(" below_net_edge"), std::string::npos) << line;
}

TEST(XarbText, RefusalExitAndCounts) {
  Rig r;
  r.long_books();
  r.in.lighter.nonce_settled = false;
  const XarbQuote q = XarbEvaluator(base_params()).evaluate(r.in, XarbDirection::kLongBackpack);
  char buf[512];
  std::size_t n = format_refusal(q, "BTC", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "Refused BTC LongBackpack reason=nonce_unsettled venue=lighter");
  XarbParams p = base_params();
  p.min_confidence = D("0.95");
  r.in.lighter.nonce_settled = true;
  n = format_refusal(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack), "BTC", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n),
            "Refused BTC LongBackpack reason=low_confidence venue=backpack spread=77 net=3.39984 bps "
            "confidence=0.90 size=0.02");

  XarbPosition pos;
  pos.quantity = D("0.02");
  XarbExitSignal s;
  s.exit = true;
  s.reason = XarbExitReason::kConverged;
  s.prices_valid = true;
  s.exit_spread_usd = D("0.5");
  s.pnl_if_closed_usd = D("0.5299");
  s.pnl_fraction = D("0.000529894");
  s.held_us = 3600 * kUsPerSecond;
  s.adverse_funding_fraction = D("0.00001");
  s.backpack = {Side::kAsk, D("0.02"), D("50010"), true};
  s.lighter = {Side::kBid, D("0.02"), D("50010.5"), true};
  n = format_exit(s, pos, "BTC", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n),
            "Closing BTC LongBackpack reason=converged exit_spread=0.5 pnl=0.5299 USD (5.29894 bps) held=3600s "
            "funding_against=0.1 bps/h reduce_only backpack=sell 0.02 lighter=buy 0.02");

  XarbRefusalCounts c;
  n = format_refusal_counts(c, "BTC", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "Refusals BTC total=0");
  c.add(XarbRefusal::kBookStale);
  c.add(XarbRefusal::kBookInvalid);
  c.add(XarbRefusal::kBookStale);
  c.add(XarbRefusal::kNone);  // a trade: not a refusal
  n = format_refusal_counts(c, "BTC", buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "Refusals BTC total=3 book_invalid=1 book_stale=2");
  // A short buffer truncates and still terminates.
  n = format_refusal_counts(c, "BTC", buf, 16);
  EXPECT_EQ(n, 15u);
  EXPECT_EQ(std::string(buf), "Refusals BTC to");
}

}  // namespace
}  // namespace bparb::xarbtest
