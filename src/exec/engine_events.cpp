#include "bparb/exec/engine_events.hpp"

#include <stdexcept>

namespace bparb::exec {

std::string_view leg_name(LegIndex leg) noexcept {
  return leg == LegIndex::kSpot ? "spot" : "perp";
}

void ObserverList::add(EngineObserver& observer) {
  if (size_ == kCapacity) throw std::length_error("ObserverList: more than kCapacity observers");
  observers_[size_++] = &observer;
}

}  // namespace bparb::exec
