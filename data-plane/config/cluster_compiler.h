#pragma once

// Compiles CDS Clusters and their EDS ClusterLoadAssignments into upstream::Cluster (part of
// a Snapshot). Errors name the resource and field; any error rejects the whole update.
//
// Accepted:
// - type EDS (over ADS or self) or STATIC with load_assignment; connect_timeout.
// - lb_policy ROUND_ROBIN, LEAST_REQUEST (least_request_lb_config.choice_count >= 2), RANDOM,
//   RING_HASH (ring_hash_lb_config sizes, 1 <= min <= max <= 8M), MAGLEV (maglev_lb_config
//   table_size a prime <= 5,000,011); other policies are refused.
// - common_lb_config.healthy_panic_threshold (0–100) and zone_aware_lb_config.
// - circuit_breakers: the DEFAULT priority thresholds (HIGH is accepted and not used: Portico
//   has no priority routing).
// - outlier_detection: consecutive_5xx, consecutive_gateway_failure, interval, base and max
//   ejection time, max_ejection_percent and the two enforcing percentages (all 0–100);
//   success-rate and failure-percentage detection are refused when enforced.
// - health_checks: at most one, an http_health_check with path, host and expected_statuses in
//   [100, 600), interval and timeout > 0, thresholds >= 1; gRPC health checks are refused.
// - ClusterLoadAssignment: IP-literal endpoints at priority 0 (other priorities refused);
//   UNHEALTHY/DRAINING/TIMEOUT endpoints skipped; weights >= 1.

#include <string>
#include <vector>

#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/state_registry.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"

namespace portico::dp::config {

// The cluster's settings (no endpoints yet), with its shared state from `registry`.
upstream::Cluster compileCluster(const envoy::config::cluster::v3::Cluster& in, int index,
                                 upstream::StateRegistry& registry,
                                 std::vector<std::string>& errors);

// Adds the endpoints of `in` to `cluster` (with their shared state); `where` prefixes errors.
void assignEndpoints(const envoy::config::endpoint::v3::ClusterLoadAssignment& in,
                     const std::string& where, upstream::Cluster& cluster,
                     upstream::StateRegistry& registry, std::vector<std::string>& errors);

// Fills cluster.schedule: the interleaved weighted round-robin order.
void buildSchedule(upstream::Cluster& cluster);

}  // namespace portico::dp::config
