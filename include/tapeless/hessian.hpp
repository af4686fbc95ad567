#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include <tapeless/checks.hpp>
#include <tapeless/grad.hpp>
#include <tapeless/traits.hpp>

// The Hessian of a loss with respect to a few parameters or variables, as a
// dense matrix, one column block per leaf: column block b is computed by
// Hessian-vector products with the unit vectors of leaf b, from one program
// per block, the gradient of <grad(loss, leaf b), v> (v an input fed with
// the unit vector) with respect to every leaf. Blocks the analysis proves
// zero are never computed: the block's program does not contain them.
namespace tapeless {

namespace detail {

// The input that carries the direction of column block B.
template <class Leaf>
struct hessian_direction {};
template <class Leaf>
using direction_of = input<hessian_direction<Leaf>, typename Leaf::scalar, Leaf::cols, Leaf::rows>;

// <grad(loss, B), v_B>: its gradient with respect to A is the (A, B) block
// of the Hessian times v_B.
template <class Loss, class B>
auto hessian_column_loss(const Loss& loss, const B& leaf) {
  return make_expr(ops::sum{}, make_expr(ops::multiply{}, grad(unconnected_as_zero, loss, leaf),
                                         direction_of<node_t<B>>{}));
}

template <class Loss, class B>
using hessian_column_loss_t =
    decltype(hessian_column_loss(std::declval<const Loss&>(), std::declval<const B&>()));

}  // namespace detail

template <class Loss, class... Leaves>
class hessian_program;

namespace detail {

template <class Loss, class... L>
auto hessian_of(const Loss& loss, const std::tuple<L...>& leaves) {
  if constexpr (!check::all(check::hessian_shape_is_static<L, L::rows != dynamic>::check()...))
    return hessian_program<Loss>(loss);
  else
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return hessian_program<Loss, L...>(loss, std::get<I>(leaves)...);
    }
  (std::index_sequence_for<L...>{});
}

}  // namespace detail

// Whether the block d2 Loss / dA dB of the Hessian (A and B parameters or
// variables) is zero by the structure of the graph: the gradient with
// respect to B does not depend on A (a piecewise-linear path, two models
// that meet only additively, a loss linear in A).
template <class Loss, class A, class B>
inline constexpr bool hessian_block_is_zero_v =
    !depends_on_v<detail::hessian_column_loss_t<node_t<Loss>, B>, A>;

// The Hessian of `Loss` with respect to parameters and variables of static
// shapes, `n x n` for their n elements in all: the leaves in argument
// order, each read row by row (as tl::reshape). tl::hessian(loss, w, b)
// makes it; calling it with the feeds computes it.
template <class Loss, class... Leaves>
class hessian_program {
  using S = typename Loss::scalar;
  static constexpr std::size_t count = sizeof...(Leaves);
  static constexpr std::array<Eigen::Index, count> sizes{
      Eigen::Index{Leaves::rows * Leaves::cols}...};
  static constexpr std::array<Eigen::Index, count + 1> offsets = [] {
    std::array<Eigen::Index, count + 1> out{};
    for (std::size_t i = 0; i < count; ++i) out[i + 1] = out[i] + sizes[i];
    return out;
  }();

  template <class Leaf>
  using program_for = decltype(gradient(unconnected_as_zero,
                                        std::declval<detail::hessian_column_loss_t<Loss, Leaf>>(),
                                        std::declval<const Leaves&>()...));

  std::tuple<Leaves...> leaves_;
  std::tuple<program_for<Leaves>...> columns_;
  std::tuple<kernels::matrix<S, Leaves::rows, Leaves::cols>...> units_;
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> value_;

 public:
  hessian_program(const Loss& loss, const Leaves&... leaves)
      : leaves_(leaves...),
        columns_(
            gradient(unconnected_as_zero, detail::hessian_column_loss(loss, leaves), leaves...)...),
        value_(offsets[count], offsets[count]) {
    std::apply([](auto&... u) { (u.setZero(), ...); }, units_);
  }

  // Whether the (A, B) block (A the row's leaf, B the column's, as indices)
  // is computed; false for blocks known to be zero.
  template <std::size_t A, std::size_t B>
  static constexpr bool computes_block() {
    using column = std::tuple_element_t<B, std::tuple<program_for<Leaves>...>>;
    return column::template computes_gradient_of<std::tuple_element_t<A, std::tuple<Leaves...>>>();
  }

  template <class... Fed>
  const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& operator()(const feed_t<Fed>&... feeds) {
    value_.setZero();
    [&]<std::size_t... B>(std::index_sequence<B...>) { (column<B>(feeds...), ...); }
    (std::index_sequence_for<Leaves...>{});
    return value_;
  }

 private:
  template <std::size_t B, class... Fed>
  void column(const feed_t<Fed>&... feeds) {
    using Leaf = std::tuple_element_t<B, std::tuple<Leaves...>>;
    constexpr bool any = [] {
      return [&]<std::size_t... A>(std::index_sequence<A...>) {
        return (computes_block<A, B>() || ...);
      }
      (std::index_sequence_for<Leaves...>{});
    }();
    if constexpr (any) {
      auto& unit = std::get<B>(units_);
      auto& program = std::get<B>(columns_);
      for (Eigen::Index k = 0; k < sizes[B]; ++k) {
        unit(k / Leaf::cols, k % Leaf::cols) = S(1);
        const auto& g = program(feeds..., feed(detail::direction_of<Leaf>{}, unit));
        unit(k / Leaf::cols, k % Leaf::cols) = S(0);
        [&]<std::size_t... A>(std::index_sequence<A...>) {
          (
              [&] {
                if constexpr (computes_block<A, B>()) {
                  const auto& block = g[std::get<A>(leaves_)];
                  for (Eigen::Index r = 0; r < block.rows(); ++r)
                    for (Eigen::Index c = 0; c < block.cols(); ++c)
                      value_(offsets[A] + r * block.cols() + c, offsets[B] + k) = block(r, c);
                }
              }(),
              ...);
        }
        (std::index_sequence_for<Leaves...>{});
      }
    }
  }
};

// The Hessian of a scalar loss with respect to parameters, layers, models
// and variables of static shapes (a fixed batch), as for tl::gradient:
//
//   auto hessian = tl::hessian(loss, net.layer<1>().weight, net.layer<1>().bias);
//   const auto& H = hessian(tl::feed(x, X), tl::feed(t, T));  // 8 x 8 for 4x2 and 1x2
template <Expression Loss, class... Wrt>
auto hessian(const Loss& loss, const Wrt&... wrt) {
  return detail::hessian_of(as_node(loss), std::tuple_cat(detail::leaf_nodes(wrt)...));
}

}  // namespace tapeless
