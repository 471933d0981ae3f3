#pragma once

// A small, fast pseudo-random generator for load-balancing picks (xoshiro256**, seeded through
// splitmix64). One per worker: no atomics, no locks. Not for anything security-relevant.
//
// Threading: one owner thread.

#include <cstdint>

namespace portico::dp::upstream::lb {

// 128-bit products for scaling 64-bit values without overflow (a GCC/Clang extension).
__extension__ typedef unsigned __int128 Uint128;

class FastRandom {
 public:
  explicit FastRandom(uint64_t seed) {
    for (uint64_t& word : s_) word = splitmix(seed);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) for n > 0 (Lemire's multiply-shift: no division, bias below 2^-64 * n).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<Uint128>(next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

}  // namespace portico::dp::upstream::lb
