// io/torch.hpp's layer_has_torch_counterpart: torch_sequential of a model
// with a user's layer (a learned per-feature scale, as in
// tests/unit/custom_op.cpp), which io/torch.hpp cannot name in PyTorch's
// terms. The twin has a LayerNorm in its place.

#include <cstddef>
#include <tuple>

#include <tapeless/io/safetensors.hpp>
#include <tapeless/io/torch.hpp>
#include <tapeless/layers/layer_norm.hpp>
#include <tapeless/model.hpp>
#include <tapeless/ops/broadcast_rows.hpp>
#include <tapeless/ops/multiply.hpp>

namespace tl = tapeless;

struct scale_kind {
  static constexpr const char* name = "s";
  static constexpr bool trainable = true;
  static constexpr tl::initial init = tl::initial::ones;
};

template <class S, class Scale>
struct computed_scale {
  Scale s;
  template <tl::Expression X>
  auto operator()(const X& x) const {
    return x * tl::broadcast_rows(s, x);
  }
};

template <class Tag, std::size_t Index, class S, int N, bool Trainable>
struct scale_layer {
  using scalar = S;
  static constexpr int in = N;
  static constexpr int out = N;
  static constexpr bool trainable = Trainable;
  tl::parameter<tl::param<Tag, Index, tl::kind_for<scale_kind, Trainable>>, S, 1, N> s;

  auto parameters() { return std::tie(s); }
  auto parameters() const { return std::tie(s); }
  template <tl::Expression X>
  auto operator()(const X& x) const {
    return computed_scale<S, decltype(s.ref())>{s.ref()}(x);
  }
  template <tl::Expression E>
  static auto with_weights(const E& e) {
    return computed_scale<S, tl::node_t<E>>{tl::as_node(e)};
  }
};

template <int N>
struct Scale {
  static constexpr int in = N;
  static constexpr int out = N;
  static constexpr bool trainable = true;
  using unfrozen = Scale;
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = scale_layer<Tag, Index, S, N, Trainable>;
};

#ifdef TAPELESS_EXPECT_FAIL
using net_t = tl::model<struct net, float, tl::Dense<2, 3>, Scale<3>>;
#else
using net_t = tl::model<struct net, float, tl::Dense<2, 3>, tl::LayerNorm<3>>;
#endif

int main() {
  net_t net;
  tl::io::save_safetensors("never_written.safetensors", tl::io::torch_sequential(net));
}
