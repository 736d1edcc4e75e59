// Global operator new/delete replacement that counts allocations (see alloc_counter.hpp).
#include "alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace bparb::bench {
namespace {

std::atomic<bool> g_active{false};
std::atomic<std::uint64_t> g_count{0};
std::atomic<std::uint64_t> g_bytes{0};
// BPARB_ALLOC_TRAP=N: abort() on the N-th allocation counted in this process (over all scopes), so
// `gdb -batch -ex run -ex bt --args ...` shows exactly who allocated.
std::uint64_t trap_at() {
  const char* s = std::getenv("BPARB_ALLOC_TRAP");
  return s == nullptr ? 0 : std::strtoull(s, nullptr, 10);
}
const std::uint64_t g_trap_at = trap_at();
std::atomic<std::uint64_t> g_lifetime{0};

void note(std::size_t n) {
  if (!g_active.load(std::memory_order_relaxed)) return;
  g_count.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(n, std::memory_order_relaxed);
  if (g_trap_at != 0 && g_lifetime.fetch_add(1, std::memory_order_relaxed) + 1 == g_trap_at) std::abort();
}

void* counted_alloc(std::size_t n) {
  note(n);
  if (n == 0) n = 1;
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* counted_aligned_alloc(std::size_t n, std::align_val_t al) {
  note(n);
  const auto a = static_cast<std::size_t>(al);
  // aligned_alloc needs a size that is a multiple of the alignment.
  std::size_t size = (n + a - 1) / a * a;
  if (size == 0) size = a;
  void* p = std::aligned_alloc(a, size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

void alloc_counting_begin() noexcept {
  g_count.store(0, std::memory_order_relaxed);
  g_bytes.store(0, std::memory_order_relaxed);
  g_active.store(true, std::memory_order_seq_cst);
}

AllocStats alloc_counting_end() noexcept {
  g_active.store(false, std::memory_order_seq_cst);
  return AllocStats{g_count.load(std::memory_order_relaxed), g_bytes.load(std::memory_order_relaxed)};
}

bool alloc_counting_active() noexcept {
  return g_active.load(std::memory_order_relaxed);
}

}  // namespace bparb::bench

// NOLINTBEGIN(misc-new-delete-overloads)
void* operator new(std::size_t n) {
  return bparb::bench::counted_alloc(n);
}
void* operator new[](std::size_t n) {
  return bparb::bench::counted_alloc(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return bparb::bench::counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return bparb::bench::counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t a) {
  return bparb::bench::counted_aligned_alloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return bparb::bench::counted_aligned_alloc(n, a);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
// NOLINTEND(misc-new-delete-overloads)
