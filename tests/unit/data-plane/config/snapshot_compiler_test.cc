#include "data-plane/config/snapshot_compiler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers

// ---- a valid set ----

TEST_F(SnapshotCompilerTest, ValidSetCompiles) {
  xds::ResourceSet set;
  add(set, listener("public", "127.0.0.1", 8080));
  builders::RouteEntry users = entry("users", "/users", "users");
  users.timeout = absl::Milliseconds(2500);
  add(set, builders::buildRouteConfiguration(
               "public", {entry("orders", "/orders", "orders"), users, entry("ghost", "/ghost", "ghost")}));
  add(set, builders::buildCluster("orders"));
  add(set, builders::buildCluster("users"));
  add(set, builders::buildLoadAssignment("orders", {instance("orders", "10.0.0.1", 8001, 2, "zone-a"),
                                                    instance("orders", "10.0.0.2", 8002, 1, "zone-b")}));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);

  ASSERT_EQ(snapshot->listeners().size(), 1u);
  const ListenerConfig* public_listener = snapshot->listener("public");
  ASSERT_NE(public_listener, nullptr);
  EXPECT_EQ(public_listener->name, "public");
  EXPECT_EQ(public_listener->address, "127.0.0.1");
  EXPECT_EQ(public_listener->port, 8080);
  EXPECT_EQ(public_listener->route_config, "public");
  EXPECT_EQ(snapshot->listener("nope"), nullptr);

  // Clusters are in name order.
  ASSERT_EQ(snapshot->clusters().size(), 2u);
  const upstream::Cluster& orders = snapshot->clusters()[0];
  const upstream::Cluster& users_cluster = snapshot->clusters()[1];
  EXPECT_EQ(orders.name, "orders");
  EXPECT_EQ(orders.index, 0);
  EXPECT_EQ(users_cluster.name, "users");
  EXPECT_EQ(users_cluster.index, 1);
  EXPECT_EQ(orders.connect_timeout, absl::Seconds(5));
  EXPECT_TRUE(orders.has_assignment);
  EXPECT_FALSE(users_cluster.has_assignment) << "no ClusterLoadAssignment for users yet";
  EXPECT_TRUE(users_cluster.endpoints.empty());
  EXPECT_EQ(snapshot->cluster(1), &users_cluster);
  EXPECT_EQ(snapshot->cluster(2), nullptr);
  EXPECT_EQ(snapshot->cluster(-1), nullptr);

  ASSERT_EQ(orders.endpoints.size(), 2u);
  EXPECT_EQ(orders.endpoints[0].key, "10.0.0.1:8001");
  EXPECT_EQ(orders.endpoints[0].address.address().to_string(), "10.0.0.1");
  EXPECT_EQ(orders.endpoints[0].address.port(), 8001);
  EXPECT_EQ(orders.endpoints[0].weight, 2u);
  EXPECT_EQ(orders.endpoints[0].zone, "zone-a");
  EXPECT_EQ(orders.endpoints[1].key, "10.0.0.2:8002");
  EXPECT_EQ(orders.endpoints[1].weight, 1u);
  EXPECT_EQ(orders.endpoints[1].zone, "zone-b");
  EXPECT_EQ(orders.schedule, (std::vector<uint32_t>{0, 1, 0}));

  const router::RouteTable* table = snapshot->routeTable("public");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(snapshot->routeTable("other"), nullptr);
  ASSERT_EQ(table->virtualHosts().size(), 1u);
  const auto& routes = table->virtualHosts()[0].routes;
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].name, "orders");
  EXPECT_EQ(routes[0].path_match, router::Route::PathMatch::kPrefix);
  EXPECT_EQ(routes[0].path, "/orders");
  EXPECT_EQ(routes[0].cluster, "orders");
  EXPECT_EQ(routes[0].cluster_index, 0);
  EXPECT_EQ(routes[0].timeout, absl::Seconds(15)) << "no timeout in the route: the default";
  EXPECT_EQ(routes[0].stats, stats_.get("orders", "orders"));
  EXPECT_EQ(routes[1].cluster_index, 1);
  EXPECT_EQ(routes[1].timeout, absl::Milliseconds(2500));
  EXPECT_EQ(routes[2].cluster, "ghost");
  EXPECT_EQ(routes[2].cluster_index, -1) << "an unknown cluster compiles; the request gets a 503";

  const router::Route* matched = table->match("anything.test", "/users/7");
  ASSERT_NE(matched, nullptr);
  EXPECT_EQ(matched->name, "users");

  // The snapshot keeps the resources it was compiled from (for /config_dump).
  EXPECT_EQ(snapshot->resources().listeners.size(), 1u);
  EXPECT_EQ(snapshot->resources().endpoints.count("orders"), 1u);
}

