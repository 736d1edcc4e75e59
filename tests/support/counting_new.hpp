#pragma once
// A counting replacement of the global operator new for the no-allocation tests: it counts the calls made
// while g_counting is up and otherwise behaves like the default (malloc/free). Replacement functions must be
// defined once per program, so exactly ONE translation unit of a test binary includes this header.
//
// Under AddressSanitizer the allocator belongs to ASan (replacing it trips -Wmismatched-new-delete and ASan's
// own checks): nothing is replaced there, and the tests skip, since counting means something in the Release
// run only.
#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocs{0};
}  // namespace

#if !defined(__SANITIZE_ADDRESS__)
// GCC pairs the malloc in operator new with the free in operator delete once both are inlined into a test
// (at -O1 and above) and calls the pair mismatched; it is the replacement itself, so the warning is off here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop
#endif  // !__SANITIZE_ADDRESS__
