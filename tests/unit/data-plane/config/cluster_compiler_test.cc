// Cluster policies compile into upstream::Cluster, bad values are refused with their field, and
// endpoint/cluster state is shared across snapshots through the StateRegistry.

#include "data-plane/config/cluster_compiler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers
using testing::HasSubstr;

Cluster withEverything() {
  Cluster cluster = builders::buildCluster("echo");
  cluster.set_lb_policy(Cluster::RING_HASH);
  cluster.mutable_ring_hash_lb_config()->mutable_minimum_ring_size()->set_value(64);
  cluster.mutable_ring_hash_lb_config()->mutable_maximum_ring_size()->set_value(4096);
  auto* threshold = cluster.mutable_circuit_breakers()->add_thresholds();
  threshold->mutable_max_connections()->set_value(7);
  threshold->mutable_max_pending_requests()->set_value(8);
  threshold->mutable_max_requests()->set_value(9);
  threshold->mutable_max_retries()->set_value(2);
  threshold->mutable_retry_budget()->mutable_budget_percent()->set_value(25);
  threshold->mutable_retry_budget()->mutable_min_retry_concurrency()->set_value(4);
  auto* high = cluster.mutable_circuit_breakers()->add_thresholds();
  high->set_priority(envoy::config::core::v3::HIGH);
  high->mutable_max_connections()->set_value(1);  // not used: no priority routing
  auto* outlier = cluster.mutable_outlier_detection();
  outlier->mutable_consecutive_5xx()->set_value(3);
  outlier->mutable_consecutive_gateway_failure()->set_value(4);
  outlier->mutable_enforcing_consecutive_gateway_failure()->set_value(100);
  outlier->mutable_base_ejection_time()->set_seconds(2);
  outlier->mutable_max_ejection_percent()->set_value(50);
  auto* hc = cluster.add_health_checks();
  hc->mutable_http_health_check()->set_path("/healthz");
  auto* range = hc->mutable_http_health_check()->add_expected_statuses();
  range->set_start(200);
  range->set_end(300);
  hc->mutable_interval()->set_seconds(1);
  hc->mutable_timeout()->set_nanos(250'000'000);
  hc->mutable_unhealthy_threshold()->set_value(2);
  hc->mutable_healthy_threshold()->set_value(1);
  cluster.mutable_common_lb_config()->mutable_healthy_panic_threshold()->set_value(30);
  return cluster;
}

TEST(ClusterCompilerTest, EveryPolicyCompiles) {
  upstream::StateRegistry registry;
  std::vector<std::string> errors;
  upstream::Cluster out = compileCluster(withEverything(), 0, registry, errors);
  ASSERT_THAT(errors, testing::IsEmpty());
  EXPECT_EQ(out.lb.policy, upstream::LbPolicy::kRingHash);
  EXPECT_EQ(out.lb.ring_min_size, 64u);
  EXPECT_EQ(out.lb.ring_max_size, 4096u);
  EXPECT_DOUBLE_EQ(out.lb.healthy_panic_threshold, 30);
  EXPECT_EQ(out.limits.max_connections, 7u);
  EXPECT_EQ(out.limits.max_pending_requests, 8u);
  EXPECT_EQ(out.limits.max_requests, 9u);
  EXPECT_EQ(out.limits.max_retries, 2u);
  EXPECT_TRUE(out.limits.has_retry_budget);
  EXPECT_DOUBLE_EQ(out.limits.budget_percent, 25);
  EXPECT_EQ(out.limits.min_retry_concurrency, 4u);
  ASSERT_TRUE(out.outlier.has_value());
  EXPECT_EQ(out.outlier->consecutive_5xx, 3u);
  EXPECT_EQ(out.outlier->consecutive_gateway_failure, 4u);
  EXPECT_EQ(out.outlier->enforcing_consecutive_gateway_failure, 100u);
  EXPECT_EQ(out.outlier->base_ejection_time, absl::Seconds(2));
  EXPECT_EQ(out.outlier->max_ejection_percent, 50u);
  ASSERT_TRUE(out.health_check.has_value());
  EXPECT_EQ(out.health_check->path, "/healthz");
  EXPECT_EQ(out.health_check->interval, absl::Seconds(1));
  EXPECT_EQ(out.health_check->timeout, absl::Milliseconds(250));
  EXPECT_EQ(out.health_check->unhealthy_threshold, 2u);
  EXPECT_EQ(out.health_check->healthy_threshold, 1u);
  ASSERT_EQ(out.health_check->expected_statuses.size(), 1u);
  EXPECT_EQ(out.health_check->expected_statuses[0], std::make_pair(int64_t{200}, int64_t{300}));
  EXPECT_NE(out.state, nullptr);
}

