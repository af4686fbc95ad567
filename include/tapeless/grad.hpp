#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/gradient.hpp>
#include <tapeless/graph/adjoints.hpp>
#include <tapeless/graph/request.hpp>
#include <tapeless/node/identity.hpp>
#include <tapeless/ops/fill.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>

// Gradients as expressions: tl::grad(loss, wrt) is the gradient built from
// the ops' derivative rules (graph/adjoints.hpp), an expression like any
// other. It can be evaluated (tl::evaluate), put into another loss (a
// gradient penalty, an inner optimisation step through with_weights) and
// differentiated again (tl::hvp, tl::hessian), and the static checks apply
// to it unchanged: a second derivative the gradient does not depend on is
// the same compile error as a first.
namespace tapeless {

// The gradients of a loss with respect to several leaves (a layer, a model,
// or several arguments), one expression per leaf in request order.
// `g[object]` is the one for a requested parameter or variable, `get<I>()`
// the I-th.
template <class Request, class... E>
class expression_list;
template <class... L, class... E>
class expression_list<request<L...>, E...> {
  std::tuple<E...> items_;
  std::array<const void*, sizeof...(L)> objects_;  // as program::requested_

  template <class Leaf>
  static constexpr std::size_t index =
      meta::index_of<graph::key_t<typename schedule::leaf_of<Leaf>::type, graph::path<>>,
                     graph::key_t<L, graph::path<>>...>();

 public:
  using request_type = request<L...>;
  static constexpr std::size_t size = sizeof...(E);

  constexpr expression_list(std::tuple<E...> items,
                            const std::array<const void*, sizeof...(L)>& objects)
      : items_(std::move(items)), objects_(objects) {}

  template <std::size_t I>
  constexpr const auto& get() const {
    return std::get<I>(items_);
  }
  constexpr const std::tuple<E...>& items() const { return items_; }

  // Throws identity_error for another object of a requested parameter's
  // model type, as reading a program's gradient does.
  template <class Leaf>
  const auto& operator[](const Leaf& object) const {
    using Ref = typename schedule::leaf_of<Leaf>::type;
    if constexpr (!check::gradient_was_requested<graph::key_t<Ref, graph::path<>>,
                                                 index<Leaf> != meta::npos>::check()) {
      return std::get<0>(items_);
    } else {
      if constexpr (is_parameter_ref_v<Ref>) {
        const void* address;
        if constexpr (is_parameter_ref_v<Leaf>)
          address = object.target;
        else
          address = &object;
        if (address != objects_[index<Leaf>])
          detail::throw_identity_error("reading a gradient expression", &Ref::name,
                                       "is read from another object than the one the gradient "
                                       "was requested for, of the same model type");
      }
      return std::get<index<Leaf>>(items_);
    }
  }
};

namespace detail {

// A gradient argument that stands for one leaf gives an expression, not a
// list.
template <class Wrt>
inline constexpr bool single_leaf = false;
template <Expression Wrt>
inline constexpr bool single_leaf<Wrt> = is_parameter_ref_v<node_t<Wrt>> || is_input_v<node_t<Wrt>>;

template <class Loss, class R>
struct sweep_of;
template <class Loss, class... L>
struct sweep_of<Loss, request<L...>> {
  using type = graph::adjoints<Loss, L...>;
};

// The request's checks (tl::gradient's), then that every op on the way has
// a derivative rule as an expression.
template <bool Lenient, class Loss, class R>
constexpr bool grad_request_holds() {
  using C = connectivity<Loss, R>;
  // (Nested: a check named in a condition is instantiated, so it runs,
  // even where && would not evaluate it.)
  if constexpr (!frozen_in<R>::type::check()) {
    return false;
  } else if constexpr (!Lenient) {
    if constexpr (!check::all(C::not_used::check(), C::only_through_stop_gradient::check(),
                              C::only_through_operands::check()))
      return false;
    else
      return sweep_of<Loss, R>::type::rules::check();
  } else {
    return sweep_of<Loss, R>::type::rules::check();
  }
}

template <class Loss, class Leaf, class Sum>
constexpr auto or_zeros(const Loss& loss, const Sum& sum) {
  if constexpr (std::is_same_v<Sum, graph::no_adjoint>)
    return make_expr(ops::zeros<Leaf::rows, Leaf::cols>{}, loss);
  else
    return sum;
}

template <bool Lenient, class Loss, class... L, class... Wrt>
auto symbolic_gradient(const Loss& loss, request<L...>, const Wrt&... wrt) {
  using S = typename Loss::scalar;
  using R = request<L...>;
  constexpr bool ok = [] {
    if constexpr (!request_is_well_formed<Loss, std::remove_cvref_t<Wrt>...>())
      return false;
    else
      return grad_request_holds<Lenient, Loss, R>();
  }();
  std::array<const void*, sizeof...(L)> objects{};
  auto items = [&] {
    if constexpr (!ok) {
      return std::tuple<poisoned<S, L::rows, L::cols>...>{};
    } else {
      objects = requested_objects(R{}, wrt...);
      // The object the loss reads each requested parameter from (its first
      // read; the program that evaluates the result checks the others).
      static constexpr std::array<const void*, sizeof...(L)> tokens{token_of<L>...};
      static constexpr std::array<std::string (*)(), sizeof...(L)> names{name_of<L>...};
      std::array<const void*, sizeof...(L)> read{};
      detail::find_reads(loss, {tokens.data(), read.data(), sizeof...(L), false});
      for (std::size_t i = 0; i < sizeof...(L); ++i)
        if (read[i] != nullptr && read[i] != objects[i])
          throw_identity_error("grad", names[i],
                               "is requested from another object than the one the loss was "
                               "built from, of the same model type");
      return std::apply(
          [&](const auto&... sum) { return std::tuple{or_zeros<Loss, L>(loss, sum)...}; },
          graph::adjoints<Loss, L...>(loss).of_leaves());
    }
  }();
  if constexpr (sizeof...(Wrt) == 1 && (single_leaf<Wrt> && ...))
    return std::get<0>(items);
  else
    return [&]<class... E>(std::tuple<E...>& all) {
      return expression_list<R, E...>(std::move(all), objects);
    }(items);
}

// The nodes an object stands for, in the order of its wrt_leaves: an
// expression itself, a parameter its reference, a layer its parameters', a
// model its requested layers'.
template <Expression E>
constexpr auto leaf_nodes(const E& e) {
  return std::tuple{as_node(e)};
}
template <Layer L>
constexpr auto leaf_nodes(const L& l) {
  return std::apply([](const auto&... p) { return std::tuple{p.ref()...}; }, l.parameters());
}
template <class Tag, class S, class... L>
constexpr auto leaf_nodes(const model<Tag, S, L...>& m) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::tuple_cat([&] {
      if constexpr (wrt_leaves<model<Tag, S, L...>>::template requests_layer<L>)
        return leaf_nodes(m.template layer<I>());
      else
        return std::tuple<>{};
    }()...);
  }
  (std::index_sequence_for<L...>{});
}

