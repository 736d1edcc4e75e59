#include "bparb/runtime/startup.hpp"

#include <stdexcept>
#include <utility>

namespace bparb::runtime {

Startup::Startup(std::shared_ptr<spdlog::logger> log, const Clock& clock, JournalWriter& journal,
                 exec::StartupVenue& venue, exec::ReconciliationVenue& reports, InstrumentTable& instruments,
                 StartupOptions opts)
    : log_(std::move(log)),
      clock_(clock),
      journal_(journal),
      venue_(venue),
      reports_(reports),
      instruments_(instruments),
      opts_(std::move(opts)) {}

void Startup::fail(StartupStep step, std::string message) {
  fail_(StartupFailure{step, std::move(message)});
}

void Startup::run(std::function<void(const StartupFailure&)> on_fail, std::function<void()> on_done) {
  fail_ = std::move(on_fail);
  done_ = std::move(on_done);
  venue_.sync_clock([this](const exec::VenueError* err, const exec::ClockOffsetReport& t) {
    if (err) return fail(StartupStep::kClock, err->request + " failed: " + err->message);
    log_->info("Clock offset to exchange: {} ms (rtt {} us)", t.offset_ms, t.rtt_us);
    venue_.markets([this](const exec::VenueError* e, std::span<const MarketSpec> all) {
      if (e) return fail(StartupStep::kMarkets, e->request + " failed: " + e->message);
      load_markets(all);
    });
  });
}

void Startup::load_markets(std::span<const MarketSpec> all) {
  if (opts_.select_perps && !selected_) {
    listed_.assign(all.begin(), all.end());
    return opts_.select_perps(listed_, [this](const std::string& error, std::vector<std::string> chosen) {
      if (!error.empty()) return fail(StartupStep::kMarkets, error);
      opts_.perps = std::move(chosen);
      selected_ = true;
      load_markets(listed_);
    });
  }
  auto find = [&](const std::string& s) -> const MarketSpec* {
    for (const MarketSpec& m : all)
      if (m.symbol == s) return &m;
    return nullptr;
  };
  for (const WantedPair& pc : opts_.pairs) {
    const MarketSpec* s = find(pc.spot_symbol);
    const MarketSpec* p = find(pc.perp_symbol);
    if (!s || !p)
      return fail(StartupStep::kMarkets, "pair " + pc.base + ": market " + (!s ? pc.spot_symbol : pc.perp_symbol) +
                                             " does not exist on the exchange (check [[pairs]] in " +
                                             opts_.source_path + ")");
    if (s->type != MarketType::kSpot || p->type != MarketType::kPerp)
      return fail(StartupStep::kMarkets,
                  "pair " + pc.base + ": " + pc.spot_symbol + " must be SPOT and " + pc.perp_symbol + " PERP");
    if (s->state != OrderBookState::kOpen || p->state != OrderBookState::kOpen) {
      log_->warn("Pair {} skipped: order book state {} / {}", pc.base, order_book_state_name(s->state),
                 order_book_state_name(p->state));
      continue;
    }
    try {
      instruments_.add(opts_.venue, *s);
      instruments_.add(opts_.venue, *p);
    } catch (const std::invalid_argument& e) {
      return fail(StartupStep::kMarkets,
                  "pair " + pc.base + ": " + e.what() + " (check [[pairs]] in " + opts_.source_path + ")");
    }
  }
  const std::size_t pair_markets = instruments_.size();
  for (const std::string& sym : opts_.perps) {
    const MarketSpec* p = find(sym);
    if (!p)
      return fail(StartupStep::kMarkets, "market " + sym + " does not exist on the exchange (check [mm] markets in " +
                                             opts_.source_path + ")");
    if (p->type != MarketType::kPerp)
      return fail(StartupStep::kMarkets,
                  "market " + sym + " is not a PERP (check [mm] markets in " + opts_.source_path + ")");
    if (p->state != OrderBookState::kOpen)
      return fail(StartupStep::kMarkets, "market " + sym + ": order book state " +
                                             std::string(order_book_state_name(p->state)) + ", not open");
    try {
      perps_.push_back(instruments_.add(opts_.venue, *p));
    } catch (const std::invalid_argument& e) {
      return fail(StartupStep::kMarkets,
                  "market " + sym + ": " + e.what() + " (check [mm] markets in " + opts_.source_path + ")");
    }
  }
  if (instruments_.empty())
    return fail(StartupStep::kMarkets, opts_.perps.empty() && !opts_.pairs.empty()
                                           ? "no enabled pair has open spot and perp markets"
                                           : "no market to trade");
  // One quote asset for every market: the engine sizes spot buys from one quote balance and counts
  // P&L, fees and funding in it (docs/money.md), so pairs quoted in different assets cannot share it.
  const MarketSpec& first = instruments_.market(0);
  quote_asset_ = first.quote_symbol;
  for (const Instrument& in : instruments_) {
    const MarketSpec& m = in.market;
    if (m.quote_symbol != quote_asset_)
      return fail(StartupStep::kMarkets, "the configured pairs do not share one quote asset: " + first.symbol +
                                             " is quoted in " + quote_asset_ + ", " + m.symbol + " in " +
                                             m.quote_symbol + "; configure pairs of one quote asset");
  }
  log_->info("Quote asset: {} (all {} markets)", quote_asset_, instruments_.size());
  std::size_t mi = 0;
  for (const WantedPair& pc : opts_.pairs) {
    if (mi >= pair_markets || instruments_.market(static_cast<InstrumentId>(mi)).symbol != pc.spot_symbol) continue;
    PairRef pr;
    pr.base = pc.base;
    pr.instruments = {static_cast<InstrumentId>(mi), static_cast<InstrumentId>(mi + 1)};
    pr.spot = &instruments_.market(pr.instruments[0]);
    pr.perp = &instruments_.market(pr.instruments[1]);
    mi += 2;
    pr.index = static_cast<PairIndex>(pairs_.size());  // the same order Portfolio/ArbEngine::add_pair number them
    pairs_.push_back(pr);
  }
  std::vector<std::string> names;
  for (const PairRef& p : pairs_) names.push_back(p.base);
  journal_.set_pair_names(std::move(names));
  check_account();
}

void Startup::check_account() {
  venue_.account_terms([this](const exec::VenueError* err, const exec::AccountTermsReport& a) {
    if (err) return fail(StartupStep::kAccount, err->request + " failed: " + err->code + " " + err->message);
    fees_ = a.fees;
    for (const Instrument& in : instruments_)
      instruments_.set_fees(in.id, in.is_perp() ? InstrumentFees{fees_.perp_maker_bps, fees_.perp_taker_bps}
                                                : InstrumentFees{fees_.spot_maker_bps, fees_.spot_taker_bps});
    log_->info("Account fee rates (bps): spot maker {} taker {}, perp maker {} taker {}", fees_.spot_maker_bps.str(),
               fees_.spot_taker_bps.str(), fees_.perp_maker_bps.str(), fees_.perp_taker_bps.str());
    if (a.liquidating) return fail(StartupStep::kAccount, "the account is being liquidated");
    start_recovery();
  });
}

// Start-up and crash recovery are one path (runtime/recovery.hpp).
void Startup::start_recovery() {
  RecoveryOptions recovery = opts_.recovery;
  recovery.venue = opts_.venue;  // the venue whose reports it reads
  recovery_ = std::make_unique<Recovery>(log_, clock_, journal_, reports_, instruments_, pairs_, recovery);
  recovery_->run([this](const std::string& why) { fail(StartupStep::kRecovery, why); },
                 [this] { resume_client_ids(); });
}

void Startup::resume_client_ids() {
  const auto time_based_id = static_cast<std::uint32_t>((clock_.now_us() / kUsPerSecond) % (1u << 21)) << 10;
  if (journal::Journal* jr = journal_.journal()) {
    // Every id the engine hands out is journaled as an intent before it is sent, and the journal resumes
    // after the highest one: ids stay monotonic across restarts without reserving blocks. A brand-new
    // journal on an account with history starts from the time-derived id, not 1: the exchange still
    // knows the orders (and fills) of earlier ids, and a reused id would pick up their fills.
    if (jr->peek_next_client_id() <= 1 && time_based_id > 1) {
      if (!jr->reserve_client_ids(time_based_id - 1))
        return fail(StartupStep::kClientIds, "journal " + jr->path() + ": " + jr->last_error());
    }
    auto id = jr->next_client_id();
    if (!id) return fail(StartupStep::kClientIds, "journal " + jr->path() + ": " + jr->last_error());
    first_client_id_ = *id;
    log_->info("Journal: client ids resume at {}", *id);
  } else {
    first_client_id_ = time_based_id;
  }
  done_();
}

}  // namespace bparb::runtime
