#include "control-plane/translator/translator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "common/xds/type_urls.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::cp::translator {
namespace {

// The default group's snapshot: what a proxy without --group receives.
xds::SnapshotPtr translateDefault(const model::PorticoConfig& config, const registry::RegistryState& state) {
  return translate(config, state).at("default");
}


using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using portico::xds::ResourceType;

registry::Instance makeInstance(const std::string& service, const std::string& id,
                                const std::string& address, uint32_t port, uint32_t weight = 1,
                                const std::string& zone = "") {
  registry::Instance instance;
  instance.set_service(service);
  instance.set_id(id);
  instance.set_address(address);
  instance.set_port(port);
  instance.set_weight(weight);
  instance.set_zone(zone);
  instance.set_ttl_seconds(30);
  return instance;
}

// Groups instances by service, each group in id order, as Store::state() does.
registry::RegistryState registryOf(std::vector<registry::Instance> instances) {
  std::sort(instances.begin(), instances.end(), [](const auto& a, const auto& b) {
    return std::tie(a.service(), a.id()) < std::tie(b.service(), b.id());
  });
  registry::RegistryState state;
  for (auto& instance : instances) {
    state[instance.service()].push_back(std::move(instance));
  }
  return state;
}

model::PorticoConfig configWith(std::vector<model::RouteConfig> routes) {
  model::PorticoConfig config;
  config.listeners.push_back(model::ListenerConfig{"public", "0.0.0.0", 8080});
  config.routes = std::move(routes);
  return config;
}

model::RouteConfig route(const std::string& name, std::vector<std::string> prefixes,
                         const std::string& service) {
  model::RouteConfig out;
  out.name = name;
  out.match.paths = std::move(prefixes);
  out.service = service;
  return out;
}

template <typename T>
T unpack(const xds::ResourcePtr& resource) {
  T message;
  EXPECT_NE(resource, nullptr);
  if (resource != nullptr) {
    EXPECT_TRUE(resource->body.UnpackTo(&message)) << resource->body.type_url();
  }
  return message;
}

std::vector<std::string> names(const xds::Snapshot& snapshot, ResourceType type) {
  std::vector<std::string> out;
  for (const auto& [name, resource] : snapshot.resources(type)) {
    out.push_back(name);
  }
  return out;
}

HttpConnectionManager hcmOf(const google::protobuf::Any& any) {
  HttpConnectionManager hcm;
  EXPECT_EQ(any.type_url(), portico::xds::kHcmType);
  EXPECT_TRUE(any.UnpackTo(&hcm));
  return hcm;
}

void expectRouterOnly(const HttpConnectionManager& hcm) {
  ASSERT_EQ(hcm.http_filters_size(), 1);
  EXPECT_EQ(hcm.http_filters(0).name(), portico::xds::kRouterFilterName);
  EXPECT_EQ(hcm.http_filters(0).typed_config().type_url(), portico::xds::kRouterType);
}

TEST(TranslatorTest, IsDeterministic) {
  const model::PorticoConfig config = configWith({route("orders", {"/orders", "/o/"}, "orders")});
  const registry::RegistryState state = registryOf({
      makeInstance("orders", "o-1", "10.0.0.1", 80, 2, "a"),
      makeInstance("orders", "o-2", "10.0.0.2", 80, 1, "b"),
      makeInstance("users", "u-1", "10.0.1.1", 81),
  });
  xds::SnapshotPtr first = translateDefault(config, state);
  xds::SnapshotPtr second = translateDefault(config, state);
  for (ResourceType type : portico::xds::kAllResourceTypes) {
    EXPECT_FALSE(first->version(type).empty());
    EXPECT_EQ(first->version(type), second->version(type)) << portico::xds::shortName(type);
    ASSERT_EQ(names(*first, type), names(*second, type));
    for (const auto& [name, resource] : first->resources(type)) {
      const xds::ResourcePtr other = second->find(type, name);
      ASSERT_NE(other, nullptr) << name;
      EXPECT_EQ(resource->version, other->version) << name;
      EXPECT_EQ(resource->body.value(), other->body.value()) << name;
      EXPECT_EQ(resource->body.type_url(), portico::xds::typeUrl(type)) << name;
    }
  }
}

TEST(TranslatorTest, RoutedServiceWithoutInstancesGetsClusterAndEmptyAssignment) {
  xds::SnapshotPtr snapshot =
      translateDefault(configWith({route("billing", {"/billing"}, "billing")}), {});
  ASSERT_NE(snapshot->find(ResourceType::kCluster, "billing"), nullptr);
  const Cluster cluster = unpack<Cluster>(snapshot->find(ResourceType::kCluster, "billing"));
  EXPECT_EQ(cluster.name(), "billing");
  EXPECT_EQ(cluster.type(), Cluster::EDS);
  EXPECT_EQ(cluster.lb_policy(), Cluster::ROUND_ROBIN);
  EXPECT_EQ(cluster.eds_cluster_config().service_name(), "billing");
  EXPECT_TRUE(cluster.eds_cluster_config().eds_config().has_ads());
  EXPECT_GT(cluster.connect_timeout().seconds(), 0);

  ASSERT_NE(snapshot->find(ResourceType::kEndpoint, "billing"), nullptr);
  const auto assignment =
      unpack<ClusterLoadAssignment>(snapshot->find(ResourceType::kEndpoint, "billing"));
  EXPECT_EQ(assignment.cluster_name(), "billing");
  EXPECT_EQ(assignment.endpoints_size(), 0);

  const auto routes = unpack<RouteConfiguration>(snapshot->find(ResourceType::kRoute, "public"));
  ASSERT_EQ(routes.virtual_hosts_size(), 1);
  ASSERT_EQ(routes.virtual_hosts(0).routes_size(), 1);
  EXPECT_EQ(routes.virtual_hosts(0).routes(0).route().cluster(), "billing");
}

TEST(TranslatorTest, TrafficListenerUsesRdsWithItsOwnName) {
  xds::SnapshotPtr snapshot = translateDefault(configWith({}), {});
  EXPECT_EQ(names(*snapshot, ResourceType::kListener), (std::vector<std::string>{"public"}));
  EXPECT_EQ(names(*snapshot, ResourceType::kRoute), (std::vector<std::string>{"public"}));
  EXPECT_TRUE(names(*snapshot, ResourceType::kCluster).empty());
  const xds::ResourcePtr resource = snapshot->find(ResourceType::kListener, "public");
  ASSERT_NE(resource, nullptr);
  EXPECT_TRUE(resource->wildcard);
  const Listener listener = unpack<Listener>(resource);
  EXPECT_EQ(listener.name(), "public");
  EXPECT_EQ(listener.address().socket_address().address(), "0.0.0.0");
  EXPECT_EQ(listener.address().socket_address().port_value(), 8080u);
  EXPECT_FALSE(listener.has_api_listener());
  ASSERT_EQ(listener.filter_chains_size(), 1);
  ASSERT_EQ(listener.filter_chains(0).filters_size(), 1);
  EXPECT_EQ(listener.filter_chains(0).filters(0).name(), portico::xds::kHcmFilterName);
  const HttpConnectionManager hcm = hcmOf(listener.filter_chains(0).filters(0).typed_config());
  EXPECT_EQ(hcm.rds().route_config_name(), "public");
  EXPECT_TRUE(hcm.rds().config_source().has_ads());
  expectRouterOnly(hcm);
}

TEST(TranslatorTest, UnroutedServicesGetDefaultRoutesAfterConfiguredOnes) {
  const model::PorticoConfig config =
      configWith({route("orders-api", {"/api/orders", "/orders"}, "orders"),
                  route("catch-all", {"/"}, "web")});
  const registry::RegistryState state = registryOf({
      makeInstance("users", "u-1", "10.0.0.3", 80),
      makeInstance("orders", "o-1", "10.0.0.1", 80),
      makeInstance("audit", "a-1", "10.0.0.2", 80),
  });
  xds::SnapshotPtr snapshot = translateDefault(config, state);
  const auto routes = unpack<RouteConfiguration>(snapshot->find(ResourceType::kRoute, "public"));
  EXPECT_EQ(routes.name(), "public");
  ASSERT_EQ(routes.virtual_hosts_size(), 1);
  const auto& vhost = routes.virtual_hosts(0);
  ASSERT_EQ(vhost.domains_size(), 1);
  EXPECT_EQ(vhost.domains(0), "*");
  struct Expected {
    std::string name, prefix, cluster;
  };
  const std::vector<Expected> expected = {
      {"orders-api", "/api/orders", "orders"},
      {"orders-api", "/orders", "orders"},
      {"catch-all", "/", "web"},
      {"audit", "/audit/", "audit"},
      {"users", "/users/", "users"},
  };
  ASSERT_EQ(vhost.routes_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& r = vhost.routes(static_cast<int>(i));
    EXPECT_EQ(r.name(), expected[i].name) << i;
    EXPECT_EQ(r.match().prefix(), expected[i].prefix) << i;
    EXPECT_EQ(r.route().cluster(), expected[i].cluster) << i;
  }
  // Every service, routed or registered, has a cluster (and a gRPC flavour) and an assignment.
  EXPECT_EQ(names(*snapshot, ResourceType::kCluster),
            (std::vector<std::string>{"audit", "grpc/audit", "grpc/orders", "grpc/users", "grpc/web", "orders",
                                      "users", "web"}));
  EXPECT_EQ(names(*snapshot, ResourceType::kEndpoint),
            (std::vector<std::string>{"audit", "orders", "users", "web"}));
}

TEST(TranslatorTest, RouteTimeoutsAreCarriedToEveryPrefix) {
  model::RouteConfig slow = route("slow", {"/slow", "/s/"}, "slow");
  slow.timeout = absl::Milliseconds(1500);
  model::RouteConfig off = route("off", {"/off"}, "off");
  off.timeout = absl::ZeroDuration();
  model::RouteConfig plain = route("plain", {"/plain"}, "plain");
  xds::SnapshotPtr snapshot = translateDefault(configWith({slow, off, plain}),
                                        registryOf({makeInstance("other", "x-1", "10.0.0.1", 80)}));
  const auto routes = unpack<RouteConfiguration>(snapshot->find(ResourceType::kRoute, "public"));
  const auto& vhost = routes.virtual_hosts(0);
  ASSERT_EQ(vhost.routes_size(), 5);
  for (int i : {0, 1}) {
    ASSERT_TRUE(vhost.routes(i).route().has_timeout()) << i;
    EXPECT_EQ(vhost.routes(i).route().timeout().seconds(), 1) << i;
    EXPECT_EQ(vhost.routes(i).route().timeout().nanos(), 500000000) << i;
  }
  // "0s" is sent as an explicit zero (Envoy: disabled), unset is not sent at all.
  ASSERT_TRUE(vhost.routes(2).route().has_timeout());
  EXPECT_EQ(vhost.routes(2).route().timeout().seconds(), 0);
  EXPECT_EQ(vhost.routes(2).route().timeout().nanos(), 0);
  EXPECT_FALSE(vhost.routes(3).route().has_timeout());
  EXPECT_EQ(vhost.routes(4).match().prefix(), "/other/");
  EXPECT_FALSE(vhost.routes(4).route().has_timeout());
}

TEST(TranslatorTest, EveryServiceGetsANamedOnlyApiListener) {
  xds::SnapshotPtr snapshot =
      translateDefault(configWith({route("web", {"/"}, "web")}),
                registryOf({makeInstance("greeter", "g-1", "10.0.0.1", 50051)}));
  EXPECT_EQ(names(*snapshot, ResourceType::kListener),
            (std::vector<std::string>{"greeter", "public", "web"}));
  EXPECT_EQ(names(*snapshot, ResourceType::kRoute),
            (std::vector<std::string>{"grpc/greeter", "grpc/web", "public"}));

  for (const std::string service : {"greeter", "web"}) {
    const xds::ResourcePtr resource = snapshot->find(ResourceType::kListener, service);
    ASSERT_NE(resource, nullptr) << service;
    EXPECT_FALSE(resource->wildcard) << service;
    const Listener listener = unpack<Listener>(resource);
    EXPECT_EQ(listener.name(), service);
    ASSERT_TRUE(listener.has_api_listener());
    EXPECT_EQ(listener.filter_chains_size(), 0);
    const HttpConnectionManager hcm = hcmOf(listener.api_listener().api_listener());
    EXPECT_EQ(hcm.rds().route_config_name(), "grpc/" + service);
    EXPECT_TRUE(hcm.rds().config_source().has_ads());
    expectRouterOnly(hcm);

    const xds::ResourcePtr route_resource = snapshot->find(ResourceType::kRoute, "grpc/" + service);
    ASSERT_NE(route_resource, nullptr);
    EXPECT_FALSE(route_resource->wildcard);
    const auto routes = unpack<RouteConfiguration>(route_resource);
    EXPECT_EQ(routes.name(), "grpc/" + service);
    ASSERT_EQ(routes.virtual_hosts_size(), 1);
    EXPECT_EQ(routes.virtual_hosts(0).domains(0), "*");
    ASSERT_EQ(routes.virtual_hosts(0).routes_size(), 1);
    EXPECT_EQ(routes.virtual_hosts(0).routes(0).match().prefix(), "");
    // gRPC clients use their own ROUND_ROBIN flavour of the cluster.
    EXPECT_EQ(routes.virtual_hosts(0).routes(0).route().cluster(), "grpc/" + service);
    const xds::ResourcePtr grpc_cluster = snapshot->find(ResourceType::kCluster, "grpc/" + service);
    ASSERT_NE(grpc_cluster, nullptr);
    EXPECT_FALSE(grpc_cluster->wildcard);
  }
}

TEST(TranslatorTest, ConfiguredListenerWinsOverApiListenerOfTheSameName) {
  model::PorticoConfig config = configWith({});
  config.listeners.push_back(model::ListenerConfig{"users", "127.0.0.1", 8081});
  xds::SnapshotPtr snapshot =
      translateDefault(config, registryOf({makeInstance("users", "u-1", "10.0.0.1", 80)}));
  const xds::ResourcePtr resource = snapshot->find(ResourceType::kListener, "users");
  ASSERT_NE(resource, nullptr);
  EXPECT_TRUE(resource->wildcard);
  const Listener listener = unpack<Listener>(resource);
  EXPECT_FALSE(listener.has_api_listener());
  EXPECT_EQ(listener.address().socket_address().address(), "127.0.0.1");
  EXPECT_EQ(listener.address().socket_address().port_value(), 8081u);
  ASSERT_EQ(listener.filter_chains_size(), 1);
  const HttpConnectionManager hcm = hcmOf(listener.filter_chains(0).filters(0).typed_config());
  EXPECT_EQ(hcm.rds().route_config_name(), "users");

  // Its route configuration is the traffic one; the gRPC one keeps its own name.
  const auto routes = unpack<RouteConfiguration>(snapshot->find(ResourceType::kRoute, "users"));
  ASSERT_EQ(routes.virtual_hosts(0).routes_size(), 1);
  EXPECT_EQ(routes.virtual_hosts(0).routes(0).match().prefix(), "/users/");
  EXPECT_NE(snapshot->find(ResourceType::kRoute, "grpc/users"), nullptr);
}

TEST(TranslatorTest, EndpointsAreGroupedByZoneWithSummedLocalityWeights) {
  xds::SnapshotPtr snapshot =
      translateDefault(configWith({}), registryOf({
                                    makeInstance("orders", "o-1", "10.0.0.1", 80, 2, "zone-b"),
                                    makeInstance("orders", "o-2", "10.0.0.2", 81, 5, "zone-a"),
                                    makeInstance("orders", "o-3", "10.0.0.3", 82, 3, "zone-b"),
                                    makeInstance("orders", "o-4", "::1", 83, 1, ""),
                                }));
  const auto assignment =
      unpack<ClusterLoadAssignment>(snapshot->find(ResourceType::kEndpoint, "orders"));
  EXPECT_EQ(assignment.cluster_name(), "orders");
  ASSERT_EQ(assignment.endpoints_size(), 3);

  const auto& no_zone = assignment.endpoints(0);
  EXPECT_EQ(no_zone.locality().zone(), "");
  EXPECT_EQ(no_zone.load_balancing_weight().value(), 1u);
  ASSERT_EQ(no_zone.lb_endpoints_size(), 1);
  EXPECT_EQ(no_zone.lb_endpoints(0).endpoint().address().socket_address().address(), "::1");

  const auto& zone_a = assignment.endpoints(1);
  EXPECT_EQ(zone_a.locality().zone(), "zone-a");
  EXPECT_EQ(zone_a.load_balancing_weight().value(), 5u);
  EXPECT_EQ(zone_a.priority(), 0u);
  ASSERT_EQ(zone_a.lb_endpoints_size(), 1);

  const auto& zone_b = assignment.endpoints(2);
  EXPECT_EQ(zone_b.locality().zone(), "zone-b");
  EXPECT_EQ(zone_b.load_balancing_weight().value(), 5u);  // 2 + 3
  ASSERT_EQ(zone_b.lb_endpoints_size(), 2);
  const auto& first = zone_b.lb_endpoints(0);
  EXPECT_EQ(first.endpoint().address().socket_address().address(), "10.0.0.1");
  EXPECT_EQ(first.endpoint().address().socket_address().port_value(), 80u);
  EXPECT_EQ(first.load_balancing_weight().value(), 2u);
  EXPECT_EQ(first.health_status(), envoy::config::core::v3::HEALTHY);
  const auto& second = zone_b.lb_endpoints(1);
  EXPECT_EQ(second.endpoint().address().socket_address().address(), "10.0.0.3");
  EXPECT_EQ(second.endpoint().address().socket_address().port_value(), 82u);
  EXPECT_EQ(second.load_balancing_weight().value(), 3u);
}

TEST(TranslatorTest, ChangingOneInstanceChangesOnlyThatServicesEndpoints) {
  const model::PorticoConfig config = configWith({route("orders", {"/orders"}, "orders")});
  std::vector<registry::Instance> instances = {
      makeInstance("orders", "o-1", "10.0.0.1", 80),
      makeInstance("orders", "o-2", "10.0.0.2", 80),
      makeInstance("users", "u-1", "10.0.1.1", 80),
  };
  xds::SnapshotPtr before = translateDefault(config, registryOf(instances));
  instances[1].set_port(8081);
  xds::SnapshotPtr after = translateDefault(config, registryOf(instances));

  EXPECT_NE(before->version(ResourceType::kEndpoint), after->version(ResourceType::kEndpoint));
  EXPECT_NE(before->find(ResourceType::kEndpoint, "orders")->version,
            after->find(ResourceType::kEndpoint, "orders")->version);
  EXPECT_EQ(before->find(ResourceType::kEndpoint, "users")->version,
            after->find(ResourceType::kEndpoint, "users")->version);
  EXPECT_EQ(before->version(ResourceType::kCluster), after->version(ResourceType::kCluster));
  EXPECT_EQ(before->version(ResourceType::kListener), after->version(ResourceType::kListener));
  EXPECT_EQ(before->version(ResourceType::kRoute), after->version(ResourceType::kRoute));

  // A weight change is an endpoint change too.
  instances[0].set_weight(7);
  xds::SnapshotPtr reweighted = translateDefault(config, registryOf(instances));
  EXPECT_NE(after->version(ResourceType::kEndpoint), reweighted->version(ResourceType::kEndpoint));
  EXPECT_EQ(after->version(ResourceType::kRoute), reweighted->version(ResourceType::kRoute));
}

TEST(TranslatorTest, RegisteringANewServiceChangesEveryType) {
  const model::PorticoConfig config = configWith({});
  xds::SnapshotPtr before =
      translateDefault(config, registryOf({makeInstance("orders", "o-1", "10.0.0.1", 80)}));
  xds::SnapshotPtr after =
      translateDefault(config, registryOf({makeInstance("orders", "o-1", "10.0.0.1", 80),
                                    makeInstance("users", "u-1", "10.0.0.2", 80)}));
  for (ResourceType type : portico::xds::kAllResourceTypes) {
    EXPECT_NE(before->version(type), after->version(type)) << portico::xds::shortName(type);
  }
  // The existing service's own resources are untouched.
  EXPECT_EQ(before->find(ResourceType::kCluster, "orders")->version,
            after->find(ResourceType::kCluster, "orders")->version);
  EXPECT_EQ(before->find(ResourceType::kEndpoint, "orders")->version,
            after->find(ResourceType::kEndpoint, "orders")->version);
}

}  // namespace
}  // namespace portico::cp::translator
