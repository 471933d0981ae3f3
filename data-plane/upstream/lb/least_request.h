#pragma once

// Least request, as Envoy does it (source/common/upstream/load_balancer_impl.cc):
// - equal weights: power of `choice_count` choices: draw that many endpoints at random (with
//   replacement) and take the one with the fewest requests in flight, the first drawn on a
//   tie;
// - unequal weights: earliest-deadline-first over effective weights weight / (active + 1),
//   recomputed for an endpoint each time it comes up, so an endpoint gets turns in proportion
//   to its weight while idle and fewer as its requests pile up.
// "Requests in flight" is EndpointState::active_requests, counted by the router around each
// upstream exchange over all workers (the only shared atomic read on this path).
//
// The EDF deadlines are per worker (no atomics); each worker starts them at a random phase so
// the workers do not all begin with the heaviest endpoint.

#include <cstdint>
#include <vector>

#include "data-plane/upstream/lb/load_balancer.h"

namespace portico::dp::upstream::lb {

class LeastRequestLb final : public LoadBalancer {
 public:
  LeastRequestLb(const Cluster& cluster, uint64_t seed);
  const Endpoint* pick(const HostFilter& filter, const PickContext& context,
                       FastRandom& random) override;

 private:
  struct Deadline {
    double at;
    uint32_t index;
  };
  const Endpoint* pickPowerOfChoices(const HostFilter& filter, FastRandom& random);
  const Endpoint* pickEdf(const HostFilter& filter, FastRandom& random);
  double effectiveWeight(uint32_t index) const;

  const Cluster& cluster_;
  const uint32_t choice_count_;
  std::vector<Deadline> heap_;  // a min-heap on `at`; empty with equal weights
};

}  // namespace portico::dp::upstream::lb
