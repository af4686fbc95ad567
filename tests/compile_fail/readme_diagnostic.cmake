# cmake -D COMPILER=<g++> -D SOURCE_DIR=<repository> -D EIGEN=<dir> -P readme_diagnostic.cmake
# The README quotes, verbatim, what g++ prints for the copied-weights request
# of examples/two_models.cpp (section "What does not compile, and what it
# says"). Runs the command the README gives, from the repository root, and
# fails unless the README holds its whole output: a change to the message,
# or to a line of the headers it cites, must be copied there too.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C
          ${COMPILER} -std=c++20 -fsyntax-only -DTAPELESS_SHOW_COPY_ERROR -Iinclude
          -isystem ${EIGEN} examples/two_models.cpp
  WORKING_DIRECTORY ${SOURCE_DIR}
  RESULT_VARIABLE status
  ERROR_VARIABLE diagnostic
  OUTPUT_QUIET)
if(status EQUAL 0)
  message(FATAL_ERROR "CHECK-FAILED: examples/two_models.cpp compiled with TAPELESS_SHOW_COPY_ERROR")
endif()
string(STRIP "${diagnostic}" diagnostic)
file(READ ${SOURCE_DIR}/README.md readme)
string(FIND "${readme}" "${diagnostic}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "CHECK-FAILED: README.md does not quote g++'s diagnostic verbatim; "
                      "replace its copy with:\n${diagnostic}")
endif()
