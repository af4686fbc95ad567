#pragma once

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = a * b elementwise (Hadamard);  da = g * b, db = g * a.
struct multiply {
  static constexpr std::string_view name = "operator*";
  using shape_rule = shape_rules::elementwise;

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    y.array() = a.array() * b.array();
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A& a, const B& b, SA sa, SB sb) const {
    sa(g.array() * b.array());
    sb(g.array() * a.array());
  }
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(multiply{}, g, tapeless::get<1 - J>(y.children));
  }
};

}  // namespace ops

template <Expression A, Expression B>
constexpr auto operator*(const A& a, const B& b) {
  return detail::elementwise<ops::multiply>(a, b);
}

}  // namespace tapeless
