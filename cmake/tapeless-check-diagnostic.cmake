# One compile-fail test, run by CTest as `cmake -D CASE=<file> -P <this file>`
# (cmake/tapeless-compile-fail.cmake adds the tests and writes CASE):
#
#   CF_MODE              fail: compiling SOURCE with MACRO defined must fail;
#                        twin: compiling it without must succeed silently
#   CF_SOURCE            the case
#   CF_MACRO             the macro that selects the mistake
#   CF_MESSAGE           fail: text the first error line must contain, verbatim
#   CF_MATCHES           fail: regexes the whole diagnostic must match
#   CF_ERRORS            fail: how many errors there must be (empty: any)
#   CF_MAX_LINES         fail: the diagnostic must be shorter (empty: any)
#   CF_PROBE             the source of the probe target whose compile command,
#                        read from CF_COMPILE_COMMANDS, is the one used
#   CF_COMPILE_COMMANDS  the build's compile_commands.json
#
# The compiler runs with -fsyntax-only. The test passes when every
# requirement holds; otherwise it fails, saying which do not
# (`CHECK-FAILED: ...`) after the compiler's output.

cmake_minimum_required(VERSION 3.21)

if(NOT DEFINED CASE)
  message(FATAL_ERROR "CHECK-FAILED: tapeless-check-diagnostic.cmake needs -D CASE=<file>")
endif()
include(${CASE})

# Says what did not hold, its arguments concatenated and printed as written
# (message(FATAL_ERROR) would rewrap them), and fails the test.
function(check_failed)
  set(text "")
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE ${last})
    string(APPEND text "${ARGV${i}}")  # not ${ARGV}: a ';' would be lost
  endforeach()
  message("CHECK-FAILED: ${text}")
  message(FATAL_ERROR "compile-fail test of ${CF_SOURCE} (${CF_MODE}): failed")
endfunction()

# The probe's entry in compile_commands.json. CMake writes one object per
# entry, opening with "{" at the start of a line; a JSON string holds no
# newline, so the object around the probe's path runs from the "\n{" before
# it to the "\n}" after it. Parsed whole, a large file would be parsed once
# per string(JSON) call.
if(NOT EXISTS "${CF_COMPILE_COMMANDS}")
  check_failed("${CF_COMPILE_COMMANDS} does not exist; "
                      "configure the project again")
endif()
file(READ "${CF_COMPILE_COMMANDS}" commands)
string(REPLACE "\\" "\\\\" probe_json "${CF_PROBE}")
string(REPLACE "\"" "\\\"" probe_json "${probe_json}")
string(FIND "${commands}" "\"file\": \"${probe_json}\"" at)
if(at EQUAL -1)
  check_failed("${CF_COMPILE_COMMANDS} has no entry for ${CF_PROBE}; "
                      "configure the project again")
endif()
string(SUBSTRING "${commands}" 0 ${at} before)
string(FIND "${before}" "\n{" begin REVERSE)
string(SUBSTRING "${commands}" ${begin} -1 entry)
string(FIND "${entry}" "\n}" end)
math(EXPR end "${end} + 2")
string(SUBSTRING "${entry}" 0 ${end} entry)
string(JSON probe_command GET "${entry}" command)
string(JSON directory GET "${entry}" directory)

# The probe's command without its output and input, checking syntax only
# (errors and warnings all come from the front end).
separate_arguments(probe_args UNIX_COMMAND "${probe_command}")
set(command "")
set(skip FALSE)
foreach(arg IN LISTS probe_args)
  if(skip)
    set(skip FALSE)
  elseif(arg STREQUAL "-o")
    set(skip TRUE)
  elseif(NOT arg STREQUAL "-c" AND NOT arg STREQUAL "${CF_PROBE}")
    list(APPEND command "${arg}")
  endif()
endforeach()
list(APPEND command -fsyntax-only)
if(CF_MODE STREQUAL "fail")
  list(APPEND command -D${CF_MACRO})
elseif(NOT CF_MODE STREQUAL "twin")
  check_failed("CF_MODE must be fail or twin, not '${CF_MODE}'")
endif()
list(APPEND command ${CF_SOURCE})

# One variable for both streams: they are merged in the order produced.
# LC_ALL=C keeps g++'s quotes plain ASCII whatever the user's locale.
set(ENV{LC_ALL} C)
execute_process(COMMAND ${command} WORKING_DIRECTORY ${directory}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)

# Line count: newlines, plus a last line without one.
string(REGEX MATCHALL "\n" newlines "${output}")
list(LENGTH newlines lines)
if(NOT output STREQUAL "" AND NOT output MATCHES "\n$")
  math(EXPR lines "${lines} + 1")
endif()

string(REPLACE ";" " " shown_command "${command}")

if(CF_MODE STREQUAL "twin")
  if(NOT status EQUAL 0 OR NOT output STREQUAL "")
    message("${output}")
    check_failed("the corrected twin (${CF_MACRO} not defined) must "
                        "compile without any output (exit status ${status}, ${lines} lines "
                        "of output)\n${shown_command}")
  endif()
  message("TWIN-OK: compiles cleanly")
  return()
endif()

# The failing variant.
if(status EQUAL 0)
  message("${output}")
  check_failed("the case compiled, but must fail with ${CF_MACRO} defined"
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
if(NOT CF_MESSAGE STREQUAL "")
  string(FIND "${first_error}" "${CF_MESSAGE}" found)
  if(found EQUAL -1)
    string(APPEND problems "\n  the first error does not contain the expected message:"
                           "\n    expected: ${CF_MESSAGE}\n    first error: ${first_error}")
  endif()
endif()
if(NOT CF_ERRORS STREQUAL "")
  if(errors GREATER CF_ERRORS)
    string(APPEND problems "\n  ${errors} errors reported, ${CF_ERRORS} expected: the first "
                           "mistake cascades into more errors")
  elseif(errors LESS CF_ERRORS)
    string(APPEND problems "\n  ${errors} errors reported, ${CF_ERRORS} expected")
  endif()
endif()
if(NOT CF_MAX_LINES STREQUAL "" AND lines GREATER_EQUAL CF_MAX_LINES)
  string(APPEND problems "\n  the diagnostic has ${lines} lines; it must have fewer than "
                         "${CF_MAX_LINES}")
endif()
foreach(regex IN LISTS CF_MATCHES)
  if(NOT output MATCHES "${regex}")
    string(APPEND problems "\n  the diagnostic does not match '${regex}'")
  endif()
endforeach()

message("${output}")
if(NOT problems STREQUAL "")
  check_failed("${problems}\n${lines} lines, ${errors} errors\n"
                      "${shown_command}")
endif()
message("FAIL-OK: ${lines} lines, ${errors} errors; first error: ${first_error}")
