#pragma once

// The problems' networks as tapeless models, for the benchmarks that time
// tapeless (tapeless.cpp, hvp.cpp).
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

}  // namespace bench
