// Lighter signer speed: CreateOrder signing (hash + Schnorr + tx_info), verification, the Poseidon2
// permutation, fixed- and variable-base scalar multiplication, GF(p^5) products.
//   build/tests/bench/bparb_bench_lighter [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
//   valgrind --tool=callgrind build/tests/bench/bparb_bench_lighter --repeat=sign:100   (and :0; see main)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/venue/lighter/poseidon2.hpp"
#include "bparb/venue/lighter/signer.hpp"

namespace {

using namespace bparb::lighter;

// A fixed test key (not a real account's): 40 bytes 0x01..0x28 little-endian.
Signer make_signer() {
  auto s = Signer::create("0102030405060708091011121314151617181920212223242526272829303132333435363738393a",
                          SignerConfig{kChainIdMainnet, 12345, 3, TxInfoLayout::kCurrent});
  return std::move(*s);
}

CreateOrderTx sample_order() {
  CreateOrderTx tx;
  tx.market_index = 1;
  tx.client_order_index = 77;
  tx.base_amount = 1000;
  tx.price = 3000000;
  tx.is_ask = 1;
  tx.time_in_force = 1;
  tx.order_expiry = 1893456000000;
  return tx;
}

void BM_SignCreateOrder(benchmark::State& state) {
  const Signer signer = make_signer();
  const CreateOrderTx tx = sample_order();
  SignedTx out;
  std::int64_t nonce = 0;
  for (auto _ : state) {
    auto err = signer.sign_create_order(tx, nonce++, 1893455400000, out);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(out.tx_info_len);
  }
}
BENCHMARK(BM_SignCreateOrder)->Unit(benchmark::kMicrosecond);

// The same call timed one by one (steady_clock wall time), reported as percentiles: the figure to
// set beside the official signer's per-call median, which is measured the same way in node.
void BM_SignCreateOrderPerCall(benchmark::State& state) {
  const Signer signer = make_signer();
  const CreateOrderTx tx = sample_order();
  SignedTx out;
  std::int64_t nonce = 0;
  std::vector<double> us;
  us.reserve(1 << 16);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto err = signer.sign_create_order(tx, nonce++, 1893455400000, out);
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(err);
    if (us.size() < us.capacity()) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::sort(us.begin(), us.end());
  // Percentile by rank: index = per_mille * (n - 1) / 1000.
  const auto at = [&](std::size_t per_mille) { return us.empty() ? 0.0 : us[per_mille * (us.size() - 1) / 1000]; };
  state.counters["p10_us"] = at(100);
  state.counters["p50_us"] = at(500);
  state.counters["p90_us"] = at(900);
}
BENCHMARK(BM_SignCreateOrderPerCall)->Unit(benchmark::kMicrosecond)->Iterations(2000);

void BM_VerifyCreateOrder(benchmark::State& state) {
  const Signer signer = make_signer();
  SignedTx out;
  (void)signer.sign_create_order(sample_order(), 1, 1893455400000, out);
  for (auto _ : state) {
    bool ok = schnorr_verify(signer.public_key(), out.message_hash, out.signature);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_VerifyCreateOrder)->Unit(benchmark::kMicrosecond);

// A verifier holding the key (a venue or simulator with registered keys): no doublings per signature.
void BM_VerifyPreparedKey(benchmark::State& state) {
  const Signer signer = make_signer();
  SignedTx out;
  (void)signer.sign_create_order(sample_order(), 1, 1893455400000, out);
  Point pk;
  (void)decode(std::span<const std::uint8_t, 40>(signer.public_key()), pk);
  const PreparedPublicKey prepared(pk);
  for (auto _ : state) {
    bool ok = prepared.verify(out.message_hash, out.signature);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_VerifyPreparedKey)->Unit(benchmark::kMicrosecond);

void BM_MessageHashCreateOrder(benchmark::State& state) {
  const CreateOrderTx tx = sample_order();
  TxEnvelope env{kChainIdMainnet, 12345, 3, 0, 1893455400000};
  for (auto _ : state) {
    ++env.nonce;
    Fp5 h = message_hash(env, tx);
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(BM_MessageHashCreateOrder)->Unit(benchmark::kMicrosecond);

void BM_Poseidon2Permutation(benchmark::State& state) {
  Poseidon2State s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = i;
  for (auto _ : state) {
    poseidon2_permute(s);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_Poseidon2Permutation)->Unit(benchmark::kNanosecond);

void BM_FixedBaseMul(benchmark::State& state) {
  Scalar k = random_nonzero_scalar();
  for (auto _ : state) {
    Point p = mul_generator(k);
    benchmark::DoNotOptimize(p);
    k.v[0] ^= 1;
  }
}
BENCHMARK(BM_FixedBaseMul)->Unit(benchmark::kMicrosecond);

void BM_VariableBaseMul(benchmark::State& state) {
  const Point base = mul_generator(random_nonzero_scalar());
  const Scalar k = random_nonzero_scalar();
  for (auto _ : state) {
    Point p = mul(base, k.v);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_VariableBaseMul)->Unit(benchmark::kMicrosecond);

void BM_Fp5Mul(benchmark::State& state) {
  Fp5 a = hash_to_fp5(std::array<std::uint64_t, 1>{1});
  const Fp5 b = hash_to_fp5(std::array<std::uint64_t, 1>{2});
  for (auto _ : state) {
    a = a * b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Fp5Mul)->Unit(benchmark::kNanosecond);

void BM_Fp5Inverse(benchmark::State& state) {
  Fp5 a = hash_to_fp5(std::array<std::uint64_t, 1>{1});
  for (auto _ : state) {
    a = inverse(a);
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Fp5Inverse)->Unit(benchmark::kNanosecond);

void BM_Fp5Square(benchmark::State& state) {
  Fp5 a = hash_to_fp5(std::array<std::uint64_t, 1>{1});
  for (auto _ : state) {
    a = square(a);
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Fp5Square)->Unit(benchmark::kNanosecond);

// Building a key's verification table once (what a simulator does per registered key).
void BM_PreparePublicKey(benchmark::State& state) {
  const Point pk = mul_generator(random_nonzero_scalar());
  for (auto _ : state) {
    const PreparedPublicKey prepared(pk);
    benchmark::DoNotOptimize(&prepared);
  }
}
BENCHMARK(BM_PreparePublicKey)->Unit(benchmark::kMillisecond);

// --repeat=OP:N runs one operation N times after the same warm-up and nothing else, for instruction
// counts that do not depend on the load: under callgrind, (Ir(N) - Ir(0)) / N is the cost of one call.
int repeat(std::string_view op, long n) {
  const Signer signer = make_signer();
  const CreateOrderTx tx = sample_order();
  SignedTx out;
  (void)signer.sign_create_order(tx, 1, 1893455400000, out);
  Point pk;
  (void)decode(std::span<const std::uint8_t, 40>(signer.public_key()), pk);
  const PreparedPublicKey prepared(pk);
  (void)schnorr_verify(signer.public_key(), out.message_hash, out.signature);  // builds the generator's NAF table
  Scalar k = random_nonzero_scalar();
  Fp5 a = hash_to_fp5(std::array<std::uint64_t, 1>{1});
  const Fp5 b = hash_to_fp5(std::array<std::uint64_t, 1>{2});
  // The operation is looked up once, so the loop adds only a jump per call.
  constexpr std::string_view kOps[] = {"sign",         "verify",  "verify-prepared", "fixed-base", "variable-base",
                                       "message-hash", "fp5-mul", "fp5-square",      "prepare-key"};
  int which = -1;
  for (int j = 0; j < static_cast<int>(std::size(kOps)); ++j) {
    if (op == kOps[j]) which = j;
  }
  if (which < 0) {
    std::fprintf(stderr,
                 "unknown --repeat operation %.*s; allowed: sign verify verify-prepared fixed-base variable-base "
                 "message-hash fp5-mul fp5-square prepare-key\n",
                 static_cast<int>(op.size()), op.data());
    return 2;
  }
  std::uint64_t sink = 0;
  for (long i = 0; i < n; ++i) {
    switch (which) {
      case 0:
        (void)signer.sign_create_order(tx, i, 1893455400000, out);
        sink += out.tx_info_len;
        break;
      case 1:
        sink += static_cast<std::uint64_t>(schnorr_verify(signer.public_key(), out.message_hash, out.signature));
        break;
      case 2:
        sink += static_cast<std::uint64_t>(prepared.verify(out.message_hash, out.signature));
        break;
      case 3:
        sink += encode(mul_generator(k)).c[0];
        k.v[0] ^= 1;
        break;
      case 4:
        sink += mul(pk, k.v).x.c[0];
        break;
      case 5:
        sink += message_hash(TxEnvelope{kChainIdMainnet, 12345, 3, i, 1893455400000}, tx).c[0];
        break;
      case 6:
        a = a * b;
        break;
      case 7:
        a = square(a);
        break;
      default: {
        const PreparedPublicKey p(pk);
        sink += static_cast<std::uint64_t>(p.verify(out.message_hash, out.signature));
      }
    }
  }
  std::printf("%s x %ld (%llu)\n", std::string(op).c_str(), n, static_cast<unsigned long long>(sink + a.c[0]));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::string_view kRepeat = "--repeat=";
  if (argc == 2 && std::string_view(argv[1]).starts_with(kRepeat)) {
    const std::string_view spec = std::string_view(argv[1]).substr(kRepeat.size());
    const std::size_t colon = spec.find(':');
    const long n = colon == std::string_view::npos ? -1 : std::atol(std::string(spec.substr(colon + 1)).c_str());
    if (n < 0) {
      std::fprintf(stderr, "--repeat=OP:N needs a count N >= 0\n");
      return 2;
    }
    return repeat(spec.substr(0, colon), n);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
