#pragma once
// `bparb status [--json] [--url URL | --config FILE]`: asks the running daemon's HTTP surface (docs/service.md)
// for /api/v1/status, /positions, /orders and /pnl and prints what an operator checks first: health per venue,
// trading state, positions, open orders, P&L today, this run and in total (the journal), the last risk refusal.
//
// Exit status: 0 the daemon is ready, 1 it cannot be reached (not running, service disabled, wrong port) or
// answered something that is not its status, 2 bad usage or config, 3 it answered but is not ready (starting,
// book not synced, ReduceOnly/Halted, shutting down: the reasons are printed).
#include <chrono>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bparb::net {
struct Url;
}

namespace bparb::app {

inline constexpr int kExitNotReady = 3;

// The three documents as the daemon served them.
struct StatusDocuments {
  std::string status, positions, orders, pnl;  // JSON bodies; the last three empty when not served
};

// Text for a terminal. False (with `why`) when `status` is not the daemon's status document.
bool print_status_text(std::ostream& out, const StatusDocuments& d, std::string_view url, std::string& why);
// The documents as one JSON object {"url":…,"status":…,"positions":…,"orders":…,"pnl":…}.
std::string status_json(const StatusDocuments& d, std::string_view url);
// Whether the status document says ready (false when it cannot be read).
bool status_ready(std::string_view status_json);

struct HttpAnswer {
  int status = 0;
  std::string body;
};
// One GET on a fresh connection, bounded by `timeout` overall; nullopt (with `why`) when no answer came.
// `bparb doctor` asks /healthz with it too.
std::optional<HttpAnswer> http_get(const net::Url& url, const std::string& target, std::chrono::milliseconds timeout,
                                   std::string& why);

int cmd_status(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