TEST_F(SnapshotCompilerTest, EmptySetCompiles) {
  SnapshotPtr snapshot = compileOk(xds::ResourceSet{});
  ASSERT_NE(snapshot, nullptr);
  EXPECT_TRUE(snapshot->listeners().empty());
  EXPECT_TRUE(snapshot->clusters().empty());
}

TEST_F(SnapshotCompilerTest, RouteStatsKeyFallsBackToClusterWhenRouteHasNoName) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildRouteConfiguration("public", {entry("", "/", "echo")}));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->routeTable("public")->virtualHosts()[0].routes[0].stats, stats_.get("echo", "echo"));
}

TEST_F(SnapshotCompilerTest, WeightedScheduleIsInterleaved) {
  xds::ResourceSet set = minimalSet();
  // A (weight 3) then B (weight 1), in one locality: A B A A.
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 80, 3),
                                                  instance("echo", "10.0.0.2", 80, 1)}));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  const upstream::Cluster& cluster = snapshot->clusters()[0];
  ASSERT_EQ(cluster.endpoints.size(), 2u);
  EXPECT_EQ(cluster.endpoints[0].key, "10.0.0.1:80");
  EXPECT_EQ(cluster.endpoints[1].key, "10.0.0.2:80");
  EXPECT_EQ(cluster.schedule, (std::vector<uint32_t>{0, 1, 0, 0}));
}

TEST_F(SnapshotCompilerTest, ScheduleOfEqualAndMixedWeights) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 80, 2),
                                                  instance("echo", "10.0.0.2", 80, 3),
                                                  instance("echo", "10.0.0.3", 80, 1)}));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->clusters()[0].schedule, (std::vector<uint32_t>{0, 1, 2, 0, 1, 1}));
}

TEST_F(SnapshotCompilerTest, ScheduleEmptyWithoutEndpoints) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {}));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_TRUE(snapshot->clusters()[0].has_assignment);
  EXPECT_TRUE(snapshot->clusters()[0].endpoints.empty());
  EXPECT_TRUE(snapshot->clusters()[0].schedule.empty());
}

TEST_F(SnapshotCompilerTest, EdsServiceNameSelectsTheAssignment) {
  xds::ResourceSet set;
  Cluster cluster = builders::buildCluster("echo");
  cluster.mutable_eds_cluster_config()->set_service_name("echo-eds");
  add(set, cluster);
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 80)}));
  add(set, builders::buildLoadAssignment("echo-eds", {instance("echo", "10.0.0.2", 80)}));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->clusters()[0].endpoints.size(), 1u);
  EXPECT_EQ(snapshot->clusters()[0].endpoints[0].key, "10.0.0.2:80");
}

TEST_F(SnapshotCompilerTest, StaticClusterUsesItsLoadAssignment) {
  xds::ResourceSet set;
  Cluster cluster;
  cluster.set_name("static");
  cluster.set_type(Cluster::STATIC);
  *cluster.mutable_load_assignment() = builders::buildLoadAssignment("static", {instance("s", "10.1.1.1", 81)});
  add(set, cluster);
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_TRUE(snapshot->clusters()[0].has_assignment);
  ASSERT_EQ(snapshot->clusters()[0].endpoints.size(), 1u);
  EXPECT_EQ(snapshot->clusters()[0].endpoints[0].key, "10.1.1.1:81");
  EXPECT_EQ(snapshot->clusters()[0].connect_timeout, absl::Seconds(5)) << "the default";
}

