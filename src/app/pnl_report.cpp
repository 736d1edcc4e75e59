#include "bparb/app/pnl_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <exception>
#include <map>
#include <ostream>
#include <string>
#include <utility>

#include "bparb/app/cli.hpp"
#include "bparb/app/config.hpp"
#include "bparb/core/money.hpp"
#include "bparb/core/venue.hpp"

namespace bparb::app {
namespace {

using service::PnlPeriod;
using service::PnlPeriodKind;
using service::PnlReport;

// The periods of one kind, keyed by start, newest first when taken out.
struct PeriodBook {
  PnlPeriodKind kind;
  std::map<TimestampUs, PnlPeriod> by_start;
  PnlPeriod& at(TimestampUs t) {
    const TimestampUs start = service::pnl_period_start(kind, t);
    PnlPeriod& p = by_start[start];
    p.start_us = start;
    return p;
  }
  std::vector<PnlPeriod> newest_first() const {
    std::vector<PnlPeriod> out;
    for (auto it = by_start.rbegin(); it != by_start.rend(); ++it) out.push_back(it->second);
    return out;
  }
};

// The base asset of a symbol ("SOL_USDC", "SOL_USDC_PERP" -> "SOL").
std::string_view base_of(std::string_view symbol) noexcept {
  return symbol.substr(0, symbol.find('_'));
}

std::string utc_time(TimestampUs t) {
  if (t <= 0) return "-";
  const std::time_t s = static_cast<std::time_t>(t / kUsPerSecond);
  std::tm tm{};
  gmtime_r(&s, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min);
}

// "spread 2.53 fees -1.35 funding 0.00 net 1.18": cents that add up to the printed net (docs/money.md).
std::string split_text(Decimal spread, Decimal fees, Decimal funding) {
  const std::array<Decimal, 3> parts = {spread, Decimal::zero() - fees, funding};
  std::array<std::int64_t, 3> cents{};
  const std::int64_t net = split_cents(parts, cents);
  return fmt::format("spread {:>9} fees {:>8} funding {:>8} net {:>9}", format_cents(cents[0]), format_cents(cents[1]),
                     format_cents(cents[2]), format_cents(net));
}

// A fill's fee in the quote asset: a base-asset fee valued at the fill price, as the portfolio books it.
Decimal quote_fee(const journal::FillRecord& f) {
  return f.fee_symbol == base_of(f.symbol) ? f.fee.mul(f.price, Rounding::kNearest) : f.fee;
}

// One venue's fees, funding and fills of one UTC day: what `bparb pnl --daily` adds once a second venue
// (Lighter) has fills or funding in the journal. The spread is a position's, and a position may have a leg on
// each venue, so it stays in the day's line above.
struct VenueDay {
  Decimal fees, funding;
  std::uint32_t fills = 0;
};
using VenueDays = std::map<std::pair<TimestampUs, VenueId>, VenueDay>;  // (day start, venue)

// False (with `why`) when the journal cannot be read. `several` says whether a venue other than Backpack
// appears.
bool venue_days(journal::Journal& j, VenueDays& out, bool& several, std::string& why) {
  auto fills = j.fills_since(0);
  auto funding = j.funding_since(0);
  if (!fills || !funding) {
    why = fmt::format("journal {}: cannot read fills or funding: {}", j.path(), j.last_error());
    return false;
  }
  several = false;
  for (const journal::FillRecord& f : *fills) {
    if (f.client_id == 0) continue;  // not ours
    VenueDay& d = out[{service::pnl_period_start(PnlPeriodKind::kDay, f.time_us), f.venue}];
    d.fees += quote_fee(f);
    ++d.fills;
    several = several || f.venue != VenueId::kBackpack;
  }
  for (const journal::FundingRecord& f : *funding) {
    out[{service::pnl_period_start(PnlPeriodKind::kDay, f.interval_end_ms * kUsPerMs), f.venue}].funding += f.amount;
    several = several || f.venue != VenueId::kBackpack;
  }
  return true;
}

void print_venue_days(std::ostream& out, const VenueDays& days) {
  out << "per UTC day and venue (fees at fill time, funding at settlement; the spread is the positions', above):\n";
  for (auto it = days.rbegin(); it != days.rend(); ++it) {
    const std::time_t s = static_cast<std::time_t>(it->first.first / kUsPerSecond);
    std::tm tm{};
    gmtime_r(&s, &tm);
    out << fmt::format("{:04d}-{:02d}-{:02d}  {:<9} fees {:>8} funding {:>8} | fills {}\n", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, venue_name(it->first.second),
                       format_usd(Decimal::zero() - it->second.fees), format_usd(it->second.funding), it->second.fills);
  }
}

}  // namespace

PnlReport journal_pnl_report(journal::Journal& j, TimestampUs now_us) {
  PnlReport r;
  r.computed_us = now_us;
  try {
    auto positions = j.positions();
    if (!positions) {
      r.error = fmt::format("journal {}: cannot read positions: {}", j.path(), j.last_error());
      return r;
    }
    auto fills = j.fills_since(0);
    if (!fills) {
      r.error = fmt::format("journal {}: cannot read fills: {}", j.path(), j.last_error());
      return r;
    }
    auto funding = j.funding_since(0);
    if (!funding) {
      r.error = fmt::format("journal {}: cannot read funding: {}", j.path(), j.last_error());
      return r;
    }
    std::array<PeriodBook, 3> books = {PeriodBook{PnlPeriodKind::kDay, {}}, PeriodBook{PnlPeriodKind::kWeek, {}},
                                       PeriodBook{PnlPeriodKind::kMonth, {}}};
    std::vector<journal::PositionRecord>& ps = *positions;
    std::sort(ps.begin(), ps.end(), [](const journal::PositionRecord& a, const journal::PositionRecord& b) {
      return a.opened_us != b.opened_us ? a.opened_us < b.opened_us : a.position_id < b.position_id;
    });
    for (const journal::PositionRecord& p : ps) {
      service::PositionPnl v;
      v.pair = p.pair;
      v.id = p.position_id;
      v.open = p.open;
      v.opened_us = p.opened_us;
      v.closed_us = p.closed_us;
      v.spread = p.realized;
      v.fees = p.fees;
      v.funding = p.funding;
      r.total_spread += p.realized;
      r.total_fees += p.fees;
      r.total_funding += p.funding;
      const TimestampUs at = p.open ? now_us : p.closed_us;
      for (PeriodBook& b : books) {
        PnlPeriod& period = b.at(at);
        period.spread += p.realized;
        if (!p.open) ++period.positions_closed;
      }
      r.positions.push_back(std::move(v));
    }
    for (const journal::FillRecord& f : *fills) {
      if (f.client_id == 0) continue;  // not ours
      const Decimal fee = quote_fee(f);
      for (PeriodBook& b : books) {
        PnlPeriod& period = b.at(f.time_us);
        period.fees += fee;
        ++period.fills;
      }
    }
    for (const journal::FundingRecord& f : *funding)
      for (PeriodBook& b : books) b.at(f.interval_end_ms * kUsPerMs).funding += f.amount;
    r.days = books[0].newest_first();
    r.weeks = books[1].newest_first();
    r.months = books[2].newest_first();
  } catch (const std::exception& e) {  // allocation failure: the daemon keeps trading without the view
    r = PnlReport{};
    r.computed_us = now_us;
    r.error = std::string("P&L report failed: ") + e.what();
  }
  return r;
}

PnlReportWorker::PnlReportWorker(std::string journal_path, Deliver deliver)
    : path_(std::move(journal_path)), deliver_(std::move(deliver)), thread_([this] { run(); }) {}

PnlReportWorker::~PnlReportWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void PnlReportWorker::request(TimestampUs now_us) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = now_us;
  }
  cv_.notify_one();
}

