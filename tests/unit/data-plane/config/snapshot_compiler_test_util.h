#pragma once

// Shared by the snapshot compiler tests: resources built the way portico-cp builds them
// (control-plane/translator/resource_builders.h), a minimal valid set, and a fixture that
// compiles a set and returns the snapshot or the exact error text.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/xds/type_urls.h"
#include "control-plane/model/config_parser.h"
#include "control-plane/translator/resource_builders.h"
#include "control-plane/translator/translator.h"
#include "data-plane/config/snapshot_compiler.h"
#include "data-plane/filters/jwt_authn/jwks_registry.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::dp::config::compiler_test {

namespace builders = portico::cp::translator;
namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;
using Instance = portico::cp::registry::Instance;

inline constexpr std::string_view kJwtType =
    "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";
inline constexpr std::string_view kJwtPolicyType =
    "type.googleapis.com/portico.filters.jwt_policy.v1.JwtPolicy";
inline constexpr std::string_view kConsumersType =
    "type.googleapis.com/portico.filters.consumers.v1.Consumers";
inline constexpr std::string_view kCorsType =
    "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors";
inline constexpr std::string_view kRequestSizeLimitType =
    "type.googleapis.com/portico.filters.request_size_limit.v1.RequestSizeLimit";
inline constexpr std::string_view kRateLimitType =
    "type.googleapis.com/portico.filters.rate_limit.v1.RateLimit";
// Known filters this proxy does not implement yet: what the fail-closed tests enable.
inline constexpr std::string_view kHeaderMutationType =
    "type.googleapis.com/portico.filters.headers.v1.HeaderMutation";
inline constexpr std::string_view kTranscoderType =
    "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder";
inline constexpr std::string_view kLuaType =
    "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua";
// Every filter type the proxy knows (snapshot_compiler.cc, knownFilter).
inline constexpr std::string_view kKnownFilterTypes[] = {
    kConsumersType,
    kJwtPolicyType,
    kCorsType,
    kRequestSizeLimitType,
    "type.googleapis.com/portico.filters.key_auth.v1.KeyAuth",
    kJwtType,
    "type.googleapis.com/portico.filters.ext_auth.v1.ExtAuth",
    "type.googleapis.com/portico.filters.authorize.v1.Authorize",
    kRateLimitType,
    "type.googleapis.com/portico.filters.quota.v1.Quota",
    "type.googleapis.com/portico.filters.cache.v1.Cache",
    "type.googleapis.com/portico.filters.headers.v1.HeaderMutation",
    "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
};

inline Instance instance(const std::string& service, const std::string& address, uint32_t port,
                         uint32_t weight = 1, const std::string& zone = "") {
  Instance out;
  out.set_service(service);
  out.set_id(cat(address, ":", port));
  out.set_address(address);
  out.set_port(port);
  out.set_weight(weight);
  out.set_zone(zone);
  return out;
}

inline Listener listener(const std::string& name, const std::string& address = "127.0.0.1",
                         uint32_t port = 8080) {
  return builders::buildListener(portico::cp::model::ListenerConfig{name, address, port});
}

inline builders::RouteEntry entry(const std::string& name, const std::string& prefix,
                                  const std::string& cluster) {
  return builders::RouteEntry{name, prefix, cluster, std::nullopt};
}

// The HCM inside a listener built by buildListener, for tests that bend it.
inline hcm::HttpConnectionManager hcmOf(const Listener& in) {
  hcm::HttpConnectionManager out;
  EXPECT_TRUE(in.filter_chains(0).filters(0).typed_config().UnpackTo(&out));
  return out;
}

inline Listener withHcm(Listener in, const hcm::HttpConnectionManager& manager) {
  in.mutable_filter_chains(0)->mutable_filters(0)->mutable_typed_config()->PackFrom(manager);
  return in;
}

template <typename T>
inline void put(xds::ResourceMap<T>& map, const std::string& name, T value) {
  map[name] = std::make_shared<const T>(std::move(value));
}

// (The name is copied first: argument evaluation order is unspecified.)
inline void add(xds::ResourceSet& set, Listener value) {
  const std::string name = value.name();
  put(set.listeners, name, std::move(value));
}
inline void add(xds::ResourceSet& set, RouteConfiguration value) {
  const std::string name = value.name();
  put(set.routes, name, std::move(value));
}
inline void add(xds::ResourceSet& set, Cluster value) {
  const std::string name = value.name();
  put(set.clusters, name, std::move(value));
}
inline void add(xds::ResourceSet& set, ClusterLoadAssignment value) {
  const std::string name = value.cluster_name();
  put(set.endpoints, name, std::move(value));
}

// A listener "public" on 127.0.0.1:8080 routing /echo to one EDS cluster "echo" with one
// endpoint: the smallest set portico-cp sends.
inline xds::ResourceSet minimalSet() {
  xds::ResourceSet set;
  add(set, listener("public"));
  add(set, builders::buildRouteConfiguration("public", {entry("echo", "/echo", "echo")}));
  add(set, builders::buildCluster("echo"));
  add(set, builders::buildLoadAssignment("echo", {instance("echo", "127.0.0.1", 9001)}));
  return set;
}

