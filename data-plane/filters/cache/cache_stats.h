#pragma once

// The cache's metrics, portico_proxy_cache_*: per-request counters sharded by worker (written
// without contention, summed at scrape) and the store's own gauges and counters, read at
// scrape. Created once per process with the ResponseCache; nothing is looked up by name on the
// request path. The hit ratio is hits / (hits + misses) (docs/cache.md has the PromQL).
//
// Threading: the sharded counters are incremented only by the worker owning the shard
// (FilterState::worker_index); the atomics from any thread; Collect() on the admin thread.

#include <prometheus/collectable.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "common/metrics/sharded_metrics.h"
#include "data-plane/filters/cache/cache_policy.h"

namespace portico::dp::filters::cache {

class ResponseStore;

struct CacheStats {
  explicit CacheStats(size_t worker_count);

  // The shard of a request's worker (a worker index past the count shares the last shard:
  // never out of bounds).
  int shard(size_t worker_index) const { return static_cast<int>(std::min(worker_index, shards - 1)); }
  const size_t shards;

  metrics::ShardedCounter hits;        // answered from the cache (coalesced waiters included)
  metrics::ShardedCounter misses;      // looked up, not found: went upstream
  metrics::ShardedCounter bypasses;    // not looked up (the method is not cached)
  metrics::ShardedCounter coalesced;   // waited for another request's response (then hit or miss)
  metrics::ShardedCounter stores;      // responses stored
  std::array<std::unique_ptr<metrics::ShardedCounter>, kNotStoredCount> not_stored;  // by NotStored
  std::atomic<uint64_t> purges{0};          // purge commands applied
  std::atomic<uint64_t> purged_entries{0};  // entries they removed
  std::atomic<uint64_t> full_purges{0};     // purges of everything (missed purge commands)
  // Backend REDIS: commands that failed (Redis down, slower than the timeout, a reply not
  // understood). A failed lookup is a miss; a failed store stores nothing.
  metrics::ShardedCounter redis_lookup_errors;
  metrics::ShardedCounter redis_store_errors;
  std::atomic<uint64_t> redis_purge_errors{0};

  void notStored(size_t worker, NotStored reason) { not_stored[static_cast<size_t>(reason)]->inc(shard(worker)); }
};

// Renders CacheStats and the store's state for /metrics.
class CacheMetrics : public prometheus::Collectable {
 public:
  CacheMetrics(const CacheStats& stats, const ResponseStore& store) : stats_(stats), store_(store) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const CacheStats& stats_;
  const ResponseStore& store_;
};

}  // namespace portico::dp::filters::cache
