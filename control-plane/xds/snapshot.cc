#include "control-plane/xds/snapshot.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include <atomic>

#include "common/hash.h"
#include "control-plane/xds/wire.h"

namespace portico::cp::xds {

namespace {
std::atomic<uint64_t> g_next_generation{1};
constexpr size_t kMaxCachedDiffs = 4;  // streams lag at most a snapshot or two behind
}  // namespace

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
  const std::string identity = contentVersion(resource->name + '\0' + resource->version);
  resource->identity = std::stoull(identity, nullptr, 16);
  resource->wire_sotw = frameSotwEntry(resource->body);
  resource->wire_delta = frameDeltaEntry(resource->name, resource->version, resource->body);
  return resource;
}

Snapshot::Snapshot(std::array<Map, portico::xds::kResourceTypeCount> resources, absl::Time change_time)
    : resources_(std::move(resources)), change_time_(change_time), generation_(g_next_generation.fetch_add(1)) {
  for (int i = 0; i < portico::xds::kResourceTypeCount; ++i) {
    std::string joined;
    for (const auto& [name, resource] : resources_[i]) {
      joined.append(name).push_back('\0');
      joined.append(resource->version).push_back('\n');
    }
    versions_[i] = contentVersion(joined);
  }
}

SnapshotDiffPtr Snapshot::diffFrom(const Snapshot& older) const {
  std::lock_guard<std::mutex> lock(diff_mu_);
  for (const auto& [generation, diff] : diffs_) {
    if (generation == older.generation_) return diff;
  }
  auto diff = std::make_shared<SnapshotDiff>();
  for (int i = 0; i < portico::xds::kResourceTypeCount; ++i) {
    const Map& before = older.resources_[i];
    const Map& after = resources_[i];
    std::vector<std::string>& changed = diff->changed[i];
    auto a = before.begin();
    auto b = after.begin();
    while (a != before.end() || b != after.end()) {
      if (b == after.end() || (a != before.end() && a->first < b->first)) {
        changed.push_back(a->first);  // removed
        ++a;
      } else if (a == before.end() || b->first < a->first) {
        changed.push_back(b->first);  // added
        ++b;
      } else {
        if (a->second != b->second && (a->second->identity != b->second->identity || a->second->wildcard != b->second->wildcard)) {
          changed.push_back(a->first);
        }
        ++a;
        ++b;
      }
    }
  }
  if (diffs_.size() >= kMaxCachedDiffs) diffs_.erase(diffs_.begin());
  diffs_.emplace_back(older.generation_, diff);
  return diff;
}

ViewBody Snapshot::viewBody(ResourceType type, bool delta, bool wildcard,
                            const std::shared_ptr<const std::set<std::string, std::less<>>>& names) const {
  constexpr size_t kMaxCachedViews = 16;
  const ViewKey key{type, delta, wildcard, names};
  std::lock_guard<std::mutex> lock(diff_mu_);
  for (const auto& [cached_key, body] : views_) {
    if (cached_key == key) return body;
  }
  std::vector<const Resource*> chosen;
  const Map& all = resources(type);
  if (wildcard) {
    for (const auto& [name, resource] : all) {
      if (resource->wildcard || (names && names->contains(name))) chosen.push_back(resource.get());
    }
  } else if (names) {
    for (const std::string& name : *names) {
      if (auto it = all.find(name); it != all.end()) chosen.push_back(it->second.get());
    }
  }
  auto bytes = std::make_shared<std::string>();
  ViewBody body;
  for (const Resource* resource : chosen) {
    bytes->append(delta ? resource->wire_delta : resource->wire_sotw);
    body.identity_xor ^= resource->identity;
  }
  body.count = chosen.size();
  body.bytes = std::move(bytes);
  if (views_.size() >= kMaxCachedViews) views_.erase(views_.begin());
  views_.emplace_back(key, body);
  return body;
}

ResourcePtr Snapshot::find(ResourceType type, std::string_view name) const {
  const Map& map = resources(type);
  auto it = map.find(name);
  return it == map.end() ? nullptr : it->second;
}

}  // namespace portico::cp::xds
