#include "data-plane/upstream/lb/zone_routing.h"

#include <algorithm>

namespace portico::dp::upstream::lb {

bool inPanic(const HealthCounts& counts, double threshold_percent) {
  return threshold_percent > 0 && counts.total > 0 &&
         static_cast<double>(counts.healthy) * 100.0 < threshold_percent * counts.total;
}

double localShare(const HealthCounts& counts, const LbConfig& config) {
  if (!config.zone_aware || counts.total < config.zone_min_cluster_size || counts.local_healthy == 0 ||
      counts.local_total == counts.total || inPanic(counts, config.healthy_panic_threshold)) {
    return 0;
  }
  const double demand = static_cast<double>(counts.local_total) / counts.total;        // s
  const double capacity = static_cast<double>(counts.local_healthy) / counts.healthy;  // h
  return std::min(1.0, capacity / demand);
}

}  // namespace portico::dp::upstream::lb
