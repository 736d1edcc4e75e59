#include "bparb/alerts/alerter.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "bparb/alerts/payload.hpp"
#include "bparb/net/backoff.hpp"
#include "bparb/net/http_client.hpp"
#include "bparb/net/url.hpp"

namespace bparb::alerts {

namespace asio = boost::asio;

struct Alerter::Timer {
  explicit Timer(asio::io_context& io) : t(io) {}
  asio::steady_timer t;
};

struct Alerter::Sink {
  Sink(asio::io_context& io, SinkOptions o, const net::BackoffOptions& b) : opt(std::move(o)), backoff(b), retry(io) {}
  SinkOptions opt;
  std::unique_ptr<net::HttpClient> http;
  std::string target;
  std::deque<Alert> queue;
  bool busy = false;         // a request in flight or a retry waiting: the front of the queue is taken
  bool pump_posted = false;  // a send step is already posted
  bool dropping = false;     // inside a burst of drops (logged once)
  std::uint32_t attempts = 0;
  net::Backoff backoff;
  asio::steady_timer retry;
  SinkCounters counters;
};

namespace {

// Seconds of a Retry-After header, or of the Bot API's "retry_after" field; -1 when neither says.
std::int64_t retry_after_seconds(std::string_view header, std::string_view body) {
  const auto digits = [](std::string_view s) -> std::int64_t {
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    std::int64_t v = 0;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && v < 1'000'000) v = v * 10 + (s[i++] - '0');
    return i == start ? -1 : v;
  };
  if (!header.empty()) {
    if (const std::int64_t v = digits(header); v >= 0) return v;
  }
  constexpr std::string_view kKey = "\"retry_after\":";
  if (const std::size_t p = body.find(kKey); p != std::string_view::npos) return digits(body.substr(p + kKey.size()));
  return -1;
}

}  // namespace

Alerter::Alerter(asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log, AlertsOptions opts)
    : io_(io),
      clock_(clock),
      log_(std::move(log)),
      opts_(std::move(opts)),
      rejects_(opts_.rejects_count, opts_.rejects_window_us),
      reconnects_(opts_.reconnect_storm_count, opts_.reconnect_storm_window_us),
      digest_timer_(std::make_unique<Timer>(io)),
      watch_timer_(std::make_unique<Timer>(io)),
      alive_(std::make_shared<bool>(true)) {
  net::BackoffOptions b;
  b.initial_us = opts_.backoff_initial_us;
  b.max_us = opts_.backoff_max_us;
  b.multiplier = 2.0;
  b.jitter = 0.2;
  std::uint64_t seed = 0xa1e7;
  for (const SinkOptions& so : opts_.sinks) {
    b.seed = seed++;
    auto s = std::make_unique<Sink>(io, so, b);
    net::HttpClientOptions ho;
    ho.security.allow_insecure_http = opts_.allow_insecure_http;
    ho.max_connections = 1;
    ho.max_queued = 4;
    ho.default_timeout_us = opts_.timeout_us;
    ho.max_body_bytes = 1u << 20;
    ho.user_agent = "bparb-alerts/0.1";
    if (so.kind == SinkKind::kTelegram) {
      ho.base_url = so.url.empty() ? std::string(kTelegramApiUrl) : so.url;
      s->target = telegram_target(so.token);
    } else {
      auto u = net::parse_url(so.url);
      // The URL is not repeated: a Discord webhook URL carries its token.
      if (!u) throw std::invalid_argument("alerts: " + so.name + ": the URL is not valid: " + u.error());
      ho.base_url = so.url;
      s->target = u->target;
    }
    try {
      s->http = std::make_unique<net::HttpClient>(io, std::move(ho));
    } catch (const std::exception& e) {
      throw std::invalid_argument("alerts: " + so.name + ": " + e.what());
    }
    mask_ |= so.events;
    sinks_.push_back(std::move(s));
  }
}

Alerter::~Alerter() {
  *alive_ = false;
  stop();
}

void Alerter::notify(AlertEvent e, Severity s, std::string text, std::vector<AlertField> fields) {
  if (!wants(e)) return;
  Alert a;
  a.event = e;
  a.severity = s;
  a.at_us = clock_.now_us();
  a.text = std::move(text);
  a.fields = std::move(fields);
  notify(std::move(a));
}

