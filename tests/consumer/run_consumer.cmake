# cmake -D SOURCE_DIR=<consumer project> -D BINARY_DIR=<its build>
#       [-D CONFIG=<config>] [-D EXE_SUFFIX=.exe] [-D EXPECT_INSTALLED=<file>,...|nothing]
#       [-D COMPILE_FAIL_TESTS=passing|all]
#       -P run_consumer.cmake -- <configure arguments>...
# Configures the consumer from scratch, builds it and runs those of its
# executables that were built, `consumer` (linking tapeless::tapeless),
# `consumer_kernels` (linking tapeless::kernels) and `consumer_blas`
# (tapeless::blas, where OpenBLAS was found); the configure argument
# CONSUMER_EXECUTABLES chooses among them (executables.cmake). With
# COMPILE_FAIL_TESTS, runs its compile-fail tests
# (compile_fail.cmake): `passing` those that must pass, `all` also those that
# must fail, checking that each does and says why; with EXPECT_INSTALLED,
# also installs it into an empty prefix and checks that the files listed
# (relative to the prefix), or nothing, were installed. Any failing step
# fails the test.

# The configure arguments: whatever follows `--`.
set(configure_args "")
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_dashes)
    list(APPEND configure_args "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_dashes TRUE)
  endif()
endforeach()

set(config_args "")
if(CONFIG)
  list(APPEND configure_args -D CMAKE_BUILD_TYPE=${CONFIG})
  set(config_args --config ${CONFIG})
endif()

function(step what)
  execute_process(COMMAND ${ARGN} COMMAND_ECHO STDOUT RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "consumer: ${what} failed (${status})")
  endif()
endfunction()

file(REMOVE_RECURSE ${BINARY_DIR})
step(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} ${configure_args})
step(build ${CMAKE_COMMAND} --build ${BINARY_DIR} ${config_args})

# Single-config generators put the executables in the binary directory,
# multi-config ones in a subdirectory per configuration.
foreach(name consumer consumer_kernels consumer_blas)
  set(exe ${name}${EXE_SUFFIX})
  if(CONFIG AND EXISTS ${BINARY_DIR}/${CONFIG}/${exe})
    set(exe ${BINARY_DIR}/${CONFIG}/${exe})
  else()
    set(exe ${BINARY_DIR}/${exe})
  endif()
  if(NOT EXISTS ${exe})
    continue()  # not chosen, or no OpenBLAS
  endif()
  step("run ${name}" ${exe})
endforeach()

if(COMPILE_FAIL_TESTS)
  set(ctest ${CMAKE_CTEST_COMMAND} --test-dir ${BINARY_DIR} --no-tests=error --output-on-failure)
  if(CONFIG)
    list(APPEND ctest -C ${CONFIG})
  endif()
  step("compile-fail tests" ${ctest} --label-exclude must_fail)
endif()
if(COMPILE_FAIL_TESTS STREQUAL "all")
  # Each test that must fail, and what its output must say.
  set(must_fail
    "message|CHECK-FAILED: [ \n]*the first error does not contain the expected message:[ \n]*expected: consumer: another message[ \n]*first error: [^\n]*consumer: the only message"
    "matches|CHECK-FAILED: [ \n]*the diagnostic does not match 'a second message'"
    "errors|CHECK-FAILED: [ \n]*1 errors reported, 2 expected"
    "compiles|CHECK-FAILED: the case compiled, but must fail with CONSUMER_NOT_A_MISTAKE defined"
    "twin_error|CHECK-FAILED: [ \n]*the first error does not contain the expected message:[^\n]*\n[^\n]*\n[^\n]*first error: [^\n]*compiled without the definitions of the consumer's target"
    "twin_error.twin|compiled without the definitions of the consumer's target.*CHECK-FAILED: the corrected twin \\(CONSUMER_EXPECT_FAIL not defined\\) must compile without any output")
  foreach(case IN LISTS must_fail)
    string(REPLACE "|" ";" case "${case}")
    list(GET case 0 name)
    list(GET case 1 expected)
    execute_process(COMMAND ${ctest} -R "^must_fail\\.${name}$"
                    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(status EQUAL 0 OR NOT output MATCHES "${expected}")
      message(FATAL_ERROR "consumer: must_fail.${name} must fail, its output matching "
                          "'${expected}' (exit status ${status}):\n${output}")
    endif()
    message("consumer: must_fail.${name} failed as it must")
  endforeach()
endif()

if(DEFINED EXPECT_INSTALLED)
  set(prefix ${BINARY_DIR}/installed)
  step(install ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix} ${config_args})
  file(GLOB_RECURSE installed RELATIVE ${prefix} ${prefix}/*)
  if(EXPECT_INSTALLED STREQUAL "nothing")
    if(installed)
      message(FATAL_ERROR "consumer: expected nothing installed, found: ${installed}")
    endif()
  else()
    string(REPLACE "," ";" expected "${EXPECT_INSTALLED}")
    foreach(file IN LISTS expected)
      if(NOT EXISTS ${prefix}/${file})
        message(FATAL_ERROR "consumer: expected ${file} installed, found: ${installed}")
      endif()
    endforeach()
  endif()
endif()
