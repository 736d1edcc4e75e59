# libFuzzer targets; included by cmake/BparbFuzz.cmake (BPARB_FUZZ=ON, clang). One executable per target,
# seed corpus in corpus/<target>/, run by scripts/fuzz.sh.
set(venue bparb_venue_backpack)
bparb_fuzz_target(fuzz_ws_frame LIBS ${venue})
bparb_fuzz_target(fuzz_rest_markets LIBS ${venue})
bparb_fuzz_target(fuzz_rest_depth LIBS ${venue})
bparb_fuzz_target(fuzz_rest_order LIBS ${venue})
bparb_fuzz_target(fuzz_rest_batch LIBS ${venue})
bparb_fuzz_target(fuzz_rest_fills LIBS ${venue})
bparb_fuzz_target(fuzz_signing LIBS ${venue})
bparb_fuzz_target(fuzz_server_payloads LIBS ${venue})
bparb_fuzz_target(fuzz_decimal LIBS bparb_core)
# config.cpp needs only core + toml++: compiling it here keeps the fuzz tree from building all of app
# (sim, exec, ...). Switch to LIBS bparb_app if config.cpp ever grows other app dependencies.
bparb_fuzz_target(fuzz_config SOURCES ${PROJECT_SOURCE_DIR}/src/app/config.cpp LIBS bparb_core bparb::tomlplusplus)
bparb_fuzz_target(fuzz_lighter_request LIBS bparb_venue_lighter)
