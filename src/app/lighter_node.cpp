#include "bparb/app/lighter_node.hpp"

#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <utility>

#include "bparb/app/lighter_command.hpp"
#include "bparb/venue/lighter/keys.hpp"

namespace bparb::app {

bool hosts_lighter(const Config& cfg) noexcept {
  return cfg.venues.lighter.has_value() && !cfg.venues.lighter->markets.empty();
}

lighter::SignerConfig lighter_signer_config(const Config& cfg) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  lighter::SignerConfig s;
  s.chain_id = l.chain_id;
  s.account_index = l.account_index;
  s.api_key_index = static_cast<std::uint8_t>(l.api_key_index);
  return s;
}

lighter::Signer load_lighter_signer(const Config& cfg, std::string& from) {
  LighterKeySource source;
  source.env_file = cfg.exchange.env_file;
  std::string why;
  std::optional<lighter::Signer> s = lighter_signer(source, lighter_signer_config(cfg), why, &from);
  if (!s) throw std::runtime_error("[venues.lighter] lists markets but the Lighter key is unusable: " + why);
  return std::move(*s);
}

lighter::Signer paper_lighter_signer(const Config& cfg) {
  return lighter::Signer(lighter::PrivateKey::generate(), lighter_signer_config(cfg));
}

runtime::PaperOptions::Lighter paper_lighter_options(const Config& cfg, const lighter::Signer& signer) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  runtime::PaperOptions::Lighter p;
  p.markets = l.markets;
  p.account_index = l.account_index;
  p.api_key_index = static_cast<std::uint8_t>(l.api_key_index);
  std::array<char, 80> hex{};
  signer.public_key_hex(hex);
  p.public_key_hex.assign(hex.data(), hex.size());
  p.premium = l.account_tier == LighterTier::kPremium;
  return p;
}

runtime::LighterVenueOptions lighter_venue_options(const Config& cfg, std::string rest_url, std::string ws_url) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  runtime::LighterVenueOptions o;
  o.rest_url = std::move(rest_url);
  o.ws_url = std::move(ws_url);
  o.signer = lighter_signer_config(cfg);
  o.premium = l.account_tier == LighterTier::kPremium;
  o.markets = l.markets;
  o.source_path = cfg.source_path;
  o.dead_man_switch = l.dead_man_switch;
  o.dead_man.window_us = l.dead_man_window_us;
  o.dead_man.refresh_us = l.dead_man_refresh_us;
  o.dead_man.abort_on_stop = l.dead_man_abort_on_stop;
  o.rest_timeout_us = cfg.exchange.rest_timeout_us;
  return o;
}

void collect_lighter_health(const runtime::LighterVenue& venue, const InstrumentTable& instruments,
                            service::VenueHealth& out) {
  out.name = "lighter";
  out.stream_connected = venue.stream_connected();
  out.reconnects = venue.reconnects();
  out.book_resyncs = venue.book_resyncs();
  out.book_gaps = venue.book_gaps();
  out.last_message_us = venue.last_frame_us();
  for (const InstrumentId id : venue.instrument_ids())
    if (const OrderBook* b = venue.book(id))
      out.books.push_back({instruments.market(id).symbol, venue.book_valid(id), b->last_update_us()});
}

LighterNode::LighterNode(boost::asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log,
                         runtime::JournalWriter& journal, InstrumentTable& instruments, lighter::Signer signer,
                         runtime::LighterVenueOptions opts)
    : io_(io),
      clock_(clock),
      log_(log),
      journal_(journal),
      instruments_(instruments),
      venue_(io, clock, std::move(log), journal, instruments, std::move(signer), std::move(opts)),
      final_timer_(io),
      funding_timer_(io) {}

void LighterNode::start_up(runtime::RecoveryOptions recovery, std::function<void(const std::string&)> fail,
                           std::function<void()> done) {
  recovery.venue = VenueId::kLighter;
  recovery.min_account_balance_usd = Decimal{};
  venue_.load_markets([this, recovery = std::move(recovery), fail = std::move(fail),
                       done = std::move(done)](const std::string* err) mutable {
    if (err) return fail(*err);
    recovery_ = std::make_unique<runtime::Recovery>(log_, clock_, journal_, venue_, instruments_,
                                                    std::vector<runtime::PairRef>{}, std::move(recovery));
    recovery_->run([fail](const std::string& m) { fail("Lighter: " + m); }, std::move(done));
  });
}

