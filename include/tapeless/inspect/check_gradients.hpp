#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <tapeless/detail/meta.hpp>
#include <tapeless/detail/type_name.hpp>
#include <tapeless/gradient.hpp>
#include <tapeless/graph/request.hpp>

// Gradient checking, for users' own ops, activations and layers as for the
// library's: the gradients a program computes against central finite
// differences of the same loss, parameter by parameter, with a report that
// says how far apart they are and where.
//
//   auto report = tl::check_gradients(loss, tl::wrt(model, v), tl::feed(x, X), tl::feed(v, V));
//   if (!report.passed()) std::puts(report.text().c_str());
//
// In double only: float's rounding would swamp the differences. Every
// parameter of the request is perturbed in place and restored exactly; a
// requested variable's data is copied and the copy perturbed.
namespace tapeless {

struct gradient_check_options {
  double step = 1e-5;       // central differences: error about step^2 and eps / step
  double tolerance = 1e-6;  // largest relative error (max norm) that passes
};

// One parameter or variable: the largest difference between the program's
// gradient and the finite differences, relative to the largest magnitude of
// the latter, and the element where it occurs.
struct gradient_check_entry {
  std::string name;
  double max_relative_error = 0;
  Eigen::Index row = 0, col = 0;
  double computed = 0, numeric = 0;  // at that element
  bool passed = false;
};

struct gradient_check_report {
  std::vector<gradient_check_entry> entries;
  double tolerance = 0;
  bool passed() const {
    return std::all_of(entries.begin(), entries.end(), [](const auto& e) { return e.passed; });
  }
  // One line per entry: "ok   enc.layer0.W  max relative error 3.1e-10 at (2, 1)".
  std::string text() const {
    std::ostringstream out;
    for (const auto& e : entries)
      out << (e.passed ? "ok     " : "FAILED ") << e.name << "  max relative error "
          << e.max_relative_error << " at (" << e.row << ", " << e.col << "): computed "
          << e.computed << ", finite differences " << e.numeric << "\n";
    out << (passed() ? "all within " : "some above ") << tolerance << "\n";
    return out.str();
  }
};

// Central differences of the scalar f() with respect to every element of
// m, which f reads (a parameter's value, or data fed to a variable: feeds
// read in place): each element is perturbed in place and restored exactly.
// Step: the truncation error is about h^2 |f'''| / 6 and the rounding error
// about eps |f| / h; h = 1e-5 keeps both near 1e-10 for values of order one
// in double. The quotient divides by the step actually taken,
// (x + h) - (x - h), which is not exactly 2h in floating point.
template <class F, class M>
Eigen::Matrix<typename M::Scalar, Eigen::Dynamic, Eigen::Dynamic> numeric_gradient(
    F&& f, M& m, double h = 1e-5) {
  using S = typename M::Scalar;
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> out(m.rows(), m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      const S saved = m(i, j), up = saved + S(h), down = saved - S(h);
      m(i, j) = up;
      const S f_up = f();
      m(i, j) = down;
      const S f_down = f();
      m(i, j) = saved;
      out(i, j) = (f_up - f_down) / (up - down);
    }
  return out;
}

namespace detail {

// Compares a computed gradient with central differences of f() over the
// elements of m.
template <class Computed, class M, class F>
gradient_check_entry compare_gradient(std::string name, const Computed& computed, M& m, F& f,
                                      const gradient_check_options& o) {
  const Eigen::MatrixXd numeric = numeric_gradient(f, m, o.step);
  gradient_check_entry e;
  e.name = std::move(name);
  const double scale = std::max(numeric.cwiseAbs().maxCoeff(), 1e-300);
  const Eigen::MatrixXd diff = (computed - numeric).cwiseAbs();
  e.max_relative_error = diff.maxCoeff(&e.row, &e.col) / scale;
  e.computed = computed(e.row, e.col);
  e.numeric = numeric(e.row, e.col);
  e.passed = std::isfinite(e.max_relative_error) && e.max_relative_error <= o.tolerance;
  return e;
}

}  // namespace detail

template <Expression Loss, class... Wrt, class... Leaves>
gradient_check_report check_gradients(const gradient_check_options& options, const Loss& loss,
                                      wrt_t<Wrt...> request, const feed_t<Leaves>&... feeds) {
  using constants = meta::cat_t<
      meta::keep_if<std::is_const_v<Wrt> && !is_input_v<std::remove_cv_t<Wrt>>, Wrt>...>;
  if constexpr (!check::all(
                    check::gradient_check_is_in_double<typename Loss::scalar>::check(),
                    meta::apply<check::checked_objects_are_mutable, constants>::type::check())) {
    return gradient_check_report{};  // after a failed check: its error is reported
  } else {
    // The fed data, copied, so that a requested variable's can be perturbed;
    // the programs read the copies.
    std::array<Eigen::MatrixXd, sizeof...(Leaves)> data{
        Eigen::MatrixXd(Eigen::Map<const Eigen::MatrixXd>(feeds.data, feeds.rows, feeds.cols))...};
    auto run = [&](auto& program) -> decltype(auto) {
      return [&]<std::size_t... I>(std::index_sequence<I...>)->decltype(auto) {
        return program(feed_t<Leaves>{data[I].data(), data[I].rows(), data[I].cols()}...);
      }
      (std::index_sequence_for<Leaves...>{});
    };
    auto step = std::apply([&](auto&... w) { return gradient(loss, w...); }, request.objects);
    auto value = evaluate(loss);
    auto f = [&] { return static_cast<double>(run(value).loss()); };

    gradient_check_report report;
    report.tolerance = options.tolerance;
    auto check = [&](std::string name, const auto& object, Eigen::Ref<Eigen::MatrixXd> values) {
      const Eigen::MatrixXd computed = run(step)[object];
      report.entries.push_back(
          detail::compare_gradient(std::move(name), computed, values, f, options));
    };
    std::apply(
        [&](auto&... w) {
          (
              [&](auto& object) {
                using W = std::remove_cvref_t<decltype(object)>;
                if constexpr (is_input_v<W>) {
                  // A requested variable: its copied data.
                  constexpr std::size_t i = meta::index_of<W, Leaves...>();
                  if constexpr (i != meta::npos)  // else the program's check reports it
                    check(std::string(detail::type_name<typename W::tag>()), object, data[i]);
                } else {
                  // The parameters it stands for, perturbed in place: they were
                  // given to wrt() as modifiable objects.
                  auto each = [&](const auto& p) {
                    using P = std::remove_cvref_t<decltype(p)>;
                    check(p.name(), p, const_cast<P&>(p).value);
                  };
                  detail::for_each_requested(object, each);
                }
              }(w),
              ...);
        },
        request.objects);
    return report;
  }
}

template <Expression Loss, class... Wrt, class... Leaves>
gradient_check_report check_gradients(const Loss& loss, wrt_t<Wrt...> request,
                                      const feed_t<Leaves>&... feeds) {
  return check_gradients(gradient_check_options{}, loss, request, feeds...);
}

}  // namespace tapeless
