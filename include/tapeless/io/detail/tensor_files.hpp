#pragma once

// What the files of other tools (safetensors, NumPy .npy and .npz) share:
// tensors of declared shapes in C order (row-major, as NumPy and PyTorch),
// matched by name against the tensors objects list with for_each_tensor,
// every difference described before anything is written. The file pieces
// (reading regular files, atomic saves) are checkpoint.hpp's, reused.

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <tapeless/checks.hpp>
#include <tapeless/detail/meta.hpp>
#include <tapeless/io/checkpoint.hpp>
#include <tapeless/io/detail/json.hpp>

namespace tapeless::io {

// A tensor of one dimension: what for_each_tensor hands over for a 1 x n or
// n x 1 matrix that a file stores with shape [n] (a PyTorch bias). Made by
// as_vector; read and written by the safetensors and NumPy functions only
// (checkpoints store every tensor as a matrix).
template <class T>
struct vector_view {
  T tensor;  // an Eigen matrix or expression, or a reference to one
};

template <class T>
vector_view<T&> as_vector(T& t) {
  return {t};
}
template <class T>
vector_view<T> as_vector(T&& t) {
  return {std::move(t)};
}

namespace detail {

template <class T>
inline constexpr bool is_vector_view = false;
template <class T>
inline constexpr bool is_vector_view<vector_view<T>> = true;

// The Eigen object of a tensor as for_each_tensor hands it over.
template <class T>
decltype(auto) matrix_of(T&& t) {
  if constexpr (is_vector_view<std::remove_cvref_t<T>>)
    return (t.tensor);
  else
    return std::forward<T>(t);
}

template <class T>
using scalar_of = typename std::remove_cvref_t<decltype(matrix_of(std::declval<T>()))>::Scalar;

using shape_t = std::vector<std::uint64_t>;

// The shape a tensor is stored with: [rows, cols], or [size] for a vector_view.
template <class T>
shape_t declared_shape(const T& t) {
  const auto& m = matrix_of(t);
  if constexpr (is_vector_view<T>)
    return {static_cast<std::uint64_t>(m.size())};
  else
    return {static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols())};
}

// The number of elements of a shape, if it fits in 64 bits.
inline std::optional<std::uint64_t> element_count(const shape_t& shape) {
  std::uint64_t n = 1;
  for (std::uint64_t d : shape) {
    if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / d) return std::nullopt;
    n *= d;
  }
  return n;
}

// "[4, 3]"
inline std::string shape_text(const shape_t& shape) {
  std::string s = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + "]";
}

[[noreturn]] inline void fail_in(std::string_view format, const std::filesystem::path& file,
                                 const std::string& what) {
  throw checkpoint_error(file,
                         "tapeless: " + std::string(format) + " " + path_text(file) + ": " + what);
}

// Runs f, with the messages of checkpoint.hpp's file pieces (which start
// "tapeless: checkpoint <path>: ") renamed to the format at hand.
template <class F>
decltype(auto) as_format(std::string_view format, F&& f) {
  try {
    return f();
  } catch (const checkpoint_error& e) {
    const std::string_view from = "tapeless: checkpoint ";
    const std::string m = e.what();
    if (m.compare(0, from.size(), from) != 0) throw;
    throw checkpoint_error(e.file(),
                           "tapeless: " + std::string(format) + " " + m.substr(from.size()));
  }
}

// Whether a load would write through a const path: a const object, or a
// view that says it is read-only (torch_sequential of a const model).
template <class T, class U = std::remove_reference_t<T>>
inline constexpr bool is_read_only = std::is_const_v<U> || requires {
  requires U::read_only;
};

// Checks that a load writes into modifiable objects, listing the others
// through checks.hpp's loaded_objects_are_mutable, as tl::load does; the
// load is compiled only when this holds, so that the one error is that.
template <class... Objs>
constexpr bool loaded_objects_are_mutable() {
  using read_only =
      meta::cat_t<meta::keep_if<is_read_only<Objs>, std::remove_reference_t<Objs>>...>;
  return meta::apply<check::loaded_objects_are_mutable, read_only>::type::check();
}

// Names a save accepts: non-empty, unique, valid UTF-8 (safetensors' header
// is JSON; a .npz member name is text), at most `longest` bytes.
class name_checker {
  std::unordered_set<std::string> seen_;
  std::string_view format_;
  const std::filesystem::path& file_;

