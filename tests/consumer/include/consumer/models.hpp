// A consumer's own header, found only through the include directories of
// the consumer's target, with a scalar type its target defines: a
// compile-fail test that does not compile as that target cannot find them.
#pragma once

#include <tapeless/tapeless.hpp>

namespace consumer {

namespace tl = tapeless;

using scalar = CONSUMER_SCALAR;
using encoder = tl::model<struct encoder_tag, scalar, tl::Dense<2, 3, tl::Tanh>>;
using head = tl::model<struct head_tag, scalar, tl::Dense<3, 1>>;
// Trained on its own: the loss below never uses it.
using critic = tl::model<struct critic_tag, scalar, tl::Dense<2, 1>>;

}  // namespace consumer
