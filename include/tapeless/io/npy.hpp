#pragma once

// NumPy's .npy (one array) and .npz (named arrays) files
// (docs/weights-formats.md):
//
//   tl::io::save_npy("w.npy", net.layer<0>().weight.value);   // np.load("w.npy")
//   tl::io::load_npy("w.npy", net.layer<0>().weight.value);
//   tl::io::save_npz("net.npz", net);                         // np.load("net.npz")["net.layer0.W"]
//   tl::io::load_npz("net.npz", net);                         // np.savez("net.npz", **arrays)
//
// An array's header is a Python dict literal with its dtype ('descr'),
// 'fortran_order' and 'shape'; then its elements. tapeless writes and reads
// little-endian float32, float64 and int64 ('<f4', '<f8', '<i8') in C order
// (fortran_order False), with shape (rows, cols), or (size,) for a tensor
// wrapped in io::as_vector; a big-endian or Fortran-order array is refused
// with a message that says how to convert it. A .npz file is a ZIP archive
// of .npy files, one per array, named "<name>.npy"; tapeless writes and
// reads uncompressed archives (what np.savez writes; np.savez_compressed's
// deflate would need zlib), checking every member's CRC-32.
//
// Loading is all or nothing and never resizes, as for checkpoints: every
// size a file declares is checked against the file's size before it is
// relied on, and every array matched by name, shape and dtype before the
// first value is written. Errors are checkpoint_error, "tapeless: npy
// <path>: ..." or "tapeless: npz <path>: ..." naming the array. Saves are
// atomic, as a checkpoint's.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/io/detail/crc32.hpp>
#include <tapeless/io/detail/tensor_files.hpp>

