#include "data-plane/http/request_id.h"

#include <cctype>

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

std::string RequestIdGenerator::next() {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = nextRandom();
  uint64_t lo = nextRandom();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  std::string out(36, '-');
  int pos = 0;
  auto emit = [&](uint64_t value, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
        ++pos;
      }
      out[pos++] = kHex[(value >> (4 * i)) & 0xf];
    }
  };
  emit(hi, 16);
  emit(lo, 16);
  return out;
}

}  // namespace portico::dp::http
