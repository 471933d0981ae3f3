// The shared-bytes wire path: what streams write must be byte-for-byte what protobuf would
// serialise for the same response, and the snapshot helpers behind it (diffs, view bodies,
// interned name sets) must say exactly what changed.

#include "control-plane/xds/wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control-plane/xds/name_set.h"
#include "envoy/config/cluster/v3/cluster.pb.h"

namespace portico::cp::xds {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ResourcePtr cluster(const std::string& name, int timeout_seconds, bool wildcard = true) {
  envoy::config::cluster::v3::Cluster message;
  message.set_name(name);
  message.mutable_connect_timeout()->set_seconds(timeout_seconds);
  return makeResource(message, name, wildcard);
}

SnapshotPtr snapshotOf(std::vector<ResourcePtr> clusters) {
  std::array<Snapshot::Map, portico::xds::kResourceTypeCount> maps;
  for (auto& resource : clusters) {
    maps[portico::xds::typeIndex(ResourceType::kCluster)].emplace(resource->name, resource);
  }
  return std::make_shared<const Snapshot>(std::move(maps));
}

std::string bytesOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string out;
  for (const auto& slice : slices) out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return out;
}

Push pushOf(std::vector<ResourcePtr> resources) {
  Push push;
  push.type = ResourceType::kCluster;
  push.version = "v1";
  push.nonce = "7";
  push.resources = std::move(resources);
  return push;
}

TEST(WireTest, DeltaBytesParseToTheSameMessage) {
  Push push = pushOf({cluster("a", 1), cluster("b", 2)});
  push.removed = {"gone"};
  envoy::service::discovery::v3::DeltaDiscoveryResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytesOf(encodeDelta(push))));
  EXPECT_EQ(parsed.SerializeAsString(), toDeltaMessage(push).SerializeAsString());
  EXPECT_EQ(parsed.nonce(), "7");
  EXPECT_EQ(parsed.system_version_info(), "v1");
  EXPECT_THAT(parsed.removed_resources(), ElementsAre("gone"));
  ASSERT_EQ(parsed.resources_size(), 2);
  EXPECT_EQ(parsed.resources(1).name(), "b");
  EXPECT_EQ(parsed.resources(1).version(), push.resources[1]->version);
}

TEST(WireTest, SotwBytesParseToTheSameMessage) {
  const Push push = pushOf({cluster("a", 1)});
  envoy::service::discovery::v3::DiscoveryResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytesOf(encodeSotw(push))));
  EXPECT_EQ(parsed.SerializeAsString(), toSotwMessage(push).SerializeAsString());
  EXPECT_EQ(parsed.type_url(), "type.googleapis.com/envoy.config.cluster.v3.Cluster");
  envoy::config::cluster::v3::Cluster decoded;
  ASSERT_TRUE(parsed.resources(0).UnpackTo(&decoded));
  EXPECT_EQ(decoded.connect_timeout().seconds(), 1);
}

TEST(WireTest, ViewBodyIsTheFramedViewAndIsShared) {
  const SnapshotPtr snapshot = snapshotOf({cluster("a", 1), cluster("b", 2), cluster("grpc/a", 3, false)});
  const NameSetPtr names = internNames({"grpc/a"});
  const ViewBody wildcard = snapshot->viewBody(ResourceType::kCluster, true, true, emptyNames());
  EXPECT_EQ(wildcard.count, 2u);
  const ViewBody again = snapshot->viewBody(ResourceType::kCluster, true, true, emptyNames());
  EXPECT_EQ(again.bytes.get(), wildcard.bytes.get()) << "one body per view, shared";
  const ViewBody named = snapshot->viewBody(ResourceType::kCluster, true, true, names);
  EXPECT_EQ(named.count, 3u) << "wildcard plus the named non-wildcard resource";

  Push push;
  push.type = ResourceType::kCluster;
  push.body = named.bytes;
  envoy::service::discovery::v3::DeltaDiscoveryResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytesOf(encodeDelta(push))));
  ASSERT_EQ(parsed.resources_size(), 3);
  EXPECT_EQ(parsed.resources(0).name(), "a");
  EXPECT_EQ(parsed.resources(2).name(), "grpc/a");
  uint64_t identities = 0;
  for (const auto& [name, resource] : snapshot->resources(ResourceType::kCluster)) identities ^= resource->identity;
  EXPECT_EQ(named.identity_xor, identities);
}

TEST(WireTest, DiffNamesExactlyWhatChanged) {
  const ResourcePtr a = cluster("a", 1);
  const SnapshotPtr before = snapshotOf({a, cluster("b", 2), cluster("c", 3)});
  const SnapshotPtr after = snapshotOf({a, cluster("b", 20), cluster("d", 4)});
  const SnapshotDiffPtr diff = after->diffFrom(*before);
  EXPECT_THAT(diff->changed[portico::xds::typeIndex(ResourceType::kCluster)], ElementsAre("b", "c", "d"));
  EXPECT_THAT(diff->changed[portico::xds::typeIndex(ResourceType::kEndpoint)], IsEmpty());
  EXPECT_EQ(after->diffFrom(*before).get(), diff.get()) << "computed once per pair";
  // Equal content built separately is no change.
  const SnapshotPtr same = snapshotOf({cluster("a", 1), cluster("b", 20), cluster("d", 4)});
  EXPECT_THAT(same->diffFrom(*after)->changed[portico::xds::typeIndex(ResourceType::kCluster)], IsEmpty());
}

TEST(WireTest, InternedNameSetsAreShared) {
  const NameSetPtr one = internNames({"x", "y"});
  const NameSetPtr two = internNames({"y", "x"});
  EXPECT_EQ(one.get(), two.get());
  EXPECT_NE(internNames({"x"}).get(), one.get());
  EXPECT_EQ(internNames({}).get(), emptyNames().get());
}

TEST(WireTest, DecodeRejectsGarbage) {
  const std::string junk = "\xff\xff\xff";
  grpc::Slice slice(junk);
  grpc::ByteBuffer buffer(&slice, 1);
  envoy::service::discovery::v3::DiscoveryRequest request;
  EXPECT_FALSE(decodeMessage(buffer, request));
}

}  // namespace
}  // namespace portico::cp::xds