void LighterNode::start_trading(exec::ArbEngine& engine, Portfolio& portfolio, ClientId first_client_id,
                                const FeeSchedule& fees, runtime::ReconcilerOptions reconciler) {
  venue_.attach(engine);
  venue_.start();
  reconciler.venue = VenueId::kLighter;
  reconciler.feeds_engine_account = false;
  reconciler_ = std::make_unique<runtime::Reconciler>(io_, log_, clock_, journal_, venue_,
                                                      std::vector<runtime::PairRef>{}, "USDC", fees, reconciler);
  reconciler_->start(engine, portfolio, first_client_id);
  poll_funding(reconciler.funding_poll_us > 0 ? reconciler.funding_poll_us : 10 * kUsPerSecond);
}

void LighterNode::poll_funding(DurationUs every_us) {
  if (stopping_) return;
  venue_.refresh_funding([this, every_us](const std::string* error) {
    if (error != nullptr && !funding_failing_) {
      log_->warn("Lighter funding rates unavailable ({}): the last rates read stay in use", *error);
    } else if (error == nullptr && funding_failing_) {
      log_->info("Lighter funding rates read again");
    }
    funding_failing_ = error != nullptr;
    if (stopping_) return;
    funding_timer_.expires_after(std::chrono::microseconds(every_us));
    funding_timer_.async_wait([this, every_us](const boost::system::error_code& ec) {
      if (!ec) poll_funding(every_us);
    });
  });
}

void LighterNode::collect_margin(service::VenueHealth& out) const {
  if (!reconciler_) return;
  if (const auto& eq = reconciler_->equity()) {
    out.margin_available = eq->available;
    out.margin_used = eq->locked;
  }
  out.fills_missing_from_stream = reconciler_->fills_missing_from_stream();
}

Decimal LighterNode::available_margin() const noexcept {
  if (!reconciler_ || !reconciler_->equity()) return Decimal{};
  return reconciler_->equity()->available;
}

void LighterNode::on_unpaired_funding(std::function<void(std::string_view symbol, Decimal amount)> f) {
  if (reconciler_) reconciler_->on_unpaired_funding(std::move(f));
}

void LighterNode::stop(DurationUs timeout_us, std::function<void()> done) {
  if (stopping_) return done();
  stopping_ = true;
  funding_timer_.cancel();
  if (!reconciler_) return venue_.stop(timeout_us, std::move(done));
  reconciler_->stop();
  // Before the stream closes, the final pass Backpack's reconciler also makes: Lighter's fills history (a fill
  // the stream lost is booked now) and funding. Bounded by the same timeout; the next start books the rest.
  auto once = std::make_shared<std::function<void()>>(
      [this, timeout_us, done = std::move(done)]() mutable { venue_.stop(timeout_us, std::move(done)); });
  final_timer_.expires_after(std::chrono::microseconds(timeout_us));
  final_timer_.async_wait([this, once](const boost::system::error_code& ec) {
    if (ec || !*once) return;
    log_->warn("Shutdown: Lighter's final reconciliation did not answer in time; the next start books what is missing");
    auto f = std::move(*once);
    *once = nullptr;
    f();
  });
  reconciler_->final_pass([this, once] {
    final_timer_.cancel();
    if (!*once) return;
    auto f = std::move(*once);
    *once = nullptr;
    f();
  });
}

void LighterNode::close() {
  final_timer_.cancel();
  funding_timer_.cancel();
  if (reconciler_) reconciler_->cancel();
  venue_.close();
}

std::unique_ptr<LighterNode> make_lighter_node(boost::asio::io_context& io, const Clock& clock,
                                               std::shared_ptr<spdlog::logger> log, runtime::JournalWriter& journal,
                                               InstrumentTable& instruments, const Config& cfg,
                                               const runtime::PaperExchange* paper,
                                               std::optional<lighter::Signer>& paper_signer) {
  if (!hosts_lighter(cfg)) return nullptr;
  const LighterVenueConfig& l = *cfg.venues.lighter;
  std::string rest = l.rest_url;
  std::string ws = l.ws_url;
  std::optional<lighter::Signer> signer;
  if (paper != nullptr) {
    rest = paper->lighter_http_url();
    ws = paper->lighter_ws_url();
    signer = std::move(paper_signer);
    paper_signer.reset();
    log->info("Paper mode: embedded bpsim serves Lighter on {} (simulated account {}, fresh key)", rest,
              l.account_index);
  } else {
    std::string from;
    signer.emplace(load_lighter_signer(cfg, from));
    log->info("Live mode: Lighter {} account {} API key slot {} (key from {})", rest, l.account_index, l.api_key_index,
              from);
  }
  if (!signer) throw std::logic_error("paper mode's Lighter key was not made before the embedded bpsim");
  return std::make_unique<LighterNode>(io, clock, log, journal, instruments, std::move(*signer),
                                       lighter_venue_options(cfg, std::move(rest), std::move(ws)));
}

}  // namespace bparb::app
