#pragma once

// The proxy's compiled configuration: everything a worker needs to route a request, built once
// per accepted xDS update on the xDS thread and shared read-only by all workers
// (std::shared_ptr<const Snapshot>, swapped by pointer between requests).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data-plane/http/access_log.h"
#include "data-plane/http/http_options.h"
#include "data-plane/router/route_table.h"
#include "data-plane/upstream/cluster.h"
#include "data-plane/xds/resource_set.h"

namespace portico::dp::tls {
class ContextSlot;
}  // namespace portico::dp::tls

namespace portico::dp::config {

struct ListenerConfig {
  std::string name;
  std::string address;
  uint16_t port = 0;
  std::string route_config;  // RDS RouteConfiguration name ("" when inline)
  bool inline_routes = false;  // the HCM carried its route_config inline
  // Non-null: the filter chain terminates TLS (transport_socket with a DownstreamTlsContext).
  // The slot holds the listener's current TLS context (certificates reloaded on file change);
  // it is shared with the snapshots before and after this one while the TLS settings stay the
  // same (tls/context_registry.h).
  std::shared_ptr<tls::ContextSlot> tls;
  // The listener's routes, compiled with its HTTP filter chain; null until its RDS arrives.
  std::shared_ptr<const router::RouteTable> routes;
  // Request ids (hcm_options_compiler.h): the header (lower case) that carries them, kept when
  // valid and generated otherwise, and whether responses echo it.
  std::string request_id_header = "x-request-id";
  bool request_id_in_response = true;
  // The HCM's access_log entries: each writes one JSON line per request.
  std::vector<http::AccessLogConstSharedPtr> access_logs;
  // HTTP/1.1 limits, timeouts, path normalization and forwarding headers
  // (http_options_compiler.h).
  http::HttpOptions http;
};

class Snapshot {
 public:
  Snapshot(std::vector<ListenerConfig> listeners, std::vector<upstream::Cluster> clusters,
           xds::ResourceSet resources);

  const std::vector<ListenerConfig>& listeners() const { return listeners_; }
  const ListenerConfig* listener(std::string_view name) const;
  // The compiled table of the first listener using RDS configuration `name` (tests, admin).
  const router::RouteTable* routeTable(std::string_view name) const;
  // The table a listener routes with (inline or RDS); null when its RDS has not arrived.
  const router::RouteTable* routeTableFor(const ListenerConfig& listener) const { return listener.routes.get(); }
  const std::vector<upstream::Cluster>& clusters() const { return clusters_; }
  const upstream::Cluster* cluster(int index) const {
    return index >= 0 && index < static_cast<int>(clusters_.size()) ? &clusters_[index] : nullptr;
  }
  // Unique per snapshot in this process (never reused, unlike an address): lets a connection
  // tell whether its memoised lookups still belong to the current snapshot.
  uint64_t generation() const { return generation_; }
  // The decoded xDS resources this snapshot was compiled from (for /config_dump).
  const xds::ResourceSet& resources() const { return resources_; }

 private:
  std::vector<ListenerConfig> listeners_;
  std::vector<upstream::Cluster> clusters_;
  xds::ResourceSet resources_;
  uint64_t generation_;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace portico::dp::config
