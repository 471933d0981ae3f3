#pragma once

// Rate limits counted in Redis (policy REDIS), shared by every proxy that uses the same server:
// one atomic Lua script per request, on Redis's clock (TIME), so proxies agree on windows
// whatever their own clocks say.
//
// Algorithms:
// - fixed window: a counter per window of `window` (aligned to the epoch); admits `limit` per
//   window, exactly. At a window boundary up to 2 × limit can pass within one window's length
//   (the known fixed-window edge).
// - sliding window: a log of admitted requests (a sorted set of their times): admits at most
//   `limit` in ANY `window`-long interval, exactly, at the cost of one set entry per admitted
//   request per key (so it suits limits up to some thousands per window).
// - token bucket: Envoy's (burst tokens at most, `limit` added every `window`), state in a hash.
//
// Accuracy across proxies: every decision is one script, and Redis runs scripts one at a time,
// so N proxies together never admit more than the limit (tolerance 0) while Redis answers. When
// it does not (down, or slower than the timeout), the filter fails open or closed as configured,
// and a request that timed out may still have been counted by Redis (it then over-counts, never
// over-admits).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data-plane/filters/rate_limit/bucket_table.h"
#include "data-plane/net/executor.h"

namespace portico::dp::redis {
class Client;
}

namespace portico::dp::filters::rate_limit {

class RedisLimiter {
 public:
  enum class Algorithm { kTokenBucket, kFixedWindow, kSlidingWindow };
  struct Settings {
    Algorithm algorithm = Algorithm::kFixedWindow;
    uint64_t limit = 0;
    uint64_t burst = 0;  // token bucket capacity; 0: limit
    std::chrono::milliseconds window{0};
    std::chrono::milliseconds timeout{50};
    // Prefix of every counter key, naming the plugin instance and its settings, so that a
    // changed limit starts fresh counters and two instances never share one.
    std::string key_prefix;
  };

  RedisLimiter(std::shared_ptr<redis::Client> client, Settings settings);

  // Counts one request against `bucket` (limit_key.h), on the calling worker's connection.
  // Errors: Redis unreachable, too slow, or a reply not understood.
  net::Awaitable<absl::StatusOr<BucketTable::Decision>> take(size_t worker, const std::string& bucket) const;

  const Settings& settings() const { return settings_; }

 private:
  std::shared_ptr<redis::Client> client_;
  Settings settings_;
};

}  // namespace portico::dp::filters::rate_limit
