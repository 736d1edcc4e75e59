#pragma once
// The strict TOML reader behind load_sim_config (sim_config.cpp) and the Lighter venue section
// (sim_config_lighter.cpp): every getter range-checks its value, and every failure throws
// SimConfigError naming the file, the key in full, the bad value and what is allowed.
#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "bparb/core/decimal.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::sim::config_detail {

class Loader {
 public:
  // `base` prefixes every key in messages: "venues.alpha." when a venue's section is read.
  explicit Loader(std::string_view source, std::string_view base = {}) : src_(source), base_(base) {}

  [[noreturn]] void fail(std::string_view key, std::string_view value, std::string_view why) const {
    std::string m = src_ + ": " + base_ + std::string(key);
    if (!value.empty()) m += " = " + std::string(value);
    m += ": " + std::string(why);
    throw SimConfigError(m);
  }

  static std::string join(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
  }

  static std::string render(const toml::node& n) {
    std::ostringstream os;
    if (n.is_table()) return "{...}";
    if (n.is_array()) return "[...]";
    n.visit([&](auto&& v) { os << v; });
    return os.str();
  }

  void check_keys(const toml::table& t, std::string_view prefix,
                  std::initializer_list<std::string_view> allowed) const {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (auto a : allowed) ok = ok || k.str() == a;
      if (!ok) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(join(prefix, k.str()), {}, "unknown key (allowed here: " + list + ")");
      }
    }
  }

  const toml::table* table(const toml::table& t, std::string_view prefix, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(join(prefix, key), render(*n), "must be a table");
    return n->as_table();
  }

  std::optional<std::int64_t> get_int(const toml::table& t, std::string_view prefix, std::string_view key,
                                      std::int64_t lo, std::int64_t hi) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_integer())
      fail(join(prefix, key), render(*n),
           "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    const std::int64_t v = n->as_integer()->get();
    if (v < lo || v > hi)
      fail(join(prefix, key), std::to_string(v), "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }

  std::optional<double> get_double(const toml::table& t, std::string_view prefix, std::string_view key, double lo,
                                   double hi) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    double v = 0;
    if (n->is_floating_point()) {
      v = n->as_floating_point()->get();
    } else if (n->is_integer()) {
      v = static_cast<double>(n->as_integer()->get());
    } else {
      fail(join(prefix, key), render(*n), "must be a number");
    }
    if (!std::isfinite(v) || v < lo || v > hi) {
      fail(join(prefix, key), render(*n), "must be in [" + fmt_double(lo) + ", " + fmt_double(hi) + "]");
    }
    return v;
  }

  std::optional<bool> get_bool(const toml::table& t, std::string_view prefix, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_boolean()) fail(join(prefix, key), render(*n), "must be true or false");
    return n->as_boolean()->get();
  }

  std::optional<std::string> get_string(const toml::table& t, std::string_view prefix, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) fail(join(prefix, key), render(*n), "must be a string");
    return n->as_string()->get();
  }

  // Money and rates: a decimal STRING ("0.01") or an integer; floats are refused (inexact).
  Decimal decimal_of(const toml::node& n, std::string_view full_key, Decimal lo, Decimal hi,
                     bool lo_open = false) const {
    Decimal d;
    if (n.is_string()) {
      const std::string& s = n.as_string()->get();
      if (Decimal::parse(s, d) != DecimalParseError::kOk) fail(full_key, "\"" + s + "\"", "not a decimal number");
    } else if (n.is_integer()) {
      const std::int64_t v = n.as_integer()->get();
      if (v > 9'000'000'000 || v < -9'000'000'000) fail(full_key, std::to_string(v), "out of range");
      d = Decimal::from_int(v);
    } else {
      fail(full_key, render(n), "must be a decimal string such as \"0.01\" (floats are not exact)");
    }
    if (d < lo || d > hi || (lo_open && d == lo)) {
      fail(full_key, d.str(), std::string("must be in ") + (lo_open ? "(" : "[") + lo.str() + ", " + hi.str() + "]");
    }
    return d;
  }

  std::optional<Decimal> get_decimal(const toml::table& t, std::string_view prefix, std::string_view key, Decimal lo,
                                     Decimal hi, bool lo_open = false) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    return decimal_of(*n, join(prefix, key), lo, hi, lo_open);
  }

  static std::string fmt_double(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }

 private:
  std::string src_;
  std::string base_;
};

inline const Decimal kBig = Decimal::from_int(1'000'000'000);

// Refuses what a lighter venue cannot use (its own [[accounts]] and [faults], Backpack-only [server] keys)
// and requires its [lighter] table; called before the venue's sections are read.
void check_lighter_venue_sections(const Loader& V, const toml::table& venue);
// Reads [venues.NAME.lighter] of a venue whose protocol is lighter (`venue` is the [venues.NAME] table,
// `V` prefixes keys with "venues.NAME."), after the venue's other sections: fills `out` and fits the
// venue's Exchange to it (sim_config_lighter.cpp).
void load_lighter_venue(const Loader& V, const toml::table& venue, SimConfig& sim, LighterVenueConfig& out);

}  // namespace bparb::sim::config_detail
