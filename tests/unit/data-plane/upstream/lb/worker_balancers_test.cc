// The decisions shared by every policy (WorkerBalancers): healthy endpoints only, panic mode
// and its counter, the retry's avoided endpoint, zone routing, snapshot resets.

#include "data-plane/upstream/lb/worker_balancers.h"

#include <gtest/gtest.h>

#include "tests/unit/data-plane/upstream/lb/lb_test_util.h"

namespace portico::dp::upstream::lb {
namespace {

using test::indexOf;
using test::makeCluster;
using test::setUnhealthy;

constexpr LbPolicy kAllPolicies[] = {LbPolicy::kRoundRobin, LbPolicy::kLeastRequest,
                                     LbPolicy::kRandom, LbPolicy::kRingHash, LbPolicy::kMaglev};
constexpr int64_t kLater = 10 * HealthView::kRefreshInterval;  // the view recounts by then

std::vector<int> countPicks(WorkerBalancers& balancers, const Cluster& cluster, int picks,
                            int64_t now, const PickContext& context = {}) {
  std::vector<int> counts(cluster.endpoints.size() + 1);  // last: null
  for (int i = 0; i < picks; ++i) {
    const int index = indexOf(cluster, balancers.pick(cluster, context, now));
    ++counts[index < 0 ? cluster.endpoints.size() : static_cast<size_t>(index)];
  }
  return counts;
}

class WorkerBalancersTest : public ::testing::TestWithParam<LbPolicy> {
 protected:
  WorkerBalancers balancers_{0, 99};
};

TEST_P(WorkerBalancersTest, UnhealthyAndEjectedEndpointsAreSkipped) {
  Cluster cluster = makeCluster({1, 2, 1, 1}, GetParam());
  balancers_.reset(1);
  setUnhealthy(cluster, 1);
  cluster.endpoints[3].state->ejected_until_ns = kLater * 100;  // outlier detection
  const std::vector<int> counts = countPicks(balancers_, cluster, 2000, kLater);
  EXPECT_EQ(counts[1], 0);
  EXPECT_EQ(counts[3], 0);
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[2], 0);
  EXPECT_EQ(counts[4], 0) << "never null while healthy endpoints exist";
  // The ejection ends: endpoint 3 is back (time-based, no write needed).
  EXPECT_GT(countPicks(balancers_, cluster, 2000, kLater * 200)[3], 0);
}

TEST_P(WorkerBalancersTest, PanicModeBalancesOverAllAndIsCounted) {
  LbStats stats(1);
  balancers_.configure({"", &stats});
  Cluster cluster = makeCluster({1, 1, 1, 1}, GetParam());  // default threshold 50%
  balancers_.reset(1);
  for (uint32_t i = 0; i < 3; ++i) setUnhealthy(cluster, i);  // 25% healthy
  const std::vector<int> counts = countPicks(balancers_, cluster, 4000, kLater);
  for (int i = 0; i < 4; ++i) EXPECT_GT(counts[i], 400) << "endpoint " << i << " in panic mode";
  EXPECT_EQ(stats.panicCounter("test")->total(), 4000u);

  setUnhealthy(cluster, 0, false);  // 50% healthy: no panic
  const std::vector<int> calm = countPicks(balancers_, cluster, 2000, 2 * kLater);
  EXPECT_EQ(calm[1] + calm[2], 0);
  EXPECT_EQ(stats.panicCounter("test")->total(), 4000u);
}

TEST_P(WorkerBalancersTest, ThresholdZeroNeverPanics) {
  Cluster cluster = makeCluster({1, 1}, GetParam());
  cluster.lb.healthy_panic_threshold = 0;
  balancers_.reset(1);
  setUnhealthy(cluster, 0);
  setUnhealthy(cluster, 1);
  EXPECT_EQ(balancers_.pick(cluster, {}, kLater), nullptr);
}

TEST_P(WorkerBalancersTest, AllDownPanicsEvenWithAStaleView) {
  Cluster cluster = makeCluster({1, 1, 1}, GetParam());
  balancers_.reset(1);
  ASSERT_NE(balancers_.pick(cluster, {}, kLater), nullptr);  // the view: all healthy
  for (uint32_t i = 0; i < 3; ++i) setUnhealthy(cluster, i);
  // Within the refresh interval the view still says healthy; the pick finds nothing healthy,
  // recounts and serves in panic mode instead of failing.
  EXPECT_NE(balancers_.pick(cluster, {}, kLater + 1), nullptr);
}

TEST_P(WorkerBalancersTest, AvoidsThePreviousEndpointWhileAnotherIsHealthy) {
  Cluster cluster = makeCluster({1, 1, 1}, GetParam());
  balancers_.reset(1);
  PickContext context;
  context.avoid(&cluster.endpoints[1]);
  for (uint64_t key = 0; key < 300; ++key) {
    context.hash = key * 0x9E3779B97F4A7C15ULL;
    EXPECT_NE(balancers_.pick(cluster, context, kLater), &cluster.endpoints[1]);
  }
  setUnhealthy(cluster, 0);
  setUnhealthy(cluster, 2);
  cluster.lb.healthy_panic_threshold = 0;
  EXPECT_EQ(balancers_.pick(cluster, context, kLater * 2), &cluster.endpoints[1])
      << "the only healthy endpoint is used even though it is the one to avoid";
}

TEST_P(WorkerBalancersTest, AvoidsEveryPreviousEndpoint) {
  Cluster cluster = makeCluster({1, 1, 1, 1}, GetParam());
  balancers_.reset(1);
  PickContext context;
  context.avoid(&cluster.endpoints[0]);
  context.avoid(&cluster.endpoints[2]);
  context.avoid(&cluster.endpoints[2]);  // remembered once
  for (uint64_t key = 0; key < 300; ++key) {
    context.hash = key * 0x9E3779B97F4A7C15ULL;
    const Endpoint* picked = balancers_.pick(cluster, context, kLater);
    EXPECT_TRUE(picked == &cluster.endpoints[1] || picked == &cluster.endpoints[3])
        << indexOf(cluster, picked);
  }
  context.avoid(&cluster.endpoints[1]);
  context.avoid(&cluster.endpoints[3]);
  EXPECT_NE(balancers_.pick(cluster, context, kLater), nullptr)
      << "all tried: any endpoint rather than none";
}

// The panic threshold counts health-check failures and ejections together.
TEST_P(WorkerBalancersTest, PanicCountsCheckFailuresAndEjectionsTogether) {
  Cluster cluster = makeCluster({1, 1, 1, 1}, GetParam());  // default threshold 50%
  balancers_.reset(1);
  setUnhealthy(cluster, 0);
  cluster.endpoints[1].state->ejected_until_ns = kLater * 100;
  cluster.endpoints[2].state->ejected_until_ns = kLater * 100;  // 25% healthy: panic
  const std::vector<int> counts = countPicks(balancers_, cluster, 4000, kLater);
  for (int i = 0; i < 4; ++i) EXPECT_GT(counts[i], 400) << "endpoint " << i << " in panic mode";
  cluster.endpoints[2].state->ejected_until_ns = 0;  // 50% healthy: no panic
  const std::vector<int> calm = countPicks(balancers_, cluster, 2000, 2 * kLater);
  EXPECT_EQ(calm[0] + calm[1], 0);
  EXPECT_GT(calm[2], 0);
  EXPECT_GT(calm[3], 0);
}

std::string policyName(const ::testing::TestParamInfo<LbPolicy>& info) {
  static const char* kNames[] = {"RoundRobin", "LeastRequest", "Random", "RingHash", "Maglev"};
  return kNames[static_cast<int>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, WorkerBalancersTest, ::testing::ValuesIn(kAllPolicies),
                         policyName);

Cluster zonedCluster(LbPolicy policy) {
  Cluster cluster = makeCluster({1, 1, 1, 1, 1, 1}, policy, {"a", "a", "a", "b", "b", "b"});
  cluster.lb.zone_aware = true;
  return cluster;
}

TEST(ZoneAwareBalancingTest, AllLocalWhileTheLocalZoneIsHealthy) {
  WorkerBalancers balancers(0, 5);
  balancers.configure({"a", nullptr});
  Cluster cluster = zonedCluster(LbPolicy::kRoundRobin);
  balancers.reset(1);
  const std::vector<int> counts = countPicks(balancers, cluster, 600, kLater);
  EXPECT_EQ(counts[3] + counts[4] + counts[5], 0);
  EXPECT_EQ(counts[0], 200);
}

TEST(ZoneAwareBalancingTest, DegradedLocalZoneSpillsOverInProportion) {
  WorkerBalancers balancers(0, 5);
  balancers.configure({"a", nullptr});
  Cluster cluster = zonedCluster(LbPolicy::kRandom);
  balancers.reset(1);
  setUnhealthy(cluster, 0);
  setUnhealthy(cluster, 1);
  // s = 3/6, h = 1/4: half of the requests stay on the one healthy local endpoint.
  const std::vector<double> share = test::shares(countPicks(balancers, cluster, 20'000, kLater));
  EXPECT_NEAR(share[2], 0.5, 0.02);
  EXPECT_NEAR(share[3] + share[4] + share[5], 0.5, 0.02);
}

TEST(ZoneAwareBalancingTest, NoZoneRoutingWithoutAZoneOrForHashing) {
  Cluster cluster = zonedCluster(LbPolicy::kRoundRobin);
  WorkerBalancers no_zone(0, 5);
  no_zone.reset(1);
  EXPECT_GT(countPicks(no_zone, cluster, 600, kLater)[4], 0);

  Cluster hashed = zonedCluster(LbPolicy::kMaglev);
  WorkerBalancers zoned(0, 5);
  zoned.configure({"a", nullptr});
  zoned.reset(1);
  std::vector<int> counts(6);
  for (uint64_t key = 0; key < 600; ++key) {
    PickContext context;
    context.hash = key * 0x9E3779B97F4A7C15ULL;
    ++counts[indexOf(hashed, zoned.pick(hashed, context, kLater))];
  }
  EXPECT_GT(counts[3] + counts[4] + counts[5], 100) << "consistent hashing ignores zones";
}

TEST(ZoneAwareBalancingTest, RoutingEnabledPercent) {
  WorkerBalancers balancers(0, 5);
  balancers.configure({"a", nullptr});
  Cluster cluster = zonedCluster(LbPolicy::kRandom);
  cluster.lb.zone_routing_enabled = 50;
  balancers.reset(1);
  // Half zone-routed (all local), half over all six: 0.5 + 0.5 × 0.5 local.
  const std::vector<double> share = test::shares(countPicks(balancers, cluster, 20'000, kLater));
  EXPECT_NEAR(share[0] + share[1] + share[2], 0.75, 0.02);
}

TEST(WorkerBalancersResetTest, RoundRobinStartsOverWithANewSnapshot) {
  WorkerBalancers balancers(0, 1);
  Cluster cluster = makeCluster({5, 1, 1}, LbPolicy::kRoundRobin);
  balancers.reset(1);
  EXPECT_EQ(indexOf(cluster, balancers.pick(cluster, {}, kLater)), 0);
  EXPECT_EQ(indexOf(cluster, balancers.pick(cluster, {}, kLater)), 0);
  EXPECT_EQ(indexOf(cluster, balancers.pick(cluster, {}, kLater)), 1);
  balancers.reset(1);
  EXPECT_EQ(indexOf(cluster, balancers.pick(cluster, {}, kLater)), 0);
  EXPECT_EQ(indexOf(cluster, balancers.pick(cluster, {}, kLater)), 0);
  // A cluster object of another snapshot at the same index gets its own balancer.
  Cluster other = makeCluster({1, 1}, LbPolicy::kRoundRobin);
  EXPECT_EQ(indexOf(other, balancers.pick(other, {}, kLater)), 0);
  EXPECT_EQ(indexOf(other, balancers.pick(other, {}, kLater)), 1);
}

TEST(WorkerBalancersResetTest, EmptyClusterHasNoEndpoint) {
  WorkerBalancers balancers(0, 1);
  Cluster cluster = makeCluster({}, LbPolicy::kRoundRobin);
  balancers.reset(1);
  EXPECT_EQ(balancers.pick(cluster, {}, kLater), nullptr);
}

}  // namespace
}  // namespace portico::dp::upstream::lb
