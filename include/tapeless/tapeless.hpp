#pragma once

// tapeless: reverse-mode automatic differentiation of Dense networks,
// generated at compile time. One include for everything.

#include <tapeless/version.hpp>

#include <tapeless/activations/identity.hpp>
#include <tapeless/activations/relu.hpp>
#include <tapeless/activations/sigmoid.hpp>
#include <tapeless/activations/tanh.hpp>
#include <tapeless/gradient.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/losses/mse.hpp>
#include <tapeless/model.hpp>
#include <tapeless/node/input.hpp>
#include <tapeless/ops/add.hpp>
#include <tapeless/ops/exp.hpp>
#include <tapeless/ops/log.hpp>
#include <tapeless/ops/mean.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/scale.hpp>
#include <tapeless/ops/softmax_cross_entropy.hpp>
#include <tapeless/ops/square.hpp>
#include <tapeless/ops/stop_gradient.hpp>
#include <tapeless/ops/subtract.hpp>
#include <tapeless/ops/sum.hpp>
#include <tapeless/traits.hpp>
