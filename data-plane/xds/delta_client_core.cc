#include "data-plane/xds/delta_client_core.h"

#include <utility>

#include "common/strings.h"

namespace portico::dp::xds {

using portico::xds::typeIndex;

namespace {

constexpr char kWildcard[] = "*";

// Clusters (and their endpoints) before listeners (and their routes), as Envoy does.
constexpr ResourceType kOpenOrder[] = {ResourceType::kCluster, ResourceType::kEndpoint,
                                       ResourceType::kListener, ResourceType::kRoute};

}  // namespace

DeltaClientCore::DeltaClientCore(envoy::config::core::v3::Node node, Apply apply)
    : node_(std::move(node)), apply_(std::move(apply)) {
  types_[typeIndex(ResourceType::kCluster)].wildcard = true;
  types_[typeIndex(ResourceType::kListener)].wildcard = true;
}

DeltaDiscoveryRequest DeltaClientCore::openRequest(ResourceType type) {
  TypeState& state = types_[typeIndex(type)];
  state.opened = true;
  DeltaDiscoveryRequest out;
  out.set_type_url(std::string(portico::xds::typeUrl(type)));
  if (state.wildcard) {
    out.add_resource_names_subscribe(kWildcard);
  }
  for (const std::string& name : state.names) {
    out.add_resource_names_subscribe(name);
  }
  auto& initial = *out.mutable_initial_resource_versions();
  for (const auto& [name, version] : accepted_.resource_versions[typeIndex(type)]) {
    // A resource without a version cannot be compared: let the server send it again.
    if (!version.empty() && (state.wildcard || state.names.count(name) != 0)) {
      initial[name] = version;
    }
  }
  return out;
}

std::vector<DeltaDiscoveryRequest> DeltaClientCore::streamStart() {
  std::vector<DeltaDiscoveryRequest> out;
  for (ResourceType type : kOpenOrder) {
    TypeState& state = types_[typeIndex(type)];
    state.opened = false;  // the server knows nothing of this stream yet
    if (!state.wildcard && state.names.empty()) {
      continue;  // opened by resubscribe() once something is referenced
    }
    out.push_back(openRequest(type));
  }
  if (!out.empty()) {
    *out.front().mutable_node() = node_;
  }
  return out;
}

absl::Status DeltaClientCore::decode(const DeltaDiscoveryResponse& response, ResourceType type,
                                     ResourceSet& candidate) const {
  const TypeState& state = types_[typeIndex(type)];
  const std::set<std::string> removed(response.removed_resources().begin(),
                                      response.removed_resources().end());
  ResourceSet fresh;
  for (const envoy::service::discovery::v3::Resource& resource : response.resources()) {
    if (!resource.has_resource()) {
      if (!resource.name().empty() && removed.count(resource.name()) != 0) {
        continue;  // a removal spelled out as a bodiless Resource as well
      }
      return absl::InvalidArgumentError(
          cat("resource \"", resource.name(), "\" has no body and is not in removed_resources"));
    }
    absl::StatusOr<std::string> name =
        decodeResource(type, resource.resource(), resource.version(), fresh);
    if (!name.ok()) {
      return name.status();
    }
    if (!resource.name().empty() && resource.name() != *name) {
      return absl::InvalidArgumentError(
          cat("resource \"", resource.name(), "\" holds a resource named \"", *name, "\""));
    }
    if (removed.count(*name) != 0) {
      return absl::InvalidArgumentError(
          cat("resource \"", *name, "\" is both updated and removed in one response"));
    }
  }
  for (const std::string& name : removed) {
    eraseResource(candidate, type, name);
  }
  if (!state.wildcard) {
    keepOnly(fresh, type, state.names);  // ignore what we did not ask for
  }
  mergeResources(candidate, std::move(fresh), type);
  return absl::OkStatus();
}

void DeltaClientCore::resubscribe(ResourceType type, std::set<std::string> names,
                                  std::vector<DeltaDiscoveryRequest>& out) {
  TypeState& state = types_[typeIndex(type)];
  if (names == state.names) {
    return;
  }
  for (auto it = state.absent.begin(); it != state.absent.end();) {
    it = names.count(*it) ? std::next(it) : state.absent.erase(it);
  }
  if (!state.opened) {
    state.names = std::move(names);
    if (!state.names.empty()) {
      out.push_back(openRequest(type));
    }
    return;
  }
  DeltaDiscoveryRequest request;
  request.set_type_url(std::string(portico::xds::typeUrl(type)));
  for (const std::string& name : names) {
    if (state.names.count(name) == 0) {
      request.add_resource_names_subscribe(name);
    }
  }
  for (const std::string& name : state.names) {
    if (names.count(name) == 0) {
      request.add_resource_names_unsubscribe(name);
    }
  }
  state.names = std::move(names);
  out.push_back(std::move(request));
}

DeltaClientCore::Result DeltaClientCore::onResponse(const DeltaDiscoveryResponse& response) {
  Result result;
  result.type = portico::xds::typeFromUrl(response.type_url());
  if (!result.type) {
    return result;  // a type we never asked for: nothing to ACK
  }
  const ResourceType type = *result.type;
  TypeState& state = types_[typeIndex(type)];

  ResourceSet candidate = accepted_;
  absl::Status status = decode(response, type, candidate);
  if (status.ok()) {
    candidate.versions[typeIndex(type)] = response.system_version_info();
    // Drop routes/endpoints that nothing references any more before validating.
    followReferences(candidate);
    status = apply_(candidate);
  }
  DeltaDiscoveryRequest reply;
  reply.set_type_url(response.type_url());
  reply.set_response_nonce(response.nonce());
  if (!status.ok()) {
    result.error = std::string(status.message());
    *reply.mutable_error_detail() = nackStatus(result.error);
    result.requests.push_back(std::move(reply));
    return result;
  }
  accepted_ = std::move(candidate);
  state.received = true;
  if (!state.wildcard) {
    for (const std::string& name : response.removed_resources()) {
      if (state.names.count(name) != 0) {
        state.absent.insert(name);
      }
    }
    for (auto it = state.absent.begin(); it != state.absent.end();) {
      it = holds(accepted_, type, *it) ? state.absent.erase(it) : std::next(it);
    }
  }
  result.accepted = true;
  result.requests.push_back(std::move(reply));  // ACK
  References refs = followReferences(accepted_);
  resubscribe(ResourceType::kRoute, std::move(refs.routes), result.requests);
  resubscribe(ResourceType::kEndpoint, std::move(refs.endpoints), result.requests);
  return result;
}

bool DeltaClientCore::initialFetchDone() const {
  const TypeState& rds = types_[typeIndex(ResourceType::kRoute)];
  const TypeState& eds = types_[typeIndex(ResourceType::kEndpoint)];
  return initialFetchComplete(types_[typeIndex(ResourceType::kListener)].received,
                              types_[typeIndex(ResourceType::kCluster)].received, accepted_,
                              References{rds.names, eds.names}, References{rds.absent, eds.absent});
}

std::set<std::string> DeltaClientCore::subscriptions(ResourceType type) const {
  const TypeState& state = types_[typeIndex(type)];
  return state.wildcard ? std::set<std::string>{kWildcard} : state.names;
}

}  // namespace portico::dp::xds
