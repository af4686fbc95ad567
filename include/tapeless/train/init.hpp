#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include <tapeless/activations/relu.hpp>
#include <tapeless/model.hpp>
#include <tapeless/train/random.hpp>

// Parameter initialisation. A weight W (In x Out) is drawn from a
// distribution scaled by its fans (fan_in = In, fan_out = Out); biases start
// at zero. Glorot (Xavier) keeps the variance of activations and gradients
// about equal across layers of tanh or sigmoid units; He doubles the
// variance for ReLU units, of which half are zero.
namespace tapeless {

// Glorot & Bengio (2010): U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
struct glorot_uniform_t {
  double operator()(random_engine& rng, int fan_in, int fan_out) const {
    const double a = std::sqrt(6.0 / (fan_in + fan_out));
    return rng.uniform(-a, a);
  }
};
// Glorot normal: N(0, 2 / (fan_in + fan_out)), not truncated.
struct glorot_normal_t {
  double operator()(random_engine& rng, int fan_in, int fan_out) const {
    return std::sqrt(2.0 / (fan_in + fan_out)) * rng.normal();
  }
};
// He et al. (2015): U(-a, a) with a = sqrt(6 / fan_in).
struct he_uniform_t {
  double operator()(random_engine& rng, int fan_in, int) const {
    const double a = std::sqrt(6.0 / fan_in);
    return rng.uniform(-a, a);
  }
};
// He normal: N(0, 2 / fan_in), not truncated.
struct he_normal_t {
  double operator()(random_engine& rng, int fan_in, int) const {
    return std::sqrt(2.0 / fan_in) * rng.normal();
  }
};

inline constexpr glorot_uniform_t glorot_uniform{};
inline constexpr glorot_normal_t glorot_normal{};
inline constexpr he_uniform_t he_uniform{};
inline constexpr he_normal_t he_normal{};

// What initialize(model, rng) uses for a layer: He uniform before a ReLU,
// Glorot uniform otherwise.
struct by_activation_t {
  template <class Activation>
  static constexpr auto scheme() {
    if constexpr (std::is_same_v<Activation, ReLU>)
      return he_uniform;
    else
      return glorot_uniform;
  }
};
inline constexpr by_activation_t by_activation{};

// Draws every weight of every layer (frozen ones too: initialising is not
// training) in layer order, column by column, and zeroes the biases. The same
// seed gives the same values on every platform.
template <class Tag, class S, class... L, class Scheme>
void initialize(model<Tag, S, L...>& m, Scheme scheme, random_engine& rng) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&](auto& layer) {
          using layer_type = std::remove_cvref_t<decltype(layer)>;
          auto draw = [&] {
            if constexpr (std::is_same_v<Scheme, by_activation_t>)
              return Scheme::template scheme<typename layer_type::activation>();
            else
              return scheme;
          }();
          auto& w = layer.weight.value;
          for (Eigen::Index j = 0; j < w.cols(); ++j)
            for (Eigen::Index i = 0; i < w.rows(); ++i)
              w(i, j) = static_cast<S>(draw(rng, layer_type::in, layer_type::out));
          layer.bias.value.setZero();
        }(m.template layer<I>()),
        ...);
  }(std::index_sequence_for<L...>{});
}

template <class Tag, class S, class... L>
void initialize(model<Tag, S, L...>& m, random_engine& rng) {
  initialize(m, by_activation, rng);
}

}  // namespace tapeless