class SnapshotCompilerTest : public ::testing::Test {
 protected:
  absl::StatusOr<SnapshotPtr> compile(const xds::ResourceSet& set) {
    http::FilterBuildContext base;
    base.jwks = &jwks_;  // never started: remote key sets are created but not fetched
    return compileSnapshot(set, stats_, nullptr, &base);
  }

  // The compile error message; fails the test when the set compiles.
  std::string errorOf(const xds::ResourceSet& set) {
    auto result = compile(set);
    EXPECT_FALSE(result.ok()) << "expected a compile error";
    if (result.ok()) {
      return "";
    }
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(result.status().message());
  }

  SnapshotPtr compileOk(const xds::ResourceSet& set) {
    auto result = compile(set);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : nullptr;
  }

  // Before anything that may hold a snapshot: it must outlive them.
  http::JwksRegistry jwks_{http::JwksRegistry::Options{}, nullptr};
  router::RouteStatsStore stats_{1};
};

// A route configuration "public" whose one route is `route` (match/action as given).
inline xds::ResourceSet setWithRoute(const envoy::config::route::v3::Route& route) {
  xds::ResourceSet set = minimalSet();
  RouteConfiguration config = builders::buildRouteConfiguration("public", {});
  *config.mutable_virtual_hosts(0)->add_routes() = route;
  add(set, config);
  return set;
}

inline envoy::config::route::v3::Route goodRoute() {
  envoy::config::route::v3::Route route;
  route.set_name("r");
  route.mutable_match()->set_prefix("/");
  route.mutable_route()->set_cluster("echo");
  return route;
}

// The default group's resources for a portico.yaml, exactly as portico-cp translates and serves
// them (api_listeners and the gRPC route configurations included), with `registry` as the
// registered instances. An invalid file fails the test and yields an empty set.
inline xds::ResourceSet translateYaml(const std::string& yaml,
                                      const portico::cp::registry::RegistryState& registry = {}) {
  xds::ResourceSet set;
  auto config = portico::cp::model::parseConfig(yaml, "portico.yaml");
  EXPECT_TRUE(config.ok()) << config.status() << "\nin:\n" << yaml;
  if (!config.ok()) return set;
  const auto snapshots = portico::cp::translator::translate(*config, registry);
  const auto& snapshot = *snapshots.at("default");
  using portico::xds::ResourceType;
  for (const auto& [name, resource] : snapshot.resources(ResourceType::kListener)) {
    Listener message;
    EXPECT_TRUE(resource->body.UnpackTo(&message)) << name;
    put(set.listeners, name, std::move(message));
  }
  for (const auto& [name, resource] : snapshot.resources(ResourceType::kRoute)) {
    RouteConfiguration message;
    EXPECT_TRUE(resource->body.UnpackTo(&message)) << name;
    put(set.routes, name, std::move(message));
  }
  for (const auto& [name, resource] : snapshot.resources(ResourceType::kCluster)) {
    Cluster message;
    EXPECT_TRUE(resource->body.UnpackTo(&message)) << name;
    put(set.clusters, name, std::move(message));
  }
  for (const auto& [name, resource] : snapshot.resources(ResourceType::kEndpoint)) {
    ClusterLoadAssignment message;
    EXPECT_TRUE(resource->body.UnpackTo(&message)) << name;
    put(set.endpoints, name, std::move(message));
  }
  return set;
}

// The compiled route named `name` in virtual host `vhost` of `table` (the first one; null when
// there is none).
inline const router::Route* findRoute(const router::RouteTable& table, size_t vhost,
                                      const std::string& name) {
  if (vhost >= table.virtualHosts().size()) return nullptr;
  for (const router::Route& route : table.virtualHosts()[vhost].routes) {
    if (route.name == name) return &route;
  }
  return nullptr;
}

// An HTTP filter of `type_url` named `name`, with an empty config of that type.
inline hcm::HttpFilter httpFilter(const std::string& name, std::string_view type_url,
                                  bool disabled = false, bool optional = false) {
  hcm::HttpFilter filter;
  filter.set_name(name);
  filter.mutable_typed_config()->set_type_url(std::string(type_url));
  filter.set_disabled(disabled);
  filter.set_is_optional(optional);
  return filter;
}

// minimalSet() with `filters` inserted before the router filter of listener "public".
inline xds::ResourceSet setWithFilters(const std::vector<hcm::HttpFilter>& filters) {
  xds::ResourceSet set = minimalSet();
  Listener in = listener("public");
  hcm::HttpConnectionManager manager = hcmOf(in);
  const hcm::HttpFilter router_filter = manager.http_filters(0);
  manager.clear_http_filters();
  for (const hcm::HttpFilter& filter : filters) *manager.add_http_filters() = filter;
  *manager.add_http_filters() = router_filter;
  add(set, withHcm(in, manager));
  return set;
}

}  // namespace portico::dp::config::compiler_test
