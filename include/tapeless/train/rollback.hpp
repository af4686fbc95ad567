#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <type_traits>

#include <tapeless/train/learning_rate.hpp>
#include <tapeless/train/optimizer.hpp>
#include <tapeless/train/snapshot.hpp>

// Rolling back to the last good values when the loss stops being finite.
// A guard holds a snapshot of the models and the optimizer (its moments hold
// NaN too, once a NaN gradient has gone through them), allocated once and
// captured when the guard is made. Before each optimizer step, accept()
// takes the step's loss (and the gradient norm from tl::clip_grad_norm, if
// any): all finite, it captures the current values every `every` accepted
// steps and says go on; otherwise it restores the last capture and says
// skip this step.
//
//   tl::rollback_guard guard({.every = 1}, enc, head, adam);
//   const auto& g = step(tl::feed(x, X), tl::feed(t, T));
//   if (!guard.accept(g.loss())) {          // the values of the last good step are back
//     adam.rule().learning_rate *= 0.5;     // for example
//     continue;
//   }
//   adam.step(g);
//
// The values captured are those the loss was computed with, before the step
// updates them: values that gave a finite loss. A run that fails more than
// max_rollbacks times from one capture is diverging from there, and accept()
// throws divergence_error instead of looping.
namespace tapeless {

// A run whose loss is not finite again and again from the same values.
class divergence_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class rollback_guard {
 public:
  struct settings {
    std::int64_t every = 1;
    std::int64_t max_rollbacks = 3;
  };
  static constexpr const char* name = "rollback_guard";

  // Allocates the snapshot of the objects and captures them: the values
  // training starts from are the first good ones. The objects must stay where
  // they are while the guard is used.
  template <Snapshottable... Objs>
  explicit rollback_guard(const settings& s, Objs&... objs) : settings_(s), good_(objs...) {
    detail::check_count(name, "every", s.every, 1);
    detail::check_count(name, "max_rollbacks", s.max_rollbacks, 0);
    good_.capture();
  }

  // True if every value is finite, capturing the current values at every
  // `every`-th such call; false, after restoring the last capture, if one
  // is not. Throws
  // divergence_error, with the last capture restored, for the rollback past
  // max_rollbacks from one capture. Allocates nothing, except to throw.
  template <class... Values>
  requires(sizeof...(Values) > 0 &&
           (std::is_arithmetic_v<Values> && ...)) bool accept(Values... values) {
    if ((std::isfinite(static_cast<double>(values)) && ...)) {
      if (++accepted_ % settings_.every == 0) {
        good_.capture();
        since_capture_ = 0;
      }
      return true;
    }
    good_.restore();
    ++rollbacks_;
    if (++since_capture_ > settings_.max_rollbacks) diverged();
    return false;
  }

  // Steps accepted, and rollbacks made, since the guard was made.
  std::int64_t accepted() const { return accepted_; }
  std::int64_t rollbacks() const { return rollbacks_; }

 private:
  [[noreturn, gnu::cold]] void diverged() const {
    char text[320];
    std::snprintf(text, sizeof text,
                  "tapeless: rollback_guard: the loss was not finite %lld times from the same "
                  "good values (captured after %lld accepted steps; max_rollbacks is %lld): lower "
                  "the learning rate, clip the gradients (tl::clip_grad_norm) or check the data",
                  static_cast<long long>(since_capture_), static_cast<long long>(captured_at()),
                  static_cast<long long>(settings_.max_rollbacks));
    throw divergence_error(text);
  }
  std::int64_t captured_at() const { return accepted_ - accepted_ % settings_.every; }

  settings settings_;
  snapshot good_;
  std::int64_t accepted_ = 0;
  std::int64_t since_capture_ = 0;
  std::int64_t rollbacks_ = 0;
};

}  // namespace tapeless
