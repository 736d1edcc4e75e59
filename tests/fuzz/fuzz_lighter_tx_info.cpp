// The simulated Lighter's tx_info parser (sim/lighter/tx_info.hpp) on arbitrary bytes: the first byte
// picks the tx_type (14..17 and one unsupported value), the rest is the tx_info text. Properties: no
// crash; a parsed transaction is written back with venue/lighter's exact tx_info writer (both layouts)
// and parses again to the same fields, the same message hash and the same signature.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "bparb/sim/lighter/tx_info.hpp"

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

using namespace bparb::sim::lighter;
namespace bl = bparb::lighter;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static TxInfoParser parser;
  const std::int64_t type = 14 + data[0] % 5;  // 18 is unsupported
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto r = parser.parse(type, text);
  if (!r) {
    FUZZ_CHECK(type != 18 || r.error() == TxInfoError::kUnsupportedType);
    return 0;
  }
  FUZZ_CHECK(type != 18);
  const ParsedTx first = *r;
  const bl::Fp5 hash = tx_message_hash(first, 304);
  for (bl::TxInfoLayout layout : {bl::TxInfoLayout::kCurrent, bl::TxInfoLayout::kLegacy}) {
    // Legacy tx_info has no attributes: only a transaction without any round-trips through it.
    const bool has_attrs = std::visit(
        [](const auto& t) {
          std::array<std::uint64_t, 8> el{};
          return bl::attribute_elements(t.attributes, el) != 0;
        },
        first.tx);
    if (layout == bl::TxInfoLayout::kLegacy && has_attrs) continue;
    std::array<char, bl::kMaxTxInfoSize> buf{};
    const std::size_t n = std::visit(
        [&](const auto& t) { return bl::write_tx_info(first.envelope, t, first.signature, layout, buf); }, first.tx);
    FUZZ_CHECK(n > 0);
    auto again = parser.parse(type, std::string_view(buf.data(), n));
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->signature == first.signature);
    FUZZ_CHECK(again->envelope.nonce == first.envelope.nonce);
    FUZZ_CHECK(again->envelope.expired_at == first.envelope.expired_at);
    FUZZ_CHECK(again->envelope.account_index == first.envelope.account_index);
    FUZZ_CHECK(again->envelope.api_key_index == first.envelope.api_key_index);
    FUZZ_CHECK(tx_message_hash(*again, 304) == hash);
  }
  return 0;
}
