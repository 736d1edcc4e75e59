#include "bparb/app/lighter_node.hpp"

#include <array>
#include <chrono>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "bparb/app/lighter_command.hpp"
#include "bparb/venue/lighter/keys.hpp"
#include "bparb/venue/lighter/nonce_manager.hpp"

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

std::vector<std::uint8_t> lighter_key_slots(const Config& cfg) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  std::vector<std::uint8_t> slots;
  if (l.api_key_indexes.empty()) slots.push_back(static_cast<std::uint8_t>(l.api_key_index));
  for (const std::int64_t k : l.api_key_indexes) slots.push_back(static_cast<std::uint8_t>(k));
  return slots;
}

std::vector<lighter::Signer> load_lighter_keys(const Config& cfg, std::string& from) {
  static_assert(kLighterMaxApiKeys == lighter::NoncePool::kMaxKeys, "the config's pool limit is the sender's");
  LighterKeySource source;
  source.env_file = cfg.exchange.env_file;
  const bool pool = !cfg.venues.lighter->api_key_indexes.empty();
  std::vector<lighter::Signer> keys;
  for (const std::uint8_t slot : lighter_key_slots(cfg)) {
    lighter::SignerConfig c = lighter_signer_config(cfg);
    c.api_key_index = slot;
    const std::string var = pool ? lighter_pool_key_var(slot) : std::string(kLighterPrivateKeyVar);
    std::string why;
    std::optional<lighter::Signer> s = lighter_signer(source, c, why, &from, var);
    if (!s)
      throw std::runtime_error("[venues.lighter] lists markets but the Lighter key of API key slot " +
                               std::to_string(slot) + " is unusable: " + why);
    keys.push_back(std::move(*s));
  }
  return keys;
}

std::vector<lighter::Signer> paper_lighter_keys(const Config& cfg) {
  std::vector<lighter::Signer> keys;
  for (const std::uint8_t slot : lighter_key_slots(cfg)) {
    lighter::SignerConfig c = lighter_signer_config(cfg);
    c.api_key_index = slot;
    keys.emplace_back(lighter::PrivateKey::generate(), c);
  }
  return keys;
}

runtime::PaperOptions::Lighter paper_lighter_options(const Config& cfg, const std::vector<lighter::Signer>& keys) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  runtime::PaperOptions::Lighter p;
  p.markets = l.markets;
  p.account_index = l.account_index;
  p.premium = l.account_tier == LighterTier::kPremium;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::array<char, 80> hex{};
    keys[i].public_key_hex(hex);
    std::string pub(hex.data(), hex.size());
    if (i == 0) {
      p.api_key_index = keys[i].config().api_key_index;
      p.public_key_hex = std::move(pub);
    } else {
      p.more_keys.emplace_back(keys[i].config().api_key_index, std::move(pub));
    }
  }
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
                         runtime::JournalWriter& journal, InstrumentTable& instruments,
                         std::vector<lighter::Signer> keys, runtime::LighterVenueOptions opts)
    : io_(io),
      clock_(clock),
      log_(log),
      journal_(journal),
      instruments_(instruments),
      venue_(
          io, clock, std::move(log), journal, instruments, std::move(keys.front()), std::move(opts),
          std::vector<lighter::Signer>(std::make_move_iterator(keys.begin() + 1), std::make_move_iterator(keys.end()))),
      final_timer_(io),
      funding_timer_(io) {}

void LighterNode::start_up(runtime::RecoveryOptions recovery, std::function<void(const std::string&)> fail,
                           std::function<void()> done) {
  recovery.venue = VenueId::kLighter;
  recovery.min_account_balance_usd = Decimal{};
  recovery.check_single_positions = true;  // a Lighter position outside the pairs is the journal's to explain
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
  out.equity = reconciler_->net_equity();
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

void LighterNode::on_unpaired_funding(
    std::function<void(std::string_view symbol, Decimal amount, TimestampUs settled_us)> f) {
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

void LighterNode::collect(service::Snapshot& s, const NodeEvents& events) const {
  service::VenueHealth& lv = s.venues.emplace_back();
  collect_lighter_health(venue_, instruments_, lv);
  collect_margin(lv);
  service::collect_venue_metrics(s, lv, events.lighter_metrics());
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
                                               std::vector<lighter::Signer>& paper_keys) {
  if (!hosts_lighter(cfg)) return nullptr;
  const LighterVenueConfig& l = *cfg.venues.lighter;
  std::string rest = l.rest_url;
  std::string ws = l.ws_url;
  std::vector<lighter::Signer> keys;
  std::string slots;
  for (const std::uint8_t slot : lighter_key_slots(cfg)) slots += (slots.empty() ? "" : ", ") + std::to_string(slot);
  if (paper != nullptr) {
    rest = paper->lighter_http_url();
    ws = paper->lighter_ws_url();
    keys = std::move(paper_keys);
    paper_keys.clear();
    log->info("Paper mode: embedded bpsim serves Lighter on {} (simulated account {}, {})", rest, l.account_index,
              keys.size() > 1 ? "fresh keys in slots " + slots + ", round robin per transaction" : "fresh key");
  } else {
    std::string from;
    keys = load_lighter_keys(cfg, from);
    if (keys.size() > 1)
      log->info("Live mode: Lighter {} account {} API key slots {}, round robin per transaction (keys from {})", rest,
                l.account_index, slots, from);
    else
      log->info("Live mode: Lighter {} account {} API key slot {} (key from {})", rest, l.account_index, slots, from);
  }
  if (keys.empty()) throw std::logic_error("paper mode's Lighter keys were not made before the embedded bpsim");
  return std::make_unique<LighterNode>(io, clock, log, journal, instruments, std::move(keys),
                                       lighter_venue_options(cfg, std::move(rest), std::move(ws)));
}

namespace {

class LighterVenuePlan final : public VenuePlan {
 public:
  explicit LighterVenuePlan(const Config& cfg) : cfg_(cfg) {}
  // The simulated Lighter account registers a fresh key too.
  void paper(runtime::PaperOptions& po) override {
    keys_ = paper_lighter_keys(cfg_);
    po.lighter = paper_lighter_options(cfg_, keys_);
  }
  std::unique_ptr<VenueNode> make(VenueContext& ctx, const runtime::PaperExchange* paper) override {
    std::unique_ptr<LighterNode> n =
        make_lighter_node(ctx.io, ctx.clock, ctx.log, ctx.journal, ctx.instruments, ctx.cfg, paper, keys_);
    ctx.events.set_lighter(&n->venue());
    return n;
  }

 private:
  const Config& cfg_;
  std::vector<lighter::Signer> keys_;  // paper mode's, until the Lighter venue takes them
};

}  // namespace

std::unique_ptr<VenuePlan> make_lighter_venue_plan(const Config& cfg) {
  return std::make_unique<LighterVenuePlan>(cfg);
}

}  // namespace bparb::app
