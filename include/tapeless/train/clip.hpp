#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/detail/meta.hpp>
#include <tapeless/model.hpp>
#include <tapeless/node/identity.hpp>
#include <tapeless/schedule/program.hpp>
#include <tapeless/train/optimizer.hpp>

// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_, Keras'
// global_clipnorm): the gradients a program computed for the trainable
// parameters of the given models are treated as one vector; if its
// Euclidean norm exceeds max_norm, every one of them is scaled in place by
// max_norm / norm, so the update keeps its direction.
//
//   step(tl::feed(x, X), tl::feed(t, T));
//   const double norm = tl::clip_grad_norm(step, 1.0, enc, head);   // before clipping
//   adam.step(step);
//
// Parameters of the models that the program computed no gradient for are
// left out, as PyTorch leaves out parameters whose .grad is None; gradients
// with respect to variables (inputs) are neither counted nor scaled. Models
// none of whose parameters has a gradient in the program do not compile
// (check::gradients_match_clipped_models): clipping would do nothing.
namespace tapeless {

namespace detail {

// The check that some of the parameters have a gradient in the program:
// clipping none of them would be a silent no-op (the GAN mix-up of models).
template <class Program, class Parameters>
struct clip_targets;
template <class Program, class... P>
struct clip_targets<Program, std::tuple<P*...>> {
  using rule =
      check::gradients_match_clipped_models<meta::list<typename P::id...>,
                                            typename Program::request_type,
                                            (Program::template computes_gradient_of<P>() || ...)>;
};

// Calls f(parameter) for each trainable parameter of the models whose
// gradient the program computes, once even if a model is passed twice (its
// gradients would otherwise count twice in the norm and be scaled twice).
template <class Program, class F, class... P>
void for_each_computed_gradient_of(F& f, const std::tuple<P*...>& targets) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using param = std::tuple_element_t<I, std::tuple<P...>>;
          if constexpr (meta::index_of<typename param::id, typename P::id...>() == I &&
                        Program::template computes_gradient_of<param>())
            f(*std::get<I>(targets));
        }(),
        ...);
  }
  (std::index_sequence_for<P...>{});
}

template <class Program, class F, class... Models>
void for_each_computed_gradient(F&& f, Models&... models) {
  for_each_computed_gradient_of<Program>(f, std::tuple_cat(trainable_parameters(models)...));
}

}  // namespace detail

// Scales the gradients as above and returns their global norm before
// clipping, in double (float gradients are summed in double: no overflow).
// A gradient that is not finite makes the norm NaN (if any element is NaN)
// or infinity, and then nothing is scaled: scaling by max_norm / inf would
// silently zero the step, scaling by NaN would spread it to every gradient.
// The caller decides (skip the step, tl::rollback_guard). Finite gradients
// whose squares overflow in double still get their finite norm. Throws
// optimizer_setting_error for a max_norm that is not positive and finite,
// and identity_error, changing nothing, for a model object other than the
// one the gradient was requested for. Allocates nothing.
template <class Program, class... Models>
requires(sizeof...(Models) > 0 &&
         (is_model_v<Models> && ...)) double clip_grad_norm(Program& g, double max_norm,
                                                            Models&... models) {
  detail::check_positive("clip_grad_norm", "max_norm", max_norm);
  using targets = decltype(std::tuple_cat(detail::trainable_parameters(models)...));
  if constexpr (!check::gradients_are_of_one_loss<
                    schedule::losses_in<std::remove_cv_t<Program>>>::check()) {
    return 0;
  } else if constexpr (Program::inert) {
    return 0;  // after a failed check: its error is reported already
  } else if constexpr (!detail::clip_targets<Program, targets>::rule::check()) {
    return 0;
  } else {
    // Every object checked before anything is read or scaled.
    detail::for_each_computed_gradient<Program>(
        [&](const auto& p) {
          if (!g.has_gradient_for(p))
            detail::throw_identity_error("clip_grad_norm", &std::remove_cvref_t<decltype(p)>::name,
                                         "belongs to another object than the one the gradient "
                                         "was computed for, of the same model type");
        },
        models...);

    double squares = 0;
    detail::for_each_computed_gradient<Program>(
        [&](const auto& p) { squares += g[p].template cast<double>().squaredNorm(); }, models...);
    double norm = std::sqrt(squares);
    if (!std::isfinite(norm)) {
      // A NaN anywhere made the sum NaN, an infinity (and no NaN) made it inf.
      bool finite = true;
      double largest = 0;
      detail::for_each_computed_gradient<Program>(
          [&](const auto& p) {
            const auto& m = g[p];
            finite = finite && m.allFinite();
            if (m.size() > 0)
              largest = std::max(largest, m.template cast<double>().cwiseAbs().maxCoeff());
          },
          models...);
      if (!finite) return norm;
      // Finite, but the squares overflowed: the norm of g / largest, scaled back.
      double scaled = 0;
      detail::for_each_computed_gradient<Program>(
          [&](const auto& p) { scaled += (g[p].template cast<double>() / largest).squaredNorm(); },
          models...);
      norm = largest * std::sqrt(scaled);
    }
    if (norm > max_norm) {
      const double factor = max_norm / norm;
      detail::for_each_computed_gradient<Program>(
          [&](const auto& p) {
            // The program's own storage, which it hands out read-only; g is
            // not const, so neither is the matrix behind the reference.
            auto& m = const_cast<std::remove_cvref_t<decltype(g[p])>&>(g[p]);
            m *= static_cast<typename Program::scalar>(factor);
          },
          models...);
    }
    return norm;
  }
}

}  // namespace tapeless
