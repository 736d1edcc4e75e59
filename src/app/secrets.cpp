// Credentials from env/.env, validated with libsodium; secret scrubbing for logs and errors.
//
// Validation uses libsodium directly (not backpack::SigningKey) so that every failure can name the
// variable and the exact problem (bad base64, wrong size, mismatched public half, API key mismatch);
// the daemon then builds its SigningKey from Credentials::private_key_base64.
#include "bparb/app/secrets.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <system_error>
#include <utility>

namespace bparb::app {

// ---------------------------------------------------------------------------------------------------
// Redactor

void Redactor::add_secret(std::string_view secret) {
  if (secret.size() < 8) return;
  std::unique_lock lock(mu_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

bool Redactor::empty() const {
  std::shared_lock lock(mu_);
  return secrets_.empty();
}

bool Redactor::contains_secret(std::string_view text) const {
  std::shared_lock lock(mu_);
  for (const auto& s : secrets_) {
    if (text.find(s) != std::string_view::npos) return true;
  }
  return false;
}

std::string Redactor::redact(std::string_view text) const {
  std::string out(text);
  redact_in_place(out);
  return out;
}

bool Redactor::redact_in_place(std::string& text) const {
  std::shared_lock lock(mu_);
  bool any = false;
  for (const auto& s : secrets_) {
    std::size_t pos = 0;
    while ((pos = text.find(s, pos)) != std::string::npos) {
      text.replace(pos, s.size(), kMask);
      pos += kMask.size();
      any = true;
    }
  }
  return any;
}

const std::shared_ptr<Redactor>& Redactor::global() {
  static const std::shared_ptr<Redactor> instance = std::make_shared<Redactor>();
  return instance;
}

// ---------------------------------------------------------------------------------------------------
// .env

const std::string* EnvFile::find(std::string_view key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void env_error(const std::string& source, std::size_t line, const std::string& what) {
  // The line itself is never quoted: it may contain a key.
  throw SecretsError(source + ":" + std::to_string(line) + ": " + what);
}

// After a closing quote only blanks or a comment may follow.
void expect_end(std::string_view rest, const std::string& source, std::size_t line) {
  rest = trim(rest);
  if (!rest.empty() && rest.front() != '#') {
    env_error(source, line, "unexpected text after the closing quote; allowed: KEY=\"VALUE\" [# comment]");
  }
}

}  // namespace

EnvFile parse_env_text(std::string_view text, const std::string& source) {
  EnvFile out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export", 0) == 0 && line.size() > 6 && is_space(line[6])) line = trim(line.substr(6));

    std::size_t k = 0;
    while (k < line.size() && (std::isalnum(static_cast<unsigned char>(line[k])) || line[k] == '_')) ++k;
    const std::string_view key = line.substr(0, k);
    std::string_view rest = line.substr(k);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front())) || rest.empty() || rest.front() != '=') {
      env_error(source, line_no, "expected KEY=VALUE (KEY made of letters, digits and '_')");
    }
    rest.remove_prefix(1);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);

    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      bool closed = false;
      for (; i < rest.size(); ++i) {
        const char c = rest[i];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i + 1 < rest.size()) {
          const char e = rest[++i];
          switch (e) {
            case 'n':
              value += '\n';
              break;
            case 't':
              value += '\t';
              break;
            case 'r':
              value += '\r';
              break;
            case '"':
              value += '"';
              break;
            case '\\':
              value += '\\';
              break;
            default:
              value += '\\';
              value += e;
          }
          continue;
        }
        value += c;
      }
      if (!closed) env_error(source, line_no, "unterminated double quote (multi-line values are not supported)");
      expect_end(rest.substr(i + 1), source, line_no);
    } else if (!rest.empty() && rest.front() == '\'') {
      const std::size_t close = rest.find('\'', 1);
      if (close == std::string_view::npos) env_error(source, line_no, "unterminated single quote");
      value.assign(rest.substr(1, close - 1));
      expect_end(rest.substr(close + 1), source, line_no);
    } else {
      // Unquoted: a '#' starts a comment only after whitespace (base64 never contains '#' anyway).
      std::size_t end = rest.size();
      for (std::size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '#' && is_space(rest[i - 1])) {
          end = i;
          break;
        }
      }
      if (!rest.empty() && rest.front() == '#') end = 0;
      value.assign(trim(rest.substr(0, end)));
    }
    out.entries.emplace_back(std::string(key), std::move(value));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Credentials

