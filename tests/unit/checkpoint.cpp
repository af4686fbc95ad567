// Checkpoints (io/checkpoint.hpp): the bytes of the format against
// docs/checkpoint-format.md, bit-exact round trips, every way a load can be
// refused (each refusal names file, tensor and shapes, and changes nothing),
// atomic saves that leave no temporary file behind, and what loading costs
// in memory.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <tapeless/activations/relu.hpp>
#include <tapeless/io/checkpoint.hpp>
#include <tapeless/model.hpp>

#if TAPELESS_IO_POSIX
#include <sys/stat.h>
#include <sys/wait.h>
#endif

#include "counting_new.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"
#include "weights_io_support.hpp"  // snapshot(), read_bytes(), write_bytes()

namespace tl = tapeless;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace tapeless_test;

namespace {

using small_a = tl::model<struct a, float, tl::Dense<3, 4, tl::ReLU>, tl::Dense<4, 2>>;
using small_b = tl::model<struct b, double, tl::Dense<2, 3>>;

// What an optimizer will look like to a checkpoint: an int64 step counter,
// a row-major matrix and a strided Map handed over as an rvalue, which go
// through the element-by-element path.
struct fake_optimizer {
  Eigen::Matrix<std::int64_t, 1, 1> step = Eigen::Matrix<std::int64_t, 1, 1>::Constant(41);
  Eigen::Matrix<double, 3, 2, Eigen::RowMajor> m = pattern(3, 2, 9.0);
  std::vector<float> storage = std::vector<float>(12, 0.5f);  // 2x3 with outer stride 4

  template <class F>
  void for_each_tensor(F&& f) {
    f(std::string("opt.step"), step);
    f(std::string("opt.m"), m);
    f(std::string("opt.v"), Eigen::Map<Eigen::MatrixXf, 0, Eigen::OuterStride<>>(
                                storage.data(), 2, 3, Eigen::OuterStride<>(4)));
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("opt.step"), step);
    f(std::string("opt.m"), m);
    f(std::string("opt.v"), Eigen::Map<const Eigen::MatrixXf, 0, Eigen::OuterStride<>>(
                                storage.data(), 2, 3, Eigen::OuterStride<>(4)));
  }
};

// A scratch directory named after this file.
struct checkpoint_dir : scratch_dir {
  checkpoint_dir() : scratch_dir("checkpoint") {}
};

// An independent writer of the documented format, for hand-made files.
struct file_builder {
  std::vector<unsigned char> body{0x89, 'T', 'L', 'C', 'K', '\r', '\n', 0x1A};
  std::uint32_t count = 0;
  template <class U>
  void le(U v) {
    for (std::size_t k = 0; k < sizeof(U); ++k) body.push_back((unsigned char)(v >> (8 * k)));
  }
  file_builder() { le<std::uint32_t>(1), le<std::uint32_t>(0), le<std::uint64_t>(0); }
  void entry(const std::string& name, std::uint32_t dtype, std::uint64_t rows, std::uint64_t cols,
             const std::vector<std::uint32_t>& words) {
    le<std::uint32_t>(std::uint32_t(name.size()));
    body.insert(body.end(), name.begin(), name.end());
    le(dtype), le(rows), le(cols);
    for (auto w : words) le(w);
    ++count;
  }
  std::vector<unsigned char> finish() {
    std::vector<unsigned char> f = body;
    for (int k = 0; k < 4; ++k) f[12 + k] = (unsigned char)(count >> (8 * k));
    const std::uint64_t size = f.size() + 4;
    for (int k = 0; k < 8; ++k) f[16 + k] = (unsigned char)(size >> (8 * k));
    const std::uint32_t crc = tl::io::detail::crc32_of(f.data(), f.size());
    for (int k = 0; k < 4; ++k) f.push_back((unsigned char)(crc >> (8 * k)));
    return f;
  }
};

struct one_tensor {
  Eigen::Matrix<float, 1, 2> t{1.0f, -2.0f};
  template <class F>
  void for_each_tensor(F&& f) {
    f(std::string("t"), t);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("t"), t);
  }
};

