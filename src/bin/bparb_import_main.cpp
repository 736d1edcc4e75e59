// bparb-import: converts third-party market-data recordings into bparb's recording format
// (include/bparb/record/recording.hpp). Only source so far: hftbacktest's Binance spot + USDⓈ-M files.
//
//   bparb-import binance --spot FILE.gz --perp FILE.gz --out DIR|FILE.frames[.gz]
//                        [--spot-symbol SOL_USDC] [--perp-symbol SOL_USDC_PERP] [--ts-unit auto|ns|us|ms]
//
// Exit 0: written (a market whose depth cannot be synchronised is reported on stderr, see
// depth_sync_problem()); 1: input refused (unreadable, implausible timestamps, prices off the stand-in
// grid); 2: usage.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "bparb/record/binance_import.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: bparb-import binance --spot FILE.gz --perp FILE.gz --out DIR|FILE.frames[.gz]\n"
               "                            [--spot-symbol SOL_USDC] [--perp-symbol SOL_USDC_PERP]\n"
               "                            [--ts-unit auto|ns|us|ms]\n"
               "  --ts-unit: unit of the local timestamps (default auto: detected from the data).\n"
               "  --out DIR writes DIR/<market>/<YYYY-MM-DD>.frames.gz; a .frames[.gz] path writes one merged file.\n");
  return 2;
}

void print_stats(const char* name, const bparb::record::BinanceMarketStats& s) {
  using bparb::record::format_utc_us;
  std::printf(
      "%s: lines %llu, depth %llu, snapshots %llu, bookTicker %llu, trades %llu, markPrice %llu, gaps %llu, "
      "off-grid %llu, malformed %llu, unknown %llu, out-of-order %llu\n",
      name, static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.depth),
      static_cast<unsigned long long>(s.snapshots), static_cast<unsigned long long>(s.book_tickers),
      static_cast<unsigned long long>(s.trades), static_cast<unsigned long long>(s.mark_prices),
      static_cast<unsigned long long>(s.gaps), static_cast<unsigned long long>(s.off_grid),
      static_cast<unsigned long long>(s.malformed), static_cast<unsigned long long>(s.unknown),
      static_cast<unsigned long long>(s.out_of_order));
  if (s.lines > s.malformed) {
    std::printf("%s: local timestamps in %s (%s), %s .. %s\n", name,
                std::string(bparb::record::timestamp_unit_name(s.ts_unit)).c_str(),
                s.ts_unit_detected ? "detected" : "--ts-unit", format_utc_us(s.first_us).c_str(),
                format_utc_us(s.last_us).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "binance") return usage();
  std::string spot, perp, out, spot_symbol = "SOL_USDC", perp_symbol = "SOL_USDC_PERP", ts_unit = "auto";
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "bparb-import: %s needs a value\n", argv[i]);
      return usage();
    }
    std::string* dst = a == "--spot"          ? &spot
                       : a == "--perp"        ? &perp
                       : a == "--out"         ? &out
                       : a == "--spot-symbol" ? &spot_symbol
                       : a == "--perp-symbol" ? &perp_symbol
                       : a == "--ts-unit"     ? &ts_unit
                                              : nullptr;
    if (dst == nullptr) {
      std::fprintf(stderr, "bparb-import: unknown option %s\n", argv[i]);
      return usage();
    }
    *dst = argv[++i];
  }
  if (spot.empty() || perp.empty() || out.empty()) return usage();
  bparb::record::TimestampUnit unit{};
  if (!bparb::record::parse_timestamp_unit(ts_unit, unit)) {
    std::fprintf(stderr, "bparb-import: --ts-unit: \"%s\" is not one of auto, ns, us, ms\n", ts_unit.c_str());
    return usage();
  }
  try {
    using namespace bparb::record;
    BinanceMarketStats ss, ps;
    auto s = convert_binance_file(spot, binance_stand_in_spec(spot_symbol, false), false, ss, unit);
    auto p = convert_binance_file(perp, binance_stand_in_spec(perp_symbol, true), true, ps, unit);
    print_stats(spot_symbol.c_str(), ss);
    print_stats(perp_symbol.c_str(), ps);
    const auto lines = merge_by_time(std::move(s), std::move(p));
    for (const auto& f : write_recording(lines, out)) std::printf("wrote %s\n", f.c_str());
    if (lines.empty()) {
      std::printf("0 lines\n");
    } else {
      std::printf("%zu lines, %s .. %s\n", lines.size(), format_utc_us(lines.front().receive_time_us).c_str(),
                  format_utc_us(lines.back().receive_time_us).c_str());
    }
    for (const auto& [name, st] :
         {std::pair<const std::string*, const BinanceMarketStats*>{&spot_symbol, &ss}, {&perp_symbol, &ps}}) {
      const std::string why = depth_sync_problem(*st);
      if (!why.empty()) std::fprintf(stderr, "bparb-import: warning: %s: %s\n", name->c_str(), why.c_str());
    }
    if (ss.off_grid + ps.off_grid > 0) {
      std::fprintf(stderr, "bparb-import: %llu levels were not on the stand-in tick/step and were dropped\n",
                   static_cast<unsigned long long>(ss.off_grid + ps.off_grid));
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bparb-import: %s\n", e.what());
    return 1;
  }
  return 0;
}
