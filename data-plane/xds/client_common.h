#pragma once

// What the SotW (AdsClientCore) and delta (DeltaClientCore) client cores share: decoding one
// resource of a type into a ResourceSet, per-type edits of a set (resources and their versions
// move together), following the RDS/EDS names that listeners and clusters reference, the
// initial-fetch rule and the NACK status. No I/O; the xDS thread.

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data-plane/xds/resource_set.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"

namespace portico::dp::xds {

using portico::xds::ResourceType;

// Validates a candidate set and installs it (compile + bind + publish); a non-OK status is the
// NACK's message and leaves the running configuration alone.
using ApplyFn = std::function<absl::Status(const ResourceSet& candidate)>;

// Decodes `any`, which must hold exactly a resource of `type`, into `into` under the resource's
// own name (Listener, RouteConfiguration and Cluster: name; ClusterLoadAssignment:
// cluster_name), recording `version` as its version. Returns that name. Errors (the NACK text):
// another type, bytes that do not decode, no name, a name already in `into` (twice in one
// response).
absl::StatusOr<std::string> decodeResource(ResourceType type, const google::protobuf::Any& any,
                                           std::string_view version, ResourceSet& into);

// True if `set` holds a resource of `type` named `name`.
bool holds(const ResourceSet& set, ResourceType type, std::string_view name);
// Removes a resource and its version (no-op if absent).
void eraseResource(ResourceSet& set, ResourceType type, std::string_view name);
// Removes the resources of `type` (and their versions) whose names are not in `names`.
void keepOnly(ResourceSet& set, ResourceType type, const std::set<std::string>& names);
// Moves every resource of `type` in `fresh` into `target`, replacing those with the same name.
void mergeResources(ResourceSet& target, ResourceSet&& fresh, ResourceType type);
// Makes `target`'s resources of `type` exactly `fresh`'s (a full-state SotW answer).
void replaceResources(ResourceSet& target, ResourceSet&& fresh, ResourceType type);

// The RDS and EDS names a set's listeners and clusters reference.
struct References {
  std::set<std::string> routes;
  std::set<std::string> endpoints;
};
// Computes what `set` references and drops from it the route configurations and load
// assignments nothing references any more.
References followReferences(ResourceSet& set);

// Readiness: LDS and CDS were accepted at least once, and every name in `wanted` is held by
// `set` or known not to exist (`absent`; delta only: removed_resources naming it).
bool initialFetchComplete(bool lds_received, bool cds_received, const ResourceSet& set,
                          const References& wanted, const References& absent = {});

// The error_detail of a NACK: code 3 (INVALID_ARGUMENT) and `message`.
google::rpc::Status nackStatus(std::string_view message);

}  // namespace portico::dp::xds
