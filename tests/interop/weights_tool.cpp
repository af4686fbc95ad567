// tapeless's side of the interoperability tests (tests/interop/*.py): the
// Python scripts write files with NumPy, by the safetensors specification or
// with PyTorch, run this program on them, and check what it writes.
//
//   weights_tool convert IN OUT NAME:DTYPE:SHAPE...
//       loads the tensors (DTYPE f32, f64 or i64; SHAPE 3x4, or 5 for a
//       vector) from IN and saves them to OUT; the formats follow the
//       extensions (.npy holds the one tensor, .npz, .safetensors)
//   weights_tool torch WEIGHTS BATCH BATCH_SIZE OUT TUNED
//       loads an nn.Sequential's state_dict (safetensors) into the matching
//       tapeless model, x and t from BATCH (.npz), computes y, the MSE loss
//       and its gradient, writes them to OUT (.npz; gradients under
//       "grad." and PyTorch's names), takes one SGD step (learning rate
//       0.1) and saves the model to TUNED under PyTorch's names
//
// On an error it prints the library's message and exits with status 1.

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include <tapeless/io/npy.hpp>
#include <tapeless/io/safetensors.hpp>
#include <tapeless/io/torch.hpp>
#include <tapeless/tapeless.hpp>

namespace tl = tapeless;
namespace fs = std::filesystem;

namespace {

// Tensors of shapes and dtypes given at run time, in the order given.
struct tensors {
  struct spec {
    std::string name, dtype;
    bool vector;
    std::size_t index;  // into the vector of its dtype
  };
  std::vector<spec> specs;
  std::vector<Eigen::MatrixXf> f32;
  std::vector<Eigen::MatrixXd> f64;
  std::vector<Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>> i64;

  void add(const std::string& text) {
    const auto colon = text.find(':'), second = text.find(':', colon + 1);
    if (colon == std::string::npos || second == std::string::npos)
      throw std::runtime_error("bad tensor spec " + text);
    spec s{text.substr(0, colon), text.substr(colon + 1, second - colon - 1), false, 0};
    const std::string shape = text.substr(second + 1);
    const auto x = shape.find('x');
    s.vector = x == std::string::npos;
    const Eigen::Index rows = s.vector ? 1 : std::stol(shape.substr(0, x));
    const Eigen::Index cols = std::stol(s.vector ? shape : shape.substr(x + 1));
    if (s.dtype == "f32")
      s.index = f32.size(), f32.emplace_back(Eigen::MatrixXf::Zero(rows, cols));
    else if (s.dtype == "f64")
      s.index = f64.size(), f64.emplace_back(Eigen::MatrixXd::Zero(rows, cols));
    else if (s.dtype == "i64")
      s.index = i64.size(), i64.emplace_back(decltype(i64)::value_type::Zero(rows, cols));
    else
      throw std::runtime_error("bad dtype in " + text);
    specs.push_back(s);
  }

  template <class Self, class F>
  static void each(Self& self, F& f) {
    for (const spec& s : self.specs) {
      const auto give = [&](auto& m) {
        if (s.vector)
          f(s.name, tl::io::as_vector(m));
        else
          f(s.name, m);
      };
      if (s.dtype == "f32")
        give(self.f32[s.index]);
      else if (s.dtype == "f64")
        give(self.f64[s.index]);
      else
        give(self.i64[s.index]);
    }
  }
  template <class F>
  void for_each_tensor(F&& f) {
    each(*this, f);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    each(*this, f);
  }

  // The one tensor, for .npy files.
  template <class F>
  void only(F&& f) {
    if (specs.size() != 1) throw std::runtime_error(".npy files hold one tensor");
    for_each_tensor([&](const std::string&, auto&& t) { f(t); });
  }
};

template <class... Objs>
void load_any(const fs::path& file, Objs&&... objs) {
  const auto ext = file.extension();
  if (ext == ".safetensors")
    tl::io::load_safetensors(file, objs...);
  else
    tl::io::load_npz(file, objs...);
}

template <class... Objs>
void save_any(const fs::path& file, const Objs&... objs) {
  const auto ext = file.extension();
  if (ext == ".safetensors")
    tl::io::save_safetensors(file, objs...);
  else
    tl::io::save_npz(file, objs...);
}

int convert(const std::vector<std::string>& args) {
  tensors t;
  for (std::size_t k = 2; k < args.size(); ++k) t.add(args[k]);
  const fs::path in = args[0], out = args[1];
  if (in.extension() == ".npy")
    t.only([&](auto&& x) { tl::io::load_npy(in, x); });
  else
    load_any(in, t);
  if (out.extension() == ".npy")
    t.only([&](auto&& x) { tl::io::save_npy(out, x); });
  else
    save_any(out, t);
  return 0;
}

// nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.LayerNorm(8), nn.Linear(8, 4),
//               nn.ReLU(), nn.Linear(4, 2)), in double.
template <class Tag>
using mlp = tl::model<Tag, double, tl::Dense<3, 8, tl::Tanh>, tl::LayerNorm<8>,
                      tl::Dense<8, 4, tl::ReLU>, tl::Dense<4, 2>>;

// What goes to OUT: y, the loss and the gradients (a model of the same
// architecture holding them, under "grad." and PyTorch's names).
struct outputs {
  Eigen::MatrixXd y;
  Eigen::Matrix<double, 1, 1> loss;
  mlp<struct grads>& g;
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("y"), y);
    f(std::string("loss"), loss);
    tl::io::torch_sequential(g, {.prefix = "grad."}).for_each_tensor(f);
  }
};

// The batch: inputs and targets.
struct batch_data {
  Eigen::MatrixXd x, t;
  template <class F>
  void for_each_tensor(F&& f) {
    f(std::string("x"), x);
    f(std::string("t"), t);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("x"), x);
    f(std::string("t"), t);
  }
};

int torch(const std::vector<std::string>& args) {
  const Eigen::Index batch = std::stol(args[2]);
  mlp<struct net> net;
  tl::io::load_safetensors(args[0], tl::io::torch_sequential(net));
  batch_data data{Eigen::MatrixXd(batch, 3), Eigen::MatrixXd(batch, 2)};
  tl::io::load_npz(args[1], data);

  tl::input<struct xs, double, 3> x;
  tl::input<struct ts, double, 2> t;
  auto y = net(x);
  const Eigen::MatrixXd predicted = tl::evaluate(y)(tl::feed(x, data.x)).value();
  auto step = tl::gradient(tl::mse(y, t), net);
  const auto& g = step(tl::feed(x, data.x), tl::feed(t, data.t));

  mlp<struct grads> grads;
  std::vector<Eigen::MatrixXd> values;
  net.for_each_parameter([&](const auto& p) { values.emplace_back(g[p]); });
  std::size_t k = 0;
  grads.for_each_parameter([&](auto& p) { p.value = values[k++]; });
  save_any(args[3], outputs{predicted, Eigen::Matrix<double, 1, 1>(g.loss()), grads});

  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, net);
  sgd.step(g);
  tl::io::save_safetensors(args[4], tl::io::torch_sequential(net));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  try {
    if (all.size() >= 4 && all[0] == "convert") return convert({all.begin() + 1, all.end()});
    if (all.size() == 6 && all[0] == "torch") return torch({all.begin() + 1, all.end()});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: see the top of tests/interop/weights_tool.cpp\n");
  return 2;
}
