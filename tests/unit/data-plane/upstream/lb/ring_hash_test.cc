// Ring hash: stickiness, weight shares, minimal remapping when an endpoint leaves, determinism
// (the same table from the same endpoints in any order), health walk-forward.

#include "data-plane/upstream/lb/ring_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/unit/data-plane/upstream/lb/consistent_hash_test_util.h"

namespace portico::dp::upstream::lb {
namespace {

using test::assign;
using test::makeCluster;
using test::userKeys;

Cluster ringCluster(const std::vector<uint32_t>& weights, uint64_t min_size = 1024) {
  Cluster cluster = makeCluster(weights, LbPolicy::kRingHash);
  cluster.lb.ring_min_size = min_size;
  buildLbTables(cluster);
  return cluster;
}

TEST(RingHashTableTest, SizeIsAPowerOfTwoPerWeightUnitWithinBounds) {
  Cluster cluster = ringCluster({1, 1, 1});  // 1024 / 3 → 342 → 512 per unit
  EXPECT_EQ(cluster.ring->size(), 3u * 512);
  Cluster weighted = ringCluster({100, 50});  // 1024 / 150 → 7 → 8 per unit
  EXPECT_EQ(weighted.ring->size(), 150u * 8);
  // The maximum wins over the minimum: the power of two shrinks (4 units × 16 = 64 <= 100)...
  Cluster capped = makeCluster({3, 1}, LbPolicy::kRingHash);
  capped.lb.ring_min_size = 4096;
  capped.lb.ring_max_size = 100;
  buildLbTables(capped);
  EXPECT_EQ(capped.ring->size(), 64u);
  // ...and when one entry per weight unit is still too many, weights are scaled to the bound.
  Cluster scaled = makeCluster({300, 100}, LbPolicy::kRingHash);
  scaled.lb.ring_max_size = 100;
  buildLbTables(scaled);
  EXPECT_EQ(scaled.ring->size(), 100u);
}

TEST(RingHashLbTest, SameKeySameEndpoint) {
  Cluster cluster = ringCluster({1, 1, 1, 1, 1});
  const std::vector<uint64_t> keys = userKeys(2000);
  EXPECT_EQ(assign(cluster, keys), assign(cluster, keys));
}

TEST(RingHashLbTest, KeysSpreadInProportionToWeight) {
  Cluster cluster = ringCluster({1, 2, 3, 4}, 16384);
  const auto share = test::shareByKey(assign(cluster, userKeys(100'000)));
  for (uint32_t i = 0; i < 4; ++i) {
    const double expected = (i + 1) / 10.0;
    EXPECT_NEAR(share.at(cluster.endpoints[i].key), expected, expected * 0.1) << "endpoint " << i;
  }
}

TEST(RingHashLbTest, RemovingOneOfTenMovesOnlyItsKeys) {
  Cluster ten = ringCluster(std::vector<uint32_t>(10, 1));
  Cluster nine = ten;
  nine.endpoints.erase(nine.endpoints.begin() + 4);
  buildLbTables(nine);
  const std::vector<uint64_t> keys = userKeys(20'000);
  const std::vector<std::string> before = assign(ten, keys);
  const std::vector<std::string> after = assign(nine, keys);
  const std::string& removed = ten.endpoints[4].key;
  int moved = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (before[i] != after[i]) {
      ++moved;
      EXPECT_EQ(before[i], removed) << "a key of a remaining endpoint moved";
    }
  }
  EXPECT_NEAR(static_cast<double>(moved) / keys.size(), 0.1, 0.03);
}

TEST(RingHashLbTest, TableIsDeterministicAndOrderIndependent) {
  Cluster cluster = ringCluster({1, 2, 3, 1, 5});
  Cluster again = ringCluster({1, 2, 3, 1, 5});
  ASSERT_EQ(cluster.ring->size(), again.ring->size());
  for (uint32_t slot = 0; slot < cluster.ring->size(); ++slot) {
    ASSERT_EQ(cluster.ring->hashAt(slot), again.ring->hashAt(slot));
    ASSERT_EQ(cluster.ring->endpointAt(slot), again.ring->endpointAt(slot));
  }
  Cluster shuffled = cluster;
  std::shuffle(shuffled.endpoints.begin(), shuffled.endpoints.end(), std::mt19937(5));
  buildLbTables(shuffled);
  const std::vector<uint64_t> keys = userKeys(5000);
  EXPECT_EQ(assign(cluster, keys), assign(shuffled, keys));
}

TEST(RingHashLbTest, UnhealthyEndpointsKeysWalkToTheNextEntry) {
  Cluster cluster = ringCluster({1, 1, 1, 1});
  const std::vector<uint64_t> keys = userKeys(4000);
  const std::vector<std::string> before = assign(cluster, keys);
  test::setUnhealthy(cluster, 2);
  const std::vector<std::string> after = assign(cluster, keys);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_NE(after[i], cluster.endpoints[2].key);
    if (before[i] != cluster.endpoints[2].key) {
      EXPECT_EQ(after[i], before[i]) << "only its keys move";
    }
  }
  // Its keys spread over the others rather than all landing on one.
  std::map<std::string, int> moved_to;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (before[i] == cluster.endpoints[2].key) ++moved_to[after[i]];
  }
  EXPECT_EQ(moved_to.size(), 3u);
  test::setUnhealthy(cluster, 2, false);
  EXPECT_EQ(assign(cluster, keys), before) << "and come back when it recovers";
}

TEST(RingHashLbTest, NoHashIsARandomPick) {
  Cluster cluster = ringCluster({1, 1, 1});
  auto lb = createLoadBalancer(cluster, 0);
  FastRandom random(11);
  const HostFilter filter{&cluster.endpoints, 0};
  std::vector<int> counts(3);
  for (int i = 0; i < 3000; ++i) ++counts[test::indexOf(cluster, lb->pick(filter, {}, random))];
  for (int count : counts) EXPECT_GT(count, 700);
}

}  // namespace
}  // namespace portico::dp::upstream::lb
