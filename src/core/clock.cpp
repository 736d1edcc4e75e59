#include "bparb/core/clock.hpp"

#include <chrono>

namespace bparb {

TimestampUs SystemClock::now_us() const noexcept {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace bparb
