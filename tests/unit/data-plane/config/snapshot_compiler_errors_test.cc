#include "data-plane/config/snapshot_compiler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers

// ---- listener errors ----

TEST_F(SnapshotCompilerTest, ListenerWithoutSocketAddress) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.mutable_address()->mutable_pipe()->set_path("/tmp/sock");
  add(set, in);
  EXPECT_EQ(errorOf(set), "listener \"public\": address.socket_address: required");
}

TEST_F(SnapshotCompilerTest, ListenerAddressNotAnIpLiteral) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("public", "localhost", 8080));
  EXPECT_EQ(errorOf(set), "listener \"public\": address.socket_address.address: \"localhost\" is not an IP literal");
}

TEST_F(SnapshotCompilerTest, ListenerPortZero) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("public", "127.0.0.1", 0));
  EXPECT_EQ(errorOf(set), "listener \"public\": address.socket_address.port_value: 0 is out of range (1..65535)");
}

TEST_F(SnapshotCompilerTest, ListenerPortAboveRange) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("public", "127.0.0.1", 70000));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": address.socket_address.port_value: 70000 is out of range (1..65535)");
}

TEST_F(SnapshotCompilerTest, TwoListenersOnTheSameAddress) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("second", "127.0.0.1", 8080));
  // Listeners are checked in name order: "public" binds first, "second" collides.
  EXPECT_EQ(errorOf(set), "listener \"second\": address 127.0.0.1:8080 is used by another listener");
}

// Addresses are compared in canonical form: two spellings of one IPv6 address collide.
TEST_F(SnapshotCompilerTest, TwoListenersOnTheSameIpv6AddressSpelledDifferently) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("public", "::1", 8080));
  add(set, listener("second", "0:0:0:0:0:0:0:1", 8080));
  auto result = compile(set);
  ASSERT_FALSE(result.ok()) << "[::1]:8080 is bound by two listeners";
  EXPECT_NE(result.status().message().find("is used by another listener"), absl::string_view::npos)
      << result.status();
}

TEST_F(SnapshotCompilerTest, SamePortOnDifferentAddressesIsFine) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("second", "127.0.0.2", 8080));
  add(set, listener("third", "127.0.0.1", 8081));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->listeners().size(), 3u);
}

TEST_F(SnapshotCompilerTest, TwoFilterChains) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  *in.add_filter_chains() = in.filter_chains(0);
  add(set, in);
  EXPECT_EQ(errorOf(set), "listener \"public\": filter_chains: exactly one filter chain is supported, got 2");
}

TEST_F(SnapshotCompilerTest, NoFilterChain) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.clear_filter_chains();
  add(set, in);
  EXPECT_EQ(errorOf(set), "listener \"public\": filter_chains: exactly one filter chain is supported, got 0");
}

TEST_F(SnapshotCompilerTest, HcmMissing) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.mutable_filter_chains(0)->clear_filters();
  add(set, in);
  EXPECT_EQ(errorOf(set), "listener \"public\": filter_chains[0].filters: must be exactly one HttpConnectionManager");
}

TEST_F(SnapshotCompilerTest, NetworkFilterOfAnotherType) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.mutable_filter_chains(0)->mutable_filters(0)->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
  add(set, in);
  EXPECT_EQ(errorOf(set), "listener \"public\": filter_chains[0].filters: must be exactly one HttpConnectionManager");
}

TEST_F(SnapshotCompilerTest, HcmThatCannotBeDecoded) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.mutable_filter_chains(0)->mutable_filters(0)->mutable_typed_config()->set_value("\xff\xff\xff");
  add(set, in);
  EXPECT_EQ(errorOf(set),
            "listener \"public\": filter_chains[0].filters[0].typed_config: cannot decode HttpConnectionManager");
}

TEST_F(SnapshotCompilerTest, UnknownRequiredHttpFilter) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  hcm::HttpFilter jwt;
  jwt.set_name("envoy.filters.http.jwt_authn");
  jwt.mutable_typed_config()->set_type_url(std::string(kJwtType));
  *manager.mutable_http_filters()->Add() = manager.http_filters(0);
  *manager.mutable_http_filters(0) = jwt;  // [jwt, router]
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set), cat("listener \"public\": http_connection_manager.http_filters[0] "
                              "\"envoy.filters.http.jwt_authn\": unsupported filter type ",
                              kJwtType));
}

