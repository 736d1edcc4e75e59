// Poseidon2 permutation and sponge (docs/lighter-signing.md, "Poseidon2").
#include "bparb/venue/lighter/poseidon2.hpp"

#include "bparb/venue/lighter/poseidon2_constants.hpp"

namespace bparb::lighter {

namespace {

using gl::u128;

inline std::uint64_t sbox(std::uint64_t x) {
  const std::uint64_t x2 = gl::sqr(x);
  const std::uint64_t x3 = gl::mul(x2, x);
  const std::uint64_t x4 = gl::sqr(x2);
  return gl::mul(x3, x4);
}

// Reduces a sum of a few canonical words held in 128 bits (only the low ~68 bits are used).
inline std::uint64_t reduce_small(u128 v) {
  return gl::reduce128(v);
}

// External layer: M4 on each block of four, then add the column sums of the three blocks.
inline void external_layer(Poseidon2State& s) {
  u128 y[12];
  for (int b = 0; b < 12; b += 4) {
    const u128 x0 = s[b], x1 = s[b + 1], x2 = s[b + 2], x3 = s[b + 3];
    // M4 = [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]
    y[b] = 2 * x0 + 3 * x1 + x2 + x3;
    y[b + 1] = x0 + 2 * x1 + 3 * x2 + x3;
    y[b + 2] = x0 + x1 + 2 * x2 + 3 * x3;
    y[b + 3] = 3 * x0 + x1 + x2 + 2 * x3;
  }
  for (int k = 0; k < 4; ++k) {
    const u128 col = y[k] + y[4 + k] + y[8 + k];
    s[k] = reduce_small(y[k] + col);
    s[4 + k] = reduce_small(y[4 + k] + col);
    s[8 + k] = reduce_small(y[8 + k] + col);
  }
}

// Internal layer: out_i = d_i x_i + sum(x).
inline void internal_layer(Poseidon2State& s) {
  u128 sum = 0;
  for (const std::uint64_t v : s) sum += v;
  const std::uint64_t total = reduce_small(sum);
  for (int i = 0; i < 12; ++i) {
    s[i] = gl::reduce128(static_cast<u128>(s[i]) * detail::kPoseidon2Diag[i] + total);
  }
}

inline void full_round(Poseidon2State& s, const std::uint64_t (&rc)[12]) {
  for (int i = 0; i < 12; ++i) s[i] = sbox(gl::add(s[i], rc[i]));
  external_layer(s);
}

}  // namespace

void poseidon2_permute(Poseidon2State& state) {
  external_layer(state);
  for (int r = 0; r < 4; ++r) full_round(state, detail::kPoseidon2External[r]);
  for (int r = 0; r < 22; ++r) {
    state[0] = sbox(gl::add(state[0], detail::kPoseidon2Internal[r]));
    internal_layer(state);
  }
  for (int r = 4; r < 8; ++r) full_round(state, detail::kPoseidon2External[r]);
}

void poseidon2_hash_no_pad(std::span<const std::uint64_t> in, std::span<std::uint64_t> out) {
  Poseidon2State s{};
  for (std::size_t off = 0; off < in.size(); off += 8) {
    const std::size_t n = in.size() - off < 8 ? in.size() - off : 8;
    for (std::size_t i = 0; i < n; ++i) s[i] = gl::canon(in[off + i]);
    poseidon2_permute(s);
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i != 0 && i % 8 == 0) poseidon2_permute(s);
    out[i] = s[i % 8];
  }
}

Fp5 hash_to_fp5(std::span<const std::uint64_t> in) {
  Fp5 r;
  poseidon2_hash_no_pad(in, r.c);
  return r;
}

}  // namespace bparb::lighter
