#pragma once

// A model seen with PyTorch's names and layouts (docs/weights-formats.md,
// "PyTorch"): what `nn.Sequential(...).state_dict()` holds for the same
// network, so that safetensors and .npz files move weights both ways.
//
//   using net_t = tl::model<struct net, float, tl::Dense<4, 16, tl::ReLU>, tl::Dense<16, 3>>;
//   // PyTorch: nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
//   tl::io::load_safetensors("net.safetensors", tl::io::torch_sequential(net));
//   tl::io::save_safetensors("tuned.safetensors", tl::io::torch_sequential(net));
//
// The mapping, layer by layer in order, k counting nn.Sequential's modules:
//   Dense<In, Out, Act>   nn.Linear(In, Out) at k, then the activation
//                         module at k + 1 unless Act is Identity
//                         W (In x Out)  <->  "k.weight" [Out, In]: transposed
//                         b (1 x Out)   <->  "k.bias"   [Out]
//   LayerNorm<N>          nn.LayerNorm(N) at k (eps 1e-5, PyTorch's default)
//                         g (1 x N)     <->  "k.weight" [N]
//                         b (1 x N)     <->  "k.bias"   [N]
// Activations map to the parameterless modules nn.ReLU, nn.Tanh,
// nn.Sigmoid, nn.LeakyReLU (slope 0.01 for tl::LeakyReLU<>), nn.ELU and
// nn.Softplus, each taking one index. Tapeless computes x W + b, PyTorch
// x A^T + b with A = W^T, hence the transpose; it costs nothing (the
// transposed view of W is in memory exactly PyTorch's row-major A).
// torch_options{.prefix = "net."} names a Sequential held as a submodule.
// Frozen layers map like the others.

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapeless/activations/identity.hpp>
#include <tapeless/io/detail/tensor_files.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/layers/layer_norm.hpp>
#include <tapeless/model.hpp>

namespace tapeless::io {

struct torch_options {
  std::string prefix;  // before every name: "net." for a submodule named net
};

namespace detail {

// How many modules of nn.Sequential a layer takes, 0 if it has no PyTorch
// counterpart here.
template <class L>
inline constexpr std::size_t torch_modules = 0;
template <class M, std::size_t I, class S, int In, int Out, class Act, bool T>
inline constexpr std::size_t torch_modules<dense_layer<M, I, S, In, Out, Act, T>> =
    std::is_same_v<Act, Identity> ? 1 : 2;
template <class M, std::size_t I, class S, int N, bool T>
inline constexpr std::size_t torch_modules<layer_norm_layer<M, I, S, N, T>> = 1;

template <class L>
inline constexpr bool is_dense_layer = false;
template <class M, std::size_t I, class S, int In, int Out, class Act, bool T>
inline constexpr bool is_dense_layer<dense_layer<M, I, S, In, Out, Act, T>> = true;

// Named after its rule, with the culprit as parameter, so that the
// compilers print the layer's type.
template <class Layer, bool Supported>
struct layer_has_torch_counterpart {
  // In a function, as checks.hpp's are: a failed static_assert in the class
  // body would leave it incomplete, a second error (clang++).
  static constexpr bool check() {
    static_assert(Supported,
                  "tapeless: torch_sequential: the layer listed in this check has no PyTorch "
                  "counterpart in io/torch.hpp, which maps Dense and LayerNorm; list its tensors "
                  "under PyTorch's names with a for_each_tensor of your own");
    return Supported;
  }
};

}  // namespace detail

// The view torch_sequential returns: for_each_tensor lists the model's
// tensors under their PyTorch names and shapes (see the top of this file).
template <class Model>
class torch_sequential_view {
  Model& model_;
  torch_options options_;

  template <std::size_t I, class F>
  void visit(std::size_t index, F& f) const {
    using L = std::remove_cvref_t<decltype(model_.template layer<I>())>;
    constexpr bool mapped = detail::torch_modules<L> != 0;
    if constexpr (detail::layer_has_torch_counterpart<L, mapped>::check()) {
      auto& layer = model_.template layer<I>();
      const std::string at = options_.prefix + std::to_string(index) + ".";
      if constexpr (detail::is_dense_layer<L>) {
        f(at + "weight", layer.weight.value.transpose());
        f(at + "bias", as_vector(layer.bias.value));
      } else {
        f(at + "weight", as_vector(layer.gain.value));
        f(at + "bias", as_vector(layer.bias.value));
      }
      if constexpr (I + 1 < Model::depth) visit<I + 1>(index + detail::torch_modules<L>, f);
    }
  }

 public:
  // A view of a const model can be saved, not loaded into.
  static constexpr bool read_only = std::is_const_v<Model>;

  torch_sequential_view(Model& model, torch_options options)
      : model_(model), options_(std::move(options)) {}

  // f(name, tensor) for every tensor: "0.weight" a transposed view of the
  // first Dense layer's W, and so on. Writable unless Model is const.
  template <class F>
  void for_each_tensor(F&& f) const {
    visit<0>(0, f);
  }

  // (tapeless name, PyTorch name) for every parameter, in order: the
  // mapping, to print or check.
  std::vector<std::pair<std::string, std::string>> names() const {
    std::vector<std::string> torch;
    for_each_tensor([&](const std::string& n, auto&&) { torch.push_back(n); });
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t k = 0;
    model_.for_each_tensor([&](const auto& n, auto&&) { out.emplace_back(n, torch[k++]); });
    return out;
  }
};

// `model` with PyTorch's nn.Sequential names and layouts, for
// load_safetensors, save_safetensors, load_npz and save_npz.
template <class Model>
torch_sequential_view<Model> torch_sequential(Model& model, torch_options options = {}) {
  return {model, std::move(options)};
}

}  // namespace tapeless::io
