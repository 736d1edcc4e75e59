#pragma once
// `bparb lighter sign|pubkey`: offline Lighter signing with the key from LIGHTER_API_PRIVATE_KEY (the
// environment first, else the .env file). Sends nothing. See README "Lighter signing".
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bparb::app {

inline constexpr std::string_view kLighterPrivateKeyVar = "LIGHTER_API_PRIVATE_KEY";

// Where the key comes from; tests inject both.
struct LighterKeySource {
  std::string env_file = ".env";
  std::function<std::optional<std::string>(std::string_view)> getenv;  // default ::getenv
};

// `bparb lighter ...` with explicit streams: `sign` reads one JSON request per line from `in` and
// writes one JSON line per request to `out`; exit 0 if every request was signed, 1 if any line got an
// {"error":...}, 2 on bad usage or a missing/invalid key.
int run_lighter_command(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err,
                        const LighterKeySource& source);

// The CLI table entry (stdin, the process environment, --env-file or ./.env).
int cmd_lighter(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
