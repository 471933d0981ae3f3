#include "control-plane/xds/delta_session.h"

#include <algorithm>
#include <string_view>

#include "common/hash.h"

namespace portico::cp::xds {

using portico::xds::typeIndex;

namespace {

// Responses a client may leave unanswered before we forget the oldest: bounds memory for a
// client that never ACKs. A late reply to a forgotten nonce counts as a subscription update.
constexpr size_t kMaxPending = 64;

constexpr std::string_view kWildcardName = "*";

// A hash over what the client holds: the response's system_version_info.
std::string heldVersion(const std::map<std::string, std::string, std::less<>>& held) {
  std::string joined;
  for (const auto& [name, version] : held) {
    joined.append(name).push_back('\0');
    joined.append(version).push_back('\n');
  }
  return contentVersion(joined);
}

}  // namespace

void DeltaSession::classifyReply(const DeltaDiscoveryRequest& request, TypeState& state,
                                 RequestOutcome& outcome) {
  outcome.kind = RequestKind::kSubscription;
  const std::string& nonce = request.response_nonce();
  if (nonce.empty()) {
    return;  // a spontaneous request: subscription changes only
  }
  auto it = std::find_if(state.pending.begin(), state.pending.end(),
                         [&](const auto& entry) { return entry.first == nonce; });
  const bool tracked = it != state.pending.end();
  if (tracked) {
    outcome.version = it->second;
    // Replies come in order: anything older than this nonce will not be answered any more.
    state.pending.erase(state.pending.begin(), it + 1);
  }
  if (request.has_error_detail()) {
    // A NACK is reported even for a nonce we no longer track: the client did reject something.
    outcome.kind = RequestKind::kNack;
    outcome.nack_message = request.error_detail().message();
  } else if (tracked) {
    outcome.kind = RequestKind::kAck;
  }
}

void DeltaSession::updateSubscription(ResourceType type, TypeState& state,
                                      const DeltaDiscoveryRequest& request, bool first) {
  const bool wildcard_type = portico::xds::isFullStateType(type);
  for (const std::string& name : request.resource_names_unsubscribe()) {
    if (name == kWildcardName) {
      if (state.wildcard) {
        state.wildcard = false;
        // The client drops what it held only through the wildcard; forget it silently.
        std::erase_if(state.held,
                      [&](const auto& entry) { return !state.names.contains(entry.first); });
      }
      continue;
    }
    const bool was_named = state.names.erase(name) > 0;
    state.reported_missing.erase(name);
    state.must_answer.erase(name);
    if (state.wildcard && was_named) {
      // The client cannot tell whether the wildcard still covers the name: tell it (§1.4).
      state.must_answer.insert(name);
    } else if (!state.wildcard) {
      state.held.erase(name);  // the client forgets it on its own; nothing to say
    }
  }
  for (const std::string& name : request.resource_names_subscribe()) {
    if (name == kWildcardName) {
      state.wildcard = state.wildcard || wildcard_type;  // "*" means nothing for RDS/EDS
      continue;
    }
    state.names.insert(name);
    // A subscription is a fresh question: a missing name is reported again, and an existing one
    // is re-sent even at a version we think the client has (it may have forgotten it). On the
    // first request initial_resource_versions says what the client really has.
    state.reported_missing.erase(name);
    if (!first) {
      state.must_answer.insert(name);
    }
  }
  if (first && wildcard_type && request.resource_names_subscribe().empty() &&
      request.resource_names_unsubscribe().empty()) {
    state.wildcard = true;  // legacy wildcard
  }
}

DeltaSession::Desired DeltaSession::desired(const TypeState& state, const Snapshot::Map& all) {
  Desired out;
  if (state.wildcard) {
    for (const auto& [name, resource] : all) {
      if (resource->wildcard) {
        out.resources.emplace(name, resource.get());
      }
    }
  }
  for (const std::string& name : state.names) {
    if (auto it = all.find(name); it != all.end()) {
      out.resources.emplace(it->first, it->second.get());
    } else {
      out.missing.push_back(name);
    }
  }
  return out;
}

void DeltaSession::diff(TypeState& state, const Desired& desired,
                        DeltaDiscoveryResponse& response) {
  std::set<std::string, std::less<>> mentioned;
  auto remove = [&](std::string_view name) {
    response.add_removed_resources(std::string(name));
    mentioned.emplace(name);
  };
  // Held names that left the subscription set: deleted, or no longer wildcard-visible.
  for (auto it = state.held.begin(); it != state.held.end();) {
    if (desired.resources.contains(it->first)) {
      ++it;
      continue;
    }
    remove(it->first);
    if (state.names.contains(it->first)) {
      state.reported_missing.insert(it->first);  // subscribed but gone: reported once
    }
    it = state.held.erase(it);
  }
  for (const auto& [name, resource] : desired.resources) {
    auto held = state.held.find(name);
    const bool changed = held == state.held.end() || held->second != resource->version;
    if (!changed && !state.must_answer.contains(name)) {
      continue;
    }
    envoy::service::discovery::v3::Resource* out = response.add_resources();
    out->set_name(resource->name);
    out->set_version(resource->version);
    *out->mutable_resource() = resource->body;
    state.held[resource->name] = resource->version;
    state.reported_missing.erase(resource->name);
    mentioned.insert(resource->name);
  }
  for (std::string_view name : desired.missing) {
    if (state.reported_missing.emplace(name).second) {
      remove(name);
    }
  }
  // Unsubscribed under a wildcard and neither re-sent nor removed above: still an answer.
  for (const std::string& name : state.must_answer) {
    if (!mentioned.contains(name)) {
      remove(name);
    }
  }
  state.must_answer.clear();
}

std::optional<DeltaDiscoveryResponse> DeltaSession::respond(ResourceType type, TypeState& state,
                                                            const Snapshot* snapshot) {
  if (snapshot == nullptr) {
    return std::nullopt;
  }
  DeltaDiscoveryResponse response;
  diff(state, desired(state, snapshot->resources(type)), response);
  // The first answer goes out even when empty, so that a client (Envoy's initial fetch) knows
  // its state is current; after that, only changes are sent.
  if (response.resources().empty() && response.removed_resources().empty() && state.answered) {
    return std::nullopt;
  }
  state.answered = true;
  response.set_type_url(std::string(portico::xds::typeUrl(type)));
  response.set_system_version_info(heldVersion(state.held));
  response.set_nonce(std::to_string(next_nonce_++));
  state.pending.emplace_back(response.nonce(), response.system_version_info());
  if (state.pending.size() > kMaxPending) {
    state.pending.pop_front();
  }
  return response;
}

DeltaSession::RequestOutcome DeltaSession::onRequest(const DeltaDiscoveryRequest& request,
                                                     const SnapshotPtr& snapshot) {
  RequestOutcome outcome;
  outcome.type = portico::xds::typeFromUrl(request.type_url());
  if (!outcome.type) {
    outcome.kind = RequestKind::kUnknownType;
    return outcome;
  }
  const ResourceType type = *outcome.type;
  TypeState& state = types_[typeIndex(type)];
  const bool first = !state.active;
  if (first) {
    // A new stream knows nothing of the client but what it claims: start from its versions
    // (a nonce or error from its previous stream means nothing here).
    state.active = true;
    outcome.kind = RequestKind::kInitial;
    for (const auto& [name, version] : request.initial_resource_versions()) {
      if (name != kWildcardName) {
        state.held[name] = version;
      }
    }
  } else {
    classifyReply(request, state, outcome);
  }
  updateSubscription(type, state, request, first);
  // Held versions include NACKed ones, so this re-sends rejected content only if it changed.
  outcome.response = respond(type, state, snapshot.get());
  return outcome;
}

std::vector<DeltaDiscoveryResponse> DeltaSession::onSnapshot(const SnapshotPtr& snapshot) {
  std::vector<DeltaDiscoveryResponse> out;
  for (ResourceType type : portico::xds::kAllResourceTypes) {
    TypeState& state = types_[typeIndex(type)];
    if (!state.active) {
      continue;
    }
    if (auto response = respond(type, state, snapshot.get())) {
      out.push_back(std::move(*response));
    }
  }
  return out;
}

const std::map<std::string, std::string, std::less<>>& DeltaSession::held(ResourceType type) const {
  return types_[typeIndex(type)].held;
}

bool DeltaSession::wildcard(ResourceType type) const { return types_[typeIndex(type)].wildcard; }

}  // namespace portico::cp::xds
