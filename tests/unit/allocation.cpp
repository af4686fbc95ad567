// No heap allocation per step: a program with fixed sizes allocates nothing
// when it runs, and a program with a run-time batch allocates only when the
// batch grows past the largest so far (or past what reserve() set).
//
// Two counters (counting_eigen.hpp), because Eigen does not allocate
// through operator new: its matrices call std::malloc directly.

#include "counting_eigen.hpp"

#include <new>

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>
#include <tapeless/train/sgd.hpp>

#include "support.hpp"

namespace tl = tapeless;
using counting::allocations_during;
using namespace tapeless_test;

namespace {

// Stores a pointer where the optimiser must assume it is read, so that an
// allocation made only to be counted is not elided.
void* volatile escape = nullptr;

struct alignas(64) over_aligned {
  double d[8];
};

struct enc_tag;
struct head_tag;
using enc_t = tl::model<enc_tag, double, tl::Dense<3, 6, tl::Tanh>, tl::Dense<6, 4, tl::ReLU>>;
using head_t = tl::model<head_tag, double, tl::Dense<4, 3>>;

// A graph with most kinds of node: layers with activations, a loss, a
// shared sub-expression, scaling, elementwise ops and reductions.
template <class X, class T>
auto loss_of(const enc_t& enc, const head_t& head, const X& x, const T& t) {
  const auto h = enc(x);
  return tl::softmax_cross_entropy(head(h), t) + 0.1 * tl::mean(h * h) +
         tl::sum(tl::exp(-tl::square(h))) / 8;
}

}  // namespace

TEST_CASE("the counters see every kind of allocation", "[allocation]") {
  // Without this, a counter that counted nothing would pass every test.
  CHECK(allocations_during([] {
          auto* p = new double[16];
          escape = p;
          delete[] p;
        }) == 1);
  CHECK(allocations_during([] {
          auto* p = new over_aligned;  // the aligned operator new
          escape = p;
          delete p;
        }) == 1);
  CHECK(allocations_during([] {
          auto* p = new (std::nothrow) double;
          escape = p;
          delete p;
        }) == 1);
  CHECK(allocations_during([] {
          Eigen::MatrixXd m(10, 10);  // Eigen's own malloc
          escape = m.data();
        }) == 1);
  CHECK(allocations_during([] {
          Eigen::Matrix<double, 10, 10> m;  // fixed size: none
          escape = m.data();
        }) == 0);
}

TEST_CASE("fixed batch: no allocation when the program runs", "[allocation]") {
  enc_t enc;
  head_t head;
  fill_parameters(enc, 1.0);
  fill_parameters(head, 5.0);
  const tl::input<struct fx, double, 3, 5> x;
  const tl::input<struct ft, double, 3, 5> t;
  Eigen::Matrix<double, 5, 3> X = pattern(5, 3, 2.0);
  Eigen::Matrix<double, 5, 3> T = Eigen::Matrix<double, 5, 3>::Zero();
  for (int r = 0; r < 5; ++r) T(r, r % 3) = 1;

  auto step = tl::gradient(loss_of(enc, head, x, t), enc, head);
  // Fixed sizes under the storage limit live inside the program: even the
  // first run has nothing to allocate.
  CHECK(allocations_during([&] { step(tl::feed(x, X), tl::feed(t, T)); }) == 0);
  const double first = step(tl::feed(x, X), tl::feed(t, T)).loss();

  std::size_t total = 0;
  for (int i = 0; i < 10; ++i)
    total += allocations_during([&] { step(tl::feed(x, X), tl::feed(t, T)); });
  CHECK(total == 0);
  // The runs did the work: same data, same loss; a nonzero gradient.
  CHECK(step.loss() == first);
  CHECK(step[enc.layer<0>().weight].cwiseAbs().maxCoeff() > 1e-6);
}

TEST_CASE("run-time batch: allocation only when the batch grows past the largest so far",
          "[allocation]") {
  enc_t enc;
  head_t head;
  fill_parameters(enc, 1.0);
  fill_parameters(head, 5.0);
  const tl::variable<struct dx, double, 3> x;  // its gradient is sized by the batch too
  const tl::input<struct dt, double, 3> t;
  const Eigen::MatrixXd X5 = pattern(5, 3, 2.0);
  const Eigen::MatrixXd X7 = pattern(7, 3, 3.0);
  const Eigen::MatrixXd T5 = Eigen::MatrixXd::Constant(5, 3, 1.0 / 3);
  const Eigen::MatrixXd T7 = Eigen::MatrixXd::Constant(7, 3, 1.0 / 3);

  auto step = tl::gradient(loss_of(enc, head, x, t), enc, head, x);
  auto run = [&](const Eigen::MatrixXd& X, const Eigen::MatrixXd& T) {
    return allocations_during([&] { step(tl::feed(x, X), tl::feed(t, T)); });
  };

  // The first run sizes the storage: this also shows that the counter sees
  // the program's allocations.
  CHECK(run(X5, T5) > 0);
  std::size_t total = 0;
  for (int i = 0; i < 10; ++i) total += run(X5, T5);
  CHECK(total == 0);
  CHECK(step[x].rows() == 5);

  // A larger batch grows the storage once; from then on, batches of either
  // size alternate without allocating (a smaller last batch, an evaluation
  // set and training batches).
  CHECK(run(X7, T7) > 0);
  total = 0;
  for (int i = 0; i < 10; ++i) total += run(X7, T7) + run(X5, T5);
  CHECK(total == 0);

  // The smaller batch's results are those of a program that never saw the
  // larger one.
  const double loss5 = step.loss();
  const Eigen::MatrixXd w5 = step[enc.layer<0>().weight];
  const Eigen::MatrixXd x5 = step[x];
  auto fresh = tl::gradient(loss_of(enc, head, x, t), enc, head, x);
  fresh(tl::feed(x, X5), tl::feed(t, T5));
  CHECK(loss5 == fresh.loss());
  CHECK(w5 == fresh[enc.layer<0>().weight]);
  CHECK(x5.rows() == 5);
  CHECK(x5 == fresh[x]);
}

