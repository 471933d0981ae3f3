#pragma once

// Weighted random: each pick draws an endpoint with probability weight / total weight (one
// binary search over the running sums the snapshot compiler built; a plain index when all
// weights are equal). Endpoints the filter refuses are redrawn a few times (rejection sampling
// keeps the shares among the accepted ones exact), then the first accepted one after a random
// start is taken.

#include <cstdint>
#include <vector>

#include "data-plane/upstream/lb/load_balancer.h"

namespace portico::dp::upstream::lb {

// Running sums of the weights: out[i] = weight[0] + ... + weight[i].
std::vector<uint64_t> cumulativeWeights(const std::vector<Endpoint>& endpoints);

// An endpoint index drawn in proportion to weight (equal weights: uniformly).
uint32_t weightedDraw(const Cluster& cluster, FastRandom& random);

class RandomLb final : public LoadBalancer {
 public:
  explicit RandomLb(const Cluster& cluster) : cluster_(cluster) {}
  const Endpoint* pick(const HostFilter& filter, const PickContext& context,
                       FastRandom& random) override;

 private:
  const Cluster& cluster_;
};

}  // namespace portico::dp::upstream::lb
