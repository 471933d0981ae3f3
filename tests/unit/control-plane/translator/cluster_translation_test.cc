// portico.yaml `services` → Envoy Cluster and ClusterLoadAssignment.

#include <gtest/gtest.h>

#include <string>

#include "common/strings.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

// A config with one service, given as the YAML of its entry (indented under `services:`).
std::string withService(const std::string& service_yaml) {
  return cat(kListener, "services:\n", service_yaml);
}

Cluster clusterFor(const std::string& service_yaml, const std::string& name = "svc") {
  return clusterOf(snapshotOf(withService(service_yaml)), name);
}

TEST(ClusterTranslationTest, DefaultsAreEdsOverAdsRoundRobinFiveSeconds) {
  const Cluster cluster = clusterFor("  - name: svc\n");
  EXPECT_EQ(cluster.name(), "svc");
  EXPECT_EQ(cluster.type(), Cluster::EDS);
  EXPECT_EQ(cluster.eds_cluster_config().service_name(), "svc");
  EXPECT_TRUE(cluster.eds_cluster_config().eds_config().has_ads());
  EXPECT_EQ(cluster.lb_policy(), Cluster::ROUND_ROBIN);
  EXPECT_EQ(cluster.connect_timeout().seconds(), 5);
  EXPECT_EQ(cluster.connect_timeout().nanos(), 0);
  EXPECT_FALSE(cluster.has_circuit_breakers());
  EXPECT_FALSE(cluster.has_outlier_detection());
  EXPECT_EQ(cluster.health_checks_size(), 0);
  EXPECT_FALSE(cluster.has_http2_protocol_options());
  EXPECT_EQ(cluster.common_lb_config().healthy_panic_threshold().value(), 50.0);
}

TEST(ClusterTranslationTest, LbPolicies) {
  EXPECT_EQ(clusterFor("  - { name: svc, lb: round_robin }\n").lb_policy(), Cluster::ROUND_ROBIN);
  EXPECT_EQ(clusterFor("  - { name: svc, lb: random }\n").lb_policy(), Cluster::RANDOM);

  const Cluster least = clusterFor("  - { name: svc, lb: least_request }\n");
  EXPECT_EQ(least.lb_policy(), Cluster::LEAST_REQUEST);
  ASSERT_TRUE(least.has_least_request_lb_config());
  EXPECT_EQ(least.least_request_lb_config().choice_count().value(), 2u);

  const Cluster ring =
      clusterFor("  - { name: svc, lb: ring_hash, hash_on: { header: x-user } }\n");
  EXPECT_EQ(ring.lb_policy(), Cluster::RING_HASH);
  ASSERT_TRUE(ring.has_ring_hash_lb_config());
  EXPECT_EQ(ring.ring_hash_lb_config().minimum_ring_size().value(), 1024u);
  EXPECT_FALSE(ring.has_least_request_lb_config());

  const Cluster maglev =
      clusterFor("  - { name: svc, lb: maglev, hash_on: { cookie: session } }\n");
  EXPECT_EQ(maglev.lb_policy(), Cluster::MAGLEV);
  EXPECT_FALSE(maglev.has_ring_hash_lb_config());
}

TEST(ClusterTranslationTest, ConnectTimeoutWithFractions) {
  const Cluster cluster = clusterFor("  - { name: svc, connect_timeout: 1500ms }\n");
  EXPECT_EQ(cluster.connect_timeout().seconds(), 1);
  EXPECT_EQ(cluster.connect_timeout().nanos(), 500000000);
}

TEST(ClusterTranslationTest, CircuitBreakerThresholds) {
  const Cluster cluster = clusterFor(
      "  - name: svc\n"
      "    circuit_breaker: { max_connections: 10, max_pending: 20, max_requests: 30, max_retries: "
      "4 }\n");
  ASSERT_EQ(cluster.circuit_breakers().thresholds_size(), 1);
  const auto& t = cluster.circuit_breakers().thresholds(0);
  EXPECT_EQ(t.max_connections().value(), 10u);
  EXPECT_EQ(t.max_pending_requests().value(), 20u);
  EXPECT_EQ(t.max_requests().value(), 30u);
  EXPECT_EQ(t.max_retries().value(), 4u);
}

