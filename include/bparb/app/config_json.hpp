#pragma once
// The effective config (the file's values with every default filled in) as JSON for GET /api/v1/config,
// under the TOML's own section and key names and units. Decimals are exact strings.
//
// The TOML holds no secrets (load_config() refuses keys), but what could point at one is redacted anyway:
// `exchange.env_file` (where the keys live) and any user:password part of a URL are shown as
// "[redacted]", and the whole text passes through the Redactor (secrets.hpp) of registered secrets.
#include <string>

#include "bparb/app/config.hpp"

namespace bparb::app {

std::string render_config_json(const Config& cfg);

}  // namespace bparb::app
