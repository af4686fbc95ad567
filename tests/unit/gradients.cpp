// tl::gradients: several losses, one forward pass, one reverse sweep per
// loss. Each loss's gradients equal those of its own tl::gradient program,
// with the same weights and data, to rounding; the shared forward nodes are
// computed once per step; a leaf two requests share has two gradients; and
// a step allocates nothing.
//
// Counts allocations as allocation.cpp does, so it compiles Eigen itself.

#include "counting_eigen.hpp"

#include <string_view>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using counting::allocations_during;
using namespace tapeless_test;

namespace {

// y = x, counting its forward passes: a node shared by the losses runs
// once per step of one program.
struct counted_op {
  static constexpr std::string_view name = "counted";
  using shape_rule = tl::shape_rules::like_first;
  static inline int forwards = 0;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    ++forwards;
    y = x;
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X&, SX sx) const {
    sx(g);
  }
};
template <tl::Expression X>
auto counted(const X& x) {
  return tl::make_expr(counted_op{}, x);
}

constexpr double exact = 1e-12;

// Every parameter's gradient in `a` equals that in `b`.
template <class A, class B, class Model>
void check_same_gradients(const A& a, const B& b, Model& model) {
  model.for_each_parameter([&](const auto& p) {
    INFO("parameter " << p.name());
    CHECK_THAT(matrix<double>(a[p]), is_close_to(b[p], exact));
  });
}

using generator_t = tl::model<struct gen, double, tl::Dense<4, 8, tl::Tanh>, tl::Dense<8, 1>>;
using discriminator_t =
    tl::model<struct disc, double, tl::Dense<1, 8, tl::Tanh>, tl::Dense<8, 1, tl::Sigmoid>>;
constexpr int batch = 16;

struct gan {
  generator_t G;
  discriminator_t D;
  tl::input<struct noise, double, 4, batch> z;
  tl::input<struct real, double, 1, batch> x;
  tl::input<struct ones, double, 1, batch> one;
  Eigen::Matrix<double, batch, 4> Z;
  Eigen::Matrix<double, batch, 1> X;
  Eigen::Matrix<double, batch, 1> One = Eigen::Matrix<double, batch, 1>::Ones();

  gan() {
    fill_parameters(G, 1.0);
    fill_parameters(D, 2.0);
    draw(0);
  }
  void draw(double seed) {
    Z = pattern(batch, 4, 3.0 + seed);
    X = pattern(batch, 1, 4.0 + seed).array() + 3;
  }
  // D's loss uses D twice: on real data and on G's samples.
  auto fake() const { return counted(G(z)); }
  auto d_loss() const { return tl::mean(tl::square(D(x) - one)) + tl::mean(tl::square(D(fake()))); }
  auto g_loss() const { return tl::mean(tl::square(D(fake()) - one)); }
};

}  // namespace

