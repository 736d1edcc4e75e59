#pragma once
// The Prometheus text pieces (exposition format 0.0.4) every family of /metrics is written with.
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace bparb::service::prom_out {

// Label values: backslash, double quote and newline escaped.
inline std::string label(std::string_view v) {
  std::string o;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      o += '\\';
      o += c;
    } else if (c == '\n') {
      o += "\\n";
    } else {
      o += c;
    }
  }
  return o;
}

inline void family(std::string& o, std::string_view name, std::string_view type, std::string_view help) {
  o += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace bparb::service::prom_out
