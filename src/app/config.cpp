// TOML → Config with validation that collects every problem before failing.
//
// Why collect instead of throw-on-first: an operator fixing a config over SSH wants the whole list in
// one go. Each message names the file, line:column, dotted key, the bad value and what is allowed.
#include "bparb/app/config.hpp"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

namespace bparb::app {

std::string_view mode_name(Mode m) noexcept {
  return m == Mode::kLive ? "live" : "paper";
}

std::string_view unexplained_policy_name(UnexplainedPolicy p) noexcept {
  switch (p) {
    case UnexplainedPolicy::kRefuse:
      return "refuse";
    case UnexplainedPolicy::kFlag:
      return "flag";
    case UnexplainedPolicy::kAdopt:
      return "adopt";
  }
  return "?";
}

std::string_view log_level_name(LogLevel l) noexcept {
  switch (l) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

std::vector<PairConfig> default_pairs() {
  std::vector<PairConfig> out;
  for (const char* base : {"SOL", "BTC", "ETH", "SUI", "JUP"}) {
    out.push_back(PairConfig{base, std::string(base) + "_USDC", std::string(base) + "_USDC_PERP", true});
  }
  return out;
}

std::size_t Config::enabled_pair_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(pairs.begin(), pairs.end(), [](const PairConfig& p) { return p.enabled; }));
}

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string file, std::vector<std::string> errors)
    : std::runtime_error(join_lines(errors)), file_(std::move(file)), errors_(std::move(errors)) {}

