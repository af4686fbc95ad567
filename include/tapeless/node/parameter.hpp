#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

#include <tapeless/detail/type_name.hpp>
#include <tapeless/kernels/storage.hpp>

namespace tapeless {

// How tl::initialize sets a parameter of a kind: drawn from a distribution
// scaled by its fans (rows in, columns out: a weight), or constant.
enum class initial { by_fans, zeros, ones };

// A parameter kind: its short name ("W" in "encoder.layer0.W"), whether it
// is trained and how it is initialised. Each layer declares its kinds;
// these two are a Dense layer's.
struct weight {
  static constexpr const char* name = "W";
  static constexpr bool trainable = true;
  static constexpr initial init = initial::by_fans;
};
struct bias {
  static constexpr const char* name = "b";
  static constexpr bool trainable = true;
  static constexpr initial init = initial::zeros;
};

// The kind of a parameter of a frozen layer (users write Frozen<...>, see
// layers/layer.hpp): read by the forward pass, never differentiated. Being
// part of the identity, it is printed in diagnostics:
// `param<enc, 0, tapeless::frozen<tapeless::weight>>`. The name stays, so a
// checkpoint of the trainable model loads into the frozen one.
template <class Kind>
struct frozen {
  static constexpr const char* name = Kind::name;
  static constexpr bool trainable = false;
  static constexpr initial init = Kind::init;
};

// A layer's kind for its trainability: `Kind`, or frozen<Kind>.
template <class Kind, bool Trainable>
using kind_for = std::conditional_t<Trainable, Kind, frozen<Kind>>;

// The identity of one parameter: model tag, layer index, kind. Diagnostics
// name a parameter by this type, e.g. `tapeless::param<c, 0, tapeless::weight>`.
template <class Model, std::size_t Layer, class Kind>
struct param {
  using model = Model;
  static constexpr std::size_t layer = Layer;
  using kind = Kind;
  static constexpr bool trainable = Kind::trainable;

  // "c.layer0.W": the model's name, the layer index and W or b.
  static std::string name() { return layer_name() + "." + Kind::name; }
  // "c.layer0": the layer's.
  static std::string layer_name() {
    return std::string(detail::type_name<Model>()) + ".layer" + std::to_string(Layer);
  }
};

template <class Id, class S, int R, int C>
struct parameter_ref;

// A trainable matrix owned by a model's layer. Its storage never moves while
// the model lives; expressions refer to it through `parameter_ref`.
// In an expression it stands for `ref()` (see as_node in node/expr.hpp):
// `loss + 1e-4 * tl::sum(tl::square(layer.weight))`.
template <class Id, class S, int R, int C>
struct parameter {
  using tapeless_node = void;
  using id = Id;
  using scalar = S;
  static constexpr int rows = R;
  static constexpr int cols = C;
  using matrix_type = kernels::matrix<S, R, C>;

  matrix_type value = matrix_type::Zero(R, C);

  static std::string name() { return Id::name(); }
  parameter_ref<Id, S, R, C> ref() const { return {this}; }
};

// The leaf of an expression that reads a parameter. Its node identity is the
// parameter's `Id`; the pointer is checked to agree across the graph when a
// program is built.
template <class Id, class S, int R, int C>
struct parameter_ref {
  using tapeless_node = void;
  using id = Id;
  using scalar = S;
  static constexpr int rows = R;
  static constexpr int cols = C;

  const parameter<Id, S, R, C>* target;

  const auto& value() const { return target->value; }
  static std::string name() { return Id::name(); }
};

template <class T>
inline constexpr bool is_parameter_ref_v = false;
template <class Id, class S, int R, int C>
inline constexpr bool is_parameter_ref_v<parameter_ref<Id, S, R, C>> = true;

}  // namespace tapeless
