#pragma once

// The translator: a pure, deterministic function from (operator config, registry state) to the
// xDS snapshot a gateway group is served. Same input, same resources, same versions.

#include "control-plane/model/portico_config.h"
#include "control-plane/registry/store.h"
#include "control-plane/xds/snapshot.h"

namespace portico::cp::translator {

// Builds the snapshot:
// - one EDS Cluster and one ClusterLoadAssignment per service that a route names or that has
//   registered instances (a service with no instances answers 503 at the proxy);
// - one Listener per configured listener, each with a RouteConfiguration of the same name holding
//   the configured routes in order, then a default route "/{service}/" for every registered
//   service that no configured route names (sorted by service name; the path is forwarded
//   unchanged);
// - for proxyless gRPC, an api_listener named after every service plus its route configuration
//   "grpc/{service}"; these are served only by name, never in wildcard subscriptions.
xds::SnapshotPtr translate(const model::PorticoConfig& config, const registry::RegistryState& registry);

}  // namespace portico::cp::translator
