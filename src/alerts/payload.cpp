#include "bparb/alerts/payload.hpp"

#include <cstdio>

namespace bparb::alerts {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

std::string webhook_body(const Alert& a) {
  std::string out = "{\"event\":";
  append_json_string(out, alert_event_name(a.event));
  out += ",\"severity\":";
  append_json_string(out, severity_name(a.severity));
  out += ",\"at\":";
  append_json_string(out, utc_iso8601(a.at_us));
  out += ",\"text\":";
  append_json_string(out, a.text);
  out += ",\"fields\":{";
  for (std::size_t i = 0; i < a.fields.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, a.fields[i].name);
    out += ':';
    append_json_string(out, a.fields[i].value);
  }
  out += "}}";
  return out;
}

std::string chat_text(const Alert& a) {
  std::string out = "[";
  out += severity_name(a.severity);
  out += "] ";
  out += alert_event_name(a.event);
  out += ": ";
  out += a.text;
  for (const AlertField& f : a.fields) {
    out += '\n';
    out += f.name;
    out += ": ";
    out += f.value;
  }
  return out;
}

std::string telegram_body(const Alert& a, std::string_view chat_id) {
  std::string out = "{\"chat_id\":";
  append_json_string(out, chat_id);
  out += ",\"text\":";
  std::string text = chat_text(a);
  if (text.size() > 4000) text.resize(4000);  // the Bot API refuses messages over 4096 characters
  append_json_string(out, text);
  out += '}';
  return out;
}

std::string discord_body(const Alert& a) {
  std::string text = chat_text(a);
  if (text.size() > 1900) text.resize(1900);  // Discord refuses content over 2000 characters
  std::string out = "{\"content\":";
  append_json_string(out, text);
  out += '}';
  return out;
}

std::string telegram_target(std::string_view token) {
  std::string t = "/bot";
  t += token;
  t += "/sendMessage";
  return t;
}

}  // namespace bparb::alerts
