#include "data-plane/upstream/cluster_metrics.h"

#include <string>

namespace portico::dp::upstream {

namespace {

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type) {
  prometheus::MetricFamily out;
  out.name = name;
  out.help = help;
  out.type = type;
  return out;
}

void add(prometheus::MetricFamily& family, std::vector<prometheus::ClientMetric::Label> labels,
         double value) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  if (family.type == prometheus::MetricType::Gauge) {
    metric.gauge.value = value;
  } else {
    metric.counter.value = value;
  }
  family.metric.push_back(std::move(metric));
}

double read(const std::atomic<uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

}  // namespace

std::vector<prometheus::MetricFamily> ClusterMetrics::Collect() const {
  using prometheus::MetricType;
  auto retries = family("portico_proxy_upstream_retries_total", "Retries started, by cluster",
                        MetricType::Counter);
  auto overflow =
      family("portico_proxy_retry_overflow_total",
             "Retries not made because the cluster's retry circuit breaker (max_retries or "
             "retry_budget) was full",
             MetricType::Counter);
  auto open = family(
      "portico_proxy_circuit_breaker_open_total",
      "Requests, connections and retries refused by a circuit breaker, by cluster and resource",
      MetricType::Counter);
  auto in_use =
      family("portico_proxy_circuit_breaker_in_use",
             "Circuit-breaker resources in use now, by cluster and resource", MetricType::Gauge);
  auto ejections =
      family("portico_proxy_outlier_ejections_total",
             "Endpoints ejected by outlier detection, by cluster and reason", MetricType::Counter);
  registry_.forEachCluster([&](const std::string& name, const ClusterState& state) {
    const ClusterCounters& counters = state.counters;
    add(retries, {{"cluster", name}}, read(counters.retries));
    add(overflow, {{"cluster", name}}, read(counters.retry_overflow));
    for (int r = 0; r < kResourceCount; ++r) {
      const auto resource = static_cast<Resource>(r);
      add(open, {{"cluster", name}, {"resource", resourceName(resource)}},
          read(counters.breaker_open[r]));
      add(in_use, {{"cluster", name}, {"resource", resourceName(resource)}}, state.inUse(resource));
    }
    for (int r = 0; r < kEjectionReasonCount; ++r) {
      add(ejections,
          {{"cluster", name}, {"reason", ejectionReasonName(static_cast<EjectionReason>(r))}},
          read(counters.ejections[r]));
    }
  });
  return {std::move(retries), std::move(overflow), std::move(open), std::move(in_use),
          std::move(ejections)};
}

}  // namespace portico::dp::upstream
