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
// first value is written; any mismatch throws checkpoint_error, listing the
// mismatches, and leaves the objects as they were. Loading never resizes. It
// reads regular files only, checks the header before reading on, and holds
// the file in memory once (besides the objects).
// Saving is atomic: the file is written under a temporary name in the target's
// directory, flushed to disk, then renamed over the target, so a reader sees
// the old checkpoint or the new one, never a part of one. A target that is a
// symbolic link stays one: the file it points to is replaced. A save also
// removes the temporary files that earlier saves of the same target, killed
// on this host, left behind (docs/checkpoint-format.md, "What save
// guarantees").
//
// Standard library only, plus POSIX open/fstat/fsync/kill/gethostname where
// <unistd.h> exists.

#include <algorithm>
#include <atomic>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
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
#include <tapeless/detail/meta.hpp>
#include <tapeless/io/detail/crc32.hpp>

#if __has_include(<unistd.h>) && __has_include(<fcntl.h>)
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
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

// What a path names when it is not a regular file, for the message.
#if TAPELESS_IO_POSIX
inline const char* kind_of_file(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "neither a file nor a directory";
}
#else
inline const char* kind_of_file(std::filesystem::file_type type) {
  using std::filesystem::file_type;
  if (type == file_type::directory) return "a directory";
  if (type == file_type::fifo) return "a FIFO";
  if (type == file_type::character) return "a character device";
  if (type == file_type::block) return "a block device";
  if (type == file_type::socket) return "a socket";
  return "neither a file nor a directory";
}
#endif

// A checkpoint file open for reading, and its size. Regular files only: a
// FIFO or a device may block, or never end.
class checkpoint_input {
  std::FILE* f_ = nullptr;
  std::uint64_t size_ = 0;

 public:
  explicit checkpoint_input(const std::filesystem::path& file) {
    errno = 0;
#if TAPELESS_IO_POSIX
    // O_NONBLOCK: opening a FIFO that has no writer would wait for one. It
    // changes nothing for the regular files read below.
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) fail(file, "cannot open for reading: " + errno_message(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int error = errno;
      ::close(fd);
      fail(file, "cannot read: " + errno_message(error));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      fail(file, std::string("cannot read: not a regular file (") + kind_of_file(st.st_mode) + ")");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    f_ = ::fdopen(fd, "rb");
    if (!f_) {
      const int error = errno;
      ::close(fd);
      fail(file, "cannot open for reading: " + errno_message(error));
    }
#else
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (!ec && status.type() != std::filesystem::file_type::regular)
      fail(file,
           std::string("cannot read: not a regular file (") + kind_of_file(status.type()) + ")");
    f_ = open_file(file, "rb");
    if (!f_) fail(file, "cannot open for reading: " + errno_message(errno));
    size_ = std::filesystem::file_size(file, ec);
#endif
  }
  checkpoint_input(const checkpoint_input&) = delete;
  checkpoint_input& operator=(const checkpoint_input&) = delete;
  ~checkpoint_input() { std::fclose(f_); }

  std::uint64_t size() const { return size_; }

  // Reads up to n bytes; returns how many there were. Throws on a read error.
  std::size_t read(const std::filesystem::path& file, unsigned char* out, std::size_t n) {
    errno = 0;
    const std::size_t got = std::fread(out, 1, n, f_);
    if (got < n && std::ferror(f_)) fail(file, "cannot read: " + errno_message(errno));
    return got;
  }
};

// Checks the header: the first `seen` bytes of a file of `size` bytes.
inline void check_header(const std::filesystem::path& file, const unsigned char* p,
                         std::size_t seen, std::uint64_t size) {
  const std::size_t magic_seen = seen < 8 ? seen : 8;
  if (magic_seen != 0 && std::memcmp(p, checkpoint_magic, magic_seen) != 0)
    fail(file, "not a tapeless checkpoint (wrong magic bytes)");
  if (seen < checkpoint_header_size || size < checkpoint_header_size + checkpoint_trailer_size)
    fail(file, "truncated: the file has " + std::to_string(seen < size ? seen : size) +
                   " bytes, fewer than the smallest checkpoint (" +
                   std::to_string(checkpoint_header_size + checkpoint_trailer_size) + ")");
  const auto version = get_le<std::uint32_t>(p + 8);
  if (version != checkpoint_version)
    fail(file, "unsupported format version " + std::to_string(version) +
                   " (this version of tapeless reads version " +
                   std::to_string(checkpoint_version) + ")");
  const auto declared = get_le<std::uint64_t>(p + 16);
  if (declared != size)
    fail(file, std::string(size < declared ? "truncated" : "corrupted") + ": the file has " +
                   std::to_string(size) + " bytes, its header says " + std::to_string(declared));
}

// The whole file in memory, read once into a buffer of its size, after its
// header has been checked: a file that is not a checkpoint, or says it has
// another size, is refused before the rest is read.
inline std::vector<unsigned char> read_checkpoint_file(const std::filesystem::path& file) {
  checkpoint_input in(file);
  unsigned char header[checkpoint_header_size];
  const std::size_t seen = in.read(file, header, sizeof header);
  check_header(file, header, seen, in.size());
  if (in.size() > std::numeric_limits<std::size_t>::max())
    fail(file, "cannot read: " + std::to_string(in.size()) + " bytes do not fit in memory");
  std::vector<unsigned char> bytes;
  try {
    bytes.resize(static_cast<std::size_t>(in.size()));
  } catch (const std::bad_alloc&) {
    fail(file, "cannot read: " + std::to_string(in.size()) + " bytes do not fit in memory");
  }
  std::memcpy(bytes.data(), header, sizeof header);
  const std::size_t rest = bytes.size() - sizeof header;
  const std::size_t got = in.read(file, bytes.data() + sizeof header, rest);
  if (got != rest)  // cut while being read
    fail(file, "truncated: the file has " + std::to_string(sizeof header + got) +
                   " bytes, its header says " + std::to_string(bytes.size()));
  return bytes;
}

// ---- Reading: validate a whole file --------------------------------------------

struct entry {
  std::string_view name;
  std::uint32_t dtype;
  std::uint64_t rows, cols;
  const unsigned char* data;
};

// Checks the checksum and the structure of a file whose header
// check_header accepted, and calls f(entry) for each entry, in file order.
template <class F>
void for_each_entry(const std::filesystem::path& file, const std::vector<unsigned char>& bytes,
                    F&& f) {
  const unsigned char* p = bytes.data();
  const std::size_t body = bytes.size() - checkpoint_trailer_size;
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
  const auto count = get_le<std::uint32_t>(p + 12);
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
    f(e);
  }
  if (at != body)
    fail(file, "malformed: " + std::to_string(body - at) + " bytes after the last entry");
}

