#pragma once

// The interface every load-balancing policy implements (one file per policy in this folder).
// A LoadBalancer is one worker's balancer for one cluster of one snapshot: it may keep
// per-worker state (round-robin cursor, EDF deadlines) without atomics, and reads the immutable
// tables the snapshot compiler built into the Cluster (lb_tables.h). WorkerBalancers creates
// them on a cluster's first pick after a snapshot swap and drops them with the next swap.
//
// Threading: the owning worker thread only. pick() takes no lock and allocates nothing.

#include <cstdint>
#include <memory>

#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/lb/fast_random.h"
#include "data-plane/upstream/lb/host_filter.h"
#include "data-plane/upstream/pick_context.h"

namespace portico::dp::upstream::lb {

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;

  // An endpoint of the cluster that `filter` accepts, or null when it accepts none (a policy
  // must fall back to HostFilter::firstFrom rather than give up early). `context.hash` is
  // used by the hashing policies; the retry's avoided endpoints are already part of `filter`.
  virtual const Endpoint* pick(const HostFilter& filter, const PickContext& context,
                               FastRandom& random) = 0;
  // Whether picks depend on the request's hash (ring hash, Maglev): those are not zone-routed,
  // so that every proxy maps a key to the same endpoint wherever it runs.
  virtual bool consistentHashing() const { return false; }
};

// The balancer of `cluster.lb.policy` for worker `worker_index` (which only offsets where
// round robin starts, so workers do not all begin with the same endpoint).
std::unique_ptr<LoadBalancer> createLoadBalancer(const Cluster& cluster, uint32_t worker_index);

}  // namespace portico::dp::upstream::lb
