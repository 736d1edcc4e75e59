// REST response parser parse_markets: never crashes, same verdict on the copying and zero-copy input paths.
#include "fuzz_util.hpp"

using namespace bparb;
using namespace bparb::backpack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bparb::fuzz::rest_differential<std::vector<MarketSpec>>(
      data, size, [](JsonParser& p, JsonInput in, std::vector<MarketSpec>& out) { return parse_markets(p, in, out); });
  return 0;
}
