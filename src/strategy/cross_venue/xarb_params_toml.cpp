// `[xarb]` table -> XarbParams. Numbers may be written as TOML integers, floats or strings ("2.5"); a float
// is read through its shortest round-trip text, so 0.4 means exactly 0.4.
#include "bparb/strategy/cross_venue/xarb_params_toml.hpp"

#include <algorithm>
#include <charconv>

#include "xarb_param_table.hpp"

namespace bparb {
namespace {

std::string at(std::string_view file, const toml::source_region& r) {
  std::string out(file);
  if (r.begin.line != 0) {
    out.append(":").append(std::to_string(r.begin.line));
    out.append(":").append(std::to_string(r.begin.column));
  }
  return out.append(": ");
}

std::string float_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return r.ec == std::errc() ? std::string(buf, r.ptr) : std::string();
}

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string \"" + std::string(n.as_string()->get()) + "\"";
    case toml::node_type::integer:
      return "integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point:
      return "float " + float_text(n.as_floating_point()->get());
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

// The number as written; empty when the node is not a number or a string.
std::string number_text(const toml::node& n) {
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return float_text(f->get());
  if (const auto* s = n.as_string()) return std::string(s->get());
  return {};
}

constexpr std::string_view kTierKey = "lighter_fee_tier";
constexpr std::string_view kMakerExitKey = "exit_as_maker";

}  // namespace

XarbParamsRead read_xarb_params(const toml::table& table, std::string_view file, std::string_view section) {
  XarbParamsRead out;
  const std::string prefix = std::string(section) + ".";
  std::vector<std::string_view> known;

  for (const xarb_detail::DecimalKey& k : xarb_detail::decimal_keys()) {
    known.emplace_back(k.name);
    const toml::node* n = table.get(k.name);
    if (n == nullptr) continue;
    const std::string where = at(file, n->source()) + prefix + k.name + ": ";
    const std::string text = number_text(*n);
    Decimal v;
    const DecimalParseError e = text.empty() ? DecimalParseError::kInvalid : Decimal::parse(text, v);
    if (text.empty()) {
      out.errors.push_back(where + "wrong type, got " + describe(*n) + "; allowed: a number in " + k.allowed());
    } else if (e == DecimalParseError::kTooPrecise) {
      out.errors.push_back(where + "got " + describe(*n) + ", more than 9 decimal places; allowed: " + k.allowed());
    } else if (e != DecimalParseError::kOk) {
      out.errors.push_back(where + "got " + describe(*n) + ", not a decimal number; allowed: " + k.allowed());
    } else if (!k.contains(v)) {
      out.errors.push_back(where + "got " + text + ", out of range; allowed: " + k.allowed());
    } else {
      out.params.*k.field = v;
    }
  }
  for (const xarb_detail::IntegerKey& k : xarb_detail::integer_keys()) {
    known.emplace_back(k.name);
    const toml::node* n = table.get(k.name);
    if (n == nullptr) continue;
    const std::string where = at(file, n->source()) + prefix + k.name + ": ";
    const auto* i = n->as_integer();
    if (i == nullptr) {
      out.errors.push_back(where + "wrong type, got " + describe(*n) + "; allowed: " + k.allowed());
    } else if (!k.contains(i->get())) {
      out.errors.push_back(where + "got " + std::to_string(i->get()) + ", out of range; allowed: " + k.allowed());
    } else {
      out.params.*k.field = i->get();
    }
  }
  known.push_back(kTierKey);
  if (const toml::node* n = table.get(kTierKey)) {
    const auto* s = n->as_string();
    if (s == nullptr || !parse_lighter_fee_tier(s->get(), out.params.lighter_fee_tier)) {
      out.errors.push_back(at(file, n->source()) + prefix + std::string(kTierKey) + ": got " + describe(*n) +
                           "; allowed: \"standard\" or \"premium\"");
    }
  }
  known.push_back(kMakerExitKey);
  if (const toml::node* n = table.get(kMakerExitKey)) {
    if (const auto* b = n->as_boolean()) {
      out.params.exit_as_maker = b->get();
    } else {
      out.errors.push_back(at(file, n->source()) + prefix + std::string(kMakerExitKey) + ": got " + describe(*n) +
                           "; allowed: true or false");
    }
  }
  if (out.errors.empty() && !xarb_detail::stale_penalty_can_apply(out.params)) {
    out.errors.push_back(std::string(file) + ": " + prefix +
                         "stale_after_ms: " + std::to_string(out.params.stale_after_ms) + " is above " + prefix +
                         "max_book_age_ms = " + std::to_string(out.params.max_book_age_ms) +
                         " (a book that old is refused before its staleness penalty applies); allowed: "
                         "stale_after_ms <= max_book_age_ms");
  }
  for (const auto& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    std::string msg = at(file, key.source()) + prefix + std::string(key.str()) + ": unknown key; allowed keys in [" +
                      std::string(section) + "]:";
    for (std::string_view k : known) msg.append(" ").append(k);
    out.errors.push_back(std::move(msg));
  }
  return out;
}

std::vector<std::string> xarb_param_keys() {
  std::vector<std::string> out;
  for (const xarb_detail::DecimalKey& k : xarb_detail::decimal_keys()) out.emplace_back(k.name);
  for (const xarb_detail::IntegerKey& k : xarb_detail::integer_keys()) out.emplace_back(k.name);
  out.emplace_back(kTierKey);
  out.emplace_back(kMakerExitKey);
  return out;
}

std::vector<std::pair<std::string, std::string>> xarb_param_values(const XarbParams& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const xarb_detail::DecimalKey& k : xarb_detail::decimal_keys()) out.emplace_back(k.name, (p.*k.field).str());
  for (const xarb_detail::IntegerKey& k : xarb_detail::integer_keys())
    out.emplace_back(k.name, std::to_string(p.*k.field));
  out.emplace_back(std::string(kTierKey), to_string(p.lighter_fee_tier));
  out.emplace_back(std::string(kMakerExitKey), p.exit_as_maker ? "true" : "false");
  return out;
}

}  // namespace bparb
