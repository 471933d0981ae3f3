// TableCache: a table is shared while everything it depends on (policy sizes, endpoint keys,
// weights and order) is unchanged, rebuilt when any of it changes, and expired entries do not
// pile up.

#include "data-plane/upstream/lb/table_cache.h"

#include <gtest/gtest.h>

#include <utility>

#include "data-plane/upstream/lb/maglev.h"
#include "data-plane/upstream/lb/ring_hash.h"
#include "data-plane/upstream/lb/round_robin.h"
#include "tests/unit/data-plane/upstream/lb/lb_test_util.h"

namespace portico::dp::upstream::lb {
namespace {

using test::makeCluster;

// A cluster of `policy` over 10.0.0.1.. with `weights`, tables from `cache`.
Cluster cached(TableCache& cache, const std::vector<uint32_t>& weights, LbPolicy policy) {
  Cluster cluster = makeCluster(weights, policy);
  buildLbTables(cluster, &cache);
  return cluster;
}

TEST(TableCacheTest, ScheduleReusedWhileWeightsAreUnchanged) {
  TableCache cache;
  const Cluster first = cached(cache, {5, 1, 1}, LbPolicy::kRoundRobin);
  const Cluster second = cached(cache, {5, 1, 1}, LbPolicy::kRoundRobin);
  ASSERT_NE(first.schedule, nullptr);
  EXPECT_EQ(first.schedule, second.schedule) << "one shared schedule";
  const Cluster changed = cached(cache, {5, 1, 2}, LbPolicy::kRoundRobin);
  EXPECT_NE(first.schedule, changed.schedule);
  EXPECT_EQ(*changed.schedule, buildSmoothSchedule({5, 1, 2}));
  const Cluster reordered = cached(cache, {1, 5, 1}, LbPolicy::kRoundRobin);
  EXPECT_NE(first.schedule, reordered.schedule) << "the schedule holds endpoint indices";
  EXPECT_EQ(*reordered.schedule, buildSmoothSchedule({1, 5, 1}));
}

TEST(TableCacheTest, RingRebuiltWhenAnyInputChanges) {
  TableCache cache;
  const Cluster first = cached(cache, {1, 2, 3}, LbPolicy::kRingHash);
  EXPECT_EQ(cached(cache, {1, 2, 3}, LbPolicy::kRingHash).ring, first.ring);

  Cluster weight = makeCluster({1, 2, 4}, LbPolicy::kRingHash);
  buildLbTables(weight, &cache);
  EXPECT_NE(weight.ring, first.ring);
  EXPECT_GT(weight.ring->size(), first.ring->size());

  Cluster address = makeCluster({1, 2, 3}, LbPolicy::kRingHash);
  address.endpoints[2] = test::makeEndpoint(9, 3);
  buildLbTables(address, &cache);
  EXPECT_NE(address.ring, first.ring);

  Cluster order = makeCluster({1, 2, 3}, LbPolicy::kRingHash);
  std::swap(order.endpoints[0], order.endpoints[1]);
  buildLbTables(order, &cache);
  EXPECT_NE(order.ring, first.ring) << "entries name endpoints by index";
  EXPECT_EQ(order.endpoints[order.ring->endpointAt(0)].key,
            first.endpoints[first.ring->endpointAt(0)].key);

  Cluster sizes = makeCluster({1, 2, 3}, LbPolicy::kRingHash);
  sizes.lb.ring_min_size = 4096;
  buildLbTables(sizes, &cache);
  EXPECT_NE(sizes.ring, first.ring);
  EXPECT_GE(sizes.ring->size(), 4096u);
}

TEST(TableCacheTest, MaglevRebuiltWhenEndpointsOrSizeChange) {
  TableCache cache;
  const Cluster first = cached(cache, {1, 1, 1, 1}, LbPolicy::kMaglev);
  EXPECT_EQ(cached(cache, {1, 1, 1, 1}, LbPolicy::kMaglev).maglev, first.maglev);
  EXPECT_NE(cached(cache, {1, 1, 1, 1, 1}, LbPolicy::kMaglev).maglev, first.maglev);
  EXPECT_NE(cached(cache, {1, 1, 2, 1}, LbPolicy::kMaglev).maglev, first.maglev);
  Cluster sized = makeCluster({1, 1, 1, 1}, LbPolicy::kMaglev);
  sized.lb.maglev_table_size = 251;
  buildLbTables(sized, &cache);
  EXPECT_NE(sized.maglev, first.maglev);
  EXPECT_EQ(sized.maglev->size(), 251u);
}

TEST(TableCacheTest, WithoutACacheEveryTableIsNew) {
  const Cluster a = makeCluster({1, 2}, LbPolicy::kMaglev);
  const Cluster b = makeCluster({1, 2}, LbPolicy::kMaglev);
  EXPECT_NE(a.maglev, b.maglev);
}

TEST(TableCacheTest, ATableNobodyHoldsIsFreedAndBuiltAgain) {
  TableCache cache;
  std::weak_ptr<const MaglevTable> old;
  {
    const Cluster cluster = cached(cache, {1, 1}, LbPolicy::kMaglev);
    old = cluster.maglev;
  }
  EXPECT_TRUE(old.expired()) << "the cache holds no strong reference";
  const Cluster again = cached(cache, {1, 1}, LbPolicy::kMaglev);
  ASSERT_NE(again.maglev, nullptr);
  EXPECT_EQ(again.maglev->size(), 65537u);
}

TEST(TableCacheTest, ExpiredEntriesAreSwept) {
  TableCache cache;
  const Cluster kept = cached(cache, {7, 7}, LbPolicy::kRoundRobin);
  for (uint32_t i = 1; i <= 1000; ++i)
    cached(cache, {i, 1}, LbPolicy::kRoundRobin);  // dropped at once
  EXPECT_LE(cache.entries(), 2u * 2 + 64) << "at most twice the live tables (two) + 64";
  EXPECT_EQ(cached(cache, {7, 7}, LbPolicy::kRoundRobin).schedule, kept.schedule)
      << "live ones stay";
}

}  // namespace
}  // namespace portico::dp::upstream::lb