// Throws from its second for_each_tensor call on: a failure in the middle
// of a save.
struct fails_midway {
  mutable int calls = 0;
  Eigen::Matrix<float, 2, 2> t = Eigen::Matrix<float, 2, 2>::Ones();
  template <class F>
  void for_each_tensor(F&& f) {
    f(std::string("t"), t);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    if (++calls > 1) throw std::runtime_error("midway");
    f(std::string("t"), t);
  }
};

// The message of the checkpoint_error that loading `file` into `objs` throws.
template <class... Objs>
std::string load_error(const fs::path& file, Objs&... objs) {
  try {
    tl::load(file, objs...);
  } catch (const tl::checkpoint_error& e) {
    return e.what();
  }
  return "no checkpoint_error";
}

// The bytes asked of operator new while loading `file` into `objs`, whether
// the load succeeds or throws checkpoint_error.
template <class... Objs>
std::size_t bytes_to_load(const fs::path& file, Objs&... objs) {
  return counting::bytes_during([&] {
    try {
      tl::load(file, objs...);
    } catch (const tl::checkpoint_error&) {
    }
  });
}

// One big tensor: 512 x 512 float32, 1 MiB.
struct big_tensor {
  Eigen::MatrixXf t = Eigen::MatrixXf::Constant(512, 512, 0.25f);
  template <class F>
  void for_each_tensor(F&& f) {
    f(std::string("big"), t);
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f(std::string("big"), t);
  }
};

}  // namespace

TEST_CASE("crc32: the standard check value", "[checkpoint]") {
  CHECK(tl::io::detail::crc32_of("123456789", 9) == 0xCBF43926u);
  CHECK(tl::io::detail::crc32_of("", 0) == 0u);
}

TEST_CASE("save writes the documented format", "[checkpoint]") {
  checkpoint_dir dir;
  const fs::path file = dir.path / "one.tlck";
  tl::save(file, one_tensor{});
  file_builder expected;
  expected.entry("t", 1, 1, 2,
                 {std::bit_cast<std::uint32_t>(1.0f), std::bit_cast<std::uint32_t>(-2.0f)});
  CHECK(read_bytes(file) == expected.finish());
  CHECK(read_bytes(file).size() == 24 + (4 + 1 + 20 + 8) + 4);
}

TEST_CASE("round trip is bit-exact: two models and optimizer-like state", "[checkpoint]") {
  checkpoint_dir dir;
  const fs::path file = dir.path / "run.tlck";
  small_a ma;
  small_b mb;
  fake_optimizer opt;
  fill_parameters(ma, 1.0);
  fill_parameters(mb, 5.0);
  // Values a text format or a careless conversion would lose.
  auto& w = ma.layer<0>().weight.value;
  w(0, 0) = std::bit_cast<float>(0x7fc01234u);  // quiet NaN with a payload
  w(1, 0) = std::numeric_limits<float>::denorm_min();
  w(2, 0) = -0.0f;
  w(0, 1) = -std::numeric_limits<float>::infinity();
  w(1, 1) = std::numeric_limits<float>::max();
  mb.layer<0>().bias.value(0, 1) = std::bit_cast<double>(0xfff0000000000abcull);  // -NaN
  mb.layer<0>().bias.value(0, 2) = -std::numeric_limits<double>::denorm_min();
  opt.step(0, 0) = std::numeric_limits<std::int64_t>::min() + 3;
  opt.m(2, 1) = -0.0;
  opt.storage[5] = std::bit_cast<float>(0xff812345u);  // NaN, negative
  opt.storage[3] = 99.0f;                              // outside the Map: never saved

  tl::save(file, ma, mb, opt);

  small_a ma2;
  small_b mb2;
  fake_optimizer opt2;
  tl::load(file, ma2, mb2, opt2);
  const auto before = snapshot(ma, mb, opt);
  const auto after = snapshot(ma2, mb2, opt2);
  REQUIRE(before.size() == after.size());
  CHECK(std::memcmp(before.data(), after.data(), before.size()) == 0);
  CHECK(opt2.step(0, 0) == std::numeric_limits<std::int64_t>::min() + 3);
  CHECK(std::bit_cast<std::uint32_t>(ma2.layer<0>().weight.value(0, 0)) == 0x7fc01234u);
  CHECK(std::signbit(ma2.layer<0>().weight.value(2, 0)));
  CHECK(opt2.storage[3] == 0.5f);

  // Objects may be passed in any order: entries are matched by name.
  small_a ma3;
  small_b mb3;
  fake_optimizer opt3;
  tl::load(file, opt3, mb3, ma3);
  CHECK(snapshot(ma3, mb3, opt3) == before);
}