// The first problems of a load, described, and how many there are in all:
// a file of millions of unexpected entries costs a count, not a message each.
class problem_list {
  static constexpr std::size_t described = 8;
  std::string text_;
  std::size_t count_ = 0;

 public:
  // describe() makes the message; it is called only while there is room.
  template <class Describe>
  void add(Describe&& describe) {
    if (count_++ >= described) return;
    if (!text_.empty()) text_ += "; ";
    text_ += describe();
  }
  bool empty() const { return count_ == 0; }
  void count_more(std::size_t n) { count_ += n; }
  std::string message() const {
    if (count_ <= described) return text_;
    return text_ + "; and " + std::to_string(count_ - described) + " more";
  }
};

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

// The file a save replaces: for a symbolic link, the file it points to (as
// editors do), so that the link stays a link. It need not exist yet.
inline std::filesystem::path final_target(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  fs::path p = file;
  for (int hops = 0; hops < 40; ++hops) {  // the usual limit, SYMLOOP_MAX
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) return p;
    fs::path next = fs::read_symlink(p, ec);
    if (ec) fail(file, "cannot read the symbolic link " + path_text(p) + ": " + ec.message());
    p = next.is_absolute() ? next : p.parent_path() / next;
  }
  fail(file, "cannot save: too many levels of symbolic links");
}

