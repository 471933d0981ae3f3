#pragma once

// The xDS resources a proxy currently holds, decoded, by type and name, with the version of each.
// Values are shared and immutable, so a candidate set for an update is a cheap copy of the maps.

#include <array>
#include <map>
#include <memory>
#include <string>

#include "common/xds/type_urls.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"

namespace portico::dp::xds {

template <typename T>
using ResourceMap = std::map<std::string, std::shared_ptr<const T>, std::less<>>;
// Resource name -> version.
using VersionMap = std::map<std::string, std::string, std::less<>>;

struct ResourceSet {
  ResourceMap<envoy::config::listener::v3::Listener> listeners;
  ResourceMap<envoy::config::route::v3::RouteConfiguration> routes;
  ResourceMap<envoy::config::cluster::v3::Cluster> clusters;
  ResourceMap<envoy::config::endpoint::v3::ClusterLoadAssignment> endpoints;
  // Last accepted version_info (SotW) or system_version_info (delta) per type (index:
  // portico::xds::typeIndex).
  std::array<std::string, portico::xds::kResourceTypeCount> versions;
  // The version of every resource above, per type index, by the same names: the delta
  // Resource.version (SotW: the wrapper's version, else the response's version_info). A delta
  // stream presents these as initial_resource_versions when it reconnects.
  std::array<VersionMap, portico::xds::kResourceTypeCount> resource_versions;
};

}  // namespace portico::dp::xds
