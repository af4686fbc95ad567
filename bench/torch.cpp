// libtorch autograd (C++ API), float, with one and with two threads. Its
// graph is recorded at every step (that is what autograd does), so there is
// only an "eval" variant: parameters and data tensors are made once.
#include <fstream>
#include <set>
#include <string>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "harness.hpp"
#include "reference.hpp"

namespace {

using namespace bench;
using row_major = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  row_major r = m.cast<float>();
  return torch::from_blob(r.data(), {r.rows(), r.cols()}, torch::kFloat).clone();
}
Eigen::MatrixXd from_tensor(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return Eigen::Map<const row_major>(c.data_ptr<float>(), c.size(0), c.size(1)).cast<double>();
}

struct torch_net {
  problem_desc d;
  std::vector<torch::Tensor> w, b, requested;
  torch::Tensor x, t;

  torch_net(const problem_desc& desc, const problem_data& data) : d(desc) {
    for (std::size_t l = 0; l < d.layers.size(); ++l) {
      w.push_back(to_tensor(data.weights[l]).requires_grad_(true));
      b.push_back(to_tensor(data.biases[l]).requires_grad_(true));
      if (l >= d.first_requested()) {
        requested.push_back(w.back());
        requested.push_back(b.back());
      }
    }
    x = to_tensor(data.x);
    t = to_tensor(data.t);
  }

  // One gradient step: forward, loss, and the gradients of the requested
  // parameters (autograd runs only the part of the graph they need).
  std::pair<torch::Tensor, std::vector<torch::Tensor>> step() const {
    torch::Tensor h = x;
    for (std::size_t l = 0; l < d.layers.size(); ++l) {
      h = torch::addmm(b[l], h, w[l]);
      if (d.layers[l].activation == act::tanh) h = torch::tanh(h);
      if (d.layers[l].activation == act::relu) h = torch::relu(h);
    }
    torch::Tensor loss = torch::mse_loss(h, t);
    return {loss, torch::autograd::grad({loss}, requested)};
  }
};

bool add(const problem_desc& d) {
  const problem_data data = make_data(d);
  auto net = std::make_shared<const torch_net>(d, data);
  {
    torch::set_num_threads(1);
    const auto [loss, g] = net->step();
    gradients got;
    got.loss = loss.item<double>();
    for (const auto& gi : g) got.g.push_back(from_tensor(gi));
    if (!matches("torch", d, got, reference_gradients(d, data), tolerance<float>)) return false;
  }
  for (int threads : {1, 2}) {
    const std::string impl = "torch_" + std::to_string(threads) + "t";
    benchmark::RegisterBenchmark(name(impl, d, "f32", "eval").c_str(), [=](benchmark::State& s) {
      torch::set_num_threads(threads);
      timed_steps(s, d, 0, [&] {
        auto r = net->step();
        benchmark::DoNotOptimize(r);
      });
    })->UseRealTime();
  }
  return true;
}

// The BLAS libtorch runs on: Debian's libtorch links libblas.so.3, whatever
// the alternatives system points it at. Read from this process's mappings.
std::string blas_in_use() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> libs;
  for (std::string line; std::getline(maps, line);) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (path.find("blas") != std::string::npos || path.find("lapack") != std::string::npos ||
        path.find("mkl") != std::string::npos)
      libs.insert(path);
  }
  std::string r;
  for (const auto& l : libs) r += (r.empty() ? "" : ", ") + l;
  return r.empty() ? "none mapped" : r;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main(argc, argv, [] {
    const bool ok = add(describe<p1>()) && add(describe<p2>()) && add(describe<p2a>()) &&
                    add(describe<p3>()) && add(describe<p4>()) && add(describe<deep>());
    const std::string blas = blas_in_use();
    std::fprintf(stderr, "libtorch %s, BLAS: %s\n", TORCH_VERSION, blas.c_str());
    benchmark::AddCustomContext("torch_blas", blas);
    benchmark::AddCustomContext("torch_version", TORCH_VERSION);
    return ok;
  });
}