TEST(ClusterCompilerTest, DefaultsAreEnvoys) {
  upstream::StateRegistry registry;
  std::vector<std::string> errors;
  upstream::Cluster out = compileCluster(builders::buildCluster("echo"), 0, registry, errors);
  ASSERT_THAT(errors, testing::IsEmpty());
  EXPECT_EQ(out.lb.policy, upstream::LbPolicy::kRoundRobin);
  EXPECT_EQ(out.limits.max_connections, 1024u);
  EXPECT_EQ(out.limits.max_retries, 3u);
  EXPECT_FALSE(out.limits.has_retry_budget);
  EXPECT_FALSE(out.outlier.has_value());
  EXPECT_FALSE(out.health_check.has_value());
}

// Each bad value is refused, naming the cluster and the field.
TEST(ClusterCompilerTest, BadValuesNameTheirField) {
  struct Case {
    std::function<void(Cluster&)> bend;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](Cluster& c) { c.mutable_least_request_lb_config()->mutable_choice_count()->set_value(1); },
       "cluster \"echo\".least_request_lb_config.choice_count: must be at least 2"},
      {[](Cluster& c) { c.mutable_ring_hash_lb_config()->mutable_minimum_ring_size()->set_value(1 << 24); },
       "cluster \"echo\".ring_hash_lb_config: need 1 <= minimum_ring_size <= maximum_ring_size <= 8388608"},
      {[](Cluster& c) { c.mutable_maglev_lb_config()->mutable_table_size()->set_value(65536); },
       "cluster \"echo\".maglev_lb_config.table_size: must be a prime <= 5000011, got 65536"},
      {[](Cluster& c) { c.mutable_common_lb_config()->mutable_healthy_panic_threshold()->set_value(120); },
       "cluster \"echo\".common_lb_config.healthy_panic_threshold: must be within 0-100, got 120"},
      {[](Cluster& c) { c.mutable_outlier_detection()->mutable_max_ejection_percent()->set_value(101); },
       "cluster \"echo\".outlier_detection.max_ejection_percent: must be within 0-100, got 101"},
      {[](Cluster& c) { c.mutable_outlier_detection()->mutable_interval()->set_seconds(-1); },
       "cluster \"echo\".outlier_detection.interval: must be positive"},
      {[](Cluster& c) { c.mutable_outlier_detection()->mutable_success_rate_minimum_hosts()->set_value(3); },
       "cluster \"echo\".outlier_detection: success-rate outlier detection is not supported"},
      {[](Cluster& c) { c.add_health_checks()->mutable_grpc_health_check(); },
       "cluster \"echo\".health_checks[0]: only http_health_check is supported"},
      {[](Cluster& c) {
         auto* hc = c.add_health_checks();
         hc->mutable_http_health_check()->set_path("/h");
         hc->mutable_interval()->set_seconds(0);
       },
       "cluster \"echo\".health_checks[0].interval: must be positive"},
      {[](Cluster& c) {
         auto* range = c.add_health_checks()->mutable_http_health_check()->add_expected_statuses();
         range->set_start(300);
         range->set_end(200);
       },
       "cluster \"echo\".health_checks[0].http_health_check.expected_statuses[0]: need 100 <= start < end <= 600"},
      {[](Cluster& c) {
         c.add_health_checks()->mutable_http_health_check();
         c.add_health_checks()->mutable_http_health_check();
       },
       "cluster \"echo\".health_checks: at most one health check is supported"},
      {[](Cluster& c) {
         c.mutable_circuit_breakers()->add_thresholds()->mutable_retry_budget()->mutable_budget_percent()->set_value(-5);
       },
       "cluster \"echo\".circuit_breakers.thresholds.retry_budget.budget_percent: must be within 0-100, got -5"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    Cluster cluster = builders::buildCluster("echo");
    c.bend(cluster);
    upstream::StateRegistry registry;
    std::vector<std::string> errors;
    compileCluster(cluster, 0, registry, errors);
    EXPECT_THAT(errors, testing::Contains(HasSubstr(c.expected)));
  }
}

