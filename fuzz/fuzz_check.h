#pragma once

// Invariant checks for the fuzz targets: a violated property aborts with what was seen, so
// libFuzzer records the input as a crash (and the corpus replay test fails on it).

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition, what)                                                \
  do {                                                                             \
    if (!(condition)) ::portico::fuzz::fail(#condition, what, __FILE__, __LINE__); \
  } while (0)

namespace portico::fuzz {

[[noreturn]] inline void fail(const char* condition, std::string_view what, const char* file,
                              int line) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n  %.*s\n", file, line, condition,
               static_cast<int>(what.size()), what.data());
  std::abort();
}

// Inputs are capped like Envoy's route fuzzer: bigger ones test nothing new and slow it down.
inline constexpr size_t kMaxInput = 64 << 10;

}  // namespace portico::fuzz
