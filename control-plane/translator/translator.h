#pragma once

// The translator: a pure, deterministic function from (operator config, registry state) to the
// xDS snapshot of every gateway group. Same input, same resources, same versions.

#include <map>
#include <string>

#include "control-plane/model/portico_config.h"
#include "control-plane/registry/purge_log.h"
#include "control-plane/registry/revocation_store.h"
#include "control-plane/registry/store.h"
#include "control-plane/xds/snapshot.h"

namespace portico::cp::translator {

using GroupSnapshots = std::map<std::string, xds::SnapshotPtr>;

// Builds one snapshot per group (always including "default"):
// - Clusters and ClusterLoadAssignments (shared by all groups): one per service that config
//   lists, a route names or that has registered instances, with the service's policies and its
//   static endpoints plus registered instances;
// - per group, one Listener per listener of the group (HCM with the group's plugins as HTTP
//   filters) and a RouteConfiguration of the same name (route_builder.h), holding the group's
//   routes and — in groups that take every route — a default route "/{service}/" for every
//   registered service no configured route names;
// - for proxyless gRPC (shared, served only by name): an api_listener per service, its route
//   configuration "grpc/{service}" and the cluster "grpc/{service}" (ROUND_ROBIN, same
//   endpoints), shapes gRPC 1.51 accepts.
// - the revoked JWT ids (`revoked`, any order) go, sorted by jti, into the jwt_policy filter
//   of every listener whose group runs the jwt plugin; groups without it carry none.
// - the cache purge log (`purges`) goes into the filter-level config of the cache filter of
//   every listener whose group runs the cache plugin; groups without it carry none.
// `change_time` is recorded in the snapshots (when the change they answer happened), for the
// convergence metric; it does not affect any resource.
GroupSnapshots translate(const model::PorticoConfig& config, const registry::RegistryState& registry,
                         absl::Time change_time = absl::InfinitePast(),
                         const registry::RevocationList& revoked = {},
                         const registry::PurgeList& purges = {});

// The group names translate() produces for a config: every configured group plus "default".
std::vector<std::string> groupNames(const model::PorticoConfig& config);

}  // namespace portico::cp::translator
