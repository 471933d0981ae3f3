#pragma once

// Shared checks for the consistent-hashing balancers (ring hash, Maglev).

#include <map>
#include <string>
#include <vector>

#include "data-plane/upstream/lb/load_balancer.h"
#include "data-plane/upstream/lb/xxhash64.h"
#include "tests/unit/data-plane/upstream/lb/lb_test_util.h"

namespace portico::dp::upstream::lb::test {

// The endpoint key each of `keys` maps to through a fresh balancer of `cluster`.
inline std::vector<std::string> assign(const Cluster& cluster, const std::vector<uint64_t>& keys) {
  auto lb = createLoadBalancer(cluster, 0);
  FastRandom random(1);
  const HostFilter filter{&cluster.endpoints, 0};
  std::vector<std::string> out;
  out.reserve(keys.size());
  for (uint64_t key : keys) {
    PickContext context;
    context.hash = key;
    out.push_back(lb->pick(filter, context, random)->key);
  }
  return out;
}

inline std::vector<uint64_t> userKeys(int n) {
  std::vector<uint64_t> keys;
  for (int i = 0; i < n; ++i) keys.push_back(xxHash64(cat("user-", i)));
  return keys;
}

inline std::map<std::string, double> shareByKey(const std::vector<std::string>& assigned) {
  std::map<std::string, double> out;
  for (const std::string& key : assigned) out[key] += 1.0 / assigned.size();
  return out;
}

}  // namespace portico::dp::upstream::lb::test
