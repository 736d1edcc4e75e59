#pragma once
// The shapes a depth update travels in between the venue parser and the book. Parsers fill these
// in place (vectors are reused frame after frame, so after warm-up no allocation happens).
#include <cstdint>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb {

// Absolute quantity at a price; quantity zero deletes the level.
struct LevelUpdate {
  Decimal price;
  Decimal quantity;
};

// One `depth.<symbol>` stream message: levels changed between update ids U..u (inclusive).
struct DepthDelta {
  std::string_view symbol;  // points into the frame buffer: valid only while the frame is handled
  std::int64_t first_update_id = 0;  // U
  std::int64_t last_update_id = 0;   // u
  TimestampUs event_time_us = 0;     // E
  TimestampUs engine_time_us = 0;    // T
  std::vector<LevelUpdate> bids;
  std::vector<LevelUpdate> asks;
  void clear() noexcept {
    symbol = {};
    first_update_id = last_update_id = 0;
    event_time_us = engine_time_us = 0;
    bids.clear();
    asks.clear();
  }
};

// GET /api/v1/depth. Backpack sends both sides ascending by price (best bid is LAST); parsers keep
// the order they received and the book sorts defensively.
struct DepthSnapshot {
  std::int64_t last_update_id = 0;
  TimestampUs timestamp_us = 0;
  std::vector<LevelUpdate> bids;
  std::vector<LevelUpdate> asks;
};

}  // namespace bparb
