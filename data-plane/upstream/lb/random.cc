#include "data-plane/upstream/lb/random.h"

#include <algorithm>

namespace portico::dp::upstream::lb {

namespace {
// With at least half of the endpoints acceptable (the default panic threshold), 8 draws all
// miss with probability 1/256; the fallback is exhaustive anyway.
constexpr int kDraws = 8;
}  // namespace

std::vector<uint64_t> cumulativeWeights(const std::vector<Endpoint>& endpoints) {
  std::vector<uint64_t> out;
  out.reserve(endpoints.size());
  uint64_t sum = 0;
  for (const Endpoint& endpoint : endpoints) {
    sum += std::max(endpoint.weight, 1u);
    out.push_back(sum);
  }
  return out;
}

uint32_t weightedDraw(const Cluster& cluster, FastRandom& random) {
  const auto n = static_cast<uint32_t>(cluster.endpoints.size());
  if (cluster.equal_weights || cluster.cumulative_weights.size() != n) {
    return static_cast<uint32_t>(random.below(n));
  }
  const uint64_t point = random.below(cluster.cumulative_weights.back());
  const auto it = std::upper_bound(cluster.cumulative_weights.begin(), cluster.cumulative_weights.end(), point);
  return static_cast<uint32_t>(it - cluster.cumulative_weights.begin());
}

const Endpoint* RandomLb::pick(const HostFilter& filter, const PickContext&, FastRandom& random) {
  const uint32_t n = filter.size();
  if (n == 0) return nullptr;
  for (int draw = 0; draw < kDraws; ++draw) {
    const uint32_t index = weightedDraw(cluster_, random);
    if (filter.accepts(index)) return &(*filter.endpoints)[index];
  }
  return filter.firstFrom(static_cast<uint32_t>(random.below(n)));
}

}  // namespace portico::dp::upstream::lb
