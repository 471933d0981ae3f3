// Maglev: stickiness, weight shares, removal disruption close to 1/N, determinism.

#include "data-plane/upstream/lb/maglev.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/unit/data-plane/upstream/lb/consistent_hash_test_util.h"

namespace portico::dp::upstream::lb {
namespace {

using test::assign;
using test::makeCluster;
using test::userKeys;

TEST(MaglevTableTest, EverySlotIsFilledAndSharesFollowWeights) {
  Cluster cluster = makeCluster({1, 2, 3, 4}, LbPolicy::kMaglev);
  ASSERT_EQ(cluster.maglev->size(), 65537u);
  std::vector<uint32_t> slots(4);
  for (uint32_t slot = 0; slot < cluster.maglev->size(); ++slot) ++slots.at(cluster.maglev->endpointAt(slot));
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(slots[i] / 65537.0, (i + 1) / 10.0, 0.001) << "endpoint " << i;
  }
}

TEST(MaglevLbTest, SameKeySameEndpoint) {
  Cluster cluster = test::makeEqualCluster(7, LbPolicy::kMaglev);
  const std::vector<uint64_t> keys = userKeys(2000);
  EXPECT_EQ(assign(cluster, keys), assign(cluster, keys));
}

TEST(MaglevLbTest, KeysSpreadInProportionToWeight) {
  Cluster cluster = makeCluster({1, 2, 3, 4}, LbPolicy::kMaglev);
  const auto share = test::shareByKey(assign(cluster, userKeys(100'000)));
  for (uint32_t i = 0; i < 4; ++i) {
    const double expected = (i + 1) / 10.0;
    EXPECT_NEAR(share.at(cluster.endpoints[i].key), expected, expected * 0.05) << "endpoint " << i;
  }
}

TEST(MaglevLbTest, RemovingOneOfTenMovesAboutATenth) {
  Cluster ten = test::makeEqualCluster(10, LbPolicy::kMaglev);
  Cluster nine = ten;
  nine.endpoints.erase(nine.endpoints.begin() + 4);
  buildLbTables(nine);
  const std::vector<uint64_t> keys = userKeys(20'000);
  const std::vector<std::string> before = assign(ten, keys);
  const std::vector<std::string> after = assign(nine, keys);
  int moved = 0;
  int moved_elsewhere = 0;  // keys of a remaining endpoint (the paper's small disruption)
  for (size_t i = 0; i < keys.size(); ++i) {
    if (before[i] == after[i]) continue;
    ++moved;
    if (before[i] != ten.endpoints[4].key) ++moved_elsewhere;
  }
  const double fraction = static_cast<double>(moved) / keys.size();
  EXPECT_GT(fraction, 0.08);
  EXPECT_LT(fraction, 0.15);
  EXPECT_LT(static_cast<double>(moved_elsewhere) / keys.size(), 0.05);
}

TEST(MaglevLbTest, TableIsDeterministicAndOrderIndependent) {
  Cluster cluster = makeCluster({1, 2, 3, 1, 5}, LbPolicy::kMaglev);
  Cluster again = makeCluster({1, 2, 3, 1, 5}, LbPolicy::kMaglev);
  for (uint32_t slot = 0; slot < cluster.maglev->size(); ++slot) {
    ASSERT_EQ(cluster.maglev->endpointAt(slot), again.maglev->endpointAt(slot));
  }
  Cluster shuffled = cluster;
  std::shuffle(shuffled.endpoints.begin(), shuffled.endpoints.end(), std::mt19937(5));
  buildLbTables(shuffled);
  const std::vector<uint64_t> keys = userKeys(5000);
  EXPECT_EQ(assign(cluster, keys), assign(shuffled, keys));
}

TEST(MaglevLbTest, UnhealthyEndpointsKeysMoveAndReturn) {
  Cluster cluster = test::makeEqualCluster(5, LbPolicy::kMaglev);
  const std::vector<uint64_t> keys = userKeys(5000);
  const std::vector<std::string> before = assign(cluster, keys);
  test::setUnhealthy(cluster, 0);
  const std::vector<std::string> after = assign(cluster, keys);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_NE(after[i], cluster.endpoints[0].key);
    if (before[i] != cluster.endpoints[0].key) {
      EXPECT_EQ(after[i], before[i]);
    }
  }
  test::setUnhealthy(cluster, 0, false);
  EXPECT_EQ(assign(cluster, keys), before);
}

}  // namespace
}  // namespace portico::dp::upstream::lb
