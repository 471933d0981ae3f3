#pragma once

// xxHash64 (Yann Collet's XXH64, written from the specification), the stable 64-bit hash of
// load balancing: hash policies, ring hash and Maglev tables. Every proxy process must map a key
// to the same value, so this is a fixed function of the bytes and the seed, unlike absl::Hash,
// which is seeded per process. Envoy uses XXH64 with seed 0 for the same purposes.
//
// Threading: a pure function.

#include <cstdint>
#include <string_view>

namespace portico::dp::upstream::lb {

uint64_t xxHash64(std::string_view bytes, uint64_t seed = 0);

}  // namespace portico::dp::upstream::lb
