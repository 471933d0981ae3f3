// Outlier detection math: thresholds per detector, what resets a run, enforcing percentages,
// max_ejection_percent, base × times_ejected capped by max_ejection_time, un-ejection by time
// and the lazy decay of times_ejected.

#include "data-plane/upstream/outlier/outlier_detector.h"

#include <gtest/gtest.h>

#include <memory>

namespace portico::dp::upstream::outlier {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1000 * kSecond;  // an arbitrary steady-clock reading
constexpr uint64_t kAlways = 0;          // random % 100 == 0: below any enforcing > 0

class OutlierDetectorTest : public ::testing::Test {
 protected:
  void SetUp() override { makeCluster(4); }

  void makeCluster(int endpoints) {
    cluster_ = Cluster();
    cluster_.name = "svc";
    cluster_.state = std::make_shared<ClusterState>();
    for (int i = 0; i < endpoints; ++i) {
      Endpoint endpoint;
      endpoint.key = "10.0.0." + std::to_string(i + 1) + ":80";
      endpoint.state = std::make_shared<EndpointState>();
      cluster_.endpoints.push_back(std::move(endpoint));
    }
    OutlierDetection config;
    config.consecutive_5xx = 3;
    config.base_ejection_time = absl::Seconds(30);
    config.max_ejection_time = absl::Seconds(300);
    config.interval = absl::Seconds(10);
    config.max_ejection_percent = 100;
    cluster_.outlier = config;
  }

  OutlierDetection& config() { return *cluster_.outlier; }
  const Endpoint& endpoint(int i) const { return cluster_.endpoints[static_cast<size_t>(i)]; }
  EndpointState& state(int i) { return *cluster_.endpoints[static_cast<size_t>(i)].state; }

  std::optional<EjectionReason> record(int i, TryResult result, int64_t now = kT0,
                                       uint64_t random = kAlways) {
    return recordResult(cluster_, endpoint(i), result, now, random);
  }
  // Records `n` failures of `result`; the reason of the last one.
  std::optional<EjectionReason> fail(int i, TryResult result, int n, int64_t now = kT0) {
    std::optional<EjectionReason> last;
    for (int k = 0; k < n; ++k) last = record(i, result, now);
    return last;
  }
  uint64_t ejections(EjectionReason reason) const {
    return cluster_.state->counters.ejections[static_cast<int>(reason)].load();
  }

