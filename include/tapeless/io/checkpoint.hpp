#pragma once

// Checkpoints: every tensor of some models (and optimizer state) in one
// file, and back, bit for bit.
//
//   tl::save("run.tlck", encoder, head, adam);
//   tl::load("run.tlck", encoder, head, adam);
//
// An object takes part if it has `for_each_tensor(f)`, const and non-const,
// calling `f(name, tensor)` for each of its tensors: the name a string unique
// among all the objects of one file, the tensor an Eigen matrix or Map of
// float, double or std::int64_t. The format is docs/checkpoint-format.md.
//
// Loading is all or nothing: the file is read, its checksum and structure
// checked and every tensor matched by name, shape and scalar type before the
// first value is written; any mismatch throws checkpoint_error, listing every
// mismatch, and leaves the objects as they were. Loading never resizes.
// Saving is atomic: the file is written under a temporary name in the target's
// directory, flushed to disk, then renamed over the target, so a reader sees
// the old checkpoint or the new one, never a part of one.
//
// Standard library only, plus POSIX open/fsync where <unistd.h> exists.

#include <atomic>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <tapeless/checks.hpp>
#include <tapeless/graph/dag.hpp>
#include <tapeless/io/detail/crc32.hpp>

#if __has_include(<unistd.h>) && __has_include(<fcntl.h>)
#include <fcntl.h>
#include <unistd.h>
#define TAPELESS_IO_POSIX 1
#else
#define TAPELESS_IO_POSIX 0
#endif

namespace tapeless {

// What save and load throw. The message names the file and, where one is
// to blame, the tensor: "tapeless: checkpoint run.tlck: parameter
// enc.layer0.W: expected 64x32 float32, found 64x16 float32".
class checkpoint_error : public std::runtime_error {
  std::filesystem::path file_;

