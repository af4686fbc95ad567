# Installation: headers, an exported target `tapeless::tapeless`, a package
# config that finds the dependencies again, and an architecture-independent
# version file (a header-only library fits any architecture).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS tapeless EXPORT tapeless-targets)
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(TAPELESS_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/tapeless)
install(EXPORT tapeless-targets NAMESPACE tapeless:: DESTINATION ${TAPELESS_CMAKE_DIR})
configure_package_config_file(cmake/tapeless-config.cmake.in
  ${PROJECT_BINARY_DIR}/tapeless-config.cmake INSTALL_DESTINATION ${TAPELESS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tapeless-config-version.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/tapeless-config.cmake
  ${PROJECT_BINARY_DIR}/tapeless-config-version.cmake DESTINATION ${TAPELESS_CMAKE_DIR})

# The build tree can be used as a package too (CMAKE_PREFIX_PATH=<build>).
export(EXPORT tapeless-targets NAMESPACE tapeless::
  FILE ${PROJECT_BINARY_DIR}/tapeless-targets.cmake)
