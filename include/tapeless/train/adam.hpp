#pragma once

#include <cmath>
#include <cstdint>
#include <utility>

#include <tapeless/train/optimizer.hpp>

// Adam (Kingma & Ba, 2015, Algorithm 1) and AdamW (Loshchilov & Hutter,
// 2019), one update rule with the decoupled weight decay at zero for Adam:
//   m <- b1 m + (1 - b1) g             v <- b2 v + (1 - b2) g^2
//   m^ = m / (1 - b1^t)                v^ = v / (1 - b2^t)
//   p <- p - lr (m^ / (sqrt(v^) + eps) + wd p)
// epsilon is added to sqrt(v^), as in the paper's algorithm (not to the
// uncorrected sqrt(v), as in its "more efficient" variant).
namespace tapeless {

namespace detail {

template <class Matrix>
struct adam_state {
  Matrix m, v;
  template <class Self, class F>
  static void visit(Self& s, F&& f) {
    f("m", s.m);
    f("v", s.v);
  }
};

template <class S>
struct adam_constants {
  S lr, b1, b2, eps, wd, m_correction, v_correction;
};

// The bias corrections in double: 1 - 0.999^t loses digits in float.
template <class S>
adam_constants<S> make_adam_constants(double lr, double b1, double b2, double eps, double wd,
                                      std::int64_t t) {
  const double n = static_cast<double>(t);
  return {static_cast<S>(lr),
          static_cast<S>(b1),
          static_cast<S>(b2),
          static_cast<S>(eps),
          static_cast<S>(wd),
          static_cast<S>(1.0 / (1.0 - std::pow(b1, n))),
          static_cast<S>(1.0 / (1.0 - std::pow(b2, n)))};
}

template <class V, class G, class Matrix, class S>
void adam_update(V& value, const G& gradient, adam_state<Matrix>& st, adam_constants<S> c) {
  const S one(1);
  st.m = c.b1 * st.m + (one - c.b1) * gradient;
  st.v.array() = c.b2 * st.v.array() + (one - c.b2) * gradient.array().square();
  value.array() -=
      c.lr * ((c.m_correction * st.m.array()) / ((c.v_correction * st.v.array()).sqrt() + c.eps) +
              c.wd * value.array());
}

inline void check_adam_settings(const char* rule, double lr, double b1, double b2, double eps) {
  check_learning_rate(rule, lr);
  check_decay_factor(rule, "beta1", b1);
  check_decay_factor(rule, "beta2", b2);
  check_positive(rule, "epsilon", eps);
}

template <class Matrix>
adam_state<Matrix> make_adam_state(const Matrix& value) {
  return {Matrix::Zero(value.rows(), value.cols()), Matrix::Zero(value.rows(), value.cols())};
}

}  // namespace detail

// Adam and AdamW are separate structs whose rule members forward to the
// shared code above: a common base class would make the designated
// initialisers users write, tl::adam{.learning_rate = 1e-3}, warn about the
// uninitialised base (g++'s -Wmissing-field-initializers).
struct adam {
  static constexpr const char* name = "adam";
  double learning_rate = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;

  void validate() const { detail::check_adam_settings(name, learning_rate, beta1, beta2, epsilon); }

  template <class Matrix>
  using state = detail::adam_state<Matrix>;
  template <class Matrix>
  static state<Matrix> make_state(const Matrix& value) {
    return detail::make_adam_state(value);
  }
  template <class S>
  detail::adam_constants<S> constants(std::int64_t t) const {
    return detail::make_adam_constants<S>(learning_rate, beta1, beta2, epsilon, 0.0, t);
  }
  template <class... A>
  void update(A&&... a) const {
    detail::adam_update(std::forward<A>(a)...);
  }
};

struct adamw {
  static constexpr const char* name = "adamw";
  double learning_rate = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.01;

  void validate() const {
    detail::check_adam_settings(name, learning_rate, beta1, beta2, epsilon);
    detail::check_non_negative(name, "weight_decay", weight_decay);
  }

  template <class Matrix>
  using state = detail::adam_state<Matrix>;
  template <class Matrix>
  static state<Matrix> make_state(const Matrix& value) {
    return detail::make_adam_state(value);
  }
  template <class S>
  detail::adam_constants<S> constants(std::int64_t t) const {
    return detail::make_adam_constants<S>(learning_rate, beta1, beta2, epsilon, weight_decay, t);
  }
  template <class... A>
  void update(A&&... a) const {
    detail::adam_update(std::forward<A>(a)...);
  }
};

}  // namespace tapeless
