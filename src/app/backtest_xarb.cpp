// `bparb backtest` for the cross-venue strategy (include/bparb/app/backtest_xarb.hpp).
#include "bparb/app/backtest_xarb.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/lighter_record.hpp"
#include "bparb/app/xarb_node.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::app {
namespace fs = std::filesystem;

namespace {

// The market id of the first order_book / trade frame of a Lighter recording ("channel":"order_book:3"); -1
// when it has none.
std::int64_t recorded_lighter_market(const fs::path& dir) {
  std::vector<std::string> files;  // <date>.frames[.gz], the earliest first
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().find(".frames") != std::string::npos)
      files.push_back(e.path().string());
  if (files.empty()) return -1;
  std::sort(files.begin(), files.end());
  record::RecordingReader reader(files.front());
  record::FrameLine line;
  while (reader.next(line)) {
    if (line.kind != record::FrameKind::kWs) continue;
    for (const std::string_view prefix : {"\"channel\":\"order_book:", "\"channel\":\"trade:"}) {
      const std::size_t at = line.payload.find(prefix);
      if (at == std::string_view::npos) continue;
      const char* b = line.payload.data() + at + prefix.size();
      std::int64_t id = -1;
      const auto [p, ec] = std::from_chars(b, line.payload.data() + line.payload.size(), id);
      if (ec == std::errc() && p != b) return id;
    }
  }
  return -1;
}

}  // namespace

backtest::XarbSetup xarb_backtest_setup(const Config& cfg, const std::string& data) {
  const XarbConfig& x = cfg.xarb;
  const BacktestConfig& b = cfg.backtest;
  if (b.markets != "sim_config")
    throw std::runtime_error("backtest.markets = \"" + b.markets +
                             "\": a cross-venue backtest reads both markets from paper.sim_config (\"sim_config\")");
  const sim::SimConfig sc = sim::load_sim_config(cfg.paper.sim_config);
  const MarketSpec* perp = nullptr;
  for (const sim::MarketSetup& m : sc.exchange.markets)
    if (m.spec.symbol == x.backpack_market) perp = &m.spec;
  if (perp == nullptr || !perp->is_perp())
    throw std::runtime_error("xarb.backpack_market: " + x.backpack_market + " is not a perp listed in " +
                             cfg.paper.sim_config + " (backtest.markets = \"sim_config\")");

  lighter::MarketDetails named;
  named.symbol = x.lighter_market;
  const fs::path bp_dir = fs::path(data) / x.backpack_market;
  const fs::path lt_dir = fs::path(data) / lighter_market_dir(named);
  std::error_code ec;
  const bool has_bp = fs::is_directory(bp_dir, ec);
  const bool has_lt = fs::is_directory(lt_dir, ec);
  if (!has_bp || !has_lt) {
    std::string missing = !has_bp ? "Backpack's " + x.backpack_market + " (" + bp_dir.string() + "/)" : "";
    if (!has_lt)
      missing += (missing.empty() ? "" : " and ") + ("Lighter's " + x.lighter_market + " (" + lt_dir.string() + "/)");
    throw std::runtime_error(
        "--data " + data + " has no recording of " + missing +
        ": a cross-venue backtest replays both venues, recorded together by `bparb record --config " + cfg.source_path +
        "`");
  }
  const std::int64_t id = recorded_lighter_market(lt_dir);
  if (id < 0) throw std::runtime_error(lt_dir.string() + " holds no Lighter order_book or trade frame");

  backtest::XarbSetup s;
  s.coin = x.coin;
  s.backpack = *perp;
  s.lighter = *perp;
  s.lighter.symbol = "lighter:" + std::to_string(id);  // the Lighter decoder's name (sim/lighter/recording_lines)
  s.params = cross_venue_params(x);
  s.lighter_quote_balance = b.quote_balance_usd;
  return s;
}

}  // namespace bparb::app
