#pragma once

// Reuses load-balancing tables across snapshots. Every xDS update compiles a whole new snapshot,
// so without this an EDS change to one cluster would rebuild the smooth schedule, ring or Maglev
// table of every cluster (about a millisecond per Maglev table). A table is a pure function of
// its inputs, and those inputs are the cache key:
// - smooth schedule: the endpoint weights, in endpoint order (it holds endpoint indices);
// - ring hash: ring_min_size, ring_max_size, and each endpoint's key ("ip:port", what the ring
//   hashes) and weight, in endpoint order;
// - Maglev: maglev_table_size, and each endpoint's key and weight, in endpoint order.
// The cache holds weak references, like StateRegistry: a table no live snapshot holds is freed,
// and its entry is swept once the map has grown to twice its size after the last sweep.
//
// Owned by the StateRegistry (one per proxy, kept across snapshots by SnapshotPublisher).
// Threading: any thread; a mutex guards the maps. Compile time only, never the request path.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "data-plane/upstream/cluster.h"

namespace portico::dp::upstream::lb {

class TableCache {
 public:
  using SchedulePtr = std::shared_ptr<const std::vector<uint32_t>>;

  // The smooth weighted round-robin schedule for `weights` (endpoint order).
  SchedulePtr schedule(const std::vector<uint32_t>& weights);
  // The ring of `cluster` (its endpoints and LbConfig ring sizes).
  std::shared_ptr<const RingHashTable> ring(const Cluster& cluster);
  // The Maglev table of `cluster` (its endpoints and LbConfig table size).
  std::shared_ptr<const MaglevTable> maglev(const Cluster& cluster);

  // Map entries, expired ones included (tests check that growth stays bounded).
  size_t entries() const;

 private:
  template <typename T>
  using Shelf = absl::flat_hash_map<std::string, std::weak_ptr<const T>>;

  template <typename T, typename Build>
  std::shared_ptr<const T> getOrBuild(Shelf<T>& shelf, std::string key, const Build& build);
  void sweepIfGrown() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable std::mutex mu_;
  Shelf<std::vector<uint32_t>> schedules_ ABSL_GUARDED_BY(mu_);
  Shelf<RingHashTable> rings_ ABSL_GUARDED_BY(mu_);
  Shelf<MaglevTable> maglevs_ ABSL_GUARDED_BY(mu_);
  size_t sweep_at_ ABSL_GUARDED_BY(mu_) = 64;  // total entries that trigger the next sweep
};

}  // namespace portico::dp::upstream::lb
