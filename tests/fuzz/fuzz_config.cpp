// Config loader on arbitrary TOML text. Contract (config.hpp): parse_config_string throws ConfigError
// and nothing else; every error line names the source. Anything else escaping is a crash here.
#include <string>

#include "bparb/app/config.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = bparb::fuzz::as_view(data, size);
  try {
    const bparb::app::Config cfg = bparb::app::parse_config_string(text, "fuzz.toml");
    FUZZ_CHECK(cfg.source_path == "fuzz.toml");
    // A valid config must survive the SIGHUP comparison against itself with no changes reported.
    FUZZ_CHECK(bparb::app::restart_required_changes(cfg, cfg).empty());
  } catch (const bparb::app::ConfigError& e) {
    FUZZ_CHECK(!e.errors().empty());
    for (const auto& line : e.errors()) FUZZ_CHECK(line.rfind("fuzz.toml", 0) == 0);
  }
  return 0;
}
