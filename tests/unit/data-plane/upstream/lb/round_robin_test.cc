// Smooth weighted round robin: nginx's exact sequences, weights over whole cycles, skipping of
// refused endpoints, and the bounded schedule for huge weight sums.

#include "data-plane/upstream/lb/round_robin.h"

#include <gtest/gtest.h>

#include <numeric>

#include "tests/unit/data-plane/upstream/lb/lb_test_util.h"

namespace portico::dp::upstream::lb {
namespace {

using test::indexOf;
using test::makeCluster;

std::string letters(const std::vector<uint32_t>& schedule) {
  std::string out;
  for (uint32_t i : schedule) out += static_cast<char>('a' + i);
  return out;
}

TEST(SmoothScheduleTest, NginxSequences) {
  EXPECT_EQ(letters(buildSmoothSchedule({5, 1, 1})), "aabacaa");  // nginx's own example
  EXPECT_EQ(letters(buildSmoothSchedule({3, 1})), "aaba");
  EXPECT_EQ(letters(buildSmoothSchedule({2, 3, 1})), "babcab");
  EXPECT_EQ(letters(buildSmoothSchedule({1, 1, 1})), "abc");
  EXPECT_EQ(letters(buildSmoothSchedule({4})), "a");
  EXPECT_TRUE(buildSmoothSchedule({}).empty());
}

TEST(SmoothScheduleTest, CommonFactorsGiveTheSameCycle) {
  EXPECT_EQ(buildSmoothSchedule({10, 2, 2}), buildSmoothSchedule({5, 1, 1}));
  EXPECT_EQ(buildSmoothSchedule({7, 7}), buildSmoothSchedule({1, 1}));
}

TEST(SmoothScheduleTest, EachEndpointGetsItsWeightPerCycle) {
  const std::vector<uint32_t> weights = {7, 3, 11, 1, 5};
  const std::vector<uint32_t> schedule = buildSmoothSchedule(weights);
  ASSERT_EQ(schedule.size(), 27u);
  std::vector<uint32_t> counts(weights.size());
  for (uint32_t i : schedule) ++counts[i];
  EXPECT_EQ(counts, weights);
}

TEST(SmoothScheduleTest, HugeWeightSumsAreScaledWithinTheBound) {
  const std::vector<uint32_t> weights = {3'000'000, 1'000'000, 1};
  const std::vector<uint32_t> schedule = buildSmoothSchedule(weights, 4000);
  ASSERT_LE(schedule.size(), 4000u);
  std::vector<uint32_t> counts(weights.size());
  for (uint32_t i : schedule) ++counts[i];
  EXPECT_NEAR(static_cast<double>(counts[0]) / counts[1], 3.0, 0.01);
  EXPECT_EQ(counts[2], 1u) << "every endpoint keeps a turn";
}

TEST(RoundRobinLbTest, PicksFollowTheScheduleFromTheStartOffset) {
  Cluster cluster = makeCluster({5, 1, 1}, LbPolicy::kRoundRobin);
  RoundRobinLb lb(cluster, 0);
  FastRandom random(1);
  const HostFilter filter{&cluster.endpoints, 0};
  std::string picked;
  for (int i = 0; i < 14; ++i) picked += static_cast<char>('a' + indexOf(cluster, lb.pick(filter, {}, random)));
  EXPECT_EQ(picked, "aabacaaaabacaa");
  RoundRobinLb second(cluster, 2);  // worker 2 starts two steps in
  EXPECT_EQ(indexOf(cluster, second.pick(filter, {}, random)), 1);
}

TEST(RoundRobinLbTest, RefusedEndpointsAreSkippedAndOthersKeepTheirShares) {
  Cluster cluster = makeCluster({5, 1, 1}, LbPolicy::kRoundRobin);
  test::setUnhealthy(cluster, 0);
  RoundRobinLb lb(cluster, 0);
  FastRandom random(1);
  const HostFilter filter{&cluster.endpoints, 0};
  std::string picked;
  for (int i = 0; i < 6; ++i) picked += static_cast<char>('a' + indexOf(cluster, lb.pick(filter, {}, random)));
  EXPECT_EQ(picked, "bcbcbc");
  test::setUnhealthy(cluster, 1);
  test::setUnhealthy(cluster, 2);
  EXPECT_EQ(lb.pick(filter, {}, random), nullptr) << "a full cycle found nothing eligible";
}

}  // namespace
}  // namespace portico::dp::upstream::lb
