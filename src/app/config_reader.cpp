// The config file's reading toolkit: text helpers, typed and ranged reads of one section's keys, secret
// refusal, URL checks, unknown keys with suggestions, and the sorted messages (config_reader.hpp).
#include "config_reader.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

namespace bparb::app::config_detail {

// ---------------------------------------------------------------------------------------------------
// Small text helpers.

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal-string-alignment distance, case-insensitive: "max_positon_usd" → "max_position_usd" is 1.
std::size_t edit_distance(std::string_view a_in, std::string_view b_in) {
  const std::string a = lower(a_in);
  const std::string b = lower(b_in);
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// The closest candidate within a typo-sized distance, or empty.
std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string best;
  std::size_t best_d = limit + 1;
  const std::string w = lower(word);
  for (const auto& c : candidates) {
    std::size_t dist = edit_distance(word, c);
    // "warning" → "warn", "max_position" → "max_position_usd": a prefix is a near miss too.
    const std::string lc = lower(c);
    if (std::min(w.size(), lc.size()) >= 3 && (w.rfind(lc, 0) == 0 || lc.rfind(w, 0) == 0)) {
      dist = std::min(dist, limit);
    }
    if (dist < best_d) {
      best_d = dist;
      best = c;
    }
  }
  return best;
}

// A pasted API key/secret is base64 of 32 or 64 bytes. Never echo such a value back.
bool looks_like_key_material(std::string_view s) {
  if (s.size() != 44 && s.size() != 88) return false;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '=') break;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '-' && c != '_') return false;
  }
  for (; i < s.size(); ++i) {
    if (s[i] != '=') return false;
  }
  return true;
}

std::string quote(std::string_view s) {
  if (looks_like_key_material(s)) return "<a value that looks like a key; not shown>";
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 80) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string double_text(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  if (r.ec != std::errc()) return "<float>";
  return std::string(buf, r.ptr);
}

// "string \"abc\"", "integer 5", "boolean true", "a table" — used in "got …".
std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string " + quote(n.as_string()->get());
    case toml::node_type::integer:
      return "integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point:
      return "float " + double_text(n.as_floating_point()->get());
    case toml::node_type::boolean:
      return std::string("boolean ") + (n.as_boolean()->get() ? "true" : "false");
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Plain value text for range errors: "-5", "0.25", "\"abc\"".
std::string value_text(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return quote(n.as_string()->get());
    case toml::node_type::integer:
      return std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point:
      return double_text(n.as_floating_point()->get());
    default:
      return describe(n);
  }
}

// Names whose presence means someone put credentials into the config file.
bool is_secret_key_name(std::string_view key) {
  const std::string k = lower(key);
  // "api_key_index", "account_index", "api_key_indexes": which key slots, not key material.
  if (k.size() > 6 && k.compare(k.size() - 6, 6, "_index") == 0) return false;
  if (k.size() > 8 && k.compare(k.size() - 8, 8, "_indexes") == 0) return false;
  for (const char* bad : {"secret", "private_key", "privatekey", "api_key", "apikey", "password", "passphrase"}) {
    if (k.find(bad) != std::string::npos) return true;
  }
  return false;
}

const toml::node* Section::get(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  if (t_ == nullptr) return nullptr;
  const toml::node* n = t_->get(key);
  if (n == nullptr || l_.secret_refused(n)) return nullptr;
  l_.nodes_[key_path(key)] = n;
  return n;
}

// TOML number or decimal string → exact Decimal. Floats go through their shortest round-trip text,
// which is the digits the user wrote (0.002 stays 0.002, not 0.00200000000000000004).
enum class NumResult { kOk, kWrongType, kNotNumber, kTooPrecise, kTooLarge };

