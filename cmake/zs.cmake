# Helpers every target of zengshou uses: one place for warnings, the C
# standard and the sanitizer switch, and a one-line way to add a test.

# zs_defaults(target): C11, warnings as errors, sanitizers when asked.
function(zs_defaults target)
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  target_compile_definitions(${target} PRIVATE _POSIX_C_SOURCE=200809L)
  if(ZS_FUZZ)
    # Coverage for libFuzzer in everything a fuzz target links.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(ZS_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                                             -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# zs_add_program(name sources...): a program over the common library.
function(zs_add_program name)
  add_executable(${name} ${ARGN})
  zs_defaults(${name})
  target_link_libraries(${name} PRIVATE zscommon)
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()

# zs_add_test(name LABEL label SOURCES files... [LIBS libs...] [ARGS args...]):
# a cmocka test linked with the common library, registered with CTest.
function(zs_add_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;LIBS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  zs_defaults(${name})
  target_link_libraries(${name} PRIVATE zscommon PkgConfig::CMOCKA ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL}
    ENVIRONMENT "ZS_SCHEMA_DIR=${PROJECT_SOURCE_DIR}/schemas;ZS_DATA_DIR=${PROJECT_SOURCE_DIR}/data;ZS_TEST_DATA=${PROJECT_SOURCE_DIR}/tests/data")
endfunction()

# zs_add_fuzz(name SOURCE file CORPUS dir [ENV var=value...]): a libFuzzer
# target (clang, ZS_FUZZ=ON) and a CTest test (label fuzz) that runs it for
# ZS_FUZZ_SECONDS from the seed corpus. New inputs go to a work dir in the
# build tree and crashes to the build tree, never to the sources.
function(zs_add_fuzz name)
  cmake_parse_arguments(F "" "SOURCE;CORPUS" "ENV" ${ARGN})
  add_executable(${name} ${F_SOURCE})
  zs_defaults(${name})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE zscommon)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus/${name})
  file(MAKE_DIRECTORY ${work})
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -E env ${F_ENV} $<TARGET_FILE:${name}>
                   -max_total_time=${ZS_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048
                   -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/${name}-
                   ${work} ${CMAKE_CURRENT_SOURCE_DIR}/${F_CORPUS})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 600)
endfunction()
