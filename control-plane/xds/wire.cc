#include "control-plane/xds/wire.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <grpcpp/support/slice.h>

namespace portico::cp::xds {

namespace {

using google::protobuf::io::CodedOutputStream;
using google::protobuf::io::StringOutputStream;

// Field numbers of DiscoveryResponse / DeltaDiscoveryResponse / Resource (xds-wire.md §2).
constexpr int kVersionInfo = 1;   // both: version_info / system_version_info
constexpr int kResources = 2;     // both
constexpr int kTypeUrl = 4;       // both
constexpr int kNonce = 5;         // both
constexpr int kRemoved = 6;       // delta

void writeString(CodedOutputStream& out, int field, const std::string& value) {
  if (value.empty()) return;  // proto3: absent and empty are the same
  out.WriteTag(static_cast<uint32_t>(field << 3 | 2));
  out.WriteVarint32(static_cast<uint32_t>(value.size()));
  out.WriteString(value);
}

std::string head(const Push& push, bool delta) {
  std::string bytes;
  {
    StringOutputStream raw(&bytes);
    CodedOutputStream out(&raw);
    writeString(out, kVersionInfo, push.version);
    writeString(out, kTypeUrl, std::string(portico::xds::typeUrl(push.type)));
    writeString(out, kNonce, push.nonce);
    if (delta) {
      for (const std::string& name : push.removed) {
        out.WriteTag(static_cast<uint32_t>(kRemoved << 3 | 2));
        out.WriteVarint32(static_cast<uint32_t>(name.size()));
        out.WriteString(name);
      }
    }
  }
  return bytes;
}

void releaseResource(void* user_data) { delete static_cast<ResourcePtr*>(user_data); }
void releaseBody(void* user_data) { delete static_cast<std::shared_ptr<const std::string>*>(user_data); }

grpc::ByteBuffer encode(const Push& push, bool delta) {
  std::vector<grpc::Slice> slices;
  slices.reserve(push.resources.size() + 1);
  slices.emplace_back(head(push, delta));
  if (push.body && !push.body->empty()) {
    slices.emplace_back(const_cast<char*>(push.body->data()), push.body->size(), &releaseBody,
                        new std::shared_ptr<const std::string>(push.body));
  }
  for (const ResourcePtr& resource : push.resources) {
    const std::string& entry = delta ? resource->wire_delta : resource->wire_sotw;
    // The slice borrows the snapshot's bytes and keeps the resource alive until gRPC is done.
    slices.emplace_back(const_cast<char*>(entry.data()), entry.size(), &releaseResource, new ResourcePtr(resource));
  }
  return grpc::ByteBuffer(slices.data(), slices.size());
}

}  // namespace

std::string frameSotwEntry(const google::protobuf::Any& body) {
  std::string bytes;
  {
    StringOutputStream raw(&bytes);
    CodedOutputStream out(&raw);
    out.WriteTag(static_cast<uint32_t>(kResources << 3 | 2));
    out.WriteVarint32(static_cast<uint32_t>(body.ByteSizeLong()));
    body.SerializeWithCachedSizes(&out);
  }
  return bytes;
}

std::string frameDeltaEntry(const std::string& name, const std::string& version, const google::protobuf::Any& body) {
  envoy::service::discovery::v3::Resource wrapper;
  wrapper.set_name(name);
  wrapper.set_version(version);
  *wrapper.mutable_resource() = body;
  std::string bytes;
  {
    StringOutputStream raw(&bytes);
    CodedOutputStream out(&raw);
    out.WriteTag(static_cast<uint32_t>(kResources << 3 | 2));
    out.WriteVarint32(static_cast<uint32_t>(wrapper.ByteSizeLong()));
    wrapper.SerializeWithCachedSizes(&out);
  }
  return bytes;
}

grpc::ByteBuffer encodeSotw(const Push& push) { return encode(push, false); }
grpc::ByteBuffer encodeDelta(const Push& push) { return encode(push, true); }

envoy::service::discovery::v3::DiscoveryResponse toSotwMessage(const Push& push) {
  envoy::service::discovery::v3::DiscoveryResponse out;
  out.set_version_info(push.version);
  out.set_type_url(std::string(portico::xds::typeUrl(push.type)));
  out.set_nonce(push.nonce);
  if (push.body) {
    envoy::service::discovery::v3::DiscoveryResponse framed;
    framed.ParseFromString(*push.body);  // the body is a serialized run of `resources` entries
    out.mutable_resources()->MergeFrom(framed.resources());
  }
  for (const ResourcePtr& resource : push.resources) *out.add_resources() = resource->body;
  return out;
}

envoy::service::discovery::v3::DeltaDiscoveryResponse toDeltaMessage(const Push& push) {
  envoy::service::discovery::v3::DeltaDiscoveryResponse out;
  out.set_system_version_info(push.version);
  out.set_type_url(std::string(portico::xds::typeUrl(push.type)));
  out.set_nonce(push.nonce);
  if (push.body) {
    envoy::service::discovery::v3::DeltaDiscoveryResponse framed;
    framed.ParseFromString(*push.body);
    out.mutable_resources()->MergeFrom(framed.resources());
  }
  for (const ResourcePtr& resource : push.resources) {
    auto* entry = out.add_resources();
    entry->set_name(resource->name);
    entry->set_version(resource->version);
    *entry->mutable_resource() = resource->body;
  }
  for (const std::string& name : push.removed) out.add_removed_resources(name);
  return out;
}

bool decodeMessage(const grpc::ByteBuffer& buffer, google::protobuf::Message& message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  bytes.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return message.ParseFromString(bytes);
}

}  // namespace portico::cp::xds
