#pragma once

#include <type_traits>

#include <Eigen/Core>

#if defined(TAPELESS_BLAS)
#include <tapeless/kernels/blas.hpp>
#endif

// Matrix products, the only kernels whose cost matters. Eigen instantiates
// its GEMM afresh for every distinct combination of operand types, and a
// network's products all differ in their static sizes: compile time would
// grow with every layer. So products go through one entry point per scalar
// type that sees only dynamic-size references (three transposition patterns,
// assign or accumulate), and only tiny products whose every size is known
// keep Eigen's unrolled fixed-size code, where the call overhead would show.
namespace tapeless::kernels {

template <class E>
struct operand {
  static constexpr bool transposed = false;
  static const E& matrix(const E& e) { return e; }
};
template <class E>
struct operand<Eigen::Transpose<E>> {
  static constexpr bool transposed = true;
  static const auto& matrix(const Eigen::Transpose<E>& e) { return e.nestedExpression(); }
};

template <class E>
using plain_t = std::remove_cv_t<std::remove_reference_t<E>>;

// Largest m*n*k computed by Eigen's fixed-size product.
inline constexpr long fixed_product_limit = 8 * 8 * 8;

template <class Dst, class A, class B>
inline constexpr bool tiny_product = Dst::RowsAtCompileTime !=
                                     Eigen::Dynamic&& Dst::ColsAtCompileTime !=
                                     Eigen::Dynamic&& A::ColsAtCompileTime !=
                                     Eigen::Dynamic&& static_cast<long>(Dst::RowsAtCompileTime) *
                                             Dst::ColsAtCompileTime* A::ColsAtCompileTime
                                         <= fixed_product_limit;

template <class S>
using dynamic_matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

template <class S>
using matrix_ref = Eigen::Ref<dynamic_matrix<S>>;
template <class S>
using const_matrix_ref = const Eigen::Ref<const dynamic_matrix<S>>&;

// With TAPELESS_BLAS, gemm has another body (large products go to
// OpenBLAS, kernels/blas.hpp) and, through this inline namespace, another
// symbol: a program that links tapeless::kernels's instantiations and
// tapeless::blas's never has the linker pick one for the other.
#if defined(TAPELESS_BLAS)
inline namespace with_blas {
#endif

// dst (+)= op(a) op(b), op being the identity or the transpose. Assigning
// is zeroing then accumulating, which is what Eigen's own GEMM path does for
// `=`, so three instantiations serve all products.
template <class S>
void gemm(matrix_ref<S> dst, const_matrix_ref<S> a, bool transpose_a, const_matrix_ref<S> b,
          bool transpose_b, bool accumulate) {
#if defined(TAPELESS_BLAS)
  if (blas::product(dst, a, transpose_a, b, transpose_b, accumulate)) return;
#endif
  if (!accumulate) dst.setZero();
  if (transpose_a)
    dst.noalias() += a.transpose() * b;
  else if (transpose_b)
    dst.noalias() += a * b.transpose();
  else
    dst.noalias() += a * b;
}

#if defined(TAPELESS_BLAS)
}  // namespace with_blas
#endif

// Precompiled kernels (opt-in, target tapeless::kernels): Eigen's GEMM is
// the largest part of a small program's compile time (about 2 of the 5 s of
// a two-layer gradient at -O2), and it is the same code in every
// translation unit. TAPELESS_PRECOMPILED_KERNELS declares gemm<float> and
// gemm<double> instantiated elsewhere; one translation unit defines
// TAPELESS_INSTANTIATE_KERNELS and includes this header to instantiate
// them (cmake/tapeless_kernels.cpp; tapeless::blas's, with TAPELESS_BLAS,
// is cmake/tapeless_blas.cpp). It is the same function compiled out
// of line either way: with the same flags, the results are bit-identical.
#if defined(TAPELESS_INSTANTIATE_KERNELS)
template void gemm<float>(matrix_ref<float>, const_matrix_ref<float>, bool, const_matrix_ref<float>,
                          bool, bool);
template void gemm<double>(matrix_ref<double>, const_matrix_ref<double>, bool,
                           const_matrix_ref<double>, bool, bool);
#elif defined(TAPELESS_PRECOMPILED_KERNELS)
extern template void gemm<float>(matrix_ref<float>, const_matrix_ref<float>, bool,
                                 const_matrix_ref<float>, bool, bool);
extern template void gemm<double>(matrix_ref<double>, const_matrix_ref<double>, bool,
                                  const_matrix_ref<double>, bool, bool);
#endif

// dst = a b, or dst += a b with Accumulate; a or b may be a transpose.
template <bool Accumulate, class Dst, class A, class B>
void product(Dst& dst, const A& a, const B& b) {
  if constexpr (tiny_product<plain_t<Dst>, A, B>) {
    // Eigen's unrolled product stores into dst one coefficient at a time,
    // and the next node reads dst in packets: a load that spans several
    // stores is not forwarded from the store buffer but waits for the cache.
    // Through a local (kept in registers), dst is written in packets. Not
    // for an outer product (no sums to keep): clang++ puts that local on the
    // stack. P1 (batch 1) with clang++: 41.6 -> 28 ns a step, with
    // kernels::broadcast_row (bench/README.md).
    if constexpr (A::ColsAtCompileTime == 1) {
      if constexpr (Accumulate)
        dst.noalias() += a * b;
      else
        dst.noalias() = a * b;
    } else {
      const typename plain_t<Dst>::PlainObject t = a * b;
      if constexpr (Accumulate)
        dst += t;
      else
        dst = t;
    }
  } else {
    static_assert(!(operand<A>::transposed && operand<B>::transposed));
    using S = typename plain_t<Dst>::Scalar;
    // A destination of static size is zeroed here, in unrolled stores;
    // behind the entry point's dynamic-size reference the same zeroing is
    // a loop per column or a call to memset, about 1,300 instructions of a
    // 16x32x32 product's 11,000 (callgrind, deep16).
    constexpr bool zero_here = !Accumulate && plain_t<Dst>::SizeAtCompileTime != Eigen::Dynamic &&
                               plain_t<Dst>::SizeAtCompileTime * sizeof(S) <= 4096;
    if constexpr (zero_here) dst.setZero();
    gemm<S>(dst, operand<A>::matrix(a), operand<A>::transposed, operand<B>::matrix(b),
            operand<B>::transposed, Accumulate || zero_here);
  }
}

}  // namespace tapeless::kernels
