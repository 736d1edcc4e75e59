#include "bparb/venue/backpack/keys.hpp"

#include <sodium.h>

namespace bparb::backpack {

std::size_t base64_encode(const std::uint8_t* bin, std::size_t len, char* out, std::size_t cap) noexcept {
  const std::size_t need = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);  // includes NUL
  if (cap < need) return 0;
  sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
  return need - 1;
}

std::string base64_encode(const std::uint8_t* bin, std::size_t len) {
  std::string s(base64_encoded_size(len) + 1, '\0');
  const std::size_t n = base64_encode(bin, len, s.data(), s.size());
  s.resize(n);
  return s;
}

long base64_decode(std::string_view b64, std::uint8_t* out, std::size_t cap) noexcept {
  std::size_t bin_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out, cap, b64.data(), b64.size(), nullptr, &bin_len, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
    return -1;
  // libsodium stops at the first invalid character; require that it consumed everything.
  if (end != b64.data() + b64.size()) return -1;
  return static_cast<long>(bin_len);
}

}  // namespace bparb::backpack
