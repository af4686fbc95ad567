#pragma once

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>

namespace tapeless {
namespace ops {

// y = a - b;  da = g, db = -g.
struct subtract {
  static constexpr std::string_view name = "operator-";
  using shape_rule = shape_rules::elementwise;

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    y = a - b;
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A&, const B&, SA sa, SB sb) const {
    sa(g);
    sb(-g);
  }
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y&, const G& g) {
    if constexpr (J == 0)
      return g;
    else
      return affine_of<std::ratio<-1>>(g);
  }
};

}  // namespace ops

template <Expression A, Expression B>
constexpr auto operator-(const A& a, const B& b) {
  return detail::elementwise<ops::subtract>(a, b);
}

}  // namespace tapeless
