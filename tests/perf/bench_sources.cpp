// Compiles the counting allocator and the tick-to-wire harness (tool code under src/bench/) into this
// test binary, so the suite builds with a plain `bparb_test_suite(perf app)` and no extra CMake.
#include "../../src/bench/alloc_counter.cpp"      // NOLINT(bugprone-suspicious-include)
#include "../../src/bench/nonce_pool_signer.cpp"  // NOLINT(bugprone-suspicious-include)
#include "../../src/bench/tick_to_wire.cpp"       // NOLINT(bugprone-suspicious-include)
