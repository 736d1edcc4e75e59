#include "bparb/app/backtest_command.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bparb/app/backtest_xarb.hpp"
#include "bparb/app/cli.hpp"
#include "bparb/app/engine_config.hpp"
#include "bparb/backtest/coverage.hpp"
#include "bparb/backtest/parsed_recording.hpp"
#include "bparb/backtest/report.hpp"
#include "bparb/core/money.hpp"
#include "bparb/record/binance_import.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::app {
namespace {

constexpr const char* kUsage =
    "usage: bparb backtest --config FILE --data DIR [--from T] [--to T] --report DIR [--sweep key=from:to:step]...\n"
    "  T: Unix seconds or ISO-8601 UTC (2024-08-08T23:55:00Z)\n";

}  // namespace

Config config_with(const std::string& config_path, const std::vector<std::pair<std::string, std::string>>& overrides) {
  if (overrides.empty()) return load_config(config_path);
  toml::table root;
  try {
    root = toml::parse_file(config_path);
  } catch (const toml::parse_error&) {
    return load_config(config_path);  // the loader gives the full message
  }
  std::string name = config_path + " [";
  for (const auto& [key, value] : overrides) {
    const auto dot = key.find('.');
    const std::string table = key.substr(0, dot);
    const std::string leaf = key.substr(dot + 1);
    if (!root.contains(table)) root.insert(table, toml::table{});
    toml::table* t = root[table].as_table();
    if (t == nullptr) throw ConfigError(config_path, {config_path + ": " + table + " is not a table"});
    if (value.find('.') == std::string::npos) {
      t->insert_or_assign(leaf, static_cast<std::int64_t>(std::stoll(value)));
    } else {
      t->insert_or_assign(leaf, value);  // decimals are accepted as strings and read exactly
    }
    name += (name.back() == '[' ? "" : ", ") + key + "=" + value;
  }
  name += "]";
  std::ostringstream text;
  text << root;
  Config c = parse_config_string(text.str(), name);
  c.source_path = config_path;
  return c;
}

backtest::RunnerConfig runner_config(const Config& cfg) {
  backtest::RunnerConfig rc;
  rc.engine = engine_params(cfg);
  rc.risk = risk_limits(cfg);
  const BacktestConfig& b = cfg.backtest;
  rc.fees = {b.spot_maker_fee_bps, b.spot_taker_fee_bps, b.perp_maker_fee_bps, b.perp_taker_fee_bps};
  rc.quote_balance = b.quote_balance_usd;
  rc.base_inventory_usd = b.base_inventory_usd;
  rc.latency.fixed_us = b.order_latency_ms * kUsPerMs;
  if (b.response_latency_ms >= 0) rc.latency.response_fixed_us = b.response_latency_ms * kUsPerMs;
  for (std::int64_t s : b.latency_samples_ms) rc.latency.samples_us.push_back(s * kUsPerMs);
  rc.latency.seed = static_cast<std::uint64_t>(b.seed);
  rc.sample_interval_us = static_cast<std::uint64_t>(b.sample_interval_seconds) * kUsPerSecond;
  rc.queue_model = b.queue_model;
  rc.config_path = cfg.source_path;
  std::vector<MarketSpec> listed;
  if (b.markets == "sim_config") {
    const sim::SimConfig sc = sim::load_sim_config(cfg.paper.sim_config);
    for (const sim::MarketSetup& m : sc.exchange.markets) listed.push_back(m.spec);
  }
  // The market maker quotes the perps [mm] markets names, alone (no pair), on the daemon's engine tick and
  // account poll.
  if (cfg.strategy.kind == StrategyKind::kMarketMaker) {
    for (const std::string& sym : cfg.mm.markets) {
      if (b.markets == "binance_stand_in") {
        rc.mm_markets.push_back(record::binance_stand_in_spec(sym, true));
        continue;
      }
      const auto it = std::find_if(listed.begin(), listed.end(), [&](const MarketSpec& m) { return m.symbol == sym; });
      if (it == listed.end())
        throw std::runtime_error("mm.markets: " + sym + " is not listed in " + cfg.paper.sim_config +
                                 " (backtest.markets = \"sim_config\"; use \"binance_stand_in\" for imported data)");
      rc.mm_markets.push_back(*it);
    }
    rc.mm = cfg.mm.params;
    rc.timer_interval_us = cfg.strategy.tick_us;
    rc.account_interval_us = cfg.exchange.account_poll_us;
    return rc;
  }
  // The cross-venue pair comes from the recording too (xarb_backtest_setup): run_one adds it.
  if (cfg.strategy.kind == StrategyKind::kCrossVenue) {
    rc.timer_interval_us = cfg.strategy.tick_us;
    rc.account_interval_us = cfg.exchange.account_poll_us;
    return rc;
  }
  for (const PairConfig& p : cfg.pairs) {
    if (!p.enabled) continue;
    backtest::PairSetup ps;
    ps.name = p.base;
    if (b.markets == "binance_stand_in") {
      ps.spot = record::binance_stand_in_spec(p.spot_symbol, false);
      ps.perp = record::binance_stand_in_spec(p.perp_symbol, true);
    } else {
      const MarketSpec* s = nullptr;
      const MarketSpec* f = nullptr;
      for (const MarketSpec& m : listed) {
        if (m.symbol == p.spot_symbol) s = &m;
        if (m.symbol == p.perp_symbol) f = &m;
      }
      if (s == nullptr || f == nullptr)
        throw std::runtime_error("pair " + p.base + ": market " + (s == nullptr ? p.spot_symbol : p.perp_symbol) +
                                 " is not listed in " + cfg.paper.sim_config +
                                 " (backtest.markets = \"sim_config\"; use \"binance_stand_in\" for imported data)");
      ps.spot = *s;
      ps.perp = *f;
    }
    rc.pairs.push_back(std::move(ps));
  }
  if (rc.pairs.empty()) throw std::runtime_error("no enabled pair in " + cfg.source_path);
  return rc;
}

