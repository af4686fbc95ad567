#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include <tapeless/checks.hpp>
#include <tapeless/detail/meta.hpp>
#include <tapeless/graph/request.hpp>
#include <tapeless/model.hpp>
#include <tapeless/node/identity.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/schedule/program.hpp>

// How an update rule (train/sgd.hpp, train/adam.hpp) is applied: an
// optimizer owns the rule's state for every trainable parameter of the
// models it was made for, allocated once, and a step updates in place the
// parameters whose gradients the program computed, and no others.
//
// A rule is a struct of settings with
//   name                      "adam", the prefix of its checkpoint entries
//   state<Matrix>             its per-parameter state, with a static
//                             visit(state, f) calling f(name, matrix) for
//                             each matrix in it (const or not)
//   constants<S>(t)           what step t shares across parameters
//   update(value, gradient, state, constants)
// and optionally
//   validate()                throws optimizer_setting_error for settings
//                             that would ruin the weights; called when the
//                             optimizer is made and before every step, since
//                             rule() lets the settings change in between
namespace tapeless {

// A setting no update rule can work with: "tapeless: adam: beta2 must be in
// [0, 1); it is 1".
class optimizer_setting_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The largest learning rate accepted: far above any rate that trains, and
// below 1e3, a likely typo for 1e-3.
inline constexpr double max_learning_rate = 100;

namespace detail {

// The checks rules' validate() members make. Each is written so that NaN
// fails it. Only the throw allocates: a step stays allocation-free.
[[noreturn]] inline void refuse_setting(const char* rule, const char* setting,
                                        const std::string& requirement, double value) {
  char shown[32];
  std::snprintf(shown, sizeof shown, "%g", value);
  throw optimizer_setting_error(std::string("tapeless: ") + rule + ": " + setting + " must be " +
                                requirement + "; it is " + shown);
}

inline void check_learning_rate(const char* rule, double lr) {
  if (!(lr >= 0 && lr <= max_learning_rate)) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", max_learning_rate);
    refuse_setting(rule, "learning_rate", std::string("in [0, ") + limit + "]", lr);
  }
}

// Decay factors (momentum, Adam's betas): 1 or more never forgets, or grows.
inline void check_decay_factor(const char* rule, const char* setting, double v) {
  if (!(v >= 0 && v < 1)) refuse_setting(rule, setting, "in [0, 1)", v);
}

inline void check_positive(const char* rule, const char* setting, double v) {
  if (!(v > 0 && v <= std::numeric_limits<double>::max()))
    refuse_setting(rule, setting, "positive and finite", v);
}

inline void check_non_negative(const char* rule, const char* setting, double v) {
  if (!(v >= 0 && v <= std::numeric_limits<double>::max()))
    refuse_setting(rule, setting, "0 or more, and finite", v);
}

template <class Rule>
void validate(const Rule& rule) {
  if constexpr (requires { rule.validate(); }) rule.validate();
}

template <class L>
auto trainable_parameters_of_layer(L& layer) {
  if constexpr (L::trainable)
    return std::apply([](auto&... p) { return std::tuple{&p...}; }, layer.parameters());
  else
    return std::tuple<>{};
}

// Pointers to a model's trainable parameters, layer by layer.
template <class Model>
auto trainable_parameters(Model& m) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::tuple_cat(trainable_parameters_of_layer(m.template layer<I>())...);
  }
  (std::make_index_sequence<Model::depth>{});
}

template <class P>
using id_of_parameter = typename std::remove_pointer_t<P>::id;

// The parameters that occur more than once, as the check that reports them
// (listed at every occurrence after the first).
template <class... P>
struct repeated_parameters {
  template <std::size_t... I>
  static auto repeats(std::index_sequence<I...>) {
    return meta::cat_t<meta::keep_if<
        meta::index_of<id_of_parameter<P>, id_of_parameter<P>...>() != I, id_of_parameter<P>>...>{};
  }
  using type = typename meta::apply<check::optimizer_parameters_are_distinct,
                                    decltype(repeats(std::index_sequence_for<P...>{}))>::type;
};

}  // namespace detail

template <class Rule, class Parameters>
class optimizer;

template <class Rule, class... P>
class optimizer<Rule, std::tuple<P*...>> {
  static_assert(check::enforce<typename detail::repeated_parameters<P...>::type>);

