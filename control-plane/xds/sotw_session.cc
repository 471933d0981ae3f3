#include "control-plane/xds/sotw_session.h"

#include "common/hash.h"

namespace portico::cp::xds {

using portico::xds::typeIndex;

void SotwSession::updateSubscription(ResourceType type, TypeState& state,
                                     const DiscoveryRequest& request) {
  state.names.clear();
  bool star = false;
  for (const std::string& name : request.resource_names()) {
    if (name == "*") {
      star = true;
    } else {
      state.names.insert(name);
    }
  }
  if (!state.names.empty()) {
    state.named_once = true;
  }
  const bool legacy_wildcard = request.resource_names().empty() && !state.named_once;
  state.wildcard = portico::xds::isFullStateType(type) && (star || legacy_wildcard);
}

std::optional<DiscoveryResponse> SotwSession::respond(ResourceType type, TypeState& state,
                                                      const Snapshot* snapshot, bool force) {
  if (snapshot == nullptr) {
    return std::nullopt;
  }
  DiscoveryResponse response;
  std::string joined;
  auto include = [&](const Resource& resource) {
    *response.add_resources() = resource.body;
    joined.append(resource.name).push_back('\0');
    joined.append(resource.version).push_back('\n');
  };
  const Snapshot::Map& all = snapshot->resources(type);
  if (state.wildcard) {
    for (const auto& [name, resource] : all) {
      if (resource->wildcard || state.names.count(name) > 0) {
        include(*resource);
      }
    }
  } else {
    for (const std::string& name : state.names) {
      if (auto it = all.find(name); it != all.end()) {
        include(*it->second);
      }
    }
  }
  if (response.resources_size() == 0 && !portico::xds::isFullStateType(type)) {
    return std::nullopt;
  }
  std::string version = contentVersion(joined);
  if (!force && version == state.sent_version) {
    return std::nullopt;
  }
  response.set_version_info(version);
  response.set_type_url(std::string(portico::xds::typeUrl(type)));
  response.set_nonce(std::to_string(next_nonce_++));
  state.sent_version = std::move(version);
  state.nonce = response.nonce();
  return response;
}

SotwSession::RequestOutcome SotwSession::onRequest(const DiscoveryRequest& request,
                                                   const SnapshotPtr& snapshot) {
  RequestOutcome outcome;
  outcome.type = portico::xds::typeFromUrl(request.type_url());
  if (!outcome.type) {
    outcome.kind = RequestKind::kUnknownType;
    return outcome;
  }
  const ResourceType type = *outcome.type;
  TypeState& state = types_[typeIndex(type)];
  const bool answers_ours = !request.response_nonce().empty() && !state.nonce.empty();
  if (answers_ours && request.response_nonce() != state.nonce) {
    outcome.kind = RequestKind::kStale;
    return outcome;
  }
  const std::set<std::string> old_names = state.names;
  const bool old_wildcard = state.wildcard;
  updateSubscription(type, state, request);
  const bool subscription_changed = old_names != state.names || old_wildcard != state.wildcard;
  // Names the client did not hold must be (re)sent even when the content hash matches what was
  // last sent: a client that dropped a name and asks for it again needs it once more.
  bool names_added = state.wildcard && !old_wildcard;
  for (const std::string& name : state.names) {
    names_added = names_added || old_names.count(name) == 0;
  }

  if (!answers_ours) {
    // First request for this type on this stream (possibly a reconnect presenting an old
    // version): always answer with the full current state.
    outcome.kind = RequestKind::kInitial;
    state.active = true;
    outcome.response = respond(type, state, snapshot.get(), /*force=*/true);
    return outcome;
  }
  if (request.has_error_detail()) {
    outcome.kind = RequestKind::kNack;
    outcome.nack_message = request.error_detail().message();
    outcome.version = state.sent_version;
  } else {
    outcome.kind = RequestKind::kAck;
    state.acked_version = request.version_info();
    outcome.version = state.acked_version;
  }
  // After an ACK or a NACK only a change in what the client should hold warrants an answer;
  // respond() compares content, so a NACKed response is never repeated as is.
  if (subscription_changed) {
    outcome.response = respond(type, state, snapshot.get(), /*force=*/names_added);
  }
  return outcome;
}

std::vector<DiscoveryResponse> SotwSession::onSnapshot(const SnapshotPtr& snapshot) {
  std::vector<DiscoveryResponse> out;
  for (ResourceType type : portico::xds::kAllResourceTypes) {
    TypeState& state = types_[typeIndex(type)];
    if (!state.active) {
      continue;
    }
    if (auto response = respond(type, state, snapshot.get(), /*force=*/false)) {
      out.push_back(std::move(*response));
    }
  }
  return out;
}

const std::string& SotwSession::ackedVersion(ResourceType type) const {
  return types_[typeIndex(type)].acked_version;
}

const std::string& SotwSession::sentVersion(ResourceType type) const {
  return types_[typeIndex(type)].sent_version;
}

}  // namespace portico::cp::xds
