#pragma once

#include <stdexcept>
#include <string>

#include <tapeless/checks.hpp>
#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/softmax.hpp>

// Losses against integer class labels: a batch x 1 input whose values are
// class indices 0 .. C-1 (stored in the scalar type, as CSV and NumPy give
// them). The labels receive no gradient.
namespace tapeless {
namespace ops {

namespace detail_labels {
// The class of row r, checked: an integer in [0, classes).
template <class L>
Eigen::Index label_of(const L& labels, Eigen::Index r, Eigen::Index classes, std::string_view op) {
  const auto v = labels(r, 0);
  if (!detail::is_index_below(v, classes))
    throw shape_error("tapeless: " + std::string(op) + ": the label of row " + std::to_string(r) +
                      " is " + std::to_string(v) + ", not a class index in [0, " +
                      std::to_string(classes) + ")");
  return static_cast<Eigen::Index>(v);
}
}  // namespace detail_labels

// Negative log-likelihood of log-probabilities p (batch x C) at the labels,
// the mean over rows (PyTorch's NLLLoss): y = -(1/N) sum_r p(r, label_r);
// dp(r, label_r) = -g/N, 0 elsewhere.
// Cross-entropy of logits z at the labels, the mean over rows (PyTorch's
// CrossEntropyLoss with class indices), through log-sum-exp:
// y = (1/N) sum_r lse_r - z(r, label_r); dz_r = (g/N) (softmax(z_r) - e_label).
template <bool FromLogits>
struct class_label_loss {
  static constexpr std::string_view name =
      FromLogits ? "cross_entropy (class labels)" : "nll (class labels)";
  static constexpr bool differentiable(std::size_t operand) { return operand == 0; }

  struct shape_rule {
    template <class P, class L>
    struct of {
      static constexpr int rows = 1;
      static constexpr int cols = 1;
    };
    static Eigen::Index runtime_rows(std::string_view op, Eigen::Index p, Eigen::Index l) {
      shape_rules::elementwise::runtime_rows(op, p, l);
      return 1;
    }
  };

  // From logits, each row's log-sum-exp is kept for the backward pass.
  static constexpr int scratch_cols = FromLogits ? 1 : 0;

  template <class Y, class P, class L>
  requires(!FromLogits) void forward(Y& y, const P& p, const L& labels) const {
    typename Y::Scalar total = 0;
    for (Eigen::Index r = 0; r < p.rows(); ++r)
      total -= p(r, detail_labels::label_of(labels, r, p.cols(), name));
    y(0, 0) = total / static_cast<typename Y::Scalar>(p.rows());
  }
  template <class Y, class LSE, class P, class L>
  requires FromLogits void forward(Y& y, LSE& lse, const P& p, const L& labels) const {
    typename Y::Scalar total = 0;
    for (Eigen::Index r = 0; r < p.rows(); ++r) {
      lse(r, 0) = log_sum_exp(p.row(r));
      total += lse(r, 0) - p(r, detail_labels::label_of(labels, r, p.cols(), name));
    }
    y(0, 0) = total / static_cast<typename Y::Scalar>(p.rows());
  }
  template <class G, class Y, class P, class L, class SP, class SL>
  requires(!FromLogits) void backward(G& g, const Y&, const P& p, const L& labels, SP sp,
                                      SL) const {
    using S = typename G::Scalar;
    const S scale = g(0, 0) / static_cast<S>(p.rows());
    Eigen::Matrix<S, 1, P::ColsAtCompileTime> row(1, p.cols());
    row.setZero();
    for (Eigen::Index r = 0; r < p.rows(); ++r) {
      const auto k = static_cast<Eigen::Index>(labels(r, 0));
      row(0, k) = -scale;
      sp.row(r)(row);
      row(0, k) = 0;
    }
  }
  template <class G, class Y, class LSE, class P, class L, class SP, class SL>
  requires FromLogits void backward(G& g, const Y&, const LSE& lse, const P& p, const L& labels,
                                    SP sp, SL) const {
    using S = typename G::Scalar;
    const S scale = g(0, 0) / static_cast<S>(p.rows());
    for (Eigen::Index r = 0; r < p.rows(); ++r) {
      const auto k = static_cast<Eigen::Index>(labels(r, 0));
      Eigen::Matrix<S, 1, P::ColsAtCompileTime> row =
          scale * (p.row(r).array() - lse(r, 0)).exp().matrix();
      row(0, k) -= scale;
      sp.row(r)(row);
    }
  }
};

}  // namespace ops

// Negative log-likelihood of log-probabilities (tl::log_softmax of logits)
// at integer class labels (a batch x 1 input), the mean over rows.
template <Expression P, Expression L>
constexpr auto nll(const P& log_probabilities, const L& labels) {
  if constexpr (!check::labels_are_one_column<L, L::cols>::check())
    return detail::binary<ops::class_label_loss<false>>(log_probabilities,
                                                        poisoned<typename P::scalar, P::rows, 1>{});
  else
    return detail::binary<ops::class_label_loss<false>>(log_probabilities, labels);
}

// Cross-entropy of logits at integer class labels (a batch x 1 input), the
// mean over rows; the same as nll(log_softmax(logits), labels), fused.
template <Expression Z, Expression L>
constexpr auto cross_entropy(const Z& logits, const L& labels) {
  if constexpr (!check::labels_are_one_column<L, L::cols>::check())
    return detail::binary<ops::class_label_loss<true>>(logits,
                                                       poisoned<typename Z::scalar, Z::rows, 1>{});
  else
    return detail::binary<ops::class_label_loss<true>>(logits, labels);
}

}  // namespace tapeless
