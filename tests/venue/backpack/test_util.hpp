#pragma once
// Helpers shared by the venue/backpack protocol tests.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "bparb/core/decimal.hpp"

namespace bparb::backpack::testing {

inline std::string read_data(const std::string& name) {
  const std::string path = std::string(BPARB_TEST_DATA_DIR) + "/" + name;
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open test data " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline Decimal D(const char* s) {
  return Decimal::from_string(s);
}

}  // namespace bparb::backpack::testing
