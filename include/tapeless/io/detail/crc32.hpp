#pragma once

// CRC-32 as in zlib, gzip, PNG and Ethernet (ISO 3309 / ITU-T V.42):
// polynomial 0x04C11DB7 processed bit-reflected (0xEDB88320), initial value
// and final XOR 0xFFFFFFFF. Check value: crc32 of "123456789" is 0xCBF43926.
// A checkpoint checksums itself with it; written here rather than taken from
// zlib so that checkpoints need nothing beyond the standard library.

#include <array>
#include <cstddef>
#include <cstdint>

namespace tapeless::io::detail {

// table[b]: the CRC register after shifting the byte b through it.
constexpr std::array<std::uint32_t, 256> make_crc32_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t r = b;
    for (int bit = 0; bit < 8; ++bit) r = (r & 1u) ? (r >> 1) ^ 0xEDB88320u : r >> 1;
    table[b] = r;
  }
  return table;
}

inline constexpr std::array<std::uint32_t, 256> crc32_table = make_crc32_table();

// Running CRC-32: feed bytes in any number of pieces, read value() at the end.
class crc32 {
  std::uint32_t register_ = 0xFFFFFFFFu;

 public:
  void update(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint32_t r = register_;
    for (std::size_t i = 0; i < size; ++i) r = crc32_table[(r ^ p[i]) & 0xFFu] ^ (r >> 8);
    register_ = r;
  }
  std::uint32_t value() const { return register_ ^ 0xFFFFFFFFu; }
};

inline std::uint32_t crc32_of(const void* data, std::size_t size) {
  crc32 c;
  c.update(data, size);
  return c.value();
}

}  // namespace tapeless::io::detail
