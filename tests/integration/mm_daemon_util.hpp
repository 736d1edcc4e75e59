#pragma once
// Helpers of the market maker's daemon tests (mm_daemon_test.cpp): waiting, the operator port, the exit
// summary's "MM stats" line, and a listener on bpsim's order events of our account.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "../support/http_get.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/sim/exchange.hpp"

namespace bparb::testing::mm_daemon {

using std::chrono::milliseconds;

inline constexpr const char* kPerp = "SOL_USDC_PERP";

inline std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

template <class Pred>
bool wait_for(Pred pred, milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return pred();
}

// GET on the daemon's operator port; empty when it does not answer 200.
inline std::string http_get(std::uint16_t port, const std::string& target) {
  const std::optional<testing::HttpAnswer> a = testing::http_get(port, target);
  return a && a->status == 200 ? a->body : std::string();
}

// The text between `"key":"` and the next quote, after `from` (the status writes money as strings).
inline std::string json_string_after(const std::string& body, std::size_t from, const std::string& key) {
  const std::string k = "\"" + key + "\":\"";
  const std::size_t at = body.find(k, from);
  if (at == std::string::npos) return {};
  const std::size_t start = at + k.size();
  return body.substr(start, body.find('"', start) - start);
}

// The last "MM stats" line's P&L total, its six parts and the position, as exact decimals.
struct StatsPnl {
  Decimal total, parts_sum, position;
  bool parsed = false;
};
inline StatsPnl parse_stats_pnl(const std::string& text, const std::string& symbol = "SOL_USDC_PERP") {
  StatsPnl out;
  const std::size_t line_at = text.rfind("MM stats " + symbol + ":");
  if (line_at == std::string::npos) return out;
  const std::string line = text.substr(line_at, text.find('\n', line_at) - line_at);
  auto number_after = [&line](std::string_view key, Decimal& v) {
    const std::size_t at = line.find(key);
    if (at == std::string::npos) return false;
    const std::size_t from = at + key.size();
    v = Decimal::from_string(std::string_view(line).substr(from, line.find(' ', from) - from));
    return true;
  };
  bool ok = number_after("| P&L ", out.total) && number_after("| position ", out.position);
  for (std::string_view part : {"= spread ", "+ adverse ", "+ inventory ", "+ fees ", "+ funding ", "+ hedge "}) {
    Decimal v;
    ok = number_after(part, v) && ok;
    out.parts_sum += v;
  }
  out.parsed = ok;
  return out;
}

// Counts, after every order event of our account, how many of its orders rest on the perp's book.
// Also records when a quote of ours (a post-only order) was accepted and when one ended (cancelled, expired,
// filled in full), on the simulator's thread (read them through SimThread::call).
struct RestingWatch final : sim::ExchangeListener {
  using Clock = std::chrono::steady_clock;
  sim::Exchange* ex = nullptr;
  sim::AccountId account = 0;
  std::atomic<std::size_t> max_resting{0};
  std::map<std::string, std::size_t> max_resting_by_symbol;  // every perp's, read on the simulator's thread
  std::atomic<std::size_t> events{0};
  std::vector<Clock::time_point> placed_at;
  std::vector<Clock::time_point> gone_at;
  // An order's kAccepted event comes before it rests in the book, so a quote that rests and then goes without
  // another event of ours in between would never be counted from order events alone: the book's own changes
  // (our quote landing is one) are sampled too.
  void on_depth(const DepthDelta&) override { sample(); }
  void on_order(const sim::OrderEvent& e) override {
    if (e.account != account) return;
    ++events;
    sample();
    if (e.order == nullptr || !e.order->post_only) return;
    if (e.type == sim::OrderEventType::kAccepted) placed_at.push_back(Clock::now());
    if (!e.order->is_open() && e.type != sim::OrderEventType::kAccepted) gone_at.push_back(Clock::now());
  }
  void sample() {
    const std::size_t n = ex->open_orders(account, std::string_view(kPerp)).size();
    if (n > max_resting) max_resting = n;
    std::map<std::string, std::size_t> now;
    for (const sim::SimOrder& o : ex->open_orders(account)) ++now[o.symbol];
    for (const auto& [symbol, count] : now)
      max_resting_by_symbol[symbol] = std::max(max_resting_by_symbol[symbol], count);
  }
};

}  // namespace bparb::testing::mm_daemon
