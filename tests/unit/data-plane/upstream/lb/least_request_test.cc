// Least request: power of two choices prefers the less loaded endpoint; with unequal weights
// the EDF over weight / (active + 1) gives weight shares while idle and moves load away from
// busy endpoints.

#include "data-plane/upstream/lb/least_request.h"

#include <gtest/gtest.h>

#include "tests/unit/data-plane/upstream/lb/lb_test_util.h"

namespace portico::dp::upstream::lb {
namespace {

using test::indexOf;
using test::makeCluster;

std::vector<int> countPicks(LoadBalancer& lb, const Cluster& cluster, int picks, uint64_t seed = 1) {
  FastRandom random(seed);
  const HostFilter filter{&cluster.endpoints, 0};
  std::vector<int> counts(cluster.endpoints.size());
  for (int i = 0; i < picks; ++i) ++counts[indexOf(cluster, lb.pick(filter, {}, random))];
  return counts;
}

TEST(LeastRequestLbTest, PowerOfTwoChoicesPrefersTheLessLoaded) {
  Cluster cluster = test::makeEqualCluster(4, LbPolicy::kLeastRequest);
  cluster.endpoints[0].state->active_requests = 10;  // busy
  LeastRequestLb lb(cluster, 1);
  const std::vector<double> share = test::shares(countPicks(lb, cluster, 40'000));
  // Endpoint 0 wins only when both draws are endpoint 0: 1/16.
  EXPECT_NEAR(share[0], 1.0 / 16, 0.01);
  for (int i = 1; i < 4; ++i) EXPECT_NEAR(share[i], 5.0 / 16, 0.015);
}

TEST(LeastRequestLbTest, PowerOfTwoChoicesUniformWhenIdle) {
  Cluster cluster = test::makeEqualCluster(4, LbPolicy::kLeastRequest);
  LeastRequestLb lb(cluster, 1);
  for (double share : test::shares(countPicks(lb, cluster, 40'000))) EXPECT_NEAR(share, 0.25, 0.01);
}

TEST(LeastRequestLbTest, ChoiceCountFromConfig) {
  Cluster cluster = test::makeEqualCluster(4, LbPolicy::kLeastRequest);
  cluster.lb.choice_count = 4;
  cluster.endpoints[0].state->active_requests = 10;
  LeastRequestLb lb(cluster, 1);
  // Endpoint 0 wins only when all four draws are endpoint 0: 1/256.
  EXPECT_LT(test::shares(countPicks(lb, cluster, 40'000))[0], 0.01);
}

TEST(LeastRequestLbTest, WeightsHonouredWhenIdle) {
  Cluster cluster = makeCluster({3, 1}, LbPolicy::kLeastRequest);
  EXPECT_FALSE(cluster.equal_weights);
  LeastRequestLb lb(cluster, 1);
  const std::vector<double> share = test::shares(countPicks(lb, cluster, 40'000));
  EXPECT_NEAR(share[0], 0.75, 0.01);
}

TEST(LeastRequestLbTest, WeightedLoadMovesAwayFromTheBusyEndpoint) {
  Cluster cluster = makeCluster({3, 1}, LbPolicy::kLeastRequest);
  cluster.endpoints[0].state->active_requests = 5;  // effective weight 3 / 6 = 0.5 against 1
  LeastRequestLb lb(cluster, 1);
  const std::vector<double> share = test::shares(countPicks(lb, cluster, 30'000));
  EXPECT_NEAR(share[0], 1.0 / 3, 0.01);
}

TEST(LeastRequestLbTest, RefusedEndpointsAreSkippedInBothModes) {
  for (const std::vector<uint32_t>& weights : {std::vector<uint32_t>{1, 1, 1}, std::vector<uint32_t>{2, 1, 1}}) {
    Cluster cluster = makeCluster(weights, LbPolicy::kLeastRequest);
    test::setUnhealthy(cluster, 1);
    LeastRequestLb lb(cluster, 3);
    const std::vector<int> counts = countPicks(lb, cluster, 5'000);
    EXPECT_EQ(counts[1], 0);
    EXPECT_GT(counts[0], 0);
    EXPECT_GT(counts[2], 0);
  }
}

}  // namespace
}  // namespace portico::dp::upstream::lb
