#pragma once

// One rate-limit counter with Envoy local_ratelimit's token-bucket semantics: it holds at most
// `max_tokens`; every `fill_interval` (aligned to the table's epoch, so all buckets of a limit
// fill together, as Envoy's fill timer does) `tokens_per_fill` are added; a request takes one.
// A fixed window is the same bucket with max_tokens = tokens_per_fill = the limit.
//
// Lock-free and exact under concurrency: tokens and the last fill index live in one 64-bit
// word updated by compare-and-swap, so N workers racing for the last token admit exactly one.
// Tokens are capped at 2^40 (the config's limit), the fill index is kept modulo 2^24: a bucket
// untouched for exactly a multiple of 2^24 intervals would miss one refill (a fill interval of
// one second makes that 194 days).

#include <atomic>
#include <cstdint>

namespace portico::dp::filters::rate_limit {

struct BucketShape {
  uint64_t max_tokens = 1;
  uint64_t tokens_per_fill = 1;
};

class TokenBucket {
 public:
  // A new bucket is full as of `fill_index`.
  TokenBucket(const BucketShape& shape, uint64_t fill_index);

  // Takes one token if there is one after the fills due by `fill_index`. `remaining`: tokens
  // left afterwards (0 when refused).
  bool tryTake(const BucketShape& shape, uint64_t fill_index, uint64_t& remaining);

  // Full after the fills due by `fill_index`: forgetting the bucket would change nothing.
  bool isFull(const BucketShape& shape, uint64_t fill_index) const;

 private:
  static constexpr int kTokenBits = 40;
  static constexpr uint64_t kTokenMask = (uint64_t{1} << kTokenBits) - 1;
  static constexpr uint64_t kIndexMask = (uint64_t{1} << (64 - kTokenBits)) - 1;

  static uint64_t pack(uint64_t tokens, uint64_t fill_index) {
    return (tokens & kTokenMask) | ((fill_index & kIndexMask) << kTokenBits);
  }
  // Tokens after the fills between the packed state's index and `fill_index`.
  static uint64_t refilled(uint64_t state, const BucketShape& shape, uint64_t fill_index);

  std::atomic<uint64_t> state_;
};

}  // namespace portico::dp::filters::rate_limit