TEST_F(SnapshotCompilerTest, RouterNotLast) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  hcm::HttpFilter jwt;
  jwt.set_name("envoy.filters.http.jwt_authn");
  jwt.mutable_typed_config()->set_type_url(std::string(kJwtType));
  jwt.set_is_optional(true);
  *manager.add_http_filters() = jwt;  // [router, jwt (optional)]
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[0]: the router filter must be last and only "
            "last; listener \"public\": http_connection_manager.http_filters[1]: the router filter must be last "
            "and only last");
}

TEST_F(SnapshotCompilerTest, RouterTwice) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  *manager.add_http_filters() = manager.http_filters(0);
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[0]: the router filter must be last and only "
            "last");
}

TEST_F(SnapshotCompilerTest, NoHttpFilters) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.clear_http_filters();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set), "listener \"public\": http_connection_manager.http_filters: empty; the router filter is required");
}

TEST_F(SnapshotCompilerTest, RdsConfigSourceNotAds) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.mutable_rds()->mutable_config_source()->clear_ads();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set), "listener \"public\": http_connection_manager.rds.config_source: only ads or self is supported");
}

TEST_F(SnapshotCompilerTest, RdsWithoutRouteConfigName) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.mutable_rds()->clear_route_config_name();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set), "listener \"public\": http_connection_manager.rds.route_config_name: required");
}

TEST_F(SnapshotCompilerTest, NeitherRdsNorRouteConfig) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.clear_rds();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set), "listener \"public\": http_connection_manager: neither rds nor route_config is set");
}

// ---- route errors ----

TEST_F(SnapshotCompilerTest, RouteWithoutPathSpecifier) {
  auto route = goodRoute();
  route.mutable_match()->clear_prefix();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match: one of prefix, path or safe_regex is "
            "required");
}

TEST_F(SnapshotCompilerTest, RouteWithBadRegex) {
  auto route = goodRoute();
  route.mutable_match()->mutable_safe_regex()->set_regex("/users/(");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.safe_regex: invalid RE2 \"/users/(\": "
            "missing ): /users/(");
}

TEST_F(SnapshotCompilerTest, RouteWithHeaderMatcher) {
  auto route = goodRoute();
  auto* header = route.mutable_match()->add_headers();
  header->set_name("x-version");
  header->set_exact_match("2");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match: header, query parameter and runtime "
            "fraction matchers are not supported yet");
}

TEST_F(SnapshotCompilerTest, RouteWithQueryParameterMatcher) {
  auto route = goodRoute();
  route.mutable_match()->add_query_parameters()->set_name("debug");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match: header, query parameter and runtime "
            "fraction matchers are not supported yet");
}

TEST_F(SnapshotCompilerTest, RouteWithWeightedClusters) {
  auto route = goodRoute();
  auto* weighted = route.mutable_route()->mutable_weighted_clusters()->add_clusters();
  weighted->set_name("echo");
  weighted->mutable_weight()->set_value(100);
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].route: a cluster is required "
            "(weighted_clusters and cluster_header are not supported yet)");
}

TEST_F(SnapshotCompilerTest, RouteWithEmptyCluster) {
  auto route = goodRoute();
  route.mutable_route()->set_cluster("");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].route: a cluster is required "
            "(weighted_clusters and cluster_header are not supported yet)");
}

TEST_F(SnapshotCompilerTest, RouteWithDirectResponse) {
  auto route = goodRoute();
  route.mutable_direct_response();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0]: only a route action (to a cluster) is "
            "supported yet");
}

TEST_F(SnapshotCompilerTest, RouteWithRedirect) {
  auto route = goodRoute();
  route.mutable_redirect();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0]: only a route action (to a cluster) is "
            "supported yet");
}

TEST_F(SnapshotCompilerTest, RouteWithoutAction) {
  auto route = goodRoute();
  route.clear_route();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0]: only a route action (to a cluster) is "
            "supported yet");
}

TEST_F(SnapshotCompilerTest, VirtualHostDomainErrors) {
  xds::ResourceSet set = minimalSet();
  RouteConfiguration config = builders::buildRouteConfiguration("public", {});
  config.mutable_virtual_hosts(0)->set_domains(0, "a.*.com");
  auto* second = config.add_virtual_hosts();
  second->set_name("none");
  auto* third = config.add_virtual_hosts();
  third->set_name("dup");
  third->add_domains("x.test");
  third->add_domains("X.TEST");
  add(set, config);
  EXPECT_EQ(errorOf(set),
            "route_configuration \"public\": virtual_hosts[0].domains: \"a.*.com\" is not a valid domain pattern; "
            "route_configuration \"public\": virtual_hosts[1].domains: at least one domain is required; "
            "route_configuration \"public\": virtual_hosts[2].domains: \"X.TEST\" appears in more than one virtual "
            "host");
}

