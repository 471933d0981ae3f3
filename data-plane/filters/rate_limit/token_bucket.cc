#include "data-plane/filters/rate_limit/token_bucket.h"

#include <algorithm>

namespace portico::dp::filters::rate_limit {

TokenBucket::TokenBucket(const BucketShape& shape, uint64_t fill_index)
    : state_(pack(std::min(shape.max_tokens, kTokenMask), fill_index)) {}

uint64_t TokenBucket::refilled(uint64_t state, const BucketShape& shape, uint64_t fill_index) {
  const uint64_t tokens = state & kTokenMask;
  const uint64_t fills = (fill_index - (state >> kTokenBits)) & kIndexMask;
  if (fills == 0) return tokens;
  const uint64_t max = std::min(shape.max_tokens, kTokenMask);
  // fills * tokens_per_fill may overflow; anything reaching max is max.
  if (shape.tokens_per_fill != 0 && fills >= (max - std::min(tokens, max)) / shape.tokens_per_fill + 1) return max;
  return std::min(max, tokens + fills * shape.tokens_per_fill);
}

bool TokenBucket::tryTake(const BucketShape& shape, uint64_t fill_index, uint64_t& remaining) {
  uint64_t state = state_.load(std::memory_order_relaxed);
  for (;;) {
    const uint64_t tokens = refilled(state, shape, fill_index);
    if (tokens == 0) {
      // Record the refill point even when refusing, so the index never lags far behind.
      remaining = 0;
      const uint64_t next = pack(0, fill_index);
      if (next == state || state_.compare_exchange_weak(state, next, std::memory_order_relaxed)) return false;
      continue;
    }
    const uint64_t next = pack(tokens - 1, fill_index);
    if (state_.compare_exchange_weak(state, next, std::memory_order_relaxed)) {
      remaining = tokens - 1;
      return true;
    }
  }
}

bool TokenBucket::isFull(const BucketShape& shape, uint64_t fill_index) const {
  return refilled(state_.load(std::memory_order_relaxed), shape, fill_index) >= std::min(shape.max_tokens, kTokenMask);
}

}  // namespace portico::dp::filters::rate_limit
