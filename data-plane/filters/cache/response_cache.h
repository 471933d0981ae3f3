#pragma once

// The proxy's response cache as a whole: the one ResponseStore every worker and listener
// shares, its metrics, and what each config push changes about it. Owned by main (declared
// before the workers, so it outlives every snapshot) and handed to the cache filter's factory
// through FilterBuildContext::cache; it lives across snapshots, so a config push keeps the
// cached responses.
//
// A push changes two things, staged while the snapshot compiles and applied once it is
// published (SnapshotPublisher: beginCompile() before, commit() after; a NACKed snapshot
// changes nothing):
// - the capacity: the largest max_size_bytes of any cache config in the snapshot (filter-level,
//   route, consumer); a snapshot without one sets it to 0, which empties the cache;
// - purges: the control plane's purge list (cache.proto, Cache.purges), through PurgeTracker;
//   applied to the memory store and, through the RedisPurger, to the Redis server of every
//   cache config with backend REDIS in the snapshot (stageRedis).
//
// Threading: store() and stats() from any thread; the staging methods and commit() on the xDS
// thread.

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "data-plane/filters/cache/cache_stats.h"
#include "data-plane/filters/cache/purge_tracker.h"
#include "data-plane/filters/cache/redis_purger.h"
#include "data-plane/filters/cache/response_store.h"

namespace portico::dp::filters::cache {

class ResponseCache {
 public:
  explicit ResponseCache(size_t worker_count);
  ~ResponseCache();

  ResponseStore& store() { return store_; }
  CacheStats& stats() { return stats_; }
  // For the proxy's /metrics (refers to this object: keep it alive as long as the exposition).
  std::shared_ptr<prometheus::Collectable> metrics() const { return metrics_; }

  // Staging, while a snapshot compiles (the cache filter's factory calls these).
  void beginCompile();
  void stageCapacity(uint64_t max_size_bytes);
  void stagePurges(uint64_t epoch, std::vector<PurgeCommand> purges);
  // A cache config with backend REDIS on the server at `address`: purges apply there too.
  void stageRedis(std::string address);
  // The snapshot was published: apply what was staged. Returns the purge plan applied (tests).
  PurgePlan commit();

  RedisPurger& redisPurger() { return *purger_; }

 private:
  ResponseStore store_;
  CacheStats stats_;
  std::shared_ptr<prometheus::Collectable> metrics_;
  std::mutex mu_;  // staging vs. commit, should a caller use other threads
  uint64_t staged_capacity_ ABSL_GUARDED_BY(mu_) = 0;
  bool staged_purges_present_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t staged_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<PurgeCommand> staged_purges_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> staged_redis_ ABSL_GUARDED_BY(mu_);
  PurgeTracker tracker_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<RedisPurger> purger_;  // last: its thread goes first
};

}  // namespace portico::dp::filters::cache
