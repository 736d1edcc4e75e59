#include "bparb/alerts/alert.hpp"

#include <cstdio>

#include "bparb/alerts/options.hpp"

namespace bparb::alerts {
namespace {

constexpr std::array<std::string_view, kAlertEventCount> kNames = {
    "start",           "stop",     "trading_state",           "leg_risk",         "naked_leg",    "stale_feed",
    "reconnect_storm", "rejects",  "reconciliation_mismatch", "config_reload",    "daily_digest", "fills",
    "mm_breaker",      "mm_hedge", "mm_inventory_cap",        "mm_quotes_stopped"};

}  // namespace

std::string_view alert_event_name(AlertEvent e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::optional<AlertEvent> parse_alert_event(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<AlertEvent>(i);
  return std::nullopt;
}

std::string alert_event_list() {
  std::string out;
  for (std::string_view n : kNames) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

EventMask default_events() noexcept {
  return ((EventMask{1} << kAlertEventCount) - 1) & ~event_bit(AlertEvent::kFills);
}

std::string_view severity_name(Severity s) noexcept {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::string_view sink_kind_name(SinkKind k) noexcept {
  switch (k) {
    case SinkKind::kWebhook:
      return "webhook";
    case SinkKind::kTelegram:
      return "telegram";
    case SinkKind::kDiscord:
      return "discord";
  }
  return "webhook";
}

// Days since 1970-01-01 to a proleptic Gregorian date (the well-known era-based conversion).
std::string utc_iso8601(TimestampUs t) {
  std::int64_t secs = t / kUsPerSecond;
  if (t % kUsPerSecond < 0) --secs;
  std::int64_t days = secs / 86'400;
  std::int64_t sod = secs % 86'400;
  if (sod < 0) {
    sod += 86'400;
    --days;
  }
  const std::int64_t z = days + 719'468;
  const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const std::int64_t doe = z - era * 146'097;
  const std::int64_t yoe = (doe - doe / 1'460 + doe / 36'524 - doe / 146'096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(sod / 3600),
                static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  return buf;
}

}  // namespace bparb::alerts
