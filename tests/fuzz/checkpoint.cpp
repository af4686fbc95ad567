// Fuzz target: tl::load on any bytes, as they are and with their size
// field and checksum made right (or almost every mutation would stop at the
// checksum, and the structure and matching code behind it would go
// unfuzzed). A file is either refused with checkpoint_error, changing
// nothing, or loaded; a loaded file saved again loads to the same bits.
// Anything else (another exception, a crash, a sanitizer report, a hang) is
// a finding. tests/fuzz/README.md runs it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <tapeless/io/checkpoint.hpp>

#include "fuzz_objects.hpp"
#include "write_file.hpp"

namespace {

// The bytes of every tensor, for "unchanged" and "the same bits".
std::vector<unsigned char> snapshot(const tapeless_fuzz::objects& o) {
  std::vector<unsigned char> out;
  const auto add = [&](const std::string&, auto&& t) {
    for (Eigen::Index j = 0; j < t.cols(); ++j)
      for (Eigen::Index i = 0; i < t.rows(); ++i) {
        const auto v = t.coeff(i, j);
        const auto* p = reinterpret_cast<const unsigned char*>(&v);
        out.insert(out.end(), p, p + sizeof v);
      }
  };
  o.m.for_each_tensor(add);
  o.adam.for_each_tensor(add);
  return out;
}

void load_one(const std::uint8_t* data, std::size_t size) {
  static const tapeless_fuzz::scratch_file input("input.tlck"), again("again.tlck");
  tapeless_fuzz::objects o;
  const auto before = snapshot(o);
  try {
    tapeless::load(input.write(data, size), o.m, o.adam);
  } catch (const tapeless::checkpoint_error&) {
    if (snapshot(o) != before) std::abort();  // a refused load changed something
    return;
  }
  tapeless::save(again.path(), o.m, o.adam);
  tapeless_fuzz::objects reloaded;
  tapeless::load(again.path(), reloaded.m, reloaded.adam);
  if (snapshot(reloaded) != snapshot(o)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = tapeless::io::detail;
  load_one(data, size);
  if (size >= d::checkpoint_header_size + d::checkpoint_trailer_size) {
    std::vector<std::uint8_t> repaired(data, data + size);
    d::put_le(repaired.data() + 16, static_cast<std::uint64_t>(size));
    const std::size_t body = size - d::checkpoint_trailer_size;
    d::put_le(repaired.data() + body, d::crc32_of(repaired.data(), body));
    load_one(repaired.data(), size);
  }
  return 0;
}
