#include "data-plane/config/snapshot.h"

namespace portico::dp::config {

Snapshot::Snapshot(std::vector<ListenerConfig> listeners,
                   std::map<std::string, router::RouteTable, std::less<>> routes,
                   std::vector<upstream::Cluster> clusters, xds::ResourceSet resources)
    : listeners_(std::move(listeners)),
      routes_(std::move(routes)),
      clusters_(std::move(clusters)),
      resources_(std::move(resources)) {}

const ListenerConfig* Snapshot::listener(std::string_view name) const {
  for (const ListenerConfig& listener : listeners_) {
    if (listener.name == name) {
      return &listener;
    }
  }
  return nullptr;
}

const router::RouteTable* Snapshot::routeTable(std::string_view name) const {
  auto it = routes_.find(name);
  return it == routes_.end() ? nullptr : &it->second;
}

}  // namespace portico::dp::config
