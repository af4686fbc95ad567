# Installation: headers, an exported target `tapeless::tapeless` (and
# `tapeless::io` where zlib was found, in an export file of its own, so that
# the package config looks for zlib only when there is a target that needs
# it), a package config that finds the dependencies again, and an
# architecture-independent version file (a header-only library fits any
# architecture, so the package goes to share/, not lib/<arch>/). Needs
# GNUInstallDirs, included by the top-level CMakeLists.txt before the target
# is defined.
include(CMakePackageConfigHelpers)

install(TARGETS tapeless EXPORT tapeless-targets)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")

set(TAPELESS_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/tapeless)
install(EXPORT tapeless-targets NAMESPACE tapeless:: DESTINATION ${TAPELESS_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tapeless-config.cmake.in
  ${PROJECT_BINARY_DIR}/tapeless-config.cmake INSTALL_DESTINATION ${TAPELESS_CMAKE_DIR})
# Before 1.0 a minor release may break the API: 0.1 accepts 0.1.x only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tapeless-config-version.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
# tapeless::kernels's and tapeless::blas's definitions and sources go with
# the package config,
# which builds it in the consumer's build (cmake/tapeless-kernels.cmake), and
# so does tapeless_add_compile_fail_test with the script its tests run
# (cmake/tapeless-compile-fail.cmake). The build tree gets copies for
# CMAKE_PREFIX_PATH=<build>.
set(_tapeless_package_files cmake/tapeless-kernels.cmake cmake/tapeless_kernels.cpp
  cmake/tapeless-blas.cmake cmake/tapeless_blas.cpp
  cmake/tapeless-compile-fail.cmake cmake/tapeless-check-diagnostic.cmake)
install(FILES ${PROJECT_BINARY_DIR}/tapeless-config.cmake
  ${PROJECT_BINARY_DIR}/tapeless-config-version.cmake
  ${_tapeless_package_files} DESTINATION ${TAPELESS_CMAKE_DIR})
foreach(file IN LISTS _tapeless_package_files)
  configure_file(${PROJECT_SOURCE_DIR}/${file} ${PROJECT_BINARY_DIR} COPYONLY)
endforeach()
unset(_tapeless_package_files)

# The build tree can be used as a package too (CMAKE_PREFIX_PATH=<build>):
# the config and version files above sit next to this export.
export(EXPORT tapeless-targets NAMESPACE tapeless::
  FILE ${PROJECT_BINARY_DIR}/tapeless-targets.cmake)

if(TARGET tapeless_io)
  install(TARGETS tapeless_io EXPORT tapeless-io-targets)
  install(EXPORT tapeless-io-targets NAMESPACE tapeless:: DESTINATION ${TAPELESS_CMAKE_DIR})
  export(EXPORT tapeless-io-targets NAMESPACE tapeless::
    FILE ${PROJECT_BINARY_DIR}/tapeless-io-targets.cmake)
else()
  # A build tree configured again without zlib must not offer the old target.
  file(REMOVE ${PROJECT_BINARY_DIR}/tapeless-io-targets.cmake)
endif()
