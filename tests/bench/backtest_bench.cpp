// Backtest replay speed on the real Binance sample (spot + USDⓈ-M BTCUSDT, 135 203 lines) imported into
// a temporary recording directory with the importer's code, replayed with the config of
// tests/backtest/data/binance_backtest.toml (the one the command tests use). Wall-clock rates
// (UseRealTime): the decode-ahead reader works on threads of its own.
//
//   build/tests/bench/bparb_bench_backtest [--benchmark_repetitions=5]
//
//   Decode/sync        read the recording on the calling thread (gzip + lines + line parse), as before
//   Decode/ahead       the same with ReaderOptions::decode_ahead (one thread per market file)
//   Replay/memory      runner over lines decoded once into memory (parsed while replayed)
//   Parse              lines decoded in memory -> parsed replay events (what a sweep does once)
//   Replay/parsed      runner over events parsed once: what every --sweep grid point costs
//   EndToEnd/sync      config + reader + runner + report (summary.json, report.html), reader on this thread
//   EndToEnd/ahead:1   the same with the decode-ahead reader
//   EndToEnd/ahead:2   the same, and the lines parsed on a thread of their own: what `bparb backtest` does
// The sample lives outside the repository in the sample data directory (BPARB_SAMPLE_DATA_DIR); without it
// the benchmarks report an error and skip.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "bparb/app/backtest_command.hpp"
#include "bparb/backtest/parsed_recording.hpp"
#include "bparb/backtest/report.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/record/binance_import.hpp"
#include "bparb/record/recording.hpp"

namespace {

namespace fs = std::filesystem;
using namespace bparb;

const std::string kExamples = std::string(BPARB_SAMPLE_DATA_DIR) + "/hftbacktest/examples";
const std::string kConfig = std::string(BPARB_SOURCE_DIR) + "/tests/backtest/data/binance_backtest.toml";

struct Sample {
  fs::path dir;  // empty when the sample is absent
  std::string error;
  ~Sample() {
    if (!dir.empty()) fs::remove_all(dir);
  }
};

const Sample& sample() {
  static const Sample s = [] {
    Sample out;
    const std::string spot = kExamples + "/spot/btcusdt_20240808.gz";
    const std::string perp = kExamples + "/usdm/btcusdt_20240808.gz";
    if (!fs::exists(spot) || !fs::exists(perp)) {
      out.error = "sample not found in the sample data directory " + kExamples;
      return out;
    }
    record::BinanceMarketStats ss, ps;
    auto s_lines = record::convert_binance_file(spot, record::binance_stand_in_spec("SOL_USDC", false), false, ss);
    auto p_lines = record::convert_binance_file(perp, record::binance_stand_in_spec("SOL_USDC_PERP", true), true, ps);
    out.dir = fs::temp_directory_path() / ("bparb_bench_backtest_" + std::to_string(::getpid()));
    fs::remove_all(out.dir);
    record::write_recording(record::merge_by_time(std::move(s_lines), std::move(p_lines)), out.dir.string());
    return out;
  }();
  return s;
}

backtest::RunnerConfig runner_config() {
  backtest::RunnerConfig rc = app::runner_config(app::load_config(kConfig));
  rc.data_path = sample().dir.string();
  return rc;
}

bool skip(benchmark::State& state) {
  if (sample().error.empty()) return false;
  state.SkipWithError(sample().error.c_str());
  return true;
}

void BM_Decode(benchmark::State& state) {
  if (skip(state)) return;
  record::ReaderOptions o;
  o.decode_ahead = state.range(0) != 0;
  std::uint64_t lines = 0;
  for (auto _ : state) {
    record::RecordingReader r(sample().dir.string(), o);
    record::FrameLine l;
    std::uint64_t bytes = 0;
    while (r.next(l)) bytes += l.payload.size();
    benchmark::DoNotOptimize(bytes);
    lines += r.stats().lines;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(lines));
}
BENCHMARK(BM_Decode)->ArgName("ahead")->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ReplayMemory(benchmark::State& state) {
  if (skip(state)) return;
  const record::DecodedRecording decoded(sample().dir.string());
  const backtest::RunnerConfig rc = runner_config();
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto src = decoded.source();
    backtest::Runner runner(rc);
    const backtest::BacktestResult res = runner.run(src);
    events += res.events;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(BM_ReplayMemory)->UseRealTime()->Unit(benchmark::kMillisecond);

backtest::ParsedRecording parse(const record::DecodedRecording& decoded) {
  backtest::ParsedRecording parsed;
  auto src = decoded.source();
  record::FrameLine line;
  while (src.next(line)) parsed.append(line);
  return parsed;
}

void BM_Parse(benchmark::State& state) {
  if (skip(state)) return;
  const record::DecodedRecording decoded(sample().dir.string());
  std::uint64_t events = 0;
  for (auto _ : state) {
    const backtest::ParsedRecording parsed = parse(decoded);
    events += parsed.events().size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(BM_Parse)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ReplayParsed(benchmark::State& state) {
  if (skip(state)) return;
  const backtest::ParsedRecording parsed = parse(record::DecodedRecording(sample().dir.string()));
  const backtest::RunnerConfig rc = runner_config();
  std::uint64_t events = 0;
  for (auto _ : state) {
    backtest::Runner runner(rc);
    const backtest::BacktestResult res = runner.run(parsed);
    events += res.events;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(BM_ReplayParsed)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_EndToEnd(benchmark::State& state) {
  if (skip(state)) return;
  record::ReaderOptions o;
  o.decode_ahead = state.range(0) != 0;
  const fs::path report = sample().dir / "report";
  std::uint64_t events = 0;
  for (auto _ : state) {
    const backtest::RunnerConfig rc = runner_config();
    record::RecordingReader reader(sample().dir.string(), o);
    backtest::Runner runner(rc);
    backtest::BacktestResult res;
    if (state.range(0) == 2) {
      backtest::ParseAhead parse_ahead(reader);
      res = runner.run(parse_ahead);
    } else {
      res = runner.run(reader);
    }
    backtest::write_report_dir(report.string(), res, nullptr);
    events += res.events;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(BM_EndToEnd)->ArgName("ahead")->Arg(0)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
