// PyTorch's names and layouts for a model (io/torch.hpp): the documented
// mapping to nn.Sequential's state_dict, the transpose of Dense weights in
// both directions, and loads refused by PyTorch's shapes. The same files
// against PyTorch itself: tests/interop/torch_sequential.py.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <tapeless/activations/relu.hpp>
#include <tapeless/activations/tanh.hpp>
#include <tapeless/io/npy.hpp>
#include <tapeless/io/safetensors.hpp>
#include <tapeless/io/torch.hpp>
#include <tapeless/layers/layer_norm.hpp>
#include <tapeless/model.hpp>

#include "scratch_dir.hpp"
#include "weights_io_support.hpp"

namespace tl = tapeless;
namespace fs = std::filesystem;
using namespace tapeless_test;

namespace {

// nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.LayerNorm(5), nn.Linear(5, 4),
//               nn.Linear(4, 2), nn.Tanh())
using net_t = tl::model<struct net, float, tl::Dense<3, 5, tl::ReLU>, tl::LayerNorm<5>,
                        tl::Dense<5, 4>, tl::Frozen<tl::Dense<4, 2, tl::Tanh>>>;

struct dir : scratch_dir {
  dir() : scratch_dir("torch-names") {}
};

// Tensors under PyTorch's names and shapes, as a state_dict holds them
// (row-major, as torch.Tensor.numpy() gives them).
struct state_dict {
  Eigen::Matrix<float, 5, 3, Eigen::RowMajor> w0;
  Eigen::Matrix<float, 1, 5> b0, g2, b2;
  Eigen::Matrix<float, 4, 5, Eigen::RowMajor> w3;
  Eigen::Matrix<float, 1, 4> b3;
  Eigen::Matrix<float, 2, 4, Eigen::RowMajor> w4;
  Eigen::Matrix<float, 1, 2> b4;

  template <class Self, class F>
  static void each(Self& s, F& f) {
    f(std::string("0.weight"), s.w0);
    f(std::string("0.bias"), tl::io::as_vector(s.b0));
    f(std::string("2.weight"), tl::io::as_vector(s.g2));
    f(std::string("2.bias"), tl::io::as_vector(s.b2));
    f(std::string("3.weight"), s.w3);
    f(std::string("3.bias"), tl::io::as_vector(s.b3));
    f(std::string("4.weight"), s.w4);
    f(std::string("4.bias"), tl::io::as_vector(s.b4));
  }
  template <class F>
  void for_each_tensor(F&& f) {
    each(*this, f);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    each(*this, f);
  }
};

// net_t under PyTorch's names, but the first weight not transposed.
struct untransposed {
  net_t& n;
  template <class F>
  void for_each_tensor(F&& f) const {
    tl::io::torch_sequential(n).for_each_tensor([&](const std::string& name, auto&& t) {
      if (name == "0.weight")
        f(name, n.layer<0>().weight.value);
      else
        f(name, t);
    });
  }
};

}  // namespace

TEST_CASE("torch: the mapping to nn.Sequential's state_dict names") {
  net_t net;
  using pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(tl::io::torch_sequential(net).names() == pairs{{"net.layer0.W", "0.weight"},
                                                       {"net.layer0.b", "0.bias"},
                                                       {"net.layer1.g", "2.weight"},
                                                       {"net.layer1.b", "2.bias"},
                                                       {"net.layer2.W", "3.weight"},
                                                       {"net.layer2.b", "3.bias"},
                                                       {"net.layer3.W", "4.weight"},
                                                       {"net.layer3.b", "4.bias"}});
  const net_t& c = net;
  CHECK(tl::io::torch_sequential(c, {.prefix = "body."}).names()[4].second == "body.3.weight");
}

TEST_CASE("torch: weights are saved transposed with vector biases, and loaded back") {
  dir d;
  net_t net;
  fill_parameters(net, 1.0);
  const auto before = snapshot(net);
  for (const fs::path& p : {d.path / "t.safetensors", d.path / "t.npz"}) {
    const bool st = p.extension() == ".safetensors";
    st ? tl::io::save_safetensors(p, tl::io::torch_sequential(net))
       : tl::io::save_npz(p, tl::io::torch_sequential(net));
    state_dict sd;
    st ? tl::io::load_safetensors(p, sd) : tl::io::load_npz(p, sd);
    CHECK(sd.w0 == net.layer<0>().weight.value.transpose());
    CHECK(sd.b0 == net.layer<0>().bias.value);
    CHECK(sd.g2 == net.layer<1>().gain.value);
    CHECK(sd.b2 == net.layer<1>().bias.value);
    CHECK(sd.w3 == net.layer<2>().weight.value.transpose());
    CHECK(sd.w4 == net.layer<3>().weight.value.transpose());
    CHECK(sd.b4 == net.layer<3>().bias.value);

    // The other way: a state_dict's file into the model.
    sd.w0(4, 2) = 42.f;  // PyTorch's A[4][2] is tapeless's W(2, 4)
    sd.b3(0, 1) = -3.f;
    const fs::path q = d.path / ("sd" + p.extension().string());
    st ? tl::io::save_safetensors(q, sd) : tl::io::save_npz(q, sd);
    net_t back;
    st ? tl::io::load_safetensors(q, tl::io::torch_sequential(back))
       : tl::io::load_npz(q, tl::io::torch_sequential(back));
    CHECK(back.layer<0>().weight.value(2, 4) == 42.f);
    CHECK(back.layer<2>().bias.value(0, 1) == -3.f);
    back.layer<0>().weight.value(2, 4) = net.layer<0>().weight.value(2, 4);
    back.layer<2>().bias.value(0, 1) = net.layer<2>().bias.value(0, 1);
    CHECK(snapshot(back) == before);
  }
}

TEST_CASE("torch: a file of the untransposed layout is refused with both shapes") {
  dir d;
  net_t net;
  fill_parameters(net, 2.0);
  const fs::path p = d.path / "plain.safetensors";
  tl::io::save_safetensors(p, net);  // tapeless's own names and layout
  net_t other;
  const auto before = snapshot(other);
  const std::string m =
      error_of([&] { tl::io::load_safetensors(p, tl::io::torch_sequential(other)); });
  CHECK(m.rfind("tapeless: safetensors " + p.string() +
                    ": tensor 0.weight: expected [5, 3] F32, not in the file; ",
                0) == 0);
  CHECK(m.find("; and 8 more") != std::string::npos);  // 8 missing, 8 unexpected
  CHECK(snapshot(other) == before);

  // Right names, wrong layout: W saved as In x Out under PyTorch's name.
  tl::io::save_safetensors(p, untransposed{net});
  CHECK(error_of([&] { tl::io::load_safetensors(p, tl::io::torch_sequential(other)); }) ==
        "tapeless: safetensors " + p.string() +
            ": tensor 0.weight: expected [5, 3] F32, found [3, 5] F32");
  CHECK(snapshot(other) == before);
}
