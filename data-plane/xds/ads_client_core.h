#pragma once

// The proxy's side of SotW ADS, without I/O: decodes each DiscoveryResponse, builds the
// candidate resource set, asks `apply` to validate and install it, and says what to send back
// (ACK, NACK with error_detail, or new RDS/EDS subscriptions). Rules:
// - CDS and LDS are wildcard subscriptions and full state: a response replaces the type.
// - RDS and EDS follow what listeners and clusters reference; responses merge by name, and a
//   resource no longer referenced is dropped.
// - NACK carries the last accepted version and the rejected response's nonce; the accepted set
//   stays exactly as it was.
//
// Threading: one thread (the xDS thread).

#include <array>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "data-plane/xds/client_common.h"
#include "data-plane/xds/resource_set.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace portico::dp::xds {

using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;

class AdsClientCore {
 public:
  using Apply = ApplyFn;
  using Response = DiscoveryResponse;
  struct Result {
    bool accepted = false;
    std::optional<ResourceType> type;
    std::string error;                       // when rejected
    std::vector<DiscoveryRequest> requests;  // to send, in order
  };

  AdsClientCore(envoy::config::core::v3::Node node, Apply apply);

  // The requests that open a (new) stream: the node on the first, each subscribed type with its
  // last accepted version and no nonce (the server answers with full state).
  std::vector<DiscoveryRequest> streamStart();
  Result onResponse(const DiscoveryResponse& response);

  const ResourceSet& accepted() const { return accepted_; }
  // LDS and CDS accepted at least once, and every referenced route configuration and load
  // assignment has arrived.
  bool initialFetchDone() const;

 private:
  struct TypeState {
    bool wildcard = false;
    std::set<std::string> names;
    std::string last_nonce;
    bool received = false;
  };

  DiscoveryRequest request(ResourceType type) const;
  absl::Status decode(const DiscoveryResponse& response, ResourceType type,
                      ResourceSet& candidate) const;
  // Recomputes RDS/EDS subscriptions from `set`, drops unreferenced resources from it, and adds
  // the subscription requests that changed to `out`.
  void follow(ResourceSet& set, std::vector<DiscoveryRequest>& out);

  envoy::config::core::v3::Node node_;
  Apply apply_;
  ResourceSet accepted_;
  std::array<TypeState, portico::xds::kResourceTypeCount> types_;
};

}  // namespace portico::dp::xds