 public:
  name_checker(std::string_view format, const std::filesystem::path& file)
      : format_(format), file_(file) {}
  void add(const std::string& n, std::size_t longest = std::numeric_limits<std::size_t>::max()) {
    if (n.empty()) fail_in(format_, file_, "cannot save: a tensor has an empty name");
    if (!valid_utf8(n))
      fail_in(format_, file_, "cannot save: tensor name " + n + " is not valid UTF-8");
    if (n.size() > longest)
      fail_in(format_, file_,
              "cannot save: tensor name " + n + " is longer than " + std::to_string(longest) +
                  " bytes");
    if (!seen_.insert(n).second)
      fail_in(format_, file_,
              "cannot save: two tensors are named " + n +
                  "; names must be unique among the objects saved together");
  }
};

// f(bytes, size) over the little-endian bytes of a tensor in C order (row
// by row), in pieces. C order of t is the column-major order of its
// transpose, which checkpoint.hpp's layout test answers for: a row-major
// contiguous tensor (a transposed column-major one) goes as one block.
template <class T, class F>
void for_each_c_order_piece(const T& tensor, F&& f) {
  const auto& m = matrix_of(tensor);
  const auto t = m.transpose();
  using S = typename std::remove_cvref_t<decltype(m)>::Scalar;
  using Tt = std::remove_cvref_t<decltype(t)>;
  if constexpr (may_copy_as_block<Tt>) {
    if (is_file_layout(t)) {
      f(reinterpret_cast<const unsigned char*>(t.data()),
        static_cast<std::size_t>(t.size()) * sizeof(S));
      return;
    }
  }
  unsigned char buffer[4096];
  std::size_t used = 0;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      put_le(buffer + used, to_bits<S>(m.coeff(i, j)));
      used += sizeof(S);
      if (used == sizeof buffer)
        f(static_cast<const unsigned char*>(buffer), std::exchange(used, 0));
    }
  if (used) f(static_cast<const unsigned char*>(buffer), used);
}

// Writes the tensor's elements from little-endian bytes in C order; the
// caller has checked that there are exactly enough.
template <class T>
void copy_from_c_order(T&& tensor, const unsigned char* in) {
  auto&& m = matrix_of(tensor);
  using S = scalar_of<T>;
  auto t = m.transpose();
  using Tt = std::remove_cvref_t<decltype(t)>;
  if constexpr (may_copy_as_block<Tt>) {
    if (is_file_layout(t)) {
      std::memcpy(t.data(), in, static_cast<std::size_t>(t.size()) * sizeof(S));
      return;
    }
  }
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j, in += sizeof(S))
      m.coeffRef(i, j) = from_bits<S>(get_le<bits_t<S>>(in));
}

// A tensor as a file declares it.
struct stored_tensor {
  std::string name;
  std::string dtype;  // in the format's words: "F32", "<f4"
  shape_t shape;
  const unsigned char* data = nullptr;  // exactly its elements' bytes, once read
};

// The objects' tensors by name, and the file's matched against them. Each
// format says how it writes the dtype of a scalar type: Format::dtype<S>().
class tensor_matcher {
  struct wanted {
    shape_t shape;
    std::string dtype;
    const stored_tensor* found = nullptr;
  };
  std::deque<std::string> names_;  // the keys' storage: a deque never moves its elements
  std::unordered_map<std::string_view, wanted> index_;
  std::vector<const stored_tensor*> unexpected_;  // the first few
  std::size_t unexpected_count_ = 0;
  problem_list problems_;
  static constexpr std::size_t kept_unexpected = 8;

 public:
  // Lists every tensor of the objects, with its dtype in the format's words.
  template <class Format, class... Objs>
  explicit tensor_matcher(Format, Objs&... objs) {
    const auto survey = [&](const auto& name, auto&& tensor) {
      using T = std::remove_cvref_t<decltype(tensor)>;
      const std::string& n = names_.emplace_back(name);
      wanted w{declared_shape(tensor), std::string(Format::template dtype<scalar_of<T>>())};
      if (!index_.emplace(n, std::move(w)).second) {
        problems_.add([&] { return "two tensors of the objects loaded are named " + n; });
        names_.pop_back();
      }
    };
    (objs.for_each_tensor(survey), ...);
  }

