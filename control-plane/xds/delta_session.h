#pragma once

// The incremental (delta) ADS protocol for one stream, without any I/O: what to answer to each
// DeltaDiscoveryRequest and to each new snapshot. The gRPC reactor (delta_stream) owns one and
// serialises calls into it. Rules follow ../shared/reference/xds-wire.md §1.4 and §1.6:
// - every type URL is an independent sub-stream (subscriptions, held versions, nonces);
// - the server remembers, per resource, the version the client holds (what it was sent, or what
//   it claimed in initial_resource_versions on its first request) and sends a resource only
//   when its version differs, or when the client (re)subscribes to it by name;
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
// - system_version_info is a hash of every (name, version) the client holds after applying the
//   response: equal states give equal versions, and the ProxyTracker compares them.

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

#include "control-plane/xds/snapshot.h"
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
    std::optional<DeltaDiscoveryResponse> response;  // what to send now, if anything
  };

  // Handles one client request against the current snapshot (null before the first
  // translation: the subscription is recorded and answered by the first onSnapshot()).
  RequestOutcome onRequest(const DeltaDiscoveryRequest& request, const SnapshotPtr& snapshot);

  // A new snapshot: the responses to push, in make-before-break order (CDS, EDS, LDS, RDS);
  // empty when nothing this client holds or asked for changed.
  std::vector<DeltaDiscoveryResponse> onSnapshot(const SnapshotPtr& snapshot);

  // Introspection for tests and status: what the server believes the client holds.
  const std::map<std::string, std::string, std::less<>>& held(ResourceType type) const;
  bool wildcard(ResourceType type) const;

 private:
  struct TypeState {
    bool active = false;    // the client has sent a request for this type
    bool answered = false;  // a first response went out (sent even when it carries nothing)
    bool wildcard = false;
    std::set<std::string, std::less<>> names;  // explicit subscriptions
    // name → version the client was sent (ACKed or not) or claimed on reconnect.
    std::map<std::string, std::string, std::less<>> held;
    // Subscribed names already reported in removed_resources because they do not exist.
    std::set<std::string, std::less<>> reported_missing;
    // Names the next response must mention even when unchanged (re-subscribed, or unsubscribed
    // under a wildcard).
    std::set<std::string, std::less<>> must_answer;
    // Responses not yet ACKed/NACKed: (nonce, system_version_info), oldest first.
    std::deque<std::pair<std::string, std::string>> pending;
  };

  // What the client should hold now (by name, pointing into the snapshot), and the explicitly
  // subscribed names that do not exist.
  struct Desired {
    std::map<std::string_view, const Resource*> resources;
    std::vector<std::string_view> missing;
  };

  static Desired desired(const TypeState& state, const Snapshot::Map& all);
  // Moves `state` to `desired`, recording in `response` what the client must be told.
  static void diff(TypeState& state, const Desired& desired, DeltaDiscoveryResponse& response);
  void classifyReply(const DeltaDiscoveryRequest& request, TypeState& state,
                     RequestOutcome& outcome);
  void updateSubscription(ResourceType type, TypeState& state, const DeltaDiscoveryRequest& request,
                          bool first);
  // Builds the response that brings the client from `state.held` to what `snapshot` has for its
  // subscription, updating `state`; nothing when there is nothing to say (after the first).
  std::optional<DeltaDiscoveryResponse> respond(ResourceType type, TypeState& state,
                                                const Snapshot* snapshot);

  std::array<TypeState, portico::xds::kResourceTypeCount> types_;
  uint64_t next_nonce_ = 1;
};

}  // namespace portico::cp::xds
