#include "data-plane/http/request_id.h"

#include <array>
#include <cctype>
#include <cstring>

namespace portico::dp::http {

bool validRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':') {
      return false;
    }
  }
  return true;
}

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

RequestIdGenerator::RequestIdGenerator(uint64_t seed) {
  state_[0] = splitmix64(seed);
  state_[1] = splitmix64(seed);
}

// xorshift128+: fast and plenty for unique ids (not for secrets).
uint64_t RequestIdGenerator::nextRandom() {
  uint64_t s1 = state_[0];
  const uint64_t s0 = state_[1];
  state_[0] = s0;
  s1 ^= s1 << 23;
  state_[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
  return state_[1] + s0;
}

namespace {

// Two lower-case hex digits per byte value: one table load per byte instead of one per digit.
constexpr std::array<char, 512> kHexPairs = [] {
  constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 512> pairs{};
  for (int byte = 0; byte < 256; ++byte) {
    pairs[2 * byte] = kHex[byte >> 4];
    pairs[2 * byte + 1] = kHex[byte & 0xf];
  }
  return pairs;
}();

// Writes `count` bytes of `value`, most significant first from byte `first`, as hex at `out`.
void putHex(char* out, uint64_t value, int first, int count) {
  for (int i = 0; i < count; ++i) {
    const unsigned byte = (value >> (8 * (7 - first - i))) & 0xff;
    std::memcpy(out + 2 * i, &kHexPairs[2 * byte], 2);
  }
}

}  // namespace

std::string RequestIdGenerator::next() {
  uint64_t hi = nextRandom();
  uint64_t lo = nextRandom();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  // 8-4-4-4-12 digits: hi's bytes 0-3, 4-5, 6-7, then lo's bytes 0-1, 2-7.
  std::string out(36, '-');
  char* at = out.data();
  putHex(at, hi, 0, 4);
  putHex(at + 9, hi, 4, 2);
  putHex(at + 14, hi, 6, 2);
  putHex(at + 19, lo, 0, 2);
  putHex(at + 24, lo, 2, 6);
  return out;
}

}  // namespace portico::dp::http