NumResult to_decimal(const toml::node& n, Decimal& out) {
  if (const auto* i = n.as_integer()) {
    const std::int64_t v = i->get();
    if (v > 9'000'000'000LL || v < -9'000'000'000LL) return NumResult::kTooLarge;
    out = Decimal::from_int(v);
    return NumResult::kOk;
  }
  std::string text;
  if (const auto* f = n.as_floating_point()) {
    const double d = f->get();
    if (!std::isfinite(d)) return NumResult::kNotNumber;
    if (std::fabs(d) > 9.0e9) return NumResult::kTooLarge;
    char buf[512];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    if (r.ec != std::errc()) return NumResult::kTooLarge;
    text.assign(buf, r.ptr);
  } else if (const auto* s = n.as_string()) {
    text = s->get();
  } else {
    return NumResult::kWrongType;
  }
  switch (Decimal::parse(text, out)) {
    case DecimalParseError::kOk:
      return NumResult::kOk;
    case DecimalParseError::kTooPrecise:
      return NumResult::kTooPrecise;
    case DecimalParseError::kOverflow:
      return NumResult::kTooLarge;
    default:
      return NumResult::kNotNumber;
  }
}

void Section::decimal(std::string_view key, Decimal& out, const DecRange& r) {
  const toml::node* n = get(key);
  if (n == nullptr) return;
  Decimal v;
  const std::string k = key_path(key);
  switch (to_decimal(*n, v)) {
    case NumResult::kOk:
      if (!r.contains(v)) {
        l_.issue_at(n, k + ": " + value_text(*n) + " is out of range; allowed: " + r.text());
        return;
      }
      out = v;
      return;
    case NumResult::kWrongType:
      l_.issue_at(n, k + ": wrong type, got " + describe(*n) + "; allowed: a number such as 1000, 0.002 or \"0.002\"");
      return;
    case NumResult::kNotNumber:
      l_.issue_at(n, k + ": got " + describe(*n) +
                         ", which is not a decimal number; allowed: a number such as 1000, "
                         "0.002 or \"0.002\"");
      return;
    case NumResult::kTooPrecise:
      l_.issue_at(n, k + ": got " + describe(*n) +
                         ", which has more than 9 decimal places; allowed: at most 9 "
                         "decimal places, " +
                         r.text());
      return;
    case NumResult::kTooLarge:
      l_.issue_at(n, k + ": got " + describe(*n) + ", which is too large; allowed: " + r.text());
      return;
  }
}

void Section::integer(std::string_view key, std::int64_t& out, std::int64_t lo, std::int64_t hi) {
  const toml::node* n = get(key);
  if (n == nullptr) return;
  const std::string k = key_path(key);
  const std::string allowed = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  const auto* i = n->as_integer();
  if (i == nullptr) {
    l_.issue_at(n, k + ": wrong type, got " + describe(*n) + "; allowed: " + allowed);
    return;
  }
  if (i->get() < lo || i->get() > hi) {
    l_.issue_at(n, k + ": " + std::to_string(i->get()) + " is out of range; allowed: " + allowed);
    return;
  }
  out = i->get();
}

void Section::port(std::string_view key, std::uint16_t& out, std::int64_t lo) {
  std::int64_t v = out;
  const std::int64_t before = v;
  integer(key, v, lo, 65535);
  if (v != before) out = static_cast<std::uint16_t>(v);
}

void Section::duration(std::string_view key, DurationUs unit_us, DurationUs& out, const DecRange& r) {
  const toml::node* n = get(key);
  if (n == nullptr) return;
  Decimal v;
  bool ok = false;
  // Reuse the decimal reader for type/range messages, then convert exactly to microseconds.
  {
    Decimal tmp = Decimal::from_raw(std::int64_t{-1});
    const std::size_t before = l_.issues_.size();
    decimal(key, tmp, r);
    ok = l_.issues_.size() == before;
    v = tmp;
  }
  if (!ok) return;
  __extension__ using I128 = __int128;
  const I128 scaled = static_cast<I128>(v.raw()) * unit_us;
  if (scaled % Decimal::kOne != 0) {
    l_.issue_at(n, key_path(key) + ": " + value_text(*n) + " is finer than one microsecond; allowed: " + r.text());
    return;
  }
  out = static_cast<DurationUs>(scaled / Decimal::kOne);
}

