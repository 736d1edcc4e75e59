// [alerts] and its [[alerts.sinks]]: docs/alerts.md documents the keys, config/bparb.toml shows them.
#include <algorithm>
#include <string>
#include <vector>

#include "bparb/alerts/alert.hpp"
#include "bparb/net/url.hpp"
#include "config_reader.hpp"

namespace bparb::app::config_detail {
namespace {

// An environment variable name as a shell writes it: BPARB_TELEGRAM_TOKEN.
bool is_env_name(std::string_view s) {
  if (s.empty() || s.size() > 128 || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; });
}

// "https://hooks.example.com/…": enough of a URL to recognise it, not its path (a Discord webhook's path
// is its token).
std::string url_shown(std::string_view url) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find_first_of("/?#", scheme == std::string_view::npos ? 0 : scheme + 3);
  if (path == std::string_view::npos) return quote(url);
  return quote(std::string(url.substr(0, path)) + "/…");
}

}  // namespace

void Loader::read_alerts(Section& s, Config& c) {
  alerts::AlertsOptions& a = c.alerts;
  s.integer("queue_size", a.queue_size, 1, 10'000);
  s.duration("timeout_ms", kUsPerMs, a.timeout_us, between("100", "60000"));
  s.integer("max_attempts", a.max_attempts, 1, 20);
  s.duration("backoff_initial_ms", kUsPerMs, a.backoff_initial_us, between("10", "60000"));
  s.duration("backoff_max_seconds", kUsPerSecond, a.backoff_max_us, between("1", "3600"));
  s.duration("naked_leg_seconds", kUsPerSecond, a.naked_leg_us, between("1", "86400"));
  s.integer("reconnect_storm_count", a.reconnect_storm_count, 2, 1'000);
  s.duration("reconnect_storm_seconds", kUsPerSecond, a.reconnect_storm_window_us, between("1", "86400"));
  s.integer("rejects_count", a.rejects_count, 1, 10'000);
  s.duration("rejects_seconds", kUsPerSecond, a.rejects_window_us, between("1", "86400"));
  s.boolean("allow_insecure_http", a.allow_insecure_http);
  if (a.backoff_initial_us > a.backoff_max_us) {
    issue_at(s.get("backoff_initial_ms"),
             "alerts.backoff_initial_ms: " + std::to_string(a.backoff_initial_us / kUsPerMs) +
                 " exceeds alerts.backoff_max_seconds (" + std::to_string(a.backoff_max_us / kUsPerSecond) +
                 " s); allowed: backoff_initial_ms <= backoff_max_seconds * 1000");
  }
  const toml::node* n = s.get("sinks");
  if (n == nullptr) return;
  const auto* arr = n->as_array();
  if (arr == nullptr) {
    issue_at(n, "alerts.sinks: wrong type, got " + describe(*n) +
                    "; allowed: an array of tables ([[alerts.sinks]] with kind = \"webhook\" | \"telegram\" | "
                    "\"discord\")");
    return;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    alerts::SinkOptions so;
    read_alert_sink(*arr->get(i), i, a.allow_insecure_http, so);
    if (!so.name.empty()) a.sinks.push_back(std::move(so));
  }
}

// Leaves `out.name` empty when the sink is unusable (its problems are reported).
void Loader::read_alert_sink(const toml::node& n, std::size_t index, bool allow_insecure, alerts::SinkOptions& out) {
  const std::string path = "alerts.sinks[" + std::to_string(index) + "]";
  const auto* t = n.as_table();
  if (t == nullptr) {
    issue_at(&n, path + ": wrong type, got " + describe(n) + "; allowed: a table ([[alerts.sinks]])");
    return;
  }
  sections_.push_back(std::make_unique<Section>(*this, path, "alerts.sinks", t));
  Section& s = *sections_.back();
  const std::size_t issues_before = issues_.size();
  const int kind = s.choice("kind", {"webhook", "telegram", "discord"}, /*required=*/true);
  const toml::node* url = s.string("url", out.url);
  const toml::node* token_env = s.string("token_env", out.token_env);
  for (const char* k : {"token", "bot_token"}) {
    if (const toml::node* tok = s.get(k)) {
      // The value is deliberately not shown: it is a credential.
      issue_at(tok, s.key_path(k) +
                        ": a bot token is not accepted in the config file (value not shown); put it in the "
                        "environment or the .env file and name the variable with token_env, e.g. token_env = "
                        "\"BPARB_TELEGRAM_TOKEN\"");
    }
  }
  const toml::node* chat = s.get("chat_id");
  if (chat != nullptr) {
    if (const auto* cs = chat->as_string(); cs != nullptr && !cs->get().empty()) {
      out.chat_id = cs->get();
    } else if (const auto* ci = chat->as_integer()) {
      out.chat_id = std::to_string(ci->get());  // group chats are negative numbers
    } else {
      issue_at(chat, path + ".chat_id: wrong type, got " + describe(*chat) +
                         "; allowed: the chat's numeric id (integer or string), e.g. -1001234567890");
    }
  }
  out.events = alerts::default_events();
  if (const toml::node* ev = s.get("events")) {
    const auto* ea = ev->as_array();
    const std::string allowed = "; allowed: an array of event names from: " + alerts::alert_event_list();
    if (ea == nullptr || ea->empty()) {
      issue_at(ev, path + ".events: " + (ea ? std::string("the list is empty") : "wrong type, got " + describe(*ev)) +
                       allowed);
    } else {
      out.events = 0;
      std::vector<std::string> names;
      for (std::size_t i = 0; i < alerts::kAlertEventCount; ++i)
        names.emplace_back(alerts::alert_event_name(static_cast<alerts::AlertEvent>(i)));
      for (const toml::node& e : *ea) {
        const auto* es = e.as_string();
        const auto parsed = es ? alerts::parse_alert_event(es->get()) : std::nullopt;
        if (!parsed) {
          const std::string hint = es ? closest(es->get(), names) : std::string();
          issue_at(&e, path + ".events: " + (es ? "unknown event " + quote(es->get()) : "got " + describe(e)) +
                           (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") + allowed);
          continue;
        }
        out.events |= alerts::event_bit(*parsed);
      }
    }
  }
  if (kind < 0) return;
  out.kind = static_cast<alerts::SinkKind>(kind);
  out.name = std::string(alerts::sink_kind_name(out.kind)) + "#" + std::to_string(index);
  const toml::node* where = t->get("kind");
  if (out.kind == alerts::SinkKind::kTelegram) {
    if (token_env == nullptr && t->get("token_env") == nullptr)
      issue_at(where, path +
                          ".token_env: missing required key for kind = \"telegram\"; allowed: the name of the "
                          "environment/.env variable holding the bot token, e.g. \"BPARB_TELEGRAM_TOKEN\"");
    if (token_env && !is_env_name(out.token_env))
      issue_at(token_env, path + ".token_env: " + quote(out.token_env) +
                              " is not a variable name; allowed: upper-case letters, digits and '_' such as "
                              "\"BPARB_TELEGRAM_TOKEN\"");
    if (chat == nullptr)
      issue_at(where, path +
                          ".chat_id: missing required key for kind = \"telegram\"; allowed: the chat's numeric "
                          "id, e.g. -1001234567890");
  } else {
    if (url == nullptr && t->get("url") == nullptr)
      issue_at(where, path + ".url: missing required key for kind = \"" +
                          std::string(alerts::sink_kind_name(out.kind)) + "\"; allowed: an https:// URL");
    if (token_env) issue_at(token_env, path + ".token_env: only for kind = \"telegram\"; allowed: remove it");
    if (chat) issue_at(chat, path + ".chat_id: only for kind = \"telegram\"; allowed: remove it");
  }
  if (url) {
    const auto u = net::parse_url(out.url);
    net::SecurityOptions sec;
    sec.allow_insecure_http = allow_insecure;
    if (!u || (u->scheme != net::Scheme::kHttp && u->scheme != net::Scheme::kHttps)) {
      issue_at(url, path + ".url: " + url_shown(out.url) + " is not an HTTP(S) URL; allowed: https://HOST[:PORT]/PATH");
    } else if (const std::string why = net::check_security(*u, sec); !why.empty()) {
      issue_at(url, path + ".url: " + url_shown(out.url) + " is refused (" + why +
                        "); allowed: https://, or http:// to a loopback receiver (or with alerts.allow_insecure_http "
                        "= true)");
    }
  }
  if (issues_.size() != issues_before) out.name.clear();
}

}  // namespace bparb::app::config_detail
