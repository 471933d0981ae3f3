#include "data-plane/xds/ads_client_core.h"

#include "common/strings.h"
#include "data-plane/config/snapshot_compiler.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace portico::dp::xds {

using portico::xds::typeIndex;

namespace {

template <typename T>
absl::Status decodeInto(const google::protobuf::Any& any, ResourceMap<T>& out,
                        const std::function<std::string(const T&)>& name_of) {
  auto message = std::make_shared<T>();
  if (!any.UnpackTo(message.get())) {
    return absl::InvalidArgumentError(cat("cannot decode a ", any.type_url()));
  }
  std::string name = name_of(*message);
  if (name.empty()) {
    return absl::InvalidArgumentError(cat("a ", any.type_url(), " has no name"));
  }
  if (!out.emplace(name, std::move(message)).second) {
    return absl::InvalidArgumentError(cat("resource \"", name, "\" appears twice in one response"));
  }
  return absl::OkStatus();
}

template <typename T>
void mergeInto(ResourceMap<T>& target, ResourceMap<T>& fresh) {
  for (auto& [name, value] : fresh) {
    target[name] = std::move(value);
  }
}

template <typename T>
void keepOnly(ResourceMap<T>& map, const std::set<std::string>& names) {
  for (auto it = map.begin(); it != map.end();) {
    it = names.count(it->first) ? std::next(it) : map.erase(it);
  }
}

}  // namespace

AdsClientCore::AdsClientCore(envoy::config::core::v3::Node node, Apply apply)
    : node_(std::move(node)), apply_(std::move(apply)) {
  types_[typeIndex(ResourceType::kCluster)].wildcard = true;
  types_[typeIndex(ResourceType::kListener)].wildcard = true;
}

DiscoveryRequest AdsClientCore::request(ResourceType type) const {
  const TypeState& state = types_[typeIndex(type)];
  DiscoveryRequest out;
  out.set_type_url(std::string(portico::xds::typeUrl(type)));
  out.set_version_info(accepted_.versions[typeIndex(type)]);
  out.set_response_nonce(state.last_nonce);
  if (!state.wildcard) {
    for (const std::string& name : state.names) {
      out.add_resource_names(name);
    }
  }
  return out;
}

std::vector<DiscoveryRequest> AdsClientCore::streamStart() {
  std::vector<DiscoveryRequest> out;
  // Envoy's order: clusters (and their endpoints) before listeners (and their routes).
  for (ResourceType type : {ResourceType::kCluster, ResourceType::kEndpoint, ResourceType::kListener,
                            ResourceType::kRoute}) {
    TypeState& state = types_[typeIndex(type)];
    state.last_nonce.clear();  // nonces belong to the old stream
    if (!state.wildcard && state.names.empty()) {
      continue;
    }
    out.push_back(request(type));
  }
  if (!out.empty()) {
    *out.front().mutable_node() = node_;
  }
  return out;
}

absl::Status AdsClientCore::decode(const DiscoveryResponse& response, ResourceType type,
                                   ResourceSet& candidate) const {
  const std::string_view want = portico::xds::typeUrl(type);
  ResourceSet fresh;
  for (const google::protobuf::Any& raw : response.resources()) {
    google::protobuf::Any any = raw;
    if (any.type_url() == portico::xds::kResourceWrapperType) {
      envoy::service::discovery::v3::Resource wrapper;
      if (!any.UnpackTo(&wrapper)) {
        return absl::InvalidArgumentError("cannot decode a wrapped Resource");
      }
      any = wrapper.resource();
    }
    if (any.type_url() != want) {
      return absl::InvalidArgumentError(cat("a resource of type ", any.type_url(), " in a ", want, " response"));
    }
    absl::Status status;
    switch (type) {
      case ResourceType::kListener:
        status = decodeInto<envoy::config::listener::v3::Listener>(
            any, fresh.listeners, [](const auto& m) { return m.name(); });
        break;
      case ResourceType::kRoute:
        status = decodeInto<envoy::config::route::v3::RouteConfiguration>(
            any, fresh.routes, [](const auto& m) { return m.name(); });
        break;
      case ResourceType::kCluster:
        status = decodeInto<envoy::config::cluster::v3::Cluster>(
            any, fresh.clusters, [](const auto& m) { return m.name(); });
        break;
      case ResourceType::kEndpoint:
        status = decodeInto<envoy::config::endpoint::v3::ClusterLoadAssignment>(
            any, fresh.endpoints, [](const auto& m) { return m.cluster_name(); });
        break;
    }
    if (!status.ok()) {
      return status;
    }
  }
  const TypeState& state = types_[typeIndex(type)];
  switch (type) {
    case ResourceType::kListener:
      candidate.listeners = std::move(fresh.listeners);  // full state
      break;
    case ResourceType::kCluster:
      candidate.clusters = std::move(fresh.clusters);  // full state
      break;
    case ResourceType::kRoute:
      keepOnly(fresh.routes, state.names);  // ignore what we did not ask for
      mergeInto(candidate.routes, fresh.routes);
      break;
    case ResourceType::kEndpoint:
      keepOnly(fresh.endpoints, state.names);
      mergeInto(candidate.endpoints, fresh.endpoints);
      break;
  }
  return absl::OkStatus();
}

