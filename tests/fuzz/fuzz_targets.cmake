# libFuzzer targets; included by cmake/BparbFuzz.cmake (BPARB_FUZZ=ON, clang). One executable per target,
# seed corpus in corpus/<target>/, run by scripts/fuzz.sh.
# The targets exercise venue/backpack's parsers and signing-string builder (and the signer it calls) and venue/lighter's
# parsers, book sync and signing requests.
# They link those sources compiled here, not the whole bparb_venue_backpack library: that would also build
# its REST/WebSocket clients and all of net/ and Boost.Asio/Beast (the most expensive code of the project
# to compile, and with coverage + ASan) for code no fuzz target reaches. New parser files are globbed.
file(GLOB fuzz_venue_srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/venue/backpack/parsers_*.cpp)
foreach(f signing signer keys)
  list(APPEND fuzz_venue_srcs ${PROJECT_SOURCE_DIR}/src/venue/backpack/${f}.cpp)
endforeach()
add_library(bparb_fuzz_venue STATIC ${fuzz_venue_srcs})
target_link_libraries(bparb_fuzz_venue PUBLIC bparb_flags bparb_core bparb_book bparb::simdjson bparb::sodium)
set(venue bparb_fuzz_venue)
bparb_fuzz_target(fuzz_ws_frame LIBS ${venue})
bparb_fuzz_target(fuzz_rest_markets LIBS ${venue})
bparb_fuzz_target(fuzz_rest_depth LIBS ${venue})
bparb_fuzz_target(fuzz_rest_order LIBS ${venue})
bparb_fuzz_target(fuzz_rest_batch LIBS ${venue})
bparb_fuzz_target(fuzz_rest_fills LIBS ${venue})
bparb_fuzz_target(fuzz_signing LIBS ${venue})
bparb_fuzz_target(fuzz_server_payloads LIBS ${venue})
bparb_fuzz_target(fuzz_decimal LIBS bparb_core)
# The config loader (config.cpp, its reading toolkit and its sections) needs only core + toml++: compiling it
# here keeps the fuzz tree from building all of app (sim, exec, ...). Switch to LIBS bparb_app if it ever grows
# other app dependencies.
bparb_fuzz_target(fuzz_config
                  SOURCES ${PROJECT_SOURCE_DIR}/src/app/config.cpp ${PROJECT_SOURCE_DIR}/src/app/config_reader.cpp
                          ${PROJECT_SOURCE_DIR}/src/app/config_sections.cpp
                          ${PROJECT_SOURCE_DIR}/src/app/config_alerts.cpp ${PROJECT_SOURCE_DIR}/src/alerts/alert.cpp
                          ${PROJECT_SOURCE_DIR}/src/app/config_mm.cpp
                          ${PROJECT_SOURCE_DIR}/src/strategy/market_maker/mm_params.cpp
                          ${PROJECT_SOURCE_DIR}/src/strategy/market_maker/mm_params_toml.cpp
                          ${PROJECT_SOURCE_DIR}/src/app/config_xarb.cpp
                          ${PROJECT_SOURCE_DIR}/src/strategy/cross_venue/xarb_params.cpp
                          ${PROJECT_SOURCE_DIR}/src/strategy/cross_venue/xarb_params_toml.cpp
                          ${PROJECT_SOURCE_DIR}/src/net/url.cpp
                  LIBS bparb_core bparb::tomlplusplus)
# The same for venue/lighter: its parsers, book sync, messages, signing requests and their cryptography, but
# not its network side (the adapter, REST client, WebSocket session, transaction sender and dead man's
# switch), which would bring in net/ and Boost.Asio/Beast like the whole Backpack library would.
file(GLOB fuzz_lighter_srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/venue/lighter/*.cpp)
list(FILTER fuzz_lighter_srcs EXCLUDE REGEX "/(adapter|rest_client|ws_session|tx_sender|dead_man_switch)\\.cpp$")
add_library(bparb_fuzz_lighter STATIC ${fuzz_lighter_srcs})
target_link_libraries(bparb_fuzz_lighter PUBLIC bparb_flags bparb_core bparb_book bparb::simdjson bparb::sodium)
set(lighter bparb_fuzz_lighter)
bparb_fuzz_target(fuzz_lighter_request LIBS ${lighter})
bparb_fuzz_target(fuzz_lighter_frame LIBS ${lighter})
bparb_fuzz_target(fuzz_lighter_rest LIBS ${lighter})
# The simulated Lighter's tx_info parser: its one source, not the sim/lighter library (Beast, the core).
bparb_fuzz_target(fuzz_lighter_tx_info SOURCES ${PROJECT_SOURCE_DIR}/src/sim/lighter/tx_info.cpp
                  LIBS ${lighter})
# The operator HTTP server's request path: Beast's parser, then routing, the Host check, query strings and the
# control handler (bearer token, confirmation body) of the service library.
bparb_fuzz_target(fuzz_http_request LIBS bparb_service)
