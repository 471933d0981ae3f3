#pragma once

// An immutable, versioned set of xDS resources for one gateway group: what the translator
// produces and the ADS streams serve. Shared by pointer; never modified after construction.

#include <google/protobuf/any.pb.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <set>
#include <utility>
#include <vector>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/xds/type_urls.h"

namespace google::protobuf {
class Message;
}

namespace portico::cp::xds {

using portico::xds::ResourceType;

struct Resource {
  std::string name;
  std::string version;  // content hash of the serialized resource
  google::protobuf::Any body;
  // Included in wildcard subscriptions (Envoy-style proxies). Proxyless gRPC api_listeners and
  // their route configurations are only served by name.
  bool wildcard = true;
  // 64 bits identifying (name, version): XOR-combined into a cheap, order-independent hash of
  // everything a client holds (delta system_version_info).
  uint64_t identity = 0;
  // The resource framed as one `resources` entry of a DiscoveryResponse (the Any) and of a
  // DeltaDiscoveryResponse (a Resource wrapper): serialized once, shared by every stream.
  std::string wire_sotw;
  std::string wire_delta;
};
using ResourcePtr = std::shared_ptr<const Resource>;

// Serializes deterministically and versions the resource by its content.
ResourcePtr makeResource(const google::protobuf::Message& message, std::string name,
                         bool wildcard = true);

// The names whose resource differs between two snapshots (added, changed or removed), per type,
// sorted. Streams that hold the older snapshot look only at these.
struct SnapshotDiff {
  std::array<std::vector<std::string>, portico::xds::kResourceTypeCount> changed;
};
using SnapshotDiffPtr = std::shared_ptr<const SnapshotDiff>;

// A snapshot's resources of one type seen through a subscription, already framed for the wire
// (the concatenated `resources` entries of a response): what an initial sync or a SotW push of
// that view sends. Built once per view and shared by every stream asking for it.
struct ViewBody {
  std::shared_ptr<const std::string> bytes;
  uint64_t identity_xor = 0;  // XOR of the resources' identities
  size_t count = 0;
};

class Snapshot {
 public:
  using Map = std::map<std::string, ResourcePtr, std::less<>>;

  // `change_time`: when the change this snapshot answers happened (convergence metric);
  // InfinitePast when unknown.
  explicit Snapshot(std::array<Map, portico::xds::kResourceTypeCount> resources,
                    absl::Time change_time = absl::InfinitePast());

  const Map& resources(ResourceType type) const { return resources_[portico::xds::typeIndex(type)]; }
  ResourcePtr find(ResourceType type, std::string_view name) const;
  // Hash over every (name, version) of the type: changes whenever any resource does.
  const std::string& version(ResourceType type) const { return versions_[portico::xds::typeIndex(type)]; }
  absl::Time changeTime() const { return change_time_; }
  // Unique per snapshot in this process (unlike an address, never reused).
  uint64_t generation() const { return generation_; }
  // What changed since `older`; computed once per pair and shared by every stream asking.
  // Thread-safe.
  SnapshotDiffPtr diffFrom(const Snapshot& older) const;
  // The framed resources of `type` visible through (wildcard, names): every wildcard-visible
  // resource when `wildcard`, plus the existing named ones, in name order. `delta` picks the
  // DeltaDiscoveryResponse framing (Resource wrappers) over DiscoveryResponse's (Anys).
  // Thread-safe; cached for the few distinct views streams use.
  ViewBody viewBody(ResourceType type, bool delta, bool wildcard,
                    const std::shared_ptr<const std::set<std::string, std::less<>>>& names) const;

 private:
  std::array<Map, portico::xds::kResourceTypeCount> resources_;
  absl::Time change_time_;
  uint64_t generation_;
  mutable std::mutex diff_mu_;
  mutable std::vector<std::pair<uint64_t, SnapshotDiffPtr>> diffs_;  // by older generation
  struct ViewKey {
    ResourceType type;
    bool delta;
    bool wildcard;
    std::shared_ptr<const std::set<std::string, std::less<>>> names;  // held: no address reuse
    bool operator==(const ViewKey& other) const {
      return type == other.type && delta == other.delta && wildcard == other.wildcard && names == other.names;
    }
  };
  mutable std::vector<std::pair<ViewKey, ViewBody>> views_;  // guarded by diff_mu_
  std::array<std::string, portico::xds::kResourceTypeCount> versions_;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace portico::cp::xds
