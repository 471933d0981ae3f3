#pragma once

// One worker's view of one cluster's health for the aggregate decisions of a pick: panic mode
// (is the healthy share below the threshold?) and zone routing (how healthy is the proxy's own
// zone?). Counting costs one pass over the endpoints, so a worker recounts at most every
// kRefreshInterval, not per pick; whether one endpoint may be chosen is still checked against
// its live state on every pick (HostFilter). When a pick finds no healthy endpoint at all, the
// dispatcher recounts at once, so a stale view never turns "all down" into a 503 while panic
// mode would have served.
//
// Threading: the owning worker thread only.

#include <cstdint>
#include <string_view>
#include <vector>

#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/lb/zone_routing.h"

namespace portico::dp::upstream::lb {

class HealthView {
 public:
  static constexpr int64_t kRefreshInterval = 100'000'000;  // ns

  // Once per snapshot: which endpoints are in `local_zone` (none when it is empty).
  void init(const Cluster& cluster, std::string_view local_zone);
  // Recounts healthy endpoints as of `now_ns`.
  void refresh(const Cluster& cluster, int64_t now_ns);
  bool due(int64_t now_ns) const { return now_ns >= next_refresh_ns_; }

  const HealthCounts& counts() const { return counts_; }
  // Per endpoint index: 1 when in the proxy's zone. Valid after init().
  const uint8_t* local() const { return local_.data(); }

 private:
  std::vector<uint8_t> local_;
  HealthCounts counts_;
  int64_t next_refresh_ns_ = INT64_MIN;
};

}  // namespace portico::dp::upstream::lb