// Temporary files are named <target>.tmp-<host>-<pid>-<n>: the host and
// process that write them, so that a later save can tell those whose writer
// is gone. The host name is kept to the characters of a portable file name.
inline std::string temporary_prefix(const std::filesystem::path& target) {
  std::string host = "host";
#if TAPELESS_IO_POSIX
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') host = name;
#endif
  for (char& c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  return target.filename().string() + ".tmp-" + host + "-";
}

inline unsigned long process_id() {
#if TAPELESS_IO_POSIX
  return static_cast<unsigned long>(::getpid());
#else
  return 0;  // no liveness check without POSIX: the counter and O_EXCL keep names apart
#endif
}

// Removes the temporary files that saves of `target` on this host left when
// their process died before the rename (killed, or the machine stopped):
// those named with this host and a process id that no process has now.
// Best effort, POSIX only. Another target's, another host's and a live
// process's temporary files are left alone.
inline void remove_stale_temporaries(const std::filesystem::path& target) {
#if TAPELESS_IO_POSIX
  namespace fs = std::filesystem;
  const std::string prefix = temporary_prefix(target);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    // The rest must be <pid>-<n>, both decimal.
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    long pid = 0;
    const auto [dash, error] = std::from_chars(first, last, pid);
    if (error != std::errc{} || dash == first || dash == last || *dash != '-' || dash + 1 == last ||
        pid <= 0 || pid > std::numeric_limits<pid_t>::max() ||
        !std::all_of(dash + 1, last, [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
#else
  (void)target;
#endif
}

// A temporary file next to the target; removed unless committed. Errors
// name `shown`, the path the user gave.
class temporary_file {
  std::filesystem::path path_;
  std::FILE* f_ = nullptr;
  const std::filesystem::path& shown_;

 public:
  temporary_file(const std::filesystem::path& target, const std::filesystem::path& shown)
      : shown_(shown) {
    const std::string prefix = temporary_prefix(target) + std::to_string(process_id()) + "-";
    static std::atomic<unsigned long> counter{0};  // distinct names within a process
    for (int attempt = 0;; ++attempt) {
      path_ = target.parent_path() / (prefix + std::to_string(++counter));
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
        fail(shown_,
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

  // Flushes, syncs to disk and closes.
  void finish() {
    errno = 0;
    if (std::fflush(f_) != 0) fail(shown_, "cannot write: " + errno_message(errno));
#if TAPELESS_IO_POSIX
    if (::fsync(::fileno(f_)) != 0) fail(shown_, "cannot sync to disk: " + errno_message(errno));
#endif
    std::FILE* f = std::exchange(f_, nullptr);
    if (std::fclose(f) != 0) fail(shown_, "cannot write: " + errno_message(errno));
  }

  // Renames the finished file over the target.
  void commit(const std::filesystem::path& target) {
    std::error_code ec;
    std::filesystem::rename(path_, target, ec);
    if (ec) fail(shown_, "cannot replace the file with the new checkpoint: " + ec.message());
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

// Saves every tensor of `objs` to `file`, replacing it atomically (through
// a symbolic link, the file it points to). Throws checkpoint_error if two
// tensors have one name or the file cannot be written; the previous file, if
// any, is then left as it was.
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
  const std::filesystem::path target = d::final_target(file);
  d::temporary_file temp(target, file);
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
  temp.finish();
  temp.commit(target);
  d::remove_stale_temporaries(target);
}

namespace io::detail {

// load, for objects that are not const. Memory: the file once, and an
// index of the objects' tensors; nothing per entry of the file.
template <class... Objs>
void load_into(const std::filesystem::path& file, Objs&... objs) {
  namespace d = io::detail;
  const std::vector<unsigned char> bytes = d::read_checkpoint_file(file);

  // The objects' tensors by name, each with its entry once found.
  struct wanted {
    std::uint64_t rows, cols;
    std::uint32_t dtype;
    bool found = false;
    d::entry entry{};
  };
  std::deque<std::string> names;  // the keys' storage: a deque never moves its elements
  std::unordered_map<std::string_view, wanted> index;
  d::problem_list problems;
  const auto survey = [&](const auto& name, auto&& tensor) {
    using S = typename std::remove_cvref_t<decltype(tensor)>::Scalar;
    const std::string& n = names.emplace_back(name);
    const wanted w{static_cast<std::uint64_t>(tensor.rows()),
                   static_cast<std::uint64_t>(tensor.cols()), d::dtype_code<S>()};
    if (!index.emplace(n, w).second) {  // reported once, and matched once
      problems.add([&] { return "two tensors of the objects loaded are named " + n; });
      names.pop_back();
    }
  };
  (objs.for_each_tensor(survey), ...);

  // The entries: each claims its tensor, or is unexpected (counted; the
  // first few are kept to be described).
  d::entry unexpected[8];
  std::size_t unexpected_count = 0;
  d::for_each_entry(file, bytes, [&](const d::entry& e) {
    const auto it = index.find(e.name);
    if (it == index.end()) {
      if (unexpected_count < std::size(unexpected)) unexpected[unexpected_count] = e;
      ++unexpected_count;
      return;
    }
    if (it->second.found) d::fail(file, "malformed: two entries are named " + std::string(e.name));
    it->second.entry = e;
    it->second.found = true;
  });
  // Entries not named like a tensor of the objects are not checked for
  // repeated names: the load fails on them either way.

  // Every tensor matched to its entry before any is written.
  for (const std::string& n : names) {
    const wanted& w = index.find(n)->second;
    const d::entry& e = w.entry;
    const auto expected = [&] { return d::describe(w.rows, w.cols, w.dtype); };
    if (!w.found)
      problems.add(
          [&] { return "parameter " + n + ": expected " + expected() + ", not in the file"; });
    else if (e.rows != w.rows || e.cols != w.cols || e.dtype != w.dtype)
      problems.add([&] {
        return "parameter " + n + ": expected " + expected() + ", found " +
               d::describe(e.rows, e.cols, e.dtype);
      });
  }
  const std::size_t described = std::min(unexpected_count, std::size(unexpected));
  for (std::size_t i = 0; i < described; ++i)
    problems.add([&] {
      const d::entry& e = unexpected[i];
      return "parameter " + std::string(e.name) + ": unexpected, found " +
             d::describe(e.rows, e.cols, e.dtype) +
             " in the file, and no tensor of that name in the objects loaded";
    });
  problems.count_more(unexpected_count - described);
  if (!problems.empty()) d::fail(file, problems.message());

  // Every tensor has its entry, of its shape and type: copy, which cannot fail.
  const auto copy = [&](const auto& name, auto&& tensor) {
    using T = std::remove_cvref_t<decltype(tensor)>;
    using S = typename T::Scalar;
    const unsigned char* in = index.find(std::string_view(name))->second.entry.data;
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
  using const_objects = meta::cat_t<meta::keep_if<std::is_const_v<Objs>, Objs>...>;
  if constexpr (meta::apply<check::loaded_objects_are_mutable, const_objects>::type::check())
    io::detail::load_into(file, objs...);
}

}  // namespace tapeless
