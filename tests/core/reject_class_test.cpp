#include "bparb/core/reject_class.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

namespace bparb {
namespace {

TEST(RejectClass, NamesAreStableAndDistinct) {
  EXPECT_EQ(reject_class_name(RejectClass::kOther), "other");
  EXPECT_EQ(reject_class_name(RejectClass::kInsufficientFunds), "insufficient_funds");
  EXPECT_EQ(reject_class_name(RejectClass::kMarketUnavailable), "market_unavailable");
  EXPECT_EQ(reject_class_name(RejectClass::kAccountRefused), "account_refused");
  EXPECT_EQ(reject_class_name(RejectClass::kPositionLimit), "position_limit");
  EXPECT_EQ(reject_class_name(RejectClass::kPriceOutOfBand), "price_out_of_band");
  EXPECT_EQ(reject_class_name(RejectClass::kOffTickOrStep), "off_tick_or_step");
  EXPECT_EQ(reject_class_name(RejectClass::kPostOnlyWouldTake), "post_only_would_take");
  EXPECT_EQ(reject_class_name(RejectClass::kReduceOnlyRefused), "reduce_only_refused");
  EXPECT_EQ(reject_class_name(RejectClass::kRateLimited), "rate_limited");
  EXPECT_EQ(reject_class_name(RejectClass::kRequestExpired), "request_expired");
  EXPECT_EQ(reject_class_name(RejectClass::kBadSignature), "bad_signature");
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kRejectClassCount; ++i) names.insert(reject_class_name(static_cast<RejectClass>(i)));
  EXPECT_EQ(names.size(), kRejectClassCount);
  EXPECT_EQ(names.count("?"), 0u);
  EXPECT_EQ(reject_class_name(static_cast<RejectClass>(kRejectClassCount)), "?");
}

TEST(RejectClass, OnlyMarketAndAccountRefusalsAreDefinitive) {
  EXPECT_TRUE(definitive(RejectClass::kInsufficientFunds));
  EXPECT_TRUE(definitive(RejectClass::kMarketUnavailable));
  EXPECT_TRUE(definitive(RejectClass::kAccountRefused));
  EXPECT_TRUE(definitive(RejectClass::kPositionLimit));
  EXPECT_FALSE(definitive(RejectClass::kOther));
  EXPECT_FALSE(definitive(RejectClass::kPriceOutOfBand));
  EXPECT_FALSE(definitive(RejectClass::kOffTickOrStep));
  EXPECT_FALSE(definitive(RejectClass::kPostOnlyWouldTake));
  EXPECT_FALSE(definitive(RejectClass::kReduceOnlyRefused));
  EXPECT_FALSE(definitive(RejectClass::kRateLimited));
  EXPECT_FALSE(definitive(RejectClass::kRequestExpired));
  EXPECT_FALSE(definitive(RejectClass::kBadSignature));
}

}  // namespace
}  // namespace bparb
