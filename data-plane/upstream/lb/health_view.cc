#include "data-plane/upstream/lb/health_view.h"

namespace portico::dp::upstream::lb {

void HealthView::init(const Cluster& cluster, std::string_view local_zone) {
  local_.assign(cluster.endpoints.size(), 0);
  if (local_zone.empty()) return;
  for (size_t i = 0; i < cluster.endpoints.size(); ++i) {
    local_[i] = cluster.endpoints[i].zone == local_zone ? 1 : 0;
  }
}

void HealthView::refresh(const Cluster& cluster, int64_t now_ns) {
  HealthCounts counts;
  for (size_t i = 0; i < cluster.endpoints.size(); ++i) {
    const bool healthy = cluster.endpoints[i].state->healthy(now_ns);
    const bool local = i < local_.size() && local_[i] != 0;
    ++counts.total;
    counts.healthy += healthy ? 1 : 0;
    counts.local_total += local ? 1 : 0;
    counts.local_healthy += local && healthy ? 1 : 0;
  }
  counts_ = counts;
  next_refresh_ns_ = now_ns + kRefreshInterval;
}

}  // namespace portico::dp::upstream::lb
