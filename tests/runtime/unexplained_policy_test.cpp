// [recovery] unexplained_positions as one decision for the three places that meet a position the journal
// cannot explain (a basis pair's perp, a market no pair trades, a cross-venue pair): the action each value
// takes, the refusal's words and the log line's, exactly.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

#include "bparb/runtime/recovery.hpp"

namespace bparb::runtime {
namespace {

using U = RecoveryOptions::Unexplained;

struct Decided {
  UnexplainedDecision decision;
  std::string line;  // what was logged, "[level] text"
};

Decided decide(U policy, const UnexplainedPosition& position) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_pattern("[%l] %v");
  spdlog::logger log("unexplained_test", sink);
  RecoveryOptions o;
  o.unexplained = policy;
  o.source_path = "bparb.toml";
  Decided d{decide_unexplained(o, log, position), {}};
  log.flush();
  d.line = out.str();
  if (!d.line.empty() && d.line.back() == '\n') d.line.pop_back();
  return d;
}

const UnexplainedPosition kPair{"pair SOL: the exchange holds 2 SOL_USDC_PERP but the journal explains 0 (spot leg 0)",
                                false, true};
const UnexplainedPosition kSingle{"Lighter ETH: the exchange holds 1 but the journal's single orders explain 0", false,
                                  false};
const UnexplainedPosition kTwoLegs{
    "pair BTC: Backpack holds 1 BTC_USDC_PERP and Lighter -1 BTC but the journal "
    "explains 0 and 0",
    true, true};

TEST(UnexplainedPolicy, RefuseStopsNamingTheConfigAndTheValuesThatApply) {
  const Decided pair = decide(U::kRefuse, kPair);
  EXPECT_EQ(pair.decision.action, U::kRefuse);
  EXPECT_EQ(pair.decision.refusal, kPair.subject +
                                       "; close it by hand, or set [recovery] unexplained_positions = \"flag\" (start "
                                       "reduce-only) or \"adopt\" (unwind it) in bparb.toml (bparb never trades on "
                                       "top of positions it cannot explain)");
  EXPECT_EQ(pair.line, "");
  // adopt cannot unwind a market no pair trades: the refusal does not offer it
  EXPECT_EQ(decide(U::kRefuse, kSingle).decision.refusal,
            kSingle.subject +
                "; close it by hand, or set [recovery] unexplained_positions = \"flag\" (start reduce-only) in "
                "bparb.toml (bparb never trades on top of positions it cannot explain)");
  EXPECT_EQ(decide(U::kRefuse, kTwoLegs).decision.refusal,
            kTwoLegs.subject +
                "; close them by hand, or set [recovery] unexplained_positions = \"flag\" (start reduce-only) or "
                "\"adopt\" (unwind them) in bparb.toml (bparb never trades on top of positions it cannot explain)");
}

TEST(UnexplainedPolicy, FlagStartsReduceOnlyWithAnErrorLine) {
  const Decided pair = decide(U::kFlag, kPair);
  EXPECT_EQ(pair.decision.action, U::kFlag);
  EXPECT_TRUE(pair.decision.refusal.empty());
  EXPECT_EQ(pair.line,
            "[error] Recovery: " + kPair.subject +
                "; [recovery] unexplained_positions = flag: starting ReduceOnly, the position is left alone");
  EXPECT_EQ(decide(U::kFlag, kSingle).line,
            "[error] Recovery: " + kSingle.subject +
                "; [recovery] unexplained_positions = flag: starting ReduceOnly, the position is left alone");
  EXPECT_EQ(decide(U::kFlag, kTwoLegs).line,
            "[error] Recovery: " + kTwoLegs.subject +
                "; [recovery] unexplained_positions = flag: starting ReduceOnly, the positions are left alone");
}

TEST(UnexplainedPolicy, AdoptUnwindsWhatAPairTradesAndFlagsWhatNoPairTrades) {
  const Decided pair = decide(U::kAdopt, kPair);
  EXPECT_EQ(pair.decision.action, U::kAdopt);
  EXPECT_EQ(pair.line, "[warning] Recovery: " + kPair.subject +
                           "; [recovery] unexplained_positions = adopt: taking it over and unwinding it to flat");
  const Decided two = decide(U::kAdopt, kTwoLegs);
  EXPECT_EQ(two.decision.action, U::kAdopt);
  EXPECT_EQ(two.line,
            "[warning] Recovery: " + kTwoLegs.subject +
                "; [recovery] unexplained_positions = adopt: taking them over and unwinding both legs to flat");
  const Decided single = decide(U::kAdopt, kSingle);
  EXPECT_EQ(single.decision.action, U::kFlag);
  EXPECT_EQ(single.line, "[error] Recovery: " + kSingle.subject +
                             "; [recovery] unexplained_positions = adopt unwinds a pair's position, and no pair trades "
                             "this market: starting ReduceOnly as with flag, the position is left alone");
}

}  // namespace
}  // namespace bparb::runtime
