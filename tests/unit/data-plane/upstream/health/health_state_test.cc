// The health-check state machine: thresholds, runs reset by the opposite result, expected
// status ranges.

#include "data-plane/upstream/health/health_state.h"

#include <gtest/gtest.h>

namespace portico::dp::upstream::health {
namespace {

TEST(HealthStateTest, UnhealthyAfterThresholdConsecutiveFailures) {
  HealthCounters counters;
  EXPECT_FALSE(recordCheck(counters, false, 2, 3));
  EXPECT_FALSE(recordCheck(counters, false, 2, 3));
  EXPECT_FALSE(counters.unhealthy);
  EXPECT_TRUE(recordCheck(counters, false, 2, 3)) << "third failure in a row flips it";
  EXPECT_TRUE(counters.unhealthy);
  EXPECT_FALSE(recordCheck(counters, false, 2, 3)) << "already unhealthy";
}

TEST(HealthStateTest, APassResetsTheFailureRun) {
  HealthCounters counters;
  recordCheck(counters, false, 2, 3);
  recordCheck(counters, false, 2, 3);
  recordCheck(counters, true, 2, 3);
  EXPECT_EQ(counters.failures, 0u);
  recordCheck(counters, false, 2, 3);
  recordCheck(counters, false, 2, 3);
  EXPECT_FALSE(counters.unhealthy);
}

TEST(HealthStateTest, HealthyAgainAfterThresholdConsecutivePasses) {
  HealthCounters counters{0, 0, true};
  EXPECT_FALSE(recordCheck(counters, true, 2, 3));
  EXPECT_FALSE(recordCheck(counters, false, 2, 3)) << "a failure resets the pass run";
  EXPECT_FALSE(recordCheck(counters, true, 2, 3));
  EXPECT_TRUE(recordCheck(counters, true, 2, 3));
  EXPECT_FALSE(counters.unhealthy);
}

TEST(HealthStateTest, ThresholdOfOneFlipsAtOnce) {
  HealthCounters counters;
  EXPECT_TRUE(recordCheck(counters, false, 1, 1));
  EXPECT_TRUE(recordCheck(counters, true, 1, 1));
}

TEST(HealthStateTest, ExpectedStatuses) {
  EXPECT_TRUE(statusExpected(200, {}));
  EXPECT_FALSE(statusExpected(204, {})) << "default: 200 only (Envoy)";
  const std::vector<std::pair<int64_t, int64_t>> ranges = {{200, 300}, {404, 405}};
  EXPECT_TRUE(statusExpected(204, ranges));
  EXPECT_TRUE(statusExpected(404, ranges));
  EXPECT_FALSE(statusExpected(300, ranges)) << "ranges are half-open";
  EXPECT_FALSE(statusExpected(503, ranges));
}

}  // namespace
}  // namespace portico::dp::upstream::health
