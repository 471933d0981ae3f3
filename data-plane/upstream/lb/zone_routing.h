#pragma once

// Panic mode and the zone rule: pure functions of a cluster's health counts and LbConfig.
//
// Panic (Envoy's healthy_panic_threshold): when fewer than `threshold` percent of a cluster's
// endpoints are healthy, the few healthy ones would take all the load and likely fall over
// too, so the balancer spreads requests over all endpoints, healthy or not. 0 disables it.
//
// Zone rule (Envoy's zone_aware_lb_config, simplified). Envoy compares the share of *proxies*
// in the local zone with the share of healthy upstream endpoints there; a Portico proxy does
// not know where the other proxies run, so the rule assumes they are spread over zones the way
// the cluster's endpoints are (the usual deployment: each zone runs clients and servers alike).
// With
//   s = local endpoints / all endpoints    (the local zone's share of the demand, assumed)
//   h = local healthy / all healthy        (its share of the healthy capacity)
// the local zone can take its own demand at the cluster's average load per healthy endpoint
// when h >= s: then every zone-routed request stays local. When h < s, a share h / s of the
// requests stays local and the rest goes to the other zones, which keeps the load per healthy
// endpoint even everywhere — exactly Envoy's algorithm under the assumption, minus its
// residual-capacity weighting of the remote zones (here the policy spreads the spill-over over
// all remote endpoints). No zone routing at all (every endpoint eligible) when:
//   - the cluster is not zone_aware or the proxy has no --zone;
//   - the cluster has fewer than zone_min_cluster_size endpoints (Envoy's min_cluster_size);
//   - the cluster is in panic mode, or the local zone has no healthy endpoint;
//   - every endpoint is in the local zone (nothing to prefer).
// routing_enabled percent of requests use the rule; the others are balanced over every zone.

#include <cstdint>

#include "data-plane/upstream/cluster.h"

namespace portico::dp::upstream::lb {

struct HealthCounts {
  uint32_t total = 0;
  uint32_t healthy = 0;
  uint32_t local_total = 0;
  uint32_t local_healthy = 0;
};

// True when the healthy share is below `threshold_percent` (0 never panics).
bool inPanic(const HealthCounts& counts, double threshold_percent);

// The share (0..1) of zone-routed requests to keep in the local zone: 1 all local, 0 no zone
// routing (balance over every zone), in between: that share local and the rest remote.
double localShare(const HealthCounts& counts, const LbConfig& config);

}  // namespace portico::dp::upstream::lb