TEST_F(SnapshotCompilerTest, Ipv6EndpointKeyIsBracketed) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "::1", 9000)}));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->clusters()[0].endpoints.size(), 1u);
  EXPECT_EQ(snapshot->clusters()[0].endpoints[0].key, "[::1]:9000");
  EXPECT_TRUE(snapshot->clusters()[0].endpoints[0].address.address().is_v6());
}

TEST_F(SnapshotCompilerTest, EndpointWithoutWeightHasWeightOne) {
  xds::ResourceSet set = minimalSet();
  ClusterLoadAssignment assignment = builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 80, 5)});
  assignment.mutable_endpoints(0)->mutable_lb_endpoints(0)->clear_load_balancing_weight();
  add(set, assignment);
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->clusters()[0].endpoints.size(), 1u);
  EXPECT_EQ(snapshot->clusters()[0].endpoints[0].weight, 1u);
}

TEST_F(SnapshotCompilerTest, UnhealthyDrainingAndTimeoutEndpointsAreSkipped) {
  xds::ResourceSet set = minimalSet();
  ClusterLoadAssignment assignment = builders::buildLoadAssignment(
      "echo", {instance("echo", "10.0.0.1", 80), instance("echo", "10.0.0.2", 80), instance("echo", "10.0.0.3", 80),
               instance("echo", "10.0.0.4", 80), instance("echo", "10.0.0.5", 80)});
  auto* lbs = assignment.mutable_endpoints(0);
  lbs->mutable_lb_endpoints(0)->set_health_status(envoy::config::core::v3::UNHEALTHY);
  lbs->mutable_lb_endpoints(1)->set_health_status(envoy::config::core::v3::DRAINING);
  lbs->mutable_lb_endpoints(2)->set_health_status(envoy::config::core::v3::TIMEOUT);
  lbs->mutable_lb_endpoints(3)->set_health_status(envoy::config::core::v3::UNKNOWN);
  // [4] stays HEALTHY. A skipped endpoint is not validated either.
  lbs->mutable_lb_endpoints(0)->mutable_endpoint()->mutable_address()->mutable_socket_address()->set_port_value(0);
  add(set, assignment);
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  const auto& endpoints = snapshot->clusters()[0].endpoints;
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0].key, "10.0.0.4:80");
  EXPECT_EQ(endpoints[1].key, "10.0.0.5:80");
  EXPECT_EQ(snapshot->clusters()[0].schedule, (std::vector<uint32_t>{0, 1}));
}

TEST_F(SnapshotCompilerTest, ApiListenersAreSkipped) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildApiListener("grpc-svc"));
  add(set, builders::buildGrpcRouteConfiguration("grpc-svc"));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->listeners().size(), 1u);
  EXPECT_EQ(snapshot->listeners()[0].name, "public");
  EXPECT_EQ(snapshot->listener("grpc-svc"), nullptr);
}

TEST_F(SnapshotCompilerTest, InlineRouteConfigCompilesApartFromRdsTables) {
  xds::ResourceSet set = minimalSet();
  set.routes.clear();
  Listener inline_listener = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(inline_listener);
  *manager.mutable_route_config() = builders::buildRouteConfiguration("whatever", {entry("e", "/echo", "echo")});
  ASSERT_FALSE(manager.has_rds());
  add(set, withHcm(inline_listener, manager));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  const config::ListenerConfig* public_listener = snapshot->listener("public");
  ASSERT_NE(public_listener, nullptr);
  EXPECT_TRUE(public_listener->inline_routes);
  EXPECT_EQ(snapshot->routeTable("public"), nullptr);  // not an RDS table
  const router::RouteTable* table = snapshot->routeTableFor(*public_listener);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->name(), "whatever");
  const router::Route* route = table->match("h", "/echo/1");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->cluster_index, 0);
  EXPECT_EQ(snapshot->routeTable("whatever"), nullptr);
}

