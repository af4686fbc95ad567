// Regression with the mean squared error: Fisher's iris measurements,
// predicting a flower's petal width from its sepal length, sepal width and
// petal length. One model, Dense(3 -> 16, tanh), Dense(16 -> 1), trained
// with AdamW on standardised inputs; the report compares its test error
// with the baseline that always predicts the training mean (R^2).
//
//   regression [--epochs N] [--expect R2]
//
// Data: examples/data/iris.csv (Fisher 1936; attribution in
// examples/data/README.md).

#include <cmath>
#include <cstdio>

#include <tapeless/tapeless.hpp>

#include "datasets.hpp"

namespace tl = tapeless;
using examples::matrix;

using model_t =
    tl::model<struct iris_regressor, float, tl::Dense<3, 16, tl::Tanh>, tl::Dense<16, 1>>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 200, .expect = 0.9});

  // 150 rows: sepal length, sepal width, petal length, petal width, class.
  const matrix table =
      tl::io::read_csv<float>(examples::data_file("iris.csv"), {.skip_header_lines = 1});
  const auto order = examples::permutation(table.rows(), /*seed=*/2026);
  const Eigen::Index n_train = 120, n_test = table.rows() - n_train;
  matrix train_x(n_train, 3), train_y(n_train, 1), test_x(n_test, 3), test_y(n_test, 1);
  for (Eigen::Index i = 0; i < table.rows(); ++i) {
    const auto row = table.row(order[std::size_t(i)]);
    if (i < n_train) {
      train_x.row(i) = row.head(3);
      train_y(i) = row(3);
    } else {
      test_x.row(i - n_train) = row.head(3);
      test_y(i - n_train) = row(3);
    }
  }
  // Standardise the inputs with the training set's mean and spread.
  const Eigen::RowVector3f mean = train_x.colwise().mean();
  const Eigen::RowVector3f sd =
      ((train_x.rowwise() - mean).array().square().colwise().mean()).sqrt();
  for (matrix* m : {&train_x, &test_x})
    *m = ((m->rowwise() - mean).array().rowwise() / sd.array()).matrix();

  model_t model;
  tl::random_engine rng(5);
  tl::initialize(model, rng);
  const tl::input<struct measurements, float, 3> x;
  const tl::input<struct petal_width, float, 1> y;
  auto step = tl::gradient(tl::mse(model(x), y), model);
  auto predict = tl::evaluate(model(x));
  auto adamw = tl::make_optimizer(tl::adamw{.learning_rate = 0.01, .weight_decay = 1e-4}, model);

  tl::batches batches(n_train, 16);
  tl::batch_buffer<float> xb(16, 3), yb(16, 1);
  const float baseline_mse = (test_y.array() - train_y.mean()).square().mean();
  float test_mse = 0;
  const auto start = examples::clock::now();
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    batches.shuffle(rng);
    for (Eigen::Index b = 0; b < batches.count(); ++b)
      adamw.step(step(tl::feed(x, xb.gather(train_x, batches[b])),
                      tl::feed(y, yb.gather(train_y, batches[b]))));
    if (epoch % 40 == 0 || epoch == opt.epochs) {
      test_mse = (predict(tl::feed(x, test_x)).value() - test_y).array().square().mean();
      std::printf("epoch %3d  test RMSE %.3f cm  R^2 %.3f\n", epoch, std::sqrt(test_mse),
                  1 - test_mse / baseline_mse);
    }
  }
  const double r2 = 1 - test_mse / baseline_mse;
  std::printf("trained in %.3f s; predicting the mean gives RMSE %.3f cm, the model %.3f cm\n",
              examples::seconds_since(start), std::sqrt(baseline_mse), std::sqrt(test_mse));
  if (r2 < opt.expect) {
    std::printf("FAILED: R^2 %.3f below %.3f\n", r2, opt.expect);
    return 1;
  }
}
