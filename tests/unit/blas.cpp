// Large products through OpenBLAS (tapeless::blas, kernels/blas.hpp): the
// same results as Eigen's products within rounding, above and below the
// threshold, for every transposition, assigning and accumulating; gradient
// steps against hand-written backprop; the thread count (1 until set);
// steps with two threads bit-identical to each other and within rounding
// of one thread; programs on two threads at once. The suite also runs this
// file under ThreadSanitizer (.ci/test, configuration tsan).

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
namespace kernels = tapeless::kernels;
using namespace tapeless_test;

namespace {

// Every test leaves the process as it found it (one thread), whatever fails.
struct thread_count {
  explicit thread_count(int n) { kernels::set_threads(n); }
  ~thread_count() { kernels::set_threads(1); }
};

struct shape {
  Eigen::Index m, k, n;  // op(a): m x k, op(b): k x n
};

template <class S>
void check_product(shape s, bool transpose_a, bool transpose_b, bool accumulate) {
  INFO("m k n = " << s.m << " " << s.k << " " << s.n << ", transpose a " << transpose_a << ", b "
                  << transpose_b << ", accumulate " << accumulate);
  const matrix<double> a = transpose_a ? pattern(s.k, s.m, 1) : pattern(s.m, s.k, 1);
  const matrix<double> b = transpose_b ? pattern(s.n, s.k, 2) : pattern(s.k, s.n, 2);
  const matrix<double> before = pattern(s.m, s.n, 3);
  const matrix<double> op_a = transpose_a ? matrix<double>(a.transpose()) : a;
  const matrix<double> op_b = transpose_b ? matrix<double>(b.transpose()) : b;
  matrix<double> expected = op_a * op_b;
  if (accumulate) expected += before;

  // Assigning must not read the destination: NaN there must not show.
  matrix<S> dst = accumulate ? matrix<S>(before.cast<S>())
                             : matrix<S>::Constant(s.m, s.n, std::numeric_limits<S>::quiet_NaN());
  const matrix<S> as = a.cast<S>(), bs = b.cast<S>();
  kernels::gemm<S>(dst, as, transpose_a, bs, transpose_b, accumulate);
  CHECK_THAT(dst, is_close_to(expected.cast<S>(), sizeof(S) == 4 ? 1e-5 : 1e-13));
}

// Three Dense layers, batch 256: the products of the first two (forward,
// weight gradients, and the input gradient of the second) are above the
// threshold, those of the last (10 outputs) below.
constexpr int batch = 256;
using model_t = tl::model<struct blas_tag, float, tl::Dense<300, 128, tl::Tanh>,
                          tl::Dense<128, 128, tl::Tanh>, tl::Dense<128, 10>>;
const tl::input<struct x_tag, float, 300, batch> x;
const tl::input<struct t_tag, float, 10, batch> t;

const matrix<float>& data_x() {
  static const matrix<float> m = pattern(batch, 300, 4).cast<float>();
  return m;
}
const matrix<float>& data_t() {
  static const matrix<float> m = pattern(batch, 10, 5).cast<float>();
  return m;
}

// Glorot's scale keeps the tanh layers out of saturation, where float and
// double would disagree about 1 - y^2.
model_t initialized(std::uint64_t seed) {
  model_t m;
  tl::random_engine rng(seed);
  tl::initialize(m, rng);
  return m;
}

// Loss and the gradients of every parameter, in for_each_parameter's order.
struct step_result {
  float loss = 0;
  std::vector<matrix<float>> g;
};

template <class Program>
step_result read(const Program& g, const model_t& m) {
  step_result r{g.loss(), {}};
  m.for_each_parameter([&](const auto& p) { r.g.push_back(g[p]); });
  return r;
}

bool identical(const step_result& a, const step_result& b) {
  if (a.loss != b.loss || a.g.size() != b.g.size()) return false;
  for (std::size_t i = 0; i < a.g.size(); ++i)
    if (a.g[i] != b.g[i]) return false;
  return true;
}

// Hand-written backprop of mse(model(x), t) in double, with Eigen's own
// products: y_l = act(y_{l-1} W_l + b_l); mse = mean of (y - t)^2.
step_result backprop(const model_t& m) {
  std::vector<matrix<double>> w, b, y{data_x().cast<double>()};
  m.for_each_parameter([&](const auto& p) {
    (w.size() == b.size() ? w : b).push_back(p.value.template cast<double>());
  });
  for (std::size_t l = 0; l < w.size(); ++l) {
    matrix<double> z = (y.back() * w[l]).rowwise() + b[l].row(0);
    y.push_back(l + 1 < w.size() ? matrix<double>(z.array().tanh()) : z);
  }
  const matrix<double> r = y.back() - data_t().cast<double>();
  step_result out{static_cast<float>(r.squaredNorm() / static_cast<double>(r.size())), {}};
  std::vector<matrix<double>> gw(w.size()), gb(w.size());
  matrix<double> g = 2 * r / static_cast<double>(r.size());
  for (std::size_t l = w.size(); l-- > 0;) {
    if (l + 1 < w.size()) g = g.cwiseProduct(matrix<double>(1 - y[l + 1].array().square()));
    gw[l] = y[l].transpose() * g;
    gb[l] = g.colwise().sum();
    g = g * w[l].transpose();
  }
  for (std::size_t l = 0; l < w.size(); ++l) {
    out.g.push_back(gw[l].cast<float>());
    out.g.push_back(gb[l].cast<float>());
  }
  return out;
}

void check_close(const step_result& found, const step_result& expected, double relative) {
  CHECK(found.loss == Approx(expected.loss).epsilon(relative));
  REQUIRE(found.g.size() == expected.g.size());
  for (std::size_t i = 0; i < found.g.size(); ++i) {
    INFO("parameter " << i);
    CHECK_THAT(found.g[i], is_close_to(expected.g[i], relative));
  }
}

}  // namespace

