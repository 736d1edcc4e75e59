#include "bparb/service/control.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <utility>

#include "bparb/core/json_escape.hpp"

namespace bparb::service {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPrefix = "/api/v1/";
constexpr std::array<std::pair<std::string_view, ControlAction>, 5> kActions = {{
    {"pause", ControlAction::kPause},
    {"resume", ControlAction::kResume},
    {"cancel-all", ControlAction::kCancelAll},
    {"flatten", ControlAction::kFlatten},
    {"reload", ControlAction::kReload},
}};

std::array<unsigned char, 32> sha256(std::string_view s) {
  std::array<unsigned char, 32> d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Response json_answer(const Request& req, unsigned status, std::string_view action, bool ok, std::string_view text,
                     const JsonMembers* details) {
  std::string body = R"({"ok":)";
  body += ok ? "true" : "false";
  body += R"(,"action":")";
  body += action;
  body += '"';
  if (details != nullptr && !details->text().empty()) {
    body += ',';
    body += details->text();
  }
  body += ok ? R"(,"message":")" : R"(,"error":")";
  json_escape_append(body, text);
  body += "\"}\n";
  Response r{static_cast<http::status>(status), req.version()};
  r.set(http::field::content_type, "application/json");
  r.set(http::field::cache_control, "no-store");
  r.body() = std::move(body);
  r.keep_alive(req.keep_alive());
  r.prepare_payload();
  if (req.method() == http::verb::head) r.body().clear();  // (a 405) Content-Length stays that of the body
  return r;
}

// Nullopt when the body is the flatten confirmation, else what is wrong with it.
std::optional<std::string> flatten_body_problem(std::string_view body) {
  const std::string want = "the body must be the JSON object " + std::string(ControlHandler::kFlattenConfirm) +
                           " (nothing is closed without it)";
  if (trim(body).empty()) return "no body: " + want;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object obj;
  if (parser.parse(simdjson::padded_string(body)).get(root) != simdjson::SUCCESS ||
      root.get_object().get(obj) != simdjson::SUCCESS)
    return "not a JSON object: " + want;
  bool confirmed = false;
  for (const auto field : obj) {
    std::string_view v;
    if (field.key != "confirm") return "unknown member \"" + std::string(field.key) + "\": " + want;
    if (field.value.get_string().get(v) != simdjson::SUCCESS || v != "flatten")
      return "confirm is not \"flatten\": " + want;
    confirmed = true;
  }
  if (!confirmed) return "no confirm member: " + want;
  return std::nullopt;
}

}  // namespace

std::string_view control_action_name(ControlAction a) noexcept {
  for (const auto& [name, action] : kActions)
    if (action == a) return name;
  return "?";
}

std::optional<ControlAction> control_action_of(std::string_view target) noexcept {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view name = path.substr(kPrefix.size());
  for (const auto& [n, action] : kActions)
    if (n == name) return action;
  return std::nullopt;
}

// ---------------------------------------------------------------- JsonMembers

void JsonMembers::key(std::string_view k) {
  if (!text_.empty()) text_ += ',';
  text_ += '"';
  text_ += k;
  text_ += "\":";
}

JsonMembers& JsonMembers::str(std::string_view k, std::string_view value) {
  key(k);
  text_ += '"';
  json_escape_append(text_, value);
  text_ += '"';
  return *this;
}

JsonMembers& JsonMembers::num(std::string_view k, std::uint64_t value) {
  key(k);
  text_ += std::to_string(value);
  return *this;
}

JsonMembers& JsonMembers::boolean(std::string_view k, bool value) {
  key(k);
  text_ += value ? "true" : "false";
  return *this;
}

JsonMembers& JsonMembers::list(std::string_view k, std::span<const std::string> values) {
  key(k);
  text_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text_ += ',';
    text_ += '"';
    json_escape_append(text_, values[i]);
    text_ += '"';
  }
  text_ += ']';
  return *this;
}