TEST_CASE("load refuses other shapes and scalar types, naming both", "[checkpoint]") {
  checkpoint_dir dir;
  const fs::path file = dir.path / "a.tlck";
  small_a saved;
  fill_parameters(saved, 2.0);
  tl::save(file, saved);

  tl::model<struct a, float, tl::Dense<3, 5, tl::ReLU>, tl::Dense<5, 2>> wider;
  fill_parameters(wider, 3.0);
  const auto before = snapshot(wider);
  CHECK_THROWS_AS(tl::load(file, wider), tl::checkpoint_error);
  CHECK_THROWS_WITH(tl::load(file, wider),
                    Contains("tapeless: checkpoint " + file.string() + ": ") &&
                        Contains("parameter a.layer0.W: expected 3x5 float32, found 3x4 float32") &&
                        Contains("parameter a.layer0.b: expected 1x5 float32, found 1x4 float32") &&
                        Contains("parameter a.layer1.W: expected 5x2 float32, found 4x2 float32"));
  CHECK(snapshot(wider) == before);

  tl::model<struct a, double, tl::Dense<3, 4, tl::ReLU>, tl::Dense<4, 2>> in_double;
  CHECK_THROWS_WITH(tl::load(file, in_double),
                    Contains("parameter a.layer1.b: expected 1x2 float64, found 1x2 float32"));
  CHECK(snapshot(in_double) == snapshot(decltype(in_double){}));
}

TEST_CASE("load refuses missing and unexpected tensors", "[checkpoint]") {
  checkpoint_dir dir;
  const fs::path only_a = dir.path / "only_a.tlck";
  const fs::path both = dir.path / "both.tlck";
  small_a ma;
  small_b mb;
  fill_parameters(ma, 4.0);
  fill_parameters(mb, 6.0);
  tl::save(only_a, ma);
  tl::save(both, ma, mb);

  small_a ma2;
  small_b mb2;
  fill_parameters(ma2, 8.0);
  const auto before = snapshot(ma2, mb2);
  CHECK_THROWS_WITH(tl::load(only_a, ma2, mb2),
                    Contains(only_a.string()) &&
                        Contains("parameter b.layer0.W: expected 2x3 float64, not in the file"));
  CHECK_THROWS_WITH(
      tl::load(both, ma2),
      Contains(both.string()) && Contains("parameter b.layer0.b: unexpected, found 1x3 float64"));
  CHECK(snapshot(ma2, mb2) == before);

  // The same name twice: in one save, in one load, in a hand-made file.
  CHECK_THROWS_WITH(tl::save(dir.path / "twice.tlck", ma, ma),
                    Contains("two tensors are named a.layer0.W"));
  CHECK_FALSE(fs::exists(dir.path / "twice.tlck"));
  CHECK_THROWS_WITH(tl::load(both, ma2, mb2, ma2), Contains("two tensors of the objects"));
  // A tensor named twice is reported once as such, and matched once.
  const std::string twice = load_error(only_a, ma2, mb2, mb2);
  const auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = twice.find(what); at != std::string::npos; at = twice.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count("two tensors of the objects loaded are named b.layer0.W") == 1);
  CHECK(count("parameter b.layer0.W: expected 2x3 float64, not in the file") == 1);
  file_builder doubled;
  doubled.entry("t", 1, 1, 2, {0, 0});
  doubled.entry("t", 1, 1, 2, {0, 0});
  write_bytes(dir.path / "doubled.tlck", doubled.finish());
  one_tensor one;
  CHECK_THROWS_WITH(tl::load(dir.path / "doubled.tlck", one),
                    Contains("malformed: two entries are named t"));
  file_builder unknown;
  unknown.entry("t", 7, 1, 2, {0, 0});
  write_bytes(dir.path / "unknown.tlck", unknown.finish());
  CHECK_THROWS_WITH(tl::load(dir.path / "unknown.tlck", one),
                    Contains("malformed: entry 0: unknown dtype code 7"));
  CHECK(one.t(0, 1) == -2.0f);
}