TEST_CASE("a GAN's two losses: each part's gradients are its own program's", "[gradients]") {
  gan s;
  auto step = tl::gradients(tl::of(s.d_loss(), s.D), tl::of(s.g_loss(), s.G));
  auto d_step = tl::gradient(s.d_loss(), s.D);
  auto g_step = tl::gradient(s.g_loss(), s.G);
  using D_part = std::remove_cvref_t<decltype(step.part<0>())>;
  using G_part = std::remove_cvref_t<decltype(step.part<1>())>;
  STATIC_REQUIRE(D_part::computes_gradient_of<decltype(s.D.layer<0>().weight)>());
  STATIC_REQUIRE(!D_part::computes_gradient_of<decltype(s.G.layer<0>().weight)>());
  STATIC_REQUIRE(G_part::computes_gradient_of<decltype(s.G.layer<1>().bias)>());
  STATIC_REQUIRE(!G_part::computes_gradient_of<decltype(s.D.layer<1>().bias)>());
  STATIC_REQUIRE(std::is_same_v<D_part::request_type, decltype(d_step)::request_type>);

  // Two draws: the second run's adjoints must not carry anything of the
  // first's, in the nodes both sweeps visit (D on G's samples).
  for (double seed : {0.0, 1.0}) {
    s.draw(seed);
    const auto& [d, g] = step(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
    d_step(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
    g_step(tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
    CHECK(d.loss() == Approx(d_step.loss()).epsilon(exact));
    CHECK(g.loss() == Approx(g_step.loss()).epsilon(exact));
    CHECK(d.loss() != g.loss());
    check_same_gradients(d, d_step, s.D);
    check_same_gradients(g, g_step, s.G);
    check_same_gradients(step.part<0>(), d_step, s.D);
  }
}

TEST_CASE("a GAN's two losses: the shared forward nodes run once per step", "[gradients]") {
  gan s;
  auto step = tl::gradients(tl::of(s.d_loss(), s.D), tl::of(s.g_loss(), s.G));
  auto d_step = tl::gradient(s.d_loss(), s.D);
  auto g_step = tl::gradient(s.g_loss(), s.G);
  counted_op::forwards = 0;
  step(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
  CHECK(counted_op::forwards == 1);
  // Two programs: G(z) twice (and so is D(G(z))), which the counter sees.
  d_step(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
  g_step(tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
  CHECK(counted_op::forwards == 3);
}

TEST_CASE("a GAN step allocates nothing, optimizer updates included", "[gradients][allocation]") {
  gan s;
  auto step = tl::gradients(tl::of(s.d_loss(), s.D), tl::of(s.g_loss(), s.G));
  auto d_opt = tl::make_optimizer(tl::adam{.learning_rate = 1e-3}, s.D);
  auto g_opt = tl::make_optimizer(tl::adam{.learning_rate = 1e-3}, s.G);
  auto train = [&] {
    const auto& [d, g] = step(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
    d_opt.step(d);
    g_opt.step(g);
  };
  train();
  const Eigen::MatrixXd d_before = s.D.layer<0>().weight.value;
  const Eigen::MatrixXd g_before = s.G.layer<0>().weight.value;
  std::size_t total = 0;
  for (int i = 0; i < 10; ++i) total += allocations_during(train);
  CHECK(total == 0);
  CHECK(d_opt.steps() == 11);
  CHECK(g_opt.steps() == 11);
  CHECK(s.D.layer<0>().weight.value != d_before);
  CHECK(s.G.layer<0>().weight.value != g_before);
}

namespace {

using encoder_t = tl::model<struct enc, double, tl::Dense<3, 6, tl::Tanh>>;
using head_a_t = tl::model<struct head_a, double, tl::Dense<6, 2>>;
using head_b_t = tl::model<struct head_b, double, tl::Dense<6, 1, tl::Sigmoid>>;

// Two tasks on one shared encoder, and a variable input, both requested by
// both tasks: their gradients are two, each its own task's.
struct multitask {
  encoder_t enc;
  head_a_t a;
  head_b_t b;
  tl::variable<struct mx, double, 3> x;  // a run-time batch
  tl::input<struct mta, double, 2> ta;
  tl::input<struct mtb, double, 1> tb;

  multitask() {
    fill_parameters(enc, 1.0);
    fill_parameters(a, 2.0);
    fill_parameters(b, 3.0);
  }
  auto loss_a() const { return tl::mse(a(enc(x)), ta); }
  auto loss_b() const { return tl::mean(tl::square(b(enc(x)) - tb)); }
};

}  // namespace

TEST_CASE("two losses requesting one shared encoder and variable: each gets its own gradient",
          "[gradients]") {
  multitask m;
  auto step =
      tl::gradients(tl::of(m.loss_a(), m.enc, m.a, m.x), tl::of(m.loss_b(), m.enc, m.b, m.x));
  auto step_a = tl::gradient(m.loss_a(), m.enc, m.a, m.x);
  auto step_b = tl::gradient(m.loss_b(), m.enc, m.b, m.x);
  for (int rows : {5, 3}) {
    const Eigen::MatrixXd X = pattern(rows, 3, 1.0 + rows);
    const Eigen::MatrixXd TA = pattern(rows, 2, 2.0 + rows);
    const Eigen::MatrixXd TB = pattern(rows, 1, 3.0 + rows).array().abs();
    const auto& [ga, gb] = step(tl::feed(m.x, X), tl::feed(m.ta, TA), tl::feed(m.tb, TB));
    step_a(tl::feed(m.x, X), tl::feed(m.ta, TA));
    step_b(tl::feed(m.x, X), tl::feed(m.tb, TB));
    CHECK(ga.loss() == Approx(step_a.loss()).epsilon(exact));
    CHECK(gb.loss() == Approx(step_b.loss()).epsilon(exact));
    check_same_gradients(ga, step_a, m.enc);
    check_same_gradients(gb, step_b, m.enc);
    check_same_gradients(ga, step_a, m.a);
    check_same_gradients(gb, step_b, m.b);
    CHECK(ga[m.x].rows() == rows);
    CHECK_THAT(matrix<double>(ga[m.x]), is_close_to(step_a[m.x], exact));
    CHECK_THAT(matrix<double>(gb[m.x]), is_close_to(step_b[m.x], exact));
    // Two gradients, not one overwritten by the other.
    const auto& w = m.enc.layer<0>().weight;
    CHECK(&ga[w] != &gb[w]);
    CHECK(ga[w] != gb[w]);
  }
}

TEST_CASE("a part whose request is a variable alone", "[gradients]") {
  multitask m;
  auto step = tl::gradients(tl::of(m.loss_a(), m.enc, m.a), tl::of(m.loss_b(), m.x));
  auto step_a = tl::gradient(m.loss_a(), m.enc, m.a);
  auto step_x = tl::gradient(m.loss_b(), m.x);
  const Eigen::MatrixXd X = pattern(4, 3, 5.0), TA = pattern(4, 2, 6.0), TB = pattern(4, 1, 7.0);
  const auto& [ga, gx] = step(tl::feed(m.x, X), tl::feed(m.ta, TA), tl::feed(m.tb, TB));
  step_a(tl::feed(m.x, X), tl::feed(m.ta, TA));
  step_x(tl::feed(m.x, X), tl::feed(m.tb, TB));
  using x_part = std::remove_cvref_t<decltype(gx)>;
  STATIC_REQUIRE(x_part::computes_gradient_of<decltype(m.x)>());
  STATIC_REQUIRE(!x_part::computes_gradient_of<decltype(m.enc.layer<0>().weight)>());
  CHECK(gx.loss() == Approx(step_x.loss()).epsilon(exact));
  CHECK_THAT(matrix<double>(gx[m.x]), is_close_to(step_x[m.x], exact));
  check_same_gradients(ga, step_a, m.enc);
  check_same_gradients(ga, step_a, m.a);
}

TEST_CASE("a shared variable's gradients allocate only when the batch grows",
          "[gradients][allocation]") {
  multitask m;
  auto step = tl::gradients(tl::of(m.loss_a(), m.enc, m.x), tl::of(m.loss_b(), m.b, m.x));
  const Eigen::MatrixXd X = pattern(6, 3, 1.0), TA = pattern(6, 2, 2.0), TB = pattern(6, 1, 3.0);
  auto run = [&] {
    return allocations_during(
        [&] { step(tl::feed(m.x, X), tl::feed(m.ta, TA), tl::feed(m.tb, TB)); });
  };
  CHECK(run() > 0);  // sizes the batch's storage, both parts' gradients of x among it
  std::size_t total = 0;
  for (int i = 0; i < 10; ++i) total += run();
  CHECK(total == 0);
  CHECK(step.part<0>()[m.x].rows() == 6);
  CHECK(step.part<1>()[m.x].rows() == 6);
}

TEST_CASE("tl::gradients composes with unconnected_as_zero and checked", "[gradients]") {
  gan s;
  // D's loss on real data alone does not use G: lenient, G's gradient is zero.
  const auto real_loss = tl::mean(tl::square(s.D(s.x) - s.one));
  auto lenient =
      tl::gradients(tl::unconnected_as_zero, tl::of(real_loss, s.D, s.G), tl::of(s.g_loss(), s.G));
  auto checked = tl::checked(tl::gradients(tl::of(s.d_loss(), s.D), tl::of(s.g_loss(), s.G)));
  auto real_step = tl::gradient(real_loss, s.D);
  auto g_step = tl::gradient(s.g_loss(), s.G);
  auto d_step = tl::gradient(s.d_loss(), s.D);
  const auto& [r, g] = lenient(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
  real_step(tl::feed(s.x, s.X), tl::feed(s.one, s.One));
  g_step(tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
  d_step(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
  STATIC_REQUIRE(
      !std::remove_cvref_t<decltype(r)>::computes_gradient_of<decltype(s.G.layer<0>().weight)>());
  check_same_gradients(r, real_step, s.D);
  CHECK(r[s.G.layer<0>().weight].isZero(0));
  check_same_gradients(g, g_step, s.G);

  const auto& [cd, cg] = checked(tl::feed(s.x, s.X), tl::feed(s.z, s.Z), tl::feed(s.one, s.One));
  check_same_gradients(cd, d_step, s.D);
  check_same_gradients(cg, g_step, s.G);
}
