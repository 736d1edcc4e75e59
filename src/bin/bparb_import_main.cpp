// bparb-import: converts third-party market-data recordings into bparb's recording format
// (include/bparb/record/recording.hpp). Only source so far: hftbacktest's Binance spot + USDⓈ-M files.
//
//   bparb-import binance --spot FILE.gz --perp FILE.gz --out DIR|FILE.frames[.gz]
//                        [--spot-symbol SOL_USDC] [--perp-symbol SOL_USDC_PERP]
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
               "  --out DIR writes DIR/<market>/<YYYY-MM-DD>.frames.gz; a .frames[.gz] path writes one merged file.\n");
  return 2;
}

void print_stats(const char* name, const bparb::record::BinanceMarketStats& s) {
  std::printf(
      "%s: lines %llu, depth %llu, snapshots %llu, bookTicker %llu, trades %llu, gaps %llu, off-grid %llu, "
      "malformed %llu, unknown %llu, out-of-order %llu\n",
      name, static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.depth),
      static_cast<unsigned long long>(s.snapshots), static_cast<unsigned long long>(s.book_tickers),
      static_cast<unsigned long long>(s.trades), static_cast<unsigned long long>(s.gaps),
      static_cast<unsigned long long>(s.off_grid), static_cast<unsigned long long>(s.malformed),
      static_cast<unsigned long long>(s.unknown), static_cast<unsigned long long>(s.out_of_order));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "binance") return usage();
  std::string spot, perp, out, spot_symbol = "SOL_USDC", perp_symbol = "SOL_USDC_PERP";
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
                                              : nullptr;
    if (dst == nullptr) {
      std::fprintf(stderr, "bparb-import: unknown option %s\n", argv[i]);
      return usage();
    }
    *dst = argv[++i];
  }
  if (spot.empty() || perp.empty() || out.empty()) return usage();
  try {
    using namespace bparb::record;
    BinanceMarketStats ss, ps;
    auto s = convert_binance_file(spot, binance_stand_in_spec(spot_symbol, false), false, ss);
    auto p = convert_binance_file(perp, binance_stand_in_spec(perp_symbol, true), true, ps);
    print_stats(spot_symbol.c_str(), ss);
    print_stats(perp_symbol.c_str(), ps);
    const auto lines = merge_by_time(std::move(s), std::move(p));
    for (const auto& f : write_recording(lines, out)) std::printf("wrote %s\n", f.c_str());
    std::printf("%zu lines\n", lines.size());
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
