// The one translation unit of tapeless::kernels (CMakeLists.txt): Eigen's
// GEMM for float and double, instantiated once here instead of in every
// translation unit that links tapeless::kernels (kernels/product.hpp).
#define TAPELESS_INSTANTIATE_KERNELS
#include <tapeless/kernels/product.hpp>