// a_0 + a_1 + ..., as nodes.
template <class First, class... Rest>
constexpr auto add_all(const First& first, const Rest&... rest) {
  if constexpr (sizeof...(Rest) == 0)
    return first;
  else
    return make_expr(ops::add{}, first, add_all(rest...));
}

// sum_i <a_i, b_i>, the inner product of two lists of expressions of
// matching shapes (checked as for operator*).
template <class... A, class... B>
constexpr auto inner_product(const std::tuple<A...>& a, const std::tuple<B...>& b) {
  static_assert(sizeof...(A) == sizeof...(B));
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return add_all(
        make_expr(ops::sum{}, elementwise<ops::multiply>(std::get<I>(a), std::get<I>(b)))...);
  }
  (std::index_sequence_for<A...>{});
}

}  // namespace detail

// The gradient of a scalar loss as an expression: with respect to one
// parameter or variable, an expression of its shape; with respect to a
// layer, a model or several arguments, an expression_list. A request the
// loss does not depend on does not compile, as for tl::gradient.
//
//   auto g = tl::grad(loss, net.layer<0>().weight);
//   auto penalty = tl::mean(tl::square(g));  // usable in another loss
template <Expression Loss, class... Wrt>
auto grad(const Loss& loss, const Wrt&... wrt) {
  return detail::symbolic_gradient<false>(as_node(loss),
                                          detail::request_for<node_t<Loss>, Wrt...>{}, wrt...);
}

// The same, with zero expressions for requested leaves the loss does not
// depend on.
template <Expression Loss, class... Wrt>
auto grad(unconnected_as_zero_t, const Loss& loss, const Wrt&... wrt) {
  return detail::symbolic_gradient<true>(as_node(loss), detail::request_for<node_t<Loss>, Wrt...>{},
                                         wrt...);
}

// The Hessian-vector product H v of a loss with respect to `wrt` (a
// parameter or variable, with v an expression of its shape; or a layer or
// model, with v one of the same architecture whose parameters hold the
// direction), as an expression like tl::grad's: the gradient of <grad, v>.
template <Expression Loss, class Wrt, class V>
auto hvp(const Loss& loss, const Wrt& wrt, const V& v) {
  const auto g = grad(loss, wrt);
  if constexpr (detail::single_leaf<Wrt>)
    return grad(detail::inner_product(std::tuple{g}, detail::leaf_nodes(v)), wrt);
  else
    return grad(detail::inner_product(g.items(), detail::leaf_nodes(v)), wrt);
}

// The same for several objects at once, the directions in the same order:
// tl::hvp(loss, tl::wrt(encoder, head), tl::wrt(v_encoder, v_head)), an
// expression_list over both models' parameters.
template <Expression Loss, class... Wrt, class... V>
auto hvp(const Loss& loss, wrt_t<Wrt...> wrt, wrt_t<V...> v) {
  return std::apply(
      [&](const auto&... w) {
        const auto directions = std::apply(
            [](const auto&... d) { return std::tuple_cat(detail::leaf_nodes(d)...); }, v.objects);
        return grad(detail::inner_product(grad(loss, w...).items(), directions), w...);
      },
      wrt.objects);
}

}  // namespace tapeless