void Alerter::notify(Alert a) {
  if (!wants(a.event) || stopped_) return;
  const std::size_t cap = static_cast<std::size_t>(opts_.queue_size);
  for (auto& sp : sinks_) {
    Sink& s = *sp;
    if ((s.opt.events & event_bit(a.event)) == 0) continue;
    if (s.queue.size() >= cap) {
      // Drop the oldest alert that is not being sent right now; with a queue of one that is the new one.
      const std::size_t victim = s.busy ? 1 : 0;
      ++s.counters.dropped;
      if (!s.dropping) {
        s.dropping = true;
        log_->warn("Alerts: {} queue full ({} alerts): dropping the oldest; further drops are counted until it drains",
                   s.opt.name, cap);
      }
      if (victim >= s.queue.size()) continue;
      s.queue.erase(s.queue.begin() + static_cast<std::ptrdiff_t>(victim));
    }
    s.queue.push_back(a);
    if (!s.busy && !s.pump_posted) {
      s.pump_posted = true;
      asio::post(io_, [this, &s, alive = std::weak_ptr<bool>(alive_)] {
        if (alive.expired()) return;
        s.pump_posted = false;
        pump(s);
      });
    }
  }
}

// The send step: builds the payload of the queue's front and issues the one request this sink may have.
void Alerter::pump(Sink& s) {
  if (stopped_ || s.busy || s.queue.empty()) return;
  s.busy = true;
  const Alert& a = s.queue.front();
  net::HttpRequest req;
  req.method = net::HttpMethod::kPost;
  req.target = s.target;
  req.content_type = "application/json";
  req.timeout_us = opts_.timeout_us;
  req.retry_safe = false;  // this sink retries by itself, counting attempts
  switch (s.opt.kind) {
    case SinkKind::kWebhook:
      req.body = webhook_body(a);
      break;
    case SinkKind::kTelegram:
      req.body = telegram_body(a, s.opt.chat_id);
      break;
    case SinkKind::kDiscord:
      req.body = discord_body(a);
      break;
  }
  if (++s.attempts > 1) ++s.counters.retries;
  s.http->request(std::move(req), [this, &s, alive = std::weak_ptr<bool>(alive_)](net::HttpResult& r) {
    if (alive.expired()) return;
    if (r.ok()) {
      on_result(s, r.response.status, true, r.response.header("Retry-After"), r.response.body);
    } else {
      on_result(s, 0, false, {}, r.error_message);
    }
  });
}

void Alerter::on_result(Sink& s, int status, bool transport_ok, std::string_view retry_after_header,
                        std::string_view body) {
  s.busy = false;
  if (stopped_) return;
  const bool last = s.attempts >= static_cast<std::uint32_t>(opts_.max_attempts);
  if (transport_ok && status >= 200 && status < 300) {
    ++s.counters.sent;
    s.dropping = false;
    s.backoff.reset();
    finish_front(s);
    return;
  }
  const bool retryable = !transport_ok || status == 429 || status == 408 || status >= 500;
  if (retryable && !last) {
    DurationUs delay = s.backoff.next();
    if (status == 429) {
      if (const std::int64_t secs = retry_after_seconds(retry_after_header, body); secs >= 0)
        delay = std::min(std::max<DurationUs>(secs * kUsPerSecond, kUsPerMs), opts_.backoff_max_us);
    }
    retry_later(s, delay);
    return;
  }
  ++s.counters.failed;
  if (transport_ok) {
    log_->warn("Alerts: {} gave up on a {} alert after {} attempt(s): HTTP {}", s.opt.name,
               alert_event_name(s.queue.front().event), s.attempts, status);
  } else {
    log_->warn("Alerts: {} gave up on a {} alert after {} attempt(s): {}", s.opt.name,
               alert_event_name(s.queue.front().event), s.attempts, body);
  }
  s.backoff.reset();
  finish_front(s);
}

void Alerter::finish_front(Sink& s) {
  if (!s.queue.empty()) s.queue.pop_front();
  s.attempts = 0;
  if (s.queue.empty()) s.dropping = false;
  pump(s);
}

void Alerter::retry_later(Sink& s, DurationUs delay) {
  s.busy = true;  // the front stays taken while it waits
  s.retry.expires_after(std::chrono::microseconds(delay));
  s.retry.async_wait([this, &s, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    s.busy = false;
    pump(s);
  });
}

bool Alerter::reject_seen(std::string_view pair, std::string_view symbol, std::string_view code,
                          std::string_view message) {
  if (!wants(AlertEvent::kRejects) || !rejects_.hit(clock_.now_us())) return false;
  notify(AlertEvent::kRejects, Severity::kWarning,
         fmt::format("{} order rejections within {} s", rejects_.count(), rejects_.window() / kUsPerSecond),
         {{"last", fmt::format("{} {}: {} {}", pair, symbol, code, message)}});
  return true;
}

