#include "control-plane/xds/snapshot.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include "common/hash.h"

namespace portico::cp::xds {

ResourcePtr makeResource(const google::protobuf::Message& message, std::string name, bool wildcard) {
  auto resource = std::make_shared<Resource>();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    // Deterministic: map fields in key order, so equal content gives equal versions.
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  resource->name = std::move(name);
  resource->version = contentVersion(bytes);
  resource->body.set_type_url(std::string(portico::xds::kTypePrefix) + message.GetDescriptor()->full_name());
  resource->body.set_value(std::move(bytes));
  resource->wildcard = wildcard;
  return resource;
}

Snapshot::Snapshot(std::array<Map, portico::xds::kResourceTypeCount> resources, absl::Time change_time)
    : resources_(std::move(resources)), change_time_(change_time) {
  for (int i = 0; i < portico::xds::kResourceTypeCount; ++i) {
    std::string joined;
    for (const auto& [name, resource] : resources_[i]) {
      joined.append(name).push_back('\0');
      joined.append(resource->version).push_back('\n');
    }
    versions_[i] = contentVersion(joined);
  }
}

ResourcePtr Snapshot::find(ResourceType type, std::string_view name) const {
  const Map& map = resources(type);
  auto it = map.find(name);
  return it == map.end() ? nullptr : it->second;
}

}  // namespace portico::cp::xds
