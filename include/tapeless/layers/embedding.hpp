#pragma once

#include <cstddef>
#include <tuple>

#include <tapeless/checks.hpp>
#include <tapeless/layers/layer.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/ops/embedding.hpp>

// Embedding<Vocab, Dim, Ids>: a layer added through the Layer concept alone
// (this header and ops/embedding.hpp); nothing in the core names it.
namespace tapeless {

// The table of an embedding layer, Vocab x Dim, trained. tl::initialize
// draws it by fans as a weight (fan_in Vocab, fan_out Dim: Glorot uniform
// gives U(-a, a), a = sqrt(6 / (Vocab + Dim))).
struct embedding_table {
  static constexpr const char* name = "E";
  static constexpr bool trainable = true;
  static constexpr initial init = initial::by_fans;
};

template <class Model, std::size_t Index, class S, int Vocab, int Dim, int Ids, bool Trainable>
struct embedding_layer;

// Looks up integer ids in a table of Vocab rows of Dim trained values:
// `Embedding<1000, 16>` in a model's type takes one id per example (a
// batch x 1 input whose values are 0 .. 999, stored in the model's scalar
// type, as class labels are) and gives its 16 values; `Embedding<1000, 16,
// 4>` takes 4 ids per example and gives their rows side by side (64
// features). An id outside [0, Vocab), or not an integer, is a
// tl::shape_error naming its row and column. Parameter "E" (Vocab x Dim);
// its gradient is added up over the uses of each row (0 for rows not used).
template <int Vocab, int Dim, int Ids = 1>
struct Embedding {
  // Vocab and Dim are the table's sizes, Ids the layer's In: each checked once.
  static_assert(check::enforce<check::layer_sizes_are_positive<Vocab, Dim>>);
  static_assert(check::enforce<check::layer_sizes_are_positive<Ids, 1>>);
  static constexpr int vocab = Vocab > 0 ? Vocab : 1;
  static constexpr int dim = Dim > 0 ? Dim : 1;
  static constexpr int in = Ids > 0 ? Ids : 1;
  static constexpr int out = in * dim;
  static constexpr bool trainable = true;
  using unfrozen = Embedding;
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = embedding_layer<Tag, Index, S, vocab, dim, in, Trainable>;
};

namespace detail {
template <class Id, class S, int Ids, int Dim, Expression X, class E>
constexpr auto apply_embedding(const X& ids, const E& table) {
  if constexpr (contains_poisoned_v<X>)
    return make_expr(ops::embedding<Dim>{}, table, poisoned<S, X::rows, Ids>{});
  else if constexpr (!check::all(
                         check::layer_input_matches<Id, expected<Ids>, found<X::cols>>::check(),
                         check::scalars_match<S, typename X::scalar>::check()))
    return make_expr(ops::embedding<Dim>{}, table, poisoned<S, X::rows, Ids>{});
  else
    return make_expr(ops::embedding<Dim>{}, table, ids);
}
}  // namespace detail

// An embedding whose table is an expression (with_weights).
template <class Id, class S, int Ids, int Dim, class E>
struct computed_embedding {
  E table;
  template <Expression X>
  constexpr auto operator()(const X& ids) const {
    return detail::apply_embedding<Id, S, Ids, Dim>(ids, table);
  }
};

template <class Model, std::size_t Index, class S, int Vocab, int Dim, int Ids, bool Trainable>
struct embedding_layer {
  using scalar = S;
  static constexpr int in = Ids;
  static constexpr int out = Ids * Dim;
  static constexpr bool trainable = Trainable;

  parameter<param<Model, Index, kind_for<embedding_table, Trainable>>, S, Vocab, Dim> table;

  constexpr auto parameters() { return std::tie(table); }
  constexpr auto parameters() const { return std::tie(table); }

  template <Expression X>
  constexpr auto operator()(const X& ids) const {
    return detail::apply_embedding<layer_id<Model, Index>, S, Ids, Dim>(ids, table.ref());
  }

  template <Expression E>
  static constexpr auto with_weights(const E& e) {
    using id = layer_id<Model, Index>;
    using stand_in = computed_embedding<id, S, Ids, Dim, poisoned<S, Vocab, Dim>>;
    if constexpr (contains_poisoned_v<node_t<E>>)
      return stand_in{};
    else if constexpr (!check::all(check::computed_weights_match<id, shape<Vocab, Dim>,
                                                                 shape<E::rows, E::cols>>::check(),
                                   check::scalars_match<S, typename E::scalar>::check()))
      return stand_in{};
    else
      return computed_embedding<id, S, Ids, Dim, node_t<E>>{as_node(e)};
  }
};

}  // namespace tapeless