void PnlReportWorker::run() {
  std::optional<journal::Journal> j;  // this thread's own connection
  for (;;) {
    TimestampUs now = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || pending_.has_value(); });
      if (stop_) return;
      now = *pending_;
      pending_.reset();
    }
    PnlReport r;
    try {
      if (!j) {
        journal::JournalOptions jo;
        jo.read_only = true;
        j.emplace(journal::Journal::open(path_, jo));
      }
      r = journal_pnl_report(*j, now);
      if (!r.error.empty()) j.reset();  // reopen next time
    } catch (const std::exception& e) {
      r = PnlReport{};
      r.computed_us = now;
      r.error = e.what();
      j.reset();
    }
    deliver_(std::make_shared<const PnlReport>(std::move(r)));
  }
}

void print_pnl_report(std::ostream& out, const PnlReport& r, bool daily, const std::string& journal_path) {
  out << "Realized P&L from " << journal_path << " (USD; fees are what they add to the P&L)\n";
  if (r.positions.empty()) out << "no positions\n";
  for (const service::PositionPnl& p : r.positions) {
    out << fmt::format("#{:<4} {:<5} {:<6} opened {} {:<22} {}\n", p.id, p.pair, p.open ? "open" : "closed",
                       utc_time(p.opened_us), p.open ? std::string() : "closed " + utc_time(p.closed_us),
                       split_text(p.spread, p.fees, p.funding));
  }
  std::size_t open = 0;
  for (const service::PositionPnl& p : r.positions) open += p.open ? 1 : 0;
  out << fmt::format("total: {} position(s), {} open | {}\n", r.positions.size(), open,
                     split_text(r.total_spread, r.total_fees, r.total_funding));
  if (!daily) return;
  out << "per UTC day (fees at fill time, funding at settlement, spread when the position closed):\n";
  for (const PnlPeriod& d : r.days) {
    const std::time_t s = static_cast<std::time_t>(d.start_us / kUsPerSecond);
    std::tm tm{};
    gmtime_r(&s, &tm);
    out << fmt::format("{:04d}-{:02d}-{:02d}  {} | fills {}, closed {}\n", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       split_text(d.spread, d.fees, d.funding), d.fills, d.positions_closed);
  }
}

