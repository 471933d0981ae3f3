#include "control-plane/translator/translator.h"

#include <algorithm>
#include <set>

#include "control-plane/translator/filter_builder.h"
#include "control-plane/translator/plugin_resolver.h"
#include "control-plane/translator/resource_builders.h"
#include "control-plane/translator/route_builder.h"
#include "control-plane/xds/snapshot_cache.h"

namespace portico::cp::translator {

using xds::ResourceType;
using xds::Snapshot;

namespace {

using Maps = std::array<Snapshot::Map, portico::xds::kResourceTypeCount>;

Snapshot::Map& mapOf(Maps& maps, ResourceType type) { return maps[portico::xds::typeIndex(type)]; }

void put(Snapshot::Map& map, xds::ResourcePtr resource) {
  std::string name = resource->name;
  map.insert_or_assign(std::move(name), std::move(resource));
}

std::set<std::string> routedServices(const model::PorticoConfig& config) {
  std::set<std::string> services;
  for (const model::RouteConfig& route : config.routes) {
    if (!route.service.empty()) services.insert(route.service);
    for (const model::WeightedTarget& target : route.split) services.insert(target.service);
  }
  return services;
}

// Resources every group shares: clusters, endpoints and the proxyless gRPC set.
Maps sharedResources(const model::PorticoConfig& config, const registry::RegistryState& registry) {
  Maps maps;
  std::set<std::string> services = routedServices(config);
  for (const model::ServiceConfig& service : config.services) services.insert(service.name);
  for (const auto& [service, instances] : registry) services.insert(service);
  static const std::vector<registry::Instance> kNoInstances;
  for (const std::string& service : services) {
    auto it = registry.find(service);
    const auto& instances = it == registry.end() ? kNoInstances : it->second;
    const model::ServiceConfig* service_config = config.service(service);
    put(mapOf(maps, ResourceType::kCluster), xds::makeResource(buildCluster(service, service_config), service));
    put(mapOf(maps, ResourceType::kEndpoint),
        xds::makeResource(buildLoadAssignment(service, instances, service_config), service));
    put(mapOf(maps, ResourceType::kCluster),
        xds::makeResource(buildGrpcCluster(service), grpcClusterName(service), /*wildcard=*/false));
    put(mapOf(maps, ResourceType::kListener), xds::makeResource(buildApiListener(service), service, /*wildcard=*/false));
    put(mapOf(maps, ResourceType::kRoute), xds::makeResource(buildGrpcRouteConfiguration(service),
                                                             grpcRouteConfigName(service), /*wildcard=*/false));
  }
  return maps;
}

const model::GroupConfig* findGroup(const model::PorticoConfig& config, const std::string& name) {
  for (const model::GroupConfig& group : config.groups) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

template <typename T>
bool selected(const std::vector<std::string>& names, const T& item) {
  return names.empty() || std::find(names.begin(), names.end(), item.name) != names.end();
}

xds::SnapshotPtr groupSnapshot(const model::PorticoConfig& config, const registry::RegistryState& registry,
                               const std::string& group_name, const Maps& shared, absl::Time change_time,
                               const registry::RevocationList& revoked, const registry::PurgeList& purges) {
  Maps maps = shared;
  const model::GroupConfig* group = findGroup(config, group_name);
  const bool all_routes = group == nullptr || !group->routes;
  std::vector<const model::RouteConfig*> routes;
  for (const model::RouteConfig& route : config.routes) {
    if (all_routes || selected(*group->routes, route)) routes.push_back(&route);
  }
  std::vector<std::string> default_services;
  if (all_routes) {
    const std::set<std::string> routed = routedServices(config);
    for (const auto& [service, instances] : registry) {
      if (!routed.count(service)) default_services.push_back(service);
    }
  }
  const PluginResolver plugins(config, group_name);
  const auto filters = buildHttpFilters(config, plugins, revoked, purges);
  const HcmOptions hcm_options{config.request_id, config.access_log};
  for (const model::ListenerConfig& listener : config.listeners) {
    if (group != nullptr && !selected(group->listeners, listener)) continue;
    // A configured listener wins over a gRPC api_listener of the same name.
    put(mapOf(maps, ResourceType::kListener),
        xds::makeResource(buildListener(listener, filters, hcm_options), listener.name));
    RouteTableInput input{listener.name, routes, default_services, &config, &plugins};
    put(mapOf(maps, ResourceType::kRoute), xds::makeResource(buildRouteTable(input), listener.name));
  }
  return std::make_shared<const Snapshot>(std::move(maps), change_time);
}

}  // namespace

std::vector<std::string> groupNames(const model::PorticoConfig& config) {
  std::set<std::string> names = {xds::kDefaultGroup};
  for (const model::GroupConfig& group : config.groups) names.insert(group.name);
  return {names.begin(), names.end()};
}

GroupSnapshots translate(const model::PorticoConfig& config, const registry::RegistryState& registry,
                         absl::Time change_time, const registry::RevocationList& revoked,
                         const registry::PurgeList& purges) {
  const Maps shared = sharedResources(config, registry);
  // Sorted by jti whatever the caller's order: the same set always hashes to the same version.
  const auto by_jti = [](const registry::RevokedToken& a, const registry::RevokedToken& b) { return a.jti < b.jti; };
  registry::RevocationList sorted;
  if (!std::is_sorted(revoked.begin(), revoked.end(), by_jti)) {
    sorted = revoked;
    std::sort(sorted.begin(), sorted.end(), by_jti);
  }
  const registry::RevocationList& ordered = sorted.empty() ? revoked : sorted;
  GroupSnapshots out;
  for (const std::string& group : groupNames(config)) {
    out[group] = groupSnapshot(config, registry, group, shared, change_time, ordered, purges);
  }
  return out;
}

}  // namespace portico::cp::translator
