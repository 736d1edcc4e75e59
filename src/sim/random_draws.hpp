#pragma once
// The simulator's random draws: one std::mt19937_64 and hand-written transforms (not <random>
// distributions, whose algorithms differ between standard libraries), so a seed gives the same market
// on every build. Shared by the market model and the shared fair value.
#include <cmath>
#include <random>

namespace bparb::sim::draws {

inline double uniform01(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * (1.0 / 9007199254740992.0);  // (0,1)
}
inline double std_normal(std::mt19937_64& rng) {  // Box-Muller, one value per call
  const double u1 = uniform01(rng);
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}
inline double exponential(std::mt19937_64& rng, double mean) {
  return -mean * std::log(uniform01(rng));
}
inline int poisson(std::mt19937_64& rng, double lambda) {  // Knuth; lambda is small per step
  if (lambda <= 0) return 0;
  if (lambda > 30) return static_cast<int>(std::lround(lambda + std::sqrt(lambda) * std_normal(rng)));
  const double l = std::exp(-lambda);
  int k = 0;
  double p = 1.0;
  do {
    ++k;
    p *= uniform01(rng);
  } while (p > l);
  return k - 1;
}

}  // namespace bparb::sim::draws
