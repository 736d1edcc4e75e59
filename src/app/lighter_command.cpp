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
#include "bparb/app/lighter_node.hpp"
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
    "  check: reads [venues.lighter] of the config (default config/bparb.toml) and, for every API key slot\n"
    "    (api_key_index, or each of api_key_indexes), compares the key's public key with the one the venue has\n"
    "    registered for (account_index, slot) and fetches the slot's next nonce, one line per slot; then the\n"
    "    account. Exit 0 ok, 2 config or key error, 3 key mismatch (or no key in a slot), 4 venue\n"
    "    unreachable (the first failing slot decides). --env-file defaults to exchange.env_file.\n"
    "  The key: LIGHTER_API_PRIVATE_KEY (80 hex characters) from the environment, else from the .env file;\n"
    "  a pool's keys: LIGHTER_API_PRIVATE_KEY_<slot>.\n";

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

// One API key slot of the account: the key loaded for it and the venue's answers about it.
struct SlotCheck {
  std::uint8_t slot = 0;
  std::string var;    // the environment variable its key comes from
  std::string local;  // our public key (hex); empty when the key did not load
  std::string from;   // where the key was found
  std::string load_error;
  std::optional<lt::RestResult<std::vector<lt::ApiKeyInfo>>> keys;
  std::optional<lt::RestResult<std::int64_t>> nonce;
};

bool unreachable(const lt::RestError& e) {
  return e.kind == lt::RestErrorKind::kTransport || e.kind == lt::RestErrorKind::kHttp;
}

// The first failure decides the exit code: a key that does not match (or an empty slot) before a venue or
// config error found later.
void note_failure(int& code, int failure) {
  if (code == kExitOk) code = failure;
}

// One line per slot: the key's verdict, the registered public key and the slot's next nonce.
void report_slot(const SlotCheck& c, std::int64_t account, std::ostream& out, int& code) {
  out << "  slot " << static_cast<int>(c.slot) << ": ";
  if (!c.load_error.empty()) {
    out << c.load_error << "\n";
    note_failure(code, kLighterCheckConfigError);
    return;
  }
  const std::string source = " (" + c.var + " from " + c.from + ")";
  int slot_code = kExitOk;
  if (!*c.keys) {
    const lt::RestError& e = c.keys->error();
    out << "registered public key: unknown (" << e.describe() << "), local public key " << c.local << source;
    slot_code = unreachable(e) ? kLighterCheckUnreachable : kLighterCheckConfigError;
  } else {
    const lt::ApiKeyInfo* found = nullptr;
    for (const auto& k : c.keys->value()) {
      if (k.api_key_index == c.slot) found = &k;
    }
    if (found == nullptr) {
      out << "registered public key: none: slot " << static_cast<int>(c.slot) << " of account " << account
          << " has no key; local public key " << c.local << source;
      slot_code = kLighterCheckKeyMismatch;
    } else if (found->public_key == c.local) {
      out << "key: MATCH, registered public key: " << found->public_key << source;
    } else {
      out << "key: MISMATCH: " << c.var << " is not the key registered in slot " << static_cast<int>(c.slot)
          << " (wrong key, slot or account; or the key was replaced on the venue): registered public key: "
          << found->public_key << ", local public key " << c.local << source;
      slot_code = kLighterCheckKeyMismatch;
    }
  }
  if (*c.nonce) {
    out << ", next nonce: " << c.nonce->value() << "\n";
  } else {
    out << ", next nonce: unknown (" << c.nonce->error().describe() << ")\n";
    if (slot_code == kExitOk)
      slot_code = unreachable(c.nonce->error()) ? kLighterCheckUnreachable : kLighterCheckConfigError;
  }
  if (slot_code != kExitOk) note_failure(code, slot_code);
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
  // Every slot the daemon signs with, each key from its own variable, as the daemon loads them at start-up.
  const bool pool = !v.api_key_indexes.empty();
  std::vector<SlotCheck> slots;
  std::size_t loaded = 0;
  for (const std::uint8_t slot : lighter_key_slots(cfg)) {
    SlotCheck c;
    c.slot = slot;
    c.var = pool ? lighter_pool_key_var(slot) : std::string(kLighterPrivateKeyVar);
    lt::SignerConfig sc = lighter_signer_config(cfg);
    sc.api_key_index = slot;
    std::ostringstream why;
    std::optional<lt::Signer> signer = load_signer(source, why, sc, &c.from, c.var);
    if (signer) {
      std::array<char, 80> pk{};
      signer->public_key_hex(pk);
      c.local.assign(pk.data(), pk.size());
      ++loaded;
    } else {
      err << why.str();
      c.load_error = why.str();
      while (!c.load_error.empty() && c.load_error.back() == '\n') c.load_error.pop_back();
    }
    slots.push_back(std::move(c));
  }
  if (loaded == 0) return kLighterCheckConfigError;

  out << "lighter check: " << config_path << " -> " << v.rest_url << " (chain " << v.chain_id << ", "
      << (v.chain_id == lt::kChainIdMainnet ? "mainnet" : "testnet") << ")\n"
      << "  account " << v.account_index << ", tier " << lighter_tier_name(v.account_tier) << ", "
      << (pool ? "api key pool of " + std::to_string(slots.size()) + " slots"
               : "api key slot " + std::to_string(v.api_key_index))
      << "\n";

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
  std::size_t pending = 0;
  for (SlotCheck& c : slots) {
    if (!c.load_error.empty()) continue;
    pending += 2;
    rest->api_keys(v.account_index, c.slot, [&](lt::RestResult<std::vector<lt::ApiKeyInfo>>& x) {
      c.keys.emplace(std::move(x));
      --pending;
    });
    rest->next_nonce(v.account_index, c.slot, [&](lt::RestResult<std::int64_t>& x) {
      c.nonce.emplace(std::move(x));
      --pending;
    });
  }
  std::optional<lt::RestResult<lt::Account>> account;
  rest->account(v.account_index, [&](lt::RestResult<lt::Account>& x) { account.emplace(std::move(x)); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(pending == 0 && account) && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(100));
  }
  if (!(pending == 0 && account)) {
    out << "lighter check FAILED: the venue did not answer within 30 s\n";
    return kLighterCheckUnreachable;
  }

  // The registered keys decide; the nonces and the account are reported either way.
  int code = kExitOk;
  for (const SlotCheck& c : slots) report_slot(c, v.account_index, out, code);
  if (*account) {
    const lt::Account& a = account->value();
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
    out << "  account: unknown (" << account->error().describe() << ")\n";
    note_failure(code, unreachable(account->error()) ? kLighterCheckUnreachable : kLighterCheckConfigError);
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