// An optional filter the proxy does not know is skipped, as Envoy does: routes are not blocked.
TEST_F(SnapshotCompilerTest, OptionalUnknownFilterIsSkipped) {
  xds::ResourceSet set = setWithFilters({httpFilter("envoy.filters.http.lua", kLuaType, false, /*optional=*/true)});
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  const router::Route& route = snapshot->routeTable("public")->virtualHosts()[0].routes[0];
  EXPECT_EQ(route.blocked_by_filter, "");
}

TEST_F(SnapshotCompilerTest, SelfConfigSourceIsAccepted) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.mutable_rds()->mutable_config_source()->mutable_self();
  add(set, withHcm(in, manager));
  Cluster cluster = builders::buildCluster("echo");
  cluster.mutable_eds_cluster_config()->mutable_eds_config()->mutable_self();
  add(set, cluster);
  EXPECT_NE(compileOk(set), nullptr);
}

TEST_F(SnapshotCompilerTest, ExactAndRegexRoutesAndCaseInsensitivity) {
  xds::ResourceSet set = minimalSet();
  RouteConfiguration config = builders::buildRouteConfiguration("public", {});
  auto* vhost = config.mutable_virtual_hosts(0);
  auto* exact = vhost->add_routes();
  exact->set_name("exact");
  exact->mutable_match()->set_path("/Health");
  exact->mutable_match()->mutable_case_sensitive()->set_value(false);
  exact->mutable_route()->set_cluster("echo");
  auto* regex = vhost->add_routes();
  regex->set_name("regex");
  regex->mutable_match()->mutable_safe_regex()->set_regex("/users/[a-z]+");
  regex->mutable_match()->mutable_case_sensitive()->set_value(false);
  regex->mutable_route()->set_cluster("echo");
  auto* sensitive = vhost->add_routes();
  sensitive->set_name("sensitive");
  sensitive->mutable_match()->set_prefix("/Api");
  sensitive->mutable_route()->set_cluster("echo");
  sensitive->mutable_route()->mutable_timeout();  // 0s: no route timeout
  add(set, config);
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  const router::RouteTable* table = snapshot->routeTable("public");
  ASSERT_NE(table, nullptr);
  const auto& routes = table->virtualHosts()[0].routes;
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].path_match, router::Route::PathMatch::kExact);
  EXPECT_FALSE(routes[0].case_sensitive);
  EXPECT_EQ(routes[1].path_match, router::Route::PathMatch::kRegex);
  EXPECT_TRUE(routes[2].case_sensitive) << "case_sensitive defaults to true";
  EXPECT_EQ(routes[2].timeout, absl::ZeroDuration());

  auto name = [&](std::string_view path) {
    const router::Route* route = table->match("h", path);
    return route == nullptr ? std::string("<none>") : route->name;
  };
  EXPECT_EQ(name("/HEALTH"), "exact");
  EXPECT_EQ(name("/USERS/Bob"), "regex");
  EXPECT_EQ(name("/users/bob/x"), "<none>") << "regex must match the whole path";
  EXPECT_EQ(name("/Api/x"), "sensitive");
  EXPECT_EQ(name("/api/x"), "<none>");
}

TEST_F(SnapshotCompilerTest, DomainsAreLowerCasedAndMatched) {
  xds::ResourceSet set = minimalSet();
  RouteConfiguration config = builders::buildRouteConfiguration("public", {entry("e", "/", "echo")});
  config.mutable_virtual_hosts(0)->set_domains(0, "API.Example.com");
  auto* other = config.add_virtual_hosts();
  other->set_name("wild");
  other->add_domains("*.Example.com");
  auto* route = other->add_routes();
  route->set_name("w");
  route->mutable_match()->set_prefix("/");
  route->mutable_route()->set_cluster("echo");
  add(set, config);
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  const router::RouteTable* table = snapshot->routeTable("public");
  EXPECT_EQ(table->virtualHosts()[0].domains, (std::vector<std::string>{"api.example.com"}));
  EXPECT_EQ(table->virtualHosts()[1].domains, (std::vector<std::string>{"*.example.com"}));
  EXPECT_EQ(table->match("api.example.com:8080", "/")->name, "e");
  EXPECT_EQ(table->match("www.EXAMPLE.com", "/")->name, "w");
}

