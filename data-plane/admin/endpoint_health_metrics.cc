#include "data-plane/admin/endpoint_health_metrics.h"

#include <prometheus/metric_family.h>

namespace portico::dp::admin {

namespace {

prometheus::ClientMetric gauge(const std::string& cluster, double value) {
  prometheus::ClientMetric metric;
  metric.label.push_back({"cluster", cluster});
  metric.gauge.value = value;
  return metric;
}

}  // namespace

std::vector<prometheus::MetricFamily> EndpointHealthMetrics::Collect() const {
  prometheus::MetricFamily healthy{"portico_proxy_endpoints_healthy",
                                   "Endpoints passing health checks and not ejected, per cluster",
                                   prometheus::MetricType::Gauge, {}};
  prometheus::MetricFamily all{"portico_proxy_endpoints", "Endpoints per cluster", prometheus::MetricType::Gauge, {}};
  if (const config::SnapshotPtr snapshot = current_()) {
    const int64_t now = upstream::EndpointState::nowNs();
    for (const upstream::Cluster& cluster : snapshot->clusters()) {
      uint32_t count = 0;
      for (const upstream::Endpoint& endpoint : cluster.endpoints) count += endpoint.state->healthy(now) ? 1 : 0;
      healthy.metric.push_back(gauge(cluster.name, count));
      all.metric.push_back(gauge(cluster.name, static_cast<double>(cluster.endpoints.size())));
    }
  }
  return {std::move(healthy), std::move(all)};
}

}  // namespace portico::dp::admin
