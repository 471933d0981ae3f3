#pragma once

// Validates a candidate set of xDS resources and compiles it into an immutable Snapshot.
// Every problem is collected with its resource and field path; any problem rejects the whole
// update (the message becomes the NACK's error_detail) and the last good snapshot stays.
//
// What this version supports (anything that would change what a request sees or where it goes
// is refused by name rather than ignored):
// - Listener: socket address (IP literal, port; addresses compared in canonical form) + one
//   filter chain with an HttpConnectionManager using RDS over ADS or an inline route_config, and
//   HTTP filters: the router (last), the filters this proxy implements (filters/
//   builtin_filters.h, compiled by filter_chain_compiler.h), known filters it does not implement
//   yet (routes enabling them fail closed), and unknown ones only when marked is_optional.
//   api_listener resources (proxyless gRPC) are skipped. The chain's transport_socket may be
//   absent or raw_buffer (plaintext), or a DownstreamTlsContext (TLS termination; what is
//   accepted: tls/tls_settings.h). A TLS listener's certificates, keys and client CA are read
//   and checked here when its TLS settings are new or changed (tls/context_registry.h): an
//   unreadable or invalid file, or a key that does not match its certificate, refuses the
//   update with the field and the file named. Any other transport socket type is refused.
// - HttpConnectionManager request id and access log settings: see hcm_options_compiler.h.
// - RouteConfiguration: see route_compiler.h.
// - Cluster and ClusterLoadAssignment: see cluster_compiler.h.

#include "absl/status/statusor.h"
#include "data-plane/config/snapshot.h"
#include "data-plane/http/filter.h"
#include "data-plane/router/route_stats.h"
#include "data-plane/tls/context_registry.h"
#include "data-plane/upstream/state_registry.h"

namespace portico::dp::config {

// `registry` keeps cluster and endpoint state (health, ejections, circuit-breaker gauges) across
// snapshots, and `tls_contexts` the listeners' TLS contexts; null gives the snapshot fresh ones
// of its own (tests, offline tools).
// `filter_base`: what HTTP filters are built with besides their configs (worker count,
// process-wide registries); null: defaults (one worker, no registries).
absl::StatusOr<SnapshotPtr> compileSnapshot(const xds::ResourceSet& resources,
                                            router::RouteStatsStore& stats,
                                            upstream::StateRegistry* registry = nullptr,
                                            const http::FilterBuildContext* filter_base = nullptr,
                                            tls::ContextRegistry* tls_contexts = nullptr);

// The EDS resource name a cluster subscribes to: eds_cluster_config.service_name, else its name.
std::string edsServiceName(const envoy::config::cluster::v3::Cluster& cluster);
// The RDS names the listeners reference.
std::vector<std::string> referencedRouteConfigs(const xds::ResourceSet& resources);
// The EDS names the EDS clusters reference.
std::vector<std::string> referencedLoadAssignments(const xds::ResourceSet& resources);

}  // namespace portico::dp::config
