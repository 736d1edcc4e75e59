// FaultInjector's control language and the faults added for the daemon scenarios: a fill-ratio cap
// limited to some markets and to a number of orders, and withheld private orderFill frames.
#include "bparb/sim/faults.hpp"

#include <gtest/gtest.h>

namespace bparb::sim {
namespace {

constexpr TimestampUs kNow = 1'700'000'000'000'000;

TEST(FaultInjector, FillRatioCapOnOneMarketForOneOrder) {
  FaultInjector f;
  auto r =
      f.apply_json(R"({"fill_ratio_cap":"0.5","fill_ratio_symbols":["SOL_USDC_PERP"],"fill_ratio_orders":1})", kNow);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(f.fill_ratio_cap_for("SOL_USDC"), Decimal::one());  // the other market is not capped
  EXPECT_EQ(f.fill_ratio_cap_for("SOL_USDC_PERP"), Decimal::from_string("0.5"));
  f.note_fill_capped("SOL_USDC_PERP");
  EXPECT_EQ(f.counters().fills_capped, 1);
  // One order only: the cap is off afterwards, so the hedge can complete.
  EXPECT_EQ(f.fill_ratio_cap_for("SOL_USDC_PERP"), Decimal::one());
  EXPECT_NE(f.to_json(kNow).find(R"("fill_ratio_cap":"1")"), std::string::npos) << f.to_json(kNow);
}

TEST(FaultInjector, UnlimitedFillRatioCapOnEveryMarket) {
  FaultInjector f;
  ASSERT_TRUE(f.apply_json(R"({"fill_ratio_cap":"0.25"})", kNow).has_value());
  EXPECT_EQ(f.fill_ratio_cap_for("SOL_USDC"), Decimal::from_string("0.25"));
  f.note_fill_capped("SOL_USDC");
  f.note_fill_capped("SOL_USDC");
  EXPECT_EQ(f.fill_ratio_cap_for("BTC_USDC_PERP"), Decimal::from_string("0.25"));
  EXPECT_EQ(f.counters().fills_capped, 2);
}

// Post-only orders the book is moved through: a limited run, counted, shown, refused when negative.
TEST(FaultInjector, PostOnlyCross) {
  FaultInjector f;
  EXPECT_FALSE(f.take_post_only_cross("SOL_USDC_PERP"));
  ASSERT_TRUE(f.apply_json(R"({"post_only_cross":2})", kNow).has_value());
  EXPECT_NE(f.to_json(kNow).find(R"("post_only_cross":2)"), std::string::npos) << f.to_json(kNow);
  EXPECT_TRUE(f.take_post_only_cross("SOL_USDC_PERP"));
  EXPECT_TRUE(f.take_post_only_cross("SOL_USDC_PERP"));
  EXPECT_FALSE(f.take_post_only_cross("SOL_USDC_PERP"));  // the run is used up
  EXPECT_EQ(f.counters().post_only_crossed, 2);
  EXPECT_NE(f.to_json(kNow).find(R"("post_only_crossed":2)"), std::string::npos) << f.to_json(kNow);
  auto bad = f.apply_json(R"({"post_only_cross":-1})", kNow);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "post_only_cross: -1 outside [0, 1000000]");
}

// Cancels answered 202 (a limited run, each with its effect delay) and cancels carried out late.
TEST(FaultInjector, CancelAcceptedAndCancelLatency) {
  FaultInjector f;
  std::int64_t effect = -1;
  EXPECT_FALSE(f.take_cancel_accepted(effect));
  EXPECT_EQ(f.cancel_delay_ms(), 0);
  ASSERT_TRUE(
      f.apply_json(R"({"cancel_accepted":2,"cancel_accepted_effect_ms":400,"cancel_latency_ms":{"min":100,"max":100}})",
                   kNow)
          .has_value());
  EXPECT_NE(f.to_json(kNow).find(R"("cancel_accepted":2,"cancel_accepted_effect_ms":{"min":400,"max":400})"),
            std::string::npos)
      << f.to_json(kNow);
  EXPECT_TRUE(f.take_cancel_accepted(effect));
  EXPECT_EQ(effect, 400);
  EXPECT_TRUE(f.take_cancel_accepted(effect));
  EXPECT_FALSE(f.take_cancel_accepted(effect));  // the run is used up
  EXPECT_EQ(f.cancel_delay_ms(), 100);
  EXPECT_EQ(f.counters().cancels_accepted, 2);
  EXPECT_EQ(f.counters().cancels_delayed, 1);
  // Bad values change nothing and name the key.
  auto bad = f.apply_json(R"({"cancel_accepted":-1})", kNow);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "cancel_accepted: -1 outside [0, 1000000]");
  bad = f.apply_json(R"({"cancel_latency_ms":{"min":5,"max":1}})", kNow);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "cancel_latency_ms: min > max");
}

