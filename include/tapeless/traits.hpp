#pragma once

#include <type_traits>

#include <tapeless/gradient.hpp>

// Compile-time questions about a graph, for static_assert and generic code.
namespace tapeless {

namespace detail {

template <class Loss, class Leaves>
struct reach;
template <class Loss, class... L>
struct reach<Loss, meta::list<L...>> {
  using facts = graph::analysis<Loss, L...>;
  static constexpr bool uses = sizeof...(L) > 0 && (graph::uses_v<facts, L> && ...);
  static constexpr bool depends = sizeof...(L) > 0 && (graph::connects_v<facts, L> && ...);
};

template <class Loss, class Wrt>
using reach_of = reach<std::remove_cvref_t<Loss>,
                       meta::to_list<typename wrt_leaves<std::remove_cvref_t<Wrt>>::type>>;

}  // namespace detail

// Whether the gradient of `Loss` with respect to `Wrt` (a parameter, layer,
// model or variable; for a layer or model: every parameter of it) can be
// requested: some path carries gradient from it to the loss.
//
// These are questions about types. Two objects of one model type have one
// type, so the answer for one is the answer for the other: true for a
// second object of the loss's model type even though the loss reads only
// the first. Which object a loss reads is known at run time only, and
// tl::gradient, reading a gradient and an optimizer's step check it
// (tl::identity_error). Give each model object its own tag, and the types
// tell them apart here too.
template <class Loss, class Wrt>
inline constexpr bool depends_on_v = detail::reach_of<Loss, Wrt>::depends;

// Whether `Loss` reads `Wrt` at all, stop_gradient or not.
template <class Loss, class Wrt>
inline constexpr bool uses_v = detail::reach_of<Loss, Wrt>::uses;

// The same questions on objects: static_assert(tl::depends_on(loss, w)).
template <Expression Loss, class Wrt>
constexpr std::bool_constant<depends_on_v<Loss, Wrt>> depends_on(const Loss&, const Wrt&) {
  return {};
}
template <Expression Loss, class Wrt>
constexpr std::bool_constant<uses_v<Loss, Wrt>> uses(const Loss&, const Wrt&) {
  return {};
}

}  // namespace tapeless
