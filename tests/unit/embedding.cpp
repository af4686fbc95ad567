// Embedding, a layer added through the Layer concept alone: rows of its
// table looked up by integer ids; the table's gradient scatter-added into
// the rows used (an id used twice adds both) against finite differences in
// double and the double result in float; second derivatives through
// tl::grad; ids out of range refused at run time; what the core does with
// any layer (freezing, initialising, computed weights).

#include <utility>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

// Two ids per example into a table of 6 rows of 3 values, then a Dense
// layer over the 6 features they give.
template <class S>
using net_t = tl::model<struct net_tag, S, tl::Embedding<6, 3, 2>, tl::Dense<6, 2, tl::Tanh>>;

template <class S>
struct fixture {
  net_t<S> net;
  tl::input<struct ids_tag, S, 2> ids;
  tl::input<struct t_tag, S, 2> t;
  matrix<S> I;
  matrix<S> T = pattern(5, 2, 2.0).cast<S>();
  fixture() {
    fill_parameters(net, 3.0);
    // Row 1 twice in one example, row 4 in two examples, rows 0 and 5
    // never: their gradient is exactly 0.
    I.resize(5, 2);
    I << 1, 1,  //
        2, 4,   //
        4, 3,   //
        3, 2,   //
        2, 1;
  }
};

// The table's rows for each id, side by side.
matrix<double> gather(const matrix<double>& table, const matrix<double>& ids) {
  const Eigen::Index d = table.cols();
  matrix<double> y(ids.rows(), ids.cols() * d);
  for (Eigen::Index r = 0; r < ids.rows(); ++r)
    for (Eigen::Index k = 0; k < ids.cols(); ++k)
      y.block(r, k * d, 1, d) = table.row(static_cast<Eigen::Index>(ids(r, k)));
  return y;
}

}  // namespace

TEST_CASE("Embedding: value and gradients against finite differences", "[embedding]") {
  fixture<double> f;
  const auto& table = f.net.layer<0>().table;
  const auto& dense = f.net.layer<1>();

  // The layer alone: the rows, exactly.
  auto lookup = tl::evaluate(f.net.layer<0>()(f.ids));
  CHECK(lookup(tl::feed(f.ids, f.I)).value() == gather(table.value, f.I));

  const auto loss = tl::mse(f.net(f.ids), f.t);
  auto step = tl::gradient(loss, f.net);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(f.ids, f.I), tl::feed(f.t, f.T));
  const matrix<double> h = gather(table.value, f.I);
  const matrix<double> y =
      ((h * dense.weight.value).rowwise() + dense.bias.value.row(0)).array().tanh();
  CHECK(g.loss() == Approx((y - f.T).array().square().mean()).epsilon(1e-12));
  check_parameters_against_fd(
      g, f.net, [&] { return value(tl::feed(f.ids, f.I), tl::feed(f.t, f.T)).loss(); });

  // The scatter-add by hand: dE(v) = sum of the upstream rows of v's uses.
  const matrix<double> dy = 2.0 / double(y.size()) * (y - f.T).array() * (1 - y.array().square());
  const matrix<double> dh = dy * dense.weight.value.transpose();
  matrix<double> expected = matrix<double>::Zero(6, 3);
  for (Eigen::Index r = 0; r < 5; ++r)
    for (Eigen::Index k = 0; k < 2; ++k)
      expected.row(static_cast<Eigen::Index>(f.I(r, k))) += dh.block(r, k * 3, 1, 3);
  CHECK_THAT(g[table], is_close_to(expected, 1e-12));
  CHECK(g[table].row(0).isZero(0.0));
  CHECK(g[table].row(5).isZero(0.0));
  CHECK(g[table].row(1).cwiseAbs().maxCoeff() > 1e-3);
  CHECK(table.name() == "net_tag.layer0.E");
}

