#pragma once
// The operator's control endpoints (docs/service.md "Control"): POST /api/v1/pause, /resume, /cancel-all,
// /flatten and /reload on the same server as the read-only surface.
//
// Authentication is a bearer token (BPARB_CONTROL_TOKEN, read like the API keys). Without one, control is
// disabled and every POST is 403; a missing or wrong token is 401. The handler keeps only the token's
// SHA-256 and compares digests with CRYPTO_memcmp, so neither the comparison's time nor a core dump of
// this object gives the token away. The token is also what stops a web page in a browser on this host:
// a cross-origin page cannot add an Authorization header without a CORS preflight, which the server never
// answers.
//
// The handler checks, routes and answers; what an action does is a ControlTarget's (the engine in the
// daemon, service/engine_control.hpp; a fake in tests). The server calls it on the daemon's io_context.
// Every answer is a JSON object {"ok":..., "action":..., ...}; every action and every refusal of an
// authenticated request writes one log line naming the action and its outcome (unauthenticated refusals:
// at most one line per second, with the number left out).
#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/service/http.hpp"

namespace bparb::service {

enum class ControlAction : std::uint8_t { kPause, kResume, kCancelAll, kFlatten, kReload };
std::string_view control_action_name(ControlAction a) noexcept;  // "pause", "resume", "cancel-all", ...
// The action a request target names ("/api/v1/pause", a query string ignored), if any.
std::optional<ControlAction> control_action_of(std::string_view target) noexcept;

// Members of an answer's JSON object, rendered as they are added (keys are the caller's literals).
class JsonMembers {
 public:
  JsonMembers& str(std::string_view key, std::string_view value);
  JsonMembers& num(std::string_view key, std::uint64_t value);
  JsonMembers& boolean(std::string_view key, bool value);
  JsonMembers& list(std::string_view key, std::span<const std::string> values);
  const std::string& text() const noexcept { return text_; }  // `"k":v,"k2":v2`, no braces

 private:
  void key(std::string_view k);
  std::string text_;
};

// What an action did.
struct ControlResult {
  // 200 done; 409 refused in the current state; 422 reload rejected; 503 still starting up.
  unsigned status = 200;
  std::string message;  // one sentence: the answer's "message" (or "error") and the log line's outcome
  JsonMembers details;  // more members of the answer
  bool ok() const noexcept { return status == 200; }
};

// What the handler drives. Each call runs on the daemon's io_context and returns at once: orders are
// sent (cancels, exits) through the engine's normal path, and the answer says what was started.
class ControlTarget {
 public:
  virtual ~ControlTarget() = default;
  virtual ControlResult pause() = 0;
  virtual ControlResult resume() = 0;
  virtual ControlResult cancel_all() = 0;
  virtual ControlResult flatten() = 0;  // the handler has checked the confirmation body
  virtual ControlResult reload() = 0;
};

class ControlHandler {
 public:
  // The body POST /api/v1/flatten must carry, exactly this member (whitespace aside).
  static constexpr std::string_view kFlattenConfirm = R"({"confirm":"flatten"})";

  // `token` empty: control disabled. The token itself is not kept.
  ControlHandler(std::string_view token, ControlTarget& target, std::shared_ptr<spdlog::logger> log);

  bool enabled() const noexcept { return enabled_; }
  // The answer to a request whose target control_action_of() names (the server checked its Host).
  Response handle(const Request& req, TimestampUs now);

 private:
  bool authorized(const Request& req) const;
  void log_refusal(ControlAction a, unsigned status, std::string_view why, TimestampUs now);

  bool enabled_ = false;
  std::array<unsigned char, 32> token_sha256_{};
  ControlTarget& target_;
  std::shared_ptr<spdlog::logger> log_;
  TimestampUs last_refusal_log_us_ = 0;
  std::uint64_t refusals_unlogged_ = 0;
};

}  // namespace bparb::service
