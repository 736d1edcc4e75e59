// `bparb lighter sign|pubkey` (include/bparb/app/lighter_command.hpp; the scheme: docs/lighter-signing.md).
#include "bparb/app/lighter_command.hpp"

#include <simdjson.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "bparb/app/cli.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/venue/lighter/request.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::app {

namespace {

namespace lt = bparb::lighter;

constexpr std::string_view kUsage =
    "Usage: bparb lighter sign [--env-file FILE] < requests.jsonl\n"
    "       bparb lighter pubkey [--env-file FILE]\n"
    "  sign: one JSON request per line on stdin, one JSON line out per request; nothing is sent.\n"
    "    {\"kind\":\"create_order\"|\"cancel_order\"|\"cancel_all_orders\"|\"modify_order\"|\"auth_token\",\n"
    "     \"account_index\":N, \"api_key_index\":N, \"chain_id\":304|300, \"nonce\":N, [\"expired_at\":ms], ...}\n"
    "    create_order: market_index client_order_index base_amount price is_ask order_type time_in_force\n"
    "                  reduce_only trigger_price order_expiry\n"
    "    cancel_order: market_index index    cancel_all_orders: time_in_force time\n"
    "    modify_order: market_index index base_amount price trigger_price    auth_token: deadline (unix s)\n"
    "    optional attributes: integrator_account_index integrator_taker_fee integrator_maker_fee skip_nonce\n"
    "                         cancel_all_market_index self_trade_behavior self_trade_equality\n"
    "  pubkey: prints the public key (80 hex characters) of the key.\n"
    "  The key: LIGHTER_API_PRIVATE_KEY (80 hex characters) from the environment, else from the .env file.\n";

std::optional<std::string> system_getenv(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The key text from the environment or the .env file; wiped copies only. Errors never contain it.
bool load_key_text(const LighterKeySource& source, std::string& key, std::string& why) {
  const auto lookup = source.getenv ? source.getenv : system_getenv;
  if (auto v = lookup(kLighterPrivateKeyVar); v && !trim(*v).empty()) {
    key.assign(trim(*v));
    sodium_memzero(v->data(), v->size());
    return true;
  }
  std::error_code ec;
  if (source.env_file.empty() || !std::filesystem::exists(source.env_file, ec)) {
    why = std::string(kLighterPrivateKeyVar) + " is not set and " +
          (source.env_file.empty() ? std::string("no .env file is configured") : source.env_file + " does not exist");
    return false;
  }
  std::ifstream in(source.env_file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  EnvFile env;
  try {
    env = parse_env_text(text, source.env_file);
  } catch (const SecretsError& e) {
    sodium_memzero(text.data(), text.size());
    why = e.what();
    return false;
  }
  sodium_memzero(text.data(), text.size());
  bool found = false;
  if (const std::string* v = env.find(kLighterPrivateKeyVar); v && !trim(*v).empty()) {
    key.assign(trim(*v));
    found = true;
  }
  for (auto& [k, v] : env.entries) sodium_memzero(v.data(), v.size());
  if (!found) why = source.env_file + " has no " + std::string(kLighterPrivateKeyVar) + " line";
  return found;
}

std::optional<lt::Signer> load_signer(const LighterKeySource& source, std::ostream& err) {
  std::string key;
  std::string why;
  if (!load_key_text(source, key, why)) {
    err << "bparb lighter: " << why << "\n";
    return std::nullopt;
  }
  Redactor::global()->add_secret(key);
  auto signer = lt::Signer::create(key, lt::SignerConfig{});
  sodium_memzero(key.data(), key.size());
  if (!signer) {
    err << "bparb lighter: " << kLighterPrivateKeyVar << " is invalid: " << lt::key_error_message(signer.error())
        << "\n";
    return std::nullopt;
  }
  return std::move(*signer);
}

}  // namespace

int run_lighter_command(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err,
                        const LighterKeySource& source_in) {
  LighterKeySource source = source_in;
  std::string sub;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return kExitOk;
    }
    if (a == "--env-file") {
      if (i + 1 >= args.size()) {
        err << "bparb lighter: --env-file needs a FILE\n" << kUsage;
        return kExitUsage;
      }
      source.env_file = args[++i];
    } else if (sub.empty() && (a == "sign" || a == "pubkey")) {
      sub = a;
    } else {
      err << "bparb lighter: unexpected argument '" << a << "'\n" << kUsage;
      return kExitUsage;
    }
  }
  if (sub.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  if (sodium_init() < 0) {
    err << "bparb lighter: libsodium failed to initialise\n";
    return kExitFailure;
  }
  std::optional<lt::Signer> signer = load_signer(source, err);
  if (!signer) return kExitUsage;
  if (sub == "pubkey") {
    std::array<char, 80> pk{};
    signer->public_key_hex(pk);
    out << std::string_view(pk.data(), pk.size()) << "\n";
    return kExitOk;
  }
  simdjson::dom::parser parser;
  std::string line;
  bool failed = false;
  while (std::getline(in, line)) {
    if (trim(line).empty()) continue;
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    if (!lt::sign_request_line(*signer, line, parser, now_ms, out)) failed = true;
  }
  out.flush();
  return failed ? kExitFailure : kExitOk;
}

int cmd_lighter(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  return run_lighter_command(args, std::cin, out, err, LighterKeySource{});
}

}  // namespace bparb::app