Credentials::Credentials(Credentials&&) noexcept = default;
Credentials& Credentials::operator=(Credentials&& o) noexcept {
  if (this != &o) {
    sodium_memzero(private_key_base64.data(), private_key_base64.size());
    private_key_base64 = std::move(o.private_key_base64);
    api_key = std::move(o.api_key);
    private_key_source = std::move(o.private_key_source);
    api_key_source = std::move(o.api_key_source);
    warnings = std::move(o.warnings);
  }
  return *this;
}
Credentials::~Credentials() {
  sodium_memzero(private_key_base64.data(), private_key_base64.size());
}

std::string Credentials::fingerprint() const {
  if (api_key.size() <= 8) return api_key;
  return api_key.substr(0, 8) + "...";
}

namespace {

void ensure_sodium() {
  if (sodium_init() < 0) throw SecretsError("libsodium failed to initialise (sodium_init); cannot validate keys");
}

// Decodes strict standard base64 (padding required). -1 on invalid text.
long decode_b64(std::string_view b64, unsigned char* out, std::size_t cap) {
  std::size_t len = 0;
  if (sodium_base642bin(out, cap, b64.data(), b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) !=
      0) {
    return -1;
  }
  return static_cast<long>(len);
}

std::string encode_b64(const unsigned char* bin, std::size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bin, len, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string base64_hint(std::string_view b64) {
  if (b64.find_first_of("-_") != std::string_view::npos) {
    return " (it contains '-' or '_': URL-safe base64; Backpack keys use the standard alphabet with + and /)";
  }
  if (b64.find_first_of(" \t\r\n") != std::string_view::npos) return " (it contains whitespace)";
  if (b64.size() % 4 != 0) return " (its length is not a multiple of 4: truncated, or '=' padding missing)";
  return "";
}

// Wipes a buffer on scope exit.
template <std::size_t N>
struct Wiped {
  std::array<unsigned char, N> b{};
  ~Wiped() { sodium_memzero(b.data(), b.size()); }
};

}  // namespace

std::string derive_api_key(std::string_view private_key_b64, std::string_view expected_api_key,
                           std::string_view private_var, std::string_view api_var) {
  ensure_sodium();
  const std::string pv(private_var);
  const std::string av(api_var);
  if (private_key_b64.empty()) throw SecretsError(pv + " is empty");
  if (private_key_b64.size() > 400) {
    throw SecretsError(pv + " is far too long for an ED25519 key (" + std::to_string(private_key_b64.size()) +
                       " characters); expected base64 of 32 or 64 bytes (44 or 88 characters)");
  }
  Wiped<400> raw;
  const long n = decode_b64(private_key_b64, raw.b.data(), raw.b.size());
  if (n < 0) {
    throw SecretsError(pv + " is not valid base64" + base64_hint(private_key_b64) +
                       "; expected standard base64 (A-Z a-z 0-9 + / with '=' padding) of a 32-byte ED25519 seed");
  }
  if (n != 32 && n != 64) {
    throw SecretsError(pv + " decodes to " + std::to_string(n) +
                       " bytes; expected 32 (ED25519 seed, as Backpack issues it) or 64 (seed followed by public key)");
  }
  Wiped<crypto_sign_SECRETKEYBYTES> sk;
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  crypto_sign_seed_keypair(pk.data(), sk.b.data(), raw.b.data());
  if (n == 64 && sodium_memcmp(raw.b.data() + 32, pk.data(), pk.size()) != 0) {
    throw SecretsError(pv +
                       " is a 64-byte key whose public half (last 32 bytes) does not match its seed (first 32 "
                       "bytes): the value is corrupt or pieced together from two keys; use the 32-byte seed Backpack "
                       "issued");
  }
  std::string derived = encode_b64(pk.data(), pk.size());
  if (!expected_api_key.empty()) {
    std::array<unsigned char, 64> apk{};
    const long an = expected_api_key.size() <= 88 ? decode_b64(expected_api_key, apk.data(), apk.size()) : -1;
    if (an != 32) {
      throw SecretsError(av + " is not a base64 ED25519 public key" +
                         (an < 0 ? base64_hint(expected_api_key) : " (decodes to " + std::to_string(an) + " bytes)") +
                         "; expected 44 base64 characters (32 bytes), or leave it unset to derive it from " + pv);
    }
    if (expected_api_key != derived) {
      throw SecretsError(av + " does not match the public key derived from " + pv + " (derived key starts with " +
                         derived.substr(0, 8) + "): they belong to different API keys; fix one, or unset " + av +
                         " to use the derived key");
    }
  }
  return derived;
}

std::string env_file_permission_warning(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  const unsigned mode = st.st_mode & 07777;
  if ((mode & 077) == 0) return {};
  char oct[8];
  std::snprintf(oct, sizeof oct, "%04o", mode);
  return path + " is accessible by group/others (mode " + oct + "); it holds API keys: run 'chmod 600 " + path + "'";
}

namespace {

std::optional<std::string> system_getenv(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

Credentials load_credentials(const SecretsOptions& opt) {
  const auto lookup = opt.getenv ? opt.getenv : system_getenv;
  Credentials c;
  std::optional<std::string> priv = lookup(kPrivateKeyVar);
  std::optional<std::string> api = lookup(kApiKeyVar);
  // An exported-but-empty variable (common in container env files) counts as unset.
  if (priv && trim(*priv).empty()) priv.reset();
  if (api && trim(*api).empty()) api.reset();
  if (priv) c.private_key_source = "environment";
  if (api) c.api_key_source = "environment";

  std::error_code ec;
  const bool env_exists = !opt.env_file.empty() && std::filesystem::exists(opt.env_file, ec);
  if ((!priv || !api) && env_exists) {
    std::ifstream in(opt.env_file, std::ios::binary);
    if (!in) {
      const int err = errno;
      throw SecretsError("cannot read " + opt.env_file + ": " + std::system_category().message(err));
    }
    if (auto w = env_file_permission_warning(opt.env_file); !w.empty()) c.warnings.push_back(std::move(w));
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    EnvFile env;
    try {
      env = parse_env_text(text, opt.env_file);
    } catch (...) {
      sodium_memzero(text.data(), text.size());
      throw;
    }
    sodium_memzero(text.data(), text.size());
    if (!priv) {
      if (const std::string* v = env.find(kPrivateKeyVar); v && !trim(*v).empty()) {
        priv = *v;
        c.private_key_source = opt.env_file;
      }
    }
    if (!api) {
      if (const std::string* v = env.find(kApiKeyVar); v && !trim(*v).empty()) {
        api = *v;
        c.api_key_source = opt.env_file;
      }
    }
    for (auto& [k, v] : env.entries) sodium_memzero(v.data(), v.size());
  }
  if (!priv) {
    std::string where;
    if (opt.env_file.empty()) {
      where = "no .env file configured";
    } else {
      const auto abs = std::filesystem::absolute(opt.env_file, ec).string();
      where = env_exists ? opt.env_file + " has no " + std::string(kPrivateKeyVar) + " line"
                         : opt.env_file + " not found (looked at " + abs + ")";
    }
    throw SecretsError(std::string(kPrivateKeyVar) + " is not set: export it, or add " + std::string(kPrivateKeyVar) +
                       "=<base64 seed> to the .env file (" + where + "); paper mode needs no keys");
  }
  const std::string_view priv_v = trim(*priv);
  const std::string_view api_v = api ? trim(*api) : std::string_view{};
  // Register first: even if validation fails below, nothing logged later can carry the value.
  if (opt.redactor) opt.redactor->add_secret(priv_v);
  c.api_key = derive_api_key(priv_v, api_v);
  c.private_key_base64.assign(priv_v);
  if (!api) c.api_key_source = "derived";
  if (opt.redactor) {
    ensure_sodium();
    Wiped<64> raw;
    if (decode_b64(priv_v, raw.b.data(), raw.b.size()) >= 32) {
      // Register the other spellings of the same secret: seed-only, seed||pub, and hex.
      opt.redactor->add_secret(encode_b64(raw.b.data(), 32));
      Wiped<crypto_sign_SECRETKEYBYTES> sk;
      std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
      crypto_sign_seed_keypair(pk.data(), sk.b.data(), raw.b.data());
      opt.redactor->add_secret(encode_b64(sk.b.data(), sk.b.size()));
      std::string hex(65, '\0');
      sodium_bin2hex(hex.data(), hex.size(), raw.b.data(), 32);
      hex.resize(64);
      opt.redactor->add_secret(hex);
      sodium_memzero(hex.data(), hex.size());
    }
    opt.redactor->add_secret(c.api_key);
  }
  if (priv) sodium_memzero(priv->data(), priv->size());
  return c;
}

ControlToken::ControlToken(ControlToken&&) noexcept = default;
ControlToken& ControlToken::operator=(ControlToken&& o) noexcept {
  if (this != &o) {
    sodium_memzero(value.data(), value.size());
    value = std::move(o.value);
    source = std::move(o.source);
    warnings = std::move(o.warnings);
  }
  return *this;
}
ControlToken::~ControlToken() {
  sodium_memzero(value.data(), value.size());
}

ControlToken load_control_token(const SecretsOptions& opt) {
  const auto lookup = opt.getenv ? opt.getenv : system_getenv;
  ControlToken t;
  std::optional<std::string> v = lookup(kControlTokenVar);
  if (v && trim(*v).empty()) v.reset();  // exported but empty counts as unset
  if (v) t.source = "environment";
  std::error_code ec;
  if (!v && !opt.env_file.empty() && std::filesystem::exists(opt.env_file, ec)) {
    std::ifstream in(opt.env_file, std::ios::binary);
    if (!in) {
      const int err = errno;
      throw SecretsError("cannot read " + opt.env_file + ": " + std::system_category().message(err));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    EnvFile env;
    try {
      env = parse_env_text(text, opt.env_file);
    } catch (...) {
      sodium_memzero(text.data(), text.size());
      throw;
    }
    sodium_memzero(text.data(), text.size());
    if (const std::string* e = env.find(kControlTokenVar); e && !trim(*e).empty()) {
      v = *e;
      t.source = opt.env_file;
      if (auto w = env_file_permission_warning(opt.env_file); !w.empty()) t.warnings.push_back(std::move(w));
    }
    for (auto& [k, val] : env.entries) sodium_memzero(val.data(), val.size());
  }
  if (!v) return t;
  const std::string_view token = trim(*v);
  // Register first: whatever is refused below, nothing logged later can carry the value.
  if (opt.redactor) opt.redactor->add_secret(token);
  const std::string var(kControlTokenVar);
  const std::string where = " (from " + t.source + ")";
  auto refuse = [&](const std::string& why) {
    sodium_memzero(v->data(), v->size());
    throw SecretsError(var + where + " " + why + "; generate one with: openssl rand -hex 32");
  };
  if (token.size() < kMinControlTokenChars)
    refuse("is " + std::to_string(token.size()) + " characters; at least " + std::to_string(kMinControlTokenChars) +
           " are required");
  if (token.size() > kMaxControlTokenChars)
    refuse("is " + std::to_string(token.size()) + " characters; at most " + std::to_string(kMaxControlTokenChars) +
           " are allowed");
  for (const char c : token) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~' ||
                    c == '+' || c == '/' || c == '=';
    if (!ok) refuse("holds a character outside A-Z a-z 0-9 - . _ ~ + / = (what an HTTP bearer token may carry)");
  }
  t.value.assign(token);
  sodium_memzero(v->data(), v->size());
  return t;
}

backpack::SigningKey make_signing_key(const Credentials& c) {
  auto key = backpack::SigningKey::from_base64_secret(c.private_key_base64);
  if (!key) {
    throw SecretsError(Redactor::global()->redact(std::string(kPrivateKeyVar) + ": " + key.error()));
  }
  if (key->public_key_base64() != c.api_key) {
    // Cannot happen after derive_api_key() unless the two implementations disagree: refuse to sign.
    throw SecretsError("the signer derived a different public key than the credentials check (" +
                       key->public_key_base64().substr(0, 8) + "... vs " + c.fingerprint() + "); refusing to sign");
  }
  return std::move(key.value());
}

}  // namespace bparb::app
