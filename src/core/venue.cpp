#include "bparb/core/venue.hpp"

#include <array>

namespace bparb {
namespace {
constexpr std::array<std::string_view, kVenueCount> kVenueNames = {"backpack", "lighter"};
}  // namespace

std::string_view venue_name(VenueId v) noexcept {
  const auto i = static_cast<std::size_t>(v);
  return i < kVenueNames.size() ? kVenueNames[i] : std::string_view("?");
}

bool parse_venue_id(std::string_view name, VenueId& out) noexcept {
  for (std::size_t i = 0; i < kVenueNames.size(); ++i) {
    if (kVenueNames[i] == name) {
      out = static_cast<VenueId>(i);
      return true;
    }
  }
  return false;
}

}  // namespace bparb