void Section::boolean(std::string_view key, bool& out) {
  const toml::node* n = get(key);
  if (n == nullptr) return;
  if (const auto* b = n->as_boolean()) {
    out = b->get();
    return;
  }
  l_.issue_at(n, key_path(key) + ": wrong type, got " + describe(*n) + "; allowed: true or false (unquoted)");
}

const toml::node* Section::string(std::string_view key, std::string& out) {
  const toml::node* n = get(key);
  if (n == nullptr) return nullptr;
  const auto* s = n->as_string();
  if (s == nullptr) {
    l_.issue_at(n, key_path(key) + ": wrong type, got " + describe(*n) + "; allowed: a quoted string");
    return nullptr;
  }
  if (s->get().empty()) {
    l_.issue_at(n, key_path(key) + ": got an empty string; allowed: a non-empty string");
    return nullptr;
  }
  out = s->get();
  return n;
}

int Section::choice(std::string_view key, const std::vector<std::string_view>& allowed, bool required) {
  const toml::node* n = get(key);
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "\"" : ", \"") + std::string(a) + "\"";
  if (n == nullptr) {
    if (required && !(t_ != nullptr && t_->get(key) != nullptr)) {
      l_.issue(t_ ? &t_->source() : nullptr, key_path(key) + ": missing required key; allowed: " + list);
    }
    return -1;
  }
  const auto* s = n->as_string();
  if (s == nullptr) {
    l_.issue_at(n, key_path(key) + ": wrong type, got " + describe(*n) + "; allowed: " + list);
    return -1;
  }
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (s->get() == allowed[i]) return static_cast<int>(i);
  }
  std::vector<std::string> cands(allowed.begin(), allowed.end());
  const std::string hint = closest(s->get(), cands);
  l_.issue_at(n, key_path(key) + ": " + quote(s->get()) + " is not allowed" +
                     (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") + "; allowed: " + list);
  return -1;
}

// ---------------------------------------------------------------------------------------------------

Section& Loader::section(const toml::table& root, const char* name) {
  const toml::node* n = root.get(name);
  const toml::table* t = nullptr;
  if (n != nullptr && !refused_.count(n)) {
    t = n->as_table();
    if (t == nullptr) {
      issue_at(n, std::string(name) + ": wrong type, got " + describe(*n) + "; allowed: a table ([" + name + "])");
    }
  }
  sections_.push_back(std::make_unique<Section>(*this, name, name, t));
  return *sections_.back();
}

void Loader::refuse_secrets(const toml::node& n, const std::string& path) {
  if (const auto* t = n.as_table()) {
    for (auto&& [k, v] : *t) {
      const std::string p = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
      if (is_secret_key_name(k.str())) {
        refused_.insert(&v);
        // The value is deliberately not shown: it may be a real key.
        const bool lighter = p.rfind("venues.lighter.", 0) == 0;
        issue(&k.source(),
              p + ": API credentials are not accepted in the config file (value not shown); set " +
                  std::string(lighter ? "LIGHTER_API_PRIVATE_KEY" : "BACKPACK_API_KEY and BACKPACK_PRIVATE_KEY") +
                  " in the environment or in the .env file named by exchange.env_file, then remove "
                  "this key");
        continue;
      }
      refuse_secrets(v, p);
    }
  } else if (const auto* a = n.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) refuse_secrets(*a->get(i), path + "[" + std::to_string(i) + "]");
  }
}

