#pragma once
// A client order id as the kernel issues it: 64 bits, resumed from the journal across restarts. 0 means
// "no client id". A venue whose field is narrower refuses a wider id before sending anything (its adapter
// checks, never truncates).
#include <cstdint>

namespace bparb {

using ClientId = std::uint64_t;

}  // namespace bparb
