# Included by both consumer projects after their executables are defined:
# CONSUMER_EXECUTABLES, where set, lists (comma-separated) those the test
# builds and runs; the others stay defined, out of `all`. The four consumer
# tests compile main.cpp only in the ways of using tapeless that each is
# there to test, not every way in every test: it was twelve compilations of
# main.cpp and eight of the kernels' sources, 86 s of the gcc
# configuration's test time on two cores, now six and six, 58 s.
if(DEFINED CONSUMER_EXECUTABLES)
  string(REPLACE "," ";" wanted "${CONSUMER_EXECUTABLES}")
  foreach(exe IN LISTS wanted)
    if(NOT exe MATCHES "^consumer(_kernels|_blas)?$")
      message(FATAL_ERROR "CONSUMER_EXECUTABLES: no executable '${exe}'")
    endif()
  endforeach()
  foreach(exe consumer consumer_kernels consumer_blas)
    if(TARGET ${exe} AND NOT exe IN_LIST wanted)
      set_target_properties(${exe} PROPERTIES EXCLUDE_FROM_ALL ON)
    endif()
  endforeach()
endif()
