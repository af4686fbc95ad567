# cmake -DNM=<nm> -DOBJECTS=<object files> -P check_kernels_extern.cmake
# Every object listed, compiled with TAPELESS_PRECOMPILED_KERNELS, must call
# the matrix-product kernels without defining them: an extern template
# declaration that stopped matching its definition would silently compile
# Eigen's GEMM in every translation unit again.
execute_process(COMMAND ${NM} -C ${OBJECTS} RESULT_VARIABLE status OUTPUT_VARIABLE symbols)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${NM} failed (${status})")
endif()
if(NOT symbols MATCHES " U [^\n]*tapeless::kernels::gemm<")
  message(FATAL_ERROR "no call to tapeless::kernels::gemm in ${OBJECTS}")
endif()
if(symbols MATCHES " [TtWw] [^\n]*tapeless::kernels::gemm<")
  message(FATAL_ERROR "tapeless::kernels::gemm is defined in ${OBJECTS}")
endif()
