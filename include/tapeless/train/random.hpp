#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <utility>

namespace tapeless {

// The one source of randomness for initialisation and shuffling, seeded by
// the user so that a run can be repeated exactly. The bits come from
// std::mt19937_64, whose sequence the standard fixes; the conversions to
// uniform and normal numbers and the shuffle are written here because the
// standard library's distributions and std::shuffle may differ from one
// implementation to the next, and so would the trained network.
class random_engine {
  std::mt19937_64 bits_;
  double spare_normal_ = 0;
  bool has_spare_ = false;

 public:
  explicit random_engine(std::uint64_t seed) : bits_(seed) {}

  // Uniform in [0, 1), from the top 53 bits: every double it returns is
  // exactly representable and equally likely.
  double uniform() { return static_cast<double>(bits_() >> 11) * 0x1.0p-53; }

  // Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  // Standard normal, by the Box-Muller transform; each pair of uniforms
  // gives two normals, the second kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_normal_;
    }
    // 1 - u lies in (0, 1]: the logarithm is finite.
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_normal_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  // Uniform in [0, n), without the bias of a plain modulo: draws from the
  // largest multiple of n below 2^64 are kept, others redrawn.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = -n % n;  // 2^64 mod n
    for (;;) {
      const std::uint64_t x = bits_();
      if (x >= limit) return x % n;
    }
  }

  // Fisher-Yates: every permutation of [first, last) equally likely.
  template <class RandomIt>
  void shuffle(RandomIt first, RandomIt last) {
    for (auto n = last - first; n > 1; --n)
      std::swap(first[n - 1],
                first[static_cast<decltype(n)>(below(static_cast<std::uint64_t>(n)))]);
  }
};

}  // namespace tapeless
