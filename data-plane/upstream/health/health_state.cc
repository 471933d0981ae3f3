#include "data-plane/upstream/health/health_state.h"

namespace portico::dp::upstream::health {

bool recordCheck(HealthCounters& counters, bool passed, uint32_t healthy_threshold,
                 uint32_t unhealthy_threshold) {
  const bool was_unhealthy = counters.unhealthy;
  if (passed) {
    counters.failures = 0;
    ++counters.passes;
    if (counters.unhealthy && counters.passes >= healthy_threshold) counters.unhealthy = false;
  } else {
    counters.passes = 0;
    ++counters.failures;
    if (!counters.unhealthy && counters.failures >= unhealthy_threshold) counters.unhealthy = true;
  }
  return counters.unhealthy != was_unhealthy;
}

bool statusExpected(unsigned status, const std::vector<std::pair<int64_t, int64_t>>& ranges) {
  if (ranges.empty()) return status == 200;
  for (const auto& [start, end] : ranges) {
    if (static_cast<int64_t>(status) >= start && static_cast<int64_t>(status) < end) return true;
  }
  return false;
}

}  // namespace portico::dp::upstream::health