TEST_CASE("load detects truncation at every length and any changed byte", "[checkpoint]") {
  checkpoint_dir dir;
  const fs::path good = dir.path / "good.tlck";
  const fs::path bad = dir.path / "bad.tlck";
  small_a ma;
  small_b mb;
  fill_parameters(ma, 1.5);
  fill_parameters(mb, 2.5);
  tl::save(good, ma, mb);
  const auto bytes = read_bytes(good);
  REQUIRE(bytes.size() > 200);

  small_a target_a;
  small_b target_b;
  fill_parameters(target_a, 7.5);
  const auto before = snapshot(target_a, target_b);

  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    INFO("file cut to " << cut << " of " << bytes.size() << " bytes");
    write_bytes(bad, {bytes.begin(), bytes.begin() + std::ptrdiff_t(cut)});
    CHECK_THROWS_WITH(tl::load(bad, target_a, target_b),
                      Contains("checkpoint " + bad.string() + ": truncated"));
  }
  CHECK(snapshot(target_a, target_b) == before);

  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (unsigned char flip : {0x01, 0x80}) {
      INFO("byte " << at << " xor " << int(flip));
      auto changed = bytes;
      changed[at] ^= flip;
      write_bytes(bad, changed);
      CHECK_THROWS_AS(tl::load(bad, target_a, target_b), tl::checkpoint_error);
    }
  }
  CHECK(snapshot(target_a, target_b) == before);

  // A body byte changed: the checksum says so.
  auto changed = bytes;
  changed[100] ^= 0x10;
  write_bytes(bad, changed);
  CHECK_THROWS_WITH(tl::load(bad, target_a, target_b),
                    Contains(bad.string()) && Contains("corrupted: checksum mismatch"));
  // Bytes appended.
  changed = bytes;
  changed.push_back(0);
  write_bytes(bad, changed);
  CHECK_THROWS_WITH(tl::load(bad, target_a, target_b),
                    Contains("corrupted: the file has " + std::to_string(bytes.size() + 1) +
                             " bytes, its header says " + std::to_string(bytes.size())));
  CHECK(snapshot(target_a, target_b) == before);
  tl::load(good, target_a, target_b);
  CHECK(snapshot(target_a, target_b) == snapshot(ma, mb));
}

