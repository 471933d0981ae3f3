#include "control-plane/xds/sotw_session.h"

#include <cstdio>

#include "common/hash.h"

namespace portico::cp::xds {

using portico::xds::typeIndex;

void SotwSession::updateSubscription(ResourceType type, TypeState& state,
                                     const DiscoveryRequest& request) {
  NameSet names;
  bool star = false;
  for (const std::string& name : request.resource_names()) {
    if (name == "*") {
      star = true;
    } else {
      names.insert(name);
    }
  }
  state.names = internNames(std::move(names));
  if (!state.names->empty()) {
    state.named_once = true;
  }
  const bool legacy_wildcard = request.resource_names().empty() && !state.named_once;
  state.wildcard = portico::xds::isFullStateType(type) && (star || legacy_wildcard);
}

std::optional<Push> SotwSession::respond(ResourceType type, TypeState& state, const SnapshotPtr& snapshot,
                                         bool force) {
  if (snapshot == nullptr) {
    return std::nullopt;
  }
  // The same snapshot content for this type and the same subscription: nothing new to say.
  if (!force && state.computed_from == snapshot->version(type)) {
    return std::nullopt;
  }
  state.computed_from = snapshot->version(type);
  Push response;
  response.type = type;
  // The whole view, framed once per snapshot and shared with every stream subscribed alike.
  const ViewBody body = snapshot->viewBody(type, /*delta=*/false, state.wildcard, state.names);
  response.body = body.bytes;
  const uint64_t hash = body.identity_xor;
  if (body.count == 0 && !portico::xds::isFullStateType(type)) {
    return std::nullopt;
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  // Count too: XOR alone cannot tell "nothing" from an even number of equal items.
  std::string version = std::string(text) + "-" + std::to_string(body.count);
  if (!force && version == state.sent_version) {
    return std::nullopt;
  }
  const bool incremental = !force && !portico::xds::isFullStateType(type) && state.sent_from != nullptr &&
                           state.sent_names == state.names && state.sent_wildcard == state.wildcard;
  if (incremental) {
    // Only the changed resources of the view: a thousand proxies then do not each receive a
    // thousand unchanged load assignments because one endpoint moved.
    response.body = nullptr;
    const auto& all = snapshot->resources(type);
    for (const std::string& name : snapshot->diffFrom(*state.sent_from)->changed[typeIndex(type)]) {
      auto it = all.find(name);
      if (it != all.end() && (state.names->contains(name) || (state.wildcard && it->second->wildcard))) {
        response.resources.push_back(it->second);
      }
    }
  }
  state.sent_from = snapshot;
  state.sent_names = state.names;
  state.sent_wildcard = state.wildcard;
  if (incremental && response.resources.empty()) {
    state.sent_version = version;  // only removals: nothing to say for RDS/EDS
    return std::nullopt;
  }
  response.version = version;
  response.nonce = std::to_string(next_nonce_++);
  state.sent_version = std::move(version);
  state.nonce = response.nonce;
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
  const NameSetPtr old_names = state.names;
  const bool old_wildcard = state.wildcard;
  updateSubscription(type, state, request);
  const bool subscription_changed = *old_names != *state.names || old_wildcard != state.wildcard;
  if (subscription_changed) {
    state.computed_from.clear();  // the same snapshot may now give a different answer
  }
  // Names the client did not hold must be (re)sent even when the content hash matches what was
  // last sent: a client that dropped a name and asks for it again needs it once more.
  bool names_added = state.wildcard && !old_wildcard;
  for (const std::string& name : *state.names) {
    names_added = names_added || old_names->count(name) == 0;
  }

  if (!answers_ours) {
    // First request for this type on this stream (possibly a reconnect presenting an old
    // version): always answer with the full current state.
    outcome.kind = RequestKind::kInitial;
    state.active = true;
    outcome.response = respond(type, state, snapshot, /*force=*/true);
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
    outcome.response = respond(type, state, snapshot, /*force=*/names_added);
  }
  return outcome;
}

std::vector<Push> SotwSession::onSnapshot(const SnapshotPtr& snapshot) {
  std::vector<Push> out;
  for (ResourceType type : portico::xds::kAllResourceTypes) {
    TypeState& state = types_[typeIndex(type)];
    if (!state.active) {
      continue;
    }
    if (auto response = respond(type, state, snapshot, /*force=*/false)) {
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