TEST(ClusterTranslationTest, CircuitBreakerDefaultsFillUnsetKeys) {
  const Cluster cluster =
      clusterFor("  - { name: svc, circuit_breaker: { max_connections: 7 } }\n");
  ASSERT_EQ(cluster.circuit_breakers().thresholds_size(), 1);
  const auto& t = cluster.circuit_breakers().thresholds(0);
  EXPECT_EQ(t.max_connections().value(), 7u);
  EXPECT_EQ(t.max_pending_requests().value(), 1024u);
  EXPECT_EQ(t.max_requests().value(), 1024u);
  EXPECT_EQ(t.max_retries().value(), 3u);
}

TEST(ClusterTranslationTest, OutlierDetectionFields) {
  const Cluster cluster = clusterFor(
      "  - name: svc\n"
      "    outlier_detection: { consecutive_5xx: 7, consecutive_gateway_failure: 3, interval: 2s,\n"
      "                         base_ejection: 45s, max_ejection_percent: 25% }\n");
  ASSERT_TRUE(cluster.has_outlier_detection());
  const auto& o = cluster.outlier_detection();
  EXPECT_EQ(o.consecutive_5xx().value(), 7u);
  EXPECT_EQ(o.consecutive_gateway_failure().value(), 3u);
  EXPECT_EQ(o.interval().seconds(), 2);
  EXPECT_EQ(o.base_ejection_time().seconds(), 45);
  EXPECT_EQ(o.max_ejection_percent().value(), 25u);
}

// Envoy defaults enforcing_consecutive_gateway_failure to 0 (detect, never eject): portico-cp
// enforces both detectors it offers, so consecutive_gateway_failure does what it says in Envoy.
TEST(ClusterTranslationTest, OutlierDetectorsAreEnforced) {
  const Cluster cluster = clusterFor("  - { name: svc, outlier_detection: {} }\n");
  const auto& o = cluster.outlier_detection();
  EXPECT_EQ(o.consecutive_5xx().value(), 5u);
  EXPECT_EQ(o.enforcing_consecutive_5xx().value(), 100u);
  EXPECT_EQ(o.consecutive_gateway_failure().value(), 5u);
  ASSERT_TRUE(o.has_enforcing_consecutive_gateway_failure());
  EXPECT_EQ(o.enforcing_consecutive_gateway_failure().value(), 100u);
  EXPECT_EQ(o.interval().seconds(), 10);
  EXPECT_EQ(o.base_ejection_time().seconds(), 30);
  EXPECT_FALSE(o.has_max_ejection_time()) << "Envoy's 300 s";
  EXPECT_EQ(o.max_ejection_percent().value(), 10u);
}

TEST(ClusterTranslationTest, ZeroThresholdSwitchesItsDetectorOff) {
  const Cluster cluster = clusterFor("  - { name: svc, outlier_detection: { consecutive_5xx: 0 } }\n");
  const auto& o = cluster.outlier_detection();
  EXPECT_EQ(o.enforcing_consecutive_5xx().value(), 0u);
  EXPECT_EQ(o.enforcing_consecutive_gateway_failure().value(), 100u);
  const auto g =
      clusterFor("  - { name: svc, outlier_detection: { consecutive_gateway_failure: 0 } }\n").outlier_detection();
  EXPECT_EQ(g.enforcing_consecutive_gateway_failure().value(), 0u);
  EXPECT_EQ(g.enforcing_consecutive_5xx().value(), 100u);
}

TEST(ClusterTranslationTest, MaxEjectionTime) {
  EXPECT_EQ(clusterFor("  - { name: svc, outlier_detection: { max_ejection_time: 2m } }\n")
                .outlier_detection()
                .max_ejection_time()
                .seconds(),
            120);
  // Envoy refuses max_ejection_time below base_ejection_time, and its default is 300 s.
  EXPECT_EQ(clusterFor("  - { name: svc, outlier_detection: { base_ejection: 10m } }\n")
                .outlier_detection()
                .max_ejection_time()
                .seconds(),
            600);
}