TEST_CASE("load refuses other files: wrong magic, other version, missing", "[checkpoint]") {
  checkpoint_dir dir;
  small_a ma;
  const fs::path text = dir.path / "notes.txt";
  write_bytes(text, {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
  CHECK_THROWS_AS(tl::load(text, ma), tl::checkpoint_error);
  CHECK_THROWS_WITH(tl::load(text, ma),
                    Contains("tapeless: checkpoint " + text.string() +
                             ": not a tapeless checkpoint (wrong magic bytes)"));

  const fs::path future = dir.path / "future.tlck";
  tl::save(future, ma);
  auto bytes = read_bytes(future);
  bytes[8] = 2;
  write_bytes(future, bytes);
  CHECK_THROWS_WITH(tl::load(future, ma), Contains(future.string()) &&
                                              Contains("unsupported format version 2") &&
                                              Contains("reads version 1"));

  const fs::path missing = dir.path / "missing.tlck";
  CHECK_THROWS_AS(tl::load(missing, ma), tl::checkpoint_error);
  CHECK_THROWS_WITH(tl::load(missing, ma), Contains(missing.string()) &&
                                               Contains("cannot open for reading") &&
                                               Contains("No such file"));
  CHECK_THROWS_WITH(tl::load(dir.path, ma), Contains("tapeless: checkpoint " + dir.path.string()));
}

TEST_CASE("save is atomic and leaves no temporary file", "[checkpoint]") {
  checkpoint_dir dir;
  const fs::path file = dir.path / "run.tlck";
  small_a first, second, loaded;
  fill_parameters(first, 1.0);
  fill_parameters(second, 2.0);
  tl::save(file, first);
  tl::save(file, second);  // over the existing file
  CHECK(dir.files() == std::vector<fs::path>{file});
  tl::load(file, loaded);
  CHECK(snapshot(loaded) == snapshot(second));
  const auto saved = read_bytes(file);

  // The target's directory does not exist.
  const fs::path nowhere = dir.path / "no" / "such" / "dir.tlck";
  CHECK_THROWS_AS(tl::save(nowhere, first), tl::checkpoint_error);
  CHECK_THROWS_WITH(tl::save(nowhere, first),
                    Contains("tapeless: checkpoint " + nowhere.string()) &&
                        Contains("cannot create the temporary file") && Contains("No such file"));
  CHECK_FALSE(fs::exists(dir.path / "no"));

  // The rename fails (the target is a directory, not empty): the temporary
  // file, complete by then, is removed.
  const fs::path occupied = dir.path / "occupied";
  fs::create_directories(occupied / "inside");
  CHECK_THROWS_WITH(tl::save(occupied, first),
                    Contains(occupied.string()) && Contains("cannot replace the file"));
  CHECK(fs::is_directory(occupied / "inside"));

  // The objects fail in the middle of writing: the old file stays.
  fails_midway failing;
  CHECK_THROWS_WITH(tl::save(file, failing), Contains("midway"));
  CHECK(read_bytes(file) == saved);
  auto files = dir.files();
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<fs::path>{occupied, file});
}

TEST_CASE("load checks the header before reading on, and reads what it declares once",
          "[checkpoint]") {
  checkpoint_dir dir;
  one_tensor one;
  // 64 GiB (sparse, so it takes no room) that are not a checkpoint: refused
  // after the first bytes, with nothing allocated for the rest.
  const fs::path huge = dir.path / "huge.bin";
  write_bytes(huge, {'h', 'e', 'l', 'l', 'o', '\n'});
  fs::resize_file(huge, std::uintmax_t(64) << 30);
  CHECK(load_error(huge, one) == "tapeless: checkpoint " + huge.string() +
                                     ": not a tapeless checkpoint (wrong magic bytes)");
  CHECK(bytes_to_load(huge, one) < 4096);
  // A header that says another size: refused before the rest is read.
  const fs::path good = dir.path / "big.tlck";
  big_tensor big;
  tl::save(good, big);
  const auto bytes = read_bytes(good);
  auto longer = bytes;
  longer.resize(bytes.size() + (std::size_t(1) << 20));
  write_bytes(huge, longer);
  CHECK(load_error(huge, big) == "tapeless: checkpoint " + huge.string() +
                                     ": corrupted: the file has " + std::to_string(longer.size()) +
                                     " bytes, its header says " + std::to_string(bytes.size()));
  CHECK(bytes_to_load(huge, big) < 4096);
  // A valid file is read into memory once: no buffer that grows and copies.
  big.t.setZero();
  const std::size_t used = bytes_to_load(good, big);
  CHECK(big.t(511, 511) == 0.25f);
  CHECK(used >= bytes.size());
  CHECK(used < bytes.size() + 4096);
}

#if TAPELESS_IO_POSIX
TEST_CASE("load refuses what is not a regular file, without blocking", "[checkpoint]") {
  checkpoint_dir dir;
  one_tensor one;
  const auto refused = [&](const fs::path& file, const std::string& kind) {
    CHECK_THROWS_AS(tl::load(file, one), tl::checkpoint_error);
    CHECK(load_error(file, one) == "tapeless: checkpoint " + file.string() +
                                       ": cannot read: not a regular file (" + kind + ")");
  };
  refused("/dev/zero", "a character device");  // never ends
  const fs::path fifo = dir.path / "pipe.tlck";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  refused(fifo, "a FIFO");  // no writer: opening it for reading would block
  refused(dir.path, "a directory");
  CHECK(one.t(0, 1) == -2.0f);
}
#endif

TEST_CASE("load counts the problems it does not describe", "[checkpoint]") {
  // Every entry unexpected: the message describes eight problems and counts
  // the rest, without building a description (or an index) for each entry.
  checkpoint_dir dir;
  const fs::path file = dir.path / "many.tlck";
  file_builder many;
  const std::uint32_t n = 100000;
  for (std::uint32_t i = 0; i < n; ++i) many.entry("u" + std::to_string(i), 1, 1, 1, {0});
  write_bytes(file, many.finish());
  const std::size_t size = many.body.size() + 4;
  one_tensor one;
  const std::string what = load_error(file, one);
  CHECK_THAT(what, Contains("parameter t: expected 1x2 float32, not in the file; parameter u0: "
                            "unexpected, found 1x1 float32 in the file") &&
                       Contains("; parameter u6: unexpected") && !Contains("parameter u7:") &&
                       Contains("; and " + std::to_string(n + 1 - 8) + " more"));
  CHECK(what.size() < 1000);
  CHECK(bytes_to_load(file, one) < size + 16384);  // the file, and not a byte per entry
}

#if TAPELESS_IO_POSIX
TEST_CASE("save removes the temporary files of saves that were killed", "[checkpoint]") {
  checkpoint_dir dir;
  const fs::path file = dir.path / "run.tlck";
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof host - 1) == 0);
  // A process that is gone, as one killed while saving would be.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  REQUIRE(::waitpid(child, nullptr, 0) == child);
  const auto temporary = [&](const fs::path& target, const std::string& who, long pid) {
    const fs::path p = target.string() + ".tmp-" + who + "-" + std::to_string(pid) + "-3";
    write_bytes(p, {1, 2, 3});
    return p;
  };
  const fs::path stale = temporary(file, host, child);
  const fs::path live = temporary(file, host, ::getppid());         // still running
  const fs::path other_host = temporary(file, "elsewhere", child);  // not ours to judge
  const fs::path other_target = temporary(dir.path / "other.tlck", host, child);
  const fs::path unrelated = dir.path / (file.filename().string() + ".tmp-notes");
  write_bytes(unrelated, {4});

  small_a ma;
  tl::save(file, ma);
  auto files = dir.files();
  std::sort(files.begin(), files.end());
  auto expected = std::vector<fs::path>{file, live, other_host, other_target, unrelated};
  std::sort(expected.begin(), expected.end());
  CHECK(files == expected);
  CHECK_FALSE(fs::exists(stale));
}

