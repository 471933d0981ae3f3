#pragma once

// The wait before each retry: exponential backoff with full jitter (Envoy's
// JitteredExponentialBackOffStrategy). The n-th retry (n = 0, 1, ...) waits a uniformly random
// time in [0, min(base · 2^n, max)], so concurrent clients that failed together do not retry
// together. One per request; not thread-safe (it lives in the request's coroutine).

#include <cstdint>

#include "absl/time/time.h"

namespace portico::dp::router {

class RetryBackoff {
 public:
  // `base` > 0 and `max` >= `base` (the compiler guarantees both).
  RetryBackoff(absl::Duration base, absl::Duration max);

  // The wait before the next retry; `random` is a uniformly random 64-bit number.
  absl::Duration next(uint64_t random);
  // The ceiling the next call draws under (for tests and logs).
  absl::Duration ceiling() const { return absl::Microseconds(ceiling_us_); }

 private:
  int64_t ceiling_us_;
  const int64_t max_us_;
};

}  // namespace portico::dp::router
