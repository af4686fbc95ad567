#pragma once

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = a + b;  da = g, db = g.
struct add {
  static constexpr std::string_view name = "operator+";
  using shape_rule = shape_rules::elementwise;

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    y = a + b;
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A&, const B&, SA sa, SB sb) const {
    sa(g);
    sb(g);
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y&, const G& g) {
    return g;
  }
};

}  // namespace ops

template <Expression A, Expression B>
constexpr auto operator+(const A& a, const B& b) {
  return detail::elementwise<ops::add>(a, b);
}

}  // namespace tapeless
