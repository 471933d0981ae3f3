#include "data-plane/config/snapshot.h"

#include <atomic>

namespace portico::dp::config {

namespace {
std::atomic<uint64_t> g_next_generation{1};
}  // namespace

Snapshot::Snapshot(std::vector<ListenerConfig> listeners, TableMap routes, TableMap inline_routes,
                   std::vector<upstream::Cluster> clusters, xds::ResourceSet resources)
    : listeners_(std::move(listeners)),
      routes_(std::move(routes)),
      inline_routes_(std::move(inline_routes)),
      clusters_(std::move(clusters)),
      resources_(std::move(resources)),
      generation_(g_next_generation.fetch_add(1)) {}

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

const router::RouteTable* Snapshot::routeTableFor(const ListenerConfig& listener) const {
  const TableMap& map = listener.inline_routes ? inline_routes_ : routes_;
  auto it = map.find(listener.route_config);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace portico::dp::config
