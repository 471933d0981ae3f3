#pragma once

// The buckets of one limit (one plugin instance with one config), by key (a consumer, a client
// address, a header value…), shared by all workers of the proxy: one bucket per key whatever
// worker a request lands on. 64 shards, each a mutex-guarded hash map, held for the lookup and
// the bucket's one compare-and-swap (token_bucket.h): cheaper than pinning the bucket with a
// reference count to update it outside the lock, which costs two more atomic read-modify-writes
// on a line every worker taking from that bucket shares. Memory is bounded: past `max_keys` buckets a
// shard drops its full buckets (a full bucket is what a new one would be: nothing is lost), and
// if none is full, the new key shares the "overflow" bucket (limited together rather than
// unlimited). Kept across configuration pushes by LimiterRegistry, so a push does not hand out
// fresh tokens.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "data-plane/filters/rate_limit/token_bucket.h"

namespace portico::dp::filters::rate_limit {

class BucketTable {
 public:
  using Clock = std::chrono::steady_clock;

  BucketTable(BucketShape shape, Clock::duration fill_interval, size_t max_keys = 1'000'000);

  struct Decision {
    bool allowed = false;
    uint64_t remaining = 0;
    Clock::duration reset{};  // until the next fill
  };
  Decision take(std::string_view key, Clock::time_point now = Clock::now());

  const BucketShape& shape() const { return shape_; }
  Clock::duration fillInterval() const { return fill_interval_; }
  size_t size() const;

 private:
  static constexpr size_t kShards = 64;
  struct alignas(64) Shard {
    mutable std::mutex mu;
    absl::flat_hash_map<std::string, std::unique_ptr<TokenBucket>> buckets ABSL_GUARDED_BY(mu);
  };

  uint64_t fillIndex(Clock::time_point now) const;
  // `key`'s bucket, created if need be; valid while `shard.mu` is held (full buckets are dropped
  // under it).
  TokenBucket& findLocked(Shard& shard, std::string_view key, uint64_t fill_index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const BucketShape shape_;
  const Clock::duration fill_interval_;
  const Clock::time_point epoch_;
  const size_t max_keys_per_shard_;
  Shard shards_[kShards];
  TokenBucket overflow_;
};

}  // namespace portico::dp::filters::rate_limit
