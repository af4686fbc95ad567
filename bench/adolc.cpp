// ADOL-C (double only): operator-overloading AD on a tape. Two ways:
//   eval:  the tape is recorded once, outside the timed loop, and every step
//          replays it with the reverse-mode driver gradient() (a zero-order
//          forward and a first-order reverse sweep);
//   build: every step records the tape anew (keeping the forward values)
//          and runs the reverse sweep on it, which is what a gradient tape
//          does.
// The data are passive constants on the tape, so a replay is valid for the
// data it was recorded with (as in this benchmark); the parameters are the
// independent variables. Gradients of A only (P2_small_A_only) are not run:
// they would need B's parameters as tape parameters. P4 is not run: its tape
// would hold about a billion operations (tens of GB).
#include <adolc/adolc.h>

#include <memory>
#include <vector>

#include "harness.hpp"
#include "reference.hpp"

namespace {

using namespace bench;

class adolc_net {
  problem_desc d_;
  problem_data data_;
  short tag_;
  std::vector<double> params_, grad_;
  double loss_ = 0;
  unsigned ops_ = 0, locs_ = 0;

 public:
  adolc_net(problem_desc d, short tag) : d_(std::move(d)), data_(make_data(d_)), tag_(tag) {
    double macs = 0;
    for (const auto& l : d_.layers) {
      for (int k = 0; k < l.in; ++k)
        for (int j = 0; j < l.out; ++j) params_.push_back(data_.weights[&l - &d_.layers[0]](k, j));
      for (int j = 0; j < l.out; ++j) params_.push_back(data_.biases[&l - &d_.layers[0]](0, j));
      macs += static_cast<double>(d_.batch) * l.in * l.out;
    }
    grad_.resize(params_.size());
    // Buffers just large enough to keep the whole tape in memory (no tape
    // files; ADOL-C clears its buffers at every sweep, so larger ones cost
    // time on small problems): per multiply-add about two operations, six
    // locations, one constant and two Taylor values.
    double units = 0;
    for (const auto& l : d_.layers) units += static_cast<double>(d_.batch) * l.out;
    const double ops = 2 * macs + 4 * static_cast<double>(params_.size()) + 8 * units + 4096;
    ops_ = static_cast<unsigned>(ops);
    locs_ = static_cast<unsigned>(3 * ops);
  }

  const problem_desc& desc() const { return d_; }
  const problem_data& data() const { return data_; }

  // Records the tape; with `keep`, the forward values stay for a reverse
  // sweep right after.
  void record(bool keep) {
    // ADOL-C's default buffers (2^19 elements) hold the small tapes.
    if (ops_ <= (1u << 19))
      trace_on(tag_, keep ? 1 : 0);
    else
      trace_on(tag_, keep ? 1 : 0, ops_, locs_, ops_, ops_);
    std::vector<adouble> p(params_.size());
    for (std::size_t i = 0; i < p.size(); ++i) p[i] <<= params_[i];
    const int batch = d_.batch;
    std::vector<adouble> h, next;
    std::size_t at = 0;
    for (std::size_t l = 0; l < d_.layers.size(); ++l) {
      const auto [in, out, a] = d_.layers[l];
      const std::size_t w = at, b = at + static_cast<std::size_t>(in) * out;
      at = b + out;
      next.assign(static_cast<std::size_t>(batch) * out, adouble());
      for (int i = 0; i < batch; ++i)
        for (int j = 0; j < out; ++j) {
          adouble acc = p[b + j];
          for (int k = 0; k < in; ++k) {
            if (l == 0)
              acc += data_.x(i, k) * p[w + static_cast<std::size_t>(k) * out + j];
            else
              acc += h[static_cast<std::size_t>(i) * in + k] *
                     p[w + static_cast<std::size_t>(k) * out + j];
          }
          if (a == act::tanh) acc = tanh(acc);
          if (a == act::relu) acc = fmax(acc, 0.0);
          next[static_cast<std::size_t>(i) * out + j] = acc;
        }
      h.swap(next);
    }
    adouble sum = 0;
    const int outs = d_.out();
    for (int i = 0; i < batch; ++i)
      for (int j = 0; j < outs; ++j) {
        adouble r = h[static_cast<std::size_t>(i) * outs + j] - data_.t(i, j);
        sum += r * r;
      }
    adouble loss = sum / static_cast<double>(batch * outs);
    loss >>= loss_;
    trace_off();
  }

  // Replays the recorded tape: forward and reverse.
  void replay() { gradient(tag_, static_cast<int>(params_.size()), params_.data(), grad_.data()); }

  // Records, then one reverse sweep on the kept forward values.
  void retape() {
    record(true);
    double one = 1;
    fos_reverse(tag_, 1, static_cast<int>(params_.size()), &one, grad_.data());
  }

  gradients read() const {
    gradients r;
    r.loss = loss_;
    std::size_t at = 0;
    for (const auto& l : d_.layers) {
      Eigen::MatrixXd w(l.in, l.out), b(1, l.out);
      for (int k = 0; k < l.in; ++k)
        for (int j = 0; j < l.out; ++j) w(k, j) = grad_[at++];
      for (int j = 0; j < l.out; ++j) b(0, j) = grad_[at++];
      r.g.push_back(w);
      r.g.push_back(b);
    }
    return r;
  }
};

bool add(const problem_desc& d, short tag) {
  auto net = std::make_shared<adolc_net>(d, tag);
  const gradients want = reference_gradients(d, net->data());
  net->retape();
  if (!matches("adolc", d, net->read(), want, tolerance<double>)) return false;
  net->record(false);
  net->replay();
  if (!matches("adolc", d, net->read(), want, tolerance<double>)) return false;
  benchmark::RegisterBenchmark(name("adolc", d, "f64", "eval").c_str(), [=](benchmark::State& s) {
    net->record(false);
    timed_steps(s, d, 0, [&] { net->replay(); });
  })->UseRealTime();
  benchmark::RegisterBenchmark(name("adolc", d, "f64", "build").c_str(), [=](benchmark::State& s) {
    timed_steps(s, d, 0, [&] { net->retape(); });
  })->UseRealTime();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main(argc, argv, [] {
    return add(describe<p1>(), 1) && add(describe<p2>(), 2) && add(describe<deep>(), 3) &&
           add(describe<p3>(), 4);
  });
}
