#pragma once
// The venues bparb trades on: a small closed enum, so a venue can key arrays and be stored compactly.
// The names are the lower-case words used in configuration, logs and the journal ("backpack",
// "lighter"); they are stable because journals store them.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bparb {

enum class VenueId : std::uint8_t { kBackpack, kLighter };
inline constexpr std::size_t kVenueCount = 2;

std::string_view venue_name(VenueId v) noexcept;  // "backpack" / "lighter"; "?" for a value outside the enum
// Exact, case-sensitive match of venue_name(). False (and `out` untouched) for anything else.
bool parse_venue_id(std::string_view name, VenueId& out) noexcept;

}  // namespace bparb
