# cmake -D SOURCE_DIR=<consumer project> -D BINARY_DIR=<its build>
#       [-D CONFIG=<config>] [-D EXE_SUFFIX=.exe] [-D EXPECT_INSTALLED=<file>,...|nothing]
#       -P run_consumer.cmake -- <configure arguments>...
# Configures the consumer from scratch, builds it and runs its executables,
# `consumer` (linking tapeless::tapeless) and `consumer_kernels` (linking
# tapeless::kernels); with EXPECT_INSTALLED, also installs it into an empty
# prefix and checks that the files listed (relative to the prefix), or
# nothing, were installed. Any failing step fails the test.

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
foreach(name consumer consumer_kernels)
  set(exe ${name}${EXE_SUFFIX})
  if(CONFIG AND EXISTS ${BINARY_DIR}/${CONFIG}/${exe})
    set(exe ${BINARY_DIR}/${CONFIG}/${exe})
  else()
    set(exe ${BINARY_DIR}/${exe})
  endif()
  step("run ${name}" ${exe})
endforeach()

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
