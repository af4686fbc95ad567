#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include <tapeless/train/optimizer.hpp>

// Learning-rate schedules. Each gives the rate to use; the optimizer takes
// it through its rule, between steps:
//
//   tl::cosine_lr cosine{.learning_rate = 1e-3, .warmup_steps = 100, .total_steps = 10000};
//   adam.rule().learning_rate = cosine(adam.steps());     // before adam.step(g)
//
//   tl::reduce_lr_on_plateau plateau({.learning_rate = 1e-3, .patience = 5});
//   adam.rule().learning_rate = plateau.observe(validation_loss);   // once per epoch
//
// step_lr and cosine_lr are functions of a count t (steps or epochs, from 0)
// and hold no state; reduce_lr_on_plateau follows a metric. Settings are
// checked when a rate is computed (they are plain fields, changeable at any
// time) and refused with optimizer_setting_error. Nothing here allocates,
// except to throw.
namespace tapeless {

namespace detail {

// Counts (steps, epochs, patience): 0 or more, or 1 or more. Also used by
// early_stopping.hpp and rollback.hpp.
inline void check_count(const char* owner, const char* what, std::int64_t n, std::int64_t least) {
  if (n < least)
    refuse_setting(owner, what, least == 0 ? "0 or more" : "1 or more", static_cast<double>(n));
}

// Factors that shrink the rate: 0 would stop training, 1 or more is no decay.
inline void check_shrink_factor(const char* owner, const char* setting, double v,
                                bool one_allowed) {
  if (!(v > 0 && (v < 1 || (one_allowed && v == 1))))
    refuse_setting(owner, setting, one_allowed ? "in (0, 1]" : "in (0, 1)", v);
}

}  // namespace detail

// PyTorch's StepLR: the rate times gamma every step_size steps (or epochs),
//   lr(t) = learning_rate * gamma^floor(t / step_size).
struct step_lr {
  static constexpr const char* name = "step_lr";
  double learning_rate = 0.01;
  std::int64_t step_size = 1;
  double gamma = 0.1;

  void validate() const {
    detail::check_learning_rate(name, learning_rate);
    detail::check_count(name, "step_size", step_size, 1);
    detail::check_shrink_factor(name, "gamma", gamma, true);
  }

  double operator()(std::int64_t t) const {
    validate();
    detail::check_count(name, "t", t, 0);
    return learning_rate * std::pow(gamma, static_cast<double>(t / step_size));
  }
};

// Cosine decay after a linear warm-up (what PyTorch builds from LinearLR and
// CosineAnnealingLR, and Keras' CosineDecay with warmup_steps), with
// W = warmup_steps, T = total_steps, lr = learning_rate, m = min_learning_rate:
//   t <  W:       lr (t + 1) / W             (the first step already moves)
//   W <= t < T:   m + (lr - m) (1 + cos(pi (t - W) / (T - W))) / 2
//   t >= T:       m
struct cosine_lr {
  static constexpr const char* name = "cosine_lr";
  double learning_rate = 0.001;
  double min_learning_rate = 0;
  std::int64_t warmup_steps = 0;
  // No usable default: 0 is refused, so a forgotten total is reported at the
  // first call rather than decaying to the minimum after one step.
  std::int64_t total_steps = 0;

  void validate() const {
    detail::check_learning_rate(name, learning_rate);
    if (!(min_learning_rate >= 0 && min_learning_rate <= learning_rate))
      detail::refuse_setting(name, "min_learning_rate", "in [0, learning_rate]", min_learning_rate);
    detail::check_count(name, "warmup_steps", warmup_steps, 0);
    // The cosine part needs at least one step.
    if (!(total_steps > warmup_steps))
      detail::refuse_setting(name, "total_steps", "more than warmup_steps",
                             static_cast<double>(total_steps));
  }

  double operator()(std::int64_t t) const {
    validate();
    detail::check_count(name, "t", t, 0);
    if (t < warmup_steps)
      return learning_rate * static_cast<double>(t + 1) / static_cast<double>(warmup_steps);
    if (t >= total_steps) return min_learning_rate;
    const double progress =
        static_cast<double>(t - warmup_steps) / static_cast<double>(total_steps - warmup_steps);
    return min_learning_rate +
           (learning_rate - min_learning_rate) * (1 + std::cos(std::numbers::pi * progress)) / 2;
  }
};

// Whether a smaller or a larger metric is better (a loss, an accuracy).
enum class monitor_mode { min, max };

// PyTorch's ReduceLROnPlateau: the rate times `factor` once the metric has
// not improved for more than `patience` observations, then `cooldown`
// observations during which nothing is counted; never below
// min_learning_rate. A metric improves on the best so far when it is better
// by more than threshold * |best| (PyTorch's relative mode, with |best|
// where PyTorch writes best, which for a negative best would count a worse
// value as an improvement). The first finite metric is the first best; a
// metric that is not finite (NaN, inf) never improves.
class reduce_lr_on_plateau {
 public:
  struct settings {
    double learning_rate = 0.001;
    double factor = 0.1;
    std::int64_t patience = 10;
    double threshold = 1e-4;
    std::int64_t cooldown = 0;
    double min_learning_rate = 0;
    monitor_mode mode = monitor_mode::min;
  };
  static constexpr const char* name = "reduce_lr_on_plateau";

  explicit reduce_lr_on_plateau(const settings& s) : settings_(s), rate_(s.learning_rate) {
    detail::check_learning_rate(name, s.learning_rate);
    detail::check_shrink_factor(name, "factor", s.factor, false);
    detail::check_count(name, "patience", s.patience, 0);
    detail::check_non_negative(name, "threshold", s.threshold);
    detail::check_count(name, "cooldown", s.cooldown, 0);
    if (!(s.min_learning_rate >= 0 && s.min_learning_rate <= s.learning_rate))
      detail::refuse_setting(name, "min_learning_rate", "in [0, learning_rate]",
                             s.min_learning_rate);
  }

  // Takes this epoch's metric; returns the rate to train with from now on.
  double observe(double metric) {
    if (improves(metric)) {
      best_ = metric;
      has_best_ = true;
      bad_ = 0;
    } else {
      ++bad_;
    }
    if (cooldown_left_ > 0) {
      --cooldown_left_;
      bad_ = 0;
    }
    if (bad_ > settings_.patience) {
      rate_ = std::max(rate_ * settings_.factor, settings_.min_learning_rate);
      ++reductions_;
      cooldown_left_ = settings_.cooldown;
      bad_ = 0;
    }
    return rate_;
  }

  double learning_rate() const { return rate_; }
  // The best metric so far (NaN before the first finite one).
  double best() const { return has_best_ ? best_ : std::numeric_limits<double>::quiet_NaN(); }
  std::int64_t reductions() const { return reductions_; }
  const settings& current_settings() const { return settings_; }

 private:
  bool improves(double metric) const {
    if (!std::isfinite(metric)) return false;
    if (!has_best_) return true;
    const double margin = settings_.threshold * std::abs(best_);
    return settings_.mode == monitor_mode::min ? metric < best_ - margin : metric > best_ + margin;
  }

  settings settings_;
  double rate_;
  double best_ = 0;
  bool has_best_ = false;
  std::int64_t bad_ = 0;
  std::int64_t cooldown_left_ = 0;
  std::int64_t reductions_ = 0;
};

}  // namespace tapeless