// Two snapshots compiled from the same registry share their state; a fresh registry does not.
TEST(ClusterCompilerTest, StateOutlivesOneSnapshot) {
  upstream::StateRegistry registry;
  router::RouteStatsStore stats(1);
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 8001),
                                                   instance("echo", "10.0.0.2", 8002)}));
  absl::StatusOr<SnapshotPtr> first = compileSnapshot(set, stats, &registry);
  ASSERT_TRUE(first.ok()) << first.status();
  const upstream::Cluster* echo = (*first)->cluster(0);
  ASSERT_EQ(echo->endpoints.size(), 2u);
  echo->endpoints[0].state->health_check_failed = true;

  // An EDS change keeps 10.0.0.1 and drops 10.0.0.2.
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 8001),
                                                   instance("echo", "10.0.0.3", 8003)}));
  absl::StatusOr<SnapshotPtr> second = compileSnapshot(set, stats, &registry);
  ASSERT_TRUE(second.ok()) << second.status();
  const upstream::Cluster* again = (*second)->cluster(0);
  EXPECT_EQ(again->state, echo->state);
  EXPECT_EQ(again->endpoints[0].state, echo->endpoints[0].state);
  EXPECT_TRUE(again->endpoints[0].state->health_check_failed);
  EXPECT_FALSE(again->endpoints[1].state->health_check_failed);

  absl::StatusOr<SnapshotPtr> isolated = compileSnapshot(set, stats);
  ASSERT_TRUE(isolated.ok());
  EXPECT_NE((*isolated)->cluster(0)->endpoints[0].state, echo->endpoints[0].state);
}

// Connection pools are per cluster: two clusters listing the same address never share a pooled
// connection (nor, with it, each other's max_connections slots).
TEST(ClusterCompilerTest, PoolKeysArePerCluster) {
  upstream::StateRegistry registry;
  std::vector<std::string> errors;
  upstream::Cluster a = compileCluster(builders::buildCluster("a"), 0, registry, errors);
  upstream::Cluster b = compileCluster(builders::buildCluster("b"), 1, registry, errors);
  assignEndpoints(builders::buildLoadAssignment("a", {instance("a", "10.0.0.1", 8001)}), "a", a, registry, errors);
  assignEndpoints(builders::buildLoadAssignment("b", {instance("b", "10.0.0.1", 8001)}), "b", b, registry, errors);
  ASSERT_THAT(errors, testing::IsEmpty());
  EXPECT_EQ(a.endpoints[0].key, b.endpoints[0].key);
  EXPECT_EQ(a.endpoints[0].pool_key.text, "a\n10.0.0.1:8001");
  EXPECT_NE(a.endpoints[0].pool_key, b.endpoints[0].pool_key);
}

TEST(ClusterStateTest, BreakerRefusesAboveTheLimitAndGivesSlotsBack) {
  upstream::ClusterState state;
  upstream::CircuitBreakerLimits limits;
  limits.max_requests = 2;
  upstream::ResourceSlot a = state.tryAcquire(upstream::Resource::kRequests, limits);
  upstream::ResourceSlot b = state.tryAcquire(upstream::Resource::kRequests, limits);
  upstream::ResourceSlot c = state.tryAcquire(upstream::Resource::kRequests, limits);
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_FALSE(c);
  EXPECT_EQ(state.inUse(upstream::Resource::kRequests), 2u);
  b.release();
  EXPECT_TRUE(state.tryAcquire(upstream::Resource::kRequests, limits));  // and released again
  EXPECT_EQ(state.inUse(upstream::Resource::kRequests), 1u);
}

TEST(ClusterStateTest, RetryBudgetScalesWithRequestsInFlight) {
  upstream::ClusterState state;
  upstream::CircuitBreakerLimits limits;
  limits.max_requests = 1000;
  limits.has_retry_budget = true;
  limits.budget_percent = 20;
  limits.min_retry_concurrency = 1;
  std::vector<upstream::ResourceSlot> requests;
  for (int i = 0; i < 10; ++i) requests.push_back(state.tryAcquire(upstream::Resource::kRequests, limits));
  // 20% of 10 requests in flight: two retries.
  upstream::ResourceSlot r1 = state.tryAcquire(upstream::Resource::kRetries, limits);
  upstream::ResourceSlot r2 = state.tryAcquire(upstream::Resource::kRetries, limits);
  upstream::ResourceSlot r3 = state.tryAcquire(upstream::Resource::kRetries, limits);
  EXPECT_TRUE(r1);
  EXPECT_TRUE(r2);
  EXPECT_FALSE(r3);
}

}  // namespace
}  // namespace portico::dp::config
