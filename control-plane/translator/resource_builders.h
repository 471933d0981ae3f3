#pragma once

// Builders of the Envoy v3 resources Portico serves. Each is a pure function of its inputs;
// the shapes are ones that both Envoy and gRPC 1.51's xDS client accept (see
// ../shared/reference/xds-wire.md §3): ROUND_ROBIN clusters over ADS-sourced EDS, localities
// that always carry a weight, HCMs with only the router filter.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

#include "control-plane/model/portico_config.h"
#include "control-plane/registry/store.h"
#include "control-plane/translator/hcm_options.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::cp::translator {

// Route configuration name for a proxyless gRPC client's api_listener of `service`. Listener
// names cannot contain '/', so these never collide with a traffic listener's routes.
std::string grpcRouteConfigName(const std::string& service);

// An EDS cluster named after the service, endpoints over ADS, with the service's policies
// (`config` may be null: all defaults).
envoy::config::cluster::v3::Cluster buildCluster(const std::string& service,
                                                 const model::ServiceConfig* config = nullptr);

// The cluster proxyless gRPC clients use for `service` ("grpc/{service}", same endpoints): only
// what gRPC 1.51 accepts — ROUND_ROBIN and nothing it would NACK or crash on.
std::string grpcClusterName(const std::string& service);
envoy::config::cluster::v3::Cluster buildGrpcCluster(const std::string& service);

// The service's instances grouped by zone into weighted localities (priority 0), plus the
// service's static endpoints from config (`config` may be null).
envoy::config::endpoint::v3::ClusterLoadAssignment buildLoadAssignment(
    const std::string& service, const std::vector<registry::Instance>& instances,
    const model::ServiceConfig* config = nullptr);

// A traffic listener: address + one filter chain with an HCM whose routes come over RDS under
// the listener's own name. `http_filters` empty: only the router. `hcm_options`: request id and
// access log fields of the HCM (hcm_options.h); the listener's `http` block sets the HCM's
// HTTP/1.1 fields and Portico's HttpLimits metadata (hcm_options.h). A listener with `tls` gets
// the chain's transport_socket "envoy.transport_sockets.tls" with a DownstreamTlsContext: every
// certificate (one context; selection by SNI), PEM files named by path on the proxy's host, the
// minimum version, ALPN http/1.1, and with client_ca a trusted_ca + require_client_certificate.
envoy::config::listener::v3::Listener buildListener(
    const model::ListenerConfig& listener,
    const std::vector<envoy::extensions::filters::network::http_connection_manager::v3::HttpFilter>&
        http_filters = {},
    const HcmOptions& hcm_options = {});

// A proxyless gRPC client's listener for `service` (target xds:///service): api_listener only.
envoy::config::listener::v3::Listener buildApiListener(const std::string& service);

// One Envoy route of a traffic listener's route table.
struct RouteEntry {
  std::string name;     // the operator's route name (metrics label)
  std::string prefix;   // path prefix
  std::string cluster;  // target cluster (= service)
  std::optional<absl::Duration> timeout;
};

envoy::config::route::v3::RouteConfiguration buildRouteConfiguration(
    const std::string& name, const std::vector<RouteEntry>& routes);

// The route configuration behind buildApiListener(service): every call goes to the service.
envoy::config::route::v3::RouteConfiguration buildGrpcRouteConfiguration(const std::string& service);

}  // namespace portico::cp::translator
