#pragma once

// An immutable, versioned set of xDS resources for one gateway group: what the translator
// produces and the ADS streams serve. Shared by pointer; never modified after construction.

#include <google/protobuf/any.pb.h>

#include <array>
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
};
using ResourcePtr = std::shared_ptr<const Resource>;

// Serializes deterministically and versions the resource by its content.
ResourcePtr makeResource(const google::protobuf::Message& message, std::string name,
                         bool wildcard = true);

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

 private:
  std::array<Map, portico::xds::kResourceTypeCount> resources_;
  absl::Time change_time_;
  std::array<std::string, portico::xds::kResourceTypeCount> versions_;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace portico::cp::xds