namespace {

Decimal dec(std::string_view s) {
  return Decimal::from_string(s);
}

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
  for (const char* bad : {"secret", "private_key", "privatekey", "api_key", "apikey", "password", "passphrase"}) {
    if (k.find(bad) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Ranges.

struct DecRange {
  std::optional<Decimal> lo;
  bool lo_incl = true;
  std::optional<Decimal> hi;
  bool hi_incl = true;
  const char* note = nullptr;  // appended to "allowed: …"

  bool contains(Decimal v) const {
    if (lo && (lo_incl ? v < *lo : v <= *lo)) return false;
    if (hi && (hi_incl ? v > *hi : v >= *hi)) return false;
    return true;
  }
  std::string text() const {
    std::string out;
    if (lo) out += std::string(lo_incl ? ">= " : "> ") + lo->str();
    if (hi) {
      if (!out.empty()) out += " and ";
      out += std::string(hi_incl ? "<= " : "< ") + hi->str();
    }
    if (out.empty()) out = "any number";
    if (note) out += std::string(" ") + note;
    return out;
  }
};

DecRange at_least(std::string_view lo, const char* note = nullptr) {
  return {dec(lo), true, std::nullopt, true, note};
}
DecRange above(std::string_view lo, const char* note = nullptr) {
  return {dec(lo), false, std::nullopt, true, note};
}
DecRange between(std::string_view lo, std::string_view hi, const char* note = nullptr) {
  return {dec(lo), true, dec(hi), true, note};
}
DecRange above_upto(std::string_view lo, std::string_view hi, const char* note = nullptr) {
  return {dec(lo), false, dec(hi), true, note};
}

constexpr const char* kFractionNote = "(a fraction: 0.002 means 0.2 %)";

// ---------------------------------------------------------------------------------------------------
// The loader: reads sections, records issues with their position, reports unknown keys at the end.

struct Issue {
  std::uint32_t line = 0;  // 0 = no position (consistency checks, missing sections)
  std::uint32_t col = 0;
  std::string text;
};

class Loader;

// One TOML table being read ("risk", "pairs[2]"). Every key read is recorded as known so that the
// remaining keys can be reported as unknown with a suggestion.
class Section {
 public:
  Section(Loader& l, std::string path, std::string schema, const toml::table* t)
      : l_(l), path_(std::move(path)), schema_(std::move(schema)), t_(t) {}

  const toml::table* table() const { return t_; }
  const std::string& path() const { return path_; }
  const std::string& schema() const { return schema_; }
  const std::vector<std::string>& known() const { return known_; }

  // nullptr when absent (or when it was a refused secret key).
  const toml::node* get(std::string_view key);
  std::string key_path(std::string_view key) const { return path_ + "." + std::string(key); }

  void decimal(std::string_view key, Decimal& out, const DecRange& r);
  void integer(std::string_view key, std::int64_t& out, std::int64_t lo, std::int64_t hi);
  void port(std::string_view key, std::uint16_t& out, std::int64_t lo);
  // A duration written in `unit_us` units (the key's suffix); range is in those units.
  void duration(std::string_view key, DurationUs unit_us, DurationUs& out, const DecRange& r);
  void boolean(std::string_view key, bool& out);
  // Non-empty string; returns the node (for extra checks) or nullptr.
  const toml::node* string(std::string_view key, std::string& out);
  // One of `allowed`; returns the index or -1 (absent/invalid).
  int choice(std::string_view key, const std::vector<std::string_view>& allowed, bool required);

 private:
  Loader& l_;
  std::string path_;
  std::string schema_;  // "pairs" for every pairs[i]
  const toml::table* t_;
  std::vector<std::string> known_;
};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  void issue(const toml::source_region* where, std::string text) {
    Issue i;
    if (where != nullptr && where->begin.line != 0) {
      i.line = where->begin.line;
      i.col = where->begin.column;
    }
    i.text = std::move(text);
    issues_.push_back(std::move(i));
  }
  void issue_at(const toml::node* n, std::string text) {
    if (n != nullptr) bad_nodes_.insert(n);
    issue(n ? &n->source() : nullptr, std::move(text));
  }

  bool secret_refused(const toml::node* n) const { return refused_.count(n) != 0; }

  Config load(const toml::table& root);
  std::vector<std::string> messages() const;
  bool has_issues() const { return !issues_.empty(); }

 private:
  void refuse_secrets(const toml::node& n, const std::string& path);
  void read_exchange(Section& s, Config& c);
  void read_paper(Section& s, Config& c);
  void read_risk(Section& s, Config& c);
  void read_strategy(Section& s, Config& c);
  void read_execution(Section& s, Config& c);
  void read_logging(Section& s, Config& c);
  void read_journal(Section& s, Config& c);
  void read_service(Section& s, Config& c);
  void read_backtest(Section& s, Config& c);
  void read_recovery(Section& s, Config& c);
  void read_shutdown(Section& s, Config& c);
  void read_pairs(const toml::table& root, Config& c);
  bool read_pair_base(const toml::node& n, const std::string& path, std::string& out);
  void check_pair_symbol(const toml::node* n, const std::string& key_path, const std::string& value,
                         const std::string& expected, const char* what);
  void check_consistency(const Config& c);
  void check_url(const toml::node* n, const std::string& key, const std::string& url, bool live, bool ws);
  void report_unknown(const toml::table& root);
  Section& section(const toml::table& root, const char* name);

  std::string file_;
  std::vector<Issue> issues_;
  std::vector<std::string> warnings_;
  std::set<const toml::node*> bad_nodes_;  // values already reported: consistency rules skip them
  std::set<const toml::node*> refused_;    // secret-named keys: reported once, never read or echoed
  std::vector<std::unique_ptr<Section>> sections_;
  std::map<std::string, const toml::node*> nodes_;  // key path → node, for consistency messages

  friend class Section;
};

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
        issue(&k.source(), p + ": API credentials are not accepted in the config file (value not shown); set "
                               "BACKPACK_API_KEY and BACKPACK_PRIVATE_KEY in the environment or in the .env file "
                               "named by exchange.env_file, then remove this key");
        continue;
      }
      refuse_secrets(v, p);
    }
  } else if (const auto* a = n.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) refuse_secrets(*a->get(i), path + "[" + std::to_string(i) + "]");
  }
}

