#pragma once

// Exposes the resilience counters and circuit-breaker gauges that live in each ClusterState
// (cluster_state.h) on /metrics, read at scrape time — nothing is looked up on the request path:
//   portico_proxy_upstream_retries_total{cluster}
//   portico_proxy_retry_overflow_total{cluster}
//   portico_proxy_circuit_breaker_open_total{cluster,resource}
//   portico_proxy_circuit_breaker_in_use{cluster,resource}      (gauge)
//   portico_proxy_outlier_ejections_total{cluster,reason}
// Series follow the cluster state: a cluster no snapshot names any more disappears (and starts
// from zero if it comes back), as Prometheus allows for counters.
//
// Threading: Collect() runs on the admin thread; it only reads atomics.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "data-plane/upstream/state_registry.h"

namespace portico::dp::upstream {

class ClusterMetrics : public prometheus::Collectable {
 public:
  // `registry` must outlive this collector.
  explicit ClusterMetrics(StateRegistry& registry) : registry_(registry) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  StateRegistry& registry_;
};

}  // namespace portico::dp::upstream
