#pragma once

#include <tuple>

namespace tapeless {

// What a gradient program differentiates with respect to: the requested
// leaves (parameter_ref or variable types), each once, in request order.
// tl::gradient makes it (gradient.hpp), the analysis and the program read
// it (graph/, schedule/), optimizers compare it with their parameters.
template <class... Leaves>
struct request {};

// The requests of a program of several losses (tl::gradients), one per
// loss, in the order of the losses.
template <class... Requests>
struct requests {};

// Several objects to differentiate with respect to, where a function takes
// other arguments after them: tl::wrt(encoder, head) for tl::check_gradients
// (which perturbs them: they must be modifiable for the call) and tl::hvp
// (with the directions, tl::wrt(v_encoder, v_head)). Holds references.
template <class... Wrt>
struct wrt_t {
  std::tuple<Wrt&...> objects;
};
template <class... Wrt>
wrt_t<Wrt...> wrt(Wrt&... objects) {
  return {std::tuple<Wrt&...>(objects...)};
}

}  // namespace tapeless
