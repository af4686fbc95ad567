#pragma once

// What the checkpoint fuzz target loads into and the seed program saves:
// a small model and an Adam optimizer for it, so that a seed matches every
// tensor and mutations reach the copy as well as each refusal.

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>

namespace tapeless_fuzz {

using model = tapeless::model<struct fuzzed, float, tapeless::Dense<3, 4, tapeless::ReLU>,
                              tapeless::Dense<4, 2>>;

struct objects {
  model m;
  decltype(tapeless::make_optimizer(tapeless::adam{}, m)) adam =
      tapeless::make_optimizer(tapeless::adam{}, m);
  objects() = default;
  objects(const objects&) = delete;
  objects& operator=(const objects&) = delete;
};

}  // namespace tapeless_fuzz
