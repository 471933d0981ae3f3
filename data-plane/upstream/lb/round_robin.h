#pragma once

// Weighted round robin, smooth: nginx's algorithm (ngx_http_upstream_get_peer) spreads an
// endpoint's turns through the cycle instead of bunching them, so weights {5,1,1} give
// a a b a c a a, not a a a a a b c. The cycle is computed once per snapshot
// (buildSmoothSchedule, shared by all workers); each worker walks it with its own cursor, so a
// pick is an increment and an index, with no shared atomics.
//
// Endpoints the filter refuses (unhealthy, avoided, other zone) are skipped: the others keep
// their relative shares over a cycle.

#include <cstdint>
#include <vector>

#include "data-plane/upstream/lb/load_balancer.h"

namespace portico::dp::upstream::lb {

// The schedule is exact (nginx's sequence) when the weights, divided by their greatest common
// divisor, sum to at most this; larger sums are scaled down to it (each endpoint keeps at
// least one turn), which bounds memory at 256 KiB per cluster and the build time.
inline constexpr uint64_t kMaxScheduleEntries = 1 << 16;

// nginx's smooth weighted round-robin cycle over endpoints 0..n-1 with these weights (each
// >= 1). Ties go to the lower index, as in nginx.
std::vector<uint32_t> buildSmoothSchedule(const std::vector<uint32_t>& weights,
                                          uint64_t max_entries = kMaxScheduleEntries);

class RoundRobinLb final : public LoadBalancer {
 public:
  // `start` offsets the cursor (each worker starts at its index, spreading the first picks).
  RoundRobinLb(const Cluster& cluster, uint32_t start);
  const Endpoint* pick(const HostFilter& filter, const PickContext& context,
                       FastRandom& random) override;

 private:
  // The cluster's schedule (empty when it has none); the cluster outlives its balancer.
  const std::vector<uint32_t>& schedule_;
  uint32_t cursor_;
};

}  // namespace portico::dp::upstream::lb
