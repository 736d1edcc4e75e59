#pragma once
// Minimal std::expected stand-in (C++23's is not available with GCC 12 in C++20 mode).
// Hot-path code returns these instead of throwing.
#include <type_traits>
#include <utility>
#include <variant>

namespace bparb {

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E>
class Expected {
 public:
  Expected(const T& v) : v_(std::in_place_index<0>, v) {}          // NOLINT(google-explicit-constructor)
  Expected(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}     // NOLINT(google-explicit-constructor)
  template <class G>
  Expected(Unexpected<G> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  E& error() & { return std::get<1>(v_); }
  const E& error() const& { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace bparb
