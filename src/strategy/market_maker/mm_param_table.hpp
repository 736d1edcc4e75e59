#pragma once
// One row per `[mm]` key: its field and allowed range. validate_mm_params() and the TOML reader both walk
// this table, so a key cannot be readable but unchecked (or checked but unreadable). Private to the
// market maker's sources.
#include <cstdint>
#include <span>
#include <string>

#include "bparb/strategy/market_maker/mm_params.hpp"

namespace bparb::mm_detail {

struct DecimalKey {
  const char* name;
  Decimal MmParams::*field;
  Decimal lo;
  bool lo_open;  // true: value must be > lo; false: >= lo
  Decimal hi;
  bool hi_open;
  const char* note;  // appended to the allowed range, may be nullptr

  bool contains(Decimal v) const noexcept {
    if (lo_open ? v <= lo : v < lo) return false;
    if (hi_open ? v >= hi : v > hi) return false;
    return true;
  }
  std::string allowed() const;
};

struct IntegerKey {
  const char* name;
  std::int64_t MmParams::*field;
  std::int64_t lo;
  std::int64_t hi;
  const char* note;

  bool contains(std::int64_t v) const noexcept { return v >= lo && v <= hi; }
  std::string allowed() const;
};

std::span<const DecimalKey> decimal_keys() noexcept;
std::span<const IntegerKey> integer_keys() noexcept;

// Checks between keys (side switch ratio above 1, quote age 0 or at least 100 ms, ...). `section` prefixes
// the key names.
void cross_checks(const MmParams& p, const std::string& section, std::vector<std::string>& out);

}  // namespace bparb::mm_detail
