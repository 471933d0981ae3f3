// What portico-cp sends for load balancing compiles into the snapshot: the route's hash
// policies, the cluster's policy with its tables (built once, only the policy's own), zone
// awareness; unsupported hash policy fields are refused by name.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data-plane/upstream/lb/maglev.h"
#include "data-plane/upstream/lb/ring_hash.h"
#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers

constexpr char kYaml[] = R"(listeners:
  - { name: public, address: 127.0.0.1, port: 8080 }
services:
  - { name: by-header, lb: ring_hash, hash_on: { header: X-User-Id },
      endpoints: [ { address: 10.0.0.1, port: 80 }, { address: 10.0.0.2, port: 80, weight: 3 } ] }
  - { name: by-cookie, lb: maglev, hash_on: { cookie: session },
      endpoints: [ { address: 10.0.0.1, port: 80 } ] }
  - { name: by-ip, lb: ring_hash, hash_on: { client_ip: true },
      endpoints: [ { address: 10.0.0.1, port: 80 } ] }
  - { name: local, lb: least_request, zone_aware: true, panic_threshold: 25%,
      endpoints: [ { address: 10.0.0.1, port: 80, zone: a }, { address: 10.0.0.2, port: 80, zone: b } ] }
  - { name: plain, endpoints: [ { address: 10.0.0.1, port: 80, weight: 2 }, { address: 10.0.0.2, port: 80 } ] }
routes:
  - { name: header, match: { path_prefix: /h }, service: by-header }
  - { name: cookie, match: { path_prefix: /c }, service: by-cookie }
  - { name: ip, match: { path_prefix: /i }, service: by-ip }
  - { name: local, match: { path_prefix: /l }, service: local }
  - { name: plain, match: { path_prefix: /p }, service: plain }
)";

const router::Route& routeNamed(const Snapshot& snapshot, const std::string& name) {
  for (const router::Route& route : snapshot.routeTable("public")->virtualHosts()[0].routes) {
    if (route.name == name) return route;
  }
  ADD_FAILURE() << "no route " << name;
  static const router::Route kNone;
  return kNone;
}

const upstream::Cluster& clusterNamed(const Snapshot& snapshot, const std::string& name) {
  for (const upstream::Cluster& cluster : snapshot.clusters()) {
    if (cluster.name == name) return cluster;
  }
  ADD_FAILURE() << "no cluster " << name;
  static const upstream::Cluster kNone;
  return kNone;
}

class LbCompileTest : public SnapshotCompilerTest {};

TEST_F(LbCompileTest, HashPoliciesReachTheRoutes) {
  SnapshotPtr snapshot = compileOk(translateYaml(kYaml));
  ASSERT_NE(snapshot, nullptr);
  using Kind = router::HashPolicy::Kind;
  const auto& header = routeNamed(*snapshot, "header").hash_policies;
  ASSERT_EQ(header.size(), 1u);
  EXPECT_EQ(header[0].kind, Kind::kHeader);
  EXPECT_EQ(header[0].name, "x-user-id");
  const auto& cookie = routeNamed(*snapshot, "cookie").hash_policies;
  ASSERT_EQ(cookie.size(), 1u);
  EXPECT_EQ(cookie[0].kind, Kind::kCookie);
  EXPECT_EQ(cookie[0].name, "session");
  const auto& ip = routeNamed(*snapshot, "ip").hash_policies;
  ASSERT_EQ(ip.size(), 1u);
  EXPECT_EQ(ip[0].kind, Kind::kSourceIp);
  EXPECT_TRUE(routeNamed(*snapshot, "plain").hash_policies.empty());
}

TEST_F(LbCompileTest, EachPolicyGetsOnlyItsOwnTables) {
  SnapshotPtr snapshot = compileOk(translateYaml(kYaml));
  ASSERT_NE(snapshot, nullptr);
  const upstream::Cluster& ring = clusterNamed(*snapshot, "by-header");
  EXPECT_EQ(ring.lb.policy, upstream::LbPolicy::kRingHash);
  ASSERT_NE(ring.ring, nullptr);
  EXPECT_EQ(ring.ring->size(), 4u * 256) << "1024 / 4 weight units → 256 entries per unit";
  EXPECT_EQ(ring.schedule, nullptr);
  EXPECT_EQ(ring.maglev, nullptr);

  const upstream::Cluster& maglev = clusterNamed(*snapshot, "by-cookie");
  ASSERT_NE(maglev.maglev, nullptr);
  EXPECT_EQ(maglev.maglev->size(), 65537u);
  EXPECT_EQ(maglev.ring, nullptr);

  const upstream::Cluster& plain = clusterNamed(*snapshot, "plain");
  ASSERT_NE(plain.schedule, nullptr);
  EXPECT_EQ(*plain.schedule, (std::vector<uint32_t>{0, 1, 0}));
  EXPECT_FALSE(plain.equal_weights);

  const upstream::Cluster& local = clusterNamed(*snapshot, "local");
  EXPECT_EQ(local.lb.policy, upstream::LbPolicy::kLeastRequest);
  EXPECT_TRUE(local.lb.zone_aware);
  EXPECT_DOUBLE_EQ(local.lb.zone_routing_enabled, 100);
  EXPECT_EQ(local.lb.zone_min_cluster_size, 6u);
  EXPECT_DOUBLE_EQ(local.lb.healthy_panic_threshold, 25);
  EXPECT_EQ(local.schedule, nullptr);
  EXPECT_FALSE(plain.lb.zone_aware);
}

