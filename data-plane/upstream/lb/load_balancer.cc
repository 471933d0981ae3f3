#include "data-plane/upstream/lb/load_balancer.h"

#include "data-plane/upstream/lb/least_request.h"
#include "data-plane/upstream/lb/maglev.h"
#include "data-plane/upstream/lb/random.h"
#include "data-plane/upstream/lb/ring_hash.h"
#include "data-plane/upstream/lb/round_robin.h"

namespace portico::dp::upstream::lb {

std::unique_ptr<LoadBalancer> createLoadBalancer(const Cluster& cluster, uint32_t worker_index) {
  switch (cluster.lb.policy) {
    case LbPolicy::kRoundRobin:
      return std::make_unique<RoundRobinLb>(cluster, worker_index);
    case LbPolicy::kLeastRequest:
      return std::make_unique<LeastRequestLb>(cluster, 0x5eed0000ULL + worker_index);
    case LbPolicy::kRandom:
      return std::make_unique<RandomLb>(cluster);
    case LbPolicy::kRingHash:
      return std::make_unique<RingHashLb>(cluster);
    case LbPolicy::kMaglev:
      return std::make_unique<MaglevLb>(cluster);
  }
  return std::make_unique<RoundRobinLb>(cluster, worker_index);
}

}  // namespace portico::dp::upstream::lb
