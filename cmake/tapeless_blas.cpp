// The one translation unit of tapeless::blas (tapeless-blas.cmake): the
// kernels of kernels/product.hpp, instantiated once with TAPELESS_BLAS (so
// large products go to OpenBLAS, kernels/blas.hpp), and the calls to
// OpenBLAS, so that only this file sees cblas.h.
#define TAPELESS_INSTANTIATE_KERNELS
#include <tapeless/kernels/product.hpp>

#include <cblas.h>

#include <atomic>
#include <stdexcept>
#include <string>

namespace tapeless::kernels {
namespace {

std::atomic<int> requested{1};
// The count this thread last gave OpenBLAS; 0 before its first product.
// OpenBLAS's own default is every core, and its OpenMP build keeps the count
// per calling thread (omp_set_num_threads), so each thread gives it the
// count before its first product and after every change.
thread_local int applied = 0;

void apply_threads() {
  const int n = requested.load(std::memory_order_relaxed);
  if (n != applied) {
    openblas_set_num_threads(n);
    applied = n;
  }
}

CBLAS_TRANSPOSE op(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// beta = 0 assigns: the BLAS then never reads c, so whatever it held
// (NaN included) is not propagated.
template <class S, class Gemm>
void call(Gemm gemm, bool transpose_a, bool transpose_b, Eigen::Index m, Eigen::Index n,
          Eigen::Index k, const S* a, Eigen::Index lda, const S* b, Eigen::Index ldb,
          bool accumulate, S* c, Eigen::Index ldc) {
  const auto i = [](Eigen::Index v) { return static_cast<blasint>(v); };
  apply_threads();
  gemm(CblasColMajor, op(transpose_a), op(transpose_b), i(m), i(n), i(k), S{1}, a, i(lda), b,
       i(ldb), accumulate ? S{1} : S{0}, c, i(ldc));
}

}  // namespace

void set_threads(int n) {
  if (n < 1)
    throw std::invalid_argument("tapeless: set_threads(n): n must be at least 1; given n = " +
                                std::to_string(n));
  requested.store(n, std::memory_order_relaxed);
}

int threads() { return requested.load(std::memory_order_relaxed); }

namespace blas {

void gemm(bool transpose_a, bool transpose_b, Eigen::Index m, Eigen::Index n, Eigen::Index k,
          const float* a, Eigen::Index lda, const float* b, Eigen::Index ldb, bool accumulate,
          float* c, Eigen::Index ldc) {
  call(cblas_sgemm, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

void gemm(bool transpose_a, bool transpose_b, Eigen::Index m, Eigen::Index n, Eigen::Index k,
          const double* a, Eigen::Index lda, const double* b, Eigen::Index ldb, bool accumulate,
          double* c, Eigen::Index ldc) {
  call(cblas_dgemm, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

}  // namespace blas
}  // namespace tapeless::kernels