TEST_CASE("run-time batch: reserve allocates once for every batch up to its size", "[allocation]") {
  enc_t enc;
  head_t head;
  fill_parameters(enc, 1.0);
  fill_parameters(head, 5.0);
  const tl::variable<struct dx, double, 3> x;
  const tl::input<struct dt, double, 3> t;
  auto step = tl::gradient(loss_of(enc, head, x, t), enc, head, x);
  step.reserve(8);

  std::size_t total = 0;
  for (int rows : {1, 8, 3, 7, 8, 2}) {
    const Eigen::MatrixXd X = pattern(rows, 3, 1.5);
    const Eigen::MatrixXd T = Eigen::MatrixXd::Constant(rows, 3, 0.25);
    total += allocations_during([&] { step(tl::feed(x, X), tl::feed(t, T)); });
    CHECK(step[x].rows() == rows);
  }
  CHECK(total == 0);

  // Past the reservation: storage grows once more.
  const Eigen::MatrixXd X = pattern(9, 3, 1.5);
  const Eigen::MatrixXd T = Eigen::MatrixXd::Constant(9, 3, 0.25);
  CHECK(allocations_during([&] { step(tl::feed(x, X), tl::feed(t, T)); }) > 0);
}

TEST_CASE("heap-sized parameters: runs and optimizer steps allocate nothing", "[allocation]") {
  // 100 x 50 doubles is past the fixed-storage limit: its matrices, and
  // the optimizer's state for them, live on the heap, allocated once.
  tl::model<struct big_tag, double, tl::Dense<3, 100, tl::Tanh>, tl::Dense<100, 50>> big;
  tl::model<struct out_tag, double, tl::Dense<50, 3>> out;
  fill_parameters(big, 1.0);
  fill_parameters(out, 2.0);
  const tl::input<struct ox, double, 3, 4> x;
  const tl::input<struct ot, double, 3, 4> t;
  const Eigen::MatrixXd X = pattern(4, 3, 2.0);
  const Eigen::MatrixXd T = pattern(4, 3, 5.0);
  auto step = tl::gradient(tl::mse(out(big(x)), t), big, out);
  auto adam = tl::make_optimizer(tl::adamw{.learning_rate = 1e-3}, big, out);
  auto nesterov = tl::make_optimizer(tl::momentum_sgd{.nesterov = true}, big, out);
  // Runs read the heap-sized parameters in place: no copy, no allocation.
  CHECK(allocations_during([&] {
          for (int i = 0; i < 3; ++i) step(tl::feed(x, X), tl::feed(t, T));
        }) == 0);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  const Eigen::MatrixXd before = big.layer<1>().weight.value;
  CHECK(allocations_during([&] {
          for (int i = 0; i < 5; ++i) {
            adam.step(g);
            nesterov.step(g);
          }
        }) == 0);
  CHECK(big.layer<1>().weight.value != before);
}

TEST_CASE("dropout and Embedding: no allocation per step once the batch is sized",
          "[allocation][dropout][embedding]") {
  // A table of 100 x 30 doubles, past the fixed-storage limit: the table,
  // its gradient and the scatter's scratch are heap matrices, allocated once.
  tl::model<struct emb_tag, double, tl::Embedding<100, 30, 2>, tl::Dense<60, 3>> net;
  fill_parameters(net, 1.0);
  tl::random_engine rng(1);
  tl::dropout_control drop(rng);
  const tl::input<struct ids_tag, double, 2> ids;
  const tl::input<struct at_tag, double, 3> t;
  auto step = tl::gradient(tl::mse(net.layer<1>()(tl::dropout(net.layer<0>()(ids), drop)), t), net);
  Eigen::MatrixXd I(6, 2);
  I << 0, 99, 5, 5, 17, 42, 3, 8, 99, 0, 61, 2;
  const Eigen::MatrixXd T = pattern(6, 3, 2.0);
  const Eigen::MatrixXd I4 = I.topRows(4), T4 = T.topRows(4);

  CHECK(allocations_during([&] { step(tl::feed(ids, I), tl::feed(t, T)); }) > 0);
  const double first = step.loss();
  std::size_t total = 0;
  for (int i = 0; i < 5; ++i) {
    total += allocations_during([&] { step(tl::feed(ids, I), tl::feed(t, T)); });
    total += allocations_during([&] { step(tl::feed(ids, I4), tl::feed(t, T4)); });
  }
  drop.eval();
  total += allocations_during([&] { step(tl::feed(ids, I), tl::feed(t, T)); });
  drop.train();
  total += allocations_during([&] { step(tl::feed(ids, I), tl::feed(t, T)); });
  CHECK(total == 0);
  // The runs drew new masks: the loss moved, with the same data.
  CHECK(step.loss() != first);
  CHECK(step[net.layer<0>().table].row(5).cwiseAbs().maxCoeff() > 0);
}
