#include "control-plane/xds/delta_session.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace portico::cp::xds {

using portico::xds::typeIndex;

namespace {

// Responses a client may leave unanswered before we forget the oldest: bounds memory for a
// client that never ACKs. A late reply to a forgotten nonce counts as a subscription update.
constexpr size_t kMaxPending = 64;

constexpr std::string_view kWildcardName = "*";

std::string hashText(uint64_t hash) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

void addResource(const ResourcePtr& resource, Push& response) { response.resources.push_back(resource); }

}  // namespace

const ResourcePtr* DeltaSession::View::find(std::string_view name) const {
  if (snapshot == nullptr) return nullptr;
  const Snapshot::Map& all = snapshot->resources(type);
  auto it = all.find(name);
  if (it == all.end()) return nullptr;
  const bool named = names != nullptr && names->contains(name);
  return named || (wildcard && it->second->wildcard) ? &it->second : nullptr;
}

void DeltaSession::classifyReply(const DeltaDiscoveryRequest& request, TypeState& state, RequestOutcome& outcome) {
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

void DeltaSession::updateSubscription(ResourceType type, TypeState& state, const DeltaDiscoveryRequest& request,
                                      bool first) {
  if (request.resource_names_subscribe().empty() && request.resource_names_unsubscribe().empty()) {
    if (first && portico::xds::isFullStateType(type)) state.wildcard = true;  // legacy wildcard
    return;
  }
  NameSet names = *state.names;
  const bool wildcard_type = portico::xds::isFullStateType(type);
  for (const std::string& name : request.resource_names_unsubscribe()) {
    if (name == kWildcardName) {
      state.wildcard = false;  // what it held only through the wildcard, the client drops itself
      continue;
    }
    const bool was_named = names.erase(name) > 0;
    state.reported_missing.erase(name);
    state.must_answer.erase(name);
    if (state.wildcard && was_named) {
      // The client cannot tell whether the wildcard still covers the name: tell it (§1.4).
      state.must_answer.insert(name);
    }
  }
  for (const std::string& name : request.resource_names_subscribe()) {
    if (name == kWildcardName) {
      state.wildcard = state.wildcard || wildcard_type;  // "*" means nothing for RDS/EDS
      continue;
    }
    names.insert(name);
    // A subscription is a fresh question: a missing name is reported again, and an existing one
    // is re-sent even at a version we think the client has (it may have forgotten it). On the
    // first request initial_resource_versions says what the client really has.
    state.reported_missing.erase(name);
    if (!first) state.must_answer.insert(name);
  }
  state.names = internNames(std::move(names));
}

void DeltaSession::answerFirst(TypeState& state, const View& now, Push& response) {
  if (state.claimed.empty()) {
    // A fresh client: it gets the whole view, framed once per snapshot and shared with every
    // stream subscribed alike.
    const ViewBody body = now.snapshot->viewBody(now.type, /*delta=*/true, now.wildcard, state.names);
    response.body = body.bytes;
    state.held_hash = body.identity_xor;
    for (const std::string& name : *now.names) {
      if (now.snapshot->find(now.type, name) == nullptr && state.reported_missing.insert(name).second) {
        response.removed.push_back(name);
      }
    }
    return;
  }
  // Everything claimed that the view does not have is removed; everything the view has that
  // was not claimed at its version is sent.
  for (const auto& [name, version] : state.claimed) {
    if (now.find(name) == nullptr) {
      response.removed.push_back(name);
      if (now.names->contains(name)) state.reported_missing.insert(name);
    }
  }
  std::vector<const ResourcePtr*> held;
  auto consider = [&](const ResourcePtr& resource) { held.push_back(&resource); };
  state.held_hash = 0;
  const Snapshot::Map& all = now.snapshot->resources(now.type);
  if (now.wildcard) {
    for (const auto& [name, resource] : all) {
      if (resource->wildcard) consider(resource);
    }
  }
  for (const std::string& name : *now.names) {
    auto it = all.find(name);
    if (it == all.end()) {
      if (state.reported_missing.insert(name).second && !state.claimed.contains(name)) {
        response.removed.push_back(name);
      }
    } else if (!now.wildcard || !it->second->wildcard) {
      consider(it->second);  // not already covered by the wildcard loop
    }
  }
  // In name order, so equal states give equal responses.
  std::sort(held.begin(), held.end(),
            [](const ResourcePtr* a, const ResourcePtr* b) { return (*a)->name < (*b)->name; });
  for (const ResourcePtr* resource : held) {
    auto claim = state.claimed.find((*resource)->name);
    if (claim == state.claimed.end() || claim->second != (*resource)->version) addResource(*resource, response);
    state.held_hash ^= (*resource)->identity;
  }
  state.claimed.clear();
}

void DeltaSession::answerChanges(TypeState& state, const View& before, const View& now,
                                 const std::vector<std::string_view>& candidates, Push& response) {
  for (std::string_view name : candidates) {
    const ResourcePtr* old_ptr = before.find(name);
    const ResourcePtr* new_ptr = now.find(name);
    const Resource* old_resource = old_ptr != nullptr ? old_ptr->get() : nullptr;
    const Resource* new_resource = new_ptr != nullptr ? new_ptr->get() : nullptr;
    const bool forced = state.must_answer.contains(name);
    if (new_resource != nullptr) {
      const bool changed = old_resource == nullptr || old_resource->identity != new_resource->identity;
      if (changed || forced) addResource(*new_ptr, response);
      if (old_resource != nullptr) state.held_hash ^= old_resource->identity;
      state.held_hash ^= new_resource->identity;
      if (auto missing = state.reported_missing.find(name); missing != state.reported_missing.end()) {
        state.reported_missing.erase(missing);
      }
      continue;
    }
    const bool subscribed = now.names->contains(name);
    const bool exists = now.snapshot->find(now.type, name) != nullptr;
    if (old_resource != nullptr) {
      state.held_hash ^= old_resource->identity;
      // Deleted: say so. Still there but no longer subscribed: the client dropped it itself when
      // it unsubscribed, so nothing is said unless the protocol asks for an answer.
      if (!exists || forced) response.removed.emplace_back(name);
      if (subscribed) state.reported_missing.emplace(name);  // subscribed but gone: reported once
    } else if (subscribed && !state.reported_missing.contains(name)) {
      response.removed.emplace_back(name);
      state.reported_missing.emplace(name);
    } else if (forced) {
      response.removed.emplace_back(name);  // unsubscribed under a wildcard
    }
  }
}

std::optional<Push> DeltaSession::respond(ResourceType type, TypeState& state, const SnapshotPtr& snapshot) {
  if (snapshot == nullptr) {
    return std::nullopt;
  }
  const View now{snapshot.get(), type, state.wildcard, state.names.get()};
  Push response;
  response.type = type;
  if (!state.answered) {
    answerFirst(state, now, response);
  } else {
    const View before{state.base.get(), type, state.held_wildcard, state.held_names.get()};
    const bool same_subscription = state.held_wildcard == state.wildcard && state.held_names == state.names;
    if (same_subscription && state.base == snapshot && state.must_answer.empty()) {
      return std::nullopt;  // nothing changed for this client
    }
    std::vector<std::string_view> candidates;
    if (same_subscription) {
      // Only what changed between the snapshots can differ (plus names that must be answered).
      if (state.base != snapshot) {
        for (const std::string& name : snapshot->diffFrom(*state.base)->changed[typeIndex(type)]) {
          candidates.push_back(name);
        }
      }
    } else {
      // A subscription change: every name either view can contain.
      std::set<std::string_view> all;
      for (const View* view : {&before, &now}) {
        if (view->wildcard) {
          for (const auto& [name, resource] : view->snapshot->resources(type)) all.insert(name);
        }
        for (const std::string& name : *view->names) all.insert(name);
      }
      candidates.assign(all.begin(), all.end());
    }
    for (const std::string& name : state.must_answer) candidates.push_back(name);
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    answerChanges(state, before, now, candidates, response);
    if (response.resources.empty() && response.removed.empty() && !response.body) {
      state.must_answer.clear();
      state.base = snapshot;
      state.held_wildcard = state.wildcard;
      state.held_names = state.names;
      return std::nullopt;
    }
  }
  state.must_answer.clear();
  state.answered = true;
  state.base = snapshot;
  state.held_wildcard = state.wildcard;
  state.held_names = state.names;
  response.version = hashText(state.held_hash);
  response.nonce = std::to_string(next_nonce_++);
  state.pending.emplace_back(response.nonce, response.version);
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
      if (name != kWildcardName) state.claimed[name] = version;
    }
  } else {
    classifyReply(request, state, outcome);
  }
  updateSubscription(type, state, request, first);
  // Held versions include NACKed ones, so this re-sends rejected content only if it changed.
  outcome.response = respond(type, state, snapshot);
  return outcome;
}

std::vector<Push> DeltaSession::onSnapshot(const SnapshotPtr& snapshot) {
  std::vector<Push> out;
  for (ResourceType type : portico::xds::kAllResourceTypes) {
    TypeState& state = types_[typeIndex(type)];
    if (!state.active) {
      continue;
    }
    if (auto response = respond(type, state, snapshot)) {
      out.push_back(std::move(*response));
    }
  }
  return out;
}

std::map<std::string, std::string, std::less<>> DeltaSession::held(ResourceType type) const {
  const TypeState& state = types_[typeIndex(type)];
  if (!state.answered) return state.claimed;
  std::map<std::string, std::string, std::less<>> out;
  const View view{state.base.get(), type, state.held_wildcard, state.held_names.get()};
  for (const auto& [name, resource] : state.base->resources(type)) {
    if (view.find(name) != nullptr) out[name] = resource->version;
  }
  return out;
}

bool DeltaSession::wildcard(ResourceType type) const { return types_[typeIndex(type)].wildcard; }

}  // namespace portico::cp::xds
