// tl::checked: a program that checks after each node that its value and the
// gradients it sends are finite, and names the first node that is not. A
// NaN or infinity is put at a known place (fed data, a parameter, the input
// of a log in the middle, a gradient that only the reverse pass makes
// infinite) and the error must name that node, pass, row and column; the
// same program unchecked computes the NaN and throws nothing.

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <tapeless/gradient.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/losses/mse.hpp>
#include <tapeless/model.hpp>
#include <tapeless/ops/log.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/sqrt.hpp>

#include "support.hpp"

namespace tl = tapeless;
using Catch::Matchers::Contains;
using namespace tapeless_test;
using pass = tl::numeric_error::sweep;

namespace {

const tl::input<struct features, double, 2> x;
const tl::input<struct targets, double, 2> t;
using net_t = tl::model<struct net, double, tl::Dense<2, 2>>;

// The numeric_error `f` throws, if it throws one.
template <class F>
std::optional<tl::numeric_error> thrown_by(F&& f) {
  try {
    f();
  } catch (const tl::numeric_error& e) {
    return e;
  }
  return std::nullopt;
}

// A net that passes x through unchanged (W = I, b = 0), and positive data:
// every value of the log graph below is finite until a test breaks one.
struct log_graph {
  net_t net;
  matrix<double> X = away_from_zero(pattern(4, 2, 1.0).cwiseAbs(), 0.5);
  matrix<double> T = pattern(4, 2, 2.0);
  log_graph() {
    net.layer<0>().weight.value.setIdentity();
    net.layer<0>().bias.value.setZero();
  }
  auto loss() const { return tl::mse(tl::log(net(x)), t); }
};

}  // namespace

TEST_CASE("checked: finite data gives the unchecked program's results", "[checked]") {
  log_graph g;
  auto step = tl::gradient(g.loss(), g.net);
  auto checked = tl::checked(step);
  const double loss = step(tl::feed(x, g.X), tl::feed(t, g.T)).loss();
  const matrix<double> dW = step[g.net.layer<0>().weight];
  CHECK_NOTHROW(checked(tl::feed(x, g.X), tl::feed(t, g.T)));
  CHECK(checked.loss() == loss);
  CHECK(matrix<double>(checked[g.net.layer<0>().weight]) == dW);
  CHECK(dW.cwiseAbs().maxCoeff() > 0.01);
}

TEST_CASE("checked: a NaN in the fed data names the input and its row", "[checked]") {
  log_graph g;
  auto checked = tl::checked(tl::gradient(g.loss(), g.net));
  g.X(2, 1) = std::numeric_limits<double>::quiet_NaN();
  const auto e = thrown_by([&] { checked(tl::feed(x, g.X), tl::feed(t, g.T)); });
  REQUIRE(e);
  CHECK(e->pass == pass::forward);
  CHECK(e->node == "input features");
  CHECK(e->operands.empty());
  CHECK(e->operand == -1);
  CHECK(e->row == 2);
  CHECK(e->col == 1);
  CHECK(std::isnan(e->value));
  CHECK_THAT(std::string(e->what()), Contains("tapeless: checked run, forward pass: the value of "
                                              "input features is nan at row 2, column 1"));
}

TEST_CASE("checked: an infinite parameter is named before the layer that reads it", "[checked]") {
  log_graph g;
  auto checked = tl::checked(tl::gradient(g.loss(), g.net));
  g.net.layer<0>().bias.value(0, 1) = -std::numeric_limits<double>::infinity();
  const auto e = thrown_by([&] { checked(tl::feed(x, g.X), tl::feed(t, g.T)); });
  REQUIRE(e);
  CHECK(e->pass == pass::forward);
  CHECK(e->node == "parameter net.layer0.b");
  CHECK(e->row == 0);
  CHECK(e->col == 1);
  CHECK(e->value == -std::numeric_limits<double>::infinity());
}

TEST_CASE("checked: the log of a negative number in the middle names the log", "[checked]") {
  log_graph g;
  auto step = tl::gradient(g.loss(), g.net);
  auto checked = tl::checked(step);
  // Rows 1 and 3 go negative in column 0: the first such row is named.
  g.X(3, 0) = -1.0;
  g.X(1, 0) = -2.0;
  const auto e = thrown_by([&] { checked(tl::feed(x, g.X), tl::feed(t, g.T)); });
  REQUIRE(e);
  CHECK(e->pass == pass::forward);
  CHECK(e->node == "log");
  CHECK(e->operands == std::vector<std::string>{"Dense layer"});
  CHECK(e->row == 1);
  CHECK(e->col == 0);
  CHECK(std::isnan(e->value));
  CHECK_THAT(std::string(e->what()),
             Contains("forward pass: the value of log (of Dense layer) is ") &&
                 Contains(" at row 1, column 0"));
  // Unchecked, the default, the same run computes NaN and throws nothing.
  CHECK_NOTHROW(step(tl::feed(x, g.X), tl::feed(t, g.T)));
  CHECK(std::isnan(step.loss()));
  CHECK(std::isnan(step[g.net.layer<0>().weight](0, 0)));
}

TEST_CASE("checked: a gradient that only the reverse pass makes infinite names its node",
          "[checked]") {
  // sqrt(y) is finite at y = 0, its derivative 1 / (2 sqrt(y)) is not.
  net_t net;
  net.layer<0>().weight.value.setIdentity();
  matrix<double> X = away_from_zero(pattern(3, 2, 3.0).cwiseAbs(), 0.1);
  X(2, 1) = 0.0;
  auto checked = tl::checked(tl::gradient(tl::sum(tl::sqrt(net(x))), net));
  const auto e = thrown_by([&] { checked(tl::feed(x, X)); });
  REQUIRE(e);
  CHECK(e->pass == pass::backward);
  CHECK(e->node == "sqrt");
  CHECK(e->operands == std::vector<std::string>{"Dense layer"});
  CHECK(e->operand == 0);
  CHECK(e->row == 2);
  CHECK(e->col == 1);
  CHECK(e->value == std::numeric_limits<double>::infinity());
  CHECK_THAT(std::string(e->what()), Contains("tapeless: checked run, backward pass: the gradient "
                                              "that sqrt (of Dense layer) sends to its operand 0 "
                                              "(Dense layer) is inf at row 2, column 1"));
  // The forward value was finite: the loss is computed before the throw.
  CHECK(std::isfinite(checked.loss()));
  // numeric_error is a runtime_error, for callers that catch those.
  CHECK_THROWS_AS(checked(tl::feed(x, X)), std::runtime_error);
}

TEST_CASE("checked: an evaluate program is checked too", "[checked]") {
  matrix<double> X = away_from_zero(pattern(3, 2, 4.0).cwiseAbs(), 0.1);
  X(0, 1) = 0.0;  // log(0) = -inf
  auto predict = tl::checked(tl::evaluate(tl::log(x)));
  const auto e = thrown_by([&] { predict(tl::feed(x, X)); });
  REQUIRE(e);
  CHECK(e->pass == pass::forward);
  CHECK(e->node == "log");
  CHECK(e->operands == std::vector<std::string>{"input features"});
  CHECK(e->row == 0);
  CHECK(e->col == 1);
  CHECK(e->value == -std::numeric_limits<double>::infinity());
}
