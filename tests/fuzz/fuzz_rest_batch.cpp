// REST response parser parse_batch_results: never crashes, same verdict on the copying and zero-copy input paths.
#include "fuzz_util.hpp"

using namespace bparb;
using namespace bparb::backpack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bparb::fuzz::rest_differential<std::vector<BatchOrderResult>>(
      data, size,
      [](JsonParser& p, JsonInput in, std::vector<BatchOrderResult>& out) { return parse_batch_results(p, in, out); });
  return 0;
}
