# libFuzzer targets (tests/fuzz/). Use a SEPARATE build tree with clang:
#   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DBPARB_FUZZ=ON \
#         -DBPARB_BUILD_TESTS=OFF -DBPARB_BUILD_BENCH=OFF
#   cmake --build build-fuzz --target bparb_fuzz          (or: scripts/fuzz.sh [seconds-per-target])
# Everything in that tree is compiled with coverage instrumentation + ASan + UBSan, so the fuzzer sees
# (and checks) the parsers' code, not just the target's glue.
#
# Include it from the top-level CMakeLists.txt (`if(BPARB_FUZZ) include(BparbFuzz) endif()`) or pass it as
# -DCMAKE_PROJECT_INCLUDE=cmake/BparbFuzz.cmake; either way the work is deferred to the end of the
# top-level directory, when bparb_flags and the components exist.
include_guard(GLOBAL)

if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "BPARB_FUZZ needs clang (libFuzzer): configure a separate tree with "
                      "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang (got ${CMAKE_CXX_COMPILER_ID})")
endif()

set(BPARB_FUZZ_SANITIZERS "address,undefined" CACHE STRING "Sanitizers for the fuzz build (libFuzzer is added)")

function(bparb_fuzz_setup)
  if(NOT TARGET bparb_flags)
    message(FATAL_ERROR "BparbFuzz: bparb_flags is not defined (include BparbComponents first)")
  endif()
  # fuzzer-no-link: coverage counters in every library; -fsanitize=fuzzer (main) only on the targets.
  target_compile_options(bparb_flags INTERFACE -fsanitize=fuzzer-no-link,${BPARB_FUZZ_SANITIZERS}
                                               -fno-omit-frame-pointer -fno-sanitize-recover=all -g)
  target_link_options(bparb_flags INTERFACE -fsanitize=${BPARB_FUZZ_SANITIZERS})
  add_custom_target(bparb_fuzz)
  # include(), not add_subdirectory(): subdirectories cannot be created during deferred execution.
  include(${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_targets.cmake)
endfunction()

# bparb_fuzz_target(<name> SOURCES <files...> LIBS <targets...>): tests/fuzz/<name>.cpp + extra sources.
function(bparb_fuzz_target name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${PROJECT_SOURCE_DIR}/tests/fuzz/${name}.cpp ${F_SOURCES})
  target_link_libraries(${name} PRIVATE bparb_flags ${F_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(bparb_fuzz ${name})
endfunction()

cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL bparb_fuzz_setup)
