#pragma once

// Envoy v3 type URLs and resource kinds, shared by the control plane and the proxy.

#include <optional>
#include <string_view>

namespace portico::xds {

inline constexpr std::string_view kTypePrefix = "type.googleapis.com/";
inline constexpr std::string_view kListenerType = "type.googleapis.com/envoy.config.listener.v3.Listener";
inline constexpr std::string_view kRouteType = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
inline constexpr std::string_view kClusterType = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
inline constexpr std::string_view kEndpointType =
    "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
inline constexpr std::string_view kResourceWrapperType =
    "type.googleapis.com/envoy.service.discovery.v3.Resource";
inline constexpr std::string_view kHcmType =
    "type.googleapis.com/"
    "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
inline constexpr std::string_view kRouterType =
    "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

inline constexpr std::string_view kHcmFilterName = "envoy.filters.network.http_connection_manager";
inline constexpr std::string_view kRouterFilterName = "envoy.filters.http.router";

// A listener filter chain's TLS transport socket: Envoy's name and its server-side config.
inline constexpr std::string_view kTlsTransportSocketName = "envoy.transport_sockets.tls";
inline constexpr std::string_view kDownstreamTlsContextType =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

// The four resource kinds, in make-before-break push order: clusters, endpoints, listeners,
// routes.
enum class ResourceType : int { kCluster = 0, kEndpoint = 1, kListener = 2, kRoute = 3 };
inline constexpr int kResourceTypeCount = 4;
inline constexpr ResourceType kAllResourceTypes[kResourceTypeCount] = {
    ResourceType::kCluster, ResourceType::kEndpoint, ResourceType::kListener, ResourceType::kRoute};

inline std::string_view typeUrl(ResourceType type) {
  switch (type) {
    case ResourceType::kCluster:
      return kClusterType;
    case ResourceType::kEndpoint:
      return kEndpointType;
    case ResourceType::kListener:
      return kListenerType;
    case ResourceType::kRoute:
      return kRouteType;
  }
  return {};
}

// "cds", "eds", "lds", "rds": the metric label values.
inline std::string_view shortName(ResourceType type) {
  switch (type) {
    case ResourceType::kCluster:
      return "cds";
    case ResourceType::kEndpoint:
      return "eds";
    case ResourceType::kListener:
      return "lds";
    case ResourceType::kRoute:
      return "rds";
  }
  return {};
}

inline std::optional<ResourceType> typeFromUrl(std::string_view url) {
  for (ResourceType type : kAllResourceTypes) {
    if (typeUrl(type) == url) {
      return type;
    }
  }
  return std::nullopt;
}

// LDS and CDS are "full state" in SotW: a subscribed resource missing from a response is
// deleted. RDS and EDS responses may carry a subset.
inline bool isFullStateType(ResourceType type) {
  return type == ResourceType::kListener || type == ResourceType::kCluster;
}

inline int typeIndex(ResourceType type) { return static_cast<int>(type); }

}  // namespace portico::xds
