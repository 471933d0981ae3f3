#pragma once

// Passive health checking (Envoy's consecutive_5xx and consecutive_gateway_failure outlier
// detection): every try reports its result for the endpoint it used, and an endpoint that fails
// too many times in a row is ejected — skipped by every load balancer through
// EndpointState::healthy() — for a while.
//
// The state is the endpoint's EndpointState (atomics, shared by all workers and kept across
// snapshots), so detection is per proxy, as in Envoy, and the request path takes no lock.
// Un-ejection is by time: healthy() compares the clock with ejected_until_ns, so no timer is
// needed. Envoy lowers times_ejected by one each `interval` the endpoint spends un-ejected;
// here that decay is computed lazily when the endpoint is next ejected (one step per whole
// interval since its last ejection ended), which gives the same ejection times without a
// per-proxy sweep.
//
// Threading: any worker thread; functions are lock-free. Two workers racing on one endpoint
// eject it once (a compare-and-swap on ejected_until_ns); two racing on different endpoints may
// together exceed max_ejection_percent by one endpoint.

#include <cstdint>
#include <optional>

#include "data-plane/upstream/cluster.h"

namespace portico::dp::upstream::outlier {

// One try's result for its endpoint (Envoy without split_external_local_origin_errors: local
// failures — connect failure, reset, timeout — count as gateway failures, 502/503/504).
enum class TryResult : uint8_t {
  kSuccess,         // a response below 500
  k5xx,             // a 5xx response other than 502/503/504
  kGatewayFailure,  // 502/503/504, or no response: connect failure, reset, timeout
};

// The result for a response status.
TryResult resultForStatus(unsigned status);

// Records `result` for `endpoint` of `cluster` (nothing when the cluster has no outlier
// detection). Returns the reason when this result ejected the endpoint. `now_ns` is
// EndpointState::nowNs(); `random` a uniformly random number (enforcing_* percentages).
std::optional<EjectionReason> recordResult(const Cluster& cluster, const Endpoint& endpoint,
                                           TryResult result, int64_t now_ns, uint64_t random);

// How long the `times`-th ejection lasts: base_ejection_time × times, at most
// max(base_ejection_time, max_ejection_time).
int64_t ejectionDurationNs(const OutlierDetection& config, uint32_t times);

// times_ejected after the lazy decay: one less per whole `interval` between `unejected_at_ns`
// (when the last ejection ended; 0: never ejected) and `now_ns`.
uint32_t decayedTimesEjected(const OutlierDetection& config, uint32_t times,
                             int64_t unejected_at_ns, int64_t now_ns);

}  // namespace portico::dp::upstream::outlier
