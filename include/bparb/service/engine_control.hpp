#pragma once
// The daemon's ControlTarget (service/control.hpp): the operator's actions on the engine and the risk gate.
//
//   pause       stop opening positions (ArbEngine::stop_opening); open ones keep their exit rules, hedges
//               and leg risk. Asked during start-up, it holds from the engine's first event.
//   resume      open again (ArbEngine::resume_opening). Refused while the risk gate is Halted (it admits
//               no order at all) or the node is shutting down; a ReduceOnly gate keeps refusing entries
//               until it clears, which the answer says.
//   cancel-all  cancel every live order of ours: one cancel-all per instrument through its venue's adapter
//               (docs/kernel.md, "Cancel-all"). A trade in progress sees the cancels as it sees any venue
//               cancel: its leg risk completes or unwinds the position.
//   flatten     pause, then close every open position through the normal exit path with the exit reason
//               operator_flatten (ArbEngine::force_exit). Refused while Halted: no exit order would pass.
//   reload      the SIGHUP reload, answered with its outcome.
//
// Runs on the daemon's io_context: no locking. Before the engine exists (start-up), cancel-all and
// flatten answer 503.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bparb/exec/arb_engine.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/service/control.hpp"

namespace bparb::service {

// A reload's outcome as the daemon's reload reports it.
struct ReloadReport {
  enum class Status : std::uint8_t { kApplied, kRejected };
  Status status = Status::kRejected;
  std::string error;                          // kRejected: why (the config check's lines, or why unreadable)
  std::vector<std::string> changes;           // kApplied: thresholds changed, "name old -> new"
  std::vector<std::string> restart_required;  // settings that changed but only apply at a restart
};

struct EngineControlHooks {
  std::function<void(std::span<const exec::LiveOrder>)> cancel_orders;  // a cancel-all per instrument, by venue
  std::function<ReloadReport()> reload;                                 // the SIGHUP reload
  std::function<bool()> shutting_down;                                  // the node is stopping
};

class EngineControl final : public ControlTarget {
 public:
  EngineControl(const RiskGate& risk, EngineControlHooks hooks);

  // The engine, once built; a pause asked for before applies now.
  void attach(exec::ArbEngine& engine) noexcept;
  bool paused() const noexcept { return paused_; }

  ControlResult pause() override;
  ControlResult resume() override;
  ControlResult cancel_all() override;
  ControlResult flatten() override;
  ControlResult reload() override;

 private:
  std::uint32_t busy_pairs() const noexcept;  // pairs not flat: open, entering or exiting
  std::string gate() const;                   // "Halted (operator)"

  const RiskGate& risk_;
  EngineControlHooks hooks_;
  exec::ArbEngine* engine_ = nullptr;
  bool paused_ = false;
};

}  // namespace bparb::service
