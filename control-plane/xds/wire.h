#pragma once

// What the ADS streams write, and how it reaches the wire without copying resources.
//
// Every resource is serialized once, when the snapshot is built (Resource::wire_sotw and
// wire_delta hold it already framed as one `resources` entry of DiscoveryResponse /
// DeltaDiscoveryResponse). A response is a small head (version, type URL, nonce, removed
// names) plus one gRPC slice per resource pointing at those shared bytes — so a thousand
// proxies syncing a thousand clusters share one copy of each cluster instead of holding a
// thousand. The ADS methods are registered "raw" (grpc::ByteBuffer in and out) for this.

#include <grpcpp/support/byte_buffer.h>

#include <string>
#include <vector>

#include "control-plane/xds/snapshot.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace portico::cp::xds {

struct Push {
  ResourceType type = ResourceType::kCluster;
  std::string version;  // SotW version_info, or delta system_version_info
  std::string nonce;
  std::vector<ResourcePtr> resources;
  // Or, for a whole view: its framed resources, shared with every stream sending that view
  // (Snapshot::viewBody). Sent before `resources`.
  std::shared_ptr<const std::string> body;
  std::vector<std::string> removed;  // delta only
};

grpc::ByteBuffer encodeSotw(const Push& push);
grpc::ByteBuffer encodeDelta(const Push& push);

// The equivalent protobuf messages (copying every resource): for tests and debugging.
envoy::service::discovery::v3::DiscoveryResponse toSotwMessage(const Push& push);
envoy::service::discovery::v3::DeltaDiscoveryResponse toDeltaMessage(const Push& push);

// Parses a request read as raw bytes. False when the bytes are not a valid message.
bool decodeMessage(const grpc::ByteBuffer& buffer, google::protobuf::Message& message);

// The framed `resources` entries stored in Resource (used by makeResource).
std::string frameSotwEntry(const google::protobuf::Any& body);
std::string frameDeltaEntry(const std::string& name, const std::string& version, const google::protobuf::Any& body);

}  // namespace portico::cp::xds
