#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data-plane/config/snapshot_compiler.h"
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
  EXPECT_EQ(
      errorOf(set),
      "listener \"public\": address.socket_address.address: \"localhost\" is not an IP literal");
}

TEST_F(SnapshotCompilerTest, ListenerPortZero) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("public", "127.0.0.1", 0));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": address.socket_address.port_value: 0 is out of range (1..65535)");
}

TEST_F(SnapshotCompilerTest, ListenerPortAboveRange) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("public", "127.0.0.1", 70000));
  EXPECT_EQ(
      errorOf(set),
      "listener \"public\": address.socket_address.port_value: 70000 is out of range (1..65535)");
}

TEST_F(SnapshotCompilerTest, TwoListenersOnTheSameAddress) {
  xds::ResourceSet set = minimalSet();
  add(set, listener("second", "127.0.0.1", 8080));
  // Listeners are checked in name order: "public" binds first, "second" collides.
  EXPECT_EQ(errorOf(set),
            "listener \"second\": address 127.0.0.1:8080 is used by another listener");
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
  EXPECT_EQ(errorOf(set),
            "listener \"public\": filter_chains: exactly one filter chain is supported, got 2");
}

TEST_F(SnapshotCompilerTest, NoFilterChain) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.clear_filter_chains();
  add(set, in);
  EXPECT_EQ(errorOf(set),
            "listener \"public\": filter_chains: exactly one filter chain is supported, got 0");
}

TEST_F(SnapshotCompilerTest, HcmMissing) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.mutable_filter_chains(0)->clear_filters();
  add(set, in);
  EXPECT_EQ(
      errorOf(set),
      "listener \"public\": filter_chains[0].filters: must be exactly one HttpConnectionManager");
}

TEST_F(SnapshotCompilerTest, NetworkFilterOfAnotherType) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.mutable_filter_chains(0)->mutable_filters(0)->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
  add(set, in);
  EXPECT_EQ(
      errorOf(set),
      "listener \"public\": filter_chains[0].filters: must be exactly one HttpConnectionManager");
}

TEST_F(SnapshotCompilerTest, HcmThatCannotBeDecoded) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  in.mutable_filter_chains(0)->mutable_filters(0)->mutable_typed_config()->set_value(
      "\xff\xff\xff");
  add(set, in);
  EXPECT_EQ(errorOf(set),
            "listener \"public\": filter_chains[0].filters[0].typed_config: cannot decode "
            "HttpConnectionManager");
}

// A filter type the proxy does not know, and that is not optional, refuses the listener: Envoy's
// rule (jwt_authn and Portico's plugin filters are known now: see snapshot_compiler_test.cc).
TEST_F(SnapshotCompilerTest, UnknownRequiredHttpFilter) {
  xds::ResourceSet set =
      setWithFilters({httpFilter("envoy.filters.http.lua", kLuaType)});  // [lua, router]
  EXPECT_EQ(errorOf(set), cat("listener \"public\": http_connection_manager.http_filters[0] "
                              "\"envoy.filters.http.lua\": unsupported filter type ",
                              kLuaType));
}

TEST_F(SnapshotCompilerTest, UnknownRequiredFilterAmongKnownOnesIsNamed) {
  xds::ResourceSet set =
      setWithFilters({httpFilter("envoy.filters.http.jwt_authn", kJwtType),
                      httpFilter("acme.auth", "type.googleapis.com/acme.Auth"),
                      httpFilter("acme.optional", "type.googleapis.com/acme.Opt", false, true)});
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[1] \"acme.auth\": "
            "unsupported filter type "
            "type.googleapis.com/acme.Auth");
}

TEST_F(SnapshotCompilerTest, DuplicateHttpFilterNames) {
  xds::ResourceSet set =
      setWithFilters({httpFilter("limit", kRequestSizeLimitType, /*disabled=*/true),
                      httpFilter("limit", kRateLimitType, /*disabled=*/true)});
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[1] \"limit\": filter names "
            "must be present "
            "and unique");
}

TEST_F(SnapshotCompilerTest, HttpFilterWithoutName) {
  xds::ResourceSet set = setWithFilters({httpFilter("", kRequestSizeLimitType, /*disabled=*/true)});
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[0] \"\": filter names must "
            "be present and "
            "unique");
}

