// From PyTorch and back: a digits classifier trained in PyTorch
// (examples/from_pytorch.py wrote examples/data/digits_torch.safetensors from
// nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))) is loaded
// into the matching tapeless model, checked on held-out digits, fine-tuned
// on inverted digits (1 - x), and saved back under PyTorch's names, which
// `net.load_state_dict(...)` accepts as they are:
//
//   /usr/bin/python3 examples/from_pytorch.py --check digits_inverted.safetensors
//
//   from_pytorch [--epochs N] [--expect ACCURACY] [--out FILE]
//
// Data: examples/data/digits.csv.gz (attribution in examples/data/README.md);
// rows whose index is a multiple of 5 are held out, as in from_pytorch.py.

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <tapeless/io/safetensors.hpp>
#include <tapeless/io/torch.hpp>
#include <tapeless/tapeless.hpp>

#include "datasets.hpp"

namespace tl = tapeless;
using examples::matrix;

using net_t = tl::model<struct net, float, tl::Dense<64, 32, tl::ReLU>, tl::Dense<32, 10>>;

int main(int argc, char** argv) {
  // --out FILE, then the examples' common options.
  std::filesystem::path out = "digits_inverted.safetensors";
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out = argv[++i];
    else
      rest.push_back(argv[i]);
  }
  const auto opt = examples::parse(int(rest.size()), rest.data(), {.epochs = 20, .expect = 0.9});

  auto data =
      tl::io::read_labelled_csv<float>(examples::data_file("digits.csv.gz"), {.classes = 10});
  data.features /= 16.0f;
  const matrix one_hot = data.one_hot();
  matrix train_x, train_t, test_x;
  std::vector<int> test_labels;
  for (Eigen::Index r = 0; r < data.features.rows(); ++r) {
    const bool held_out = r % 5 == 0;
    matrix& x = held_out ? test_x : train_x;
    x.conservativeResize(x.rows() + 1, 64);
    x.row(x.rows() - 1) = data.features.row(r);
    if (held_out) {
      test_labels.push_back(data.labels[std::size_t(r)]);
    } else {
      train_t.conservativeResize(train_t.rows() + 1, 10);
      train_t.row(train_t.rows() - 1) = one_hot.row(r);
    }
  }
  const matrix inverted_train = 1.0f - train_x.array(), inverted_test = 1.0f - test_x.array();

  // PyTorch's "0.weight" [32, 64] is W of layer 0 transposed, "0.bias" its
  // b, "2.*" layer 1 (index 1 is the ReLU module): io/torch.hpp.
  net_t net;
  tl::io::load_safetensors(examples::data_file("digits_torch.safetensors"),
                           tl::io::torch_sequential(net));
  tl::input<struct pixels, float, 64> x;
  tl::input<struct targets, float, 10> t;
  auto predict = tl::evaluate(net(x));
  const auto held_out = [&](const matrix& X) {
    return examples::accuracy(predict(tl::feed(x, X)).value(), test_labels);
  };
  std::printf(
      "trained in PyTorch, in tapeless: held-out accuracy %.4f on the digits, %.4f on "
      "the inverted digits\n",
      held_out(test_x), held_out(inverted_test));

  auto step = tl::gradient(tl::softmax_cross_entropy(net(x), t), net);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 1e-2}, net);
  tl::random_engine rng(7);
  examples::train(step, adam, x, t, inverted_train, train_t, opt.epochs, rng);
  const double tuned = held_out(inverted_test);
  std::printf(
      "fine-tuned for %d epochs on the inverted digits: held-out accuracy %.4f on the "
      "digits, %.4f on the inverted digits\n",
      opt.epochs, held_out(test_x), tuned);

  tl::io::save_safetensors(out, tl::io::torch_sequential(net));
  std::printf("saved for PyTorch: %s\n", out.string().c_str());
  return tuned >= opt.expect ? 0 : 1;
}
