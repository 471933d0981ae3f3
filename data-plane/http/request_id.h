#pragma once

// X-Request-Id: a valid incoming id is kept (so a trace spans several hops), anything else is
// replaced by a fresh UUID v4. One generator per worker: no locks, no shared state.

#include <cstdint>
#include <string>
#include <string_view>

namespace portico::dp::http {

// 1..128 characters of [A-Za-z0-9._:-]: enough for UUIDs and common trace ids, nothing that
// could inject into logs or headers.
bool validRequestId(std::string_view id);

class RequestIdGenerator {
 public:
  explicit RequestIdGenerator(uint64_t seed);
  // A random UUID v4, lower-case hex with dashes.
  std::string next();
  // 64 random bits (xorshift128+): also the worker's source for weighted picks.
  uint64_t nextRandom();

 private:
  uint64_t state_[2];
};

}  // namespace portico::dp::http