void Loader::check_url(const toml::node* n, const std::string& key, const std::string& url, bool live, bool ws) {
  const std::string secure = ws ? "wss://" : "https://";
  const std::string plain = ws ? "ws://" : "http://";
  const std::string example = std::string(ws ? kBackpackWsUrl : kBackpackRestUrl);
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

void Loader::read_exchange(Section& s, Config& c) {
  const int mode = s.choice("mode", {"paper", "live"}, /*required=*/true);
  if (mode >= 0) c.exchange.mode = mode == 1 ? Mode::kLive : Mode::kPaper;
  const toml::node* rest = s.string("rest_url", c.exchange.rest_url);
  const toml::node* ws = s.string("ws_url", c.exchange.ws_url);
  s.string("env_file", c.exchange.env_file);
  s.integer("max_requests_per_minute", c.exchange.max_requests_per_minute, 1, 2000);
  s.duration("rest_timeout_ms", kUsPerMs, c.exchange.rest_timeout_us, between("100", "60000"));
  s.duration("ws_stale_timeout_seconds", kUsPerSecond, c.exchange.ws_stale_timeout_us, between("1", "600"));
  s.duration("account_poll_seconds", kUsPerSecond, c.exchange.account_poll_us, between("1", "300"));
  s.duration("fills_reconcile_seconds", kUsPerSecond, c.exchange.fills_reconcile_us, between("1", "300"));
  s.duration("funding_poll_seconds", kUsPerSecond, c.exchange.funding_poll_us, between("1", "3600"));
  const bool live = mode == 1;
  if (rest) check_url(rest, "exchange.rest_url", c.exchange.rest_url, live, false);
  if (ws) check_url(ws, "exchange.ws_url", c.exchange.ws_url, live, true);
  if (mode == 0 && (rest || ws)) {
    warnings_.push_back(file_ + ": exchange.rest_url/ws_url are ignored in paper mode (the embedded bpsim is used)");
  }
}

void Loader::read_paper(Section& s, Config& c) {
  s.string("sim_config", c.paper.sim_config);
  s.duration("duration_seconds", kUsPerSecond, c.paper.duration_us, between("0", "31536000", "(0 = until stopped)"));
  s.port("port", c.paper.port, 0);
}

void Loader::read_risk(Section& s, Config& c) {
  auto& r = c.risk;
  s.decimal("max_position_usd", r.max_position_usd, above("0"));
  s.decimal("max_total_exposure_usd", r.max_total_exposure_usd, above("0"));
  s.decimal("max_daily_loss_usd", r.max_daily_loss_usd, above("0"));
  s.decimal("min_account_balance_usd", r.min_account_balance_usd, at_least("0"));
  s.duration("max_book_age_ms", kUsPerMs, r.max_book_age_us, between("1", "60000"));
  s.integer("max_orders_per_minute", r.max_orders_per_minute, 1, 2000);
  s.decimal("margin_headroom", r.margin_headroom, above_upto("0", "1", "(fraction of equity)"));
  s.decimal("max_unhedged_usd", r.max_unhedged_usd, at_least("0"));
}

void Loader::read_strategy(Section& s, Config& c) {
  auto& st = c.strategy;
  // Thresholds above 10 % are almost certainly percentages typed as fractions (0.2 meant as 0.2 %).
  s.decimal("min_spread_threshold", st.min_spread_threshold, between("0", "0.1", kFractionNote));
  s.decimal("min_execution_threshold", st.min_execution_threshold, above_upto("0", "0.1", kFractionNote));
  s.decimal("large_spread_threshold", st.large_spread_threshold, above_upto("0", "0.1", kFractionNote));
  s.decimal("position_size_usd", st.position_size_usd, above("0"));
  s.decimal("confidence_threshold", st.confidence_threshold, between("0", "1"));
  s.decimal("min_closing_spread", st.min_closing_spread, between("-0.1", "0.1", kFractionNote));
  s.decimal("take_profit_usd", st.take_profit_usd, at_least("0", "(0 = disabled)"));
  s.decimal("take_profit_fraction", st.take_profit_fraction, between("0", "1", "(0 = disabled)"));
  s.duration("max_holding_hours", kUsPerHour, st.max_holding_us, above_upto("0", "8760"));
  s.decimal("funding_against_limit", st.funding_against_limit, between("0", "0.1", kFractionNote));
  s.duration("opening_delay_seconds", kUsPerSecond, st.opening_delay_us, between("0", "86400"));
  s.integer("max_open_positions", st.max_open_positions, 1, 100);
  s.boolean("allow_spot_borrow", st.allow_spot_borrow);
  s.duration("expected_holding_hours", kUsPerHour, st.expected_holding_us, above_upto("0", "8760"));
  s.decimal("slippage_allowance", st.slippage_allowance, between("0", "0.1", kFractionNote));
  s.decimal("liquidity_buffer", st.liquidity_buffer, between("1", "1000", "(size <= depth / buffer)"));
  s.duration("stats_interval_seconds", kUsPerSecond, st.stats_interval_us, between("1", "86400"));
  s.duration("tick_ms", kUsPerMs, st.tick_us, between("10", "1000"));
}

void Loader::read_execution(Section& s, Config& c) {
  auto& e = c.execution;
  s.boolean("use_maker_for_large_spreads", e.use_maker_for_large_spreads);
  s.duration("order_timeout_seconds", kUsPerSecond, e.order_timeout_us, above_upto("0", "3600"));
  s.boolean("fallback_to_taker", e.fallback_to_taker);
  s.decimal("spot_market_slippage_buffer", e.spot_market_slippage_buffer, between("0", "0.1", kFractionNote));
  s.decimal("perpetual_market_slippage_buffer", e.perpetual_market_slippage_buffer, between("0", "0.1", kFractionNote));
  s.duration("hedge_deadline_seconds", kUsPerSecond, e.hedge_deadline_us, above_upto("0", "300"));
  s.decimal("maker_reprice_bps", e.maker_reprice_bps, between("0", "1000"));
  s.integer("request_window_ms", e.request_window_ms, 1, 60000);
}

void Loader::read_logging(Section& s, Config& c) {
  auto& g = c.logging;
  s.string("file", g.file);
  const int lvl = s.choice("level", {"trace", "debug", "info", "warn", "error", "critical", "off"}, false);
  if (lvl >= 0) g.level = static_cast<LogLevel>(lvl);
  s.integer("max_size_mb", g.max_size_mb, 1, 10240);
  s.integer("max_files", g.max_files, 1, 1000);
  s.boolean("console", g.console);
  const int console_lvl =
      s.choice("console_level", {"trace", "debug", "info", "warn", "error", "critical", "off"}, false);
  if (console_lvl >= 0) g.console_level = static_cast<LogLevel>(console_lvl);
  s.integer("flush_interval_seconds", g.flush_interval_seconds, 1, 60);
}

void Loader::read_journal(Section& s, Config& c) {
  s.boolean("enabled", c.journal.enabled);
  s.string("path", c.journal.path);
}

void Loader::read_recovery(Section& s, Config& c) {
  const int p = s.choice("unexplained_positions", {"refuse", "flag", "adopt"}, false);
  if (p >= 0) c.recovery.unexplained_positions = static_cast<UnexplainedPolicy>(p);
}

void Loader::read_shutdown(Section& s, Config& c) {
  s.boolean("flatten_on_shutdown", c.shutdown.flatten_on_shutdown);
  s.duration("timeout_seconds", kUsPerSecond, c.shutdown.timeout_us, between("1", "600"));
}

void Loader::read_backtest(Section& s, Config& c) {
  BacktestConfig& b = c.backtest;
  s.integer("order_latency_ms", b.order_latency_ms, 0, 60'000);
  s.integer("response_latency_ms", b.response_latency_ms, 0, 60'000);
  if (const toml::node* n = s.get("latency_samples_ms")) {
    const auto* arr = n->as_array();
    const std::string k = s.key_path("latency_samples_ms");
    if (arr == nullptr) {
      issue_at(n, k + ": wrong type, got " + describe(*n) +
                      "; allowed: an array of integers from 0 to 60000, e.g. [2, 5, 40]");
    } else {
      b.latency_samples_ms.clear();
      for (const toml::node& e : *arr) {
        const auto* i = e.as_integer();
        if (i == nullptr || i->get() < 0 || i->get() > 60'000) {
          issue_at(&e, k + ": element " + value_text(e) + " is not allowed; allowed: integers from 0 to 60000");
          b.latency_samples_ms.clear();
          break;
        }
        b.latency_samples_ms.push_back(i->get());
      }
    }
  }
  s.integer("seed", b.seed, 0, std::numeric_limits<std::int64_t>::max());
  const int m = s.choice("markets", {"sim_config", "binance_stand_in"}, false);
  if (m >= 0) b.markets = m == 0 ? "sim_config" : "binance_stand_in";
  s.decimal("spot_maker_fee_bps", b.spot_maker_fee_bps, between("-100", "1000"));
  s.decimal("spot_taker_fee_bps", b.spot_taker_fee_bps, between("0", "1000"));
  s.decimal("perp_maker_fee_bps", b.perp_maker_fee_bps, between("-100", "1000"));
  s.decimal("perp_taker_fee_bps", b.perp_taker_fee_bps, between("0", "1000"));
  s.decimal("quote_balance_usd", b.quote_balance_usd, above_upto("0", "1000000000"));
  s.decimal("base_inventory_usd", b.base_inventory_usd, between("0", "1000000000"));
  s.integer("sample_interval_seconds", b.sample_interval_seconds, 1, 86'400);
  s.boolean("queue_model", b.queue_model);
}

void Loader::read_service(Section& s, Config& c) {
  s.boolean("enabled", c.service.enabled);
  if (const toml::node* n = s.string("address", c.service.address)) {
    unsigned char buf[16];
    const bool v4 = inet_pton(AF_INET, c.service.address.c_str(), buf) == 1;
    const bool v6 = inet_pton(AF_INET6, c.service.address.c_str(), buf) == 1;
    if (!v4 && !v6) {
      issue_at(n, "service.address: " + quote(c.service.address) +
                      " is not an IP address; allowed: an IPv4/IPv6 literal such as \"127.0.0.1\"");
    } else if (c.service.address.rfind("127.", 0) != 0 && c.service.address != "::1") {
      warnings_.push_back(file_ + ": service.address " + c.service.address +
                          " exposes the status/metrics endpoint beyond this host");
    }
  }
  s.port("port", c.service.port, 1);
  if (c.service.enabled)
    warnings_.push_back(file_ + ": [service] is accepted but not served by this version (nothing listens on " +
                        c.service.address + ":" + std::to_string(c.service.port) + ")");
}

bool Loader::read_pair_base(const toml::node& n, const std::string& path, std::string& out) {
  const auto* s = n.as_string();
  if (s == nullptr) {
    issue_at(&n, path + ": wrong type, got " + describe(n) + "; allowed: a coin symbol string such as \"SOL\"");
    return false;
  }
  const std::string& v = s->get();
  const bool ok = !v.empty() && v.size() <= 20 && std::all_of(v.begin(), v.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
  });
  if (!ok) {
    std::string upper = v;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const bool fixable = !upper.empty() && upper.size() <= 20 && std::all_of(upper.begin(), upper.end(), [](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    });
    issue_at(&n, path + ": " + quote(v) + " is not a valid base coin" +
                     (fixable ? " (did you mean \"" + upper + "\"?)" : "") +
                     "; allowed: 1-20 upper-case letters/digits such as \"SOL\"");
    return false;
  }
  out = v;
  return true;
}

void Loader::check_pair_symbol(const toml::node* n, const std::string& key_path, const std::string& value,
                               const std::string& expected, const char* what) {
  if (value == expected) return;
  // Why so strict: the perp must be the same coin in USDC (perps settle in USDC); perps on a
  // multiplied base such as kBONK_USDC_PERP (= 1000 BONK) would need a contract multiplier.
  issue_at(n, key_path + ": " + quote(value) + " is not a valid " + what + " symbol for this pair; allowed: \"" +
                  expected + "\" (the pair's base coin against USDC)");
}

void Loader::read_pairs(const toml::table& root, Config& c) {
  const toml::node* n = root.get("pairs");
  if (n == nullptr || refused_.count(n)) return;  // defaults
  const auto* arr = n->as_array();
  const std::string example = " (e.g. pairs = [\"SOL\", \"BTC\"] or [[pairs]] tables with base/spot/perp/enabled)";
  if (arr == nullptr) {
    issue_at(n, "pairs: wrong type, got " + describe(*n) + "; allowed: an array" + example);
    return;
  }
  if (arr->empty()) {
    issue_at(n, "pairs: the list is empty; allowed: at least one pair" + example);
    return;
  }
  std::vector<PairConfig> out;
  std::map<std::string, std::string> seen;  // base → first path
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    const std::string path = "pairs[" + std::to_string(i) + "]";
    PairConfig p;
    const toml::node* where = &e;
    if (e.is_string()) {
      if (!read_pair_base(e, path, p.base)) continue;
      p.spot_symbol = p.base + "_USDC";
      p.perp_symbol = p.base + "_USDC_PERP";
    } else if (const auto* t = e.as_table()) {
      sections_.push_back(std::make_unique<Section>(*this, path, "pairs", t));
      Section& s = *sections_.back();
      const toml::node* b = s.get("base");
      if (b == nullptr) {
        if (!(t->get("base") != nullptr && refused_.count(t->get("base")))) {
          issue(&t->source(), path + ".base: missing required key; allowed: a coin symbol string such as \"SOL\"");
        }
        s.get("spot");
        s.get("perp");
        s.get("enabled");
        continue;
      }
      where = b;
      bool ok = read_pair_base(*b, path + ".base", p.base);
      const toml::node* spot = s.string("spot", p.spot_symbol);
      const toml::node* perp = s.string("perp", p.perp_symbol);
      s.boolean("enabled", p.enabled);
      if (!ok) continue;
      if (spot == nullptr) p.spot_symbol = p.base + "_USDC";
      if (perp == nullptr) p.perp_symbol = p.base + "_USDC_PERP";
      if (spot) check_pair_symbol(spot, path + ".spot", p.spot_symbol, p.base + "_USDC", "spot");
      if (perp) check_pair_symbol(perp, path + ".perp", p.perp_symbol, p.base + "_USDC_PERP", "perpetual");
    } else {
      issue_at(&e, path + ": wrong type, got " + describe(e) + "; allowed: a coin symbol string or a table" + example);
      continue;
    }
    auto [it, inserted] = seen.emplace(p.base, path);
    if (!inserted) {
      issue_at(where, path + ": duplicate pair " + quote(p.base) + " (already defined by " + it->second +
                          "); allowed: each base coin once");
      continue;
    }
    out.push_back(std::move(p));
  }
  c.pairs = std::move(out);
}

void Loader::check_consistency(const Config& c) {
  const auto at = [&](const std::string& key) -> const toml::node* {
    auto it = nodes_.find(key);
    return it == nodes_.end() ? nullptr : it->second;
  };
  // "0.002", or "0.002 (default)" when the key is not in the file, so the user sees which side to edit.
  const auto val = [&](const std::string& key, const std::string& text) {
    return at(key) ? text : text + " (default)";
  };
  const auto hours = [](DurationUs us) { return Decimal::from_raw(us * 10 / 36).str(); };  // µs → h at 1e-9
  // A rule involving a value that was already reported would only repeat that problem. The position
  // is that of the first key of the message if it is written in the file, else of the other one.
  const auto conflict = [&](const std::string& a, const std::string& b, const std::string& text) {
    if (bad_nodes_.count(at(a)) || bad_nodes_.count(at(b))) return;
    issue_at(at(a) ? at(a) : at(b), text);
  };
  const auto& st = c.strategy;
  const auto& r = c.risk;
  const std::string exe = "strategy.min_execution_threshold", spr = "strategy.min_spread_threshold",
                    lrg = "strategy.large_spread_threshold", psz = "strategy.position_size_usd",
                    mpos = "risk.max_position_usd", tot = "risk.max_total_exposure_usd",
                    exph = "strategy.expected_holding_hours", maxh = "strategy.max_holding_hours",
                    opm = "risk.max_orders_per_minute", rpm = "exchange.max_requests_per_minute";
  if (st.min_execution_threshold < st.min_spread_threshold) {
    conflict(
        exe, spr,
        exe + ": " + val(exe, st.min_execution_threshold.str()) + " is below " + spr + " " +
            val(spr, st.min_spread_threshold.str()) +
            "; allowed: min_execution_threshold >= min_spread_threshold (every tradeable spread is an opportunity)");
  }
  if (st.large_spread_threshold < st.min_execution_threshold) {
    conflict(lrg, exe,
             lrg + ": " + val(lrg, st.large_spread_threshold.str()) + " is below " + exe + " " +
                 val(exe, st.min_execution_threshold.str()) +
                 "; allowed: large_spread_threshold >= min_execution_threshold");
  }
  // No cross-check of min_closing_spread against the entry thresholds: the entry's expected net already
  // subtracts min_closing_spread as the exit basis it will pay back, so a tradeable entry's spread is
  // always above it and a new position cannot close at once.
  if (st.position_size_usd > r.max_position_usd) {
    conflict(psz, mpos,
             psz + ": " + val(psz, st.position_size_usd.str()) + " exceeds " + mpos + " " +
                 val(mpos, r.max_position_usd.str()) + "; allowed: position_size_usd <= max_position_usd");
  }
  if (r.max_position_usd > r.max_total_exposure_usd) {
    conflict(mpos, tot,
             mpos + ": " + val(mpos, r.max_position_usd.str()) + " exceeds " + tot + " " +
                 val(tot, r.max_total_exposure_usd.str()) + "; allowed: max_position_usd <= max_total_exposure_usd");
  }
  if (st.expected_holding_us > st.max_holding_us) {
    conflict(exph, maxh,
             exph + ": " + val(exph, hours(st.expected_holding_us)) + " exceeds " + maxh + " " +
                 val(maxh, hours(st.max_holding_us)) + "; allowed: expected_holding_hours <= max_holding_hours");
  }
  if (r.max_orders_per_minute > c.exchange.max_requests_per_minute) {
    conflict(opm, rpm,
             opm + ": " + val(opm, std::to_string(r.max_orders_per_minute)) + " exceeds " + rpm + " " +
                 val(rpm, std::to_string(c.exchange.max_requests_per_minute)) +
                 "; allowed: max_orders_per_minute <= max_requests_per_minute (every order is a request)");
  }
  if (!c.pairs.empty() && c.enabled_pair_count() == 0) {
    issue_at(at("pairs"), "pairs: every pair is disabled; allowed: at least one pair with enabled = true");
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

Config Loader::load(const toml::table& root) {
  Config c;
  c.source_path = file_;
  refuse_secrets(root, "");
  read_exchange(section(root, "exchange"), c);
  read_paper(section(root, "paper"), c);
  read_risk(section(root, "risk"), c);
  read_strategy(section(root, "strategy"), c);
  read_execution(section(root, "execution"), c);
  read_pairs(root, c);
  read_logging(section(root, "logging"), c);
  read_journal(section(root, "journal"), c);
  read_service(section(root, "service"), c);
  read_backtest(section(root, "backtest"), c);
  read_recovery(section(root, "recovery"), c);
  read_shutdown(section(root, "shutdown"), c);
  if (const auto* p = root.get("pairs")) nodes_["pairs"] = p;
  report_unknown(root);
  check_consistency(c);
  if (issues_.empty() && c.exchange.mode == Mode::kPaper) {
    std::error_code ec;
    if (!std::filesystem::exists(c.paper.sim_config, ec)) {
      warnings_.push_back(file_ + ": paper.sim_config " + quote(c.paper.sim_config) +
                          " does not exist (relative to the working directory " +
                          std::filesystem::current_path(ec).string() + "); paper mode will fail to start");
    }
  }
  c.warnings = warnings_;
  return c;
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

Config parse_impl(std::string_view text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(name, {name + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                             ": TOML syntax error: " + std::string(e.description())});
  }
  Loader l(name);
  Config c = l.load(root);
  if (l.has_issues()) throw ConfigError(name, l.messages());
  return c;
}

std::string changed(const char* key, const std::string& a, const std::string& b) {
  return std::string(key) + ": " + a + " -> " + b;
}

std::string pairs_text(const std::vector<PairConfig>& ps) {
  std::string out;
  for (const auto& p : ps) {
    if (!out.empty()) out += ",";
    out += p.spot_symbol + "/" + p.perp_symbol + (p.enabled ? "" : "(disabled)");
  }
  return "[" + out + "]";
}

}  // namespace

Config parse_config_string(std::string_view toml_text, const std::string& source_name) {
  return parse_impl(toml_text, source_name);
}

Config load_config(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, {path + ": is a directory; allowed: a TOML file such as config/bparb.toml"});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw ConfigError(path, {path + ": cannot open config file: " + std::system_category().message(err)});
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_impl(ss.str(), path);
}

std::vector<std::string> validate_config_file(const std::string& path) {
  try {
    (void)load_config(path);
    return {};
  } catch (const ConfigError& e) {
    return e.errors();
  } catch (const std::exception& e) {
    return {path + ": " + e.what()};
  }
}

std::vector<std::string> restart_required_changes(const Config& a, const Config& b) {
  std::vector<std::string> out;
  if (a.exchange.mode != b.exchange.mode) {
    out.push_back(
        changed("exchange.mode", std::string(mode_name(a.exchange.mode)), std::string(mode_name(b.exchange.mode))));
  }
  if (a.exchange.rest_url != b.exchange.rest_url)
    out.push_back(changed("exchange.rest_url", a.exchange.rest_url, b.exchange.rest_url));
  if (a.exchange.ws_url != b.exchange.ws_url)
    out.push_back(changed("exchange.ws_url", a.exchange.ws_url, b.exchange.ws_url));
  if (a.exchange.env_file != b.exchange.env_file)
    out.push_back(changed("exchange.env_file", a.exchange.env_file, b.exchange.env_file));
  const auto seconds = [](DurationUs us) { return std::to_string(us / kUsPerSecond); };
  const std::pair<const char*, DurationUs ExchangeConfig::*> cadences[] = {
      {"exchange.account_poll_seconds", &ExchangeConfig::account_poll_us},
      {"exchange.fills_reconcile_seconds", &ExchangeConfig::fills_reconcile_us},
      {"exchange.funding_poll_seconds", &ExchangeConfig::funding_poll_us}};
  for (const auto& [key, field] : cadences)
    if (a.exchange.*field != b.exchange.*field)
      out.push_back(changed(key, seconds(a.exchange.*field), seconds(b.exchange.*field)));
  if (a.paper.sim_config != b.paper.sim_config)
    out.push_back(changed("paper.sim_config", a.paper.sim_config, b.paper.sim_config));
  if (a.paper.port != b.paper.port) {
    out.push_back(changed("paper.port", std::to_string(a.paper.port), std::to_string(b.paper.port)));
  }
  if (pairs_text(a.pairs) != pairs_text(b.pairs))
    out.push_back(changed("pairs", pairs_text(a.pairs), pairs_text(b.pairs)));
  if (a.logging.file != b.logging.file) out.push_back(changed("logging.file", a.logging.file, b.logging.file));
  if (a.journal.enabled != b.journal.enabled || a.journal.path != b.journal.path) {
    out.push_back(changed("journal", (a.journal.enabled ? a.journal.path : "disabled"),
                          (b.journal.enabled ? b.journal.path : "disabled")));
  }
  if (a.service.enabled != b.service.enabled || a.service.address != b.service.address ||
      a.service.port != b.service.port) {
    const auto svc = [](const ServiceConfig& s) {
      return s.address + ":" + std::to_string(s.port) + (s.enabled ? "" : " (disabled)");
    };
    out.push_back(changed("service", svc(a.service), svc(b.service)));
  }
  return out;
}

}  // namespace bparb::app
