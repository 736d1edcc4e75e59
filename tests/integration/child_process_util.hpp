#pragma once
// For integration tests that run the built `bparb` binary as a child process (recovery after kill -9,
// the README's paper command) and read what it wrote.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bparb::testing {

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// $BPARB_BINARY, else `bparb` in the build directory (test executables live in <build>/tests/).
inline std::filesystem::path bparb_binary() {
  if (const char* b = ::getenv("BPARB_BINARY")) return b;
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "bparb";
}

}  // namespace bparb::testing
