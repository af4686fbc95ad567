# cmake -D SOURCE_DIR=<tapeless source> -D BUILD_DIR=<its build>
#       -D PREFIX=<prefix> [-D CONFIG=<config>] -P install_fresh.cmake
# Installs the build into an empty PREFIX, then checks that the installed
# package files name neither the source nor the build tree: the package must
# still work once the trees are gone or the prefix is moved.
file(REMOVE_RECURSE ${PREFIX})
set(config_args "")
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} ${config_args}
  COMMAND_ECHO STDOUT
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "consumer.install: cmake --install failed (${status})")
endif()

file(GLOB_RECURSE package_files ${PREFIX}/*.cmake)
if(NOT package_files)
  message(FATAL_ERROR "consumer.install: no package files installed under ${PREFIX}")
endif()
foreach(file IN LISTS package_files)
  file(READ ${file} text)
  foreach(tree IN ITEMS ${SOURCE_DIR} ${BUILD_DIR})
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "consumer.install: ${file} names ${tree}; an installed package must not")
    endif()
  endforeach()
endforeach()
