# Compile-fail tests for users' own code: that a mistake on their graph is
# rejected with the message they expect, and that its corrected twin
# compiles. Included by the top-level CMakeLists.txt (add_subdirectory) and
# by the package config (find_package); tests/compile_fail uses the same
# functions for the library's own checks.
#
# tapeless_add_compile_fail_test(<name> SOURCE <file> TARGET <target>
#                                [MACRO <macro>] [MESSAGE <text>]
#                                [MATCHES <regex>...] [ERRORS <n>]
#                                [MAX_LINES <n>] [NO_TWIN])
#   SOURCE     one file with both variants: the mistake where MACRO is
#              defined, the corrected code (its twin) where it is not.
#   TARGET     the target whose compile command is used: its include
#              directories, definitions, options and language standard, with
#              those of everything it links, and CMAKE_CXX_FLAGS.
#   MACRO      the macro that selects the mistake (TAPELESS_EXPECT_FAIL).
#   MESSAGE    text the first error must contain, compared verbatim (no
#              regex): a `tapeless:` message, or the start of one.
#   MATCHES    regular expressions the whole diagnostic must match (the
#              culprits it must name, a second message).
#   ERRORS     how many errors the mistake must give, exactly.
#   MAX_LINES  the diagnostic must have fewer lines than this.
#   NO_TWIN    no twin test (another test compiles it already).
# Adds the CTest tests <name> (the mistake fails as described; MESSAGE or
# MATCHES required) and <name>.twin (the twin compiles without any output,
# warnings included). A test that fails prints the compiler's output, then
# `CHECK-FAILED:` and what did not hold.
#
# The compiler is the build's, called with -fsyntax-only on the command CMake
# generates for a probe: an object library, never built, compiled as TARGET
# is, whose command is read from compile_commands.json when the test runs.
# Hence: the Ninja or Makefile generators, and a compiler with GCC's
# command line (g++, clang++). A TARGET with precompiled headers
# (target_precompile_headers) lends them to its tests, which then skip
# most of the parsing (a third of the time with g++, a fifth with
# clang++): build TARGET before running them.
include_guard(GLOBAL)

# Read when the functions are called, from wherever: a variable would be
# scoped to the directory that included this file.
set_property(GLOBAL PROPERTY tapeless_compile_fail_script
  ${CMAKE_CURRENT_LIST_DIR}/tapeless-check-diagnostic.cmake)