 public:
  checkpoint_error(std::filesystem::path file, const std::string& what)
      : std::runtime_error(what), file_(std::move(file)) {}
  const std::filesystem::path& file() const noexcept { return file_; }
};

namespace io::detail {

// A visitor that accepts any tensor: what the concept below calls
// for_each_tensor with.
struct any_tensor_visitor {
  template <class Tensor>
  void operator()(const std::string&, Tensor&&) const {}
};

}  // namespace io::detail

// Something save and load accept: see the top of this file.
template <class T>
concept Checkpointable = requires(T& t, const T& c, io::detail::any_tensor_visitor v) {
  t.for_each_tensor(v);
  c.for_each_tensor(v);
};

namespace io::detail {

// ---- The format (docs/checkpoint-format.md) --------------------------------

inline constexpr unsigned char checkpoint_magic[8] = {0x89, 'T', 'L', 'C', 'K', '\r', '\n', 0x1A};
inline constexpr std::uint32_t checkpoint_version = 1;
// magic, version (u32), entry count (u32), file size (u64)
inline constexpr std::size_t checkpoint_header_size = 24;
// name length (u32), then after the name: dtype (u32), rows (u64), cols (u64)
inline constexpr std::size_t checkpoint_entry_fixed_size = 4 + 4 + 8 + 8;
inline constexpr std::size_t checkpoint_trailer_size = 4;  // CRC-32

// The dtype code of a scalar type, and its name in messages.
template <class S>
constexpr std::uint32_t dtype_code() {
  static_assert(std::numeric_limits<float>::is_iec559 && std::numeric_limits<double>::is_iec559,
                "tapeless: checkpoint: float and double must be IEEE 754 binary32 and binary64");
  if constexpr (std::is_same_v<S, float>)
    return 1;
  else if constexpr (std::is_same_v<S, double>)
    return 2;
  else if constexpr (std::is_integral_v<S> && std::is_signed_v<S> && sizeof(S) == 8)
    return 3;
  else
    return check::checkpoint_scalar_is_supported<S, false>::check();  // fails: 0
}

inline std::string_view dtype_name(std::uint32_t code) {
  switch (code) {
    case 1:
      return "float32";
    case 2:
      return "float64";
    case 3:
      return "int64";
    default:
      return "unknown";
  }
}

inline std::size_t dtype_size(std::uint32_t code) { return code == 1 ? 4 : 8; }

inline bool valid_dtype(std::uint32_t code) { return code >= 1 && code <= 3; }

inline std::string describe(std::uint64_t rows, std::uint64_t cols, std::uint32_t dtype) {
  return std::to_string(rows) + "x" + std::to_string(cols) + " " + std::string(dtype_name(dtype));
}

// ---- Little-endian encoding -------------------------------------------------

template <class U>
void put_le(unsigned char* out, U v) {
  for (std::size_t k = 0; k < sizeof(U); ++k) out[k] = static_cast<unsigned char>(v >> (8 * k));
}

template <class U>
U get_le(const unsigned char* in) {
  U v = 0;
  for (std::size_t k = 0; k < sizeof(U); ++k) v |= static_cast<U>(in[k]) << (8 * k);
  return v;
}

// The bits of a scalar as an unsigned integer of its size, and back.
template <class S>
using bits_t = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;

template <class S>
bits_t<S> to_bits(S v) {
  if constexpr (std::is_integral_v<S>)
    return static_cast<bits_t<S>>(v);  // two's complement (C++20)
  else
    return std::bit_cast<bits_t<S>>(v);
}

template <class S>
S from_bits(bits_t<S> b) {
  if constexpr (std::is_integral_v<S>)
    return static_cast<S>(b);
  else
    return std::bit_cast<S>(b);
}

// Whether a tensor's elements lie in memory exactly as the file stores them:
// column-major and contiguous, in little-endian byte order, so they can be
// copied as one block. Anything else (row-major with several rows and
// columns, strided maps, a big-endian machine) goes element by element.
template <class T>
inline constexpr bool may_copy_as_block = std::endian::native == std::endian::little &&
                                          (int(T::Flags) & int(Eigen::DirectAccessBit));

template <class T>
bool is_file_layout(const T& t) {
  const Eigen::Index row_step = T::IsRowMajor ? t.outerStride() : t.innerStride();
  const Eigen::Index col_step = T::IsRowMajor ? t.innerStride() : t.outerStride();
  return (t.rows() <= 1 || row_step == 1) && (t.cols() <= 1 || col_step == t.rows());
}

// ---- Files --------------------------------------------------------------------

inline std::string path_text(const std::filesystem::path& file) { return file.string(); }

[[noreturn]] inline void fail(const std::filesystem::path& file, const std::string& what) {
  throw checkpoint_error(file, "tapeless: checkpoint " + path_text(file) + ": " + what);
}

inline std::string errno_message(int error) { return std::generic_category().message(error); }

inline std::FILE* open_file(const std::filesystem::path& file, const char* mode) {
#ifdef _WIN32
  std::wstring wide_mode(mode, mode + std::strlen(mode));
  return ::_wfopen(file.c_str(), wide_mode.c_str());
#else
  return std::fopen(file.c_str(), mode);
#endif
}

// The whole file in memory.
inline std::vector<unsigned char> read_file(const std::filesystem::path& file) {
  errno = 0;
  std::FILE* f = open_file(file, "rb");
  if (!f) fail(file, "cannot open for reading: " + errno_message(errno));
  std::vector<unsigned char> bytes;
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec) bytes.reserve(static_cast<std::size_t>(size));
  constexpr std::size_t chunk = 1 << 20;
  for (;;) {
    const std::size_t old = bytes.size();
    bytes.resize(old + chunk);
    const std::size_t n = std::fread(bytes.data() + old, 1, chunk, f);
    bytes.resize(old + n);
    if (n < chunk) break;
  }
  const bool failed = std::ferror(f) != 0;
  const int error = errno;
  std::fclose(f);
  if (failed) fail(file, "cannot read: " + errno_message(error));
  return bytes;
}

// ---- Reading: parse and validate a whole file --------------------------------

struct entry {
  std::string_view name;
  std::uint32_t dtype;
  std::uint64_t rows, cols;
  const unsigned char* data;
  bool claimed = false;
};

inline std::vector<entry> parse_checkpoint(const std::filesystem::path& file,
                                           const std::vector<unsigned char>& bytes) {
  const std::size_t size = bytes.size();
  const unsigned char* p = bytes.data();
  const std::size_t magic_seen = size < 8 ? size : 8;
  if (magic_seen != 0 && std::memcmp(p, checkpoint_magic, magic_seen) != 0)
    fail(file, "not a tapeless checkpoint (wrong magic bytes)");
  if (size < checkpoint_header_size + checkpoint_trailer_size)
    fail(file, "truncated: the file has " + std::to_string(size) +
                   " bytes, fewer than the smallest checkpoint (" +
                   std::to_string(checkpoint_header_size + checkpoint_trailer_size) + ")");
  const auto version = get_le<std::uint32_t>(p + 8);
  if (version != checkpoint_version)
    fail(file, "unsupported format version " + std::to_string(version) +
                   " (this version of tapeless reads version " +
                   std::to_string(checkpoint_version) + ")");
  const auto count = get_le<std::uint32_t>(p + 12);
  const auto declared = get_le<std::uint64_t>(p + 16);
  if (declared != size)
    fail(file, std::string(size < declared ? "truncated" : "corrupted") + ": the file has " +
                   std::to_string(size) + " bytes, its header says " + std::to_string(declared));
  const std::size_t body = size - checkpoint_trailer_size;
  const auto stored = get_le<std::uint32_t>(p + body);
  const auto computed = crc32_of(p, body);
  if (stored != computed) {
    char hex[64];
    std::snprintf(hex, sizeof hex, "stored 0x%08X, computed 0x%08X", unsigned(stored),
                  unsigned(computed));
    fail(file, std::string("corrupted: checksum mismatch (") + hex + ")");
  }

  // The checksum holds, so the rest was written by a tapeless save: the
  // checks below guard against files made otherwise.
  std::vector<entry> entries;
  std::size_t at = checkpoint_header_size;
  const auto malformed = [&](std::uint32_t i, const std::string& what) {
    fail(file, "malformed: entry " + std::to_string(i) + ": " + what);
  };
  for (std::uint32_t i = 0; i < count; ++i) {
    if (body - at < checkpoint_entry_fixed_size) malformed(i, "runs past the end of the file");
    const auto name_size = get_le<std::uint32_t>(p + at);
    at += 4;
    if (name_size == 0) malformed(i, "empty name");
    if (body - at < name_size + checkpoint_entry_fixed_size - 4)
      malformed(i, "runs past the end of the file");
    entry e;
    e.name = std::string_view(reinterpret_cast<const char*>(p + at), name_size);
    at += name_size;
    e.dtype = get_le<std::uint32_t>(p + at);
    e.rows = get_le<std::uint64_t>(p + at + 4);
    e.cols = get_le<std::uint64_t>(p + at + 12);
    at += 20;
    if (!valid_dtype(e.dtype)) malformed(i, "unknown dtype code " + std::to_string(e.dtype));
    const std::uint64_t room = (body - at) / dtype_size(e.dtype);
    if (e.rows != 0 && e.cols > room / e.rows) malformed(i, "runs past the end of the file");
    e.data = p + at;
    at += static_cast<std::size_t>(e.rows * e.cols) * dtype_size(e.dtype);
    entries.push_back(e);
  }
  if (at != body)
    fail(file, "malformed: " + std::to_string(body - at) + " bytes after the last entry");
  return entries;
}

// ---- Writing -------------------------------------------------------------------

// Writes bytes to a file and checksums them; throws naming the file.
class checkpoint_writer {
  std::FILE* f_;
  const std::filesystem::path& file_;
  crc32 crc_;
  std::uint64_t written_ = 0;

