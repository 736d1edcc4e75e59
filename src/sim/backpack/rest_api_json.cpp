#include "bparb/sim/backpack/rest_api_json.hpp"

#include <cstdio>
#include <ctime>

#include "bparb/core/json_escape.hpp"

namespace bparb::sim {

// One escaper for all hand-written JSON (core/json_escape); bpsim passes bytes through as they came.
void json_escape_append(std::string& out, std::string_view s) {
  bparb::json_escape_append(out, s);
}

void JsonWriter::value_prefix() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    if (!first_[depth_]) out_ += ',';
    first_[depth_] = false;
  }
}

JsonWriter& JsonWriter::begin_object() {
  value_prefix();
  out_ += '{';
  ++depth_;
  first_[depth_] = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  value_prefix();
  out_ += '[';
  ++depth_;
  first_[depth_] = true;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  if (!first_[depth_]) out_ += ',';
  first_[depth_] = false;
  out_ += '"';
  json_escape_append(out_, k);
  out_ += "\":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::str(std::string_view v) {
  value_prefix();
  out_ += '"';
  json_escape_append(out_, v);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::dec(Decimal d) {
  value_prefix();
  char buf[Decimal::kMaxChars];
  std::size_t n = d.format(buf);
  out_ += '"';
  out_.append(buf, n);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::dec(const std::optional<Decimal>& d) {
  if (!d) return null();
  return dec(*d);
}

JsonWriter& JsonWriter::num(std::int64_t v) {
  value_prefix();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::unum(std::uint64_t v) {
  value_prefix();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::num_str(std::int64_t v) {
  value_prefix();
  out_ += '"';
  out_ += std::to_string(v);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::boolean(bool v) {
  value_prefix();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::boolean(const std::optional<bool>& v) {
  if (!v) return null();
  return boolean(*v);
}

JsonWriter& JsonWriter::null() {
  value_prefix();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  value_prefix();
  out_ += json;
  return *this;
}

namespace {
std::string iso_naive(std::int64_t ms, bool with_ms) {
  std::int64_t secs = ms / 1000;
  std::int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  if (with_ms) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(frac));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}
}  // namespace

std::string iso_naive_ms(std::int64_t ms) {
  return iso_naive(ms, true);
}
std::string iso_naive_s(std::int64_t ms) {
  return iso_naive(ms, false);
}

}  // namespace bparb::sim