bool Alerter::reconnect_seen(std::string_view detail) {
  if (!wants(AlertEvent::kReconnectStorm) || !reconnects_.hit(clock_.now_us())) return false;
  notify(AlertEvent::kReconnectStorm, Severity::kWarning,
         fmt::format("{} stream reconnects within {} s", reconnects_.count(), reconnects_.window() / kUsPerSecond),
         {{"last", std::string(detail)}});
  return true;
}

void Alerter::unhedged_since(TimestampUs since_us) {
  if (since_us == 0) {
    naked_alerted_since_ = 0;
    return;
  }
  if (!wants(AlertEvent::kNakedLeg) || since_us == naked_alerted_since_) return;
  const DurationUs age = clock_.now_us() - since_us;
  if (age < opts_.naked_leg_us) return;
  naked_alerted_since_ = since_us;
  notify(
      AlertEvent::kNakedLeg, Severity::kCritical,
      fmt::format("unhedged exposure for {} s (threshold {} s)", age / kUsPerSecond, opts_.naked_leg_us / kUsPerSecond),
      {{"since", utc_iso8601(since_us)}});
}

void Alerter::start_naked_leg_watch(std::function<TimestampUs()> since, DurationUs period) {
  if (!wants(AlertEvent::kNakedLeg)) return;
  naked_since_ = std::move(since);
  watch_period_us_ = period;
  arm_watch();
}

void Alerter::arm_watch() {
  if (!naked_since_ || stopped_) return;
  watch_timer_->t.expires_after(std::chrono::microseconds(watch_period_us_));
  watch_timer_->t.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    unhedged_since(naked_since_());
    arm_watch();
  });
}

void Alerter::start_digest(std::function<DigestTotals()> totals) {
  digest_totals_ = std::move(totals);
  digest_prev_ = digest_totals_();
  arm_digest();
}

void Alerter::arm_digest() {
  if (!digest_totals_ || stopped_) return;
  const TimestampUs now = clock_.now_us();
  const TimestampUs next = utc_day_start(now) + kUsPerDay;
  digest_timer_->t.expires_after(std::chrono::microseconds(next - now));
  digest_timer_->t.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    const TimestampUs day_end = utc_day_start(clock_.now_us() + kUsPerSecond);  // a timer firing early still counts
    notify(digest(day_end, digest_totals_()));
    arm_digest();
  });
}

Alert Alerter::digest(TimestampUs day_end_us, const DigestTotals& now) {
  DigestTotals d;
  d.realized_pnl = now.realized_pnl - digest_prev_.realized_pnl;
  d.fees = now.fees - digest_prev_.fees;
  d.funding = now.funding - digest_prev_.funding;
  d.net = now.net - digest_prev_.net;
  d.opened = now.opened - digest_prev_.opened;
  d.closed = now.closed - digest_prev_.closed;
  digest_prev_ = now;
  Alert a;
  a.event = AlertEvent::kDailyDigest;
  a.severity = Severity::kInfo;
  a.at_us = day_end_us;
  const std::string day = utc_iso8601(day_end_us - kUsPerDay).substr(0, 10);
  a.text = fmt::format("P&L of {} (UTC): net {} USD", day, d.net.str());
  a.fields = {{"day", day},
              {"realized_pnl_usd", d.realized_pnl.str()},
              {"fees_usd", d.fees.str()},
              {"funding_usd", d.funding.str()},
              {"net_usd", d.net.str()},
              {"positions_opened", std::to_string(d.opened)},
              {"positions_closed", std::to_string(d.closed)}};
  return a;
}

bool Alerter::drain(DurationUs limit) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(limit);
  const auto idle = [this] {
    for (const auto& s : sinks_)
      if (s->busy || s->pump_posted || !s->queue.empty()) return false;
    return true;
  };
  while (!idle()) {
    if (stopped_ || std::chrono::steady_clock::now() >= deadline) return false;
    if (io_.stopped()) io_.restart();
    io_.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

void Alerter::stop() {
  if (stopped_) return;
  stopped_ = true;
  digest_timer_->t.cancel();
  watch_timer_->t.cancel();
  for (auto& s : sinks_) {
    s->retry.cancel();
    if (s->http) s->http->shutdown();
    s->busy = false;
  }
}

std::vector<SinkStatus> Alerter::status() const {
  std::vector<SinkStatus> out;
  out.reserve(sinks_.size());
  for (const auto& s : sinks_) out.push_back({s->opt.name, s->counters, s->queue.size()});
  return out;
}

}  // namespace bparb::alerts