# _tapeless_compile_fail_probe(<target> <out>): the probe source compiled as
# <target> is (one probe per target, however many tests use it).
function(_tapeless_compile_fail_probe target out)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "tapeless_add_compile_fail_test: no target '${target}'")
  endif()
  if(CMAKE_GENERATOR MATCHES "Multi-Config" OR NOT CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
    message(FATAL_ERROR "tapeless_add_compile_fail_test: the ${CMAKE_GENERATOR} generator "
      "writes no compile_commands.json; use Ninja or a Makefile generator")
  endif()
  if(MSVC)
    message(FATAL_ERROR "tapeless_add_compile_fail_test: needs a compiler with GCC's command "
      "line (g++ or clang++), not ${CMAKE_CXX_COMPILER}")
  endif()
  string(MAKE_C_IDENTIFIER "${target}" id)
  set(probe tapeless_compile_fail_probe_${id})
  set(source ${CMAKE_BINARY_DIR}/tapeless_compile_fail/${id}.cpp)
  set(${out} ${source} PARENT_SCOPE)
  if(TARGET ${probe})
    return()
  endif()
  file(CONFIGURE OUTPUT ${source} CONTENT
    "// Compiled as ${target} is: tapeless_add_compile_fail_test reads its command.\n")
  add_library(${probe} OBJECT EXCLUDE_FROM_ALL ${source})
  # Its own entry in compile_commands.json, not one of a unity build's.
  set_target_properties(${probe} PROPERTIES EXPORT_COMPILE_COMMANDS ON UNITY_BUILD OFF)
  get_target_property(type ${target} TYPE)
  get_target_property(imported ${target} IMPORTED)
  if(type STREQUAL "INTERFACE_LIBRARY" OR imported)
    # Its usage requirements are exactly what it gives a target linking it.
    target_link_libraries(${probe} PRIVATE ${target})
  else()
    # A target that compiles sources: its own settings, read when the build
    # is generated (so settings made after this call count), and what it
    # links, linked again so that imported headers stay system headers.
    set_target_properties(${probe} PROPERTIES
      INCLUDE_DIRECTORIES "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>"
      COMPILE_DEFINITIONS "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>"
      COMPILE_OPTIONS "$<TARGET_PROPERTY:${target},COMPILE_OPTIONS>"
      COMPILE_FEATURES "$<TARGET_PROPERTY:${target},COMPILE_FEATURES>"
      LINK_LIBRARIES "$<TARGET_PROPERTY:${target},LINK_LIBRARIES>")
    # These take no generator expressions: read now.
    # The target's precompiled header, built with the target.
    get_target_property(pch ${target} PRECOMPILE_HEADERS)
    if(pch)
      set_target_properties(${probe} PROPERTIES PRECOMPILE_HEADERS_REUSE_FROM ${target})
    endif()
    foreach(property CXX_STANDARD CXX_STANDARD_REQUIRED CXX_EXTENSIONS)
      get_target_property(value ${target} ${property})
      if(NOT value STREQUAL "value-NOTFOUND")
        set_target_properties(${probe} PROPERTIES ${property} "${value}")
      endif()
    endforeach()
  endif()
endfunction()

# _tapeless_compile_fail_test(<test> fail|twin SOURCE <file> PROBE <file>
#                             [MACRO <m>] [MESSAGE <text>] [MATCHES <regex>...]
#                             [ERRORS <n>] [MAX_LINES <n>])
# One CTest test running tapeless-check-diagnostic.cmake. Its arguments go
# in a file: a list or a ';' would not survive a test's command line.
function(_tapeless_compile_fail_test test mode)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "SOURCE;PROBE;MACRO;MESSAGE;ERRORS;MAX_LINES"
    "MATCHES")
  if(NOT arg_MACRO)
    set(arg_MACRO TAPELESS_EXPECT_FAIL)
  endif()
  cmake_path(ABSOLUTE_PATH arg_SOURCE BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set(arg_MODE ${mode})
  set(arg_COMPILE_COMMANDS ${CMAKE_BINARY_DIR}/compile_commands.json)
  set(content "")
  foreach(name MODE SOURCE PROBE MACRO MESSAGE ERRORS MAX_LINES MATCHES COMPILE_COMMANDS)
    set(value "${arg_${name}}")
    # A quoted argument of `set`, read back as written.
    string(REPLACE "\\" "\\\\" value "${value}")
    string(REPLACE "\"" "\\\"" value "${value}")
    string(REPLACE "$" "\\$" value "${value}")
    string(APPEND content "set(CF_${name} \"${value}\")\n")
  endforeach()
  string(REGEX REPLACE "[^A-Za-z0-9_.-]" "_" file "${test}")
  set(case ${CMAKE_CURRENT_BINARY_DIR}/tapeless_compile_fail/${file}.cmake)
  file(WRITE ${case} "${content}")
  get_property(script GLOBAL PROPERTY tapeless_compile_fail_script)
  add_test(NAME ${test} COMMAND ${CMAKE_COMMAND} -D CASE=${case} -P ${script})
endfunction()

function(tapeless_add_compile_fail_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_TWIN" "SOURCE;TARGET;MACRO;MESSAGE;ERRORS;MAX_LINES"
    "MATCHES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tapeless_add_compile_fail_test: unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCE OR NOT arg_TARGET)
    message(FATAL_ERROR "tapeless_add_compile_fail_test(${name}): SOURCE and TARGET are required")
  endif()
  if(NOT DEFINED arg_MESSAGE AND NOT arg_MATCHES)
    message(FATAL_ERROR "tapeless_add_compile_fail_test(${name}): give the MESSAGE expected, "
      "or MATCHES: a test that accepts any error passes on any mistake")
  endif()
  _tapeless_compile_fail_probe(${arg_TARGET} probe)
  set(common SOURCE ${arg_SOURCE} PROBE ${probe} MACRO "${arg_MACRO}")
  _tapeless_compile_fail_test(${name} fail ${common} MESSAGE "${arg_MESSAGE}"
    ERRORS "${arg_ERRORS}" MAX_LINES "${arg_MAX_LINES}" MATCHES ${arg_MATCHES})
  if(NOT arg_NO_TWIN)
    _tapeless_compile_fail_test(${name}.twin twin ${common})
  endif()
endfunction()
