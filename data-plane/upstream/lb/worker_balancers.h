#pragma once

// One worker's load balancers, one per cluster of the worker's current snapshot, and the
// decisions every policy shares: which endpoints a pick may return (healthy ones; all of them
// in panic mode; the local or the remote zone under zone routing; not the retry's previous
// endpoint while another is eligible). Worker::pickEndpoint is a call to pick().
//
// A cluster's balancer is created on its first pick after a snapshot swap (one allocation per
// cluster per snapshot, never per pick) and dropped by reset() at the next swap, which is
// where round-robin cursors and EDF deadlines start over.
//
// Threading: the owning worker thread only, except configure() (before the worker starts).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics/sharded_metrics.h"
#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/lb/fast_random.h"
#include "data-plane/upstream/lb/health_view.h"
#include "data-plane/upstream/lb/lb_stats.h"
#include "data-plane/upstream/lb/load_balancer.h"
#include "data-plane/upstream/pick_context.h"

namespace portico::dp::upstream::lb {

struct LbOptions {
  std::string local_zone;    // the proxy's zone (--zone); empty: no zone-aware routing
  LbStats* stats = nullptr;  // null: panic picks are not counted (tests)
};

class WorkerBalancers {
 public:
  WorkerBalancers(uint32_t worker_index, uint64_t seed);

  void configure(LbOptions options) { options_ = std::move(options); }
  // A new snapshot with `cluster_count` clusters: every balancer starts over.
  void reset(size_t cluster_count);

  // The endpoint for the next request to `cluster`, or null when it has none eligible
  // (no endpoints; none healthy with panic mode off).
  const Endpoint* pick(const Cluster& cluster, const PickContext& context) {
    return pick(cluster, context, EndpointState::nowNs());
  }
  // The same at a given steady-clock time (tests move time by hand).
  const Endpoint* pick(const Cluster& cluster, const PickContext& context, int64_t now_ns);

 private:
  struct Slot {
    const Cluster* cluster = nullptr;  // the cluster this slot was built for
    std::unique_ptr<LoadBalancer> balancer;
    HealthView view;
    metrics::ShardedCounter* panic = nullptr;
  };
  Slot& slotFor(const Cluster& cluster);
  HostFilter::Zone chooseZone(const Slot& slot, const Cluster& cluster);
  const Endpoint* pickWith(Slot& slot, HostFilter& filter, const PickContext& context);

  const uint32_t worker_index_;
  LbOptions options_;
  FastRandom random_;
  std::vector<Slot> slots_;  // by Cluster::index
};

}  // namespace portico::dp::upstream::lb
