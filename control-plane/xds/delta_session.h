#pragma once

// The incremental (delta) ADS protocol for one stream, without any I/O: what to answer to each
// DeltaDiscoveryRequest and to each new snapshot. The gRPC reactor (delta_stream) owns one and
// serialises calls into it. Rules follow ../shared/reference/xds-wire.md §1.4 and §1.6:
// - every type URL is an independent sub-stream (subscriptions, held versions, nonces);
// - the server knows, per resource, the version the client holds (what it was sent, or what it
//   claimed in initial_resource_versions on its first request) and sends a resource only when
//   its version differs, or when the client (re)subscribes to it by name;
// - removed_resources lists held names that left the client's subscription set (deleted, or no
//   longer wildcard-visible), and explicitly subscribed names that do not exist (once, until
//   they appear or are subscribed to again);
// - NACK ⇔ error_detail. The rejected versions stay "held", so nothing is re-sent until a
//   resource's version changes; subscription changes in any request (ACK, NACK, stale or no
//   nonce) are honoured;
// - wildcard (LDS/CDS only): "*" in resource_names_subscribe, or a first request with both lists
//   empty (legacy). It lasts until "*" is unsubscribed. Resources with Resource::wildcard false
//   are served only by explicit name;
// - unsubscribing a name while wildcard is active is always answered: the resource again if the
//   wildcard still covers it, else its name in removed_resources;
// - system_version_info identifies what the client holds after the response: an XOR of the
//   held resources' identities, so equal states give equal versions however they were reached.
//
// Scale: after its first answer a type's state is "the client holds snapshot S seen through its
// subscription" — a snapshot pointer and an interned name set, no per-resource map. A new
// snapshot is applied by looking only at the names S→new changed (SnapshotDiff, computed once
// and shared by every stream), so an endpoint change costs each stream O(changed names).

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control-plane/xds/name_set.h"
#include "control-plane/xds/snapshot.h"
#include "control-plane/xds/wire.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace portico::cp::xds {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;

class DeltaSession {
 public:
  enum class RequestKind {
    kInitial,       // first request for the type on this stream
    kAck,           // answers a response of ours without error_detail
    kNack,          // carries error_detail
    kSubscription,  // no nonce, or a nonce we no longer track: a subscription change at most
    kUnknownType,
  };

  struct RequestOutcome {
    RequestKind kind = RequestKind::kInitial;
    std::optional<ResourceType> type;
    std::string nack_message;  // kNack: error_detail.message
    // kAck: the ACKed response's system_version_info; kNack: the rejected one's ("" when the
    // nonce is not one we track).
    std::string version;
    std::optional<Push> response;  // what to send now, if anything
  };

  // Handles one client request against the current snapshot (null before the first
  // translation: the subscription is recorded and answered by the first onSnapshot()).
  RequestOutcome onRequest(const DeltaDiscoveryRequest& request, const SnapshotPtr& snapshot);

  // A new snapshot: the responses to push, in make-before-break order (CDS, EDS, LDS, RDS);
  // empty when nothing this client holds or asked for changed.
  std::vector<Push> onSnapshot(const SnapshotPtr& snapshot);

  // Introspection for tests and status: what the server believes the client holds (name →
  // version). Computed on demand.
  std::map<std::string, std::string, std::less<>> held(ResourceType type) const;
  bool wildcard(ResourceType type) const;

 private:
  // What a client holds: a snapshot's resources seen through a subscription.
  struct View {
    const Snapshot* snapshot = nullptr;
    ResourceType type = ResourceType::kCluster;
    bool wildcard = false;
    const NameSet* names = nullptr;
    const ResourcePtr* find(std::string_view name) const;
  };

  struct TypeState {
    bool active = false;    // the client has sent a request for this type
    bool answered = false;  // a first response went out (sent even when it carries nothing)
    bool wildcard = false;
    NameSetPtr names = emptyNames();  // explicit subscriptions (interned)
    // After the first answer: the client holds `base` seen through (held_wildcard, held_names).
    SnapshotPtr base;
    bool held_wildcard = false;
    NameSetPtr held_names = emptyNames();
    uint64_t held_hash = 0;  // XOR of held identities
    // Before the first answer: what the client claimed in initial_resource_versions.
    std::map<std::string, std::string, std::less<>> claimed;
    // Subscribed names already reported in removed_resources because they do not exist.
    std::set<std::string, std::less<>> reported_missing;
    // Names the next response must mention even when unchanged (re-subscribed, or unsubscribed
    // under a wildcard).
    std::set<std::string, std::less<>> must_answer;
    // Responses not yet ACKed/NACKed: (nonce, system_version_info), oldest first.
    std::deque<std::pair<std::string, std::string>> pending;
  };

  void classifyReply(const DeltaDiscoveryRequest& request, TypeState& state, RequestOutcome& outcome);
  void updateSubscription(ResourceType type, TypeState& state, const DeltaDiscoveryRequest& request, bool first);
  // Brings the client to `snapshot` seen through its current subscription; the response says
  // what changed, or nothing when there is nothing to say (after the first answer).
  std::optional<Push> respond(ResourceType type, TypeState& state, const SnapshotPtr& snapshot);
  // First answer: from what the client claimed to the full current view.
  void answerFirst(TypeState& state, const View& now, Push& response);
  // Later answers: from the held view to the current one, looking only at `candidates`.
  void answerChanges(TypeState& state, const View& before, const View& now,
                     const std::vector<std::string_view>& candidates, Push& response);

  std::array<TypeState, portico::xds::kResourceTypeCount> types_;
  uint64_t next_nonce_ = 1;
};

}  // namespace portico::cp::xds
