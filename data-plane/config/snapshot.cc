#include "data-plane/config/snapshot.h"

#include <atomic>

namespace portico::dp::config {

namespace {
std::atomic<uint64_t> g_next_generation{1};
}  // namespace

Snapshot::Snapshot(std::vector<ListenerConfig> listeners, std::vector<upstream::Cluster> clusters,
                   xds::ResourceSet resources)
    : listeners_(std::move(listeners)),
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
  for (const ListenerConfig& listener : listeners_) {
    if (!listener.inline_routes && listener.route_config == name && listener.routes) {
      return listener.routes.get();
    }
  }
  return nullptr;
}

}  // namespace portico::dp::config
