#pragma once

// tapeless: reverse-mode automatic differentiation of Dense networks,
// generated at compile time, and what it takes to train them. One include
// for everything but files: tapeless/io/checkpoint.hpp (checkpoints),
// safetensors.hpp, npy.hpp and torch.hpp (other tools' weight files) and
// csv.hpp (CSV, needs zlib) are included where they are used, since their
// standard headers (<filesystem> and others) would add most of a second to
// every translation unit that includes this one.

#include <tapeless/version.hpp>

// First, so that a failed check's diagnostic shows a two-line include chain.
#include <tapeless/checks.hpp>

#include <tapeless/activations/elu.hpp>
#include <tapeless/activations/identity.hpp>
#include <tapeless/activations/leaky_relu.hpp>
#include <tapeless/activations/relu.hpp>
#include <tapeless/activations/sigmoid.hpp>
#include <tapeless/activations/softplus.hpp>
#include <tapeless/activations/tanh.hpp>
#include <tapeless/grad.hpp>
#include <tapeless/gradient.hpp>
#include <tapeless/gradients.hpp>
#include <tapeless/hessian.hpp>
#include <tapeless/jacobian.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/layers/embedding.hpp>
#include <tapeless/layers/layer_norm.hpp>
#include <tapeless/layers/residual.hpp>
#include <tapeless/losses/binary_cross_entropy.hpp>
#include <tapeless/losses/class_labels.hpp>
#include <tapeless/losses/huber.hpp>
#include <tapeless/losses/mse.hpp>
#include <tapeless/losses/softmax_cross_entropy.hpp>
#include <tapeless/model.hpp>
#include <tapeless/node/input.hpp>
#include <tapeless/ops/abs.hpp>
#include <tapeless/ops/add.hpp>
#include <tapeless/ops/broadcast_rows.hpp>
#include <tapeless/ops/clamp.hpp>
#include <tapeless/ops/columns.hpp>
#include <tapeless/ops/divide.hpp>
#include <tapeless/ops/dropout.hpp>
#include <tapeless/ops/exp.hpp>
#include <tapeless/ops/gelu.hpp>
#include <tapeless/ops/log.hpp>
#include <tapeless/ops/matmul.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/reshape.hpp>
#include <tapeless/ops/scale.hpp>
#include <tapeless/ops/silu.hpp>
#include <tapeless/ops/softmax.hpp>
#include <tapeless/ops/sqrt.hpp>
#include <tapeless/ops/square.hpp>
#include <tapeless/ops/stop_gradient.hpp>
#include <tapeless/ops/subtract.hpp>
#include <tapeless/ops/sum_features.hpp>
#include <tapeless/ops/transpose.hpp>
#include <tapeless/train/adam.hpp>
#include <tapeless/train/batches.hpp>
#include <tapeless/train/clip.hpp>
#include <tapeless/train/early_stopping.hpp>
#include <tapeless/train/init.hpp>
#include <tapeless/train/learning_rate.hpp>
#include <tapeless/train/rollback.hpp>
#include <tapeless/train/sgd.hpp>
#include <tapeless/train/snapshot.hpp>
#include <tapeless/traits.hpp>
