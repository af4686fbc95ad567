#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include <tapeless/train/learning_rate.hpp>
#include <tapeless/train/optimizer.hpp>
#include <tapeless/train/snapshot.hpp>

// Early stopping that restores the best values (Keras' EarlyStopping with
// restore_best_weights): once per epoch, observe() takes a validation
// metric; each improvement captures the models' values (and an optimizer's
// state, if given) into a snapshot allocated once; after `patience`
// observations in a row without improvement it says stop and copies the
// best values back, bit for bit.
//
//   tl::early_stopping stopper({.patience = 5}, enc, head);
//   for (int epoch = 0; epoch < max_epochs; ++epoch) {
//     train_one_epoch();
//     if (stopper.observe(validation_loss)) break;   // the best epoch's values are back
//   }
//
// An improvement is a metric better than the best so far by more than
// min_delta (absolute, as Keras' min_delta); the first finite metric is
// the first best; a metric that is not finite never improves.
namespace tapeless {

class early_stopping {
 public:
  struct settings {
    std::int64_t patience = 10;
    double min_delta = 0;
    monitor_mode mode = monitor_mode::min;
    bool restore_best = true;
  };
  static constexpr const char* name = "early_stopping";

  // Allocates the snapshot of the objects (models, optimizers: what
  // tl::snapshot takes); they must stay where they are while this is used.
  template <Snapshottable... Objs>
  explicit early_stopping(const settings& s, Objs&... objs) : settings_(s), best_values_(objs...) {
    detail::check_count(name, "patience", s.patience, 1);
    detail::check_non_negative(name, "min_delta", s.min_delta);
  }

  // Takes this epoch's metric; true when training should stop, and then,
  // with restore_best, the best values have been restored. Once it has said
  // stop it keeps saying so and restores nothing more. Allocates nothing.
  bool observe(double metric) {
    if (stopped_) return true;
    if (improves(metric)) {
      best_ = metric;
      best_epoch_ = epochs_;
      best_values_.capture();
      wait_ = 0;
    } else if (++wait_ >= settings_.patience) {
      stopped_ = true;
      if (settings_.restore_best && has_best()) best_values_.restore();
    }
    ++epochs_;
    return stopped_;
  }

  // Copies the best epoch's values back now (at the end of a run that did
  // not stop early, for example). Throws std::logic_error if no metric has
  // been finite yet.
  void restore_best() {
    if (!has_best())
      throw std::logic_error(
          "tapeless: early_stopping: restore_best: no metric observed so far was finite, so "
          "there are no best values to restore");
    best_values_.restore();
  }

  bool stopped() const { return stopped_; }
  bool has_best() const { return best_epoch_ >= 0; }
  // The best metric (NaN before the first finite one) and the observation
  // it came from, counted from 0 (-1 before).
  double best() const { return has_best() ? best_ : std::numeric_limits<double>::quiet_NaN(); }
  std::int64_t best_epoch() const { return best_epoch_; }
  // Observations so far, and those since the best.
  std::int64_t epochs() const { return epochs_; }
  std::int64_t epochs_without_improvement() const { return wait_; }

 private:
  bool improves(double metric) const {
    if (!std::isfinite(metric)) return false;
    if (!has_best()) return true;
    return settings_.mode == monitor_mode::min ? metric < best_ - settings_.min_delta
                                               : metric > best_ + settings_.min_delta;
  }

  settings settings_;
  snapshot best_values_;
  double best_ = 0;
  std::int64_t best_epoch_ = -1;
  std::int64_t epochs_ = 0;
  std::int64_t wait_ = 0;
  bool stopped_ = false;
};

}  // namespace tapeless
