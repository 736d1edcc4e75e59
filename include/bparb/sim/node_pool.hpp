#pragma once
// An allocator for node containers (std::map, std::set) that keeps every node it is given back and hands it
// out again: once a container has held its peak number of elements, inserting and erasing no longer reach
// the heap. Nodes come from chunks that live as long as the pool. A container and its rebound allocators
// share one pool; a copied container gets a pool of its own (copies may live on other threads). Not
// thread-safe, like the containers it serves.
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace bparb::sim {

struct NodePoolState {
  std::size_t slot = 0;  // bytes per node, set by the first single-node allocation
  void* free = nullptr;  // free slots, linked through their first word
  std::vector<std::unique_ptr<std::byte[]>> chunks;
};

template <class T>
class NodePoolAllocator {
 public:
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;

  NodePoolAllocator() : pool_(std::make_shared<NodePoolState>()) {}
  // Declared so that a moved allocator keeps its pool (no implicit move leaving it empty).
  NodePoolAllocator(const NodePoolAllocator& o) noexcept : pool_(o.pool_) {}
  template <class U>
  NodePoolAllocator(const NodePoolAllocator<U>& o) noexcept : pool_(o.pool_) {}  // NOLINT: rebind
  NodePoolAllocator& operator=(const NodePoolAllocator& o) noexcept {
    pool_ = o.pool_;
    return *this;
  }

  NodePoolAllocator select_on_container_copy_construction() const { return NodePoolAllocator(); }

  T* allocate(std::size_t n) {
    NodePoolState& p = *pool_;
    if (n != 1 || (p.slot != 0 && p.slot != kSlot)) return std::allocator<T>().allocate(n);
    p.slot = kSlot;
    if (p.free == nullptr) grow(p);
    void* s = p.free;
    p.free = *static_cast<void**>(s);
    return static_cast<T*>(s);
  }
  void deallocate(T* ptr, std::size_t n) noexcept {
    NodePoolState& p = *pool_;
    if (n != 1 || p.slot != kSlot) return std::allocator<T>().deallocate(ptr, n);
    *reinterpret_cast<void**>(ptr) = p.free;
    p.free = ptr;
  }

  template <class U>
  bool operator==(const NodePoolAllocator<U>& o) const noexcept {
    return pool_ == o.pool_;
  }

 private:
  template <class U>
  friend class NodePoolAllocator;
  static constexpr std::size_t kAlign = alignof(T) > alignof(void*) ? alignof(T) : alignof(void*);
  static_assert(kAlign <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "chunks are aligned for new");
  static constexpr std::size_t kSlot =
      ((sizeof(T) > sizeof(void*) ? sizeof(T) : sizeof(void*)) + kAlign - 1) & ~(kAlign - 1);
  static constexpr std::size_t kChunkNodes = 256;

  static void grow(NodePoolState& p) {
    p.chunks.push_back(std::unique_ptr<std::byte[]>(new std::byte[kSlot * kChunkNodes]));  // not zeroed
    std::byte* c = p.chunks.back().get();
    for (std::size_t i = kChunkNodes; i-- > 0;) {
      void* s = c + i * kSlot;
      *static_cast<void**>(s) = p.free;
      p.free = s;
    }
  }

  std::shared_ptr<NodePoolState> pool_;
};

}  // namespace bparb::sim
