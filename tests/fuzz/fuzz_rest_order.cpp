// REST response parser parse_order: never crashes, same verdict on the copying and zero-copy input paths.
#include "fuzz_util.hpp"

using namespace bparb;
using namespace bparb::backpack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bparb::fuzz::rest_differential<Order>(
      data, size, [](JsonParser& p, JsonInput in, Order& out) { return parse_order(p, in, out); });
  return 0;
}
