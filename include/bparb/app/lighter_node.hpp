#pragma once
// The daemon's Lighter venue from [venues.lighter] (runtime/lighter_venue.hpp): its key (LIGHTER_API_PRIVATE_KEY
// in live mode; a fresh one in paper mode, whose simulated account registers its public key), its options, and
// what the status page shows of it. The daemon hosts Lighter when the section lists markets.
#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/node_events.hpp"
#include "bparb/app/venue_node.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/lighter_venue.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/runtime/recovery.hpp"
#include "bparb/service/snapshot.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace bparb::app {

// True when [venues.lighter] lists markets.
bool hosts_lighter(const Config& cfg) noexcept;
// The account, key slot and chain of [venues.lighter] (its first slot when it lists a pool).
lighter::SignerConfig lighter_signer_config(const Config& cfg);
// The key slots the daemon signs with: api_key_indexes, else api_key_index alone.
std::vector<std::uint8_t> lighter_key_slots(const Config& cfg);
// Live mode: the key of each slot from the environment or exchange.env_file (LIGHTER_API_PRIVATE_KEY for one
// key; LIGHTER_API_PRIVATE_KEY_<index> for each of a pool), in the slots' order. Throws std::runtime_error
// naming what is missing or invalid (never the key). `from` says where they were found.
std::vector<lighter::Signer> load_lighter_keys(const Config& cfg, std::string& from);
// Paper mode: a fresh key per slot for the simulated account.
std::vector<lighter::Signer> paper_lighter_keys(const Config& cfg);
// Paper mode: what the embedded bpsim serves as Lighter for this config and keys (each registered in its slot).
runtime::PaperOptions::Lighter paper_lighter_options(const Config& cfg, const std::vector<lighter::Signer>& keys);
// The venue's options; the endpoints are the config's (live) or the embedded bpsim's (paper).
runtime::LighterVenueOptions lighter_venue_options(const Config& cfg, std::string rest_url, std::string ws_url);
// GET /api/v1/status: the Lighter stream and each of its books.
void collect_lighter_health(const runtime::LighterVenue& venue, const InstrumentTable& instruments,
                            service::VenueHealth& out);

// Lighter as the daemon's second venue, in the daemon's order: built with the Backpack venue, started up
// (markets, recovery) after Backpack's start-up, trading (reports to the engine, stream, dead-man switch,
// reconciler) with the engine, stopped (the switch's abort awaited) before the loop ends: the daemon's VenueNode of
// [venues.lighter] (venue_node.hpp).
class LighterNode final : public VenueNode {
 public:
  // `keys`: one, or a pool (the first also signs the auth tokens); not empty.
  LighterNode(boost::asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log,
              runtime::JournalWriter& journal, InstrumentTable& instruments, std::vector<lighter::Signer> keys,
              runtime::LighterVenueOptions opts);

  runtime::LighterVenue& venue() noexcept { return venue_; }
  // Markets into the instrument table, then this venue's recovery (`recovery`'s venue and equity floor are set
  // here: Lighter's equity is not held to the Backpack account's risk.min_account_balance_usd). `fail` with the
  // message, or `done`.
  void start_up(runtime::RecoveryOptions recovery, std::function<void(const std::string&)> fail,
                std::function<void()> done) override;
  // Start-up's recovery found a Lighter position the journal cannot explain and the policy let it start
  // (flag, or adopt on a market no pair trades): trading starts ReduceOnly.
  bool recovery_flagged() const noexcept { return recovery_ && recovery_->flagged(); }
  std::string_view recovery_flag() const noexcept override {
    return recovery_flagged() ? "recovery: a Lighter position the journal cannot explain (unexplained_positions)"
                              : std::string_view{};
  }
  // Its recovery once start_up ran (the fills it journaled for the cross-venue pair), else null.
  const runtime::Recovery* recovery() const noexcept { return recovery_.get(); }
  // Reports go to the engine; the stream and the dead-man switch start; the reconciler polls Lighter (its
  // account poll is the engine's view of Lighter's account: the margin rule of Lighter orders reads it), and the
  // markets' current funding rates are read at the reconciler's funding cadence.
  void start_trading(exec::ArbEngine& engine, Portfolio& portfolio, ClientId first_client_id, const FeeSchedule& fees,
                     runtime::ReconcilerOptions reconciler) override;
  // Clean stop (once): the reconciler stops after one last look at Lighter's fills and funding (at most
  // `timeout_us`), the dead-man switch's abort is awaited (at most `timeout_us`), then `done`.
  void stop(DurationUs timeout_us, std::function<void()> done) override;
  // The loop is ending: timers cancelled, the stream closed.
  void close() override;

  // The account poll's net equity and margin, and the fills reconciliation's count (nothing before the first
  // answer).
  void collect_margin(service::VenueHealth& out) const;
  // GET /api/v1/status: one more venue entry, the stream and books, the account and the order path's metrics.
  void collect(service::Snapshot& s, const NodeEvents& events) const override;

  std::size_t book_count() const noexcept override { return venue_.instrument_ids().size(); }
  // Lighter's free collateral as its reconciler last polled it (zero before the first answer).
  Decimal available_margin() const noexcept;
  // Lighter's current funding rate of a market (polled every funding poll while trading); nullopt before the
  // first answer.
  std::optional<FundingInfo> funding(InstrumentId id) const noexcept { return venue_.funding(id); }
  // Funding payments of the account that no basis pair claims (a cross-venue leg's): after start_trading.
  void on_unpaired_funding(std::function<void(std::string_view symbol, Decimal amount, TimestampUs settled_us)> f);
  std::size_t valid_books() const noexcept override { return venue_.valid_books(); }

 private:
  boost::asio::io_context& io_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  runtime::JournalWriter& journal_;
  InstrumentTable& instruments_;
  runtime::LighterVenue venue_;
  std::unique_ptr<runtime::Recovery> recovery_;
  std::unique_ptr<runtime::Reconciler> reconciler_;
  // funding-rates every `every_us`; a failure is logged when it starts and when it ends.
  void poll_funding(DurationUs every_us);

  boost::asio::steady_timer final_timer_;
  boost::asio::steady_timer funding_timer_;
  bool stopping_ = false;
  bool funding_failing_ = false;
};

// The daemon's Lighter node from the config: null unless [venues.lighter] lists markets. In paper mode `paper`
// serves the simulated Lighter and `paper_keys` holds the keys its account registered (paper_lighter_keys);
// in live mode the keys are loaded from the environment (throws std::runtime_error when unusable).
std::unique_ptr<LighterNode> make_lighter_node(boost::asio::io_context& io, const Clock& clock,
                                               std::shared_ptr<spdlog::logger> log, runtime::JournalWriter& journal,
                                               InstrumentTable& instruments, const Config& cfg,
                                               const runtime::PaperExchange* paper,
                                               std::vector<lighter::Signer>& paper_keys);

// The daemon's plan for [venues.lighter] (venue_nodes.cpp's table): in paper mode the fresh keys the simulated
// account registers, then the node, its commands routed by NodeEvents.
std::unique_ptr<VenuePlan> make_lighter_venue_plan(const Config& cfg);

}  // namespace bparb::app
