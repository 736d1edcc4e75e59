// The alert sinks' counters on the status surface: "alerts":[...] in /api/v1/status, bparb_alerts_total and
// bparb_alerts_queued in /metrics (checked by promtool when it is installed), and no sink when none is
// configured.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bparb/service/render.hpp"

namespace bparb::service {
namespace {

constexpr TimestampUs kAlertsT0 = 1'700'000'000'000'000;

Snapshot with_sinks() {
  Snapshot s;
  s.started_us = kAlertsT0;
  s.taken_us = kAlertsT0 + kUsPerSecond;
  s.version = "0.1.0";
  s.mode = "paper";
  s.alerts = {{"webhook#0", 5, 1, 2, 3, 4}, {"telegram#1", 7, 0, 0, 0, 0}};
  return s;
}

TEST(AlertsStatus, StatusJsonListsEverySinkWithItsCounters) {
  const std::string body = render_status_json(with_sinks());
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(body).get(doc), simdjson::SUCCESS) << body;
  simdjson::dom::array sinks;
  ASSERT_EQ(doc["alerts"].get_array().get(sinks), simdjson::SUCCESS) << body;
  ASSERT_EQ(sinks.size(), 2u);
  simdjson::dom::element w = sinks.at(0);
  EXPECT_EQ(std::string_view(w["name"]), "webhook#0");
  EXPECT_EQ(std::int64_t(w["sent"]), 5);
  EXPECT_EQ(std::int64_t(w["failed"]), 1);
  EXPECT_EQ(std::int64_t(w["dropped"]), 2);
  EXPECT_EQ(std::int64_t(w["retries"]), 3);
  EXPECT_EQ(std::int64_t(w["queued"]), 4);
  EXPECT_EQ(std::string_view(sinks.at(1)["name"]), "telegram#1");

  Snapshot none = with_sinks();
  none.alerts.clear();
  EXPECT_NE(render_status_json(none).find("\"alerts\":[]"), std::string::npos);
}

TEST(AlertsStatus, MetricsCountEveryOutcomePerSink) {
  const std::string m = render_metrics(with_sinks());
  for (const char* line :
       {"# TYPE bparb_alerts_total counter\n", "bparb_alerts_total{sink=\"webhook#0\",outcome=\"sent\"} 5\n",
        "bparb_alerts_total{sink=\"webhook#0\",outcome=\"failed\"} 1\n",
        "bparb_alerts_total{sink=\"webhook#0\",outcome=\"dropped\"} 2\n",
        "bparb_alerts_total{sink=\"webhook#0\",outcome=\"retried\"} 3\n",
        "bparb_alerts_total{sink=\"telegram#1\",outcome=\"sent\"} 7\n", "# TYPE bparb_alerts_queued gauge\n",
        "bparb_alerts_queued{sink=\"webhook#0\"} 4\n", "bparb_alerts_queued{sink=\"telegram#1\"} 0\n"})
    EXPECT_NE(m.find(line), std::string::npos) << line << "\n" << m;
}

// Debian's prometheus package ships promtool; without it the check is skipped.
TEST(AlertsStatus, PromtoolAcceptsTheAlertMetrics) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) GTEST_SKIP() << "promtool not installed";
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("bparb_alert_metrics_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(file) << render_metrics(with_sinks());
  const std::string cmd = "promtool check metrics < " + file.string() + " > " + file.string() + ".out 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream out(file.string() + ".out");
  const std::string said((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << said;
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + ".out");
}

}  // namespace
}  // namespace bparb::service
