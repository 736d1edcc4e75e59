#pragma once
// The reading and validation toolkit of bparb's config file, shared by the section readers
// (config_sections.cpp) and the loader's own checks (config_reader.cpp): a Section records every key it reads
// so that the rest can be reported as unknown with a suggestion; the Loader collects every problem with its
// position before failing (config.cpp says why). Private to src/app.
#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/app/config.hpp"

namespace bparb::app::config_detail {

inline Decimal dec(std::string_view s) {
  return Decimal::from_string(s);
}

// ---------------------------------------------------------------------------------------------------
// Small text helpers (config_reader.cpp).

std::string lower(std::string_view s);
// Optimal-string-alignment distance, case-insensitive: "max_positon_usd" → "max_position_usd" is 1.
std::size_t edit_distance(std::string_view a_in, std::string_view b_in);
// The closest candidate within a typo-sized distance, or empty.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// A pasted API key/secret is base64 of 32 or 64 bytes. Never echo such a value back.
bool looks_like_key_material(std::string_view s);
std::string quote(std::string_view s);
std::string double_text(double d);
// "string \"abc\"", "integer 5", "boolean true", "a table" — used in "got …".
std::string describe(const toml::node& n);
// A strategy reader's message without its file: ":LINE:COL: text" or ": text" -> text, the position in `line`/`col`
// (0 without one). config_mm.cpp.
std::string strip_position(const std::string& msg, std::uint32_t& line, std::uint32_t& col);
// Plain value text for range errors: "-5", "0.25", "\"abc\"".
std::string value_text(const toml::node& n);
// Names whose presence means someone put credentials into the config file.
bool is_secret_key_name(std::string_view key);

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

inline DecRange at_least(std::string_view lo, const char* note = nullptr) {
  return {dec(lo), true, std::nullopt, true, note};
}
inline DecRange above(std::string_view lo, const char* note = nullptr) {
  return {dec(lo), false, std::nullopt, true, note};
}
inline DecRange between(std::string_view lo, std::string_view hi, const char* note = nullptr) {
  return {dec(lo), true, dec(hi), true, note};
}
inline DecRange above_upto(std::string_view lo, std::string_view hi, const char* note = nullptr) {
  return {dec(lo), false, dec(hi), true, note};
}

inline constexpr const char* kFractionNote = "(a fraction: 0.002 means 0.2 %)";

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
  void read_venues(const toml::table& root, Config& c);
  void read_lighter_markets(Section& s, std::vector<std::string>& out);
  void read_lighter_key_pool(Section& s, LighterVenueConfig& v);
  void read_alerts(Section& s, Config& c);  // config_alerts.cpp
  void read_mm(Section& s, Config& c);      // config_mm.cpp
  void check_mm(const Config& c);           // config_mm.cpp: [strategy] kind against [mm]
  void read_xarb(Section& s, Config& c);    // config_xarb.cpp
  void check_xarb(const Config& c);         // config_xarb.cpp: [strategy] kind against [xarb], [venues.lighter]
  void read_alert_sink(const toml::node& n, std::size_t index, bool allow_insecure, alerts::SinkOptions& out);

  void read_mm_selector(Section& mm, Config& c);  // config_mm.cpp: [mm.selector], from read_mm

  void read_pairs(const toml::table& root, Config& c);
  bool read_pair_base(const toml::node& n, const std::string& path, std::string& out);
  void check_pair_symbol(const toml::node* n, const std::string& key_path, const std::string& value,
                         const std::string& expected, const char* what);
  void check_consistency(const Config& c);
  // `example`: the URL shown in messages (default: the Backpack one of the same kind).
  void check_url(const toml::node* n, const std::string& key, const std::string& url, bool live, bool ws,
                 std::string_view example = {});
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

}  // namespace bparb::app::config_detail
