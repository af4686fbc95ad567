// The question behind tapeless: "Why does GradientTape return None for a
// trainable variable when it depends on a variable from another model?"
//
// The three TensorFlow snippets of the usual answer, done with tapeless, and
// the real cause of the None: a model whose weights were *copied* from the
// model the loss uses. A tape finds out at run time, silently; here the
// request does not compile (build with -DTAPELESS_SHOW_COPY_ERROR to see the
// message, which the README shows verbatim). Last, the dependency the copy
// was meant to be, written as one: c's weights computed from b's.
//
//   model_a = Sequential([Dense(10)]); model_b = Sequential([Dense(5)])
//   x = [[1.0, 2.0]]
//   y = model_a(model_b(x)); loss = reduce_mean(y ** 2)

#include <cmath>
#include <cstdio>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

// Two models with the same kind of layers but their own tags: distinct
// models, distinct parameters. Keras' Dense has no activation by default.
using model_a_t = tl::model<struct model_a, float, tl::Dense<5, 10>>;
using model_b_t = tl::model<struct model_b, float, tl::Dense<2, 5>>;
using model_c_t = tl::model<struct model_c, float, tl::Dense<2, 5>>;  // b's twin

template <class M>
float norm(const M& m) {
  return m.norm();
}

int main() {
  // Keras' default initialisation, Glorot uniform, from a seeded generator.
  tl::random_engine rng(42);
  model_a_t a;
  model_b_t b;
  tl::initialize(a, tl::glorot_uniform, rng);
  tl::initialize(b, tl::glorot_uniform, rng);

  // The input placeholder has 2 features and a batch size given by the data.
  tl::input<struct x_tag, float, 2> x;
  Eigen::MatrixXf X(1, 2);
  X << 1.0f, 2.0f;

  // Composing two models makes one graph: its type holds every node, so the
  // dependency of the loss on both models is known before the program runs.
  auto y = a(b(x));
  auto loss = tl::mean(tl::square(y));
  static_assert(tl::depends_on_v<decltype(loss), model_a_t>);
  static_assert(tl::depends_on_v<decltype(loss), model_b_t>);

  // Example 1 of the answer: the gradient with respect to the outer model
  // only. Nothing needs to be "watched": asking is enough, and the answer's
  // claim that this returns None is wrong. The backward sweep stops at a:
  // b's weight gradients are not computed at all.
  auto grad_a = tl::gradient(loss, a);
  static_assert(!decltype(grad_a)::computes_gradient_of<decltype(b.layer<0>().weight)>());
  const auto& g1 = grad_a(tl::feed(x, X));
  std::printf("loss = %.6f\n", static_cast<double>(g1.loss()));
  std::printf("example 1, outer model only: |dL/dW_a| = %.6f\n",
              static_cast<double>(norm(g1[a.layer<0>().weight])));

  // Example 2: both models in one forward and one reverse sweep, which is
  // what a persistent tape is used for, without a tape.
  auto grad_ab = tl::gradient(loss, a, b);
  const auto& g2 = grad_ab(tl::feed(x, X));
  std::printf("example 2, both in one sweep: |dL/dW_a| = %.6f, |dL/dW_b| = %.6f\n",
              static_cast<double>(norm(g2[a.layer<0>().weight])),
              static_cast<double>(norm(g2[b.layer<0>().weight])));

  // Example 3: separately, one program per model. Same numbers: sharing the
  // sweep (example 2) only saves work.
  auto grad_b = tl::gradient(loss, b);
  const auto& g3 = grad_b(tl::feed(x, X));
  std::printf("example 3, separately: |dL/dW_b| = %.6f\n",
              static_cast<double>(norm(g3[b.layer<0>().weight])));

  // The real cause of None: model c got b's weights by value (Keras'
  // set_weights, a variable's assign). Its numbers equal b's, but the loss
  // was built from b, so nothing connects c to the loss. A tape returns None
  // for c; tapeless knows it from the types.
  model_c_t c;
  c.copy_values_from(b);
  static_assert(!tl::depends_on_v<decltype(loss), model_c_t>);
  static_assert(!tl::uses_v<decltype(loss), model_c_t>);
#ifdef TAPELESS_SHOW_COPY_ERROR
  auto grad_copy = tl::gradient(loss, c);  // error: the loss does not depend on c
  (void)grad_copy;
#endif
  // To train c, build the loss from c: the same code, another model.
  auto loss_c = tl::mean(tl::square(a(c(x))));
  auto grad_c = tl::gradient(loss_c, c);
  const auto& g4 = grad_c(tl::feed(x, X));
  std::printf("the fix, a loss built from c: |dL/dW_c| = %.6f (equals b's: same values)\n",
              static_cast<double>(norm(g4[c.layer<0>().weight])));

  // Done right, when c's weights should *depend* on b's (what the assign
  // was meant to express): compute them from b with with_weights. Here c's
  // weight is twice b's, its bias b's; the gradient now reaches b through c.
  const auto c_from_b = model_c_t::with_weights(2.0f * b.layer<0>().weight, b.layer<0>().bias);
  auto loss_cb = tl::mean(tl::square(a(c_from_b(x))));
  static_assert(tl::depends_on_v<decltype(loss_cb), model_b_t>);
  static_assert(!tl::uses_v<decltype(loss_cb), model_c_t>);  // c stores nothing used here
  auto grad_cb = tl::gradient(loss_cb, b);
  const auto& g5 = grad_cb(tl::feed(x, X));
  // The same function written with a copy of b whose weights were doubled
  // by hand: its gradient, by the chain rule, is twice the weight part.
  model_c_t doubled;
  doubled.copy_values_from(b);
  doubled.layer<0>().weight.value *= 2.0f;
  auto grad_doubled = tl::gradient(tl::mean(tl::square(a(doubled(x)))), doubled);
  const auto& g6 = grad_doubled(tl::feed(x, X));
  const float chain_error =
      (g5[b.layer<0>().weight] - 2.0f * g6[doubled.layer<0>().weight]).norm() +
      (g5[b.layer<0>().bias] - g6[doubled.layer<0>().bias]).norm();
  std::printf("done right, c computed from b: |dL/dW_b| = %.6f (chain rule error %.2g)\n",
              static_cast<double>(norm(g5[b.layer<0>().weight])), static_cast<double>(chain_error));

  // The three ways must agree exactly; the copy's gradient equals b's.
  const bool agree = g1[a.layer<0>().weight] == g2[a.layer<0>().weight] &&
                     g2[b.layer<0>().weight] == g3[b.layer<0>().weight] &&
                     g2[b.layer<0>().bias] == g3[b.layer<0>().bias] &&
                     g3[b.layer<0>().weight] == g4[c.layer<0>().weight] && g1.loss() > 0 &&
                     chain_error < 1e-5f * norm(g5[b.layer<0>().weight]);
  std::printf("%s\n", agree ? "all gradients agree" : "MISMATCH");
  return agree ? 0 : 1;
}