void Loader::check_url(const toml::node* n, const std::string& key, const std::string& url, bool live, bool ws,
                       std::string_view example_in) {
  const std::string secure = ws ? "wss://" : "https://";
  const std::string plain = ws ? "ws://" : "http://";
  const std::string example = std::string(!example_in.empty() ? example_in : ws ? kBackpackWsUrl : kBackpackRestUrl);
  std::string rest;
  bool tls = false;
  if (url.rfind(secure, 0) == 0) {
    rest = url.substr(secure.size());
    tls = true;
  } else if (url.rfind(plain, 0) == 0) {
    rest = url.substr(plain.size());
  } else {
    issue_at(n, key + ": " + quote(url) + " is not a " + (ws ? "WebSocket" : "HTTP") + " URL; allowed: " + secure +
                    "HOST[:PORT] such as \"" + example + "\"");
    return;
  }
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') == std::string::npos ? std::string::npos : host.find(']') - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) {
    issue_at(n,
             key + ": " + quote(url) + " has no host; allowed: " + secure + "HOST[:PORT] such as \"" + example + "\"");
    return;
  }
  // An IP literal, not a name prefix: "127.0.0.1.example.com" is not loopback.
  unsigned char addr[16];
  const bool loopback =
      host == "localhost" || host == "::1" || (inet_pton(AF_INET, host.c_str(), addr) == 1 && addr[0] == 127);
  if (live && !tls && !loopback) {
    issue_at(n, key + ": " + quote(url) + " is unencrypted; allowed in live mode: " + secure + " URLs, or " + plain +
                    " to a loopback host (127.0.0.1, ::1, localhost) for a local bpsim");
  }
}

void Loader::report_unknown(const toml::table& root) {
  // Every key any section knows, for "it belongs in [risk]" hints.
  std::map<std::string, std::string> owner;  // key → section schema
  std::vector<std::string> section_names;
  for (const auto& s : sections_) {
    if (std::find(section_names.begin(), section_names.end(), s->schema()) == section_names.end()) {
      section_names.push_back(s->schema());
    }
    for (const auto& k : s->known()) owner.emplace(k, s->schema());
  }
  if (std::find(section_names.begin(), section_names.end(), "pairs") == section_names.end()) {
    section_names.push_back("pairs");
  }
  for (const auto& [k, v] : root) {
    if (refused_.count(&v)) continue;
    const std::string key(k.str());
    if (std::find(section_names.begin(), section_names.end(), key) != section_names.end()) continue;
    std::string msg = key + ": unknown ";
    msg += v.is_table() ? "section [" + key + "]" : "top-level key";
    if (auto it = owner.find(key); it != owner.end() && it->second != "pairs") {
      msg += " (did you mean " + it->second + "." + key + "? it belongs in [" + it->second + "])";
    } else if (const std::string hint = closest(key, section_names); !hint.empty()) {
      msg += " (did you mean [" + hint + "]?)";
    }
    std::string list;
    for (const auto& n : section_names) list += (list.empty() ? "[" : ", [") + n + "]";
    issue(&k.source(), msg + "; allowed sections: " + list);
  }
  for (const auto& s : sections_) {
    if (s->table() == nullptr) continue;
    for (const auto& [k, v] : *s->table()) {
      if (refused_.count(&v)) continue;
      const std::string key(k.str());
      const auto& known = s->known();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string msg = s->path() + "." + key + ": unknown key";
      if (std::find(section_names.begin(), section_names.end(), key) != section_names.end()) {
        msg += " (did you mean the top-level '" + key + "'? top-level keys must come before the first [section])";
      } else if (const std::string hint = closest(key, known); !hint.empty()) {
        msg += " (did you mean '" + hint + "'?)";
      } else if (auto it = owner.find(key); it != owner.end() && it->second != s->schema()) {
        msg += " (did you mean " + it->second + "." + key + "? it belongs in [" + it->second + "])";
      }
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      issue(&k.source(), msg + "; allowed keys in [" + s->schema() + "]: " + list);
    }
  }
}

std::vector<std::string> Loader::messages() const {
  std::vector<Issue> sorted = issues_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Issue& a, const Issue& b) {
    const std::uint64_t ka = a.line == 0 ? UINT64_MAX : (std::uint64_t{a.line} << 32) | a.col;
    const std::uint64_t kb = b.line == 0 ? UINT64_MAX : (std::uint64_t{b.line} << 32) | b.col;
    return ka < kb;
  });
  std::vector<std::string> out;
  out.reserve(sorted.size());
  for (const auto& i : sorted) {
    std::string prefix = file_;
    if (i.line != 0) prefix += ":" + std::to_string(i.line) + ":" + std::to_string(i.col);
    out.push_back(prefix + ": " + i.text);
  }
  return out;
}

}  // namespace bparb::app::config_detail
