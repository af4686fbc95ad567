#pragma once

// The problems' networks as tapeless models, for the benchmarks that time
// tapeless (tapeless.cpp, hvp.cpp, instructions.cpp).
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <tapeless/tapeless.hpp>

#include "problems.hpp"

namespace bench {

template <act A>
using tapeless_activation_t =
    std::conditional_t<A == act::tanh, tapeless::Tanh,
                       std::conditional_t<A == act::relu, tapeless::ReLU, tapeless::Identity>>;

template <class Tag, class S, class Layers>
struct tapeless_model_of;
template <class Tag, class S, class... L>
struct tapeless_model_of<Tag, S, layers<L...>> {
  using type =
      tapeless::model<Tag, S,
                      tapeless::Dense<L::in, L::out, tapeless_activation_t<L::activation>>...>;
};

// A network's input and output widths.
template <class... L>
constexpr int first_in(layers<L...>) {
  return std::tuple_element_t<0, std::tuple<L...>>::in;
}
template <class... L>
constexpr int last_out(layers<L...>) {
  return std::tuple_element_t<sizeof...(L) - 1, std::tuple<L...>>::out;
}

// Sets a model's parameters, layer by layer, weight then bias, from layer
// `first` of a problem's lists (`d`: the problem's parameters, or a
// direction's for an HVP).
template <class M>
void set_parameters(M& m, const problem_data& d, std::size_t first) {
  std::size_t k = 0;
  m.for_each_parameter([&](auto& p) {
    using S = typename std::remove_reference_t<decltype(p.value)>::Scalar;
    const std::size_t l = first + k / 2;
    p.value = (k % 2 == 0 ? d.weights[l] : d.biases[l]).template cast<S>();
    ++k;
  });
}

}  // namespace bench
