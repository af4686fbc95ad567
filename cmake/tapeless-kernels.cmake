# tapeless::kernels (opt-in): the same headers, with the matrix-product
# kernels compiled once, in a static library of one translation unit
# (tapeless_kernels.cpp, beside this file), instead of in every translation
# unit that uses them: a small program compiles in about 0.6x the time
# (include/tapeless/kernels/product.hpp). Built only when a target links it,
# with that build's compiler and flags: included by the top-level
# CMakeLists.txt and by the package config, so an installed tapeless builds
# it in the consumer's build and the package stays header-only and
# architecture-independent. Needs tapeless::tapeless.
if(NOT TARGET tapeless::kernels)
  add_library(tapeless_kernels STATIC EXCLUDE_FROM_ALL
    ${CMAKE_CURRENT_LIST_DIR}/tapeless_kernels.cpp)
  add_library(tapeless::kernels ALIAS tapeless_kernels)
  target_link_libraries(tapeless_kernels PUBLIC tapeless::tapeless)
  target_compile_definitions(tapeless_kernels PUBLIC TAPELESS_PRECOMPILED_KERNELS)
  # Linkable into shared libraries too.
  set_target_properties(tapeless_kernels PROPERTIES POSITION_INDEPENDENT_CODE ON)
endif()
