#include "control-plane/translator/resource_builders.h"

#include <map>

#include "common/xds/type_urls.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::cp::translator {

namespace core = envoy::config::core::v3;
namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;

namespace {

constexpr int kConnectTimeoutSeconds = 5;

void setAdsSource(core::ConfigSource* source) {
  source->mutable_ads();
  source->set_resource_api_version(core::V3);
}

hcm::HttpConnectionManager buildHcm(const std::string& stat_prefix, const std::string& route_name) {
  hcm::HttpConnectionManager manager;
  manager.set_stat_prefix(stat_prefix);
  manager.set_codec_type(hcm::HttpConnectionManager::AUTO);
  manager.mutable_rds()->set_route_config_name(route_name);
  setAdsSource(manager.mutable_rds()->mutable_config_source());
  hcm::HttpFilter* router = manager.add_http_filters();
  router->set_name(std::string(portico::xds::kRouterFilterName));
  router->mutable_typed_config()->PackFrom(envoy::extensions::filters::http::router::v3::Router());
  return manager;
}

}  // namespace

std::string grpcRouteConfigName(const std::string& service) { return "grpc/" + service; }

envoy::config::cluster::v3::Cluster buildCluster(const std::string& service) {
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name(service);
  cluster.set_type(envoy::config::cluster::v3::Cluster::EDS);
  cluster.set_lb_policy(envoy::config::cluster::v3::Cluster::ROUND_ROBIN);
  cluster.mutable_connect_timeout()->set_seconds(kConnectTimeoutSeconds);
  auto* eds = cluster.mutable_eds_cluster_config();
  eds->set_service_name(service);
  setAdsSource(eds->mutable_eds_config());
  return cluster;
}

envoy::config::endpoint::v3::ClusterLoadAssignment buildLoadAssignment(
    const std::string& service, const std::vector<registry::Instance>& instances) {
  envoy::config::endpoint::v3::ClusterLoadAssignment assignment;
  assignment.set_cluster_name(service);
  // Zone → instances, in zone order, so the output is deterministic.
  std::map<std::string, std::vector<const registry::Instance*>> by_zone;
  for (const registry::Instance& instance : instances) {
    by_zone[instance.zone()].push_back(&instance);
  }
  for (const auto& [zone, members] : by_zone) {
    auto* locality = assignment.add_endpoints();
    locality->mutable_locality()->set_zone(zone);
    uint32_t total_weight = 0;
    for (const registry::Instance* instance : members) {
      auto* lb_endpoint = locality->add_lb_endpoints();
      auto* socket = lb_endpoint->mutable_endpoint()->mutable_address()->mutable_socket_address();
      socket->set_address(instance->address());
      socket->set_port_value(instance->port());
      lb_endpoint->set_health_status(core::HEALTHY);
      lb_endpoint->mutable_load_balancing_weight()->set_value(instance->weight());
      total_weight += instance->weight();
    }
    // gRPC drops localities without a weight; Envoy uses it only with locality-weighted LB.
    locality->mutable_load_balancing_weight()->set_value(total_weight);
  }
  return assignment;
}

envoy::config::listener::v3::Listener buildListener(const model::ListenerConfig& config) {
  envoy::config::listener::v3::Listener listener;
  listener.set_name(config.name);
  auto* socket = listener.mutable_address()->mutable_socket_address();
  socket->set_address(config.address);
  socket->set_port_value(config.port);
  auto* filter = listener.add_filter_chains()->add_filters();
  filter->set_name(std::string(portico::xds::kHcmFilterName));
  filter->mutable_typed_config()->PackFrom(buildHcm(config.name, config.name));
  return listener;
}

envoy::config::listener::v3::Listener buildApiListener(const std::string& service) {
  envoy::config::listener::v3::Listener listener;
  listener.set_name(service);
  listener.mutable_api_listener()->mutable_api_listener()->PackFrom(
      buildHcm(service, grpcRouteConfigName(service)));
  return listener;
}

envoy::config::route::v3::RouteConfiguration buildRouteConfiguration(
    const std::string& name, const std::vector<RouteEntry>& routes) {
  envoy::config::route::v3::RouteConfiguration config;
  config.set_name(name);
  auto* vhost = config.add_virtual_hosts();
  vhost->set_name(name);
  vhost->add_domains("*");
  for (const RouteEntry& entry : routes) {
    auto* route = vhost->add_routes();
    route->set_name(entry.name);
    route->mutable_match()->set_prefix(entry.prefix);
    route->mutable_route()->set_cluster(entry.cluster);
    if (entry.timeout) {
      const int64_t nanos = absl::ToInt64Nanoseconds(*entry.timeout);
      route->mutable_route()->mutable_timeout()->set_seconds(nanos / 1000000000);
      route->mutable_route()->mutable_timeout()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
    }
  }
  return config;
}

envoy::config::route::v3::RouteConfiguration buildGrpcRouteConfiguration(const std::string& service) {
  envoy::config::route::v3::RouteConfiguration config;
  config.set_name(grpcRouteConfigName(service));
  auto* vhost = config.add_virtual_hosts();
  vhost->set_name(service);
  vhost->add_domains("*");
  auto* route = vhost->add_routes();
  route->set_name(service);
  route->mutable_match()->set_prefix("");
  route->mutable_route()->set_cluster(service);
  return config;
}

}  // namespace portico::cp::translator