namespace tapeless::io {

namespace detail {

inline constexpr std::string_view npy_format = "npy";
inline constexpr std::string_view npz_format = "npz";
inline constexpr unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

struct npy_dtypes {
  template <class S>
  static constexpr std::string_view dtype() {
    constexpr std::uint32_t code = dtype_code<S>();
    return code == 1 ? "<f4" : code == 2 ? "<f8" : "<i8";
  }
};

// The element size of a NumPy dtype string such as '<f4' or '|u1' (the
// number after the kind letter), or 0 if it is not of that form.
inline std::uint64_t npy_dtype_size(std::string_view d) {
  if (d.size() < 3 || (d[0] != '<' && d[0] != '>' && d[0] != '|' && d[0] != '=')) return 0;
  std::uint64_t n = 0;
  for (char c : d.substr(2)) {
    if (c < '0' || c > '9' || n > 1'000'000) return 0;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// A parsed .npy header: the dtype and shape, and where the data starts.
struct npy_header {
  std::string dtype;
  shape_t shape;
  std::uint64_t data_offset;
};

// The Python literal of an .npy header, strictly: a dict of exactly the
// keys 'descr' (a string), 'fortran_order' (False) and 'shape' (a tuple of
// integers), then spaces and one newline. `fail(what)` does not return.
template <class Fail>
void parse_npy_dict(std::string_view s, npy_header& h, Fail&& fail) {
  std::size_t at = 0;
  const auto space = [&] {
    while (at < s.size() && s[at] == ' ') ++at;
  };
  const auto eat = [&](char c) {
    space();
    if (at < s.size() && s[at] == c) return ++at, true;
    return false;
  };
  const auto expect = [&](char c) {
    if (!eat(c))
      fail("header: expected '" + std::string(1, c) + "' at byte " + std::to_string(at) +
           " of the header");
  };
  const auto string = [&] {
    space();
    const char quote = at < s.size() ? s[at] : '\0';
    if (quote != '\'' && quote != '"') return std::optional<std::string>();
    const std::size_t end = s.find(quote, at + 1);
    if (end == std::string_view::npos) fail("header: unterminated string");
    std::string out(s.substr(at + 1, end - at - 1));
    at = end + 1;
    return std::optional<std::string>(std::move(out));
  };
  bool has_descr = false, has_order = false, has_shape = false;
  expect('{');
  while (!eat('}')) {
    const auto key = string();
    if (!key) fail("header: expected a quoted key at byte " + std::to_string(at));
    expect(':');
    space();
    if (*key == "descr" && !has_descr) {
      has_descr = true;
      const auto d = string();
      if (!d) fail("header: 'descr' is not a string (structured arrays are not supported)");
      h.dtype = *d;
    } else if (*key == "fortran_order" && !has_order) {
      has_order = true;
      if (s.substr(at, 4) == "True")
        fail(
            "fortran_order is True: tapeless reads C-order arrays; save "
            "np.ascontiguousarray(a) instead");
      if (s.substr(at, 5) != "False") fail("header: 'fortran_order' is not True or False");
      at += 5;
    } else if (*key == "shape" && !has_shape) {
      has_shape = true;
      expect('(');
      while (!eat(')')) {
        space();
        const std::size_t first = at;
        std::uint64_t n = 0;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
          if (n > (std::numeric_limits<std::uint64_t>::max() - 9) / 10)
            fail("header: a dimension is too large");
          n = n * 10 + static_cast<std::uint64_t>(s[at++] - '0');
        }
        if (at == first) fail("header: 'shape' must be a tuple of non-negative integers");
        h.shape.push_back(n);
        if (!eat(',')) {
          expect(')');
          break;
        }
      }
    } else {
      fail("header: unexpected or repeated key '" + *key + "'");
    }
    if (!eat(',')) {
      expect('}');
      break;
    }
  }
  if (!has_descr || !has_order || !has_shape)
    fail("header: 'descr', 'fortran_order' and 'shape' are all required");
  space();
  if (at + 1 != s.size() || s[at] != '\n')
    fail("header: expected spaces and a newline after the dict");
}

// How long the header of the .npy bytes `p` (of which `available` are at
// hand, of `total` in the array) is, magic and length included: 10 or 12
// bytes must be at hand. Checks the magic and the version.
template <class Fail>
std::uint64_t npy_preamble(const unsigned char* p, std::size_t available, std::uint64_t total,
                           Fail&& fail) {
  if (available < 8 || std::memcmp(p, npy_magic, 6) != 0) {
    if (std::memcmp(p, npy_magic, std::min<std::size_t>(available, 6)) != 0)
      fail("not a NumPy .npy array (wrong magic bytes)");
    fail("truncated: " + std::to_string(total) + " bytes, fewer than an .npy header");
  }
  const unsigned major = p[6], minor = p[7];
  if (major < 1 || major > 3 || minor != 0)
    fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
         " (tapeless reads 1.0, 2.0 and 3.0)");
  const std::size_t length_size = major == 1 ? 2 : 4;
  if (available < 8 + length_size)
    fail("truncated: " + std::to_string(total) + " bytes, fewer than an .npy header");
  const std::uint64_t length =
      major == 1 ? get_le<std::uint16_t>(p + 8) : get_le<std::uint32_t>(p + 8);
  const std::uint64_t header_total = 8 + length_size + length;
  if (header_total < 12) fail("header: too short to hold a dict");
  if (header_total > total)
    fail("truncated: the header length is " + std::to_string(length) + " bytes, and there are " +
         std::to_string(total - 8 - length_size) + " after it");
  return header_total;
}

// Parses the header text and checks the data's declared size against the
// `total` bytes of the array.
template <class Fail>
npy_header parse_npy_header(std::string_view text, std::uint64_t header_total, std::uint64_t total,
                            Fail&& fail) {
  npy_header h;
  h.data_offset = header_total;
  parse_npy_dict(text, h, fail);
  if (h.dtype.size() > 1 && h.dtype[0] == '>' && h.dtype != ">i1" && h.dtype != ">u1")
    fail("big-endian dtype '" + h.dtype +
         "': tapeless reads little-endian arrays; save a.astype('<" + h.dtype.substr(1) +
         "') instead");
  const std::uint64_t element = npy_dtype_size(h.dtype);
  if (element == 0) fail("unsupported dtype '" + h.dtype + "'");
  const std::uint64_t data = total - header_total;
  const auto count = element_count(h.shape);
  if (!count || *count > data / element || *count * element != data) {
    const std::string needed =
        count && *count <= std::numeric_limits<std::uint64_t>::max() / element
            ? std::to_string(*count * element) + " bytes"
            : std::string("more bytes than a file can have");
    fail(std::string(count && *count <= data / element ? "corrupted" : "truncated") + ": shape " +
         shape_text(h.shape) + " of " + h.dtype + " needs " + needed + " of data, and there are " +
         std::to_string(data));
  }
  return h;
}

// The .npy header of a tensor, padded so that the data starts at a
// multiple of 64 bytes, as NumPy writes it (version 1.0).
template <class T>
std::string npy_header_bytes(const T& tensor) {
  const shape_t shape = declared_shape(tensor);
  std::string dict = "{'descr': '" + std::string(npy_dtypes::dtype<scalar_of<T>>()) +
                     "', 'fortran_order': False, 'shape': (";
  for (std::size_t k = 0; k < shape.size(); ++k) dict += (k ? ", " : "") + std::to_string(shape[k]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out(reinterpret_cast<const char*>(npy_magic), 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict;
}

// ---- ZIP (the .npz container) ----------------------------------------------

inline constexpr std::uint32_t zip_local_signature = 0x04034b50;
inline constexpr std::uint32_t zip_central_signature = 0x02014b50;
inline constexpr std::uint32_t zip_end_signature = 0x06054b50;
inline constexpr std::uint32_t zip64_end_signature = 0x06064b50;
inline constexpr std::uint32_t zip64_locator_signature = 0x07064b50;

struct zip_member {
  std::string name;
  std::uint64_t local, data_begin, size;  // local: where its local header starts
  std::uint32_t crc;
};

// The members of a ZIP archive held in memory, each checked: stored (not
// compressed), not encrypted, its local header where the central directory
// says, its data inside the file and apart from every other member's, its
// CRC-32 right.
template <class Fail>
std::vector<zip_member> read_zip(const std::vector<unsigned char>& z, Fail&& fail) {
  const std::uint64_t size = z.size();
  const unsigned char* p = z.data();
  if (size < 22) fail("not a .npz (ZIP) archive: " + std::to_string(size) + " bytes");
  // The end record: its signature, searched backwards over the longest comment.
  std::uint64_t end = size - 22;
  const std::uint64_t lowest = size - 22 > 0xFFFF ? size - 22 - 0xFFFF : 0;
  while (get_le<std::uint32_t>(p + end) != zip_end_signature ||
         end + 22 + get_le<std::uint16_t>(p + end + 20) != size) {
    if (end == lowest) fail("not a .npz (ZIP) archive: no end of central directory record");
    --end;
  }
  if (get_le<std::uint16_t>(p + end + 4) != 0 || get_le<std::uint16_t>(p + end + 6) != 0)
    fail("multi-volume ZIP archives are not supported");
  std::uint64_t count = get_le<std::uint16_t>(p + end + 10);
  std::uint64_t directory_size = get_le<std::uint32_t>(p + end + 12);
  std::uint64_t directory = get_le<std::uint32_t>(p + end + 16);
  std::uint64_t directory_end = end;
  if (end >= 20 && get_le<std::uint32_t>(p + end - 20) == zip64_locator_signature) {
    const auto at = get_le<std::uint64_t>(p + end - 12);
    if (at > end - 20 || end - 20 - at < 56 || get_le<std::uint32_t>(p + at) != zip64_end_signature)
      fail("corrupted: the ZIP64 end of central directory record is not where its locator says");
    count = get_le<std::uint64_t>(p + at + 32);
    directory_size = get_le<std::uint64_t>(p + at + 40);
    directory = get_le<std::uint64_t>(p + at + 48);
    directory_end = at;
  }
  if (directory > directory_end || directory_end - directory != directory_size)
    fail("corrupted: the central directory is not where the end record says");

  std::vector<zip_member> members;
  std::uint64_t at = directory;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string which = "member " + std::to_string(i);
    if (directory_end - at < 46 || get_le<std::uint32_t>(p + at) != zip_central_signature)
      fail("corrupted: the central directory ends before " + which);
    const auto flags = get_le<std::uint16_t>(p + at + 8);
    const auto method = get_le<std::uint16_t>(p + at + 10);
    zip_member m;
    m.crc = get_le<std::uint32_t>(p + at + 16);
    std::uint64_t compressed = get_le<std::uint32_t>(p + at + 20);
    m.size = get_le<std::uint32_t>(p + at + 24);
    const std::uint64_t name_size = get_le<std::uint16_t>(p + at + 28);
    const std::uint64_t extra_size = get_le<std::uint16_t>(p + at + 30);
    const std::uint64_t comment_size = get_le<std::uint16_t>(p + at + 32);
    std::uint64_t local = get_le<std::uint32_t>(p + at + 42);
    if (directory_end - at - 46 < name_size + extra_size + comment_size)
      fail("corrupted: the central directory ends inside " + which);
    m.name.assign(reinterpret_cast<const char*>(p + at + 46), name_size);
    const std::string named = "member " + m.name;
    // ZIP64: the fields written 0xFFFFFFFF are in the extra field 0x0001, in order.
    const unsigned char* extra = p + at + 46 + name_size;
    for (std::uint64_t e = 0; e + 4 <= extra_size;) {
      const auto id = get_le<std::uint16_t>(extra + e);
      const std::uint64_t n = get_le<std::uint16_t>(extra + e + 2);
      if (e + 4 + n > extra_size) fail("corrupted: " + named + ": extra field runs past its end");
      if (id == 0x0001) {
        std::uint64_t k = e + 4;
        for (std::uint64_t* field : {&m.size, &compressed, &local}) {
          if (*field != 0xFFFFFFFFu) continue;
          if (k + 8 > e + 4 + n) fail("corrupted: " + named + ": ZIP64 extra field too short");
          *field = get_le<std::uint64_t>(extra + k);
          k += 8;
        }
      }
      e += 4 + n;
    }
    at += 46 + name_size + extra_size + comment_size;
    if (flags & 1u) fail(named + ": encrypted members are not supported");
    if (method == 8)
      fail(named +
           " is compressed (deflate): tapeless reads uncompressed .npz files, as "
           "np.savez writes them, not np.savez_compressed");
    if (method != 0)
      fail(named + ": compression method " + std::to_string(method) + " is not supported");
    if (compressed != m.size) fail("corrupted: " + named + ": stored, yet its two sizes differ");
    if (local > directory || directory - local < 30 ||
        get_le<std::uint32_t>(p + local) != zip_local_signature)
      fail("corrupted: " + named + ": no local header where the central directory says");
    const std::uint64_t local_name = get_le<std::uint16_t>(p + local + 26);
    const std::uint64_t local_extra = get_le<std::uint16_t>(p + local + 28);
    m.local = local;
    m.data_begin = local + 30 + local_name + local_extra;
    if (m.data_begin > directory || directory - m.data_begin < m.size)
      fail("corrupted: " + named + ": its data runs past the start of the central directory");
    if (std::string_view(reinterpret_cast<const char*>(p + local + 30), local_name) != m.name)
      fail("corrupted: " + named + ": the local header names another member");
    members.push_back(std::move(m));
  }
  if (at != directory_end) fail("corrupted: bytes after the central directory's last entry");

  // No two members share bytes (local header through data): a member's
  // local header starts after the data of the one before it.
  std::vector<const zip_member*> order;
  for (const auto& m : members) order.push_back(&m);
  std::sort(order.begin(), order.end(),
            [](const auto* a, const auto* b) { return a->local < b->local; });
  for (std::size_t k = 1; k < order.size(); ++k)
    if (order[k]->local < order[k - 1]->data_begin + order[k - 1]->size)
      fail("corrupted: members " + order[k - 1]->name + " and " + order[k]->name + " overlap");
  for (const auto& m : members) {
    const std::uint32_t crc = crc32_of(p + m.data_begin, static_cast<std::size_t>(m.size));
    if (crc != m.crc) {
      char hex[64];
      std::snprintf(hex, sizeof hex, "stored 0x%08X, computed 0x%08X", unsigned(m.crc),
                    unsigned(crc));
      fail("corrupted: member " + m.name + ": checksum mismatch (" + hex + ")");
    }
  }
  return members;
}

// Reads a whole regular file, its size known before anything is allocated.
inline std::vector<unsigned char> read_whole(std::string_view format,
                                             const std::filesystem::path& file) {
  checkpoint_input in(file);
  return read_exactly(format, file, in, in.size(), 0);
}

template <class T>
void load_npy_into(const std::filesystem::path& file, T&& tensor) {
  const auto fail = [&](const std::string& what) { fail_in(npy_format, file, what); };
  checkpoint_input in(file);
  const std::uint64_t size = in.size();
  unsigned char preamble[12] = {};
  const std::size_t seen = in.read(file, preamble, size < 12 ? std::size_t(size) : 12);
  const std::uint64_t header_total = npy_preamble(preamble, seen, size, fail);
  const std::vector<unsigned char> rest =
      read_exactly(npy_format, file, in, header_total - seen, seen);
  // The header text: what follows the length field.
  const std::size_t length_end = preamble[6] == 1 ? 10 : 12;
  std::string text(reinterpret_cast<const char*>(preamble) + length_end,
                   reinterpret_cast<const char*>(preamble) + seen);
  text.append(reinterpret_cast<const char*>(rest.data()), rest.size());
  const npy_header h = parse_npy_header(text, header_total, size, fail);
  const shape_t shape = declared_shape(tensor);
  const std::string_view dtype = npy_dtypes::dtype<scalar_of<T>>();
  if (h.shape != shape || h.dtype != dtype)
    fail("expected " + shape_text(shape) + " " + std::string(dtype) + ", found " +
         shape_text(h.shape) + " " + h.dtype);
  const std::vector<unsigned char> data =
      read_exactly(npy_format, file, in, size - header_total, header_total);
  copy_from_c_order(tensor, data.data());
}

template <class... Objs>
void load_npz_into(const std::filesystem::path& file, Objs&... objs) {
  const auto fail = [&](const std::string& what) { fail_in(npz_format, file, what); };
  const std::vector<unsigned char> z = read_whole(npz_format, file);
  const std::vector<zip_member> members = read_zip(z, fail);

  std::vector<stored_tensor> tensors;
  tensors.reserve(members.size());  // the matcher keeps pointers to them
  tensor_matcher matcher(npy_dtypes{}, objs...);
  for (const zip_member& m : members) {
    const std::string_view suffix = ".npy";
    if (m.name.size() <= suffix.size() ||
        m.name.compare(m.name.size() - suffix.size(), suffix.size(), suffix) != 0)
      fail("member " + m.name + " is not an .npy array (its name does not end in .npy)");
    const auto in_member = [&](const std::string& what) { fail("member " + m.name + ": " + what); };
    const unsigned char* p = z.data() + m.data_begin;
    const std::size_t available = m.size < 12 ? std::size_t(m.size) : 12;
    const std::uint64_t header_total = npy_preamble(p, available, m.size, in_member);
    const std::size_t length_end = p[6] == 1 ? 10 : 12;
    const npy_header h = parse_npy_header(
        std::string_view(reinterpret_cast<const char*>(p) + length_end, header_total - length_end),
        header_total, m.size, in_member);
    tensors.push_back(
        {m.name.substr(0, m.name.size() - suffix.size()), h.dtype, h.shape, p + h.data_offset});
    if (!matcher.offer(tensors.back())) fail("two members are named " + m.name);
  }
  if (std::string problems = matcher.problems(); !problems.empty()) fail(problems);
  const auto copy = [&](const auto& name, auto&& tensor) {
    copy_from_c_order(tensor, matcher.match(std::string_view(name)).data);
  };
  (objs.for_each_tensor(copy), ...);
}

// DOS date 1980-01-01, 00:00: members carry no time (saves are reproducible).
inline constexpr std::uint16_t zip_date = (1 << 5) | 1;

}  // namespace detail

// Saves one tensor (an Eigen matrix, or io::as_vector of one) to `file` as
// an .npy array of shape (rows, cols), or (size,) for a vector; atomic.
template <class T>
void save_npy(const std::filesystem::path& file, const T& tensor) {
  namespace d = detail;
  d::as_format(d::npy_format, [&] {
    const std::string header = d::npy_header_bytes(tensor);
    d::save_atomically(file, [&](std::FILE* f) {
      d::byte_writer out(f, d::npy_format, file);
      out.bytes(header);
      out.tensor(tensor);
    });
  });
}

// Loads one tensor from the .npy `file`, whose dtype and shape must be the
// tensor's exactly; changes nothing on any error.
template <class T>
void load_npy(const std::filesystem::path& file, T&& tensor) {
  if constexpr (detail::loaded_objects_are_mutable<decltype(detail::matrix_of(tensor))>())
    detail::as_format(detail::npy_format, [&] { detail::load_npy_into(file, tensor); });
}

// Saves every tensor of `objs` to `file` as an uncompressed .npz archive,
// each as "<name>.npy", in for_each_tensor order; atomic. np.load(file)[name]
// reads one back. Archives larger than 4 GiB or of more than 65535 arrays
// (which would need ZIP64) are refused.
template <Checkpointable... Objs>
void save_npz(const std::filesystem::path& file, const Objs&... objs) {
  namespace d = detail;
  d::as_format(d::npz_format, [&] {
    const auto fail = [&](const std::string& what) { d::fail_in(d::npz_format, file, what); };
    // First pass: names, headers and CRCs, and the archive's size.
    d::name_checker names(d::npz_format, file);
    struct member {
      std::string name, header;
      std::uint32_t crc;
      std::uint64_t size, offset;
    };
    std::vector<member> members;
    std::uint64_t offset = 0;
    const auto survey = [&](const auto& name, auto&& tensor) {
      member m{std::string(name) + ".npy", d::npy_header_bytes(tensor), 0, 0, offset};
      names.add(std::string(name), 0xFFFF - 4);
      d::crc32 crc;
      crc.update(m.header.data(), m.header.size());
      d::for_each_c_order_piece(tensor,
                                [&](const unsigned char* p, std::size_t n) { crc.update(p, n); });
      m.crc = crc.value();
      m.size = m.header.size() + static_cast<std::uint64_t>(d::matrix_of(tensor).size()) *
                                     sizeof(d::scalar_of<decltype(tensor)>);
      offset += 30 + m.name.size() + m.size;
      members.push_back(std::move(m));
    };
    (objs.for_each_tensor(survey), ...);
    if (members.size() > 0xFFFF || offset > 0xFFFFFFFFu)
      fail(
          "cannot save: more than 4 GiB or 65535 arrays would need ZIP64, which tapeless does "
          "not write");

    d::save_atomically(file, [&](std::FILE* f) {
      d::byte_writer out(f, d::npz_format, file);
      // UTF-8 names are flagged (bit 11), as Python's zipfile does.
      const auto flags = [](const std::string& n) {
        return std::uint16_t(
            std::all_of(n.begin(), n.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x80; })
                ? 0
                : 0x800);
      };
      // Local header, then the member, for each; in survey order.
      std::size_t k = 0;
      const auto write = [&](const auto&, auto&& tensor) {
        const member& m = members[k++];
        out.integer(d::zip_local_signature);
        out.integer(std::uint16_t{20});  // version needed: 2.0
        out.integer(flags(m.name));
        out.integer(std::uint16_t{0});  // stored
        out.integer(std::uint16_t{0});  // time
        out.integer(d::zip_date);
        out.integer(m.crc);
        out.integer(static_cast<std::uint32_t>(m.size));
        out.integer(static_cast<std::uint32_t>(m.size));
        out.integer(static_cast<std::uint16_t>(m.name.size()));
        out.integer(std::uint16_t{0});  // extra
        out.bytes(m.name);
        out.bytes(m.header);
        out.tensor(tensor);
      };
      (objs.for_each_tensor(write), ...);
      if (k != members.size() || out.written() != offset)
        fail("cannot save: the objects' tensors changed between two for_each_tensor calls");
      for (const member& m : members) {
        out.integer(d::zip_central_signature);
        out.integer(std::uint16_t{20});  // made by: 2.0, MS-DOS attributes
        out.integer(std::uint16_t{20});
        out.integer(flags(m.name));
        out.integer(std::uint16_t{0});
        out.integer(std::uint16_t{0});
        out.integer(d::zip_date);
        out.integer(m.crc);
        out.integer(static_cast<std::uint32_t>(m.size));
        out.integer(static_cast<std::uint32_t>(m.size));
        out.integer(static_cast<std::uint16_t>(m.name.size()));
        out.integer(std::uint16_t{0});  // extra
        out.integer(std::uint16_t{0});  // comment
        out.integer(std::uint16_t{0});  // disk
        out.integer(std::uint16_t{0});  // internal attributes
        out.integer(std::uint32_t{0});  // external attributes
        out.integer(static_cast<std::uint32_t>(m.offset));
        out.bytes(m.name);
      }
      const std::uint64_t directory_size = out.written() - offset;
      if (out.written() > 0xFFFFFFFFu)
        fail("cannot save: more than 4 GiB would need ZIP64, which tapeless does not write");
      out.integer(d::zip_end_signature);
      out.integer(std::uint16_t{0});
      out.integer(std::uint16_t{0});
      out.integer(static_cast<std::uint16_t>(members.size()));
      out.integer(static_cast<std::uint16_t>(members.size()));
      out.integer(static_cast<std::uint32_t>(directory_size));
      out.integer(static_cast<std::uint32_t>(offset));
      out.integer(std::uint16_t{0});  // comment
    });
  });
}

// Loads every tensor of `objs` from the .npz `file`: the array "<name>.npy"
// for the tensor `name`, all or nothing (see the top of this file). Objects
// may be temporaries (the view torch_sequential returns).
template <class... Objs>
void load_npz(const std::filesystem::path& file, Objs&&... objs) {
  if constexpr (detail::loaded_objects_are_mutable<Objs...>())
    detail::as_format(detail::npz_format, [&] { detail::load_npz_into(file, objs...); });
}

}  // namespace tapeless::io
