// Fuzz target: the readers of other tools' files (io/safetensors.hpp,
// io/npy.hpp) on any bytes. The input is loaded as safetensors (into the
// fuzz objects under their own names, and into the model under PyTorch's),
// as an .npz archive and as one .npy array. Each load is either refused
// with checkpoint_error, changing nothing, or succeeds; a loaded file saved
// again in the same format loads to the same bits. Anything else (another
// exception, a crash, a sanitizer report, a hang) is a finding. safetensors
// has no checksum, so mutations reach every check; .npz members have
// CRC-32s, which stop most mutations of their contents (the .npy reader
// behind them is fuzzed directly). tests/fuzz/README.md runs it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <tapeless/io/npy.hpp>
#include <tapeless/io/safetensors.hpp>
#include <tapeless/io/torch.hpp>

#include "fuzz_objects.hpp"
#include "write_file.hpp"

namespace {

namespace io = tapeless::io;

// The bytes of every tensor of some objects.
template <class... Objs>
std::vector<unsigned char> snapshot(const Objs&... objs) {
  std::vector<unsigned char> out;
  const auto add = [&](const std::string&, auto&& tensor) {
    const auto& t = io::detail::matrix_of(tensor);
    for (Eigen::Index j = 0; j < t.cols(); ++j)
      for (Eigen::Index i = 0; i < t.rows(); ++i) {
        const auto v = t.coeff(i, j);
        const auto* p = reinterpret_cast<const unsigned char*>(&v);
        out.insert(out.end(), p, p + sizeof v);
      }
  };
  (objs.for_each_tensor(add), ...);
  return out;
}

// One tensor as an object, for load_npy's single array.
struct one_matrix {
  Eigen::Matrix<float, 3, 4> w = Eigen::Matrix<float, 3, 4>::Zero();
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("w"), w);
  }
};

// load(file, objs...) on the input: refused without a change, or loaded and
// then saved by save(file, objs...) and loaded again to the same bits.
template <class Make, class Load, class Save>
void check(const std::filesystem::path& input, const std::filesystem::path& again, Make make,
           Load load, Save save) {
  auto a = make();
  const auto before = a.snapshot();
  try {
    load(input, a);
  } catch (const tapeless::checkpoint_error&) {
    if (a.snapshot() != before) std::abort();  // a refused load changed something
    return;
  }
  save(again, a);
  auto b = make();
  load(again, b);
  if (b.snapshot() != a.snapshot()) std::abort();
}

struct own_names {
  tapeless_fuzz::objects o;
  std::vector<unsigned char> snapshot() const { return ::snapshot(o.m, o.adam); }
};
struct torch_names {
  tapeless_fuzz::model m;
  std::vector<unsigned char> snapshot() const { return ::snapshot(m); }
};
struct single {
  one_matrix x;
  std::vector<unsigned char> snapshot() const { return ::snapshot(x); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tapeless_fuzz::scratch_file input("input.bin"), again_st("again.safetensors"),
      again_npz("again.npz"), again_npy("again.npy");
  const auto& file = input.write(data, size);
  const auto make_own = [] { return own_names{}; };
  const auto make_torch = [] { return torch_names{}; };
  check(
      file, again_st.path(), make_own,
      [](const auto& f, own_names& a) { io::load_safetensors(f, a.o.m, a.o.adam); },
      [](const auto& f, const own_names& a) { io::save_safetensors(f, a.o.m, a.o.adam); });
  check(
      file, again_st.path(), make_torch,
      [](const auto& f, torch_names& a) { io::load_safetensors(f, io::torch_sequential(a.m)); },
      [](const auto& f, const torch_names& a) {
        io::save_safetensors(f, io::torch_sequential(a.m));
      });
  check(
      file, again_npz.path(), make_own,
      [](const auto& f, own_names& a) { io::load_npz(f, a.o.m, a.o.adam); },
      [](const auto& f, const own_names& a) { io::save_npz(f, a.o.m, a.o.adam); });
  check(
      file, again_npy.path(), [] { return single{}; },
      [](const auto& f, single& a) { io::load_npy(f, a.x.w); },
      [](const auto& f, const single& a) { io::save_npy(f, a.x.w); });
  return 0;
}
