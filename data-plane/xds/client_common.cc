#include "data-plane/xds/client_common.h"

#include <utility>

#include "common/strings.h"
#include "data-plane/config/snapshot_compiler.h"

namespace portico::dp::xds {

using portico::xds::typeIndex;

namespace {

// Calls `f` with the resource map of `type` (every map has its own value type, so `f` is a
// generic lambda).
template <typename Set, typename F>
decltype(auto) withMap(Set& set, ResourceType type, F&& f) {
  switch (type) {
    case ResourceType::kListener:
      return f(set.listeners);
    case ResourceType::kRoute:
      return f(set.routes);
    case ResourceType::kCluster:
      return f(set.clusters);
    case ResourceType::kEndpoint:
      break;
  }
  return f(set.endpoints);
}

// The same for the maps of `type` in two sets: f(a's map, b's map).
template <typename F>
void withMaps(ResourceSet& a, ResourceSet& b, ResourceType type, F&& f) {
  switch (type) {
    case ResourceType::kListener:
      f(a.listeners, b.listeners);
      return;
    case ResourceType::kRoute:
      f(a.routes, b.routes);
      return;
    case ResourceType::kCluster:
      f(a.clusters, b.clusters);
      return;
    case ResourceType::kEndpoint:
      f(a.endpoints, b.endpoints);
      return;
  }
}

const std::string& nameOf(const envoy::config::listener::v3::Listener& m) { return m.name(); }
const std::string& nameOf(const envoy::config::route::v3::RouteConfiguration& m) {
  return m.name();
}
const std::string& nameOf(const envoy::config::cluster::v3::Cluster& m) { return m.name(); }
const std::string& nameOf(const envoy::config::endpoint::v3::ClusterLoadAssignment& m) {
  return m.cluster_name();
}

template <typename T>
absl::StatusOr<std::string> decodeInto(const google::protobuf::Any& any, ResourceMap<T>& out) {
  auto message = std::make_shared<T>();
  if (!any.UnpackTo(message.get())) {
    return absl::InvalidArgumentError(cat("cannot decode a ", any.type_url()));
  }
  std::string name = nameOf(*message);
  if (name.empty()) {
    return absl::InvalidArgumentError(cat("a ", any.type_url(), " has no name"));
  }
  if (!out.emplace(name, std::move(message)).second) {
    return absl::InvalidArgumentError(cat("resource \"", name, "\" appears twice in one response"));
  }
  return name;
}

}  // namespace

absl::StatusOr<std::string> decodeResource(ResourceType type, const google::protobuf::Any& any,
                                           std::string_view version, ResourceSet& into) {
  const std::string_view want = portico::xds::typeUrl(type);
  if (any.type_url() != want) {
    return absl::InvalidArgumentError(
        cat("a resource of type ", any.type_url(), " in a ", want, " response"));
  }
  absl::StatusOr<std::string> name =
      withMap(into, type, [&any](auto& map) { return decodeInto(any, map); });
  if (name.ok()) {
    into.resource_versions[typeIndex(type)][*name] = std::string(version);
  }
  return name;
}

bool holds(const ResourceSet& set, ResourceType type, std::string_view name) {
  return withMap(set, type, [name](const auto& map) { return map.find(name) != map.end(); });
}

void eraseResource(ResourceSet& set, ResourceType type, std::string_view name) {
  withMap(set, type, [name](auto& map) {
    if (auto it = map.find(name); it != map.end()) {
      map.erase(it);
    }
  });
  VersionMap& versions = set.resource_versions[typeIndex(type)];
  if (auto it = versions.find(name); it != versions.end()) {
    versions.erase(it);
  }
}

void keepOnly(ResourceSet& set, ResourceType type, const std::set<std::string>& names) {
  const auto prune = [&names](auto& map) {
    for (auto it = map.begin(); it != map.end();) {
      it = names.count(it->first) ? std::next(it) : map.erase(it);
    }
  };
  withMap(set, type, prune);
  prune(set.resource_versions[typeIndex(type)]);
}

void mergeResources(ResourceSet& target, ResourceSet&& fresh, ResourceType type) {
  const auto merge = [](auto& into, auto& from) {
    for (auto& [name, value] : from) {
      into[name] = std::move(value);
    }
  };
  withMaps(target, fresh, type, merge);
  merge(target.resource_versions[typeIndex(type)], fresh.resource_versions[typeIndex(type)]);
}

void replaceResources(ResourceSet& target, ResourceSet&& fresh, ResourceType type) {
  withMaps(target, fresh, type, [](auto& into, auto& from) { into = std::move(from); });
  target.resource_versions[typeIndex(type)] = std::move(fresh.resource_versions[typeIndex(type)]);
}

References followReferences(ResourceSet& set) {
  const std::vector<std::string> routes = config::referencedRouteConfigs(set);
  const std::vector<std::string> endpoints = config::referencedLoadAssignments(set);
  References refs{{routes.begin(), routes.end()}, {endpoints.begin(), endpoints.end()}};
  keepOnly(set, ResourceType::kRoute, refs.routes);
  keepOnly(set, ResourceType::kEndpoint, refs.endpoints);
  return refs;
}

bool initialFetchComplete(bool lds_received, bool cds_received, const ResourceSet& set,
                          const References& wanted, const References& absent) {
  if (!lds_received || !cds_received) {
    return false;
  }
  for (const std::string& name : wanted.routes) {
    if (set.routes.count(name) == 0 && absent.routes.count(name) == 0) {
      return false;
    }
  }
  for (const std::string& name : wanted.endpoints) {
    if (set.endpoints.count(name) == 0 && absent.endpoints.count(name) == 0) {
      return false;
    }
  }
  return true;
}

google::rpc::Status nackStatus(std::string_view message) {
  google::rpc::Status status;
  status.set_code(3);  // INVALID_ARGUMENT
  status.set_message(std::string(message));
  return status;
}

}  // namespace portico::dp::xds
