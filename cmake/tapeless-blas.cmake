# tapeless::blas (opt-in): tapeless::kernels's precompiled products, with
# those of m * n * k >= 64^3 computed by OpenBLAS, threaded with
# tapeless::kernels::set_threads (include/tapeless/kernels/blas.hpp,
# docs/design.md section 6). A static library of one translation unit
# (tapeless_blas.cpp, beside this file), the only one that sees cblas.h,
# built only when a target links it, with that build's compiler and flags;
# included by the top-level CMakeLists.txt and by the package config, like
# tapeless-kernels.cmake. Defined where OpenBLAS's own package config is
# found (Debian: libopenblas-dev; any of its pthread or OpenMP builds).
# Needs tapeless::tapeless.
if(NOT TARGET tapeless::blas)
  find_package(OpenBLAS CONFIG QUIET)
  if(OpenBLAS_FOUND)
    add_library(tapeless_blas STATIC EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/tapeless_blas.cpp)
    add_library(tapeless::blas ALIAS tapeless_blas)
    target_link_libraries(tapeless_blas PUBLIC tapeless::tapeless PRIVATE ${OpenBLAS_LIBRARIES})
    target_include_directories(tapeless_blas SYSTEM PRIVATE ${OpenBLAS_INCLUDE_DIRS})
    target_compile_definitions(tapeless_blas PUBLIC TAPELESS_PRECOMPILED_KERNELS TAPELESS_BLAS)
    set_target_properties(tapeless_blas PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
endif()
