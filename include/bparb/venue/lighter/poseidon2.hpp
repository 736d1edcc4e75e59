#pragma once
// Poseidon2 over Goldilocks, width 12 (rate 8), x^7 S-box, 4 + 22 + 4 rounds, and the sponge Lighter
// hashes its messages with (docs/lighter-signing.md, "Poseidon2" and "Sponge").
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "bparb/venue/lighter/fp5.hpp"

namespace bparb::lighter {

using Poseidon2State = std::array<std::uint64_t, 12>;

// In place; the state must be canonical.
void poseidon2_permute(Poseidon2State& state);

// The sponge: overwrite lanes 0..len-1 with each chunk of up to 8 inputs (words >= p stand for their
// value mod p), permute; squeeze `out.size()` words, permuting again after every 8. No padding.
void poseidon2_hash_no_pad(std::span<const std::uint64_t> in, std::span<std::uint64_t> out);

// The first five squeezed words as an element of GF(p^5) ("HashToQuinticExtension").
Fp5 hash_to_fp5(std::span<const std::uint64_t> in);

}  // namespace bparb::lighter
