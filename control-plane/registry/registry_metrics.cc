#include "control-plane/registry/registry_metrics.h"

#include <prometheus/metric_family.h>

namespace portico::cp::registry {

std::vector<prometheus::MetricFamily> RegistryMetrics::Collect() const {
  prometheus::MetricFamily family;
  family.name = "portico_cp_registered_instances";
  family.help = "Instances currently registered, by service";
  family.type = prometheus::MetricType::Gauge;
  for (const auto& [service, instances] : store_.state()) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"service", service});
    metric.gauge.value = static_cast<double>(instances.size());
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

}  // namespace portico::cp::registry
