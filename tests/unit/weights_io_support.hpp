#pragma once

// What the tests of the file formats (checkpoint, safetensors, npy, torch) share:
// objects with tensors of every kind the formats handle, a snapshot of
// their bytes, and files read and written as bytes.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <tapeless/io/detail/tensor_files.hpp>

#include "support.hpp"

namespace tapeless_test {

// An int64 counter, a row-major matrix, a strided Map handed over as an
// rvalue (element-by-element paths) and a vector stored with shape [n].
struct assorted_tensors {
  Eigen::Matrix<std::int64_t, 1, 1> step = Eigen::Matrix<std::int64_t, 1, 1>::Constant(41);
  Eigen::Matrix<double, 3, 2, Eigen::RowMajor> m = pattern(3, 2, 9.0);
  std::vector<float> storage = std::vector<float>(12, 0.5f);  // 2x3 with outer stride 4
  Eigen::Matrix<double, 1, 5> v = pattern(1, 5, 4.0);

  template <class F>
  void for_each_tensor(F&& f) {
    f(std::string("opt.step"), step);
    f(std::string("opt.m"), m);
    f(std::string("opt.v"), Eigen::Map<Eigen::MatrixXf, 0, Eigen::OuterStride<>>(
                                storage.data(), 2, 3, Eigen::OuterStride<>(4)));
    f(std::string("opt.vector"), tapeless::io::as_vector(v));
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("opt.step"), step);
    f(std::string("opt.m"), m);
    f(std::string("opt.v"), Eigen::Map<const Eigen::MatrixXf, 0, Eigen::OuterStride<>>(
                                storage.data(), 2, 3, Eigen::OuterStride<>(4)));
    f(std::string("opt.vector"), tapeless::io::as_vector(v));
  }
};

// The bytes of every tensor, in for_each_tensor order: what "unchanged"
// and "bit-exact" compare.
template <class... Objs>
std::vector<unsigned char> snapshot(const Objs&... objs) {
  std::vector<unsigned char> out;
  const auto add = [&](const std::string&, auto&& tensor) {
    const auto& t = tapeless::io::detail::matrix_of(tensor);
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

inline std::vector<unsigned char> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& p, const std::vector<unsigned char>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline void append(std::vector<unsigned char>& out, const std::string& s) {
  out.insert(out.end(), s.begin(), s.end());
}

template <class U>
void append_le(std::vector<unsigned char>& out, U v) {
  for (std::size_t k = 0; k < sizeof(U); ++k) out.push_back((unsigned char)(v >> (8 * k)));
}

// The bytes of a float, little-endian.
inline void append_f32(std::vector<unsigned char>& out, float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  append_le(out, bits);
}

// The message of the checkpoint_error that f throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const tapeless::checkpoint_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace tapeless_test
