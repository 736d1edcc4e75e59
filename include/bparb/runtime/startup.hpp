#pragma once
// Start-up is a chain of checks; any failure stops it before anything is traded:
//   1. the venue's clock (the offset every signed request carries);
//   2. the venue's markets: every enabled pair's spot and perp exist, are SPOT and PERP, and share one quote
//      asset (a pair whose books are not open is skipped, not refused); they become the instrument table
//      (core/instrument.hpp), spot then perp per pair;
//   3. this account's fee rates (into the instrument table), and that the venue is not liquidating it;
//   4. recovery (runtime/recovery.hpp);
//   5. the first client id: after the journal's highest one (README "Restart and recovery").
// What it found (markets, pairs, quote asset, fees, first id, the recovery to restore) is the trading
// objects' input.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/oms/order_manager.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/recovery.hpp"
#include "bparb/strategy/fee_model.hpp"

namespace bparb::runtime {

// A pair the configuration asks to trade (enabled pairs only, in the file's order).
struct WantedPair {
  std::string base;
  std::string spot_symbol;
  std::string perp_symbol;
};

struct StartupOptions {
  std::vector<WantedPair> pairs;
  // Perps traded on their own (the market maker), after the pairs' markets in the instrument table. Each must
  // exist, be a PERP, be open, and share the pairs' quote asset.
  std::vector<std::string> perps;
  // When set (the market maker's selector), picks `perps` from every market the venue lists before they are
  // loaded: `done` with an error (start-up fails with it) or the chosen symbols.
  using PerpsChosen = std::function<void(const std::string& error, std::vector<std::string> perps)>;
  std::function<void(std::span<const MarketSpec> listed, PerpsChosen done)> select_perps;
  std::string source_path;             // the config file, named when a market does not exist
  VenueId venue = VenueId::kBackpack;  // the venue the markets are listed by (their instruments' venue)
  RecoveryOptions recovery;
};

enum class StartupStep : std::uint8_t { kClock, kMarkets, kAccount, kRecovery, kClientIds };

// Why start-up stopped: the step and the message the operator reads.
struct StartupFailure {
  StartupStep step = StartupStep::kClock;
  std::string message;
};

class Startup {
 public:
  // `instruments` receives the traded markets (spot, perp per pair, in that order) and, once the account's
  // fee rates are known, their fees; the adapter and the engine keep references into it, so it is the
  // caller's.
  Startup(std::shared_ptr<spdlog::logger> log, const Clock& clock, JournalWriter& journal, exec::StartupVenue& venue,
          exec::ReconciliationVenue& reports, InstrumentTable& instruments, StartupOptions opts);

  // Steps 1-5: `on_fail` once with the first failed check, or `on_done` when trading may start. Throws
  // std::runtime_error when the journal's positions cannot be read (recovery).
  void run(std::function<void(const StartupFailure&)> on_fail, std::function<void()> on_done);

  // Valid once `on_done` was called.
  const std::vector<PairRef>& pairs() const noexcept { return pairs_; }
  // The instruments of StartupOptions::perps, in that order.
  const std::vector<InstrumentId>& perps() const noexcept { return perps_; }
  const std::string& quote_asset() const noexcept { return quote_asset_; }
  const FeeSchedule& fees() const noexcept { return fees_; }
  oms::ClientId first_client_id() const noexcept { return first_client_id_; }
  Recovery& recovery() noexcept { return *recovery_; }

 private:
  void fail(StartupStep step, std::string message);
  void load_markets(std::span<const MarketSpec> all);
  std::vector<MarketSpec> listed_;  // the venue's markets while select_perps runs
  bool selected_ = false;
  void check_account();
  void start_recovery();
  void resume_client_ids();

  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  JournalWriter& journal_;
  exec::StartupVenue& venue_;
  exec::ReconciliationVenue& reports_;
  InstrumentTable& instruments_;
  StartupOptions opts_;
  std::function<void(const StartupFailure&)> fail_;
  std::function<void()> done_;
  std::vector<PairRef> pairs_;
  std::vector<InstrumentId> perps_;
  std::string quote_asset_;
  FeeSchedule fees_;
  oms::ClientId first_client_id_ = 1;
  std::unique_ptr<Recovery> recovery_;
};

}  // namespace bparb::runtime