// ---------------------------------------------------------------- ControlHandler

ControlHandler::ControlHandler(std::string_view token, ControlTarget& target, std::shared_ptr<spdlog::logger> log)
    : enabled_(!token.empty()), target_(target), log_(std::move(log)) {
  if (enabled_) token_sha256_ = sha256(token);
}

bool ControlHandler::authorized(const Request& req) const {
  const auto h = req.find(http::field::authorization);
  if (h == req.end()) return false;
  const std::string_view value = trim(std::string_view(h->value().data(), h->value().size()));
  constexpr std::string_view kScheme = "Bearer";
  if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t'))
    return false;
  const std::string_view given = trim(value.substr(kScheme.size()));
  // Digests of equal length, compared in constant time: the time taken says nothing about the token.
  const std::array<unsigned char, 32> d = sha256(given);
  return CRYPTO_memcmp(d.data(), token_sha256_.data(), d.size()) == 0;
}

void ControlHandler::log_refusal(ControlAction a, unsigned status, std::string_view why, TimestampUs now) {
  // A client without the token may repeat itself at the server's request-rate bound: one line a second.
  if (last_refusal_log_us_ != 0 && now - last_refusal_log_us_ < kUsPerSecond) {
    ++refusals_unlogged_;
    return;
  }
  if (refusals_unlogged_ > 0)
    log_->warn("Control: {} refused ({}): {} ({} more refusal(s) not logged in the last second)",
               control_action_name(a), status, why, refusals_unlogged_);
  else
    log_->warn("Control: {} refused ({}): {}", control_action_name(a), status, why);
  last_refusal_log_us_ = now;
  refusals_unlogged_ = 0;
}

Response ControlHandler::handle(const Request& req, TimestampUs now) {
  const std::optional<ControlAction> found =
      control_action_of(std::string_view(req.target().data(), req.target().size()));
  if (!found) return json_answer(req, 404, "", false, "not a control action", nullptr);
  const ControlAction a = *found;
  const std::string_view name = control_action_name(a);
  if (req.method() != http::verb::post) {
    Response r = json_answer(req, 405, name, false, "control actions take POST", nullptr);
    r.set(http::field::allow, "POST");
    return r;
  }
  if (!enabled_) {
    constexpr std::string_view kWhy =
        "control is disabled: set BPARB_CONTROL_TOKEN in the daemon's environment or .env and restart";
    log_refusal(a, 403, kWhy, now);
    return json_answer(req, 403, name, false, kWhy, nullptr);
  }
  if (!authorized(req)) {
    constexpr std::string_view kWhy = "missing or wrong bearer token (Authorization: Bearer <BPARB_CONTROL_TOKEN>)";
    log_refusal(a, 401, kWhy, now);
    Response r = json_answer(req, 401, name, false, kWhy, nullptr);
    r.set(http::field::www_authenticate, R"(Bearer realm="bparb control")");
    return r;
  }
  if (a == ControlAction::kFlatten) {
    if (auto problem = flatten_body_problem(req.body())) {
      log_->warn("Control: flatten refused (400): {}", *problem);
      return json_answer(req, 400, name, false, *problem, nullptr);
    }
  }
  ControlResult r;
  switch (a) {
    case ControlAction::kPause:
      r = target_.pause();
      break;
    case ControlAction::kResume:
      r = target_.resume();
      break;
    case ControlAction::kCancelAll:
      r = target_.cancel_all();
      break;
    case ControlAction::kFlatten:
      r = target_.flatten();
      break;
    case ControlAction::kReload:
      r = target_.reload();
      break;
  }
  if (r.ok())
    log_->info("Control: {} done: {}", name, r.message);
  else
    log_->warn("Control: {} refused ({}): {}", name, r.status, r.message);
  return json_answer(req, r.status, name, r.ok(), r.message, &r.details);
}

}  // namespace bparb::service
