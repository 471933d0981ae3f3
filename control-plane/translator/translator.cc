#include "control-plane/translator/translator.h"

#include <set>

#include "control-plane/translator/resource_builders.h"

namespace portico::cp::translator {

using xds::ResourceType;
using xds::Snapshot;

namespace {

void put(Snapshot::Map& map, xds::ResourcePtr resource) {
  std::string name = resource->name;
  map.emplace(std::move(name), std::move(resource));
}

std::vector<RouteEntry> routeEntries(const model::PorticoConfig& config,
                                     const registry::RegistryState& registry) {
  std::vector<RouteEntry> entries;
  std::set<std::string> routed;
  for (const model::RouteConfig& route : config.routes) {
    routed.insert(route.service);
    for (const std::string& prefix : route.match.path_prefixes) {
      entries.push_back(RouteEntry{route.name, prefix, route.service, route.timeout});
    }
  }
  for (const auto& [service, instances] : registry) {
    if (routed.count(service) == 0) {
      entries.push_back(RouteEntry{service, "/" + service + "/", service, std::nullopt});
    }
  }
  return entries;
}

}  // namespace

xds::SnapshotPtr translate(const model::PorticoConfig& config, const registry::RegistryState& registry) {
  std::array<Snapshot::Map, portico::xds::kResourceTypeCount> maps;
  auto& clusters = maps[portico::xds::typeIndex(ResourceType::kCluster)];
  auto& endpoints = maps[portico::xds::typeIndex(ResourceType::kEndpoint)];
  auto& listeners = maps[portico::xds::typeIndex(ResourceType::kListener)];
  auto& routes = maps[portico::xds::typeIndex(ResourceType::kRoute)];

  std::set<std::string> services;
  for (const model::RouteConfig& route : config.routes) {
    services.insert(route.service);
  }
  for (const auto& [service, instances] : registry) {
    services.insert(service);
  }
  static const std::vector<registry::Instance> kNoInstances;
  for (const std::string& service : services) {
    auto it = registry.find(service);
    const auto& instances = it == registry.end() ? kNoInstances : it->second;
    put(clusters, xds::makeResource(buildCluster(service), service));
    put(endpoints, xds::makeResource(buildLoadAssignment(service, instances), service));
    put(listeners, xds::makeResource(buildApiListener(service), service, /*wildcard=*/false));
    put(routes, xds::makeResource(buildGrpcRouteConfiguration(service), grpcRouteConfigName(service),
                                  /*wildcard=*/false));
  }

  const std::vector<RouteEntry> entries = routeEntries(config, registry);
  for (const model::ListenerConfig& listener : config.listeners) {
    // A configured listener wins over a gRPC api_listener of the same name.
    listeners.erase(listener.name);
    put(listeners, xds::makeResource(buildListener(listener), listener.name));
    routes.erase(listener.name);
    put(routes, xds::makeResource(buildRouteConfiguration(listener.name, entries), listener.name));
  }
  return std::make_shared<const Snapshot>(std::move(maps));
}

}  // namespace portico::cp::translator
