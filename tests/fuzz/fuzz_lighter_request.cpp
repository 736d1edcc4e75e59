// `bparb lighter sign` request lines (venue/lighter/request.hpp) from arbitrary bytes. Properties:
// exactly one JSON line out per request; an {"error":...} line exactly when the call reports failure;
// otherwise tx_info is valid JSON and its Sig verifies for the reported message hash under the
// signer's public key (or the line is an auth token).
#include <simdjson.h>
#include <sodium.h>

#include <sstream>

#include "bparb/venue/lighter/request.hpp"

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

using namespace bparb::lighter;

namespace {
Signer& test_signer() {
  // A fixed test key (40 bytes 0x01..0x28), not an account's.
  static Signer s = [] {
    if (sodium_init() < 0) std::abort();
    auto r = Signer::create("0102030405060708091011121314151617181920212223242526272829303132333435363738393a",
                            SignerConfig{});
    if (!r) std::abort();
    return std::move(*r);
  }();
  return s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Signer& signer = test_signer();
  static simdjson::dom::parser parser;
  std::ostringstream out;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const bool ok = sign_request_line(signer, line, parser, 1893455400000, out);
  const std::string text = out.str();
  FUZZ_CHECK(!text.empty() && text.back() == '\n');
  FUZZ_CHECK(text.find('\n') == text.size() - 1);
  simdjson::dom::parser check;
  simdjson::dom::element rec;
  FUZZ_CHECK(check.parse(text).get(rec) == simdjson::SUCCESS);
  simdjson::dom::element err;
  FUZZ_CHECK(ok == (rec["error"].get(err) != simdjson::SUCCESS));
  if (!ok) return 0;
  std::string_view info;
  if (rec["tx_info"].get_string().get(info) == simdjson::SUCCESS) {
    simdjson::dom::parser info_parser;
    simdjson::dom::element tx;
    FUZZ_CHECK(info_parser.parse(std::string(info)).get(tx) == simdjson::SUCCESS);
    std::string_view b64, hash_hex;
    FUZZ_CHECK(tx["Sig"].get_string().get(b64) == simdjson::SUCCESS);
    FUZZ_CHECK(rec["message_hash"].get_string().get(hash_hex) == simdjson::SUCCESS);
    std::array<std::uint8_t, 80> sig{};
    std::size_t len = 0;
    FUZZ_CHECK(sodium_base642bin(sig.data(), sig.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                                 sodium_base64_VARIANT_ORIGINAL) == 0 &&
               len == 80);
    std::array<std::uint8_t, 40> hb{};
    FUZZ_CHECK(parse_hex40(hash_hex, hb));
    Fp5 m;
    FUZZ_CHECK(decode(std::span<const std::uint8_t, 40>(hb), m));
    FUZZ_CHECK(schnorr_verify(signer.public_key(), m, sig));
  } else {
    std::string_view token;
    FUZZ_CHECK(rec["auth_token"].get_string().get(token) == simdjson::SUCCESS);
  }
  return 0;
}