  // Matches one tensor of the file; false if the file names one twice.
  bool offer(const stored_tensor& s) {
    const auto it = index_.find(s.name);
    if (it == index_.end()) {
      if (unexpected_.size() < kept_unexpected) unexpected_.push_back(&s);
      ++unexpected_count_;
      return true;
    }
    if (it->second.found) return false;
    it->second.found = &s;
    return true;
  }

  // Every difference between the file and the objects, or "" when none.
  std::string problems() {
    for (const std::string& n : names_) {
      const wanted& w = index_.find(n)->second;
      const auto expected = [&] { return shape_text(w.shape) + " " + w.dtype; };
      if (!w.found)
        problems_.add(
            [&] { return "tensor " + n + ": expected " + expected() + ", not in the file"; });
      else if (w.found->shape != w.shape || w.found->dtype != w.dtype)
        problems_.add([&] {
          return "tensor " + n + ": expected " + expected() + ", found " +
                 shape_text(w.found->shape) + " " + w.found->dtype;
        });
    }
    for (const stored_tensor* s : unexpected_)
      problems_.add([&] {
        return "tensor " + s->name + ": unexpected, found " + shape_text(s->shape) + " " +
               s->dtype + " in the file, and no tensor of that name in the objects loaded";
      });
    problems_.count_more(unexpected_count_ - unexpected_.size());
    return problems_.empty() ? std::string() : problems_.message();
  }

  // The file's tensor matched to the object tensor named `name`.
  const stored_tensor& match(std::string_view name) const {
    return *index_.find(name)->second.found;
  }
};

// Reads exactly n bytes at the current position of `in`, or fails as
// truncated; the buffer is allocated only after the caller checked n
// against the file's size.
inline std::vector<unsigned char> read_exactly(std::string_view format,
                                               const std::filesystem::path& file,
                                               checkpoint_input& in, std::uint64_t n,
                                               std::uint64_t at) {
  if (n > std::numeric_limits<std::size_t>::max())
    fail_in(format, file, "cannot read: " + std::to_string(n) + " bytes do not fit in memory");
  std::vector<unsigned char> bytes;
  try {
    bytes.resize(static_cast<std::size_t>(n));
  } catch (const std::bad_alloc&) {
    fail_in(format, file, "cannot read: " + std::to_string(n) + " bytes do not fit in memory");
  }
  const std::size_t got = in.read(file, bytes.data(), bytes.size());
  if (got != bytes.size())  // cut while being read
    fail_in(format, file,
            "truncated: the file ended after " + std::to_string(at + got) + " bytes, while " +
                std::to_string(at + n) + " were expected");
  return bytes;
}

// An atomic save (checkpoint.hpp's): `write(std::FILE*)` fills a temporary
// file next to the target, which then replaces the target.
template <class Write>
void save_atomically(const std::filesystem::path& file, Write&& write) {
  const std::filesystem::path target = final_target(file);
  temporary_file temp(target, file);
  write(temp.stream());
  temp.finish();
  temp.commit(target);
  remove_stale_temporaries(target);
}

// Writes bytes to a stream, failing with the format's message.
class byte_writer {
  std::FILE* f_;
  std::string_view format_;
  const std::filesystem::path& file_;
  std::uint64_t written_ = 0;

 public:
  byte_writer(std::FILE* f, std::string_view format, const std::filesystem::path& file)
      : f_(f), format_(format), file_(file) {}
  void bytes(const void* p, std::size_t n) {
    errno = 0;
    if (n && std::fwrite(p, 1, n, f_) != n)
      fail_in(format_, file_, "cannot write: " + errno_message(errno));
    written_ += n;
  }
  void bytes(std::string_view s) { bytes(s.data(), s.size()); }
  template <class U>
  void integer(U v) {
    unsigned char b[sizeof(U)];
    put_le(b, v);
    bytes(b, sizeof b);
  }
  template <class T>
  void tensor(const T& t) {
    for_each_c_order_piece(t, [&](const unsigned char* p, std::size_t n) { bytes(p, n); });
  }
  std::uint64_t written() const { return written_; }
};

}  // namespace detail
}  // namespace tapeless::io