 public:
  checkpoint_writer(std::FILE* f, const std::filesystem::path& file) : f_(f), file_(file) {}

  void bytes(const void* data, std::size_t n) {
    crc_.update(data, n);
    written_ += n;
    errno = 0;
    if (std::fwrite(data, 1, n, f_) != n) fail(file_, "cannot write: " + errno_message(errno));
  }
  template <class U>
  void integer(U v) {
    unsigned char b[sizeof(U)];
    put_le(b, v);
    bytes(b, sizeof b);
  }
  template <class T>
  void tensor(const T& t) {
    using S = typename T::Scalar;
    if constexpr (may_copy_as_block<T>) {
      if (is_file_layout(t)) {
        bytes(t.data(), static_cast<std::size_t>(t.size()) * sizeof(S));
        return;
      }
    }
    unsigned char buffer[4096];
    std::size_t used = 0;
    for (Eigen::Index j = 0; j < t.cols(); ++j)
      for (Eigen::Index i = 0; i < t.rows(); ++i) {
        put_le(buffer + used, to_bits<S>(t.coeff(i, j)));
        used += sizeof(S);
        if (used == sizeof buffer) bytes(buffer, std::exchange(used, 0));
      }
    bytes(buffer, used);
  }
  std::uint32_t checksum() const { return crc_.value(); }
  std::uint64_t written() const { return written_; }
};

// A temporary file next to the target; removed unless committed.
class temporary_file {
  std::filesystem::path path_;
  std::FILE* f_ = nullptr;

