#include "bparb/core/venue.hpp"

#include <gtest/gtest.h>

namespace bparb {
namespace {

TEST(Venue, NamesRoundTrip) {
  EXPECT_EQ(venue_name(VenueId::kBackpack), "backpack");
  EXPECT_EQ(venue_name(VenueId::kLighter), "lighter");
  for (std::size_t i = 0; i < kVenueCount; ++i) {
    const auto v = static_cast<VenueId>(i);
    VenueId back = v == VenueId::kBackpack ? VenueId::kLighter : VenueId::kBackpack;
    ASSERT_TRUE(parse_venue_id(venue_name(v), back)) << venue_name(v);
    EXPECT_EQ(back, v);
  }
}

TEST(Venue, UnknownNamesAreRefusedAndLeaveTheOutputAlone) {
  VenueId out = VenueId::kLighter;
  EXPECT_FALSE(parse_venue_id("Backpack", out));  // names are case-sensitive
  EXPECT_FALSE(parse_venue_id("binance", out));
  EXPECT_FALSE(parse_venue_id("", out));
  EXPECT_FALSE(parse_venue_id("backpack ", out));
  EXPECT_EQ(out, VenueId::kLighter);
  EXPECT_EQ(venue_name(static_cast<VenueId>(7)), "?");
}

}  // namespace
}  // namespace bparb
