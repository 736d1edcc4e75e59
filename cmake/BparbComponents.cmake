# Shared compile flags for everything we build.
add_library(bparb_flags INTERFACE)
target_compile_options(bparb_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                             -Wno-missing-field-initializers)
if(BPARB_WERROR)
  target_compile_options(bparb_flags INTERFACE -Werror)
endif()
if(BPARB_SANITIZE)
  target_compile_options(bparb_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                               -fno-sanitize-recover=undefined)
  target_link_options(bparb_flags INTERFACE -fsanitize=address,undefined)
endif()
target_include_directories(bparb_flags INTERFACE ${PROJECT_SOURCE_DIR}/include)

# simdjson's on-demand parser is compiled into our code: without an -march that has SIMD it falls back
# to its scalar kernel (several times slower). x86-64-v3 (AVX2, Haswell and later: every current VPS)
# is the default; a build host without AVX2 gets x86-64-v2 so its own tests can run. Override with
# -DBPARB_MARCH=native (fastest, not portable) or -DBPARB_MARCH=x86-64 (oldest CPUs), or "" for none.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(_bparb_default_march "x86-64-v3")
  if(EXISTS /proc/cpuinfo)
    file(READ /proc/cpuinfo _bparb_cpuinfo)
    if(NOT _bparb_cpuinfo MATCHES " avx2")
      set(_bparb_default_march "x86-64-v2")
    endif()
  endif()
  set(BPARB_MARCH "${_bparb_default_march}" CACHE STRING "-march for bparb's code (x86-64-v3 = AVX2)")
  if(BPARB_MARCH)
    target_compile_options(bparb_flags INTERFACE -march=${BPARB_MARCH})
    # The x86-64-v2/v3 levels do not include PCLMULQDQ, which simdjson requires for its westmere/haswell
    # kernels: without it the header silently selects the scalar "fallback" kernel. Every CPU of those
    # levels has it.
    if(BPARB_MARCH MATCHES "^x86-64-v[23]$")
      target_compile_options(bparb_flags INTERFACE -mpclmul)
    endif()
  endif()
endif()

# Map "venue/backpack" -> target "bparb_venue_backpack".
function(bparb_target_name out comp)
  if(comp MATCHES "::")
    set(${out} ${comp} PARENT_SCOPE)
  elseif(comp MATCHES "^(OpenSSL|spdlog|SQLite|fmt|Threads|GTest|benchmark)")
    set(${out} ${comp} PARENT_SCOPE)
  else()
    string(REPLACE "/" "_" n ${comp})
    set(${out} bparb_${n} PARENT_SCOPE)
  endif()
endfunction()

# bparb_component(<dir> <deps...>): a static library from src/<dir>/*.cpp.
function(bparb_component comp)
  bparb_target_name(tgt ${comp})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${comp}/*.cpp)
  if(NOT srcs)
    add_library(${tgt} INTERFACE)
    target_link_libraries(${tgt} INTERFACE bparb_flags)
    foreach(d ${ARGN})
      bparb_target_name(dt ${d})
      target_link_libraries(${tgt} INTERFACE ${dt})
    endforeach()
    return()
  endif()
  add_library(${tgt} STATIC ${srcs})
  target_link_libraries(${tgt} PUBLIC bparb_flags)
  foreach(d ${ARGN})
    bparb_target_name(dt ${d})
    target_link_libraries(${tgt} PUBLIC ${dt})
  endforeach()
endfunction()

# bparb_executable(<name> <main.cpp> <component deps...>)
function(bparb_executable name main)
  if(NOT EXISTS ${PROJECT_SOURCE_DIR}/${main})
    return()
  endif()
  add_executable(${name} ${PROJECT_SOURCE_DIR}/${main})
  foreach(d ${ARGN})
    bparb_target_name(dt ${d})
    target_link_libraries(${name} PRIVATE ${dt})
  endforeach()
endfunction()

# bparb_test_suite(<dir> <component deps...>): one gtest binary from tests/<dir>/*.cpp, labelled "unit"
# unless the dir is integration/conformance. Test names are discovered at build time for ctest.
function(bparb_test_suite dir)
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${dir}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  string(REPLACE "/" "_" n ${dir})
  set(tgt bparb_${n}_tests)
  add_executable(${tgt} ${srcs})
  target_link_libraries(${tgt} PRIVATE GTest::gtest GTest::gmock GTest::gtest_main)
  foreach(d ${ARGN})
    bparb_target_name(dt ${d})
    target_link_libraries(${tgt} PRIVATE ${dt})
  endforeach()
  # The test files' own code compiles at -O1 in an optimised build: the code under test is the libraries
  # and binaries, compiled as shipped, and -O3 on test code (Beast test servers, GoogleTest macros) cost about
  # a quarter more compile time for nothing the tests check.
  if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo)$")
    target_compile_options(${tgt} PRIVATE -O1)
  elseif(BPARB_SANITIZE)
    # The same reasoning in the sanitizer tree (-O1 there): the test files' own code at -O0, still instrumented
    # by ASan+UBSan; tests/integration/bpsim_ws_test.cpp compiled in 13.0 CPU s instead of 20.4 at -O1.
    target_compile_options(${tgt} PRIVATE -O0)
  endif()
  # Unity build: the suite's files are compiled BPARB_TEST_UNITY_BATCH at a time as one translation unit, so
  # GoogleTest, simdjson, Boost and our headers are parsed and their templates instantiated once per batch
  # instead of once per file (BENCHMARKS.md "Build and CI time"). So the file-local names of a suite's test
  # files (anonymous namespaces included) must differ from each other and from the names its test headers
  # provide: a batch sees them all, and one file's helper would hide another's. -DBPARB_TEST_UNITY_BATCH=1
  # compiles one file per translation unit.
  if(BPARB_TEST_UNITY_BATCH GREATER 1)
    set_target_properties(${tgt} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${BPARB_TEST_UNITY_BATCH})
  endif()
  target_compile_definitions(${tgt} PRIVATE BPARB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/${dir}/data"
                                            BPARB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                            BPARB_SAMPLE_DATA_DIR="${BPARB_SAMPLE_DATA_DIR}")
  # Every suite, plus what the suites run (tests/CMakeLists.txt adds bparb and bpsim): the sanitizer pass
  # builds this, not the whole tree.
  if(NOT TARGET bparb_test_binaries)
    add_custom_target(bparb_test_binaries)
  endif()
  add_dependencies(bparb_test_binaries ${tgt})
  set(label unit)
  if(dir MATCHES "^(integration|conformance)")
    set(label integration)
  else()
    # The sanitizer pass builds only this aggregate (not the daemon, tools or integration suites).
    if(NOT TARGET bparb_unit_tests)
      add_custom_target(bparb_unit_tests)
    endif()
    add_dependencies(bparb_unit_tests ${tgt})
  endif()
  gtest_discover_tests(${tgt} PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 60)
endfunction()
