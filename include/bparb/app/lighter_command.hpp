#pragma once
// `bparb lighter sign|pubkey`: offline Lighter signing with the key from LIGHTER_API_PRIVATE_KEY (the
// environment first, else the .env file). Sends nothing. See README "Lighter signing".
// `bparb lighter check`: the key against the venue's registered key for [venues.lighter] (read-only
// REST requests: apikeys, nextNonce, account).
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bparb/venue/lighter/signer.hpp"

namespace bparb::app {

inline constexpr std::string_view kLighterPrivateKeyVar = "LIGHTER_API_PRIVATE_KEY";

// `bparb lighter check` exit codes (0 = the key matches and the venue answered).
inline constexpr int kLighterCheckConfigError = 2;  // bad/missing config section, key missing or invalid
inline constexpr int kLighterCheckKeyMismatch = 3;  // the venue has another key (or none) in the slot
inline constexpr int kLighterCheckUnreachable = 4;  // no usable answer from the venue

// Where the key comes from; tests inject both.
struct LighterKeySource {
  std::string env_file = ".env";
  std::function<std::optional<std::string>(std::string_view)> getenv;  // default ::getenv
};

// The public key (80 hex characters) of LIGHTER_API_PRIVATE_KEY (or `var`) from `source`, offline; nullopt
// with `why` (which never contains the key) when it is missing or invalid. `from`: where it was found.
std::optional<std::string> lighter_public_key(const LighterKeySource& source, std::string& why,
                                              std::string* from = nullptr,
                                              std::string_view var = kLighterPrivateKeyVar);

// The signer of LIGHTER_API_PRIVATE_KEY (or `var`: a pool's LIGHTER_API_PRIVATE_KEY_<index>) from `source` for
// `config` (the daemon's live Lighter venue); nullopt with `why` (which never contains the key) when it is
// missing or invalid. The key is registered with the log redactor.
std::optional<lighter::Signer> lighter_signer(const LighterKeySource& source, const lighter::SignerConfig& config,
                                              std::string& why, std::string* from = nullptr,
                                              std::string_view var = kLighterPrivateKeyVar);
// The variable that holds the key of a pool's API key slot: LIGHTER_API_PRIVATE_KEY_<index>.
std::string lighter_pool_key_var(std::int64_t api_key_index);

// `bparb lighter ...` with explicit streams: `sign` reads one JSON request per line from `in` and
// writes one JSON line per request to `out`; exit 0 if every request was signed, 1 if any line got an
// {"error":...}, 2 on bad usage or a missing/invalid key.
int run_lighter_command(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err,
                        const LighterKeySource& source);

// The CLI table entry (stdin, the process environment, --env-file or ./.env).
int cmd_lighter(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
