#pragma once
// Delivers alerts to the operator's sinks (webhook, Telegram, Discord) without ever holding up trading.
//
// - notify() only checks the sink's event mask and appends to that sink's bounded queue (drop-oldest,
//   counted, logged once per burst); the send step runs from a handler posted to the io_context, so the
//   payload is built and the request issued after the caller's (engine) call has returned.
// - One request in flight per sink. A transport error, a timeout or a 5xx is retried with exponential
//   back-off (capped) up to max_attempts; a 429 waits for its retry-after (capped); any other status is a
//   final failure. Counters per sink feed the status surface.
// - URLs and tokens are never logged: a sink is named by its kind and index.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bparb/alerts/alert.hpp"
#include "bparb/alerts/options.hpp"
#include "bparb/alerts/rate_trigger.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::alerts {

struct SinkCounters {
  std::uint64_t sent = 0;     // delivered (2xx)
  std::uint64_t failed = 0;   // given up on (attempts exhausted or a non-retryable answer)
  std::uint64_t dropped = 0;  // pushed out of a full queue
  std::uint64_t retries = 0;  // attempts after the first
};

// What the status surface shows per sink.
struct SinkStatus {
  std::string name;
  SinkCounters counters;
  std::size_t queued = 0;
};

// Lifetime totals the daily digest subtracts from each other (portfolio StrategyStats' money fields).
struct DigestTotals {
  Decimal realized_pnl;
  Decimal fees;
  Decimal funding;
  Decimal net;
  std::uint64_t opened = 0;
  std::uint64_t closed = 0;
};

class Alerter {
 public:
  // Throws std::invalid_argument when a sink's URL is malformed or refused by the transport rules.
  Alerter(boost::asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log, AlertsOptions opts);
  ~Alerter();
  Alerter(const Alerter&) = delete;
  Alerter& operator=(const Alerter&) = delete;

  // Whether any sink selected `e`: callers skip building the text when not.
  bool wants(AlertEvent e) const noexcept { return (mask_ & event_bit(e)) != 0; }
  // Queues the alert for every sink that selected its event. Never blocks, never throws on delivery.
  void notify(Alert a);
  void notify(AlertEvent e, Severity s, std::string text, std::vector<AlertField> fields = {});

  // Rate events: true when this hit completes a burst (and the alert was queued).
  // A rejection: counted always (no allocation); the text is built only when it completes a burst.
  bool reject_seen(std::string_view pair, std::string_view symbol, std::string_view code, std::string_view message);
  bool reconnect_seen(std::string_view detail);
  // Naked leg: called with the start of the current unhedged stretch (0 = hedged); alerts once per stretch.
  void unhedged_since(TimestampUs since_us);

  // Polls `since()` (the start of the current unhedged stretch, 0 = hedged) every `period` for naked_leg.
  void start_naked_leg_watch(std::function<TimestampUs()> since, DurationUs period = kUsPerSecond);
  // Sends a daily_digest at every 00:00 UTC with the difference of `totals()` since the previous one.
  void start_digest(std::function<DigestTotals()> totals);
  // The digest alert for the day that ended at `day_end_us` (also used by tests).
  Alert digest(TimestampUs day_end_us, const DigestTotals& now);

  // Runs the io_context until every queue is empty and nothing is in flight, or `limit` passed. For the
  // final `stop` alert after the daemon's loop ended. Returns true when everything was delivered or given up.
  bool drain(DurationUs limit);
  // Cancels timers and requests; queued alerts stay queued (counted by status()).
  void stop();

  std::vector<SinkStatus> status() const;
  const AlertsOptions& options() const noexcept { return opts_; }

 private:
  struct Sink;
  void pump(Sink& s);
  void on_result(Sink& s, int status, bool transport_ok, std::string_view retry_after_header, std::string_view body);
  void finish_front(Sink& s);
  void retry_later(Sink& s, DurationUs delay);
  void arm_digest();
  void arm_watch();

  boost::asio::io_context& io_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  AlertsOptions opts_;
  EventMask mask_ = 0;
  std::vector<std::unique_ptr<Sink>> sinks_;
  RateTrigger rejects_;
  RateTrigger reconnects_;
  TimestampUs naked_alerted_since_ = 0;
  std::function<DigestTotals()> digest_totals_;
  DigestTotals digest_prev_;
  struct Timer;
  std::unique_ptr<Timer> digest_timer_;
  std::function<TimestampUs()> naked_since_;
  DurationUs watch_period_us_ = kUsPerSecond;
  std::unique_ptr<Timer> watch_timer_;
  bool stopped_ = false;
  std::shared_ptr<bool> alive_;  // callbacks still queued on the io_context check it
};

}  // namespace bparb::alerts