// A plugin filter may not share the router's name either.
TEST_F(SnapshotCompilerTest, HttpFilterNamedLikeTheRouter) {
  xds::ResourceSet set = setWithFilters(
      {httpFilter("envoy.filters.http.router", kRequestSizeLimitType, /*disabled=*/true)});
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[1] "
            "\"envoy.filters.http.router\": filter names "
            "must be present and unique");
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
            "listener \"public\": http_connection_manager.http_filters[0] "
            "\"envoy.filters.http.router\": the router "
            "filter must be last and only last; listener \"public\": "
            "http_connection_manager.http_filters[1] "
            "\"envoy.filters.http.jwt_authn\": the router filter must be last and only last");
}

TEST_F(SnapshotCompilerTest, RouterTwice) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  *manager.add_http_filters() = manager.http_filters(0);
  add(set, withHcm(in, manager));
  // Both carry the router's name, so the second is a duplicate as well.
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[0] "
            "\"envoy.filters.http.router\": the router "
            "filter must be last and only last; listener \"public\": "
            "http_connection_manager.http_filters[1] "
            "\"envoy.filters.http.router\": filter names must be present and unique");
}

TEST_F(SnapshotCompilerTest, RouterTwiceUnderDifferentNames) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  *manager.add_http_filters() = manager.http_filters(0);
  manager.mutable_http_filters(0)->set_name("first-router");
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[0] \"first-router\": the "
            "router filter must "
            "be last and only last");
}

TEST_F(SnapshotCompilerTest, OnlyAPluginFilterNoRouter) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  *manager.mutable_http_filters(0) = httpFilter("limit", kRequestSizeLimitType);
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters[0] \"limit\": the router "
            "filter must be last "
            "and only last");
}

TEST_F(SnapshotCompilerTest, NoHttpFilters) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.clear_http_filters();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.http_filters: empty; the router filter "
            "is required");
}

TEST_F(SnapshotCompilerTest, RdsConfigSourceNotAds) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.mutable_rds()->mutable_config_source()->clear_ads();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.rds.config_source: only ads or self is "
            "supported");
}

TEST_F(SnapshotCompilerTest, RdsWithoutRouteConfigName) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.mutable_rds()->clear_route_config_name();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager.rds.route_config_name: required");
}

TEST_F(SnapshotCompilerTest, NeitherRdsNorRouteConfig) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  manager.clear_rds();
  add(set, withHcm(in, manager));
  EXPECT_EQ(errorOf(set),
            "listener \"public\": http_connection_manager: neither rds nor route_config is set");
}

// ---- route errors ----

TEST_F(SnapshotCompilerTest, RouteWithoutPathSpecifier) {
  auto route = goodRoute();
  route.mutable_match()->clear_prefix();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match: one of prefix, path "
            "or safe_regex is "
            "required");
}

TEST_F(SnapshotCompilerTest, RouteWithBadRegex) {
  auto route = goodRoute();
  route.mutable_match()->mutable_safe_regex()->set_regex("/users/(");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.safe_regex: invalid "
            "RE2 \"/users/(\": "
            "missing ): /users/(");
}

TEST_F(SnapshotCompilerTest, HeaderMatcherWithoutSpecifier) {
  auto route = goodRoute();
  route.mutable_match()->add_headers()->set_name("x-version");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.headers[0]: a header "
            "matcher needs a "
            "match specifier");
}

TEST_F(SnapshotCompilerTest, HeaderMatcherStringMatchWithoutPattern) {
  auto route = goodRoute();
  auto* header = route.mutable_match()->add_headers();
  header->set_name("x-version");
  header->mutable_string_match()->set_ignore_case(
      true);  // no exact/prefix/...: matches nothing defined
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.headers[0]: a string "
            "matcher needs exact, prefix, suffix, contains or safe_regex");
}

TEST_F(SnapshotCompilerTest, HeaderMatcherWithBadRegexNamesItsIndex) {
  auto route = goodRoute();
  auto* first = route.mutable_match()->add_headers();
  first->set_name("x-ok");
  first->set_exact_match("1");
  auto* second = route.mutable_match()->add_headers();
  second->set_name("x-version");
  second->mutable_safe_regex_match()->set_regex("v(");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.headers[1]: invalid "
            "RE2 \"v(\": "
            "missing ): v(");
}

TEST_F(SnapshotCompilerTest, HeaderStringMatcherWithBadRegex) {
  auto route = goodRoute();
  auto* header = route.mutable_match()->add_headers();
  header->set_name(":method");
  header->mutable_string_match()->mutable_safe_regex()->set_regex("[GET");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.headers[0]: invalid "
            "RE2 \"[GET\": "
            "missing ]: [GET");
}

