// Throughput of the journal's write paths (not a test; run by hand):
//   journal_insert_bench [DIR] [N]
// Every commit is fsync'd (synchronous=FULL), so the numbers are mostly the storage's fsync rate.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "bparb/journal/journal.hpp"

using bparb::Decimal;
using namespace bparb::journal;

namespace {

template <class F>
void measure(const char* what, int n, F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    if (!f(i)) {
      std::fprintf(stderr, "%s: write %d failed\n", what, i);
      return;
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%-34s %7d ops  %9.0f ops/s  %8.1f us/op\n", what, n, n / s, 1e6 * s / n);
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : std::filesystem::temp_directory_path();
  const int n = argc > 2 ? std::stoi(argv[2]) : 2000;
  const std::string path = (dir / "bparb_journal_bench.sqlite").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto j = Journal::open(path);

  IntentRecord in{1,
                  "SOL",
                  "spot",
                  "Entry",
                  "SOL_USDC",
                  bparb::Side::kBid,
                  bparb::OrderType::kLimit,
                  bparb::TimeInForce::kIoc,
                  Decimal::from_string("150.25"),
                  Decimal::from_string("0.33"),
                  0,
                  0};
  std::uint32_t cid = 1;
  measure("record_intent (1 per commit)", n, [&](int) {
    in.client_id = cid++;
    return j.record_intent(in).ok();
  });
  measure("record_intents (2 per commit)", n / 2, [&](int) {
    IntentRecord pair[2] = {in, in};
    pair[0].client_id = cid++;
    pair[1].client_id = cid++;
    return j.record_intents(pair).ok();
  });
  {
    auto fast = Journal::open(path + ".normal", {.intent_full_sync = false});
    std::uint32_t fcid = 1;
    measure("record_intent (intent_full_sync=0)", n, [&](int) {
      in.client_id = fcid++;
      return fast.record_intent(in).ok();
    });
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + ".normal" + suffix);
  measure("record_ack", n, [&](int i) {
    return j
        .record_ack(
            {static_cast<std::uint32_t>(i + 1), "123456", OrderRecordState::kFilled, Decimal::from_string("0.33"), i})
        .ok();
  });
  FillRecord f{0,
               "SOL_USDC",
               1,
               bparb::Side::kBid,
               Decimal::from_string("150.25"),
               Decimal::from_string("0.33"),
               Decimal::from_string("0.0001"),
               "SOL",
               false,
               0};
  measure("record_fill", n, [&](int i) {
    f.trade_id = i;
    f.time_us = i;
    return j.record_fill(f).has_value();
  });
  measure("record_fill (duplicate)", n, [&](int i) {
    f.trade_id = i;
    auto r = j.record_fill(f);
    return r.has_value() && !*r;
  });
  // A position row and its two leg rows, one transaction (NORMAL: no fsync).
  PositionRecord pos;
  pos.pair = "SOL";
  pos.position_id = 1;
  pos.entry_basis = Decimal::from_string("0.002148");
  measure("upsert_position", n, [&](int i) {
    pos.spot_qty = Decimal::from_raw(i);
    pos.perp_qty = Decimal::from_raw(-i);
    return j.upsert_position(pos).ok();
  });
  measure("open_intents (full scan)", 20, [&](int) { return j.open_intents().has_value(); });
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}
