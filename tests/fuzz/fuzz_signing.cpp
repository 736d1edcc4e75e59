// Signing-string builder with arbitrary instruction, params, timestamp, window and buffer capacity.
// Properties: never writes past `cap`; 0 exactly when the string does not fit; the no-allocation
// builder and the std::string convenience overload agree byte for byte; batch form likewise.
#include <fuzzer/FuzzedDataProvider.h>

#include <span>

#include "bparb/venue/backpack/signing.hpp"
#include "fuzz_util.hpp"

using namespace bparb::backpack;

namespace {
// On a mismatch, show both strings (escaped) next to the reproducer.
bool same_or_report(std::string_view got, std::string_view want) {
  if (got == want) return true;
  auto dump = [](const char* label, std::string_view s) {
    std::fprintf(stderr, "%s (%zu): \"", label, s.size());
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7f) {
        std::fputc(c, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", c);
      }
    }
    std::fprintf(stderr, "\"\n");
  };
  dump("builder ", got);
  dump("reference", want);
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const std::string instruction = fdp.ConsumeRandomLengthString(32);
  const std::int64_t ts = fdp.ConsumeIntegral<std::int64_t>();
  const std::int64_t window = fdp.ConsumeIntegral<std::int64_t>();
  const std::size_t cap = fdp.ConsumeIntegralInRange<std::size_t>(0, 2048);
  const std::size_t orders = fdp.ConsumeIntegralInRange<std::size_t>(1, 4);

  // Owning storage first (views must stay valid), then SignParam views per order.
  std::vector<std::vector<std::pair<std::string, std::string>>> owned(orders);
  for (auto& o : owned) {
    const std::size_t n = fdp.ConsumeIntegralInRange<std::size_t>(0, 12);
    for (std::size_t i = 0; i < n && fdp.remaining_bytes() > 0; ++i) {
      std::string k = fdp.ConsumeRandomLengthString(24);
      std::string v = fdp.ConsumeRandomLengthString(48);
      o.emplace_back(std::move(k), std::move(v));
    }
  }
  std::vector<std::vector<SignParam>> params(orders);
  for (std::size_t i = 0; i < orders; ++i) {
    for (const auto& [k, v] : owned[i]) params[i].push_back({k, v});
  }

  // Guard bytes after `cap` catch any write past the end even without ASan's help.
  std::vector<char> buf(cap + 16, '\x5a');
  {
    std::vector<SignParam> p = params[0];
    const std::size_t n = build_signing_string(instruction, p, ts, window, buf.data(), cap);
    for (std::size_t i = cap; i < buf.size(); ++i) FUZZ_CHECK(buf[i] == '\x5a');
    const std::string ref = signing_string(instruction, std::span<const SignParam>(params[0]), ts, window);
    if (n != 0) {
      FUZZ_CHECK(n <= cap);
      FUZZ_CHECK(same_or_report(std::string_view(buf.data(), n), ref));
    } else {
      FUZZ_CHECK(ref.size() > cap || ref.empty());
    }
    if (ref.size() <= cap) FUZZ_CHECK(n == ref.size());
  }
  {
    std::vector<std::vector<SignParam>> copies = params;
    std::vector<std::span<SignParam>> spans;
    for (auto& c : copies) spans.emplace_back(c);
    std::fill(buf.begin(), buf.end(), '\x5a');
    const std::size_t n = build_batch_signing_string(instruction, spans, ts, window, buf.data(), cap);
    for (std::size_t i = cap; i < buf.size(); ++i) FUZZ_CHECK(buf[i] == '\x5a');
    std::vector<std::vector<ParamText>> texts(orders);
    for (std::size_t i = 0; i < orders; ++i) {
      for (const auto& [k, v] : owned[i]) texts[i].push_back({k, v});
    }
    const std::string ref = batch_signing_string(instruction, texts, ts, window);
    if (ref.size() <= cap) {
      FUZZ_CHECK(same_or_report(std::string_view(buf.data(), n), ref));
    } else {
      FUZZ_CHECK(n == 0);
    }
  }
  return 0;
}