  Cluster cluster_;
};

TEST_F(OutlierDetectorTest, StatusesMapToResults) {
  EXPECT_EQ(resultForStatus(200), TryResult::kSuccess);
  EXPECT_EQ(resultForStatus(404), TryResult::kSuccess);
  EXPECT_EQ(resultForStatus(499), TryResult::kSuccess);
  EXPECT_EQ(resultForStatus(500), TryResult::k5xx);
  EXPECT_EQ(resultForStatus(501), TryResult::k5xx);
  EXPECT_EQ(resultForStatus(502), TryResult::kGatewayFailure);
  EXPECT_EQ(resultForStatus(503), TryResult::kGatewayFailure);
  EXPECT_EQ(resultForStatus(504), TryResult::kGatewayFailure);
}

TEST_F(OutlierDetectorTest, Consecutive5xxEjectsAtTheThreshold) {
  EXPECT_FALSE(fail(0, TryResult::k5xx, 2));
  EXPECT_TRUE(state(0).healthy(kT0));
  EXPECT_EQ(record(0, TryResult::k5xx), EjectionReason::kConsecutive5xx);
  EXPECT_FALSE(state(0).healthy(kT0));
  EXPECT_EQ(state(0).ejected_until_ns.load(), kT0 + 30 * kSecond);
  EXPECT_EQ(state(0).times_ejected.load(), 1u);
  EXPECT_EQ(state(0).consecutive_5xx.load(), 0u) << "a new run starts after the ejection";
  EXPECT_EQ(ejections(EjectionReason::kConsecutive5xx), 1u);
  EXPECT_TRUE(state(1).healthy(kT0)) << "per endpoint";
}

TEST_F(OutlierDetectorTest, SuccessResetsTheRun) {
  fail(0, TryResult::k5xx, 2);
  record(0, TryResult::kSuccess);
  EXPECT_FALSE(fail(0, TryResult::k5xx, 2));
  EXPECT_TRUE(state(0).healthy(kT0));
}

TEST_F(OutlierDetectorTest, GatewayFailuresAlsoCountAs5xx) {
  // consecutive_gateway_failure is off (0): three gateway failures are three 5xx.
  EXPECT_EQ(fail(0, TryResult::kGatewayFailure, 3), EjectionReason::kConsecutive5xx);
}

TEST_F(OutlierDetectorTest, ConsecutiveGatewayFailureWhenEnforced) {
  config().consecutive_5xx = 10;
  config().consecutive_gateway_failure = 2;
  config().enforcing_consecutive_gateway_failure = 100;
  EXPECT_FALSE(record(0, TryResult::kGatewayFailure));
  EXPECT_EQ(record(0, TryResult::kGatewayFailure), EjectionReason::kConsecutiveGatewayFailure);
  EXPECT_EQ(ejections(EjectionReason::kConsecutiveGatewayFailure), 1u);
}

TEST_F(OutlierDetectorTest, Plain5xxBreaksAGatewayRun) {
  config().consecutive_5xx = 10;
  config().consecutive_gateway_failure = 2;
  config().enforcing_consecutive_gateway_failure = 100;
  record(0, TryResult::kGatewayFailure);
  record(0, TryResult::k5xx);
  EXPECT_FALSE(record(0, TryResult::kGatewayFailure));
  EXPECT_TRUE(state(0).healthy(kT0));
}

TEST_F(OutlierDetectorTest, EnforcingZeroDetectsButNeverEjects) {
  // Envoy's default for the gateway detector: enforcing_consecutive_gateway_failure = 0.
  config().consecutive_5xx = 100;
  config().consecutive_gateway_failure = 2;
  config().enforcing_consecutive_gateway_failure = 0;
  EXPECT_FALSE(fail(0, TryResult::kGatewayFailure, 10));
  EXPECT_TRUE(state(0).healthy(kT0));
  config().enforcing_consecutive_5xx = 0;
  config().consecutive_5xx = 3;
  EXPECT_FALSE(fail(1, TryResult::k5xx, 10));
}

TEST_F(OutlierDetectorTest, EnforcingPercentageIsAProbability) {
  config().enforcing_consecutive_5xx = 30;
  fail(0, TryResult::k5xx, 2);
  EXPECT_FALSE(record(0, TryResult::k5xx, kT0, /*random=*/130)) << "130 % 100 = 30 is not below 30";
  fail(0, TryResult::k5xx, 2);
  EXPECT_EQ(record(0, TryResult::k5xx, kT0, /*random=*/229), EjectionReason::kConsecutive5xx)
      << "29 < 30";
}

TEST_F(OutlierDetectorTest, MaxEjectionPercentStopsAtTheShare) {
  config().max_ejection_percent = 50;  // 4 endpoints
  EXPECT_TRUE(fail(0, TryResult::k5xx, 3)) << "0% ejected < 50%";
  EXPECT_TRUE(fail(1, TryResult::k5xx, 3)) << "25% < 50%";
  EXPECT_FALSE(fail(2, TryResult::k5xx, 3)) << "50% is not below 50%";
  EXPECT_TRUE(state(2).healthy(kT0));
}

TEST_F(OutlierDetectorTest, OneEndpointCanAlwaysBeEjected) {
  makeCluster(3);
  config().max_ejection_percent = 10;
  EXPECT_TRUE(fail(0, TryResult::k5xx, 3)) << "0% < 10%, although one of three is 33%";
  EXPECT_FALSE(fail(1, TryResult::k5xx, 3));
  makeCluster(3);
  config().max_ejection_percent = 0;
  EXPECT_FALSE(fail(0, TryResult::k5xx, 3)) << "0% switches ejection off";
}

TEST_F(OutlierDetectorTest, EjectionEndsByTime) {
  fail(0, TryResult::k5xx, 3);
  EXPECT_FALSE(state(0).healthy(kT0 + 30 * kSecond - 1));
  EXPECT_TRUE(state(0).healthy(kT0 + 30 * kSecond));
}

TEST_F(OutlierDetectorTest, FailuresWhileEjectedDoNotExtendTheEjection) {
  fail(0, TryResult::k5xx, 3);
  EXPECT_FALSE(fail(0, TryResult::k5xx, 6, kT0 + kSecond));
  EXPECT_EQ(state(0).ejected_until_ns.load(), kT0 + 30 * kSecond);
  EXPECT_EQ(state(0).times_ejected.load(), 1u);
}

TEST_F(OutlierDetectorTest, DurationIsBaseTimesEjectionsCappedByMax) {
  OutlierDetection c;
  c.base_ejection_time = absl::Seconds(10);
  c.max_ejection_time = absl::Seconds(25);
  EXPECT_EQ(ejectionDurationNs(c, 1), 10 * kSecond);
  EXPECT_EQ(ejectionDurationNs(c, 2), 20 * kSecond);
  EXPECT_EQ(ejectionDurationNs(c, 3), 25 * kSecond);
  EXPECT_EQ(ejectionDurationNs(c, 1000), 25 * kSecond);
  c.max_ejection_time = absl::Seconds(5);  // below base: base wins (Envoy)
  EXPECT_EQ(ejectionDurationNs(c, 3), 10 * kSecond);
}

TEST_F(OutlierDetectorTest, BackToBackEjectionsGrowUntilTheCap) {
  config().max_ejection_time = absl::Seconds(75);
  int64_t now = kT0;
  const int64_t expected[] = {30, 60, 75, 75};
  for (int64_t seconds : expected) {
    ASSERT_TRUE(fail(0, TryResult::k5xx, 3, now));
    EXPECT_EQ(state(0).ejected_until_ns.load() - now, seconds * kSecond);
    now = state(0).ejected_until_ns.load();  // fails again the moment it is back
  }
  EXPECT_EQ(state(0).times_ejected.load(), 3u) << "the count stops where the cap is reached";
}

TEST_F(OutlierDetectorTest, TimesEjectedDecaysOnePerIntervalUnejected) {
  OutlierDetection c;
  c.interval = absl::Seconds(10);
  EXPECT_EQ(decayedTimesEjected(c, 3, kT0, kT0), 3u);
  EXPECT_EQ(decayedTimesEjected(c, 3, kT0, kT0 + 9 * kSecond), 3u);
  EXPECT_EQ(decayedTimesEjected(c, 3, kT0, kT0 + 10 * kSecond), 2u);
  EXPECT_EQ(decayedTimesEjected(c, 3, kT0, kT0 + 25 * kSecond), 1u);
  EXPECT_EQ(decayedTimesEjected(c, 3, kT0, kT0 + 300 * kSecond), 0u);
  EXPECT_EQ(decayedTimesEjected(c, 3, 0, kT0), 3u) << "never ejected: nothing to decay from";
}

TEST_F(OutlierDetectorTest, DecayShortensTheNextEjection) {
  fail(0, TryResult::k5xx, 3);  // times 1, until T0 + 30 s
  const int64_t back = state(0).ejected_until_ns.load();
  fail(0, TryResult::k5xx, 3, back);  // times 2: 60 s
  const int64_t back2 = state(0).ejected_until_ns.load();
  ASSERT_EQ(back2 - back, 60 * kSecond);
  // 25 s healthy = two whole intervals: times 2 decays to 0, so this ejection is the first again.
  fail(0, TryResult::k5xx, 3, back2 + 25 * kSecond);
  EXPECT_EQ(state(0).times_ejected.load(), 1u);
  EXPECT_EQ(state(0).ejected_until_ns.load() - (back2 + 25 * kSecond), 30 * kSecond);
}

TEST_F(OutlierDetectorTest, NothingWithoutOutlierDetection) {
  cluster_.outlier.reset();
  EXPECT_FALSE(fail(0, TryResult::k5xx, 10));
  EXPECT_EQ(state(0).consecutive_5xx.load(), 0u);
  EXPECT_TRUE(state(0).healthy(kT0));
}

}  // namespace
}  // namespace portico::dp::upstream::outlier
