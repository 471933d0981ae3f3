#pragma once

// The proxy's admin endpoints, on their own port (never on a traffic listener):
//   GET /ready        200 once the initial configuration is applied, else 503
//   GET /healthz      200 while the process runs
//   GET /metrics      Prometheus text
//   GET /config_dump  JSON of the xDS resources in use and their versions
//   GET /clusters     JSON of clusters and their endpoints as this proxy sees them

#include <functional>

#include "common/http/path_router.h"
#include "common/metrics/exposition.h"
#include "data-plane/config/snapshot_publisher.h"

namespace portico::dp::admin {

struct ProxyAdminDeps {
  config::SnapshotPublisher& publisher;
  metrics::Exposition& exposition;
  std::function<bool()> ready;
  std::function<bool()> xds_connected;
  // True once a graceful drain has begun: /ready answers 503 so load balancers stop sending.
  std::function<bool()> draining = [] { return false; };
};

void addProxyAdminRoutes(::portico::http::PathRouter& router, ProxyAdminDeps deps);

}  // namespace portico::dp::admin
