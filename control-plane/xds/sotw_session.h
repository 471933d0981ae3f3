#pragma once

// The state-of-the-world ADS protocol for one stream, without any I/O: what to answer to each
// DiscoveryRequest and to each new snapshot. The gRPC reactor (sotw_stream) owns one and
// serialises calls into it. Rules follow ../shared/reference/xds-wire.md §1.3 and §1.6:
// - every type URL is an independent sub-stream (names, nonce, versions);
// - a request whose response_nonce is not the latest sent for its type is stale and ignored;
// - NACK ⇔ error_detail present; the rejected content is never re-sent unchanged;
// - the response version is a hash of exactly what the response carries (an XOR of the carried
//   resources' identities), so a subscription change that adds names always produces a new
//   response, and an unchanged one none; an unchanged snapshot type is skipped without looking
//   at its resources;
// - LDS/CDS answers carry every subscribed resource that exists (full state, may be empty);
//   RDS/EDS answers are sent only when they carry something, and a push to a client that has
//   the previous snapshot carries only the RDS/EDS resources that changed;
// - wildcard (LDS/CDS): "*" or a first request with no names.

#include <array>
#include <optional>
#include <set>
#include <string>

#include "control-plane/xds/name_set.h"
#include "control-plane/xds/snapshot.h"
#include "control-plane/xds/wire.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace portico::cp::xds {

using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;

class SotwSession {
 public:
  enum class RequestKind { kInitial, kAck, kNack, kStale, kUnknownType };

  struct RequestOutcome {
    RequestKind kind = RequestKind::kInitial;
    std::optional<ResourceType> type;
    std::string nack_message;                  // kNack: error_detail.message
    std::string version;                       // kAck: the ACKed version; kNack: the rejected one
    std::optional<Push> response;  // what to send now, if anything
  };

  // Handles one client request against the current snapshot (which may be null before the
  // first translation).
  RequestOutcome onRequest(const DiscoveryRequest& request, const SnapshotPtr& snapshot);

  // A new snapshot: the responses to push, in make-before-break order (CDS, EDS, LDS, RDS).
  std::vector<Push> onSnapshot(const SnapshotPtr& snapshot);

  // What the client last ACKed / was last sent, per type ("" when nothing).
  const std::string& ackedVersion(ResourceType type) const;
  const std::string& sentVersion(ResourceType type) const;

 private:
  struct TypeState {
    bool active = false;     // the client has asked for this type
    bool wildcard = false;
    bool named_once = false; // an explicit name was ever sent: an empty list no longer means "*"
    NameSetPtr names = emptyNames();  // interned
    std::string nonce;        // latest nonce sent
    std::string sent_version; // version of the latest response
    std::string acked_version;
    // The snapshot type version the last response was computed from (skip when unchanged).
    std::string computed_from;
    // The snapshot and subscription the client was last sent in full or in part: RDS/EDS
    // pushes then carry only what changed since (absence is not deletion for those types).
    SnapshotPtr sent_from;
    NameSetPtr sent_names;
    bool sent_wildcard = false;
  };

  // Builds the response `state` should receive from `snapshot`, or nothing when it would repeat
  // the last one (unless `force`) or carry nothing for RDS/EDS.
  std::optional<Push> respond(ResourceType type, TypeState& state, const SnapshotPtr& snapshot, bool force);
  void updateSubscription(ResourceType type, TypeState& state, const DiscoveryRequest& request);

  std::array<TypeState, portico::xds::kResourceTypeCount> types_;
  uint64_t next_nonce_ = 1;
};

}  // namespace portico::cp::xds
