#include "data-plane/upstream/lb/lb_tables.h"

#include <memory>

#include "data-plane/upstream/lb/maglev.h"
#include "data-plane/upstream/lb/random.h"
#include "data-plane/upstream/lb/ring_hash.h"
#include "data-plane/upstream/lb/round_robin.h"

namespace portico::dp::upstream::lb {

void buildLbTables(Cluster& cluster, TableCache* cache) {
  cluster.schedule.reset();
  cluster.cumulative_weights.clear();
  cluster.ring.reset();
  cluster.maglev.reset();
  cluster.equal_weights = true;
  std::vector<uint32_t> weights;
  weights.reserve(cluster.endpoints.size());
  for (const Endpoint& endpoint : cluster.endpoints) {
    weights.push_back(endpoint.weight);
    cluster.equal_weights =
        cluster.equal_weights && endpoint.weight == cluster.endpoints.front().weight;
  }
  switch (cluster.lb.policy) {
    case LbPolicy::kRoundRobin:
      cluster.schedule =
          cache != nullptr
              ? cache->schedule(weights)
              : std::make_shared<const std::vector<uint32_t>>(buildSmoothSchedule(weights));
      break;
    case LbPolicy::kRandom:
      cluster.cumulative_weights =
          cumulativeWeights(cluster.endpoints);  // one cheap pass: not cached
      break;
    case LbPolicy::kLeastRequest:
      break;  // reads weights and request counts directly
    case LbPolicy::kRingHash:
      cluster.ring =
          cache != nullptr
              ? cache->ring(cluster)
              : std::make_shared<const RingHashTable>(RingHashTable::build(
                    cluster.endpoints, cluster.lb.ring_min_size, cluster.lb.ring_max_size));
      break;
    case LbPolicy::kMaglev:
      cluster.maglev = cache != nullptr ? cache->maglev(cluster)
                                        : std::make_shared<const MaglevTable>(MaglevTable::build(
                                              cluster.endpoints, cluster.lb.maglev_table_size));
      break;
  }
}

}  // namespace portico::dp::upstream::lb
