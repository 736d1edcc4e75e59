#pragma once
// Reading the `[xarb]` table of a TOML config into XarbParams. Start-up code: strings and vectors are
// fine. Every problem is reported, not only the first: an unknown key, a wrong type, a value out of range,
// each as "file:line:col: xarb.key: got VALUE ...; allowed: RANGE".
#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/strategy/cross_venue/xarb_params.hpp"

namespace bparb {

struct XarbParamsRead {
  XarbParams params;                // defaults for every key absent or refused
  std::vector<std::string> errors;  // empty = the table is valid
  bool ok() const noexcept { return errors.empty(); }
};

// `file` prefixes each message; `section` names the table ("xarb").
XarbParamsRead read_xarb_params(const toml::table& table, std::string_view file, std::string_view section = "xarb");

// Every key read_xarb_params reads, in its order (a host table with keys of its own lists these as known).
std::vector<std::string> xarb_param_keys();
// Each key's value as check-config prints it ("long_threshold" -> "5"), in xarb_param_keys() order.
std::vector<std::pair<std::string, std::string>> xarb_param_values(const XarbParams& p);

}  // namespace bparb
