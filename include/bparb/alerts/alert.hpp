#pragma once
// What the operator is told about: a closed list of events, each delivered to the sinks that selected it
// (docs/alerts.md). An Alert is the neutral form every sink's payload is built from.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"

namespace bparb::alerts {

enum class AlertEvent : std::uint8_t {
  kStart,
  kStop,
  kTradingState,            // ReduceOnly / Halted and back to Active
  kLegRisk,                 // the engine's leg-risk decisions (hedge, unwind, failure)
  kNakedLeg,                // unhedged exposure older than naked_leg_seconds
  kStaleFeed,               // the market-data stream went silent and was dropped
  kReconnectStorm,          // reconnect_storm_count reconnects within reconnect_storm_seconds
  kRejects,                 // rejects_count order rejections within rejects_seconds
  kReconciliationMismatch,  // the exchange and the books disagree
  kConfigReload,            // the result of a SIGHUP reload
  kDailyDigest,             // the UTC day's P&L split, sent at 00:00 UTC
  kFills,                   // every fill (off unless selected)
  // Single-order strategies (the market maker), per market:
  kMmBreaker,        // a breaker fired: its numbers and the cooldown
  kMmHedge,          // an inventory hedge was sent (reduce-only IOC)
  kMmInventoryCap,   // the position reached the inventory cap: the increasing side is not quoted
  kMmQuotesStopped,  // nothing is quoted: a breaker's cooldown or no usable equity
};
inline constexpr std::size_t kAlertEventCount = 16;

// "start", "trading_state", … — the names the config file uses.
std::string_view alert_event_name(AlertEvent e) noexcept;
std::optional<AlertEvent> parse_alert_event(std::string_view name) noexcept;
// "start, stop, …" for error messages.
std::string alert_event_list();

// A set of events as a bit mask (bit i = AlertEvent i).
using EventMask = std::uint32_t;
constexpr EventMask event_bit(AlertEvent e) noexcept {
  return EventMask{1} << static_cast<unsigned>(e);
}
// Every event except fills: what a sink gets when its `events` key is left out.
EventMask default_events() noexcept;

enum class Severity : std::uint8_t { kInfo, kWarning, kCritical };
std::string_view severity_name(Severity s) noexcept;  // "info" / "warning" / "critical"

struct AlertField {
  std::string name;
  std::string value;  // money as a decimal string, never a float
};

struct Alert {
  AlertEvent event = AlertEvent::kStart;
  Severity severity = Severity::kInfo;
  TimestampUs at_us = 0;
  std::string text;  // one human line
  std::vector<AlertField> fields;
};

// "2026-12-07T08:52:51Z": the UTC second `t` falls in.
std::string utc_iso8601(TimestampUs t);

}  // namespace bparb::alerts