int cmd_backtest(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::string config_path, data, report;
  TimestampUs from = 0, to = 0;
  std::vector<backtest::SweepSpec> sweeps;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    auto need = [&]() {
      err << "bparb backtest: " << a << ": missing value\n" << kUsage;
      return kExitUsage;
    };
    if (a == "--config" || a == "-c") {
      if (!has_value) return need();
      config_path = args[++i];
    } else if (a == "--data") {
      if (!has_value) return need();
      data = args[++i];
    } else if (a == "--report") {
      if (!has_value) return need();
      report = args[++i];
    } else if (a == "--from" || a == "--to") {
      if (!has_value) return need();
      const std::string& v = args[++i];
      if (!backtest::parse_time_arg(v, a == "--from" ? from : to)) {
        err << "bparb backtest: " << a << ": \"" << v
            << "\" is not a time; allowed: Unix seconds (1723161255) or ISO-8601 UTC (2024-08-08T23:55:00Z)\n";
        return kExitUsage;
      }
    } else if (a == "--sweep") {
      if (!has_value) return need();
      backtest::SweepSpec s;
      std::string e;
      if (!backtest::parse_sweep_spec(args[++i], s, e)) {
        err << "bparb backtest: " << e << "\n";
        return kExitUsage;
      }
      for (const backtest::SweepSpec& prev : sweeps) {
        if (prev.key == s.key) {
          err << "bparb backtest: --sweep " << s.key << " given twice\n";
          return kExitUsage;
        }
      }
      sweeps.push_back(std::move(s));
    } else {
      err << "bparb backtest: unexpected argument \"" << a << "\"\n" << kUsage;
      return kExitUsage;
    }
  }
  for (const auto& [name, v] : {std::pair<const char*, const std::string*>{"--config", &config_path},
                                {"--data", &data},
                                {"--report", &report}}) {
    if (v->empty()) {
      err << "bparb backtest: " << name << " is required\n" << kUsage;
      return kExitUsage;
    }
  }
  if (from > 0 && to > 0 && to < from) {
    err << "bparb backtest: --to is before --from\n";
    return kExitUsage;
  }
  std::error_code ec;
  if (!std::filesystem::exists(data, ec)) {
    err << "bparb backtest: --data: \"" << data << "\" does not exist\n";
    return kExitUsage;
  }
  std::size_t grid = 1;
  for (const backtest::SweepSpec& s : sweeps) {
    grid *= s.values.size();
    if (grid > 10'000) {
      err << "bparb backtest: --sweep grid has more than 10000 points\n";
      return kExitUsage;
    }
  }

  // One run: fresh runner over a fresh source (deterministic: nothing carries over between grid points).
  // A single run streams the recording through the decode-ahead reader (decompression on threads of
  // its own) and parses it on a thread of its own; a sweep decodes it the same way, parses it once into memory and
  // replays the parsed events for every grid point.
  std::unique_ptr<backtest::ParsedRecording> parsed;
  std::uint64_t decoded_malformed = 0;
  auto run_one = [&](const Config& cfg, std::uint64_t& events, double& secs) {
    backtest::RunnerConfig rc = runner_config(cfg);
    if (cfg.strategy.kind == StrategyKind::kCrossVenue) rc.xarb = xarb_backtest_setup(cfg, data);
    rc.from_us = from;
    rc.to_us = to;
    rc.data_path = data;
    backtest::Runner runner(std::move(rc));
    backtest::BacktestResult res;
    if (parsed) {
      const auto t0 = std::chrono::steady_clock::now();
      res = runner.run(*parsed);
      secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      res.malformed_frames += decoded_malformed;
    } else {
      const auto t0 = std::chrono::steady_clock::now();
      record::ReaderOptions ro;
      ro.decode_ahead = true;
      record::RecordingReader reader(data, ro);
      {
        backtest::ParseAhead parse_ahead(reader);  // the reader is the parse thread's until this is gone
        res = runner.run(parse_ahead);
      }
      secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (!reader.error().empty()) throw std::runtime_error("--data: " + reader.error());
      res.malformed_frames += reader.stats().malformed;
    }
    events += res.events;
    return res;
  };

  try {
    Config base;
    try {
      base = load_config(config_path);
    } catch (const ConfigError& e) {
      err << e.what() << "\n";
      return kExitUsage;
    }
    // Both venues' recordings before anything is parsed (a cross-venue run refuses one venue's data).
    if (base.strategy.kind == StrategyKind::kCrossVenue) (void)xarb_backtest_setup(base, data);
    // Every grid point's config first, so a bad value is reported before hours of replay.
    std::vector<std::pair<Config, backtest::SweepRow>> grid_points;
    if (!sweeps.empty()) {
      // Odometer over the grid, last key fastest; sequential so the order (and the output) is fixed.
      std::vector<std::size_t> idx(sweeps.size(), 0);
      bool done = false;
      while (!done) {
        std::vector<std::pair<std::string, std::string>> ov;
        backtest::SweepRow row;
        for (std::size_t k = 0; k < sweeps.size(); ++k) {
          ov.emplace_back(sweeps[k].key, sweeps[k].values[idx[k]]);
          row.params.push_back({sweeps[k].key, sweeps[k].values[idx[k]]});
        }
        try {
          grid_points.emplace_back(config_with(config_path, ov), std::move(row));
        } catch (const ConfigError& e) {
          err << "bparb backtest: --sweep: " << e.what() << "\n";
          return kExitUsage;
        }
        std::size_t k = sweeps.size();
        for (;;) {
          if (k == 0) {
            done = true;
            break;
          }
          --k;
          if (++idx[k] < sweeps[k].values.size()) break;
          idx[k] = 0;
        }
      }
    }
    double decode_secs = 0;
    if (!grid_points.empty()) {
      const auto t0 = std::chrono::steady_clock::now();
      // Decompression on the reader's threads (one per market file) while this thread parses.
      record::ReaderOptions ro;
      ro.decode_ahead = true;
      record::RecordingReader reader(data, ro);
      parsed = std::make_unique<backtest::ParsedRecording>();
      record::FrameLine line;
      while (reader.next(line)) parsed->append(line);
      if (!reader.error().empty()) throw std::runtime_error(reader.error());
      decoded_malformed = reader.stats().malformed;
      decode_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::uint64_t events = 0;
    double secs = 0;
    const backtest::BacktestResult result = run_one(base, events, secs);
    // Grid points are independent runs over the same decoded lines (a Runner shares nothing): one per core
    // at a time, each row written to its own slot, so the rows do not depend on the scheduling.
    std::vector<backtest::SweepRow> rows(grid_points.size());
    std::size_t sweep_threads = 0;
    if (!grid_points.empty()) {
      sweep_threads = std::min<std::size_t>(grid_points.size(), std::max(1u, std::thread::hardware_concurrency()));
      std::atomic<std::size_t> next{0};
      std::vector<std::exception_ptr> errors(sweep_threads);
      std::vector<std::uint64_t> thread_events(sweep_threads, 0);
      auto work = [&](std::size_t w) {
        try {
          for (std::size_t i = next++; i < grid_points.size(); i = next++) {
            double unused = 0;
            const backtest::BacktestResult r = run_one(grid_points[i].first, thread_events[w], unused);
            backtest::SweepRow& row = rows[i];
            row = grid_points[i].second;
            row.trades = r.trades.size();
            row.wins = r.wins;
            row.net_pnl = r.net_pnl;
            row.max_drawdown = r.max_drawdown;
            row.fees = r.fees;
            row.funding = r.funding;
          }
        } catch (...) {
          errors[w] = std::current_exception();
          next = grid_points.size();  // the others stop after their current point
        }
      };
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (std::size_t w = 1; w < sweep_threads; ++w) pool.emplace_back(work, w);
      work(0);
      for (std::thread& t : pool) t.join();
      secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      for (std::size_t w = 0; w < sweep_threads; ++w) {
        if (errors[w]) std::rethrow_exception(errors[w]);
        events += thread_events[w];
      }
    }
    backtest::write_report_dir(report, result, sweeps.empty() ? nullptr : &rows);
    const double window_s = static_cast<double>(result.to_us - result.from_us) / static_cast<double>(kUsPerSecond);
    std::ostringstream valid;
    valid.setf(std::ios::fixed);
    valid.precision(1);
    for (const backtest::BookValidity& b : result.books) {
      valid << (valid.tellp() > 0 ? ", " : "") << b.symbol << " "
            << (window_s > 0 ? 100.0 * static_cast<double>(b.valid_us) / static_cast<double>(kUsPerSecond) / window_s
                             : 0.0)
            << " %";
    }
    valid << " of " << window_s << " s";
    const std::string no_book = backtest::no_valid_book_reason(result.books);
    if (result.from_us == 0 && result.events > 0) {
      err << "bparb backtest: not a result: no line of " << data << " is at or after --from, nothing was replayed "
          << "with trading on (report written to " << report << ")\n";
      return kExitFailure;
    }
    if (!no_book.empty()) {
      err << "bparb backtest: not a result: " << no_book
          << ". Without a valid book nothing can be priced or traded on that market, so the " << result.events
          << " replayed events show nothing about the strategy (report written to " << report << "/ for inspection)\n";
      return kExitFailure;
    }
    for (const backtest::MmMarketResult& m : result.market_maker) out << backtest::mm_summary_line(m) << "\n";
    if (result.cross_venue) out << backtest::xarb_summary_line(*result.cross_venue) << "\n";
    std::int64_t mm_fills = 0;
    // Fees and funding are printed as what they add to the P&L, to the cent, half away from zero, as in the
    // daemon's summary (docs/money.md): a fee paid is negative, a rebate positive.
    for (const backtest::MmMarketResult& m : result.market_maker) mm_fills += m.quote_fills + m.hedge_fills;
    out << "backtest: " << result.events << " events (" << result.malformed_frames << " malformed), "
        << (result.market_maker.empty() ? std::to_string(result.trades.size()) + " trades"
                                        : std::to_string(mm_fills) + " market-maker fills")
        << ", net P&L " << format_usd(result.net_pnl) << " USD (fees " << format_usd(-result.fees) << ", funding "
        << format_usd(result.funding) << "), max drawdown " << format_usd(result.max_drawdown) << " USD\n";
    out << "books valid: " << valid.str() << "\n";
    for (const backtest::FundingFeed& f : result.funding_feeds) {
      if (f.recorded_frames == 0) continue;
      out << "funding: " << f.symbol << " " << f.recorded_frames << " recorded rates, " << f.settlements_recorded
          << " settlements at a recorded rate, " << f.settlements_modelled << " modelled";
      if (f.off_grid > 0) out << ", " << f.off_grid << " funding times off the interval grid (ignored)";
      out << "\n";
    }
    if (!rows.empty()) out << "sweep: " << rows.size() << " grid points -> " << report << "/sweep.csv, sweep.md\n";
    out << "report: " << report << "/summary.json, " << report << "/report.html\n";
    if (parsed) {
      out << "decoded and parsed once: " << parsed->events().size() << " lines in " << decode_secs << " s; replayed "
          << grid_points.size() + 1 << " times (grid points on " << sweep_threads << " threads)\n";
    }
    out << "replay speed: " << events << " events in " << secs
        << " s = " << static_cast<std::uint64_t>(secs > 0 ? static_cast<double>(events) / secs : 0) << " events/s\n";
    return kExitOk;
  } catch (const std::exception& e) {
    err << "bparb backtest: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace bparb::app
