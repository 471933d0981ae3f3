// The panic rule and the zone rule as pure functions of the health counts.

#include "data-plane/upstream/lb/zone_routing.h"

#include <gtest/gtest.h>

namespace portico::dp::upstream::lb {
namespace {

LbConfig zoneAware() {
  LbConfig config;
  config.zone_aware = true;
  return config;
}

TEST(PanicTest, BelowThresholdOnly) {
  EXPECT_FALSE(inPanic({10, 5, 0, 0}, 50)) << "exactly at the threshold is not below it";
  EXPECT_TRUE(inPanic({10, 4, 0, 0}, 50));
  EXPECT_TRUE(inPanic({10, 0, 0, 0}, 1));
  EXPECT_FALSE(inPanic({10, 0, 0, 0}, 0)) << "0 disables panic mode";
  EXPECT_FALSE(inPanic({0, 0, 0, 0}, 50)) << "no endpoints: nothing to balance over";
  EXPECT_TRUE(inPanic({10, 9, 0, 0}, 100));
}

TEST(ZoneRuleTest, AllLocalWhenTheLocalZoneHasItsShareOfHealthyEndpoints) {
  // 3 zones of 3; all healthy: s = h = 1/3.
  EXPECT_DOUBLE_EQ(localShare({9, 9, 3, 3}, zoneAware()), 1.0);
  // Another zone lost endpoints: the local share of health grew; still all local.
  EXPECT_DOUBLE_EQ(localShare({9, 7, 3, 3}, zoneAware()), 1.0);
}

TEST(ZoneRuleTest, SpillsOverInProportionWhenTheLocalZoneIsDegraded) {
  // Local zone 3 of 9 endpoints (s = 1/3), 1 of its 3 healthy, 7 healthy overall (h = 1/7):
  // 3/7 of the requests stay local.
  EXPECT_NEAR(localShare({9, 7, 3, 1}, zoneAware()), 3.0 / 7, 1e-12);
}

TEST(ZoneRuleTest, NoZoneRouting) {
  LbConfig config = zoneAware();
  EXPECT_EQ(localShare({9, 9, 3, 0}, config), 0) << "the local zone has no healthy endpoint";
  EXPECT_EQ(localShare({5, 5, 2, 2}, config), 0) << "fewer than min_cluster_size (6) endpoints";
  EXPECT_EQ(localShare({9, 9, 0, 0}, config), 0) << "no endpoint in the local zone";
  EXPECT_EQ(localShare({9, 9, 9, 9}, config), 0) << "every endpoint is local: nothing to prefer";
  EXPECT_EQ(localShare({10, 4, 3, 3}, config), 0) << "the cluster is in panic";
  config.zone_min_cluster_size = 4;
  EXPECT_EQ(localShare({5, 5, 2, 2}, config), 1.0) << "min_cluster_size from config";
  config.zone_aware = false;
  EXPECT_EQ(localShare({9, 9, 3, 3}, config), 0) << "not zone-aware";
}

}  // namespace
}  // namespace portico::dp::upstream::lb
