// Weighted random: shares in proportion to weight for a fixed seed, and refused endpoints
// never picked.

#include "data-plane/upstream/lb/random.h"

#include <gtest/gtest.h>

#include "tests/unit/data-plane/upstream/lb/lb_test_util.h"

namespace portico::dp::upstream::lb {
namespace {

using test::indexOf;
using test::makeCluster;

std::vector<int> countPicks(LoadBalancer& lb, const Cluster& cluster, int picks, uint64_t seed) {
  FastRandom random(seed);
  const HostFilter filter{&cluster.endpoints, 0};
  std::vector<int> counts(cluster.endpoints.size());
  for (int i = 0; i < picks; ++i) ++counts[indexOf(cluster, lb.pick(filter, {}, random))];
  return counts;
}

TEST(RandomLbTest, SharesFollowWeights) {
  Cluster cluster = makeCluster({1, 2, 3, 4}, LbPolicy::kRandom);
  RandomLb lb(cluster);
  const std::vector<double> share = test::shares(countPicks(lb, cluster, 100'000, 42));
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(share[i], (i + 1) / 10.0, 0.01) << "endpoint " << i;
}

TEST(RandomLbTest, EqualWeightsAreUniform) {
  Cluster cluster = test::makeEqualCluster(5, LbPolicy::kRandom);
  EXPECT_TRUE(cluster.equal_weights);
  RandomLb lb(cluster);
  for (double share : test::shares(countPicks(lb, cluster, 50'000, 7))) EXPECT_NEAR(share, 0.2, 0.01);
}

TEST(RandomLbTest, UnhealthyEndpointsAreNeverPickedAndTheRestKeepTheirRatio) {
  Cluster cluster = makeCluster({1, 2, 3, 4}, LbPolicy::kRandom);
  test::setUnhealthy(cluster, 3);
  RandomLb lb(cluster);
  const std::vector<int> counts = countPicks(lb, cluster, 60'000, 3);
  EXPECT_EQ(counts[3], 0);
  const std::vector<double> share = test::shares(counts);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(share[i], (i + 1) / 6.0, 0.01) << "endpoint " << i;
}

TEST(RandomLbTest, FallsBackToAnExhaustiveSearch) {
  Cluster cluster = test::makeEqualCluster(1000, LbPolicy::kRandom);
  for (uint32_t i = 0; i < 1000; ++i) test::setUnhealthy(cluster, i, i != 777);
  RandomLb lb(cluster);
  FastRandom random(9);
  const HostFilter filter{&cluster.endpoints, 0};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(indexOf(cluster, lb.pick(filter, {}, random)), 777);
}

}  // namespace
}  // namespace portico::dp::upstream::lb
