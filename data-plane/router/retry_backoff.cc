#include "data-plane/router/retry_backoff.h"

#include <algorithm>

namespace portico::dp::router {

RetryBackoff::RetryBackoff(absl::Duration base, absl::Duration max)
    : ceiling_us_(std::max<int64_t>(1, absl::ToInt64Microseconds(base))),
      max_us_(std::max(ceiling_us_, absl::ToInt64Microseconds(max))) {
  ceiling_us_ = std::min(ceiling_us_, max_us_);
}

absl::Duration RetryBackoff::next(uint64_t random) {
  const int64_t wait_us = static_cast<int64_t>(random % static_cast<uint64_t>(ceiling_us_ + 1));
  // Doubling stops at max (and never overflows: max is far below INT64_MAX / 2).
  ceiling_us_ = ceiling_us_ >= max_us_ / 2 ? max_us_ : ceiling_us_ * 2;
  return absl::Microseconds(wait_us);
}

}  // namespace portico::dp::router
