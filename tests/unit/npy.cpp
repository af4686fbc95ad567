// NumPy files (io/npy.hpp): .npy bytes as NumPy writes them, bit-exact
// round trips through .npy and .npz, archives made by hand as another
// writer would make them, and every way a load is refused (each message
// names the file and the array, and nothing changes).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <tapeless/activations/relu.hpp>
#include <tapeless/io/npy.hpp>
#include <tapeless/model.hpp>

#include "scratch_dir.hpp"
#include "weights_io_support.hpp"

namespace tl = tapeless;
namespace fs = std::filesystem;
using namespace tapeless_test;

namespace {

using small_a = tl::model<struct a, float, tl::Dense<3, 4, tl::ReLU>, tl::Dense<4, 2>>;

struct dir : scratch_dir {
  dir() : scratch_dir("npy") {}
};

// An .npy file from a header dict and data bytes (version 1.0, padded to 64
// as NumPy does).
std::vector<unsigned char> npy_of(std::string dict, const std::vector<unsigned char>& data,
                                  unsigned char major = 1) {
  const std::size_t preamble = major == 1 ? 10 : 12;
  dict.append((64 - (preamble + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::vector<unsigned char> out{0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  if (major == 1)
    append_le<std::uint16_t>(out, std::uint16_t(dict.size()));
  else
    append_le<std::uint32_t>(out, std::uint32_t(dict.size()));
  append(out, dict);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// The pieces of a ZIP archive, as Python's zipfile writes them for stored
// members; `method` 8 marks a member as deflated (its bytes unchanged).
std::vector<unsigned char> zip_header(bool central, const std::string& name,
                                      const std::vector<unsigned char>& bytes,
                                      std::uint16_t method = 0, std::uint32_t offset = 0) {
  std::vector<unsigned char> v;
  append_le<std::uint32_t>(v, central ? 0x02014b50 : 0x04034b50);
  if (central) append_le<std::uint16_t>(v, 20);
  append_le<std::uint16_t>(v, 20);
  append_le<std::uint16_t>(v, 0);
  append_le<std::uint16_t>(v, method);
  append_le<std::uint32_t>(v, 0);  // time, date
  append_le<std::uint32_t>(v, tl::io::detail::crc32_of(bytes.data(), bytes.size()));
  append_le<std::uint32_t>(v, std::uint32_t(bytes.size()));
  append_le<std::uint32_t>(v, std::uint32_t(bytes.size()));
  append_le<std::uint16_t>(v, std::uint16_t(name.size()));
  append_le<std::uint16_t>(v, 0);
  if (central) {
    for (int k = 0; k < 3; ++k) append_le<std::uint16_t>(v, 0);  // comment, disk, internal
    append_le<std::uint32_t>(v, 0);
    append_le<std::uint32_t>(v, offset);
  }
  append(v, name);
  return v;
}

// The central directory `directory` of `count` members appended at the
// end of `out`, and the end record.
void finish_zip(std::vector<unsigned char>& out, const std::vector<unsigned char>& directory,
                std::size_t count) {
  const auto directory_offset = std::uint32_t(out.size());
  out.insert(out.end(), directory.begin(), directory.end());
  append_le<std::uint32_t>(out, 0x06054b50);
  append_le<std::uint32_t>(out, 0);
  append_le<std::uint16_t>(out, std::uint16_t(count));
  append_le<std::uint16_t>(out, std::uint16_t(count));
  append_le<std::uint32_t>(out, std::uint32_t(directory.size()));
  append_le<std::uint32_t>(out, directory_offset);
  append_le<std::uint16_t>(out, 0);
}

// A ZIP archive of (name, bytes) members.
std::vector<unsigned char> zip_of(
    const std::vector<std::pair<std::string, std::vector<unsigned char>>>& members,
    std::uint16_t method = 0) {
  std::vector<unsigned char> out, directory;
  for (const auto& [name, bytes] : members) {
    const auto c = zip_header(true, name, bytes, method, std::uint32_t(out.size()));
    directory.insert(directory.end(), c.begin(), c.end());
    const auto l = zip_header(false, name, bytes, method);
    out.insert(out.end(), l.begin(), l.end());
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  finish_zip(out, directory, members.size());
  return out;
}

std::vector<unsigned char> f32s(std::initializer_list<float> vs) {
  std::vector<unsigned char> out;
  for (float v : vs) append_f32(out, v);
  return out;
}

}  // namespace

TEST_CASE("npy: the bytes are NumPy's (np.save of a C-order float32 array)") {
  dir d;
  Eigen::Matrix<float, 2, 3> m;
  m << 1, 2, 3, 4, 5, 6;
  tl::io::save_npy(d.path / "m.npy", m);
  // What np.save(f, np.arange(1, 7, dtype='<f4').reshape(2, 3)) writes.
  const auto expected = npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                               f32s({1, 2, 3, 4, 5, 6}));
  CHECK(expected.size() == 128 + 24);
  CHECK(read_bytes(d.path / "m.npy") == expected);

  Eigen::Matrix<std::int64_t, 1, 3> v(1, -2, 3);
  tl::io::save_npy(d.path / "v.npy", tl::io::as_vector(v));
  std::vector<unsigned char> ints;
  for (std::int64_t k : {1, -2, 3}) append_le(ints, std::uint64_t(k));
  CHECK(read_bytes(d.path / "v.npy") ==
        npy_of("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", ints));
}

TEST_CASE("npy: round trips are bit-exact, and other writers' headers are read") {
  dir d;
  Eigen::Matrix<double, 3, 2> m = pattern(3, 2, 1.0);
  m(2, 1) = std::numeric_limits<double>::quiet_NaN();
  tl::io::save_npy(d.path / "m.npy", m);
  Eigen::Matrix<double, 3, 2> back = Eigen::Matrix<double, 3, 2>::Zero();
  tl::io::load_npy(d.path / "m.npy", back);
  CHECK(std::memcmp(back.data(), m.data(), sizeof m) == 0);

  // Version 2.0, double quotes, keys in another order, no trailing comma.
  write_bytes(
      d.path / "v2.npy",
      npy_of("{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"<f4\"}", f32s({3, 4}), 2));
  Eigen::Matrix<float, 1, 2> r;
  tl::io::load_npy(d.path / "v2.npy", r);
  CHECK(r == Eigen::Matrix<float, 1, 2>(3, 4));
}

TEST_CASE("npy: arrays tapeless does not read are refused, saying how to convert them") {
  dir d;
  const fs::path p = d.path / "x.npy";
  const std::string prefix = "tapeless: npy " + p.string() + ": ";
  Eigen::Matrix<float, 2, 2> t = Eigen::Matrix<float, 2, 2>::Constant(9);
  const auto refusal = [&](const std::vector<unsigned char>& bytes) {
    write_bytes(p, bytes);
    const std::string m = error_of([&] { tl::io::load_npy(p, t); });
    CHECK(t == Eigen::Matrix<float, 2, 2>::Constant(9));
    return m.compare(0, prefix.size(), prefix) == 0 ? m.substr(prefix.size()) : m;
  };
  const auto data = f32s({1, 2, 3, 4});
  CHECK(refusal(npy_of("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data)) ==
        "fortran_order is True: tapeless reads C-order arrays; save np.ascontiguousarray(a) "
        "instead");
  CHECK(refusal(npy_of("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", data)) ==
        "big-endian dtype '>f4': tapeless reads little-endian arrays; save a.astype('<f4') "
        "instead");
  CHECK(refusal(npy_of("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", data)) ==
        "expected [2, 2] <f4, found [2, 1] <f8");
  CHECK(refusal(npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", data)) ==
        "expected [2, 2] <f4, found [4] <f4");
  CHECK(refusal(npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data)) ==
        "truncated: shape [2, 3] of <f4 needs 24 bytes of data, and there are 16");
  CHECK(refusal(npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }", data)) ==
        "corrupted: shape [1, 3] of <f4 needs 12 bytes of data, and there are 16");
  CHECK(
      refusal(npy_of("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", data)) ==
      "header: 'descr' is not a string (structured arrays are not supported)");
  CHECK(refusal(npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1}",
                       data)) == "header: unexpected or repeated key 'x'");
  CHECK(refusal(npy_of("{'descr': '<f4', 'shape': (2, 2), }", data)) ==
        "header: 'descr', 'fortran_order' and 'shape' are all required");
  CHECK(refusal({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}) ==
        "not a NumPy .npy array (wrong magic bytes)");
  CHECK(refusal({0x93, 'N', 'U', 'M', 'P', 'Y', 4, 0, 0, 0, 0, 0}) ==
        "unsupported .npy format version 4.0 (tapeless reads 1.0, 2.0 and 3.0)");
  CHECK(refusal({0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xFF, 0xFF, '{', '}'}) ==
        "truncated: the header length is 65535 bytes, and there are 2 after it");
  CHECK(refusal({0x93, 'N', 'U', 'M'}) == "truncated: 4 bytes, fewer than an .npy header");
}

TEST_CASE("npz: round trips are bit-exact, and np.load names each array") {
  dir d;
  small_a a;
  assorted_tensors o;
  fill_parameters(a, 5.0);
  o.step(0, 0) = -7;
  const auto before = snapshot(a, o);
  tl::io::save_npz(d.path / "all.npz", a, o);
  small_a a2;
  assorted_tensors o2;
  o2.step(0, 0) = 0;
  o2.m.setZero();
  o2.v.setZero();
  o2.storage.assign(12, 0.f);
  tl::io::load_npz(d.path / "all.npz", a2, o2);
  CHECK(snapshot(a2, o2) == before);

  // Each member is the .npy of its tensor, named "<name>.npy".
  const auto bytes = read_bytes(d.path / "all.npz");
  const auto members = tl::io::detail::read_zip(bytes, [](const std::string& m) { FAIL(m); });
  REQUIRE(members.size() == 8);
  CHECK(members[0].name == "a.layer0.W.npy");
  CHECK(members[7].name == "opt.vector.npy");
  tl::io::save_npy(d.path / "w.npy", a.layer<0>().weight.value);
  const auto w = read_bytes(d.path / "w.npy");
  CHECK(std::vector<unsigned char>(
            bytes.begin() + std::ptrdiff_t(members[0].data_begin),
            bytes.begin() + std::ptrdiff_t(members[0].data_begin + members[0].size)) == w);
}

TEST_CASE("npz: archives tapeless does not read, or that do not match, are refused") {
  dir d;
  const fs::path p = d.path / "x.npz";
  const std::string prefix = "tapeless: npz " + p.string() + ": ";
  small_a a;
  fill_parameters(a, 6.0);
  const auto before = snapshot(a);
  const auto refusal = [&](const std::vector<unsigned char>& bytes) {
    write_bytes(p, bytes);
    const std::string m = error_of([&] { tl::io::load_npz(p, a); });
    CHECK(snapshot(a) == before);
    return m.compare(0, prefix.size(), prefix) == 0 ? m.substr(prefix.size()) : m;
  };
  const auto w = npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
                        std::vector<unsigned char>(48, 0));
  const auto b0 = npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }",
                         std::vector<unsigned char>(16, 0));
  const auto w1 = npy_of("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }",
                         std::vector<unsigned char>(32, 0));
  const auto b1 = npy_of("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                         std::vector<unsigned char>(16, 0));
  CHECK(refusal(zip_of({{"a.layer0.W.npy", w},
                        {"a.layer0.b.npy", b0},
                        {"a.layer1.W.npy", w1},
                        {"a.layer1.b.npy", b1},
                        {"extra.npy", b0}})) ==
        "tensor a.layer1.b: expected [1, 2] <f4, found [2] <f8; tensor extra: unexpected, found "
        "[1, 4] <f4 in the file, and no tensor of that name in the objects loaded");
  CHECK(refusal(zip_of({{"a.layer0.W.npy", w}})) ==
        "tensor a.layer0.b: expected [1, 4] <f4, not in the file; tensor a.layer1.W: expected "
        "[4, 2] <f4, not in the file; tensor a.layer1.b: expected [1, 2] <f4, not in the file");
  CHECK(refusal(zip_of({{"a.layer0.W.npy", w}}, 8)) ==
        "member a.layer0.W.npy is compressed (deflate): tapeless reads uncompressed .npz files, "
        "as np.savez writes them, not np.savez_compressed");
  CHECK(refusal(zip_of({{"a.layer0.W.npy", w}, {"a.layer0.W.npy", w}})) ==
        "two members are named a.layer0.W.npy");
  CHECK(refusal(zip_of({{"notes.txt", b0}})) ==
        "member notes.txt is not an .npy array (its name does not end in .npy)");
  CHECK(refusal(zip_of(
            {{"a.layer0.W.npy", npy_of("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 4), }",
                                       std::vector<unsigned char>(48, 0))}})) ==
        "member a.layer0.W.npy: fortran_order is True: tapeless reads C-order arrays; save "
        "np.ascontiguousarray(a) instead");

  // Two directory entries for one local header: the second's offset moved
  // onto the first member.
  auto shared = zip_of({{"a.layer0.W.npy", w}, {"a.layer0.W.npy", w}});
  const std::size_t second_entry = 2 * (30 + 14 + w.size()) + 46 + 14;
  for (int k = 0; k < 4; ++k) shared[second_entry + 42 + std::size_t(k)] = 0;
  CHECK(refusal(shared) == "corrupted: members a.layer0.W.npy and a.layer0.W.npy overlap");

  // A member's local header that starts inside the data of the member
  // before it, its data after that member's end: the bytes are shared.
  {
    auto first = w;
    const auto second_local = zip_header(false, "a.layer0.b.npy", b0);
    std::copy(second_local.begin(), second_local.begin() + 10, first.end() - 10);
    std::vector<unsigned char> z = zip_header(false, "a.layer0.W.npy", first);
    const auto second_offset = std::uint32_t(z.size() + first.size() - 10);
    z.insert(z.end(), first.begin(), first.end());
    z.insert(z.end(), second_local.begin() + 10, second_local.end());
    z.insert(z.end(), b0.begin(), b0.end());
    auto directory = zip_header(true, "a.layer0.W.npy", first, 0, 0);
    const auto second = zip_header(true, "a.layer0.b.npy", b0, 0, second_offset);
    directory.insert(directory.end(), second.begin(), second.end());
    finish_zip(z, directory, 2);
    CHECK(refusal(z) == "corrupted: members a.layer0.W.npy and a.layer0.b.npy overlap");
  }

  auto damaged = zip_of({{"a.layer0.W.npy", w}});
  damaged[30 + 14 + 128 + 5] ^= 1;  // a data byte of the member
  CHECK(refusal(damaged).rfind("corrupted: member a.layer0.W.npy: checksum mismatch (stored 0x",
                               0) == 0);
  auto cut = zip_of({{"a.layer0.W.npy", w}});
  cut.resize(cut.size() - 3);
  CHECK(refusal(cut) == "not a .npz (ZIP) archive: no end of central directory record");
  CHECK(refusal({1, 2, 3}) == "not a .npz (ZIP) archive: 3 bytes");
  auto misplaced = zip_of({{"a.layer0.W.npy", w}});
  misplaced[misplaced.size() - 6] += 1;  // the central directory's offset
  CHECK(refusal(misplaced) == "corrupted: the central directory is not where the end record says");
}

TEST_CASE("npz: saving refuses repeated names and keeps the old file") {
  dir d;
  small_a a, again;
  const fs::path p = d.path / "a.npz";
  tl::io::save_npz(p, a);
  const auto old = read_bytes(p);
  CHECK(error_of([&] { tl::io::save_npz(p, a, again); }) ==
        "tapeless: npz " + p.string() +
            ": cannot save: two tensors are named a.layer0.W; names must be unique among the "
            "objects saved together");
  CHECK(read_bytes(p) == old);
  CHECK(d.files().size() == 1);
}