TEST(ClusterTranslationTest, RetryBudget) {
  const Cluster cluster =
      clusterFor("  - { name: svc, circuit_breaker: { retry_budget: { percent: 30%, min_concurrency: 2 } } }\n");
  ASSERT_EQ(cluster.circuit_breakers().thresholds_size(), 1);
  const auto& t = cluster.circuit_breakers().thresholds(0);
  ASSERT_TRUE(t.has_retry_budget());
  EXPECT_DOUBLE_EQ(t.retry_budget().budget_percent().value(), 30.0);
  EXPECT_EQ(t.retry_budget().min_retry_concurrency().value(), 2u);
  EXPECT_FALSE(clusterFor("  - { name: svc, circuit_breaker: {} }\n").circuit_breakers().thresholds(0).has_retry_budget());
}

TEST(ClusterTranslationTest, HealthCheckWithExpectedStatuses) {
  const Cluster cluster = clusterFor(
      "  - name: svc\n"
      "    health_check: { path: /ping, interval: 3s, timeout: 500ms, healthy: 4, unhealthy: 6,\n"
      "                    expected_statuses: [200, 204] }\n");
  ASSERT_EQ(cluster.health_checks_size(), 1);
  const auto& hc = cluster.health_checks(0);
  EXPECT_EQ(hc.http_health_check().path(), "/ping");
  EXPECT_EQ(hc.interval().seconds(), 3);
  EXPECT_EQ(hc.timeout().seconds(), 0);
  EXPECT_EQ(hc.timeout().nanos(), 500000000);
  EXPECT_EQ(hc.healthy_threshold().value(), 4u);
  EXPECT_EQ(hc.unhealthy_threshold().value(), 6u);
  // Envoy's Int64Range is [start, end): one range per listed status.
  ASSERT_EQ(hc.http_health_check().expected_statuses_size(), 2);
  EXPECT_EQ(hc.http_health_check().expected_statuses(0).start(), 200);
  EXPECT_EQ(hc.http_health_check().expected_statuses(0).end(), 201);
  EXPECT_EQ(hc.http_health_check().expected_statuses(1).start(), 204);
  EXPECT_EQ(hc.http_health_check().expected_statuses(1).end(), 205);
}

TEST(ClusterTranslationTest, HealthCheckDefaultsAcceptAny2xxOr3xx) {
  const Cluster cluster = clusterFor("  - { name: svc, health_check: { path: /health } }\n");
  ASSERT_EQ(cluster.health_checks_size(), 1);
  const auto& hc = cluster.health_checks(0);
  EXPECT_EQ(hc.interval().seconds(), 5);
  EXPECT_EQ(hc.timeout().seconds(), 1);
  EXPECT_EQ(hc.healthy_threshold().value(), 2u);
  EXPECT_EQ(hc.unhealthy_threshold().value(), 3u);
  ASSERT_EQ(hc.http_health_check().expected_statuses_size(), 1);
  EXPECT_EQ(hc.http_health_check().expected_statuses(0).start(), 200);
  EXPECT_EQ(hc.http_health_check().expected_statuses(0).end(), 400);
}

TEST(ClusterTranslationTest, PanicThreshold) {
  EXPECT_EQ(clusterFor("  - { name: svc, panic_threshold: 30% }\n")
                .common_lb_config()
                .healthy_panic_threshold()
                .value(),
            30.0);
  const Cluster disabled = clusterFor("  - { name: svc, panic_threshold: 0% }\n");
  ASSERT_TRUE(disabled.common_lb_config().has_healthy_panic_threshold());
  EXPECT_EQ(disabled.common_lb_config().healthy_panic_threshold().value(), 0.0);
}