TEST_CASE("Embedding: the table's gradient adds up with other uses of the table", "[embedding]") {
  // The table read by the layer and by a penalty: both contributions, the
  // scatter first or second in the sweep.
  fixture<double> f;
  const auto& table = f.net.layer<0>().table;
  const auto loss = tl::mse(f.net(f.ids), f.t) + 0.1 * tl::sum(tl::square(table));
  auto step = tl::gradient(loss, f.net);
  auto plain = tl::gradient(tl::mse(f.net(f.ids), f.t), f.net);
  const auto& g = step(tl::feed(f.ids, f.I), tl::feed(f.t, f.T));
  const auto& p = plain(tl::feed(f.ids, f.I), tl::feed(f.t, f.T));
  CHECK_THAT(g[table], is_close_to(matrix<double>(p[table] + 0.2 * table.value), 1e-12));
}

TEST_CASE("Embedding: second derivatives through tl::grad", "[embedding][grad]") {
  // The table's gradient as an expression (the scatter op), then H u for a
  // direction U of the table as one program, the gradient of <g, U>,
  // against central differences of the gradient program along U.
  fixture<double> f;
  auto& table = f.net.layer<0>().table;
  const auto loss = tl::mse(f.net(f.ids), f.t);
  const auto g = tl::grad(loss, table);
  auto step = tl::gradient(loss, f.net);
  const matrix<double> direct = step(tl::feed(f.ids, f.I), tl::feed(f.t, f.T))[table];
  auto value = tl::evaluate(g);
  CHECK_THAT(value(tl::feed(f.ids, f.I), tl::feed(f.t, f.T)).value(), is_close_to(direct, 1e-12));

  const tl::input<struct u_tag, double, 3, 6> u;  // the table's shape, 6 x 3
  const matrix<double> U = pattern(6, 3, 9.0);
  auto hvp = tl::gradient(tl::sum(g * u), f.net);
  const auto& h = hvp(tl::feed(f.ids, f.I), tl::feed(f.t, f.T), tl::feed(u, U));
  constexpr double eps = 1e-5;
  auto gradient_at = [&](double by) {
    table.value += by * U;
    const auto& r = step(tl::feed(f.ids, f.I), tl::feed(f.t, f.T));
    std::pair<matrix<double>, matrix<double>> out{r[table], r[f.net.layer<1>().weight]};
    table.value -= by * U;
    return out;
  };
  const auto plus = gradient_at(eps), minus = gradient_at(-eps);
  const matrix<double> h_table = (plus.first - minus.first) / (2 * eps);
  const matrix<double> h_dense = (plus.second - minus.second) / (2 * eps);
  CHECK_THAT(matrix<double>(h[table]), is_close_to(h_table, 1e-6));
  CHECK_THAT(matrix<double>(h[f.net.layer<1>().weight]), is_close_to(h_dense, 1e-6));
  CHECK(h_table.cwiseAbs().maxCoeff() > 1e-3);
  // Rows no id names have no curvature.
  CHECK(h[table].row(0).isZero(0.0));
}

TEST_CASE("Embedding in float gives the double result", "[embedding][float]") {
  fixture<float> f;
  fixture<double> d;
  auto step = tl::gradient(tl::mse(f.net(f.ids), f.t), f.net);
  auto reference = tl::gradient(tl::mse(d.net(d.ids), d.t), d.net);
  const auto& g = step(tl::feed(f.ids, f.I), tl::feed(f.t, f.T));
  const auto& r = reference(tl::feed(d.ids, d.I), tl::feed(d.t, d.T));
  CHECK(g.loss() == Approx(r.loss()).epsilon(1e-5));
  CHECK_THAT(matrix<float>(g[f.net.layer<0>().table]),
             is_close_to(r[d.net.layer<0>().table].cast<float>().eval(), 1e-5));
  CHECK(g[f.net.layer<0>().table].row(0).isZero(0.0f));
}

