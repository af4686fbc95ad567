# The version has one home, include/tapeless/version.hpp; project() and so
# the installed package version file take it from there, so a release that
# bumps the header cannot ship a package that claims the old version.
# Sets _tapeless_version ("major.minor.patch"). Included before project().
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/../include/tapeless/version.hpp _tapeless_version_lines
  REGEX "^#define TAPELESS_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+ *$")
set(_tapeless_version "")
foreach(_part IN ITEMS MAJOR MINOR PATCH)
  set(_number "")
  foreach(_line IN LISTS _tapeless_version_lines)
    if(_line MATCHES "^#define TAPELESS_VERSION_${_part} +([0-9]+)")
      set(_number ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(_number STREQUAL "")
    message(FATAL_ERROR "tapeless: include/tapeless/version.hpp does not define TAPELESS_VERSION_${_part}")
  endif()
  list(APPEND _tapeless_version ${_number})
endforeach()
list(JOIN _tapeless_version "." _tapeless_version)
unset(_tapeless_version_lines)
unset(_part)
unset(_number)
unset(_line)
