#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless::ops {

// Rows of a table E (V x D) looked up by integer ids: for the K ids of each
// row r of `ids` (batch x K, ids stored in the scalar type, as class labels
// are), y(r, k D .. k D + D - 1) = E(ids(r, k), :).
// dE(v, :) = the sum of g(r, k D ..) over every (r, k) with ids(r, k) = v
// (a scatter-add: an id used twice adds both), 0 for rows no id names; the
// ids receive no gradient.
// The scatter needs a whole V x D matrix before it can go to E's sink (a
// sink takes each row at most once, and one id may repeat): the op's
// scratch, with E's rows and D columns, is that matrix, storage of the
// program, so a step allocates nothing. Dim is D (the scratch's width is a
// constant of the op).
template <int Dim>
struct embedding {
  static constexpr std::string_view name = "Embedding";
  static constexpr bool differentiable(std::size_t operand) { return operand == 0; }

  struct shape_rule {
    template <class E, class Ids>
    struct of {
      static constexpr int rows = Ids::rows;
      static constexpr int cols = Ids::cols * Dim;
    };
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index, Eigen::Index ids) {
      return ids;
    }
  };
  static constexpr int scratch_cols = Dim;

  // The row of E that ids(r, k) names, checked: an integer in [0, V).
  // A wrong id is data, so it is a run-time error (tl::shape_error, as for
  // class labels), never an out-of-bounds read.
  template <class Ids>
  static Eigen::Index id_at(const Ids& ids, Eigen::Index r, Eigen::Index k, Eigen::Index vocab) {
    const auto v = ids(r, k);
    if (!detail::is_index_below(v, vocab))
      throw shape_error("tapeless: Embedding: the id in row " + std::to_string(r) + ", column " +
                        std::to_string(k) + " is " + std::to_string(v) +
                        ", not a row index of the table in [0, " + std::to_string(vocab) + ")");
    return static_cast<Eigen::Index>(v);
  }

  template <class Y, class Scratch, class E, class Ids>
  void forward(Y& y, Scratch&, const E& table, const Ids& ids) const {
    const Eigen::Index d = table.cols();
    for (Eigen::Index k = 0; k < ids.cols(); ++k)
      for (Eigen::Index r = 0; r < ids.rows(); ++r)
        y.block(r, k * d, 1, d) = table.row(id_at(ids, r, k, table.rows()));
  }
  template <class G, class Y, class Scratch, class E, class Ids, class SE, class SI>
  void backward(G& g, const Y&, Scratch& scatter, const E& table, const Ids& ids, SE se, SI) const {
    if constexpr (SE::active) {
      const Eigen::Index d = table.cols();
      scatter.setZero();
      // The ids were checked by the forward pass of this run.
      for (Eigen::Index k = 0; k < ids.cols(); ++k)
        for (Eigen::Index r = 0; r < ids.rows(); ++r)
          scatter.row(static_cast<Eigen::Index>(ids(r, k))) += g.block(r, k * d, 1, d);
      se(scatter);
    }
  }
  // For tl::grad: the pullback to the table is the scatter as an op.
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g);
};

// embedding's pullback to its table as an op, for gradients that are
// expressions: y (V x D) = the rows of g (batch x K D) added up at the ids,
// as embedding::backward computes them; the ids receive no gradient.
// It is linear in g, and its pullback is the lookup again:
// dg(r, k D ..) = a(ids(r, k), :), so second derivatives through an
// embedding are expressions too.
template <int Vocab, int Dim>
struct embedding_scatter {
  static constexpr std::string_view name = "Embedding (scatter)";
  static constexpr bool differentiable(std::size_t operand) { return operand == 0; }

  struct shape_rule {
    template <class G, class Ids>
    struct of {
      static constexpr int rows = Vocab;
      static constexpr int cols = Dim;
    };
    static Eigen::Index runtime_rows(std::string_view op, Eigen::Index g, Eigen::Index ids) {
      shape_rules::elementwise::runtime_rows(op, g, ids);
      return Vocab;
    }
  };

  template <class Y, class G, class Ids>
  void forward(Y& y, const G& g, const Ids& ids) const {
    y.setZero();
    for (Eigen::Index k = 0; k < ids.cols(); ++k)
      for (Eigen::Index r = 0; r < ids.rows(); ++r)
        y.row(embedding<Dim>::id_at(ids, r, k, Vocab)) += g.block(r, k * Dim, 1, Dim);
  }
  template <class A, class Y, class G, class Ids, class SG, class SI>
  void backward(A& a, const Y&, const G&, const Ids& ids, SG sg, SI) const {
    if constexpr (SG::active)
      for (Eigen::Index r = 0; r < ids.rows(); ++r)
        for (Eigen::Index k = 0; k < ids.cols(); ++k)
          sg.row(r).cols(k * Dim, Dim)(a.row(static_cast<Eigen::Index>(ids(r, k))));
  }
  template <std::size_t, class Y, class A>
  static constexpr auto vjp(const Y& y, const A& a) {
    return make_expr(embedding<Dim>{}, a, tapeless::get<1>(y.children));
  }
};

template <int Dim>
template <std::size_t, class Y, class G>
constexpr auto embedding<Dim>::vjp(const Y& y, const G& g) {
  return make_expr(embedding_scatter<operand_t<0, Y>::rows, Dim>{}, g,
                   tapeless::get<1>(y.children));
}

}  // namespace tapeless::ops
