#pragma once
// The alerter's settings as the [alerts] config section gives them (app/config_sections.cpp reads and
// validates them; docs/alerts.md documents them). Kept free of network types so the config stays light.
#include <cstdint>
#include <string>
#include <vector>

#include "bparb/alerts/alert.hpp"
#include "bparb/core/clock.hpp"

namespace bparb::alerts {

enum class SinkKind : std::uint8_t { kWebhook, kTelegram, kDiscord };
std::string_view sink_kind_name(SinkKind k) noexcept;  // "webhook" / "telegram" / "discord"

inline constexpr std::string_view kTelegramApiUrl = "https://api.telegram.org";

struct SinkOptions {
  SinkKind kind = SinkKind::kWebhook;
  std::string name;       // "webhook#0": how logs and counters name the sink (never its URL: it may hold a token)
  std::string url;        // webhook / discord: where to POST; telegram: the Bot API origin (tests point it home)
  std::string token_env;  // telegram: the environment / .env variable holding the bot token
  std::string token;      // telegram: resolved at start-up from token_env, never from the config file
  std::string chat_id;    // telegram
  EventMask events = 0;
};

struct AlertsOptions {
  std::vector<SinkOptions> sinks;  // empty = alerts off
  std::int64_t queue_size = 100;   // per sink; when full the oldest alert is dropped
  DurationUs timeout_us = 5 * kUsPerSecond;
  std::int64_t max_attempts = 5;  // per alert, the first try included
  DurationUs backoff_initial_us = 1 * kUsPerSecond;
  DurationUs backoff_max_us = 60 * kUsPerSecond;  // also the cap on a 429's retry-after
  DurationUs naked_leg_us = 10 * kUsPerSecond;
  std::int64_t reconnect_storm_count = 5;
  DurationUs reconnect_storm_window_us = 300 * kUsPerSecond;
  std::int64_t rejects_count = 10;
  DurationUs rejects_window_us = 60 * kUsPerSecond;
  // Plain http:// only for loopback receivers unless set (tests, a local relay).
  bool allow_insecure_http = false;

  bool enabled() const noexcept { return !sinks.empty(); }
};

}  // namespace bparb::alerts
