#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include <tapeless/checks.hpp>
#include <tapeless/grad.hpp>

// Jacobians of a non-scalar expression f (batch x out) with respect to a
// variable x (batch x in): per example of the batch, by one reverse sweep
// per output column; and Jacobian-vector products J u, by differentiating
// the vector-Jacobian product J^T w with respect to w (it is linear in w, so
// its gradient <J^T w, u> is J u whatever w is).
namespace tapeless {

namespace detail {

template <class X>
struct jacobian_seed {};
template <class X>
struct jvp_dual {};

// The op of each node of F that depends on X and has a static row count:
// a reduction over the batch, which makes one example's outputs depend on
// the others' inputs.
template <class F, class X>
struct batch_mixing {
  using facts = graph::analysis<F, X>;
  using dag = typename facts::dag;
  template <std::size_t K>
  using node = typename dag::template node<K>::node;
  template <std::size_t K>
  static constexpr bool mixes = facts::plan.depends[K] && node<K>::rows != dynamic;
  template <std::size_t... K>
  static auto find(std::index_sequence<K...>) {
    return meta::cat_t<meta::keep_if<mixes<K>, typename op_of<node<K>>::type>...>{};
  }
  using ops = decltype(find(std::make_index_sequence<dag::size>{}));
};

}  // namespace detail

// Per-example Jacobians of a batch: J[b] is example b's (out x in) matrix,
// stored one above the other.
template <class S, int Out, int In>
struct batch_jacobian {
  Eigen::Matrix<S, Eigen::Dynamic, In> values;
  Eigen::Index batch() const { return values.rows() / Out; }
  auto operator[](Eigen::Index example) const { return values.middleRows(example * Out, Out); }
};

// The per-example Jacobian of f with respect to the variable x, computed
// when called with the feeds: tl::jacobian(net(x), x)(tl::feed(x, X)).
// f must treat examples independently (checked: no reduction over the
// batch between x and f).
template <class F, class X>
class jacobian_program {
  using S = typename F::scalar;
  using seed = input<detail::jacobian_seed<X>, S, F::cols>;
  using program_type = decltype(gradient(
      make_expr(ops::sum{}, make_expr(ops::multiply{}, std::declval<const F&>(), seed{})),
      std::declval<const X&>()));

  program_type program_;
  Eigen::Matrix<S, Eigen::Dynamic, F::cols> seed_;
  batch_jacobian<S, F::cols, X::cols> value_;

 public:
  jacobian_program(const F& f, const X& x)
      : program_(gradient(make_expr(ops::sum{}, make_expr(ops::multiply{}, f, seed{})), x)) {}

  template <class... Fed>
  const batch_jacobian<S, F::cols, X::cols>& operator()(const feed_t<Fed>&... feeds) {
    Eigen::Index batch = 0;
    ((batch = std::is_same_v<Fed, X> ? feeds.rows : batch), ...);
    seed_.setZero(batch, F::cols);
    value_.values.resize(batch * F::cols, X::cols);
    for (Eigen::Index o = 0; o < F::cols; ++o) {
      seed_.col(o).setOnes();
      const auto& g = program_(feeds..., feed(seed{}, seed_));
      for (Eigen::Index b = 0; b < batch; ++b) value_.values.row(b * F::cols + o) = g[X{}].row(b);
      seed_.col(o).setZero();
    }
    return value_;
  }
};

template <Expression F, class Tag, class S, int Features, int Batch>
auto jacobian(const F& f, const variable<Tag, S, Features, Batch>& x) {
  using X = variable<Tag, S, Features, Batch>;
  using mixing = typename detail::batch_mixing<node_t<F>, X>::ops;
  static_assert(
      check::enforce<typename meta::apply<check::jacobian_keeps_examples_apart, mixing>::type>);
  return jacobian_program<node_t<F>, X>(as_node(f), x);
}

// The Jacobian-vector product J u of f (batch x out) with respect to the
// variable x, along u (an expression of x's shape, usually an input),
// computed when called with the feeds: a (batch x out) matrix.
template <class F, class X, class U>
class jvp_program {
  using S = typename F::scalar;
  using dual = variable<detail::jvp_dual<X>, S, F::cols>;
  static auto make(const F& f, const X& x, const U& u) {
    const auto vjp = grad(make_expr(ops::sum{}, make_expr(ops::multiply{}, f, dual{})), x);
    return evaluate(
        grad(make_expr(ops::sum{}, detail::elementwise<ops::multiply>(vjp, u)), dual{}));
  }
  using program_type =
      decltype(make(std::declval<const F&>(), std::declval<const X&>(), std::declval<const U&>()));

  program_type program_;
  Eigen::Matrix<S, Eigen::Dynamic, F::cols> dual_;

 public:
  jvp_program(const F& f, const X& x, const U& u) : program_(make(f, x, u)) {}

  template <class... Fed>
  const auto& operator()(const feed_t<Fed>&... feeds) {
    Eigen::Index batch = 0;
    ((batch = std::is_same_v<Fed, X> ? feeds.rows : batch), ...);
    // The rules may keep w for its shape (a spread of the seed); its values
    // do not matter, J^T w being linear in w.
    if constexpr (graph::uses_v<graph::analysis<typename program_type::expression_type>, dual>) {
      dual_.setZero(batch, F::cols);
      return program_(feeds..., feed(dual{}, dual_)).value();
    } else {
      return program_(feeds...).value();
    }
  }
};

template <Expression F, class Tag, class S, int Features, int Batch, Expression U>
auto jvp(const F& f, const variable<Tag, S, Features, Batch>& x, const U& u) {
  return jvp_program<node_t<F>, variable<Tag, S, Features, Batch>, node_t<U>>(as_node(f), x,
                                                                              as_node(u));
}

}  // namespace tapeless
