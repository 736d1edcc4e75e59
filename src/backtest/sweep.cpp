#include "bparb/backtest/sweep.hpp"

#include "bparb/core/decimal.hpp"

namespace bparb::backtest {
namespace {

bool is_plain_decimal(const std::string& s) {
  if (s.empty()) return false;
  std::size_t i = s[0] == '-' ? 1 : 0;
  bool digit = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digit = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit && s.back() != '.';
}

// "0.0010" -> "0.001", "2.000" -> "2": the value as written into the config and the report.
std::string canonical(Decimal d) {
  return d.str();
}

}  // namespace

bool parse_sweep_spec(const std::string& text, SweepSpec& out, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    error = "--sweep: expected key=from:to:step, got \"" + text + "\"";
    return false;
  }
  out.key = text.substr(0, eq);
  const bool allowed = out.key.rfind("strategy.", 0) == 0 || out.key.rfind("risk.", 0) == 0 ||
                       out.key.rfind("execution.", 0) == 0 || out.key.rfind("mm.", 0) == 0 ||
                       out.key.rfind("xarb.", 0) == 0;
  if (!allowed || out.key.find('.') == out.key.size() - 1 ||
      out.key.find('.', out.key.find('.') + 1) != std::string::npos) {
    error = "--sweep: key \"" + out.key +
            "\" is not allowed; allowed: strategy.<key>, risk.<key>, execution.<key>, mm.<key>, xarb.<key>";
    return false;
  }
  const std::string range = text.substr(eq + 1);
  const auto c1 = range.find(':');
  const auto c2 = c1 == std::string::npos ? std::string::npos : range.find(':', c1 + 1);
  if (c2 == std::string::npos || range.find(':', c2 + 1) != std::string::npos) {
    error = "--sweep " + out.key + ": expected from:to:step, got \"" + range + "\"";
    return false;
  }
  const std::string parts[3] = {range.substr(0, c1), range.substr(c1 + 1, c2 - c1 - 1), range.substr(c2 + 1)};
  Decimal v[3];
  const char* names[3] = {"from", "to", "step"};
  for (int i = 0; i < 3; ++i) {
    if (!is_plain_decimal(parts[i]) || Decimal::parse(parts[i], v[i]) != DecimalParseError::kOk) {
      error = "--sweep " + out.key + ": " + names[i] + " \"" + parts[i] +
              "\" is not a decimal number (at most 9 decimal places)";
      return false;
    }
  }
  if (!v[2].is_positive()) {
    error = "--sweep " + out.key + ": step must be > 0, got " + parts[2];
    return false;
  }
  if (v[0] > v[1]) {
    error = "--sweep " + out.key + ": from " + parts[0] + " is above to " + parts[1];
    return false;
  }
  out.values.clear();
  for (Decimal x = v[0]; x <= v[1]; x += v[2]) {
    if (out.values.size() == 1000) {
      error = "--sweep " + out.key + ": more than 1000 values; use a larger step";
      return false;
    }
    out.values.push_back(canonical(x));
  }
  return true;
}

}  // namespace bparb::backtest
