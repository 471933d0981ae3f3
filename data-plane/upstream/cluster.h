#pragma once

// A compiled upstream cluster: immutable, part of a config::Snapshot. What changes at run time
// (endpoint health, ejections, circuit-breaker gauges) lives in the shared ClusterState and
// EndpointState objects the cluster points to (see state_registry.h); per-worker state
// (round-robin cursors, connection pools) lives in the worker.

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "data-plane/upstream/cluster_state.h"
#include "data-plane/upstream/endpoint_state.h"
#include "data-plane/upstream/pool_key.h"

namespace portico::dp::upstream {

namespace lb {
class RingHashTable;
class MaglevTable;
}  // namespace lb

struct Endpoint {
  boost::asio::ip::tcp::endpoint address;  // resolved at compile time: no DNS on the hot path
  std::string key;                         // "ip:port"
  // "<cluster>\n<ip:port>", the connection-pool key: pools are per cluster (as Envoy's are), so
  // a cluster's connections — and its max_connections breaker — are never shared with another
  // cluster that happens to list the same address.
  PoolKey pool_key;
  uint32_t weight = 1;
  std::string zone;
  std::shared_ptr<EndpointState> state;  // never null in a compiled snapshot
};

enum class LbPolicy : uint8_t { kRoundRobin, kLeastRequest, kRandom, kRingHash, kMaglev };

struct LbConfig {
  LbPolicy policy = LbPolicy::kRoundRobin;
  uint32_t choice_count = 2;              // least_request: endpoints sampled per pick
  uint64_t ring_min_size = 1024;          // ring_hash
  uint64_t ring_max_size = 8 * 1024 * 1024;
  uint64_t maglev_table_size = 65537;     // maglev: a prime
  // Below this share of healthy endpoints (percent), balance over all endpoints (Envoy's panic
  // mode); 0 disables panic mode.
  double healthy_panic_threshold = 50.0;
  // Zone-aware routing (Envoy's zone_aware_lb_config): prefer endpoints in the proxy's zone.
  bool zone_aware = false;
  double zone_routing_enabled = 100.0;    // percent of requests that use zone-aware routing
  uint64_t zone_min_cluster_size = 6;     // smaller clusters are not zone-routed
};

// Envoy's OutlierDetection, the parts Portico acts on.
struct OutlierDetection {
  uint32_t consecutive_5xx = 5;               // 0: off
  uint32_t consecutive_gateway_failure = 0;   // 0: off (Envoy's default enforcing is 0 too)
  absl::Duration interval = absl::Seconds(10);
  absl::Duration base_ejection_time = absl::Seconds(30);
  absl::Duration max_ejection_time = absl::Seconds(300);
  uint32_t max_ejection_percent = 10;
  uint32_t enforcing_consecutive_5xx = 100;
  uint32_t enforcing_consecutive_gateway_failure = 0;
};

// Envoy's HealthCheck with an HttpHealthCheck.
struct HealthCheck {
  std::string path = "/";
  std::string host;  // empty: the cluster name
  absl::Duration timeout = absl::Seconds(1);
  absl::Duration interval = absl::Seconds(5);
  absl::Duration unhealthy_interval = absl::ZeroDuration();  // zero: `interval`
  uint32_t unhealthy_threshold = 3;
  uint32_t healthy_threshold = 2;
  // Half-open ranges [start, end); empty means 200 only (Envoy's default [200, 201)).
  std::vector<std::pair<int64_t, int64_t>> expected_statuses;
};

struct Cluster {
  std::string name;
  int index = -1;  // position in Snapshot::clusters()
  absl::Duration connect_timeout = absl::Seconds(5);
  LbConfig lb;
  CircuitBreakerLimits limits;
  std::optional<OutlierDetection> outlier;
  std::optional<HealthCheck> health_check;
  std::vector<Endpoint> endpoints;
  // Load-balancing tables, built once when the snapshot is compiled (lb/lb_tables.h) for the
  // cluster's policy only, and shared read-only by every worker.
  // round_robin: nginx's smooth weighted order (weights {5,1,1}: a a b a c a a), so a pick is
  // one cursor increment and one index. Null for the other policies.
  std::shared_ptr<const std::vector<uint32_t>> schedule;
  // random: running sums of the endpoint weights (a pick is one binary search).
  std::vector<uint64_t> cumulative_weights;
  bool equal_weights = true;  // every endpoint has the same weight
  std::shared_ptr<const lb::RingHashTable> ring;  // ring_hash
  std::shared_ptr<const lb::MaglevTable> maglev;  // maglev
  bool has_assignment = false;  // an EDS ClusterLoadAssignment has arrived
  std::shared_ptr<ClusterState> state;  // never null in a compiled snapshot
};

}  // namespace portico::dp::upstream