TEST(ClusterTranslationTest, ZoneAwareBecomesZoneAwareLbConfig) {
  const Cluster aware = clusterFor("  - { name: svc, lb: least_request, zone_aware: true }\n");
  ASSERT_TRUE(aware.common_lb_config().has_zone_aware_lb_config());
  // Envoy's defaults apply: nothing else is set.
  EXPECT_FALSE(aware.common_lb_config().zone_aware_lb_config().has_routing_enabled());
  EXPECT_FALSE(aware.common_lb_config().zone_aware_lb_config().has_min_cluster_size());
  EXPECT_EQ(aware.common_lb_config().healthy_panic_threshold().value(), 50.0);

  EXPECT_FALSE(clusterFor("  - { name: svc }\n").common_lb_config().has_zone_aware_lb_config());
  EXPECT_FALSE(clusterFor("  - { name: svc, zone_aware: false }\n").common_lb_config().has_zone_aware_lb_config());
}

TEST(ClusterTranslationTest, GrpcProtocolSpeaksHttp2) {
  EXPECT_TRUE(clusterFor("  - { name: svc, protocol: grpc }\n").has_http2_protocol_options());
  EXPECT_FALSE(clusterFor("  - { name: svc, protocol: http }\n").has_http2_protocol_options());
}

TEST(ClusterTranslationTest, RoutedButUnlistedServiceGetsDefaults) {
  const std::string yaml = cat(kListener,
                               "routes:\n"
                               "  - { name: r, match: { path_prefix: /x }, service: ghost }\n");
  const Cluster cluster = clusterOf(snapshotOf(yaml), "ghost");
  EXPECT_EQ(cluster.lb_policy(), Cluster::ROUND_ROBIN);
  EXPECT_EQ(cluster.connect_timeout().seconds(), 5);
  EXPECT_EQ(assignmentOf(snapshotOf(yaml), "ghost").endpoints_size(), 0);
}

TEST(ClusterTranslationTest, StaticEndpointsMergeWithRegisteredInstances) {
  const std::string yaml = withService(
      "  - name: svc\n"
      "    endpoints:\n"
      "      - { address: 10.0.0.1, port: 3000, weight: 3, zone: eu-1 }\n"
      "      - { address: 10.0.0.2, port: 3001 }\n");
  const auto state = registryOf({instance("svc", "i-1", "10.1.0.1", 80, 2, "eu-1"),
                                 instance("svc", "i-2", "10.1.0.2", 81, 5, "us-1")});
  const ClusterLoadAssignment cla = assignmentOf(snapshotOf(yaml, state), "svc");
  EXPECT_EQ(cla.cluster_name(), "svc");
  // Localities in zone order: "" (the unzoned static endpoint), eu-1, us-1.
  ASSERT_EQ(cla.endpoints_size(), 3);
  EXPECT_EQ(cla.endpoints(0).locality().zone(), "");
  ASSERT_EQ(cla.endpoints(0).lb_endpoints_size(), 1);
  EXPECT_EQ(cla.endpoints(0).lb_endpoints(0).endpoint().address().socket_address().address(),
            "10.0.0.2");
  EXPECT_EQ(cla.endpoints(0).lb_endpoints(0).endpoint().address().socket_address().port_value(),
            3001u);
  EXPECT_EQ(cla.endpoints(0).lb_endpoints(0).load_balancing_weight().value(), 1u);
  EXPECT_EQ(cla.endpoints(0).load_balancing_weight().value(), 1u);

  EXPECT_EQ(cla.endpoints(1).locality().zone(), "eu-1");
  ASSERT_EQ(cla.endpoints(1).lb_endpoints_size(), 2);
  EXPECT_EQ(cla.endpoints(1).lb_endpoints(0).endpoint().address().socket_address().address(),
            "10.0.0.1");
  EXPECT_EQ(cla.endpoints(1).lb_endpoints(0).load_balancing_weight().value(), 3u);
  EXPECT_EQ(cla.endpoints(1).lb_endpoints(1).endpoint().address().socket_address().address(),
            "10.1.0.1");
  EXPECT_EQ(cla.endpoints(1).lb_endpoints(1).load_balancing_weight().value(), 2u);
  EXPECT_EQ(cla.endpoints(1).load_balancing_weight().value(), 5u);

  EXPECT_EQ(cla.endpoints(2).locality().zone(), "us-1");
  ASSERT_EQ(cla.endpoints(2).lb_endpoints_size(), 1);
  EXPECT_EQ(cla.endpoints(2).lb_endpoints(0).endpoint().address().socket_address().port_value(),
            81u);
  EXPECT_EQ(cla.endpoints(2).load_balancing_weight().value(), 5u);
  for (const auto& locality : cla.endpoints()) {
    for (const auto& endpoint : locality.lb_endpoints()) {
      EXPECT_EQ(endpoint.health_status(), envoy::config::core::v3::HEALTHY);
    }
  }
}

