#pragma once
// The bytes each kind of sink receives for one Alert (docs/alerts.md shows them). Built on the alerter's
// send step, never on the order path.
#include <string>
#include <string_view>

#include "bparb/alerts/alert.hpp"
#include "bparb/alerts/options.hpp"

namespace bparb::alerts {

// JSON string contents: quotes, backslashes and control characters escaped; UTF-8 passes through.
void append_json_string(std::string& out, std::string_view s);

// {"event":"…","severity":"…","at":"2026-…Z","text":"…","fields":{"name":"value",…}}
std::string webhook_body(const Alert& a);
// The message text the chat sinks show: "[severity] event: text" and one "name: value" line per field.
std::string chat_text(const Alert& a);
// Bot API sendMessage as JSON: {"chat_id":"…","text":"…"}
std::string telegram_body(const Alert& a, std::string_view chat_id);
// {"content":"…"}, cut to Discord's 2000-character limit.
std::string discord_body(const Alert& a);

// The request target of a Telegram sendMessage call (holds the token: never logged).
std::string telegram_target(std::string_view token);

}  // namespace bparb::alerts