TEST_F(SnapshotCompilerTest, QueryParameterMatcherWithoutSpecifier) {
  auto route = goodRoute();
  route.mutable_match()->add_query_parameters()->set_name("debug");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.query_parameters[0]: "
            "a query parameter "
            "matcher needs string_match or present_match");
}

TEST_F(SnapshotCompilerTest, QueryParameterMatcherWithBadRegex) {
  auto route = goodRoute();
  auto* param = route.mutable_match()->add_query_parameters();
  param->set_name("region");
  param->mutable_string_match()->mutable_safe_regex()->set_regex("eu|(");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].match.query_parameters[0]: "
            "invalid RE2 "
            "\"eu|(\": missing ): eu|(");
}

TEST_F(SnapshotCompilerTest, WeightedClustersAllZero) {
  auto route = goodRoute();
  auto* clusters = route.mutable_route()->mutable_weighted_clusters();
  auto* a = clusters->add_clusters();
  a->set_name("echo");
  a->mutable_weight()->set_value(0);
  clusters->add_clusters()->set_name("other");  // no weight: 0
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].route.weighted_clusters: "
            "at least one cluster "
            "needs a weight");
}

TEST_F(SnapshotCompilerTest, WeightedClustersEmpty) {
  auto route = goodRoute();
  route.mutable_route()->mutable_weighted_clusters();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].route.weighted_clusters: "
            "at least one cluster "
            "needs a weight");
}

TEST_F(SnapshotCompilerTest, RouteWithEmptyCluster) {
  auto route = goodRoute();
  route.mutable_route()->set_cluster("");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].route: a cluster or "
            "weighted_clusters is "
            "required (cluster_header is not supported)");
}

TEST_F(SnapshotCompilerTest, RouteWithClusterHeader) {
  auto route = goodRoute();
  route.mutable_route()->set_cluster_header("x-cluster");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].route: a cluster or "
            "weighted_clusters is "
            "required (cluster_header is not supported)");
}

TEST_F(SnapshotCompilerTest, RouteWithClusterSpecifierPlugin) {
  auto route = goodRoute();
  route.mutable_route()->set_cluster_specifier_plugin("picker");
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0].route: a cluster or "
            "weighted_clusters is "
            "required (cluster_header is not supported)");
}

TEST_F(SnapshotCompilerTest, DirectResponseStatusOutOfRange) {
  for (uint32_t status : {0u, 99u, 600u, 1000u}) {
    auto route = goodRoute();
    route.mutable_direct_response()->set_status(status);
    EXPECT_EQ(
        errorOf(setWithRoute(route)),
        cat("route_configuration \"public\": virtual_hosts[0].routes[0].direct_response.status: ",
            status, " is not an HTTP status"));
  }
}

TEST_F(SnapshotCompilerTest, DirectResponseStatusBoundsAreAccepted) {
  for (uint32_t status : {100u, 599u}) {
    auto route = goodRoute();
    route.mutable_direct_response()->set_status(status);
    SnapshotPtr snapshot = compileOk(setWithRoute(route));
    ASSERT_NE(snapshot, nullptr);
    EXPECT_EQ(snapshot->routeTable("public")->virtualHosts()[0].routes[0].direct_status, status);
  }
}

TEST_F(SnapshotCompilerTest, RouteWithBadRegexRewrite) {
  auto route = goodRoute();
  auto* rewrite = route.mutable_route()->mutable_regex_rewrite();
  rewrite->mutable_pattern()->set_regex("^/api/(");
  rewrite->set_substitution("/\\1");
  EXPECT_EQ(
      errorOf(setWithRoute(route)),
      "route_configuration \"public\": virtual_hosts[0].routes[0].route.regex_rewrite: invalid RE2 "
      "\"^/api/(\": missing ): ^/api/(");
}

TEST_F(SnapshotCompilerTest, RouteWithNonForwardingAction) {
  auto route = goodRoute();
  route.mutable_non_forwarding_action();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0]: a route, redirect or "
            "direct_response action "
            "is required");
}

TEST_F(SnapshotCompilerTest, RouteWithoutAction) {
  auto route = goodRoute();
  route.clear_route();
  EXPECT_EQ(errorOf(setWithRoute(route)),
            "route_configuration \"public\": virtual_hosts[0].routes[0]: a route, redirect or "
            "direct_response action "
            "is required");
}

