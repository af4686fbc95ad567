#pragma once

#include <cstdint>

#include <tapeless/train/optimizer.hpp>

// Stochastic gradient descent, plain and with momentum.
namespace tapeless {

// p <- p - lr g
struct sgd {
  static constexpr const char* name = "sgd";
  double learning_rate = 0.01;

  void validate() const { detail::check_learning_rate(name, learning_rate); }

  template <class Matrix>
  struct state {
    template <class Self, class F>
    static void visit(Self&, F&&) {}
  };
  template <class Matrix>
  static state<Matrix> make_state(const Matrix&) {
    return {};
  }
  template <class S>
  S constants(std::int64_t) const {
    return static_cast<S>(learning_rate);
  }
  template <class V, class G, class State, class S>
  void update(V& value, const G& gradient, State&, S lr) const {
    value -= lr * gradient;
  }
};

// Heavy-ball momentum as PyTorch writes it: v <- mu v + g, p <- p - lr v;
// Nesterov's variant steps along the look-ahead, p <- p - lr (g + mu v).
struct momentum_sgd {
  static constexpr const char* name = "momentum_sgd";
  double learning_rate = 0.01;
  double momentum = 0.9;
  bool nesterov = false;

  void validate() const {
    detail::check_learning_rate(name, learning_rate);
    detail::check_decay_factor(name, "momentum", momentum);
  }

  template <class Matrix>
  struct state {
    Matrix velocity;
    template <class Self, class F>
    static void visit(Self& s, F&& f) {
      f("velocity", s.velocity);
    }
  };
  template <class Matrix>
  static state<Matrix> make_state(const Matrix& value) {
    return {Matrix::Zero(value.rows(), value.cols())};
  }
  template <class S>
  struct step_constants {
    S lr, mu;
  };
  template <class S>
  step_constants<S> constants(std::int64_t) const {
    return {static_cast<S>(learning_rate), static_cast<S>(momentum)};
  }
  template <class V, class G, class State, class S>
  void update(V& value, const G& gradient, State& st, step_constants<S> c) const {
    st.velocity = c.mu * st.velocity + gradient;
    if (nesterov)
      value -= c.lr * (gradient + c.mu * st.velocity);
    else
      value -= c.lr * st.velocity;
  }
};

}  // namespace tapeless
