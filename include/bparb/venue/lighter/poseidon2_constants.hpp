#pragma once
// Poseidon2 constants (src/venue/lighter/poseidon2_constants.cpp), exposed for the tests that compare them with
// the published data file.
#include <cstdint>

namespace bparb::lighter::detail {
extern const std::uint64_t kPoseidon2External[8][12];
extern const std::uint64_t kPoseidon2Internal[22];
extern const std::uint64_t kPoseidon2Diag[12];
}  // namespace bparb::lighter::detail
