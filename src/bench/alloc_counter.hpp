#pragma once
// Process-wide heap-allocation counter for the no-allocation test and the bench tool.
//
// Linking alloc_counter.cpp into a binary replaces the global operator new/delete (all forms) with
// malloc/free wrappers that bump relaxed atomic counters while counting is enabled. Counting is off
// by default so start-up (gtest, simdjson, spdlog) is not charged; wrap the measured region in an
// AllocScope. Only link it into tests and tools, never into the daemon.
#include <cstddef>
#include <cstdint>

namespace bparb::bench {

struct AllocStats {
  std::uint64_t allocations = 0;  // operator new calls (any form) while counting
  std::uint64_t bytes = 0;        // bytes requested by those calls
};

// Starts counting from zero.
void alloc_counting_begin() noexcept;
// Stops counting and returns what was counted since alloc_counting_begin().
AllocStats alloc_counting_end() noexcept;
bool alloc_counting_active() noexcept;

// RAII: counts allocations for its lifetime; stats() reads the running totals.
class AllocScope {
 public:
  AllocScope() noexcept { alloc_counting_begin(); }
  ~AllocScope() {
    if (!done_) alloc_counting_end();
  }
  AllocScope(const AllocScope&) = delete;
  AllocScope& operator=(const AllocScope&) = delete;
  AllocStats finish() noexcept {
    done_ = true;
    return alloc_counting_end();
  }

 private:
  bool done_ = false;
};

}  // namespace bparb::bench
