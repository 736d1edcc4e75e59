#pragma once
// Helpers shared by the Lighter signer tests: the data files, decimal/hex conversions, cpp_int bridges.
#include <simdjson.h>

#include <array>
#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bparb/venue/lighter/ecgfp5.hpp"
#include "bparb/venue/lighter/fp5.hpp"
#include "bparb/venue/lighter/keys.hpp"
#include "bparb/venue/lighter/scalar.hpp"

namespace bparb::lighter::testing {

using boost::multiprecision::cpp_int;

inline std::string read_data_file(const std::string& name) {
  std::ifstream in(std::string(BPARB_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const cpp_int& big_p() {
  static const cpp_int p("18446744069414584321");
  return p;
}
inline const cpp_int& big_n() {
  static const cpp_int n(
      "1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241");
  return n;
}

// A JSON string value (throws simdjson_error when it is not one).
inline std::string str(simdjson::simdjson_result<simdjson::dom::element> r) {
  return std::string(std::string_view(r.get_string().value()));
}

inline std::uint64_t u64(std::string_view dec) {
  return std::stoull(std::string(dec));
}

inline std::array<std::uint64_t, 5> limbs_of(const cpp_int& v) {
  std::array<std::uint64_t, 5> out{};
  cpp_int x = v;
  for (auto& l : out) {
    l = static_cast<std::uint64_t>(x & cpp_int(0xFFFFFFFFFFFFFFFFULL));
    x >>= 64;
  }
  return out;
}

inline cpp_int big_of(const std::array<std::uint64_t, 5>& limbs) {
  cpp_int v = 0;
  for (int i = 4; i >= 0; --i) v = (v << 64) + limbs[static_cast<std::size_t>(i)];
  return v;
}

inline Scalar scalar_dec(std::string_view dec) {
  return Scalar{limbs_of(cpp_int(std::string(dec)))};
}

// A JSON array of decimal strings.
inline std::vector<std::uint64_t> u64s(simdjson::dom::element arr) {
  std::vector<std::uint64_t> out;
  for (auto v : arr.get_array()) out.push_back(u64(std::string_view(v.get_string())));
  return out;
}

inline Fp5 fp5_of(simdjson::dom::element arr) {
  const auto v = u64s(arr);
  Fp5 r;
  for (std::size_t i = 0; i < 5; ++i) r.c[i] = v.at(i);
  return r;
}

inline std::array<std::uint64_t, 5> limbs5(simdjson::dom::element arr) {
  return fp5_of(arr).c;
}

inline Point point_of(simdjson::dom::element obj) {
  return Point{fp5_of(obj["x"]), fp5_of(obj["z"]), fp5_of(obj["u"]), fp5_of(obj["t"])};
}

inline std::string hex(std::span<const std::uint8_t> bytes) {
  std::string s(bytes.size() * 2, '?');
  to_hex(bytes, s);
  return s;
}

inline std::string hex_fp5(const Fp5& v) {
  std::array<std::uint8_t, 40> b{};
  encode(v, b);
  return hex(b);
}

inline std::vector<std::uint8_t> unhex(std::string_view h) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoul(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

}  // namespace bparb::lighter::testing
