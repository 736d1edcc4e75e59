#pragma once
// One row per `[xarb]` key: its field and allowed range. validate() and the TOML reader both walk this
// table, so a key cannot be readable but unchecked. Private to the cross-venue sources.
#include <cstdint>
#include <span>
#include <string>

#include "bparb/strategy/cross_venue/xarb_params.hpp"

namespace bparb::xarb_detail {

struct DecimalKey {
  const char* name;
  Decimal XarbParams::*field;
  Decimal lo;
  bool lo_open;  // true: value must be > lo
  Decimal hi;
  const char* unit;

  bool contains(Decimal v) const noexcept { return (lo_open ? v > lo : v >= lo) && v <= hi; }
  std::string allowed() const;
};

struct IntegerKey {
  const char* name;
  std::int64_t XarbParams::*field;
  std::int64_t lo;
  std::int64_t hi;
  const char* unit;

  bool contains(std::int64_t v) const noexcept { return v >= lo && v <= hi; }
  std::string allowed() const;
};

std::span<const DecimalKey> decimal_keys() noexcept;
std::span<const IntegerKey> integer_keys() noexcept;

// A book older than max_book_age_ms refuses opening before confidence is scored, so a soft staleness
// threshold above it could never apply.
inline bool stale_penalty_can_apply(const XarbParams& p) noexcept {
  return p.stale_after_ms <= p.max_book_age_ms;
}

}  // namespace bparb::xarb_detail