TEST_CASE("Embedding: an id outside the table is a run-time error, not a read",
          "[embedding][errors]") {
  fixture<double> f;
  auto step = tl::gradient(tl::mse(f.net(f.ids), f.t), f.net);
  matrix<double> bad = f.I;
  bad(3, 1) = 6;  // the table has rows 0 .. 5
  CHECK_THROWS_AS(step(tl::feed(f.ids, bad), tl::feed(f.t, f.T)), tl::shape_error);
  CHECK_THROWS_WITH(
      step(tl::feed(f.ids, bad), tl::feed(f.t, f.T)),
      Catch::Matchers::Contains("row 3, column 1 is 6") && Catch::Matchers::Contains("[0, 6)"));
  for (const double v : {-1.0, 2.5, std::nan(""), 1e30}) {
    INFO("id " << v);
    bad(3, 1) = v;
    CHECK_THROWS_AS(step(tl::feed(f.ids, bad), tl::feed(f.t, f.T)), tl::shape_error);
  }
  // The program is usable again with good ids.
  CHECK(std::isfinite(step(tl::feed(f.ids, f.I), tl::feed(f.t, f.T)).loss()));
}

TEST_CASE("Embedding: initialised, frozen, trained, computed", "[embedding][train]") {
  net_t<double> net;
  tl::random_engine rng(5);
  tl::initialize(net, rng);
  const auto& E = net.layer<0>().table.value;  // a reference, not a copy
  const double a = std::sqrt(6.0 / (6 + 3));   // Glorot uniform over Vocab x Dim
  CHECK(E.cwiseAbs().maxCoeff() <= a);
  CHECK(E.cwiseAbs().maxCoeff() > a / 2);

  const tl::input<struct ids_tag, double, 2> ids;
  const tl::input<struct t_tag, double, 2> t;
  matrix<double> I(4, 2), T = pattern(4, 2, 2.0);
  I << 0, 1, 2, 3, 4, 5, 1, 0;

  // Frozen: not requested with the model, values unchanged by training.
  tl::model<struct net_tag, double, tl::Frozen<tl::Embedding<6, 3, 2>>, tl::Dense<6, 2, tl::Tanh>>
      frozen;
  frozen.copy_values_from(net);
  auto frozen_step = tl::gradient(tl::mse(frozen(ids), t), frozen);
  STATIC_REQUIRE(!decltype(frozen_step)::computes_gradient_of<decltype(frozen.layer<0>().table)>());
  auto sgd_frozen = tl::make_optimizer(tl::sgd{.learning_rate = 0.5}, frozen);
  sgd_frozen.step(frozen_step(tl::feed(ids, I), tl::feed(t, T)));
  CHECK(frozen.layer<0>().table.value == E);

  // Trainable: the rows used move, the unused one does not.
  matrix<double> J(4, 2);
  J << 0, 1, 2, 3, 4, 1, 1, 0;  // never 5
  auto step = tl::gradient(tl::mse(net(ids), t), net);
  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.5}, net);
  const matrix<double> before = E;
  const double first = step(tl::feed(ids, J), tl::feed(t, T)).loss();
  for (int i = 0; i < 20; ++i) sgd.step(step(tl::feed(ids, J), tl::feed(t, T)));
  CHECK(step(tl::feed(ids, J), tl::feed(t, T)).loss() < first);
  CHECK(E.row(5) == before.row(5));
  CHECK(E.row(0) != before.row(0));

  // A table computed by an expression: 2 E0 from another model's layer,
  // with the gradient reaching it (twice the table's own).
  tl::model<struct base_tag, double, tl::Embedding<6, 3, 2>> base;
  fill_parameters(base, 8.0);
  const auto& E0 = base.layer<0>().table;
  auto computed =
      tl::gradient(tl::mse(net.layer<1>()(net.layer<0>().with_weights(2.0 * E0)(ids)), t), base);
  net.layer<0>().table.value = 2.0 * E0.value;
  auto direct = tl::gradient(tl::mse(net(ids), t), net);
  const auto& gc = computed(tl::feed(ids, J), tl::feed(t, T));
  const auto& gd = direct(tl::feed(ids, J), tl::feed(t, T));
  CHECK(gc.loss() == Approx(gd.loss()).epsilon(1e-14));
  CHECK_THAT(matrix<double>(gc[E0]),
             is_close_to(matrix<double>(2.0 * gd[net.layer<0>().table]), 1e-14));
}