TEST(FaultInjector, DropOrderFillsCountsEachWithheldFrame) {
  FaultInjector f;
  EXPECT_FALSE(f.take_order_fill_drop());
  ASSERT_TRUE(f.apply_json(R"({"drop_order_fills":2})", kNow).has_value());
  EXPECT_NE(f.to_json(kNow).find(R"("drop_order_fills":2)"), std::string::npos);
  EXPECT_TRUE(f.take_order_fill_drop());
  EXPECT_TRUE(f.take_order_fill_drop());
  EXPECT_FALSE(f.take_order_fill_drop());
  EXPECT_EQ(f.counters().order_fills_dropped, 2);
  EXPECT_NE(f.to_json(kNow).find(R"("order_fills_dropped":2)"), std::string::npos);
}

TEST(FaultInjector, OversizedFramesCountEachPaddedFrame) {
  FaultInjector f;
  EXPECT_FALSE(f.take_oversized_frame());
  ASSERT_TRUE(f.apply_json(R"({"oversized_frames":1})", kNow).has_value());
  EXPECT_NE(f.to_json(kNow).find(R"("oversized_frames":1)"), std::string::npos);
  EXPECT_TRUE(f.take_oversized_frame());
  EXPECT_FALSE(f.take_oversized_frame());
  EXPECT_EQ(f.counters().oversized_frames, 1);
  EXPECT_FALSE(f.apply_json(R"({"oversized_frames":-1})", kNow).has_value());
}

TEST(FaultInjector, BadValuesForTheNewKeysChangeNothing) {
  FaultInjector f;
  auto r = f.apply_json(R"({"drop_order_fills":-1})", kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("drop_order_fills"), std::string::npos) << r.error();
  r = f.apply_json(R"({"fill_ratio_cap":"0.5","fill_ratio_symbols":"SOL_USDC"})", kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("fill_ratio_symbols: expected an array"), std::string::npos) << r.error();
  EXPECT_EQ(f.fill_ratio_cap_for("SOL_USDC"), Decimal::one());  // the valid key in that body was not applied
  r = f.apply_json(R"({"fill_ratio_orders":"one"})", kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("fill_ratio_orders: expected an integer"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace bparb::sim

namespace bparb::sim {
namespace {

TEST(FaultInjector, OrderLatencyOnlyForOrdersAndCounted) {
  FaultInjector f;
  ASSERT_TRUE(f.apply_json(R"({"order_latency_ms":2500})", kNow).has_value());
  EXPECT_EQ(f.rest_delay_ms(), 0);  // other requests are not delayed
  EXPECT_EQ(f.order_delay_ms(), 2500);
  EXPECT_EQ(f.counters().orders_delayed, 1);
  EXPECT_EQ(f.counters().rest_delayed, 0);
  EXPECT_FALSE(f.apply_json(R"({"order_latency_ms":{"min":5,"max":1}})", kNow).has_value());
  ASSERT_TRUE(f.apply_json(R"({"order_latency_ms":0})", kNow).has_value());
  EXPECT_EQ(f.order_delay_ms(), 0);
}

TEST(FaultInjector, AuthOutcomesAreCounted) {
  FaultInjector f;
  f.note_auth(true);
  f.note_auth(false);
  f.note_auth(false);
  EXPECT_EQ(f.counters().expired_requests, 1);
  EXPECT_EQ(f.counters().authenticated_requests, 2);
  EXPECT_NE(f.to_json(kNow).find(R"("expired_requests":1,"authenticated_requests":2)"), std::string::npos)
      << f.to_json(kNow);
}

}  // namespace
}  // namespace bparb::sim
