#pragma once

#include <algorithm>

#include <Eigen/Core>

// Large products through OpenBLAS (opt-in: target tapeless::blas, which
// defines TAPELESS_BLAS and compiles cmake/tapeless_blas.cpp). Eigen's GEMM
// as clang++ 14 compiles it takes 1.5-1.7x g++ 12's time on the products of
// a wide layer; OpenBLAS is the same machine code whichever compiler builds
// the program, as fast as g++'s Eigen on one thread, and threaded.
// kernels::gemm (product.hpp) asks `blas::product` first; products below
// the threshold stay with Eigen. docs/design.md, section 6, says why.
namespace tapeless::kernels {

// Threads for the products at or above `blas_threshold`, for the whole
// process; 1 until set. A product of 128^3 or more is cut into that many
// blocks of rows or columns, one single-threaded OpenBLAS call each, run
// on the calling thread and helper threads that live as long as the count.
// The blocks depend on the count and the shape only, so with a given count
// results are reproducible bit for bit; with another count they differ in
// the last bits. A product uses the count it reads when it starts. n < 1
// throws std::invalid_argument.
void set_threads(int n);
int threads();

// m * n * k from which a product goes to OpenBLAS. Below it a product takes
// under about 10 µs, OpenBLAS saves a microsecond or two at most, and small
// products stay where a fixed-size path can serve them (docs/design.md).
inline constexpr long blas_threshold = 64 * 64 * 64;

namespace blas {

// c (+)= op(a) op(b), column-major, op transposing where asked; sizes of
// op(a): m x k, op(b): k x n. Defined in cmake/tapeless_blas.cpp.
void gemm(bool transpose_a, bool transpose_b, Eigen::Index m, Eigen::Index n, Eigen::Index k,
          const float* a, Eigen::Index lda, const float* b, Eigen::Index ldb, bool accumulate,
          float* c, Eigen::Index ldc);
void gemm(bool transpose_a, bool transpose_b, Eigen::Index m, Eigen::Index n, Eigen::Index k,
          const double* a, Eigen::Index lda, const double* b, Eigen::Index ldb, bool accumulate,
          double* c, Eigen::Index ldc);

// The BLAS wants a leading dimension of at least the row count even where
// there is one column and Eigen's outer stride means nothing.
template <class M>
Eigen::Index leading_dimension(const M& m) {
  return m.cols() == 1 ? std::max<Eigen::Index>(m.rows(), 1) : m.outerStride();
}

// dst (+)= op(a) op(b) by OpenBLAS if the product is large enough; false,
// with nothing done, if it is not. Operands are column-major references
// with unit inner stride (kernels::matrix_ref).
template <class Dst, class A, class B>
bool product(Dst& dst, const A& a, bool transpose_a, const B& b, bool transpose_b,
             bool accumulate) {
  const Eigen::Index depth = transpose_a ? a.rows() : a.cols();
  if (dst.rows() * dst.cols() * depth < blas_threshold) return false;
  gemm(transpose_a, transpose_b, dst.rows(), dst.cols(), depth, a.data(), leading_dimension(a),
       b.data(), leading_dimension(b), accumulate, dst.data(), leading_dimension(dst));
  return true;
}

}  // namespace blas
}  // namespace tapeless::kernels
