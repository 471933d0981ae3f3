#pragma once

// The proxy's side of incremental (delta) ADS, without I/O: subscribes by deltas, merges each
// DeltaDiscoveryResponse (changed resources + removed_resources) into a candidate resource set,
// asks `apply` to validate and install it, and says what to send back. Rules:
// - CDS and LDS are wildcard subscriptions ("*"); RDS and EDS subscribe to exactly the names
//   the listeners and clusters reference: new names are subscribed, dropped names unsubscribed,
//   and a resource no longer referenced is dropped locally.
// - A response is all or nothing: any resource that does not decode, has the wrong type, has
//   no body without being in removed_resources, or appears twice, or a candidate `apply`
//   refuses, gives a NACK (error_detail code 3) and the accepted set stays exactly as it was.
//   Resources of RDS/EDS names not subscribed are ignored.
// - Every accepted resource's version is kept (ResourceSet::resource_versions); a new stream
//   presents them as initial_resource_versions with the current subscriptions, so the server
//   re-sends only what changed.
//
// Threading: one thread (the xDS thread).

#include <array>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "data-plane/xds/client_common.h"
#include "data-plane/xds/resource_set.h"
#include "envoy/config/core/v3/base.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace portico::dp::xds {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;

class DeltaClientCore {
 public:
  using Apply = ApplyFn;
  using Response = DeltaDiscoveryResponse;
  struct Result {
    bool accepted = false;
    std::optional<ResourceType> type;             // empty: a type URL we do not know (ignored)
    std::string error;                            // when rejected
    std::vector<DeltaDiscoveryRequest> requests;  // to send, in order
  };

  DeltaClientCore(envoy::config::core::v3::Node node, Apply apply);

  // The requests that open a (new) stream, clusters and endpoints first: one per subscribed
  // type with its subscriptions ("*" for CDS/LDS) and the versions of the resources held
  // (initial_resource_versions); the node on the first only.
  std::vector<DeltaDiscoveryRequest> streamStart();
  Result onResponse(const DeltaDiscoveryResponse& response);

  const ResourceSet& accepted() const { return accepted_; }
  // LDS and CDS accepted at least once, and every referenced route configuration and load
  // assignment has arrived or was reported as not existing (removed_resources).
  bool initialFetchDone() const;
  // Current subscriptions of `type` ({"*"} for the wildcard types).
  std::set<std::string> subscriptions(ResourceType type) const;

 private:
  struct TypeState {
    bool wildcard = false;
    std::set<std::string> names;   // explicit subscriptions (RDS/EDS)
    std::set<std::string> absent;  // subscribed names the server says do not exist
    bool opened = false;           // a request of this type went out on the current stream
    bool received = false;         // a response of this type was accepted once
  };

  // The first request of `type` on a stream: every subscription, and the held versions.
  DeltaDiscoveryRequest openRequest(ResourceType type);
  absl::Status decode(const DeltaDiscoveryResponse& response, ResourceType type,
                      ResourceSet& candidate) const;
  // Sets the subscriptions of RDS or EDS to `names`, adding the request that says so to `out`
  // when they changed.
  void resubscribe(ResourceType type, std::set<std::string> names,
                   std::vector<DeltaDiscoveryRequest>& out);

  envoy::config::core::v3::Node node_;
  Apply apply_;
  ResourceSet accepted_;
  std::array<TypeState, portico::xds::kResourceTypeCount> types_;
};

}  // namespace portico::dp::xds