TEST(ClusterTranslationTest, StaticEndpointsAloneFillTheAssignment) {
  const std::string yaml =
      withService("  - { name: svc, endpoints: [ { address: 127.0.0.1, port: 9000 } ] }\n");
  const ClusterLoadAssignment cla = assignmentOf(snapshotOf(yaml), "svc");
  ASSERT_EQ(cla.endpoints_size(), 1);
  ASSERT_EQ(cla.endpoints(0).lb_endpoints_size(), 1);
  EXPECT_EQ(cla.endpoints(0).lb_endpoints(0).endpoint().address().socket_address().port_value(),
            9000u);
}

TEST(ClusterTranslationTest, GrpcFlavourIsAlwaysPlainRoundRobinEdsAndNamedOnly) {
  const std::string yaml = withService(
      "  - name: svc\n"
      "    protocol: grpc\n"
      "    lb: ring_hash\n"
      "    hash_on: { header: x-user }\n"
      "    connect_timeout: 1s\n"
      "    circuit_breaker: { max_connections: 10 }\n"
      "    outlier_detection: { consecutive_5xx: 3 }\n"
      "    health_check: { path: /ping }\n"
      "    panic_threshold: 10%\n");
  const xds::SnapshotPtr snapshot = snapshotOf(yaml);
  const xds::ResourcePtr resource = snapshot->find(ResourceType::kCluster, "grpc/svc");
  ASSERT_NE(resource, nullptr);
  EXPECT_FALSE(resource->wildcard);
  EXPECT_TRUE(snapshot->find(ResourceType::kCluster, "svc")->wildcard);
  const Cluster grpc = clusterOf(snapshot, "grpc/svc");
  EXPECT_EQ(grpc.type(), Cluster::EDS);
  EXPECT_EQ(grpc.eds_cluster_config().service_name(), "svc");
  EXPECT_EQ(grpc.lb_policy(), Cluster::ROUND_ROBIN);
  EXPECT_FALSE(grpc.has_ring_hash_lb_config());
  EXPECT_FALSE(grpc.has_circuit_breakers());
  EXPECT_FALSE(grpc.has_outlier_detection());
  EXPECT_EQ(grpc.health_checks_size(), 0);
  EXPECT_FALSE(grpc.has_common_lb_config());
  EXPECT_FALSE(grpc.has_http2_protocol_options());
  // The traffic cluster keeps every policy.
  const Cluster traffic = clusterOf(snapshot, "svc");
  EXPECT_EQ(traffic.lb_policy(), Cluster::RING_HASH);
  EXPECT_TRUE(traffic.has_circuit_breakers());
}

TEST(ClusterTranslationTest, RegisteredOnlyServiceGetsClusterAndEndpoints) {
  const auto state = registryOf({instance("solo", "s-1", "10.2.0.1", 8000)});
  const xds::SnapshotPtr snapshot = snapshotOf(kListener, state);
  EXPECT_EQ(clusterOf(snapshot, "solo").lb_policy(), Cluster::ROUND_ROBIN);
  const ClusterLoadAssignment cla = assignmentOf(snapshot, "solo");
  ASSERT_EQ(cla.endpoints_size(), 1);
  EXPECT_EQ(cla.endpoints(0).lb_endpoints(0).endpoint().address().socket_address().address(),
            "10.2.0.1");
}

}  // namespace
}  // namespace portico::cp::translator::test