 public:
  temporary_file(const std::filesystem::path& target) {
#if TAPELESS_IO_POSIX
    const auto id = static_cast<unsigned long>(::getpid());
#else
    const auto id = static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(this));
#endif
    static std::atomic<unsigned long> counter{0};  // distinct names within a process
    for (int attempt = 0;; ++attempt) {
      path_ = target;
      path_ += ".tmp-" + std::to_string(id) + "-" + std::to_string(++counter);
      errno = 0;
#if TAPELESS_IO_POSIX
      const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0 && !(f_ = ::fdopen(fd, "wb"))) ::close(fd);
#else
      f_ = open_file(path_, "wbx");
#endif
      if (f_) return;
      const int error = errno;
      if (error != EEXIST || attempt == 100)
        fail(target,
             "cannot create the temporary file " + path_text(path_) + ": " + errno_message(error));
    }
  }
  temporary_file(const temporary_file&) = delete;
  temporary_file& operator=(const temporary_file&) = delete;
  ~temporary_file() {
    if (f_) std::fclose(f_);
    if (!path_.empty()) {
      std::error_code ignored;
      std::filesystem::remove(path_, ignored);
    }
  }

  std::FILE* stream() const { return f_; }

  // Flushes, syncs to disk and closes; throws naming the target.
  void finish(const std::filesystem::path& target) {
    errno = 0;
    if (std::fflush(f_) != 0) fail(target, "cannot write: " + errno_message(errno));
#if TAPELESS_IO_POSIX
    if (::fsync(::fileno(f_)) != 0) fail(target, "cannot sync to disk: " + errno_message(errno));
#endif
    std::FILE* f = std::exchange(f_, nullptr);
    if (std::fclose(f) != 0) fail(target, "cannot write: " + errno_message(errno));
  }

  // Renames the finished file over the target.
  void commit(const std::filesystem::path& target) {
    std::error_code ec;
    std::filesystem::rename(path_, target, ec);
    if (ec) fail(target, "cannot replace the file with the new checkpoint: " + ec.message());
    path_.clear();
#if TAPELESS_IO_POSIX
    // Makes the rename itself durable. Best effort: some file systems do not
    // sync directories, and the checkpoint is complete either way.
    auto dir = target.parent_path();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
#endif
  }
};

}  // namespace io::detail

// Saves every tensor of `objs` to `file`, replacing it atomically. Throws
// checkpoint_error if two tensors have one name or the file cannot be
// written; the previous file, if any, is then left as it was.
template <Checkpointable... Objs>
void save(const std::filesystem::path& file, const Objs&... objs) {
  namespace d = io::detail;

  // First pass: names (unique, non-empty) and the size of the file.
  std::unordered_set<std::string> names;
  std::uint64_t size = d::checkpoint_header_size + d::checkpoint_trailer_size;
  const auto survey = [&](const auto& name, auto&& tensor) {
    using S = typename std::remove_cvref_t<decltype(tensor)>::Scalar;
    const std::string n(name);
    if (n.empty()) d::fail(file, "cannot save: a tensor has an empty name");
    if (!names.insert(n).second)
      d::fail(file, "cannot save: two tensors are named " + n +
                        "; names must be unique among the objects saved together");
    size += d::checkpoint_entry_fixed_size + n.size() +
            static_cast<std::uint64_t>(tensor.size()) * sizeof(S);
  };
  (objs.for_each_tensor(survey), ...);
  if (names.size() > std::numeric_limits<std::uint32_t>::max())
    d::fail(file, "cannot save: more than 2^32 - 1 tensors");

  // Second pass: the file.
  d::temporary_file temp(file);
  d::checkpoint_writer out(temp.stream(), file);
  out.bytes(d::checkpoint_magic, sizeof d::checkpoint_magic);
  out.integer(d::checkpoint_version);
  out.integer(static_cast<std::uint32_t>(names.size()));
  out.integer(size);
  const auto write = [&](const auto& name, auto&& tensor) {
    using T = std::remove_cvref_t<decltype(tensor)>;
    const std::string_view n(name);
    out.integer(static_cast<std::uint32_t>(n.size()));
    out.bytes(n.data(), n.size());
    out.integer(d::dtype_code<typename T::Scalar>());
    out.integer(static_cast<std::uint64_t>(tensor.rows()));
    out.integer(static_cast<std::uint64_t>(tensor.cols()));
    out.tensor(tensor);
  };
  (objs.for_each_tensor(write), ...);
  out.integer(out.checksum());
  if (out.written() != size)
    d::fail(file, "cannot save: the objects' tensors changed between two for_each_tensor calls");
  temp.finish(file);
  temp.commit(file);
}

