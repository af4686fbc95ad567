// Hand-written forward and backward passes with Eigen: the reference the
// library must match. What a careful person writes for a network whose
// sizes are known: one buffer per layer output and per adjoint, allocated
// once, fixed-size where a matrix is small (up to 16 KiB, the bound tapeless
// uses too) and dynamic-size otherwise; products with `.noalias()`,
// activations and their derivatives in place; nothing allocated in a step
// except what Eigen's own GEMM takes for its packing buffers on large
// products.
//
// `Fixed = false` makes every matrix dynamic-size (the plain MatrixXf
// version), for comparison.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "problems.hpp"

namespace bench::hand {

inline constexpr long fixed_limit_bytes = 16 * 1024;

template <class S, int R, int C, bool Fixed>
using mat =
    std::conditional_t<Fixed&& static_cast<long>(R) * C* static_cast<long>(sizeof(S)) <=
                           fixed_limit_bytes,
                       Eigen::Matrix<S, R, C>, Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>>;

template <class M>
M sized(Eigen::Index r, Eigen::Index c) {
  M m;
  m.resize(r, c);
  return m;
}

struct none {};
template <bool B, class T>
using maybe = std::conditional_t<B, T, none>;

template <class... L, class... M>
layers<L..., M...> join(layers<L...>, layers<M...>);
template <std::size_t I, class... L>
using nth = std::tuple_element_t<I, std::tuple<L...>>;
template <std::size_t I, class Ls>
struct layer_at;
template <std::size_t I, class... L>
struct layer_at<I, layers<L...>> {
  using type = nth<I, L...>;
};

template <class S, class L, bool Fixed>
struct dense_params {
  mat<S, L::in, L::out, Fixed> w = sized<mat<S, L::in, L::out, Fixed>>(L::in, L::out);
  mat<S, 1, L::out, Fixed> b = sized<mat<S, 1, L::out, Fixed>>(1, L::out);
};

// Per layer: its output (pre-activation, then activation, in place), the
// adjoint of its output if the reverse sweep reaches it (overwritten by
// the adjoint of the pre-activation), and its parameters' gradients if
// requested.
template <class S, int Batch, class L, bool Grad, bool Fixed>
struct dense_buffers {
  using out_t = mat<S, Batch, L::out, Fixed>;
  out_t h;
  [[no_unique_address]] maybe<Grad, out_t> g;
  [[no_unique_address]] maybe<Grad, mat<S, L::in, L::out, Fixed>> dw;
  [[no_unique_address]] maybe<Grad, mat<S, 1, L::out, Fixed>> db;

  explicit dense_buffers(Eigen::Index rows)
      : h(sized<out_t>(rows, L::out)),
        g(init<out_t>(rows, L::out)),
        dw(init<mat<S, L::in, L::out, Fixed>>(L::in, L::out)),
        db(init<mat<S, 1, L::out, Fixed>>(1, L::out)) {}

  template <class M>
  static maybe<Grad, M> init(Eigen::Index r, Eigen::Index c) {
    if constexpr (Grad)
      return sized<M>(r, c);
    else
      return {};
  }
};

template <act A, class M>
void activate(M& h) {
  using S = typename M::Scalar;
  if constexpr (A == act::tanh) h.array() = h.array().tanh();
  if constexpr (A == act::relu) h.array() = h.array().max(S(0));
}
// g *= f'(pre-activation), from the activation's output h.
template <act A, class H, class G>
void pull_back(const H& h, G& g) {
  using S = typename H::Scalar;
  if constexpr (A == act::tanh) g.array() *= S(1) - h.array().square();
  if constexpr (A == act::relu) g.array() *= (h.array() > S(0)).template cast<S>();
}

template <class P, class S, bool Fixed = true>
struct network {
  using all = decltype(join(typename P::b_layers{}, typename P::a_layers{}));
  static constexpr std::size_t n = all::size;
  static constexpr std::size_t first = P::request == wrt::both ? 0 : P::b_layers::size;
  static constexpr int batch = P::batch;
  template <std::size_t I>
  using layer = typename layer_at<I, all>::type;
  static constexpr int in = layer<0>::in;
  static constexpr int out = layer<n - 1>::out;

  template <class Seq>
  struct types;
  template <std::size_t... I>
  struct types<std::index_sequence<I...>> {
    using params = std::tuple<dense_params<S, layer<I>, Fixed>...>;
    using buffers = std::tuple<dense_buffers<S, batch, layer<I>, (I >= first), Fixed>...>;
  };
  using seq = std::make_index_sequence<n>;

  // The models' parameters.
  struct params {
    typename types<seq>::params p;
    void set(const problem_data& d) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((std::get<I>(p).w = d.weights[I].cast<S>(), std::get<I>(p).b = d.biases[I].cast<S>()),
         ...);
      }
      (seq{});
    }
  };

  // Everything one gradient step writes.
  // `rows`: the batch, where it is known only at run time (Batch is
  // Eigen::Dynamic).
  struct workspace {
    Eigen::Index rows;
    typename types<seq>::buffers buf;
    S loss = 0;

    explicit workspace(Eigen::Index r = batch) : rows(r), buf(make(r, seq{})) {}
    template <std::size_t... I>
    static typename types<seq>::buffers make(Eigen::Index r, std::index_sequence<I...>) {
      return {std::tuple_element_t<I, typename types<seq>::buffers>(r)...};
    }

    template <std::size_t I, class X>
    decltype(auto) input_of(const X& x) const {
      if constexpr (I == 0)
        return (x);
      else
        return (std::get<I - 1>(buf).h);
    }

    template <std::size_t I, class X>
    void forward(const params& m, const X& x) {
      auto& l = std::get<I>(buf);
      const auto& p = std::get<I>(m.p);
      l.h.noalias() = input_of<I>(x) * p.w;
      l.h.rowwise() += p.b.row(0);
      activate<layer<I>::activation>(l.h);
    }

    template <std::size_t I, class X>
    void backward(const params& m, const X& x) {
      if constexpr (I >= first) {
        auto& l = std::get<I>(buf);
        pull_back<layer<I>::activation>(l.h, l.g);
        l.dw.noalias() = input_of<I>(x).transpose() * l.g;
        l.db = l.g.colwise().sum();
        if constexpr (I > first)
          std::get<I - 1>(buf).g.noalias() = l.g * std::get<I>(m.p).w.transpose();
      }
    }

    void run(const params& m, const S* x_data, const S* t_data) {
      using x_t = Eigen::Map<const mat<S, batch, in, Fixed>>;
      using t_t = Eigen::Map<const mat<S, batch, out, Fixed>>;
      const x_t x(x_data, rows, in);
      const t_t t(t_data, rows, out);
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (forward<I>(m, x), ...);
        auto& last = std::get<n - 1>(buf);
        const S count = static_cast<S>(rows * out);
        last.g = last.h - t;
        loss = last.g.squaredNorm() / count;
        const S scale = S(2) / count;
        last.g *= scale;
        (backward<n - 1 - I>(m, x), ...);
      }
      (seq{});
    }

    gradients read() const {
      gradients r;
      r.loss = static_cast<double>(loss);
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
              if constexpr (I >= first) {
                r.g.push_back(std::get<I>(buf).dw.template cast<double>());
                r.g.push_back(std::get<I>(buf).db.template cast<double>());
              }
            }(),
            ...);
      }
      (seq{});
      return r;
    }
  };
};

}  // namespace bench::hand
