#pragma once
// Realized P&L from the journal, split into spread, fees and funding, per position and per UTC day, week
// and month (docs/service.md "P&L from the journal"). The daemon computes it on a slow timer for GET
// /api/v1/pnl; `bparb pnl` computes it from the journal file, read-only, whether the daemon runs or not.
//
// How each part is dated: a fill's fee at the fill's time (a base-asset fee valued at the fill price, as the
// portfolio books it), a funding payment at the end of its interval, a position's price P&L (spread) when the
// position closed (an open position's realized part so far in the current period). Totals are the
// positions' own sums, which is what the `Closed position` lines say.
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "bparb/core/clock.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/service/views.hpp"

namespace bparb::app {

// Never throws: a read failure is reported in `error`.
service::PnlReport journal_pnl_report(journal::Journal& journal, TimestampUs now_us);

// Computes journal_pnl_report() on its own thread over its own read-only connection (WAL: it never blocks the
// writer), so a journal of many fills never stalls the event loop: 100,000 fills take about 0.15 s to read.
// `deliver` runs on the worker thread; the daemon posts the report to its loop from there.
class PnlReportWorker {
 public:
  using Deliver = std::function<void(std::shared_ptr<const service::PnlReport>)>;
  PnlReportWorker(std::string journal_path, Deliver deliver);
  ~PnlReportWorker();  // joins the thread
  PnlReportWorker(const PnlReportWorker&) = delete;
  PnlReportWorker& operator=(const PnlReportWorker&) = delete;
  // Asks for a report as of `now_us`; a request while one is computed replaces the waiting one.
  void request(TimestampUs now_us);

 private:
  void run();
  std::string path_;
  Deliver deliver_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::optional<TimestampUs> pending_;
  std::thread thread_;  // last: started once the members above exist
};

// The report as text: per position and totals; with `daily`, one line per UTC day as well.
void print_pnl_report(std::ostream& out, const service::PnlReport& r, bool daily, const std::string& journal_path);

// `bparb pnl [--daily] [--config FILE | --journal FILE]`: exit 0, 1 when the journal cannot be read, 2 on
// bad usage or config.
int cmd_pnl(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace bparb::app
