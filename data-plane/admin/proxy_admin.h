#pragma once

// The proxy's admin endpoints, on their own port (never on a traffic listener):
//   GET /ready        200 once the initial configuration is applied, else 503
//   GET /healthz      200 while the process runs
//   GET /metrics      Prometheus text
//   GET /config_dump  JSON of the xDS resources in use and their versions
//   GET /clusters     JSON of clusters (policy, panic threshold, health check) and their
//                     endpoints with live state: healthy, failing health checks, ejected,
//                     requests in flight, and the health checker's counters
//   GET /certs        JSON of the TLS listeners' certificates: names, validity, seconds until
//                     expiry, client CA, last reload error (tls_admin.h)

#include <functional>

#include "common/http/path_router.h"
#include "common/metrics/exposition.h"
#include "data-plane/config/snapshot_publisher.h"
#include "data-plane/upstream/health/health_checker.h"

namespace portico::dp::admin {

struct ProxyAdminDeps {
  config::SnapshotPublisher& publisher;
  metrics::Exposition& exposition;
  std::function<bool()> ready;
  std::function<bool()> xds_connected;
  upstream::health::HealthChecker* health_checker = nullptr;  // null: no checker counters
  // True once a graceful drain has begun: /ready answers 503 so load balancers stop sending.
  std::function<bool()> draining = [] { return false; };
};

void addProxyAdminRoutes(::portico::http::PathRouter& router, ProxyAdminDeps deps);

}  // namespace portico::dp::admin
