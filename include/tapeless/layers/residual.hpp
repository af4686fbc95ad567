#pragma once

#include <cstddef>
#include <type_traits>

#include <tapeless/checks.hpp>
#include <tapeless/layers/layer.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/ops/add.hpp>

// Residual blocks, y = x + f(x) (He et al., 2016): as a function of any
// block f applied to an expression (a layer, a model, a layer with
// computed weights), and as a declaration in a model's type,
// Residual<Dense<32, 32, ReLU>>, added through the Layer concept alone.
// The sum is the add op: the gradient reaching y goes to x unchanged and
// through f, and the two contributions to x's gradient add up.
namespace tapeless {

// x + f(x). f must give as many features as x has: a width mismatch does
// not compile (check::residual_widths_match names f and both widths).
template <class F, Expression X>
constexpr auto residual(const F& f, const X& x) {
  using FX = node_t<decltype(f(x))>;
  using S = typename X::scalar;
  if constexpr (contains_poisoned_v<node_t<X>> || contains_poisoned_v<FX>)
    return make_expr(ops::add{}, x, poisoned<S, X::rows, X::cols>{});
  else if constexpr (!check::residual_widths_match<F, expected<X::cols>, found<FX::cols>>::check())
    return make_expr(ops::add{}, x, poisoned<S, X::rows, X::cols>{});
  else
    return x + f(x);
}

template <class Inner>
struct residual_layer;

namespace detail {
// Residual<D>'s layer: D's with its input added; for the stand-in of a D
// that is not a declaration, the stand-in's invalid layer, which the model
// recognises and steps around.
template <class Inner>
struct residual_around {
  using type = residual_layer<Inner>;
};
template <class S>
struct residual_around<invalid_layer<S>> {
  using type = invalid_layer<S>;
};
}  // namespace detail

// `Residual<D>` in a model's type: the layer D (In features to In) with its
// input added to its output. Its parameters are D's, under D's names
// ("tag.layer1.W"); Frozen<Residual<D>> freezes them. A D that is not a
// declaration is reported here, once, naming D.
template <class D>
struct Residual {
 private:
  using checked = detail::checked_declaration<D>;
  // (Run in a static_assert: a static member would be instantiated only
  // where it is read.)
  static_assert(
      check::enforce<check::residual_widths_match<D, expected<checked::in>, found<checked::out>>>);

 public:
  static constexpr int in = checked::in;
  static constexpr int out = in;
  // Residual<Frozen<D>> is frozen too, and Frozen<Residual<D>> is the same.
  static constexpr bool trainable = checked::trainable;
  using unfrozen = Residual<typename checked::unfrozen>;
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = typename detail::residual_around<
      typename checked::template layer<Tag, Index, S, Trainable && checked::trainable>>::type;
};

// The block applied with computed weights (with_weights), plus its input.
template <class Computed>
struct computed_residual {
  Computed block;
  template <Expression X>
  constexpr auto operator()(const X& x) const {
    return residual(block, x);
  }
};

template <class Inner>
struct residual_layer {
  using scalar = typename Inner::scalar;
  static constexpr int in = Inner::in;
  static constexpr int out = Inner::in;
  static constexpr bool trainable = Inner::trainable;

  Inner block;

  constexpr auto parameters() { return block.parameters(); }
  constexpr auto parameters() const { return block.parameters(); }

  template <Expression X>
  constexpr auto operator()(const X& x) const {
    // A width mismatch was reported by the declaration: a stand-in here,
    // so that it stays the one error.
    if constexpr (Inner::in != Inner::out)
      return poisoned<scalar, X::rows, in>{};
    else
      return residual(block, x);
  }

  template <Expression... W>
  static constexpr auto with_weights(const W&... w) {
    using computed = decltype(Inner::with_weights(w...));
    return computed_residual<computed>{Inner::with_weights(w...)};
  }
};

}  // namespace tapeless
