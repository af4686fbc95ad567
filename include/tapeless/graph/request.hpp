#pragma once

namespace tapeless {

// What a gradient program differentiates with respect to: the requested
// leaves (parameter_ref or variable types), each once, in request order.
// tl::gradient makes it (gradient.hpp), the analysis and the program read
// it (graph/, schedule/), optimizers compare it with their parameters.
template <class... Leaves>
struct request {};

}  // namespace tapeless