// A bad route is reported with its index and the good ones around it do not hide it.
TEST_F(SnapshotCompilerTest, ErrorsOfSeveralRoutesAreAllReported) {
  xds::ResourceSet set = minimalSet();
  RouteConfiguration config =
      builders::buildRouteConfiguration("public", {entry("ok", "/ok", "echo")});
  auto bad_rewrite = goodRoute();
  bad_rewrite.mutable_route()->mutable_regex_rewrite()->mutable_pattern()->set_regex("(");
  *config.mutable_virtual_hosts(0)->add_routes() = bad_rewrite;
  auto bad_status = goodRoute();
  bad_status.mutable_direct_response()->set_status(700);
  *config.mutable_virtual_hosts(0)->add_routes() = bad_status;
  add(set, config);
  EXPECT_EQ(errorOf(set),
            "route_configuration \"public\": virtual_hosts[0].routes[1].route.regex_rewrite: "
            "invalid RE2 \"(\": "
            "missing ): (; route_configuration \"public\": "
            "virtual_hosts[0].routes[2].direct_response.status: 700 is "
            "not an HTTP status");
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
  EXPECT_EQ(
      errorOf(set),
      "route_configuration \"public\": virtual_hosts[0].domains: \"a.*.com\" is not a valid domain "
      "pattern; "
      "route_configuration \"public\": virtual_hosts[1].domains: at least one domain is required; "
      "route_configuration \"public\": virtual_hosts[2].domains: \"X.TEST\" appears in more than "
      "one virtual "
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
  EXPECT_EQ(errorOf(set),
            "cluster \"echo\": eds_cluster_config.eds_config: only ads or self is supported");
}

TEST_F(SnapshotCompilerTest, EndpointHostName) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "backend.local", 80)}));
  EXPECT_EQ(errorOf(set),
            "cluster_load_assignment \"echo\": endpoints[0].lb_endpoints[0].endpoint.address: "
            "\"backend.local\" is not "
            "an IP literal");
}

TEST_F(SnapshotCompilerTest, EndpointPortZero) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 0)}));
  EXPECT_EQ(errorOf(set),
            "cluster_load_assignment \"echo\": "
            "endpoints[0].lb_endpoints[0].endpoint.address.port_value: 0 is out "
            "of range");
}

TEST_F(SnapshotCompilerTest, EndpointWeightZero) {
  xds::ResourceSet set = minimalSet();
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 80, 0)}));
  EXPECT_EQ(errorOf(set),
            "cluster_load_assignment \"echo\": endpoints[0].lb_endpoints[0].load_balancing_weight: "
            "must be at least 1");
}

TEST_F(SnapshotCompilerTest, StaticClusterEndpointErrorNamesTheCluster) {
  xds::ResourceSet set;
  Cluster cluster;
  cluster.set_name("static");
  cluster.set_type(Cluster::STATIC);
  *cluster.mutable_load_assignment() = builders::buildLoadAssignment(
      "static", {instance("s", "10.0.0.1", 80), instance("s", "10.0.0.2", 0)});
  add(set, cluster);
  EXPECT_EQ(errorOf(set),
            "cluster \"static\": load_assignment: "
            "endpoints[0].lb_endpoints[1].endpoint.address.port_value: 0 is out "
            "of range");
}

TEST_F(SnapshotCompilerTest, SeveralErrorsAreJoined) {
  xds::ResourceSet set = minimalSet();
  Cluster cluster = builders::buildCluster("echo");
  cluster.mutable_eds_cluster_config()->clear_eds_config();
  add(set, cluster);
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "10.0.0.1", 0)}));
  add(set, listener("public", "127.0.0.1", 0));
  auto route = goodRoute();
  route.mutable_direct_response();  // status 0
  RouteConfiguration config = builders::buildRouteConfiguration("public", {});
  *config.mutable_virtual_hosts(0)->add_routes() = route;
  add(set, config);
  // Clusters (and their endpoints) first, then listeners, then route configurations.
  EXPECT_EQ(errorOf(set),
            "cluster \"echo\": eds_cluster_config.eds_config: only ads or self is supported; "
            "cluster_load_assignment \"echo\": "
            "endpoints[0].lb_endpoints[0].endpoint.address.port_value: 0 is out "
            "of range; "
            "listener \"public\": address.socket_address.port_value: 0 is out of range (1..65535); "
            "route_configuration \"public\": virtual_hosts[0].routes[0].direct_response.status: 0 "
            "is not an HTTP "
            "status");
}

}  // namespace
}  // namespace portico::dp::config