  template <class Param>
  struct entry {
    Param* target;
    typename Rule::template state<typename Param::matrix_type> state;
  };

  Rule rule_;
  std::tuple<entry<P>...> entries_;
  std::int64_t steps_ = 0;

 public:
  optimizer(Rule rule, std::tuple<P*...> targets)
      : rule_(rule),
        entries_(std::apply(
            [](auto*... p) {
              return std::tuple<entry<P>...>{
                  entry<P>{p, Rule::template make_state<typename P::matrix_type>(p->value)}...};
            },
            targets)) {
    detail::validate(rule_);
  }

  // The settings, to read or change between steps (a learning-rate
  // schedule, for example).
  Rule& rule() { return rule_; }
  const Rule& rule() const { return rule_; }
  std::int64_t steps() const { return steps_; }

  // Updates every parameter of this optimizer that the program computed a
  // gradient for, with the gradients of its last run. Parameters of other
  // models in the request are left to their own optimizers; a program none
  // of whose gradients is for this optimizer's parameters does not compile.
  // Allocates nothing. Throws optimizer_setting_error, changing nothing, if
  // a setting was changed through rule() to one the rule refuses.
  template <class Program>
  void step(const Program& g) {
    if constexpr (!check::gradients_are_of_one_loss<schedule::losses_in<Program>>::check()) {
      return;
    } else if constexpr (Program::inert) {
      return;  // after a failed check: its error is reported already
    } else if constexpr (check::gradients_match_optimizer<
                             meta::list<typename P::id...>, typename Program::request_type,
                             (Program::template computes_gradient_of<P>() || ...)>::check()) {
      detail::validate(rule_);
      // All parameters are checked before the first is updated: another
      // object of a requested model type must not be moved by its gradient.
      std::apply([&](const auto&... e) { (check_owner(g, *e.target), ...); }, entries_);
      ++steps_;
      const auto constants = rule_.template constants<typename Program::scalar>(steps_);
      std::apply(
          [&](auto&... e) {
            (
                [&](auto& slot) {  // not `entry`: -Wshadow, the member template
                  using param = std::remove_pointer_t<decltype(slot.target)>;
                  if constexpr (Program::template computes_gradient_of<param>())
                    rule_.update(slot.target->value, g[*slot.target], slot.state, constants);
                }(e),
                ...);
          },
          entries_);
    }
  }

  // Calls f(name, matrix) for every state matrix and the step count: what a
  // checkpoint saves, as "adam.m/encoder.layer0.W" and "adam.step".
  template <class F>
  void for_each_tensor(F&& f) {
    for_each_tensor_of(*this, f);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    for_each_tensor_of(*this, f);
  }

 private:
  template <class Program, class Param>
  static void check_owner(const Program& g, const Param& p) {
    if constexpr (Program::template computes_gradient_of<Param>())
      if (!g.has_gradient_for(p))
        detail::throw_identity_error("optimizer step", &Param::name,
                                     "of this optimizer is another object than the one the "
                                     "gradient was computed for, of the same model type");
  }

  template <class Self, class F>
  static void for_each_tensor_of(Self& self, F& f) {
    std::apply(
        [&](auto&... e) {
          (std::remove_cvref_t<decltype(e.state)>::visit(
               e.state,
               [&](const char* what, auto& m) {
                 f(std::string(Rule::name) + "." + what + "/" + e.target->name(), m);
               }),
           ...);
        },
        self.entries_);
    using count = std::conditional_t<std::is_const_v<Self>, const Eigen::Matrix<std::int64_t, 1, 1>,
                                     Eigen::Matrix<std::int64_t, 1, 1>>;
    f(std::string(Rule::name) + ".step", Eigen::Map<count>(&self.steps_));
  }
};

// An optimizer for the trainable parameters of the given models (frozen
// layers have no state and are never updated):
//
//   auto opt = tl::make_optimizer(tl::adam{.learning_rate = 1e-3}, encoder, head);
//   opt.step(step_program(tl::feed(x, X), tl::feed(t, T)));
template <class Rule, class... Models>
requires(is_model_v<Models>&&...) auto make_optimizer(Rule rule, Models&... models) {
  auto targets = std::tuple_cat(detail::trainable_parameters(models)...);
  return optimizer<Rule, decltype(targets)>(rule, targets);
}

}  // namespace tapeless
