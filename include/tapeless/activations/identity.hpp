#pragma once

#include <tapeless/ops/activate.hpp>

namespace tapeless {

// f(x) = x. A Dense layer with it is affine; no node is made for it.
struct Identity {
  static constexpr std::string_view name = "identity";
  static constexpr bool is_identity = true;
  template <class X>
  static auto apply(const X& x) {
    return x;
  }
};

template <Expression X>
constexpr node_t<X> identity(const X& x) {
  return as_node(x);
}

}  // namespace tapeless
