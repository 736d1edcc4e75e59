#pragma once
// Reading the `[mm]` table of a TOML config into MmParams. Start-up code: strings and vectors are fine.
// Every problem is reported, not only the first: an unknown key (with the closest known name), a wrong
// type, a value out of range, each as "file:line:col: mm.key: ...; allowed: ...".
#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

#include "bparb/strategy/market_maker/mm_params.hpp"

namespace bparb {

struct MmParamsRead {
  MmParams params;                  // defaults for every key absent or refused
  std::vector<std::string> errors;  // empty = the table is valid
  bool ok() const noexcept { return errors.empty(); }
};

// `file` prefixes each message; `section` names the table ("mm").
MmParamsRead read_mm_params(const toml::table& table, std::string_view file, std::string_view section = "mm");

}  // namespace bparb
