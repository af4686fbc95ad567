// tl::check_gradients: what it reports for a correct graph (every
// parameter and variable by name, within tolerance) and that it finds a
// deliberately wrong op, naming the operand and the element.

#include <string_view>

#include <tapeless/inspect/check_gradients.hpp>
#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using Catch::Matchers::Contains;
using namespace tapeless_test;

namespace {

// cube(x) = x^3 with a wrong pullback: 2 x^2 g instead of 3 x^2 g.
struct wrong_cube {
  static constexpr std::string_view name = "wrong cube";
  using shape_rule = tl::shape_rules::like_first;
  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().cube();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(2 * x.array().square() * g.array());
  }
};

const tl::variable<struct v_tag, double, 3> v;
const tl::input<struct t_tag, double, 2> t;

}  // namespace

TEST_CASE("check_gradients: a correct graph passes, every entry named", "[inspect]") {
  tl::model<struct net_tag, double, tl::Dense<3, 4, tl::Tanh>, tl::LayerNorm<4>, tl::Dense<4, 2>>
      net;
  tl::random_engine rng(1);
  tl::initialize(net, rng);
  const matrix<double> V = pattern(5, 3, 1.0), T = pattern(5, 2, 2.0);
  const matrix<double> before = net.layer<0>().weight.value;
  const auto report =
      tl::check_gradients(tl::mse(net(v), t), tl::wrt(net, v), tl::feed(v, V), tl::feed(t, T));
  CHECK(report.passed());
  REQUIRE(report.entries.size() == 7);
  CHECK(report.entries[0].name == "net_tag.layer0.W");
  CHECK(report.entries[2].name == "net_tag.layer1.g");
  CHECK(report.entries[6].name == "v_tag");
  for (const auto& e : report.entries) CHECK(e.max_relative_error < 1e-6);
  CHECK_THAT(report.text(), Contains("ok     net_tag.layer1.g") && Contains("all within"));
  // Every value was restored exactly.
  CHECK(net.layer<0>().weight.value == before);
}

TEST_CASE("check_gradients: finds a wrong op", "[inspect]") {
  const auto loss = tl::sum(tl::make_expr(wrong_cube{}, v));
  const matrix<double> V = pattern(2, 3, 3.0);
  const auto report = tl::check_gradients(loss, tl::wrt(v), tl::feed(v, V));
  REQUIRE(report.entries.size() == 1);
  CHECK_FALSE(report.passed());
  const auto& e = report.entries[0];
  CHECK(e.name == "v_tag");
  // The computed gradient is 2/3 of the true one: a relative error of 1/3
  // where |x| is largest.
  CHECK(e.max_relative_error == Approx(1.0 / 3).epsilon(1e-6));
  CHECK(e.computed == Approx(2 * V(e.row, e.col) * V(e.row, e.col)).epsilon(1e-12));
  CHECK(std::abs(V(e.row, e.col)) == Approx(V.cwiseAbs().maxCoeff()));
  CHECK_THAT(report.text(), Contains("FAILED v_tag") && Contains("some above"));
}
