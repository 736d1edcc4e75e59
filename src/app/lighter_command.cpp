// `bparb lighter sign|pubkey` (include/bparb/app/lighter_command.hpp; the scheme: docs/lighter-signing.md).
#include "bparb/app/lighter_command.hpp"

#include <simdjson.h>
#include <sodium.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include "bparb/app/cli.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/venue/lighter/request.hpp"
#include "bparb/venue/lighter/rest_client.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::app {

namespace {

namespace lt = bparb::lighter;

constexpr std::string_view kUsage =
    "Usage: bparb lighter sign [--env-file FILE] < requests.jsonl\n"
    "       bparb lighter pubkey [--env-file FILE]\n"
    "       bparb lighter check [--config FILE] [--env-file FILE]\n"
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
    "  check: reads [venues.lighter] of the config (default config/bparb.toml), compares the key's public key\n"
    "    with the one the venue has registered for (account_index, api_key_index), fetches the next nonce and\n"
    "    the account. Exit 0 ok, 2 config or key error, 3 key mismatch (or no key in the slot), 4 venue\n"
    "    unreachable. --env-file defaults to exchange.env_file.\n"
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
bool load_key_text(const LighterKeySource& source, std::string& key, std::string& why, std::string* from = nullptr,
                   std::string_view var = kLighterPrivateKeyVar) {
  const auto lookup = source.getenv ? source.getenv : system_getenv;
  if (auto v = lookup(var); v && !trim(*v).empty()) {
    key.assign(trim(*v));
    sodium_memzero(v->data(), v->size());
    if (from) *from = "the environment";
    return true;
  }
  std::error_code ec;
  if (source.env_file.empty() || !std::filesystem::exists(source.env_file, ec)) {
    why = std::string(var) + " is not set and " +
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
  if (const std::string* v = env.find(var); v && !trim(*v).empty()) {
    key.assign(trim(*v));
    found = true;
  }
  for (auto& [k, v] : env.entries) sodium_memzero(v.data(), v.size());
  if (!found) why = source.env_file + " has no " + std::string(var) + " line";
  if (found && from) *from = source.env_file;
  return found;
}

std::optional<lt::Signer> load_signer(const LighterKeySource& source, std::ostream& err,
                                      const lt::SignerConfig& config = {}, std::string* from = nullptr,
                                      std::string_view var = kLighterPrivateKeyVar) {
  std::string key;
  std::string why;
  if (!load_key_text(source, key, why, from, var)) {
    err << "bparb lighter: " << why << "\n";
    return std::nullopt;
  }
  Redactor::global()->add_secret(key);
  auto signer = lt::Signer::create(key, config);
  sodium_memzero(key.data(), key.size());
  if (!signer) {
    err << "bparb lighter: " << var << " is invalid: " << lt::key_error_message(signer.error()) << "\n";
    return std::nullopt;
  }
  return std::move(*signer);
}

// ---------------------------------------------------------------- bparb lighter check

struct CheckResults {
  std::optional<lt::RestResult<std::vector<lt::ApiKeyInfo>>> keys;
  std::optional<lt::RestResult<std::int64_t>> nonce;
  std::optional<lt::RestResult<lt::Account>> account;
};

bool unreachable(const lt::RestError& e) {
  return e.kind == lt::RestErrorKind::kTransport || e.kind == lt::RestErrorKind::kHttp;
}

int lighter_check(const std::string& config_path, const std::optional<std::string>& env_file_arg,
                  const LighterKeySource& source_in, std::ostream& out, std::ostream& err) {
  Config cfg;
  try {
    cfg = load_config(config_path);
  } catch (const ConfigError& e) {
    for (const auto& line : e.errors()) err << Redactor::global()->redact(line) << "\n";
    err << "bparb lighter check: config INVALID: " << config_path << "\n";
    return kLighterCheckConfigError;
  }
  if (!cfg.venues.lighter) {
    err << "bparb lighter check: " << config_path
        << " has no [venues.lighter] section; allowed: a section with account_index and api_key_index (see "
           "config/bparb.toml)\n";
    return kLighterCheckConfigError;
  }
  const LighterVenueConfig& v = *cfg.venues.lighter;
  LighterKeySource source = source_in;
  source.env_file = env_file_arg ? *env_file_arg : cfg.exchange.env_file;
  std::string from;
  const lt::SignerConfig sc{v.chain_id, v.account_index, static_cast<std::uint8_t>(v.api_key_index)};
  // A pool is checked by its first slot here; the daemon compares every slot's key at start-up.
  const std::string var =
      v.api_key_indexes.empty() ? std::string(kLighterPrivateKeyVar) : lighter_pool_key_var(v.api_key_index);
  std::optional<lt::Signer> signer = load_signer(source, err, sc, &from, var);
  if (!signer) return kLighterCheckConfigError;
  std::array<char, 80> pk{};
  signer->public_key_hex(pk);
  const std::string local(pk.data(), pk.size());

  out << "lighter check: " << config_path << " -> " << v.rest_url << " (chain " << v.chain_id << ", "
      << (v.chain_id == lt::kChainIdMainnet ? "mainnet" : "testnet") << ")\n"
      << "  account " << v.account_index << ", api key slot " << v.api_key_index << ", tier "
      << lighter_tier_name(v.account_tier)
      << (v.api_key_indexes.empty() ? "" : " (the first slot of api_key_indexes; the daemon checks each at start-up)")
      << "\n"
      << "  local public key:      " << local << " (from " << var << " in " << from << ")\n";

  boost::asio::io_context io;
  lt::LighterRestOptions ro;
  ro.http.base_url = v.rest_url;
  ro.http.default_timeout_us = 10 * kUsPerSecond;
  std::unique_ptr<lt::LighterRest> rest;
  try {
    rest = std::make_unique<lt::LighterRest>(io, ro);
  } catch (const std::exception& e) {
    err << "bparb lighter check: venues.lighter.rest_url " << v.rest_url << " is not usable: " << e.what() << "\n";
    return kLighterCheckConfigError;
  }
  CheckResults r;
  const auto key_index = static_cast<std::uint8_t>(v.api_key_index);
  rest->api_keys(v.account_index, key_index,
                 [&](lt::RestResult<std::vector<lt::ApiKeyInfo>>& x) { r.keys.emplace(std::move(x)); });
  rest->next_nonce(v.account_index, key_index, [&](lt::RestResult<std::int64_t>& x) { r.nonce.emplace(std::move(x)); });
  rest->account(v.account_index, [&](lt::RestResult<lt::Account>& x) { r.account.emplace(std::move(x)); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(r.keys && r.nonce && r.account) && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(100));
  }
  if (!(r.keys && r.nonce && r.account)) {
    out << "lighter check FAILED: the venue did not answer within 30 s\n";
    return kLighterCheckUnreachable;
  }

  // The registered key decides; the other two answers are reported either way.
  int code = kExitOk;
  if (!*r.keys) {
    const lt::RestError& e = r.keys->error();
    out << "  registered public key: unknown (" << e.describe() << ")\n";
    code = unreachable(e) ? kLighterCheckUnreachable : kLighterCheckConfigError;
  } else {
    const lt::ApiKeyInfo* found = nullptr;
    for (const auto& k : r.keys->value()) {
      if (k.api_key_index == v.api_key_index) found = &k;
    }
    if (found == nullptr) {
      out << "  registered public key: none: slot " << v.api_key_index << " of account " << v.account_index
          << " has no key\n";
      code = kLighterCheckKeyMismatch;
    } else {
      out << "  registered public key: " << found->public_key << "\n";
      if (found->public_key == local) {
        out << "  key: MATCH\n";
      } else {
        out << "  key: MISMATCH: " << var << " is not the key registered in slot " << v.api_key_index
            << " (wrong key, slot or account; or the key was replaced on the venue)\n";
        code = kLighterCheckKeyMismatch;
      }
    }
  }
  if (*r.nonce) {
    out << "  next nonce: " << r.nonce->value() << "\n";
  } else {
    out << "  next nonce: unknown (" << r.nonce->error().describe() << ")\n";
    if (code == kExitOk) code = unreachable(r.nonce->error()) ? kLighterCheckUnreachable : kLighterCheckConfigError;
  }
  if (*r.account) {
    const lt::Account& a = r.account->value();
    out << "  account: status " << a.status << ", collateral " << a.collateral.str() << ", available "
        << a.available_balance.str() << ", total asset value " << a.total_asset_value.str() << ", orders "
        << a.total_order_count << " (" << a.pending_order_count << " pending), positions";
    std::size_t open = 0;
    for (const auto& p : a.positions) {
      if (!p.signed_size.is_zero()) {
        out << " " << p.symbol << " " << p.signed_size.str();
        ++open;
      }
    }
    out << (open == 0 ? " none" : "") << "\n";
  } else {
    out << "  account: unknown (" << r.account->error().describe() << ")\n";
    if (code == kExitOk) {
      code = unreachable(r.account->error()) ? kLighterCheckUnreachable : kLighterCheckConfigError;
    }
  }
  out << (code == kExitOk ? "lighter check OK\n" : "lighter check FAILED (exit " + std::to_string(code) + ")\n");
  return code;
}

}  // namespace

std::optional<std::string> lighter_public_key(const LighterKeySource& source, std::string& why, std::string* from,
                                              std::string_view var) {
  if (sodium_init() < 0) {
    why = "libsodium failed to initialise";
    return std::nullopt;
  }
  std::ostringstream err;
  std::optional<lt::Signer> signer = load_signer(source, err, lt::SignerConfig{}, from, var);
  if (!signer) {
    why = err.str();
    while (!why.empty() && why.back() == '\n') why.pop_back();
    constexpr std::string_view kPrefix = "bparb lighter: ";
    if (why.rfind(kPrefix, 0) == 0) why.erase(0, kPrefix.size());
    return std::nullopt;
  }
  std::array<char, 80> pk{};
  signer->public_key_hex(pk);
  return std::string(pk.data(), pk.size());
}

std::string lighter_pool_key_var(std::int64_t api_key_index) {
  return std::string(kLighterPrivateKeyVar) + "_" + std::to_string(api_key_index);
}

std::optional<lt::Signer> lighter_signer(const LighterKeySource& source, const lt::SignerConfig& config,
                                         std::string& why, std::string* from, std::string_view var) {
  if (sodium_init() < 0) {
    why = "libsodium failed to initialise";
    return std::nullopt;
  }
  std::ostringstream err;
  std::optional<lt::Signer> signer = load_signer(source, err, config, from, var);
  if (!signer) {
    why = err.str();
    while (!why.empty() && why.back() == '\n') why.pop_back();
    constexpr std::string_view kPrefix = "bparb lighter: ";
    if (why.rfind(kPrefix, 0) == 0) why.erase(0, kPrefix.size());
  }
  return signer;
}

int run_lighter_command(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err,
                        const LighterKeySource& source_in) {
  LighterKeySource source = source_in;
  std::string sub;
  std::string config_path = "config/bparb.toml";
  std::optional<std::string> env_file_arg;
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
      env_file_arg = source.env_file;
    } else if (a == "--config") {
      if (i + 1 >= args.size()) {
        err << "bparb lighter: --config needs a FILE\n" << kUsage;
        return kExitUsage;
      }
      config_path = args[++i];
    } else if (sub.empty() && (a == "sign" || a == "pubkey" || a == "check")) {
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
  if (sub == "check") return lighter_check(config_path, env_file_arg, source_in, out, err);
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