namespace io::detail {

// load, for objects that are not const.
template <class... Objs>
void load_into(const std::filesystem::path& file, Objs&... objs) {
  namespace d = io::detail;
  const std::vector<unsigned char> bytes = d::read_file(file);
  std::vector<d::entry> entries = d::parse_checkpoint(file, bytes);
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (!index.emplace(entries[i].name, i).second)
      d::fail(file, "malformed: two entries are named " + std::string(entries[i].name));

  // Match every tensor to an entry before writing any.
  std::vector<std::string> problems;
  std::unordered_set<std::string> seen;
  const auto match = [&](const auto& name, auto&& tensor) {
    using S = typename std::remove_cvref_t<decltype(tensor)>::Scalar;
    const std::string n(name);
    const auto rows = static_cast<std::uint64_t>(tensor.rows());
    const auto cols = static_cast<std::uint64_t>(tensor.cols());
    const std::string expected = d::describe(rows, cols, d::dtype_code<S>());
    if (!seen.insert(n).second) {
      problems.push_back("two tensors of the objects loaded are named " + n);
      return;
    }
    const auto found = index.find(n);
    if (found == index.end()) {
      problems.push_back("parameter " + n + ": expected " + expected + ", not in the file");
      return;
    }
    d::entry& e = entries[found->second];
    e.claimed = true;
    if (e.rows != rows || e.cols != cols || e.dtype != d::dtype_code<S>())
      problems.push_back("parameter " + n + ": expected " + expected + ", found " +
                         d::describe(e.rows, e.cols, e.dtype));
  };
  (objs.for_each_tensor(match), ...);
  for (const auto& e : entries)
    if (!e.claimed)
      problems.push_back("parameter " + std::string(e.name) + ": unexpected, found " +
                         d::describe(e.rows, e.cols, e.dtype) +
                         " in the file, and no tensor of that name in the objects loaded");
  if (!problems.empty()) {
    constexpr std::size_t shown = 8;
    std::string what = problems[0];
    for (std::size_t i = 1; i < problems.size() && i < shown; ++i) what += "; " + problems[i];
    if (problems.size() > shown)
      what += "; and " + std::to_string(problems.size() - shown) + " more";
    d::fail(file, what);
  }

  // Every tensor has its entry, of its shape and type: copy, which cannot fail.
  const auto copy = [&](const auto& name, auto&& tensor) {
    using T = std::remove_cvref_t<decltype(tensor)>;
    using S = typename T::Scalar;
    const unsigned char* in = entries[index.find(std::string_view(name))->second].data;
    if constexpr (d::may_copy_as_block<T>) {
      if (d::is_file_layout(tensor)) {
        std::memcpy(tensor.data(), in, static_cast<std::size_t>(tensor.size()) * sizeof(S));
        return;
      }
    }
    for (Eigen::Index j = 0; j < tensor.cols(); ++j)
      for (Eigen::Index i = 0; i < tensor.rows(); ++i, in += sizeof(S))
        tensor.coeffRef(i, j) = d::from_bits<S>(d::get_le<d::bits_t<S>>(in));
  };
  (objs.for_each_tensor(copy), ...);
}

}  // namespace io::detail

// Loads every tensor of `objs` from `file`, written by save with objects
// of the same shapes. Throws checkpoint_error, changing nothing, if the file
// is missing, not a checkpoint, of another format version, truncated or
// corrupted (checksum), or if its tensors and the objects' differ in any
// name, shape or scalar type; the message lists every difference.
template <Checkpointable... Objs>
void load(const std::filesystem::path& file, Objs&... objs) {
  using const_objects =
      decltype((graph::list<>{} + ... + graph::keep_if<std::is_const_v<Objs>, Objs>{}));
  if constexpr (graph::apply<check::loaded_objects_are_mutable, const_objects>::type::check())
    io::detail::load_into(file, objs...);
}

}  // namespace tapeless
