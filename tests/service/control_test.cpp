// The control handler without sockets, in front of a fake target: authentication (disabled without a
// token, 401 on a missing or wrong one, the token never logged), routing of each action and its JSON
// answer, the flatten confirmation body, and the Host check and 404 of the server's routing.
#include "bparb/service/control.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <string>
#include <vector>

#include "bparb/service/engine_control.hpp"
#include "bparb/service/http.hpp"

namespace bparb::service {
namespace {

namespace http = boost::beast::http;

constexpr TimestampUs kControlT0 = 1'700'000'000'000'000;
constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";

struct FakeTarget final : ControlTarget {
  std::vector<std::string> calls;
  ControlResult next;  // what the next action answers
  ControlResult act(std::string name) {
    calls.push_back(std::move(name));
    ControlResult r = next;
    next = ControlResult{};
    return r;
  }
  ControlResult pause() override { return act("pause"); }
  ControlResult resume() override { return act("resume"); }
  ControlResult cancel_all() override { return act("cancel-all"); }
  ControlResult flatten() override { return act("flatten"); }
  ControlResult reload() override { return act("reload"); }
};

Request control_post(std::string_view target, std::string_view token = kToken, std::string body = "") {
  Request r{http::verb::post, std::string(target), 11};
  r.set(http::field::host, "127.0.0.1:8780");
  if (!token.empty()) r.set(http::field::authorization, "Bearer " + std::string(token));
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Json(const std::string& text) {
    EXPECT_EQ(parser.parse(simdjson::padded_string(text)).get(root), simdjson::SUCCESS) << text;
  }
  std::string str(const char* key) {
    std::string_view v;
    return root[key].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : "<absent>";
  }
  int flag(const char* key) {  // 1 true, 0 false, -1 absent
    bool v = false;
    return root[key].get_bool().get(v) == simdjson::SUCCESS ? int{v} : -1;
  }
};

struct ControlTest : ::testing::Test {
  std::ostringstream logged;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("control", std::make_shared<spdlog::sinks::ostream_sink_st>(logged));
  FakeTarget target;
  ControlHandler h{kToken, target, log};
  TimestampUs now = kControlT0;
  Response ask(const Request& req) {
    now += kUsPerSecond;  // past the refusal-log bound: every refusal is logged here
    return h.handle(req, now);
  }
};

TEST(ControlRouting, NamesTheFiveActionsOnly) {
  EXPECT_EQ(control_action_of("/api/v1/pause"), ControlAction::kPause);
  EXPECT_EQ(control_action_of("/api/v1/resume?x=1"), ControlAction::kResume);
  EXPECT_EQ(control_action_of("/api/v1/cancel-all"), ControlAction::kCancelAll);
  EXPECT_EQ(control_action_of("/api/v1/flatten"), ControlAction::kFlatten);
  EXPECT_EQ(control_action_of("/api/v1/reload"), ControlAction::kReload);
  EXPECT_FALSE(control_action_of("/api/v1/status"));
  EXPECT_FALSE(control_action_of("/api/v1/pause/"));
  EXPECT_FALSE(control_action_of("/api/v1/PAUSE"));
  EXPECT_FALSE(control_action_of("/pause"));
  EXPECT_EQ(control_action_name(ControlAction::kCancelAll), "cancel-all");
}

TEST_F(ControlTest, WithoutATokenEveryPostIsForbidden) {
  ControlHandler off{"", target, log};
  EXPECT_FALSE(off.enabled());
  const Response r = off.handle(control_post("/api/v1/pause"), kControlT0);
  EXPECT_EQ(r.result_int(), 403u);
  Json j(r.body());
  EXPECT_EQ(j.flag("ok"), 0);
  EXPECT_EQ(j.str("action"), "pause");
  EXPECT_NE(j.str("error").find("control is disabled"), std::string::npos) << r.body();
  EXPECT_TRUE(target.calls.empty());
  EXPECT_NE(logged.str().find("Control: pause refused (403): control is disabled"), std::string::npos);
}

TEST_F(ControlTest, AMissingOrWrongTokenIsUnauthorizedAndNeverLogged) {
  EXPECT_TRUE(h.enabled());
  const std::string wrong = std::string(kToken.substr(0, kToken.size() - 1)) + "X";
  for (const Request& req :
       {control_post("/api/v1/flatten", ""), control_post("/api/v1/flatten", wrong),
        control_post("/api/v1/flatten", std::string(kToken) + "0"), control_post("/api/v1/flatten", "x")}) {
    const Response r = ask(req);
    EXPECT_EQ(r.result_int(), 401u);
    EXPECT_EQ(r[http::field::www_authenticate], R"(Bearer realm="bparb control")");
    EXPECT_EQ(Json(r.body()).flag("ok"), 0);
  }
  Request basic = control_post("/api/v1/pause", "");
  basic.set(http::field::authorization, "Basic " + std::string(kToken));
  EXPECT_EQ(ask(basic).result_int(), 401u);
  Request glued = control_post("/api/v1/pause", "");
  glued.set(http::field::authorization, "Bearer" + std::string(kToken));
  EXPECT_EQ(ask(glued).result_int(), 401u);
  EXPECT_TRUE(target.calls.empty());
  // The scheme is case-insensitive, blanks around the token do not matter.
  Request lower = control_post("/api/v1/pause", "");
  lower.set(http::field::authorization, "bearer   " + std::string(kToken) + " ");
  EXPECT_EQ(ask(lower).result_int(), 200u);
  EXPECT_EQ(logged.str().find(kToken), std::string::npos) << logged.str();
  EXPECT_EQ(logged.str().find(wrong), std::string::npos);
}

TEST_F(ControlTest, RefusalsWithoutTheTokenAreLoggedAtMostOnceASecond) {
  for (int i = 0; i < 5; ++i) h.handle(control_post("/api/v1/pause", "nope"), kControlT0 + i * 1000);
  h.handle(control_post("/api/v1/pause", "nope"), kControlT0 + kUsPerSecond + 1);
  const std::string text = logged.str();
  std::size_t lines = 0;
  for (std::size_t p = text.find("refused (401)"); p != std::string::npos; p = text.find("refused (401)", p + 1))
    ++lines;
  EXPECT_EQ(lines, 2u) << text;
  EXPECT_NE(text.find("(4 more refusal(s) not logged in the last second)"), std::string::npos) << text;
}

TEST_F(ControlTest, OnlyPostIsAccepted) {
  for (http::verb v : {http::verb::get, http::verb::head, http::verb::put, http::verb::delete_}) {
    Request req = control_post("/api/v1/pause");
    req.method(v);
    const Response r = ask(req);
    EXPECT_EQ(r.result_int(), 405u);
    EXPECT_EQ(r[http::field::allow], "POST");
    EXPECT_EQ(r.body().empty(), v == http::verb::head);
  }
  EXPECT_TRUE(target.calls.empty());
}

TEST_F(ControlTest, EachActionReachesItsTargetAndAnswersJson) {
  for (std::string_view name : {"pause", "resume", "cancel-all", "reload"}) {
    target.next.message = "did " + std::string(name);
    target.next.details.num("count", 3).boolean("paused", name == "pause");
    const Response r = ask(control_post("/api/v1/" + std::string(name)));
    EXPECT_EQ(r.result_int(), 200u);
    EXPECT_EQ(r[http::field::content_type], "application/json");
    EXPECT_EQ(r[http::field::cache_control], "no-store");
    EXPECT_TRUE(r.keep_alive());
    Json j(r.body());
    EXPECT_EQ(j.flag("ok"), 1);
    EXPECT_EQ(j.str("action"), name);
    EXPECT_EQ(j.str("message"), "did " + std::string(name));
    std::uint64_t count = 0;
    EXPECT_EQ(j.root["count"].get_uint64().get(count), simdjson::SUCCESS);
    EXPECT_EQ(count, 3u);
    EXPECT_EQ(j.flag("paused"), name == "pause" ? 1 : 0);
    EXPECT_NE(logged.str().find("Control: " + std::string(name) + " done: did " + std::string(name)),
              std::string::npos);
  }
  EXPECT_EQ(target.calls, (std::vector<std::string>{"pause", "resume", "cancel-all", "reload"}));
}

TEST_F(ControlTest, ARefusedActionKeepsItsStatusAndSaysWhy) {
  target.next.status = 409;
  target.next.message = "the risk gate is Halted (operator)";
  target.next.details.str("trading_state", "Halted (operator)");
  const Response r = ask(control_post("/api/v1/resume"));
  EXPECT_EQ(r.result_int(), 409u);
  Json j(r.body());
  EXPECT_EQ(j.flag("ok"), 0);
  EXPECT_EQ(j.str("error"), "the risk gate is Halted (operator)");
  EXPECT_EQ(j.str("trading_state"), "Halted (operator)");
  EXPECT_NE(logged.str().find("Control: resume refused (409): the risk gate is Halted (operator)"), std::string::npos);
}

TEST_F(ControlTest, FlattenNeedsItsConfirmationBody) {
  for (const char* bad : {"", "   ", "flatten", "[]", R"({"confirm":"yes"})", R"({"confirm":true})", R"({})",
                          R"({"confirm":"flatten","pairs":["SOL"]})", R"({"confirm":"flatten")", R"("flatten")"}) {
    const Response r = ask(control_post("/api/v1/flatten", kToken, bad));
    EXPECT_EQ(r.result_int(), 400u) << bad;
    Json j(r.body());
    EXPECT_EQ(j.flag("ok"), 0);
    EXPECT_NE(j.str("error").find(R"({"confirm":"flatten"})"), std::string::npos) << j.str("error");
  }
  EXPECT_TRUE(target.calls.empty());
  EXPECT_NE(logged.str().find("Control: flatten refused (400)"), std::string::npos);
  for (const char* good : {R"({"confirm":"flatten"})", " { \"confirm\" : \"flatten\" }\n"}) {
    EXPECT_EQ(ask(control_post("/api/v1/flatten", kToken, good)).result_int(), 200u) << good;
  }
  EXPECT_EQ(target.calls, (std::vector<std::string>{"flatten", "flatten"}));
}

TEST_F(ControlTest, MessagesAreEscapedJson) {
  target.next.message = "quote \" backslash \\ newline \n";
  target.next.details.list("changes", std::vector<std::string>{"a \"b\"", "c"});
  const Response r = ask(control_post("/api/v1/reload"));
  Json j(r.body());
  EXPECT_EQ(j.str("message"), "quote \" backslash \\ newline \n");
  simdjson::dom::array changes;
  ASSERT_EQ(j.root["changes"].get_array().get(changes), simdjson::SUCCESS);
  EXPECT_EQ(changes.size(), 2u);
}

TEST(ControlServerRouting, TheHostCheckComesFirstAndControlPathsAreUnknownWithoutControl) {
  Handler h{"127.0.0.1", 8780, kUsPerSecond};
  Request r = control_post("/api/v1/pause");
  EXPECT_FALSE(h.misdirected(r));
  r.set(http::field::host, "evil.example:8780");
  ASSERT_TRUE(h.misdirected(r));
  EXPECT_EQ(h.misdirected(r)->result_int(), 421u);
  r.erase(http::field::host);
  EXPECT_EQ(h.misdirected(r)->result_int(), 400u);
  // The read-only handler alone (a server without control) does not know the control paths.
  EXPECT_EQ(h.handle(control_post("/api/v1/pause"), kControlT0).result_int(), 404u);
}

// EngineControl on a real engine without pairs: what pause, resume and flatten do to the engine's opening
// flag and how the risk gate's state answers them. (Positions and orders: tests/integration/control_test.cpp.)
struct NoSink final : exec::CommandSink, exec::EngineObserver {
  void place_orders(std::span<const exec::OrderSpec>) override {}
  void cancel_order(InstrumentId, oms::ClientId) override {}
  void query_order(InstrumentId, oms::ClientId) override {}
  void on_event(const exec::EngineEvent&) override {}  // no event is looked at here
};

struct EngineControlTest : ::testing::Test {
  ManualClock clock{kControlT0};
  RiskGate risk{RiskLimits{}, clock};
  Portfolio portfolio{1};
  NoSink sink;
  InstrumentTable instruments;
  exec::ArbEngine engine{exec::EngineParams{}, instruments, risk, portfolio, sink, sink};
  bool shutting_down = false;
  int reloads = 0;
  ReloadReport next_reload;
  EngineControl control{risk, EngineControlHooks{[](std::span<const exec::LiveOrder>) {},
                                                 [this] {
                                                   ++reloads;
                                                   return next_reload;
                                                 },
                                                 [this] { return shutting_down; }}};
};

TEST_F(EngineControlTest, APauseDuringStartUpHoldsOnceTheEngineIsAttached) {
  EXPECT_EQ(control.cancel_all().status, 503u);
  EXPECT_EQ(control.flatten().status, 503u);
  const ControlResult r = control.pause();
  EXPECT_TRUE(r.ok());
  EXPECT_NE(r.message.find("holds from the end of start-up"), std::string::npos) << r.message;
  control.attach(engine);
  EXPECT_FALSE(engine.opening_enabled());
  EXPECT_TRUE(control.resume().ok());
  EXPECT_TRUE(engine.opening_enabled());
  EXPECT_FALSE(control.paused());
}

TEST_F(EngineControlTest, ResumeIsRefusedWhileHaltedOrShuttingDown) {
  control.attach(engine);
  EXPECT_TRUE(control.pause().ok());
  (void)risk.halt(StateReason::kOperator);
  ControlResult r = control.resume();
  EXPECT_EQ(r.status, 409u);
  EXPECT_NE(r.message.find("Halted (operator)"), std::string::npos) << r.message;
  EXPECT_FALSE(engine.opening_enabled());
  EXPECT_EQ(control.flatten().status, 409u);  // no exit order would pass a Halted gate
  (void)risk.resume();
  (void)risk.set_reduce_only(StateReason::kDailyLoss);
  r = control.resume();
  EXPECT_TRUE(r.ok());
  EXPECT_NE(r.message.find("ReduceOnly (daily_loss)"), std::string::npos) << r.message;
  EXPECT_TRUE(engine.opening_enabled());
  shutting_down = true;
  EXPECT_EQ(control.resume().status, 409u);
}

TEST_F(EngineControlTest, FlattenPausesAndCancelAllCountsNothingWhenIdle) {
  control.attach(engine);
  ControlResult r = control.flatten();
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(engine.opening_enabled());
  EXPECT_NE(r.details.text().find(R"("closing":[])"), std::string::npos) << r.details.text();
  r = control.cancel_all();
  EXPECT_TRUE(r.ok());
  EXPECT_NE(r.details.text().find(R"("cancel_requested":0)"), std::string::npos) << r.details.text();
}

TEST_F(EngineControlTest, ReloadAnswersTheOutcome) {
  next_reload.status = ReloadReport::Status::kRejected;
  next_reload.error = "bparb.toml:3:1: strategy.x: unknown key";
  ControlResult r = control.reload();
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(r.details.text().find(R"("outcome":"rejected")"), std::string::npos);
  EXPECT_NE(r.message.find("strategy.x: unknown key"), std::string::npos);
  next_reload =
      ReloadReport{ReloadReport::Status::kApplied, "", {"strategy.tick_ms 200 -> 100"}, {"exchange.rest_url"}};
  r = control.reload();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(
      r.details.text(),
      R"("outcome":"restart_required","changes":["strategy.tick_ms 200 -> 100"],"restart_required":["exchange.rest_url"])");
  EXPECT_EQ(reloads, 2);
}

}  // namespace
}  // namespace bparb::service
