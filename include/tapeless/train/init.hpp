#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include <tapeless/activations/identity.hpp>
#include <tapeless/activations/relu.hpp>
#include <tapeless/layers/layer.hpp>
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

namespace detail {
template <class Layer>
auto activation_of() {
  if constexpr (requires { typename Layer::activation; })
    return typename Layer::activation{};
  else
    return Identity{};
}
}  // namespace detail

// Sets every parameter of every layer (frozen ones too: initialising is not
// training) in layer order, as its kind says (node/parameter.hpp): a kind
// initialised by fans (a weight, rows in and columns out) is drawn from the
// scheme column by column; the others are set to zeros (biases) or ones
// (gains). by_activation picks the scheme from the layer's activation, if
// it has one. The same seed gives the same values on every platform.
template <class Tag, class S, class... L, class Scheme>
void initialize(model<Tag, S, L...>& m, Scheme scheme, random_engine& rng) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&](auto& layer) {
          using layer_type = std::remove_cvref_t<decltype(layer)>;
          auto draw = [&] {
            if constexpr (std::is_same_v<Scheme, by_activation_t>)
              return Scheme::template scheme<decltype(detail::activation_of<layer_type>())>();
            else
              return scheme;
          }();
          for_each_parameter_of(layer, [&](auto& p) {
            auto& v = p.value;
            using kind = typename std::remove_cvref_t<decltype(p)>::id::kind;
            if constexpr (kind::init == initial::by_fans) {
              const auto fan_in = static_cast<int>(v.rows()), fan_out = static_cast<int>(v.cols());
              for (Eigen::Index j = 0; j < v.cols(); ++j)
                for (Eigen::Index i = 0; i < v.rows(); ++i)
                  v(i, j) = static_cast<S>(draw(rng, fan_in, fan_out));
            } else if constexpr (kind::init == initial::zeros) {
              v.setZero();
            } else {
              v.setOnes();
            }
          });
        }(m.template layer<I>()),
        ...);
  }
  (std::index_sequence_for<L...>{});
}

template <class Tag, class S, class... L>
void initialize(model<Tag, S, L...>& m, random_engine& rng) {
  initialize(m, by_activation, rng);
}

}  // namespace tapeless