TEST_CASE("blas: one thread until set, and a count below 1 is refused", "[blas]") {
  CHECK(kernels::threads() == 1);
  {
    const thread_count two(2);
    CHECK(kernels::threads() == 2);
    CHECK_THROWS_AS(kernels::set_threads(0), std::invalid_argument);
    CHECK(kernels::threads() == 2);
  }
  CHECK(kernels::threads() == 1);
}

TEST_CASE("blas: products from the threshold on go to OpenBLAS, smaller ones stay with Eigen",
          "[blas]") {
  matrix<float> dst(64, 64);
  const matrix<float> a = matrix<float>::Ones(64, 64), b = a;
  CHECK(kernels::blas::product(dst, a, false, b, false, false));
  CHECK(dst == matrix<float>::Constant(64, 64, 64));
  const matrix<float> a63 = a.leftCols(63), b63 = b.topRows(63);
  CHECK_FALSE(kernels::blas::product(dst, a63, false, b63, false, false));
  CHECK(dst == matrix<float>::Constant(64, 64, 64));  // untouched
}

TEMPLATE_TEST_CASE("blas: products equal Eigen's, every transposition, assigning and accumulating",
                   "[blas]", float, double) {
  const thread_count threads(GENERATE(1, 2, 3));
  // Below the threshold, at it, above it, above it with one column (a
  // leading dimension Eigen leaves at 1), and large enough to be split
  // among threads, by rows and by columns, in blocks that do not divide
  // the side.
  const shape s = GENERATE(shape{32, 64, 64}, shape{64, 64, 64}, shape{96, 200, 80},
                           shape{600, 440, 1}, shape{130, 150, 120}, shape{120, 150, 130});
  const auto [transpose_a, transpose_b] =
      GENERATE(std::pair{false, false}, std::pair{true, false}, std::pair{false, true});
  check_product<TestType>(s, transpose_a, transpose_b, GENERATE(false, true));
}

TEST_CASE("blas: a gradient step equals hand-written backprop, on one thread and on two",
          "[blas]") {
  const model_t m = initialized(1);
  const thread_count threads(GENERATE(1, 2));
  auto step = tl::gradient(tl::mse(m(x), t), m);
  check_close(read(step(tl::feed(x, data_x()), tl::feed(t, data_t())), m), backprop(m), 1e-4);
}

TEST_CASE("blas: steps with two threads are bit-identical, and within rounding of one thread",
          "[blas]") {
  const model_t m = initialized(2);
  auto step = tl::gradient(tl::mse(m(x), t), m);
  auto run = [&] { return read(step(tl::feed(x, data_x()), tl::feed(t, data_t())), m); };
  const step_result one = run();
  const thread_count two(2);
  const step_result first = run();
  for (int i = 0; i < 20; ++i) REQUIRE(identical(run(), first));
  check_close(first, one, 1e-5);
}

TEST_CASE("blas: programs on two threads at once, two BLAS threads each", "[blas]") {
  constexpr int workers = 2, steps = 5;
  const thread_count two(2);
  auto train = [](model_t& m) {
    auto step = tl::gradient(tl::mse(m(x), t), m);
    auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.05}, m);
    float loss = 0;
    for (int s = 0; s < steps; ++s) {
      const auto& g = step(tl::feed(x, data_x()), tl::feed(t, data_t()));
      loss = g.loss();
      sgd.step(g);
    }
    return loss;
  };
  std::array<model_t, workers> alone, together;
  std::array<float, workers> expected{}, found{};
  for (int i = 0; i < workers; ++i) {
    tl::random_engine rng(3 + i);
    tl::initialize(alone[i], rng);
    together[i].copy_values_from(alone[i]);
    expected[i] = train(alone[i]);
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) threads.emplace_back([&, i] { found[i] = train(together[i]); });
  for (auto& th : threads) th.join();
  for (int i = 0; i < workers; ++i) {
    CHECK(found[i] == expected[i]);
    CHECK(together[i].layer<0>().weight.value == alone[i].layer<0>().weight.value);
  }
}
