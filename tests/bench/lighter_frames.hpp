#pragma once
// Seeded synthetic Lighter order_book/{market} stream for the benchmarks: an ETH-like perp (price
// decimals 2, size decimals 4, price ~2300), a 200-level-a-side snapshot, then chained updates shaped as
// the venue sends them (docs/lighter.md): each frame carries 1..8 changed levels (geometric, mean ~2.5)
// near the touch, ~25% of them removals (size "0.0000"), `begin_nonce` = previous `nonce`, nonces rising
// by 1..40 and offsets jumping by non-contiguous steps. The mid drifts by a tick now and then; levels
// that would cross are removed in the same frame, so the book never crosses.
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace bparb::lighter::bench {

inline void append_level(std::string& s, bool& first, std::int64_t price_ticks, std::int64_t size_lots) {
  char buf[96];
  const int n = std::snprintf(buf, sizeof buf, R"(%s{"price":"%lld.%02lld","size":"%lld.%04lld"})", first ? "" : ",",
                              static_cast<long long>(price_ticks / 100), static_cast<long long>(price_ticks % 100),
                              static_cast<long long>(size_lots / 10000), static_cast<long long>(size_lots % 10000));
  s.append(buf, static_cast<std::size_t>(n));
  first = false;
}

// frames[0] is the snapshot; frames[1..n] the updates. Each string has kPadding spare capacity, as a
// WebSocket read buffer would, so the parser reads it in place.
inline std::vector<std::string> make_book_frames(std::size_t n_updates, std::uint64_t seed, std::size_t padding = 64) {
  std::mt19937_64 rng(seed);
  std::map<std::int64_t, std::int64_t> bids;  // ticks -> lots
  std::map<std::int64_t, std::int64_t> asks;
  std::int64_t mid = 230000;  // 2300.00, bids below, asks at or above
  std::uniform_int_distribution<std::int64_t> lots(1, 400000);
  for (int i = 1; i <= 200; ++i) {
    bids[mid - i] = lots(rng);
    asks[mid + i - 1] = lots(rng);
  }
  std::int64_t nonce = 904845;
  std::int64_t offset = 2164;
  const std::int64_t t0_us = 1778138389655150;
  std::vector<std::string> out;
  out.reserve(n_updates + 1);

  auto frame = [&](bool snapshot, const std::vector<std::pair<std::int64_t, std::int64_t>>& a,
                   const std::vector<std::pair<std::int64_t, std::int64_t>>& b, std::int64_t begin, std::int64_t t_us) {
    std::string s;
    s.reserve(256 + 48 * (a.size() + b.size()) + padding);
    s += R"({"channel":"order_book:0","last_updated_at":)" + std::to_string(t_us) + R"(,"offset":)" +
         std::to_string(offset) + R"(,"order_book":{"code":0,"asks":[)";
    bool first = true;
    for (const auto& [p, q] : a) append_level(s, first, p, q);
    s += R"(],"bids":[)";
    first = true;
    for (const auto& [p, q] : b) append_level(s, first, p, q);
    s += R"(],"offset":)" + std::to_string(offset) + R"(,"nonce":)" + std::to_string(nonce) + R"(,"last_updated_at":)" +
         std::to_string(t_us) + R"(,"begin_nonce":)" + std::to_string(begin) + R"(},"timestamp":)" +
         std::to_string(t_us / 1000 + 7) + R"(,"type":")" + (snapshot ? "subscribed" : "update") + R"(/order_book"})";
    out.push_back(std::move(s));
  };

  {
    std::vector<std::pair<std::int64_t, std::int64_t>> a(asks.begin(), asks.end());
    std::vector<std::pair<std::int64_t, std::int64_t>> b(bids.rbegin(), bids.rend());
    frame(true, a, b, 0, t0_us);
  }
  std::geometric_distribution<int> count(0.4);
  std::geometric_distribution<int> depth(0.35);
  std::bernoulli_distribution is_bid(0.5);
  std::bernoulli_distribution is_delete(0.25);
  std::bernoulli_distribution drift(0.02);
  std::bernoulli_distribution up(0.5);
  std::uniform_int_distribution<std::int64_t> nonce_step(1, 40);
  std::uniform_int_distribution<std::int64_t> offset_step(1, 5000);
  std::vector<std::pair<std::int64_t, std::int64_t>> a;
  std::vector<std::pair<std::int64_t, std::int64_t>> b;
  for (std::size_t i = 1; i <= n_updates; ++i) {
    a.clear();
    b.clear();
    if (drift(rng)) {
      // Move the mid one tick; remove whatever would now cross.
      if (up(rng)) {
        ++mid;
        if (asks.count(mid - 1) != 0) {
          asks.erase(mid - 1);
          a.emplace_back(mid - 1, 0);
        }
      } else {
        --mid;
        if (bids.count(mid) != 0) {
          bids.erase(mid);
          b.emplace_back(mid, 0);
        }
      }
    }
    const int n = 1 + std::min(count(rng), 7);
    for (int k = 0; k < n; ++k) {
      const bool bid = is_bid(rng);
      const std::int64_t d = std::min(depth(rng), 150);
      const std::int64_t p = bid ? mid - 1 - d : mid + d;
      auto& side = bid ? bids : asks;
      auto& changes = bid ? b : a;
      bool dup = false;
      for (const auto& c : changes) dup = dup || c.first == p;
      if (dup) continue;
      if (is_delete(rng) && side.count(p) != 0) {
        side.erase(p);
        changes.emplace_back(p, 0);
      } else {
        const std::int64_t q = lots(rng);
        side[p] = q;
        changes.emplace_back(p, q);
      }
    }
    const std::int64_t begin = nonce;
    nonce += nonce_step(rng);
    offset += offset_step(rng);
    frame(false, a, b, begin, t0_us + static_cast<std::int64_t>(i) * 50'000);
  }
  return out;
}

}  // namespace bparb::lighter::bench
