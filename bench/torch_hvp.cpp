// Second order with libtorch autograd (C++ API): the peer of hvp.cpp on P2,
// float and double, one thread (torch::set_num_threads(1)), like torch_1t
// of torch.cpp.
//
//   grad  forward, loss, torch::autograd::grad of the loss (as torch.cpp).
//   hvp   double backward: g = grad(loss, params, create_graph=true), then
//         grad(sum_p <g_p, v_p>, params): H v for every parameter.
//
// Checked first against the double reference (hvp_reference.hpp: central
// differences of reference.hpp's gradients). Run through
// bench/interleave_hvp.py.
#include <string>

#include <torch/torch.h>

#include "harness.hpp"
#include "hvp_reference.hpp"

namespace {

using namespace bench;

template <class S>
using row_major = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class S>
constexpr auto kind = sizeof(S) == 4 ? torch::kFloat : torch::kDouble;

template <class S>
torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  row_major<S> r = m.cast<S>();
  return torch::from_blob(r.data(), {r.rows(), r.cols()}, kind<S>).clone();
}
template <class S>
Eigen::MatrixXd from_tensor(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return Eigen::Map<const row_major<S>>(c.data_ptr<S>(), c.size(0), c.size(1))
      .template cast<double>();
}

template <class S>
struct torch_net {
  problem_desc d;
  std::vector<torch::Tensor> w, b, params, v;
  torch::Tensor x, t;

  torch_net(const problem_desc& desc, const problem_data& data, const problem_data& dir) : d(desc) {
    for (std::size_t l = 0; l < d.layers.size(); ++l) {
      w.push_back(to_tensor<S>(data.weights[l]).requires_grad_(true));
      b.push_back(to_tensor<S>(data.biases[l]).requires_grad_(true));
      params.push_back(w.back());
      params.push_back(b.back());
      v.push_back(to_tensor<S>(dir.weights[l]));
      v.push_back(to_tensor<S>(dir.biases[l]));
    }
    x = to_tensor<S>(data.x);
    t = to_tensor<S>(data.t);
  }

  torch::Tensor loss() const {
    torch::Tensor h = x;
    for (std::size_t l = 0; l < d.layers.size(); ++l) {
      h = torch::addmm(b[l], h, w[l]);
      if (d.layers[l].activation == act::tanh) h = torch::tanh(h);
      if (d.layers[l].activation == act::relu) h = torch::relu(h);
    }
    return torch::mse_loss(h, t);
  }
  std::pair<torch::Tensor, std::vector<torch::Tensor>> grad_step() const {
    torch::Tensor l = loss();
    return {l, torch::autograd::grad({l}, params)};
  }
  // Returns <g, v> and H v.
  std::pair<torch::Tensor, std::vector<torch::Tensor>> hvp_step() const {
    const std::vector<torch::Tensor> g =
        torch::autograd::grad({loss()}, params, {}, /*retain_graph=*/true, /*create_graph=*/true);
    torch::Tensor gv = (g[0] * v[0]).sum();
    for (std::size_t i = 1; i < g.size(); ++i) gv = gv + (g[i] * v[i]).sum();
    return {gv, torch::autograd::grad({gv}, params)};
  }
};

template <class S>
gradients read(const std::pair<torch::Tensor, std::vector<torch::Tensor>>& r) {
  gradients got;
  got.loss = r.first.template item<double>();
  for (const auto& gi : r.second) got.g.push_back(from_tensor<S>(gi));
  return got;
}

template <class S>
bool add() {
  const problem_desc d = describe<p2>();
  const problem_data data = make_data(d);
  const problem_data dir = make_direction(d);
  auto net = std::make_shared<const torch_net<S>>(d, data, dir);
  torch::set_num_threads(1);
  if (!matches("torch", d, read<S>(net->grad_step()), reference_gradients(d, data), tolerance<S>))
    return false;
  if (!matches("torch H v", d, read<S>(net->hvp_step()), reference_hvp(d, data, dir),
               sizeof(S) == 4 ? 1e-4 : 1e-6))
    return false;
  benchmark::RegisterBenchmark(name("torch_1t", d, scalar_name<S>(), "grad").c_str(),
                               [=](benchmark::State& s) {
                                 torch::set_num_threads(1);
                                 timed_steps(s, d, 0, [&] {
                                   auto r = net->grad_step();
                                   benchmark::DoNotOptimize(r);
                                 });
                               })
      ->UseRealTime();
  benchmark::RegisterBenchmark(name("torch_1t", d, scalar_name<S>(), "hvp").c_str(),
                               [=](benchmark::State& s) {
                                 torch::set_num_threads(1);
                                 timed_steps(s, d, 0, [&] {
                                   auto r = net->hvp_step();
                                   benchmark::DoNotOptimize(r);
                                 });
                                 s.counters.erase("FLOPS");
                                 s.counters.erase("flop_per_step");
                               })
      ->UseRealTime();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main(argc, argv, [] {
    benchmark::AddCustomContext("torch_version", TORCH_VERSION);
    return add<double>() && add<float>();
  });
}
