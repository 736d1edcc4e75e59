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

void json_string(std::ostream& out, std::string_view s) {
  out << '"';
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') {
      out << '\\' << ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out << "\\u00" << kHex[(ch >> 4) & 0xF] << kHex[ch & 0xF];
    } else {
      out << ch;
    }
  }
  out << '"';
}

// A request field as an integer within [lo, hi]; missing fields take `fallback` when given.
class Fields {
 public:
  explicit Fields(simdjson::dom::object obj) : obj_(obj) {}
  template <class Int>
  bool get(const char* name, Int& out, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t> fallback = {}) {
    simdjson::dom::element el;
    if (obj_[name].get(el) != simdjson::SUCCESS) {
      if (fallback) {
        out = static_cast<Int>(*fallback);
        return true;
      }
      error_ = std::string("missing field ") + name;
      return false;
    }
    std::int64_t v = 0;
    if (el.get_int64().get(v) != simdjson::SUCCESS) {
      error_ = std::string("field ") + name + " must be an integer";
      return false;
    }
    if (v < lo || v > hi) {
      error_ = std::string("field ") + name + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
      return false;
    }
    out = static_cast<Int>(v);
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  simdjson::dom::object obj_;
  std::string error_;
};

constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kU32Max = 0xFFFFFFFFLL;

bool read_attributes(Fields& f, lt::TxAttributes& a) {
  return f.get("integrator_account_index", a.integrator_account_index, 0, kI64Max, 0) &&
         f.get("integrator_taker_fee", a.integrator_taker_fee, 0, kU32Max, 0) &&
         f.get("integrator_maker_fee", a.integrator_maker_fee, 0, kU32Max, 0) &&
         f.get("skip_nonce", a.skip_nonce, 0, 1, 0) &&
         f.get("cancel_all_market_index", a.cancel_all_market_index, 0, 32767, 255) &&
         f.get("self_trade_behavior", a.self_trade_behavior, 0, 3, 0) &&
         f.get("self_trade_equality", a.self_trade_equality, 0, 1, 0);
}

void print_signed(std::ostream& out, const lt::SignedTx& tx, std::string_view public_key_hex) {
  std::array<char, 80> h{};
  tx.message_hash_hex(h);
  out << "{\"tx_type\":" << static_cast<int>(tx.tx_type) << ",\"tx_info\":";
  json_string(out, tx.tx_info());
  out << ",\"message_hash\":\"" << std::string_view(h.data(), h.size()) << "\",\"public_key\":\"" << public_key_hex
      << "\"}\n";
}

// Signs one request line; on failure returns the message for {"error":...}.
std::optional<std::string> sign_line(lt::Signer& signer, std::string_view line, simdjson::dom::parser& parser,
                                     std::string_view public_key_hex, std::ostream& out) {
  simdjson::dom::object obj;
  if (parser.parse(line.data(), line.size()).get_object().get(obj) != simdjson::SUCCESS) {
    return std::string("request is not a JSON object");
  }
  simdjson::dom::element ignored;
  if (obj["private_key"].get(ignored) == simdjson::SUCCESS) {
    return std::string("private_key in a request is refused: the key comes from ") + std::string(kLighterPrivateKeyVar);
  }
  std::string_view kind;
  if (obj["kind"].get_string().get(kind) != simdjson::SUCCESS) return std::string("missing string field kind");
  Fields f(obj);
  lt::SignerConfig cfg;
  if (!f.get("account_index", cfg.account_index, -1, kI64Max) || !f.get("api_key_index", cfg.api_key_index, 0, 254) ||
      !f.get("chain_id", cfg.chain_id, 0, kU32Max, lt::kChainIdMainnet)) {
    return f.error();
  }
  signer.set_config(cfg);
  std::int64_t nonce = 0;
  if (kind != "auth_token" && !f.get("nonce", nonce, 0, kI64Max)) return f.error();
  // Like the official signers: ExpiredAt defaults to now + 10 minutes - 1 second (ms).
  const std::int64_t default_expiry =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() +
      599'000;
  std::int64_t expired_at = 0;
  if (!f.get("expired_at", expired_at, 0, kI64Max, default_expiry)) return f.error();

  lt::SignedTx tx;
  std::optional<lt::TxError> e;
  if (kind == "create_order") {
    lt::CreateOrderTx o;
    if (!f.get("market_index", o.market_index, 0, 32767) ||
        !f.get("client_order_index", o.client_order_index, 0, kI64Max) ||
        !f.get("base_amount", o.base_amount, 0, kI64Max) || !f.get("price", o.price, 0, kU32Max) ||
        !f.get("is_ask", o.is_ask, 0, 1) || !f.get("order_type", o.type, 0, 255) ||
        !f.get("time_in_force", o.time_in_force, 0, 255) || !f.get("reduce_only", o.reduce_only, 0, 1) ||
        !f.get("trigger_price", o.trigger_price, 0, kU32Max, 0) || !f.get("order_expiry", o.order_expiry, 0, kI64Max) ||
        !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_create_order(o, nonce, expired_at, tx);
  } else if (kind == "cancel_order") {
    lt::CancelOrderTx o;
    if (!f.get("market_index", o.market_index, 0, 32767) || !f.get("index", o.index, 0, kI64Max) ||
        !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_cancel_order(o, nonce, expired_at, tx);
  } else if (kind == "cancel_all_orders") {
    lt::CancelAllOrdersTx o;
    if (!f.get("time_in_force", o.time_in_force, 0, 2) || !f.get("time", o.time, 0, kI64Max) ||
        !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_cancel_all_orders(o, nonce, expired_at, tx);
  } else if (kind == "modify_order") {
    lt::ModifyOrderTx o;
    if (!f.get("market_index", o.market_index, 0, 32767) || !f.get("index", o.index, 0, kI64Max) ||
        !f.get("base_amount", o.base_amount, 0, kI64Max) || !f.get("price", o.price, 0, kU32Max) ||
        !f.get("trigger_price", o.trigger_price, 0, kU32Max, 0) || !read_attributes(f, o.attributes)) {
      return f.error();
    }
    e = signer.sign_modify_order(o, nonce, expired_at, tx);
  } else if (kind == "auth_token") {
    std::int64_t deadline = 0;
    if (!f.get("deadline", deadline, 0, kI64Max)) return f.error();
    lt::AuthToken token;
    if (auto te = signer.auth_token(deadline, token)) return std::string(lt::tx_error_message(*te));
    out << "{\"auth_token\":";
    json_string(out, token.str());
    out << ",\"public_key\":\"" << public_key_hex << "\"}\n";
    return std::nullopt;
  } else {
    return "unknown kind '" + std::string(kind) +
           "' (create_order, cancel_order, cancel_all_orders, modify_order, auth_token)";
  }
  if (e) return std::string(lt::tx_error_message(*e));
  print_signed(out, tx, public_key_hex);
  return std::nullopt;
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
  std::array<char, 80> pk{};
  signer->public_key_hex(pk);
  const std::string_view pk_hex(pk.data(), pk.size());
  if (sub == "pubkey") {
    out << pk_hex << "\n";
    return kExitOk;
  }
  simdjson::dom::parser parser;
  std::string line;
  bool failed = false;
  while (std::getline(in, line)) {
    if (trim(line).empty()) continue;
    if (auto e = sign_line(*signer, line, parser, pk_hex, out)) {
      out << "{\"error\":";
      json_string(out, Redactor::global()->redact(*e));
      out << "}\n";
      failed = true;
    }
  }
  out.flush();
  return failed ? kExitFailure : kExitOk;
}

int cmd_lighter(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  return run_lighter_command(args, std::cin, out, err, LighterKeySource{});
}

}  // namespace bparb::app
