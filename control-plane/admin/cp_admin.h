#pragma once

// The control plane's admin HTTP endpoints: the REST registry, JWT revocations, cache purges,
// config and proxy status, health and metrics. Served by common/http/AdminServer on --admin_port, behind the
// admin token when one is configured (adminHandler).

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "common/http/admin_server.h"
#include "common/http/bearer_auth.h"
#include "common/http/path_router.h"
#include "common/metrics/exposition.h"
#include "control-plane/registry/purge_log.h"
#include "control-plane/registry/revocation_store.h"
#include "control-plane/registry/store.h"
#include "control-plane/sources/file_source.h"
#include "control-plane/xds/proxy_tracker.h"
#include "control-plane/xds/snapshot_cache.h"

namespace prometheus {
class Registry;
}

namespace portico::cp::admin {

struct CpAdminDeps {
  registry::Store& store;
  xds::SnapshotCache& cache;
  xds::ProxyTracker& proxies;
  metrics::Exposition& exposition;
  // The config file's status; nullopt when running on the built-in default.
  std::function<std::optional<sources::ConfigStatus>()> config_status;
  std::function<bool()> ready;        // true once the first snapshot is built and ADS serves
  registry::RevocationStore* revocations = nullptr;  // null: no /v1/jwt/revocations routes
  registry::PurgeLog* purges = nullptr;  // null: no /v1/cache/purge routes
  // Whether a purge's route names a route of the config; null: any name is accepted. (A
  // registered service's default route, named after it, is checked against `store`.)
  std::function<bool(const std::string&)> configured_route;
};

// Registers every control-plane admin route on `router`.
void addCpAdminRoutes(http::PathRouter& router, CpAdminDeps deps);

// Paths served without the admin token: the health probes (Kubernetes' kubelet sends no
// credentials) and, unless `protect_metrics`, /metrics (see docs/security.md for why).
std::set<std::string, std::less<>> openAdminPaths(bool protect_metrics);

// The admin server's handler: `router`, behind `auth` when it is not null. Refusals are
// counted in portico_cp_admin_unauthorized_total{reason="missing"|"invalid"}. `router`,
// `auth` and `metrics` must outlive the handler.
http::AdminServer::Handler adminHandler(const http::PathRouter& router, const http::BearerAuth* auth,
                                        prometheus::Registry& metrics);

}  // namespace portico::cp::admin
