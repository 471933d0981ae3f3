#pragma once

// Helpers for the load-balancer tests: clusters built by hand (no xDS), with their tables built
// the way the snapshot compiler builds them, and pick counting.

#include <boost/asio/ip/address_v4.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/lb/lb_tables.h"

namespace portico::dp::upstream::lb::test {

// 10.0.x.y:8080 for endpoint i.
inline Endpoint makeEndpoint(uint32_t i, uint32_t weight, std::string zone = "") {
  Endpoint endpoint;
  const auto address = boost::asio::ip::address_v4((10u << 24) | i);
  endpoint.address = boost::asio::ip::tcp::endpoint(address, 8080);
  endpoint.key = cat(address.to_string(), ":8080");
  endpoint.weight = weight;
  endpoint.zone = std::move(zone);
  endpoint.state = std::make_shared<EndpointState>();
  return endpoint;
}

inline Cluster makeCluster(const std::vector<uint32_t>& weights, LbPolicy policy,
                           const std::vector<std::string>& zones = {}) {
  Cluster cluster;
  cluster.name = "test";
  cluster.index = 0;
  cluster.lb.policy = policy;
  cluster.state = std::make_shared<ClusterState>();
  for (uint32_t i = 0; i < weights.size(); ++i) {
    cluster.endpoints.push_back(makeEndpoint(i + 1, weights[i], i < zones.size() ? zones[i] : ""));
  }
  buildLbTables(cluster);
  return cluster;
}

inline Cluster makeEqualCluster(uint32_t n, LbPolicy policy) {
  return makeCluster(std::vector<uint32_t>(n, 1), policy);
}

// Endpoint index of a picked endpoint (-1 for null).
inline int indexOf(const Cluster& cluster, const Endpoint* endpoint) {
  return endpoint == nullptr ? -1 : static_cast<int>(endpoint - cluster.endpoints.data());
}

inline void setUnhealthy(Cluster& cluster, uint32_t index, bool unhealthy = true) {
  cluster.endpoints[index].state->health_check_failed.store(unhealthy);
}

// Share of picks per endpoint index.
inline std::vector<double> shares(const std::vector<int>& counts) {
  double total = 0;
  for (int c : counts) total += c;
  std::vector<double> out;
  for (int c : counts) out.push_back(total == 0 ? 0 : c / total);
  return out;
}

}  // namespace portico::dp::upstream::lb::test
