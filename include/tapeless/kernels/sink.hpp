#pragma once

#include <Eigen/Core>

#include <tapeless/kernels/product.hpp>

namespace tapeless::kernels {

// Where an op's vector-Jacobian product for one operand goes. The schedule
// knows at compile time whether an operand needs its adjoint at all and
// whether this is the first contribution to it, so no adjoint is ever zeroed
// and then added to: the first contribution assigns, later ones accumulate,
// and an operand that needs nothing gets `no_sink`, whose calls compile to
// nothing (Eigen expressions are lazy, so the product is never formed).
struct no_sink {
  static constexpr bool active = false;
  template <class E>
  void operator()(const E&) const {}
  template <class A, class B>
  void product(const A&, const B&) const {}
  template <class T>
  void fill(T) const {}
  no_sink row(Eigen::Index) const { return {}; }
  no_sink cols(Eigen::Index, Eigen::Index) const { return {}; }
};

// `Dst` is an adjoint matrix (by reference) or a block view of one.
template <class Dst, bool Accumulate>
struct sink {
  static constexpr bool active = true;
  Dst dst;

  // dst (+)= e, elementwise; `e` may be a matrix or an array expression.
  template <class E>
  void operator()(const E& e) {
    if constexpr (Accumulate)
      dst.array() += e.array();
    else
      dst.array() = e.array();
  }

  // dst (+)= a * b, a matrix product written straight into dst.
  template <class A, class B>
  void product(const A& a, const B& b) {
    kernels::product<Accumulate>(dst, a, b);
  }

  // dst (+)= v in every element: the pullback of a reduction.
  template <class T>
  void fill(T v) {
    if constexpr (Accumulate)
      dst.array() += v;
    else
      dst.setConstant(v);
  }

  auto row(Eigen::Index r) { return sink<decltype(dst.row(r)), Accumulate>{dst.row(r)}; }
  // Columns first .. first + n - 1: for ops that write an operand's
  // pullback by blocks (concatenation, slicing).
  auto cols(Eigen::Index first, Eigen::Index n) {
    return sink<decltype(dst.middleCols(first, n)), Accumulate>{dst.middleCols(first, n)};
  }
};

}  // namespace tapeless::kernels
