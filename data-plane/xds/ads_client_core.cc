#include "data-plane/xds/ads_client_core.h"

#include "envoy/service/discovery/v3/discovery.pb.h"

namespace portico::dp::xds {

using portico::xds::typeIndex;

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
  for (ResourceType type : {ResourceType::kCluster, ResourceType::kEndpoint,
                            ResourceType::kListener, ResourceType::kRoute}) {
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
  ResourceSet fresh;
  for (const google::protobuf::Any& raw : response.resources()) {
    const google::protobuf::Any* any = &raw;
    std::string_view version = response.version_info();
    envoy::service::discovery::v3::Resource wrapper;
    if (raw.type_url() == portico::xds::kResourceWrapperType) {
      if (!raw.UnpackTo(&wrapper)) {
        return absl::InvalidArgumentError("cannot decode a wrapped Resource");
      }
      any = &wrapper.resource();
      if (!wrapper.version().empty()) {
        version = wrapper.version();
      }
    }
    absl::StatusOr<std::string> name = decodeResource(type, *any, version, fresh);
    if (!name.ok()) {
      return name.status();
    }
  }
  if (portico::xds::isFullStateType(type)) {
    replaceResources(candidate, std::move(fresh), type);  // LDS and CDS: full state
  } else {
    keepOnly(fresh, type, types_[typeIndex(type)].names);  // ignore what we did not ask for
    mergeResources(candidate, std::move(fresh), type);
  }
  return absl::OkStatus();
}

void AdsClientCore::follow(ResourceSet& set, std::vector<DiscoveryRequest>& out) {
  References refs = followReferences(set);
  TypeState& rds = types_[typeIndex(ResourceType::kRoute)];
  if (rds.names != refs.routes) {
    rds.names = std::move(refs.routes);
    out.push_back(request(ResourceType::kRoute));
  }
  TypeState& eds = types_[typeIndex(ResourceType::kEndpoint)];
  if (eds.names != refs.endpoints) {
    eds.names = std::move(refs.endpoints);
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
    followReferences(candidate);
    status = apply_(candidate);
  }
  if (!status.ok()) {
    result.error = std::string(status.message());
    DiscoveryRequest nack = request(type);  // version_info stays the last accepted one
    *nack.mutable_error_detail() = nackStatus(result.error);
    result.requests.push_back(std::move(nack));
    return result;
  }
  accepted_ = std::move(candidate);
  state.received = true;
  result.accepted = true;
  result.requests.push_back(request(type));  // ACK
  follow(accepted_, result.requests);
  return result;
}

bool AdsClientCore::initialFetchDone() const {
  return initialFetchComplete(types_[typeIndex(ResourceType::kListener)].received,
                              types_[typeIndex(ResourceType::kCluster)].received, accepted_,
                              References{types_[typeIndex(ResourceType::kRoute)].names,
                                         types_[typeIndex(ResourceType::kEndpoint)].names});
}

}  // namespace portico::dp::xds