TEST_CASE("save through a symbolic link replaces the file it points to", "[checkpoint]") {
  checkpoint_dir dir;
  fs::create_directories(dir.path / "runs");
  const fs::path real = dir.path / "runs" / "real.tlck";
  const fs::path link = dir.path / "latest.tlck";
  fs::create_symlink(fs::path("runs") / "real.tlck", link);  // relative, as ln -s makes
  const fs::path chained = dir.path / "chained.tlck";
  fs::create_symlink("latest.tlck", chained);  // a link to the link
  small_a first, second, loaded;
  fill_parameters(first, 1.0);
  fill_parameters(second, 2.0);

  tl::save(link, first);  // the link dangles: the file it names is created
  CHECK(fs::is_symlink(link));
  CHECK(fs::is_regular_file(fs::symlink_status(real)));
  tl::load(real, loaded);
  CHECK(snapshot(loaded) == snapshot(first));

  tl::save(chained, second);
  CHECK(fs::is_symlink(chained));
  CHECK(fs::is_symlink(link));
  tl::load(real, loaded);
  CHECK(snapshot(loaded) == snapshot(second));
  // No temporary left, in either directory.
  CHECK(dir.files().size() == 3);
  CHECK(fs::directory_iterator(dir.path / "runs")->path() == real);
  CHECK(std::distance(fs::directory_iterator(dir.path / "runs"), fs::directory_iterator()) == 1);

  // A link in a loop: refused, naming the path given.
  fs::create_symlink("loop_b.tlck", dir.path / "loop_a.tlck");
  fs::create_symlink("loop_a.tlck", dir.path / "loop_b.tlck");
  CHECK_THROWS_WITH(tl::save(dir.path / "loop_a.tlck", first),
                    Contains("tapeless: checkpoint " + (dir.path / "loop_a.tlck").string()) &&
                        Contains("too many levels of symbolic links"));
}
#endif