// An EDS change to one cluster rebuilds that cluster's table only: the others are the very
// tables the previous snapshot holds (StateRegistry's TableCache).
TEST_F(LbCompileTest, TablesOfUnchangedClustersAreReusedAcrossSnapshots) {
  upstream::StateRegistry registry;
  xds::ResourceSet set = translateYaml(kYaml);
  auto first = compileSnapshot(set, stats_, &registry);
  ASSERT_TRUE(first.ok()) << first.status();

  const std::string eds = edsServiceName(*set.clusters.at("by-header"));
  envoy::config::endpoint::v3::ClusterLoadAssignment changed = *set.endpoints.at(eds);
  ASSERT_EQ(changed.endpoints(0).lb_endpoints_size(), 2);
  changed.mutable_endpoints(0)->mutable_lb_endpoints(1)->mutable_load_balancing_weight()->set_value(5);
  add(set, changed);
  auto second = compileSnapshot(set, stats_, &registry);
  ASSERT_TRUE(second.ok()) << second.status();

  EXPECT_NE(clusterNamed(**second, "by-header").ring, clusterNamed(**first, "by-header").ring);
  EXPECT_EQ(clusterNamed(**second, "by-header").ring->size(), 6u * 256) << "weights 1 + 5";
  EXPECT_EQ(clusterNamed(**second, "by-ip").ring, clusterNamed(**first, "by-ip").ring);
  EXPECT_EQ(clusterNamed(**second, "by-cookie").maglev, clusterNamed(**first, "by-cookie").maglev);
  EXPECT_EQ(clusterNamed(**second, "plain").schedule, clusterNamed(**first, "plain").schedule);

  // Without a registry every snapshot builds its own.
  auto alone = compileSnapshot(set, stats_);
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_NE(clusterNamed(**alone, "by-cookie").maglev, clusterNamed(**second, "by-cookie").maglev);
}

envoy::config::route::v3::Route withHashPolicy(
    const std::function<void(envoy::config::route::v3::RouteAction::HashPolicy&)>& edit) {
  envoy::config::route::v3::Route route = goodRoute();
  edit(*route.mutable_route()->add_hash_policy());
  return route;
}

TEST_F(LbCompileTest, UnsupportedHashPolicyFieldsAreRefusedByName) {
  const std::string where = "route_configuration \"public\": virtual_hosts[0].routes[0].route.hash_policy[0]";
  EXPECT_EQ(errorOf(setWithRoute(withHashPolicy([](auto& p) {
              p.mutable_cookie()->set_name("s");
              p.mutable_cookie()->mutable_ttl()->set_seconds(60);
            }))),
            where + ".cookie.ttl: not supported (the proxy does not generate cookies)");
  EXPECT_EQ(errorOf(setWithRoute(withHashPolicy([](auto& p) {
              p.mutable_header()->set_header_name("x-a");
              p.mutable_header()->mutable_regex_rewrite()->mutable_pattern()->set_regex("a");
            }))),
            where + ".header.regex_rewrite: not supported");
  EXPECT_EQ(errorOf(setWithRoute(withHashPolicy([](auto& p) { p.mutable_filter_state()->set_key("k"); }))),
            where + ": only header, cookie and connection_properties are supported");
  EXPECT_EQ(errorOf(setWithRoute(withHashPolicy([](auto& p) { p.mutable_header(); }))),
            where + ".header.header_name: required");
}

TEST_F(LbCompileTest, TerminalAndSourceIpOffCompile) {
  SnapshotPtr snapshot = compileOk(setWithRoute(withHashPolicy([](auto& p) {
    p.mutable_connection_properties()->set_source_ip(false);  // hashes nothing: dropped
  })));
  ASSERT_NE(snapshot, nullptr);
  EXPECT_TRUE(snapshot->routeTable("public")->virtualHosts()[0].routes[0].hash_policies.empty());
  snapshot = compileOk(setWithRoute(withHashPolicy([](auto& p) {
    p.mutable_header()->set_header_name("X-Tenant");
    p.set_terminal(true);
  })));
  ASSERT_NE(snapshot, nullptr);
  const auto& policies = snapshot->routeTable("public")->virtualHosts()[0].routes[0].hash_policies;
  ASSERT_EQ(policies.size(), 1u);
  EXPECT_TRUE(policies[0].terminal);
  EXPECT_EQ(policies[0].name, "x-tenant");
}

}  // namespace
}  // namespace portico::dp::config
