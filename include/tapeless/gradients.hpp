#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <tapeless/gradient.hpp>
#include <tapeless/graph/request.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/schedule/program.hpp>

// Several losses from one forward pass: tl::gradients(tl::of(d_loss, D),
// tl::of(g_loss, G)) is one program whose forward sweep computes every
// distinct node of all the losses once (D(G(z)) of a GAN), followed by one
// reverse sweep per loss, each with the plan of its own loss and request.
// Each request passes tl::gradient's checks, with their messages; each
// loss's results are read as a program of one request (part<I>(), or a
// structured binding) and given to its optimizer.
namespace tapeless {

// One loss and what to differentiate it with respect to, for tl::gradients:
// the arguments of tl::gradient. Holds the loss and references to the
// objects.
template <class Loss, class... Wrt>
struct of_t {
  Loss loss;
  std::tuple<const Wrt&...> wrt;
};
template <Expression Loss, class... Wrt>
of_t<node_t<Loss>, Wrt...> of(const Loss& loss, const Wrt&... wrt) {
  return {as_node(loss), std::tuple<const Wrt&...>(wrt...)};
}

namespace detail {

// The root of a program of several losses: it gathers them and computes
// nothing; no gradient flows through it, as each reverse sweep starts at
// its own loss.
struct losses {
  static constexpr std::string_view name = "losses";
  using shape_rule = shape_rules::like_first;
  static constexpr bool blocks_gradient = true;
  static constexpr bool forwards_value = true;
};

template <class Part>
struct loss_part;
template <class Loss, class... Wrt>
struct loss_part<of_t<Loss, Wrt...>> {
  using scalar = typename Loss::scalar;
  using request = request_for<Loss, Wrt...>;

  // tl::gradient's checks, in its order.
  template <bool Lenient>
  static constexpr bool holds() {
    using C = connectivity<Loss, request>;
    if constexpr (!request_is_well_formed<Loss, std::remove_cvref_t<Wrt>...>())
      return false;
    else if constexpr (!frozen_in<request>::type::check())
      return false;
    else if constexpr (Lenient)
      return true;
    else
      return check::all(C::not_used::check(), C::only_through_stop_gradient::check(),
                        C::only_through_operands::check());
  }

  static auto objects(const of_t<Loss, Wrt...>& part) {
    return std::apply([](const auto&... w) { return requested_objects(request{}, w...); },
                      part.wrt);
  }
};

template <class T>
inline constexpr bool is_of_v = false;
template <class Loss, class... Wrt>
inline constexpr bool is_of_v<of_t<Loss, Wrt...>> = true;

template <bool Lenient, class First, class... Part>
auto several_losses(const First& first, const Part&... parts) {
  using schedule::mode;
  const auto root = make_expr(losses{}, first.loss, parts.loss...);
  using Root = std::remove_const_t<decltype(root)>;
  using R = requests<typename loss_part<First>::request, typename loss_part<Part>::request...>;
  using S = typename loss_part<First>::scalar;
  constexpr mode run_mode = Lenient ? mode::lenient : mode::strict;
  // Every request is checked (check::all names each), then the losses
  // together: one program holds values of one scalar type, and two model
  // types with one tag in two losses would be one node.
  if constexpr (!check::all(loss_part<First>::template holds<Lenient>(),
                            loss_part<Part>::template holds<Lenient>()...))
    return schedule::program<Root, R, mode::inert>(root);
  else if constexpr (!check::all(
                         check::scalars_match<S, typename loss_part<Part>::scalar>::check()...))
    return schedule::program<Root, R, mode::inert>(root);
  else if constexpr (!tag_clashes<Root>::type::check())
    return schedule::program<Root, R, mode::inert>(root);
  else
    return schedule::program<Root, R, run_mode>(root, loss_part<First>::objects(first),
                                                loss_part<Part>::objects(parts)...);
}

}  // namespace detail

// The gradients of several losses, each with respect to its own parameters,
// layers, models and variables, in one program: one forward sweep over the
// distinct nodes of all the losses, then one reverse sweep per loss. Each
// request is checked as tl::gradient checks it. The program takes one set
// of feeds, for every input of every loss; each loss's results are read as
// a program of one request:
//
//   auto step = tl::gradients(tl::of(d_loss, D), tl::of(g_loss, G));
//   auto& [d, g] = step(tl::feed(x, X), tl::feed(z, Z));
//   d_opt.step(d);  g_opt.step(g);  d.loss();  g[G.layer<0>().weight];
//
// Two requests may share leaves: each gets its own gradients.
template <class... Part>
requires(sizeof...(Part) > 0 &&
         (detail::is_of_v<Part> && ...)) auto gradients(const Part&... parts) {
  return detail::several_losses<false>(parts...);
}

// The same, with zero gradients for requested leaves a loss does not depend
// on.
template <class... Part>
requires(sizeof...(Part) > 0 && (detail::is_of_v<Part> &&
                                 ...)) auto gradients(unconnected_as_zero_t, const Part&... parts) {
  return detail::several_losses<true>(parts...);
}

}  // namespace tapeless
