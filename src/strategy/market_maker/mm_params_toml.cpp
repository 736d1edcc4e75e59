// `[mm]` table -> MmParams. Numbers may be written as TOML integers, floats or strings ("0.002"); a float
// is read through its shortest round-trip text, so 0.4 means exactly 0.4.
#include "bparb/strategy/market_maker/mm_params_toml.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <string>

#include "mm_param_table.hpp"

namespace bparb {
namespace {

std::string position(std::string_view file, const toml::node& n) {
  const toml::source_region& r = n.source();
  std::string out(file);
  if (r.begin.line != 0) {
    out.append(":").append(std::to_string(r.begin.line));
    out.append(":").append(std::to_string(r.begin.column));
  }
  return out.append(": ");
}

std::string key_position(std::string_view file, const toml::key& k) {
  const toml::source_region& r = k.source();
  std::string out(file);
  if (r.begin.line != 0) {
    out.append(":").append(std::to_string(r.begin.line));
    out.append(":").append(std::to_string(r.begin.column));
  }
  return out.append(": ");
}

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string \"" + std::string(n.as_string()->get()) + "\"";
    case toml::node_type::integer:
      return "integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: {
      char buf[64];
      const auto r = std::to_chars(buf, buf + sizeof buf, n.as_floating_point()->get());
      return "float " + std::string(buf, r.ptr);
    }
    case toml::node_type::boolean:
      return std::string("boolean ") + (n.as_boolean()->get() ? "true" : "false");
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date or time";
  }
}

// The number's text as written (float through its shortest round-trip form); empty when not a number.
std::string number_text(const toml::node& n) {
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, f->get(), std::chars_format::fixed);
    if (r.ec != std::errc()) return {};
    return std::string(buf, r.ptr);
  }
  if (const auto* s = n.as_string()) return std::string(s->get());
  return {};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

MmParamsRead read_mm_params(const toml::table& table, std::string_view file, std::string_view section) {
  MmParamsRead out;
  const std::string prefix = std::string(section) + ".";
  std::vector<std::string> known;

  for (const mm_detail::DecimalKey& k : mm_detail::decimal_keys()) {
    known.emplace_back(k.name);
    const toml::node* n = table.get(k.name);
    if (n == nullptr) continue;
    const std::string where = position(file, *n) + prefix + k.name + ": ";
    const std::string text = number_text(*n);
    Decimal v;
    const DecimalParseError e = text.empty() ? DecimalParseError::kInvalid : Decimal::parse(text, v);
    if (text.empty() && n->as_string() == nullptr) {
      out.errors.push_back(where + "wrong type, got " + describe(*n) + "; allowed: a number such as 0.4 or \"0.4\", " +
                           k.allowed());
    } else if (e == DecimalParseError::kTooPrecise) {
      out.errors.push_back(where + "got " + describe(*n) +
                           ", which has more than 9 decimal places; allowed: " + k.allowed());
    } else if (e != DecimalParseError::kOk) {
      out.errors.push_back(where + "got " + describe(*n) + ", which is not a decimal number; allowed: " + k.allowed());
    } else if (!k.contains(v)) {
      out.errors.push_back(where + text + " is out of range; allowed: " + k.allowed());
    } else {
      out.params.*k.field = v;
    }
  }
  for (const mm_detail::IntegerKey& k : mm_detail::integer_keys()) {
    known.emplace_back(k.name);
    const toml::node* n = table.get(k.name);
    if (n == nullptr) continue;
    const std::string where = position(file, *n) + prefix + k.name + ": ";
    const auto* i = n->as_integer();
    if (i == nullptr) {
      out.errors.push_back(where + "wrong type, got " + describe(*n) + "; allowed: " + k.allowed());
    } else if (!k.contains(i->get())) {
      out.errors.push_back(where + std::to_string(i->get()) + " is out of range; allowed: " + k.allowed());
    } else {
      out.params.*k.field = i->get();
    }
  }
  for (const auto& [key, node] : table) {
    const std::string_view name = key.str();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string best;
    const std::size_t limit = std::max<std::size_t>(2, name.size() / 4);  // typo-sized
    for (const std::string& k : known) {
      const std::size_t d = edit_distance(name, k);
      if (d <= limit && (best.empty() || d < edit_distance(name, best))) best = k;
    }
    std::string msg = key_position(file, key) + prefix + std::string(name) + ": unknown key";
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
    msg += "; allowed keys in [" + std::string(section) + "]:";
    for (const std::string& k : known) msg += " " + k;
    out.errors.push_back(std::move(msg));
  }
  if (out.errors.empty()) {
    std::vector<std::string> cross;
    mm_detail::cross_checks(out.params, std::string(section), cross);
    for (std::string& c : cross) out.errors.push_back(std::string(file) + ": " + std::move(c));
  }
  return out;
}

}  // namespace bparb