void AdsClientCore::follow(ResourceSet& set, std::vector<DiscoveryRequest>& out, bool send) {
  const std::vector<std::string> routes = config::referencedRouteConfigs(set);
  const std::vector<std::string> endpoints = config::referencedLoadAssignments(set);
  const std::set<std::string> route_names(routes.begin(), routes.end());
  const std::set<std::string> endpoint_names(endpoints.begin(), endpoints.end());
  keepOnly(set.routes, route_names);
  keepOnly(set.endpoints, endpoint_names);
  if (!send) {
    return;
  }
  TypeState& rds = types_[typeIndex(ResourceType::kRoute)];
  if (rds.names != route_names) {
    rds.names = route_names;
    out.push_back(request(ResourceType::kRoute));
  }
  TypeState& eds = types_[typeIndex(ResourceType::kEndpoint)];
  if (eds.names != endpoint_names) {
    eds.names = endpoint_names;
    out.push_back(request(ResourceType::kEndpoint));
  }
}

AdsClientCore::Result AdsClientCore::onResponse(const DiscoveryResponse& response) {
  Result result;
  result.type = portico::xds::typeFromUrl(response.type_url());
  if (!result.type) {
    return result;  // a type we never asked for: nothing to ACK
  }
  const ResourceType type = *result.type;
  TypeState& state = types_[typeIndex(type)];
  state.last_nonce = response.nonce();

  ResourceSet candidate = accepted_;
  absl::Status status = decode(response, type, candidate);
  if (status.ok()) {
    candidate.versions[typeIndex(type)] = response.version_info();
    // Drop routes/endpoints that nothing references any more before validating.
    std::vector<DiscoveryRequest> ignored;
    follow(candidate, ignored, /*send=*/false);
    status = apply_(candidate);
  }
  if (!status.ok()) {
    result.error = std::string(status.message());
    DiscoveryRequest nack = request(type);  // version_info stays the last accepted one
    nack.mutable_error_detail()->set_code(3);  // INVALID_ARGUMENT
    nack.mutable_error_detail()->set_message(result.error);
    result.requests.push_back(std::move(nack));
    return result;
  }
  accepted_ = std::move(candidate);
  state.received = true;
  result.accepted = true;
  result.requests.push_back(request(type));  // ACK
  follow(accepted_, result.requests, /*send=*/true);
  return result;
}

bool AdsClientCore::initialFetchDone() const {
  if (!types_[typeIndex(ResourceType::kListener)].received || !types_[typeIndex(ResourceType::kCluster)].received) {
    return false;
  }
  for (const std::string& name : types_[typeIndex(ResourceType::kRoute)].names) {
    if (accepted_.routes.count(name) == 0) return false;
  }
  for (const std::string& name : types_[typeIndex(ResourceType::kEndpoint)].names) {
    if (accepted_.endpoints.count(name) == 0) return false;
  }
  return true;
}

}  // namespace portico::dp::xds
