# One compile-fail case, run as `cmake -P` by CTest (see CMakeLists.txt).
#
#   -DCONFIG=<file>    compiler and include directories, written at configure time
#   -DSOURCE=<file>    the case
#   -DMODE=fail|twin   fail: compile with MACRO defined, which must fail;
#                      twin: compile without it, which must succeed silently
#   -DMACRO=<name>     the macro that selects the failing variant
#   -DERRORS=<n>       fail: how many errors the case must report (default 1)
#   -DALSO=<regexes>   fail: further regexes the diagnostic must match,
#                      separated by "@@" (a list would split at ";")
#
# A failing case prints `FIRST-ERROR: <the first line that says "error">` and
# `LINES: <n>`; the CTest test matches the expected message in the first of
# these. PASS_REGULAR_EXPRESSION ignores the exit code, so FIRST-ERROR is
# printed only when every other requirement holds: a case that compiles, that
# cascades into more errors, or whose diagnostic is too long never prints it.

cmake_minimum_required(VERSION 3.21)

# A diagnostic of this many lines or more is too long to read at a glance.
set(max_lines 30)

foreach(var CONFIG SOURCE MODE MACRO)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "CHECK-FAILED: check_diagnostic.cmake needs -D${var}=...")
  endif()
endforeach()
if(NOT DEFINED ERRORS)
  set(ERRORS 1)
endif()

include(${CONFIG})  # CF_COMPILER, CF_INCLUDES, CF_SYSTEM_INCLUDES

# TAPELESS_PRECOMPILED_KERNELS, as with tapeless::kernels: no check reads
# the product kernels, and Eigen's GEMM would be two fifths of each
# compilation.
set(command ${CF_COMPILER} -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic
    -DTAPELESS_PRECOMPILED_KERNELS)
foreach(dir IN LISTS CF_INCLUDES)
  list(APPEND command -I${dir})
endforeach()
foreach(dir IN LISTS CF_SYSTEM_INCLUDES)
  list(APPEND command -isystem ${dir})
endforeach()
if(MODE STREQUAL "fail")
  list(APPEND command -D${MACRO})
elseif(NOT MODE STREQUAL "twin")
  message(FATAL_ERROR "CHECK-FAILED: MODE must be fail or twin, not '${MODE}'")
endif()
list(APPEND command ${SOURCE})

# One variable for both streams: they are merged in the order produced.
# LC_ALL=C keeps g++'s quotes plain ASCII whatever the user's locale.
set(ENV{LC_ALL} C)
execute_process(COMMAND ${command} RESULT_VARIABLE status OUTPUT_VARIABLE output
                ERROR_VARIABLE output)

# Line count: newlines, plus a last line without one.
string(REGEX MATCHALL "\n" newlines "${output}")
list(LENGTH newlines lines)
if(NOT output STREQUAL "" AND NOT output MATCHES "\n$")
  math(EXPR lines "${lines} + 1")
endif()

string(REPLACE ";" " " shown_command "${command}")

if(MODE STREQUAL "twin")
  if(NOT status EQUAL 0 OR NOT output STREQUAL "")
    message("${output}")
    message(FATAL_ERROR "CHECK-FAILED: the corrected twin must compile without any output "
                        "(exit status ${status}, ${lines} lines of output)\n${shown_command}")
  endif()
  message("TWIN-OK: compiles cleanly")
  return()
endif()

# The failing variant.
if(status EQUAL 0)
  message("${output}")
  message(FATAL_ERROR "CHECK-FAILED: the case compiled, but must fail with ${MACRO} defined"
                      "\n${shown_command}")
endif()

string(REGEX MATCH "[^\n]*error[^\n]*" first_error "${output}")
# Error lines as both compilers start them: "file:line:col: error: ...".
string(REGEX MATCHALL "(^|\n)[^\n]*: (fatal )?error: " error_lines "${output}")
list(LENGTH error_lines errors)

set(problems "")
if(first_error STREQUAL "")
  string(APPEND problems "\n  no line of the output contains \"error\"")
endif()
if(errors GREATER ERRORS)
  string(APPEND problems "\n  ${errors} errors reported, ${ERRORS} expected: the first mistake "
                         "cascades into more errors")
elseif(errors LESS ERRORS)
  string(APPEND problems "\n  ${errors} errors reported, ${ERRORS} expected")
endif()
if(lines GREATER_EQUAL max_lines)
  string(APPEND problems "\n  the diagnostic has ${lines} lines; it must have fewer than ${max_lines}")
endif()
if(DEFINED ALSO AND NOT ALSO STREQUAL "")
  string(REPLACE "@@" ";" also_list "${ALSO}")
  foreach(regex IN LISTS also_list)
    if(NOT output MATCHES "${regex}")
      string(APPEND problems "\n  the diagnostic does not match '${regex}'")
    endif()
  endforeach()
endif()

message("${output}")
if(NOT problems STREQUAL "")
  message(FATAL_ERROR "CHECK-FAILED: ${problems}\n${lines} lines, ${errors} errors; "
                      "first error line: ${first_error}\n${shown_command}")
endif()
message("LINES: ${lines}")
message("ERRORS: ${errors}")
message("FIRST-ERROR: ${first_error}")
