# Every dependency comes from Debian 12's packages (scripts/setup.sh installs them).
# ccache, when installed, is used. It only pays when the same TU is compiled again with the same command
# line: rebuilding one tree after a branch switch or a clean. The Release, sanitizer and fuzz trees use
# different flags (and other checkouts other -I paths) so they never share an entry, which is why
# scripts/setup.sh does not install it: a fresh CI machine would only pay the miss overhead. Set before any
# target is created: a target takes the launcher when it is defined.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT DEFINED CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(simdjson REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS system)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

add_library(bparb::simdjson INTERFACE IMPORTED)
target_link_libraries(bparb::simdjson INTERFACE simdjson::simdjson)
add_library(bparb::sodium INTERFACE IMPORTED)
target_link_libraries(bparb::sodium INTERFACE PkgConfig::SODIUM)
add_library(bparb::tomlplusplus INTERFACE IMPORTED)
target_link_libraries(bparb::tomlplusplus INTERFACE PkgConfig::TOMLPP)
add_library(bparb::systemd INTERFACE IMPORTED)
target_link_libraries(bparb::systemd INTERFACE PkgConfig::SYSTEMD)
# Boost.Asio + Beast. Their non-template code is compiled ONCE, in bparb_boost_impl
# (src/net/boost_impl/asio_beast.cpp), instead of inline in every translation unit that includes them;
# every user of bparb::boost gets the SEPARATE_COMPILATION macros and links that library. A TU that
# includes Asio or Beast without these macros would define the same functions inline again (ODR), so
# nothing may include Boost.Asio/Beast without linking bparb::boost.
add_library(bparb_boost_settings INTERFACE)
# GCC 12 + C++20 + Boost 1.74: asio uses std::exchange without including <utility>; force it first.
target_link_libraries(bparb_boost_settings INTERFACE Boost::boost Boost::system Threads::Threads)
target_compile_options(bparb_boost_settings INTERFACE "SHELL:-include utility")
target_compile_definitions(bparb_boost_settings INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW
                                                          BOOST_ASIO_SEPARATE_COMPILATION
                                                          BOOST_BEAST_SEPARATE_COMPILATION)
# bparb_flags (BparbComponents) gives it the same -march, sanitizer and fuzzer flags as our own code.
add_library(bparb_boost_impl STATIC ${PROJECT_SOURCE_DIR}/src/net/boost_impl/asio_beast.cpp)
target_link_libraries(bparb_boost_impl PUBLIC bparb_boost_settings OpenSSL::SSL OpenSSL::Crypto PRIVATE bparb_flags)
add_library(bparb::boost INTERFACE IMPORTED)
target_link_libraries(bparb::boost INTERFACE bparb_boost_impl)

