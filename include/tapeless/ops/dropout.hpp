#pragma once

#include <ratio>
#include <string_view>

#include <tapeless/checks.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/train/random.hpp>

// Dropout (Srivastava et al., 2014), inverted: in training each value is
// kept with probability 1 - p and scaled by 1 / (1 - p), else set to 0, so
// that evaluation is the identity.
//
// How the mode and the random state reach the op: through a
// tl::dropout_control, an object of the user's that holds the mode (train
// or eval) and a reference to the tl::random_engine the masks are drawn
// from. The op keeps the control's address; the forward pass reads the
// mode and draws the mask into the op's scratch (storage of the program,
// one multiplier per element: 0, 1 / (1 - p), or 1 in evaluation), and the
// reverse pass of the same run multiplies by that scratch, so the gradient
// is masked by exactly the forward's mask. The scratch grows with the batch
// like every other batch-sized storage (program::reserve), so a step
// allocates nothing.
//
// One mask per node and run: a dropout node is identified by its type
// (one_node_per_type, graph/dag.hpp), so a dropped expression used twice,
// `h = tl::dropout(x, control)` in two terms of a loss, is one node with one
// mask, as a tape would record it. For an independent mask of the same
// expression, give another Tag.
namespace tapeless {

// The mode of the dropout nodes built with it, and the engine their masks
// come from. Expressions keep its address: it must outlive the programs
// built from them (it cannot be copied or moved).
class dropout_control {
  random_engine* engine_;
  bool training_ = true;

 public:
  // Training mode, drawing from `engine` (which must outlive this object).
  explicit dropout_control(random_engine& engine) : engine_(&engine) {}
  dropout_control(const dropout_control&) = delete;
  dropout_control& operator=(const dropout_control&) = delete;

  void train() { training_ = true; }
  void eval() { training_ = false; }
  bool training() const { return training_; }
  random_engine& engine() const { return *engine_; }
};

namespace ops {

// y = x * m, with m drawn per element in training: 0 with probability p,
// else 1 / (1 - p); m = 1 in evaluation.  dx = g * m, the same m.
// p is a std::ratio (clang 14 has no floating-point template arguments);
// Cols is x's column count, the width of the scratch that keeps m.
template <class P, class Tag, int Cols>
struct dropout {
  static constexpr std::string_view name = "dropout";
  using shape_rule = shape_rules::like_first;
  static constexpr bool one_node_per_type = true;
  static constexpr int scratch_cols = Cols;
  static constexpr double p = double(P::num) / double(P::den);
  const dropout_control* control;

  template <class Y, class M, class X>
  void forward(Y& y, M& m, const X& x) const {
    using S = typename Y::Scalar;
    if (control->training()) {
      random_engine& rng = control->engine();
      const S kept = S(1) / (S(1) - S(p));
      // Column by column, row by row: the same draws in the same order on
      // every platform, so a seed fixes the masks.
      for (Eigen::Index j = 0; j < m.cols(); ++j)
        for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = rng.uniform() < p ? S(0) : kept;
      y.array() = x.array() * m.array();
    } else {
      m.setOnes();
      y = x;
    }
  }
  template <class G, class Y, class M, class X, class SX>
  void backward(G& g, const Y&, const M& m, const X&, SX sx) const {
    sx(g.array() * m.array());
  }
};

}  // namespace ops

// x with each value dropped (set to 0) with probability P, a std::ratio
// (1/2 unless given), and the others scaled by 1 / (1 - P), while
// `control` is in training mode; x itself in evaluation mode. Masks are
// drawn from control's engine at each run, one per dropout node: Tag tells
// apart two dropouts of one expression that should draw separate masks.
// No derivative rule as an expression (tl::grad): the mask is a value of
// the program's run, not of the expression.
template <class P = std::ratio<1, 2>, class Tag = void, Expression X>
auto dropout(const X& x, const dropout_control& control) {
  constexpr bool valid = P::num >= 0 && P::num < P::den;
  if constexpr (!check::drop_probability_is_valid<P, valid>::check())
    return make_expr(ops::dropout<std::ratio<0>, Tag, X::cols>{&control}, x);
  else
    return make_expr(ops::dropout<P, Tag, X::cols>{&control}, x);
}

}  // namespace tapeless
