#pragma once

// The control plane's admin HTTP endpoints: the REST registry, config and proxy status, health
// and metrics. Served by common/http/AdminServer on --admin_port.

#include <functional>
#include <optional>
#include <string>

#include "common/http/path_router.h"
#include "common/metrics/exposition.h"
#include "control-plane/registry/store.h"
#include "control-plane/sources/file_source.h"
#include "control-plane/xds/proxy_tracker.h"
#include "control-plane/xds/snapshot_cache.h"

namespace portico::cp::admin {

struct CpAdminDeps {
  registry::Store& store;
  xds::SnapshotCache& cache;
  xds::ProxyTracker& proxies;
  metrics::Exposition& exposition;
  // The config file's status; nullopt when running on the built-in default.
  std::function<std::optional<sources::ConfigStatus>()> config_status;
  std::function<bool()> ready;        // true once the first snapshot is built and ADS serves
};

// Registers every control-plane admin route on `router`.
void addCpAdminRoutes(http::PathRouter& router, CpAdminDeps deps);

}  // namespace portico::cp::admin
