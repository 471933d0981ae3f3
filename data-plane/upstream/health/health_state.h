#pragma once

// The health-check state machine of one endpoint, without I/O (Envoy's semantics): an endpoint
// turns unhealthy after `unhealthy_threshold` failed checks in a row and healthy again after
// `healthy_threshold` passed checks in a row; a pass resets the failure run and a failure the
// pass run. A timeout is a failure.
//
// Threading: owned by the health checker's thread.

#include <cstdint>
#include <utility>
#include <vector>

namespace portico::dp::upstream::health {

struct HealthCounters {
  uint32_t passes = 0;    // consecutive
  uint32_t failures = 0;  // consecutive
  bool unhealthy = false;
};

// Records one check; returns true when `counters.unhealthy` changed.
bool recordCheck(HealthCounters& counters, bool passed, uint32_t healthy_threshold,
                 uint32_t unhealthy_threshold);

// Whether `status` is expected: in one of the half-open ranges [start, end), or 200 when there
// are none (Envoy's default).
bool statusExpected(unsigned status, const std::vector<std::pair<int64_t, int64_t>>& ranges);

}  // namespace portico::dp::upstream::health
