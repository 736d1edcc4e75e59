#pragma once
// API credentials: BACKPACK_API_KEY / BACKPACK_PRIVATE_KEY from the environment, else from a .env
// file. Never from the TOML config (load_config refuses them there).
//
// The private key is the base64 ED25519 secret Backpack hands out: a 32-byte seed, or 64 bytes
// seed||public key (NaCl style; the public half must match the seed). BACKPACK_API_KEY is optional;
// when present it must equal the public key derived from the seed, which catches the classic
// "key pair from two different API keys" mistake before the exchange answers INVALID_SIGNATURE.
//
// No error message produced here ever contains a secret or any part of one. Redactor scrubs known
// secrets from any text (the logging sinks run every line through it).
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/venue/backpack/signer.hpp"

namespace bparb::app {

inline constexpr std::string_view kApiKeyVar = "BACKPACK_API_KEY";
inline constexpr std::string_view kPrivateKeyVar = "BACKPACK_PRIVATE_KEY";
// The bearer token of the operator's control endpoints (docs/service.md).
inline constexpr std::string_view kControlTokenVar = "BPARB_CONTROL_TOKEN";
inline constexpr std::size_t kMinControlTokenChars = 16;
inline constexpr std::size_t kMaxControlTokenChars = 256;

// Replaces every occurrence of a registered secret with "[REDACTED]". Thread-safe; secrets are
// normally registered at start-up before the first log line.
class Redactor {
 public:
  static constexpr std::string_view kMask = "[REDACTED]";
  // Strings shorter than 8 characters are ignored: masking "a" everywhere would destroy the logs
  // and such a string is not a key anyway.
  void add_secret(std::string_view secret);
  bool empty() const;
  bool contains_secret(std::string_view text) const;
  std::string redact(std::string_view text) const;
  // In place; returns true if anything was masked.
  bool redact_in_place(std::string& text) const;

  // The process-wide instance the logging sinks use by default.
  static const std::shared_ptr<Redactor>& global();

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::string> secrets_;  // longest first, so a secret containing another is masked whole
};

// Minimal .env reader: KEY=VALUE lines, optional "export ", '#' comments (whole line, or after an
// unquoted value following whitespace), single quotes (literal) or double quotes (\n \" \\ escapes),
// CRLF tolerated. Errors name the file and line but never echo the line (it may hold a key).
struct EnvFile {
  std::vector<std::pair<std::string, std::string>> entries;  // later duplicates override earlier
  const std::string* find(std::string_view key) const;
};
EnvFile parse_env_text(std::string_view text, const std::string& source_name);  // throws SecretsError

class SecretsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Wipes its secret on destruction (sodium_memzero), move-only.
class Credentials {
 public:
  Credentials() = default;
  Credentials(Credentials&&) noexcept;
  Credentials& operator=(Credentials&&) noexcept;
  Credentials(const Credentials&) = delete;
  Credentials& operator=(const Credentials&) = delete;
  ~Credentials();

  // Exactly as given (32- or 64-byte form) — feed to backpack::SigningKey::from_base64_secret().
  std::string private_key_base64;
  // X-API-Key: base64 of the 32-byte public key derived from the seed.
  std::string api_key;
  // Where each value came from: "environment" or the .env path ("derived" for an absent API key).
  std::string private_key_source;
  std::string api_key_source;
  // E.g. ".env is readable by group/others (mode 0644); run: chmod 600 .env". The caller logs them.
  std::vector<std::string> warnings;

  // First 8 characters of the API key + "…": enough to tell keys apart in logs.
  std::string fingerprint() const;
};

struct SecretsOptions {
  std::string env_file = ".env";
  // Environment lookup (tests inject a map); default ::getenv.
  std::function<std::optional<std::string>(std::string_view)> getenv;
  // Where to register the secrets for log scrubbing; default Redactor::global(). May be null.
  std::shared_ptr<Redactor> redactor = Redactor::global();
};

// Environment first, per variable; then the .env file (missing file is fine if the environment has
// everything). Validates and registers the private key (both base64 forms and the seed) and the API
// key with the redactor before returning. Throws SecretsError with an actionable message.
Credentials load_credentials(const SecretsOptions& options = {});

// The validation step alone (exposed for tests/tools): decodes, checks size, derives the public key,
// checks the 64-byte form's public half and `expected_api_key` (empty = not given). Returns the
// derived API key. Throws SecretsError naming `private_var`/`api_var` (never the values).
std::string derive_api_key(std::string_view private_key_b64, std::string_view expected_api_key,
                           std::string_view private_var = kPrivateKeyVar, std::string_view api_var = kApiKeyVar);

// The request signer for these credentials (backpack::SigningKey::from_base64_secret), checked to
// produce the same X-API-Key as Credentials::api_key. Throws SecretsError (message redacted).
backpack::SigningKey make_signing_key(const Credentials& credentials);

// The control token, read like the API keys: the environment first, then the .env file. Wiped on
// destruction, move-only. An empty `value` means none is configured (control disabled), which is not
// an error.
class ControlToken {
 public:
  ControlToken() = default;
  ControlToken(ControlToken&&) noexcept;
  ControlToken& operator=(ControlToken&&) noexcept;
  ControlToken(const ControlToken&) = delete;
  ControlToken& operator=(const ControlToken&) = delete;
  ~ControlToken();

  bool configured() const noexcept { return !value.empty(); }
  std::string value;
  std::string source;  // "environment" or the .env path; empty when not configured
  std::vector<std::string> warnings;
};
// Registers a configured token with the redactor. Throws SecretsError (naming the variable, never the
// value) when the token is shorter than kMinControlTokenChars, longer than kMaxControlTokenChars, or holds
// a character outside the bearer-token alphabet (A-Z a-z 0-9 - . _ ~ + / =), or the .env file is unreadable.
ControlToken load_control_token(const SecretsOptions& options = {});

// Warning text if `path` is accessible by group or others, else empty (also empty if missing).
std::string env_file_permission_warning(const std::string& path);

}  // namespace bparb::app