int cmd_pnl(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  constexpr std::string_view kUsage =
      "Usage: bparb pnl [--daily] [--config FILE | --journal FILE]\n"
      "  realized P&L (spread, fees, funding) per position and in total from the journal, opened read-only\n"
      "  (the daemon may be running or stopped); --daily adds one line per UTC day. Default: --config "
      "config/bparb.toml\n";
  bool daily = false;
  std::string config_path, journal_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return kExitOk;
    }
    if (a == "--daily") {
      daily = true;
    } else if ((a == "--config" || a == "--journal") && i + 1 < args.size()) {
      (a == "--config" ? config_path : journal_path) = args[++i];
    } else {
      err << "bparb pnl: " << (a == "--config" || a == "--journal" ? "missing value for " : "unknown option ") << "'"
          << a << "'\n"
          << kUsage;
      return kExitUsage;
    }
  }
  if (!config_path.empty() && !journal_path.empty()) {
    err << "bparb pnl: give --config or --journal, not both\n" << kUsage;
    return kExitUsage;
  }
  if (journal_path.empty()) {
    if (config_path.empty()) config_path = "config/bparb.toml";
    try {
      const Config cfg = load_config(config_path);
      if (!cfg.journal.enabled) {
        err << "bparb pnl: " << config_path << ": journal.enabled is false; there is no journal to read\n";
        return kExitUsage;
      }
      journal_path = cfg.journal.path;
    } catch (const ConfigError& e) {
      err << e.what() << "\n";
      return kExitUsage;
    }
  }
  try {
    journal::JournalOptions jo;
    jo.read_only = true;
    journal::Journal j = journal::Journal::open(journal_path, jo);
    const PnlReport r = journal_pnl_report(j, SystemClock{}.now_us());
    if (!r.error.empty()) {
      err << "bparb pnl: " << r.error << "\n";
      return kExitFailure;
    }
    print_pnl_report(out, r, daily, journal_path);
    VenueDays days;
    bool several = false;
    std::string why;
    if (daily && !venue_days(j, days, several, why)) {
      err << "bparb pnl: " << why << "\n";
      return kExitFailure;
    }
    if (several) print_venue_days(out, days);
  } catch (const std::exception& e) {
    err << "bparb pnl: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace bparb::app