// ---- helpers ----

TEST(SnapshotCompilerHelpersTest, EdsServiceName) {
  Cluster cluster = builders::buildCluster("orders");
  EXPECT_EQ(edsServiceName(cluster), "orders");
  cluster.mutable_eds_cluster_config()->set_service_name("orders-v2");
  EXPECT_EQ(edsServiceName(cluster), "orders-v2");
  cluster.mutable_eds_cluster_config()->clear_service_name();
  EXPECT_EQ(edsServiceName(cluster), "orders");
  Cluster bare;
  bare.set_name("bare");
  EXPECT_EQ(edsServiceName(bare), "bare");
}

TEST(SnapshotCompilerHelpersTest, ReferencedRouteConfigs) {
  xds::ResourceSet set;
  add(set, listener("b-listener", "127.0.0.1", 81));
  add(set, listener("a-listener", "127.0.0.1", 82));
  add(set, builders::buildApiListener("grpc-svc"));  // api listeners are not served by the proxy
  Listener other = listener("c-listener", "127.0.0.1", 83);
  hcm::HttpConnectionManager manager = hcmOf(other);
  manager.mutable_rds()->set_route_config_name("a-listener");  // shared: listed once
  add(set, withHcm(other, manager));
  Listener inline_listener = listener("d-inline", "127.0.0.1", 84);
  manager = hcmOf(inline_listener);
  *manager.mutable_route_config() = builders::buildRouteConfiguration("x", {});
  add(set, withHcm(inline_listener, manager));
  EXPECT_EQ(referencedRouteConfigs(set), (std::vector<std::string>{"a-listener", "b-listener"}));
  EXPECT_TRUE(referencedRouteConfigs(xds::ResourceSet{}).empty());
}

TEST(SnapshotCompilerHelpersTest, ReferencedLoadAssignments) {
  xds::ResourceSet set;
  add(set, builders::buildCluster("b"));
  Cluster renamed = builders::buildCluster("a");
  renamed.mutable_eds_cluster_config()->set_service_name("z-eds");
  add(set, renamed);
  Cluster shared = builders::buildCluster("c");
  shared.mutable_eds_cluster_config()->set_service_name("b");
  add(set, shared);
  Cluster static_cluster;
  static_cluster.set_name("static");
  static_cluster.set_type(Cluster::STATIC);
  add(set, static_cluster);
  EXPECT_EQ(referencedLoadAssignments(set), (std::vector<std::string>{"b", "z-eds"}));
}

// ---- the documented contract: "anything else is refused by name rather than ignored" ----

// A TLS listener is refused until TLS is implemented, never served in cleartext.
TEST_F(SnapshotCompilerTest, ListenerWithTransportSocketIsRefused) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  auto* tls = in.mutable_filter_chains(0)->mutable_transport_socket();
  tls->set_name("envoy.transport_sockets.tls");
  tls->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext");
  add(set, in);
  auto result = compile(set);
  ASSERT_FALSE(result.ok()) << "a TLS listener must not be served in cleartext";
  EXPECT_NE(result.status().message().find("transport_socket"), absl::string_view::npos) << result.status();
}

// Failover priorities are refused until implemented, never mixed into priority 0.
TEST_F(SnapshotCompilerTest, EndpointsInFailoverPriorityAreRefused) {
  xds::ResourceSet set = minimalSet();
  ClusterLoadAssignment assignment = builders::buildLoadAssignment(
      "echo", {instance("echo", "10.0.0.1", 80, 1, "a"), instance("echo", "10.0.0.2", 80, 1, "b")});
  assignment.mutable_endpoints(1)->set_priority(1);
  add(set, assignment);
  auto result = compile(set);
  ASSERT_FALSE(result.ok()) << "priority 1 endpoints would receive primary traffic";
  EXPECT_NE(result.status().message().find("priority"), absl::string_view::npos) << result.status();
}

}  // namespace
}  // namespace portico::dp::config