// ---- cluster and endpoint errors ----

TEST_F(SnapshotCompilerTest, ClusterTypeStrictDns) {
  xds::ResourceSet set = minimalSet();
  Cluster cluster = builders::buildCluster("echo");
  cluster.set_type(Cluster::STRICT_DNS);
  add(set, cluster);
  EXPECT_EQ(errorOf(set), "cluster \"echo\": type: only EDS and STATIC are supported");
}

TEST_F(SnapshotCompilerTest, ClusterWithCustomType) {
  xds::ResourceSet set = minimalSet();
  Cluster cluster = builders::buildCluster("echo");
  cluster.mutable_cluster_type()->set_name("envoy.clusters.aggregate");
  add(set, cluster);
  EXPECT_EQ(errorOf(set), "cluster \"echo\": type: only EDS and STATIC are supported");
}

TEST_F(SnapshotCompilerTest, EdsClusterNotOverAds) {
  xds::ResourceSet set = minimalSet();
  Cluster cluster = builders::buildCluster("echo");
  cluster.mutable_eds_cluster_config()->clear_eds_config();
  add(set, cluster);
  EXPECT_EQ(errorOf(set), "cluster \"echo\": eds_cluster_config.eds_config: only ads or self is supported");
}

TEST_F(SnapshotCompilerTest, ClusterLbPolicyLeastRequest) {
  xds::ResourceSet set = minimalSet();
  Cluster cluster = builders::buildCluster("echo");
  cluster.set_lb_policy(Cluster::LEAST_REQUEST);
  add(set, cluster);
  EXPECT_EQ(errorOf(set), "cluster \"echo\": lb_policy: only ROUND_ROBIN is supported yet");
}

TEST_F(SnapshotCompilerTest, EndpointHostName) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "backend.local", 80)}));
  EXPECT_EQ(errorOf(set),
            "cluster_load_assignment \"echo\": endpoints[0].lb_endpoints[0].endpoint.address: \"backend.local\" is not "
            "an IP literal");
}

TEST_F(SnapshotCompilerTest, EndpointPortZero) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 0)}));
  EXPECT_EQ(errorOf(set),
            "cluster_load_assignment \"echo\": endpoints[0].lb_endpoints[0].endpoint.address.port_value: 0 is out "
            "of range");
}

TEST_F(SnapshotCompilerTest, EndpointWeightZero) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 80, 0)}));
  EXPECT_EQ(errorOf(set),
            "cluster_load_assignment \"echo\": endpoints[0].lb_endpoints[0].load_balancing_weight: must be at least 1");
}

TEST_F(SnapshotCompilerTest, StaticClusterEndpointErrorNamesTheCluster) {
  xds::ResourceSet set;
  Cluster cluster;
  cluster.set_name("static");
  cluster.set_type(Cluster::STATIC);
  *cluster.mutable_load_assignment() =
      builders::buildLoadAssignment("static", {instance("s", "10.0.0.1", 80), instance("s", "10.0.0.2", 0)});
  add(set, cluster);
  EXPECT_EQ(errorOf(set),
            "cluster \"static\": load_assignment: endpoints[0].lb_endpoints[1].endpoint.address.port_value: 0 is out "
            "of range");
}

TEST_F(SnapshotCompilerTest, SeveralErrorsAreJoined) {
  xds::ResourceSet set = minimalSet();
  Cluster cluster = builders::buildCluster("echo");
  cluster.set_lb_policy(Cluster::LEAST_REQUEST);
  add(set, cluster);
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 0)}));
  add(set, listener("public", "127.0.0.1", 0));
  auto route = goodRoute();
  route.mutable_direct_response();
  RouteConfiguration config = builders::buildRouteConfiguration("public", {});
  *config.mutable_virtual_hosts(0)->add_routes() = route;
  add(set, config);
  // Clusters (and their endpoints) first, then listeners, then route configurations.
  EXPECT_EQ(errorOf(set),
            "cluster \"echo\": lb_policy: only ROUND_ROBIN is supported yet; "
            "cluster_load_assignment \"echo\": endpoints[0].lb_endpoints[0].endpoint.address.port_value: 0 is out "
            "of range; "
            "listener \"public\": address.socket_address.port_value: 0 is out of range (1..65535); "
            "route_configuration \"public\": virtual_hosts[0].routes[0]: only a route action (to a cluster) is "
            "supported yet");
}

}  // namespace
}  // namespace portico::dp::config
