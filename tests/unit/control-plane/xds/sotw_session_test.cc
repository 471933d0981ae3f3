#include "control-plane/xds/sotw_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"

namespace portico::cp::xds {
namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;
using Kind = SotwSession::RequestKind;

// The session under test seen through protobuf messages: the session emits Pushes (resources
// by pointer, wire.h); converting them keeps the assertions about what goes on the wire.
class SotwSessionUnderTest {
 public:
  struct RequestOutcome {
    SotwSession::RequestKind kind;
    std::optional<ResourceType> type;
    std::string nack_message;
    std::string version;
    std::optional<DiscoveryResponse> response;
  };
  template <typename Request>
  RequestOutcome onRequest(const Request& request, const SnapshotPtr& snapshot) {
    SotwSession::RequestOutcome in = session_.onRequest(request, snapshot);
    RequestOutcome out{in.kind, in.type, in.nack_message, in.version, std::nullopt};
    if (in.response) out.response = toSotwMessage(*in.response);
    return out;
  }
  std::vector<DiscoveryResponse> onSnapshot(const SnapshotPtr& snapshot) {
    std::vector<DiscoveryResponse> out;
    for (const Push& push : session_.onSnapshot(snapshot)) out.push_back(toSotwMessage(push));
    return out;
  }
  const std::string& ackedVersion(ResourceType type) const { return session_.ackedVersion(type); }
  const std::string& sentVersion(ResourceType type) const { return session_.sentVersion(type); }
 private:
  SotwSession session_;
};
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr ResourceType kCds = ResourceType::kCluster;
constexpr ResourceType kEds = ResourceType::kEndpoint;
constexpr ResourceType kLds = ResourceType::kListener;
constexpr ResourceType kRds = ResourceType::kRoute;

// Small snapshots by hand: `tag` changes a resource's content (and so its version).
class SnapshotBuilder {
 public:
  SnapshotBuilder& cluster(const std::string& name, int tag = 1) {
    Cluster cluster;
    cluster.set_name(name);
    cluster.mutable_connect_timeout()->set_seconds(tag);
    put(kCds, makeResource(cluster, name));
    return *this;
  }
  SnapshotBuilder& endpoints(const std::string& name, int tag = 1) {
    ClusterLoadAssignment assignment;
    assignment.set_cluster_name(name);
    auto* socket = assignment.add_endpoints()
                       ->add_lb_endpoints()
                       ->mutable_endpoint()
                       ->mutable_address()
                       ->mutable_socket_address();
    socket->set_address("10.0.0.1");
    socket->set_port_value(static_cast<uint32_t>(tag));
    put(kEds, makeResource(assignment, name));
    return *this;
  }
  SnapshotBuilder& listener(const std::string& name, int tag = 1, bool wildcard = true) {
    Listener listener;
    listener.set_name(name);
    listener.mutable_address()->mutable_socket_address()->set_port_value(
        static_cast<uint32_t>(tag));
    put(kLds, makeResource(listener, name, wildcard));
    return *this;
  }
  SnapshotBuilder& route(const std::string& name, int tag = 1, bool wildcard = true) {
    RouteConfiguration route;
    route.set_name(name);
    route.add_virtual_hosts()->set_name("v" + std::to_string(tag));
    put(kRds, makeResource(route, name, wildcard));
    return *this;
  }
  SnapshotPtr build() const { return std::make_shared<const Snapshot>(maps_); }

 private:
  void put(ResourceType type, ResourcePtr resource) {
    maps_[portico::xds::typeIndex(type)][resource->name] = std::move(resource);
  }
  std::array<Snapshot::Map, portico::xds::kResourceTypeCount> maps_;
};

// The standard content: two clusters with endpoints, a traffic listener with its routes, and a
// gRPC api_listener served only by name.
SnapshotBuilder standard() {
  SnapshotBuilder b;
  b.cluster("orders").cluster("users");
  b.endpoints("orders").endpoints("users");
  b.listener("public").listener("greeter", 1, /*wildcard=*/false);
  b.route("public").route("grpc/greeter", 1, /*wildcard=*/false);
  return b;
}

DiscoveryRequest request(ResourceType type, std::vector<std::string> names,
                         const std::string& nonce = "", const std::string& version = "") {
  DiscoveryRequest out;
  out.set_type_url(std::string(portico::xds::typeUrl(type)));
  for (auto& name : names) {
    out.add_resource_names(std::move(name));
  }
  out.set_response_nonce(nonce);
  out.set_version_info(version);
  return out;
}

// An ACK of `response` that keeps the subscription `names`.
DiscoveryRequest ack(const DiscoveryResponse& response, std::vector<std::string> names) {
  DiscoveryRequest out = request(*portico::xds::typeFromUrl(response.type_url()), std::move(names),
                                 response.nonce(), response.version_info());
  return out;
}

DiscoveryRequest nack(const DiscoveryResponse& response, std::vector<std::string> names,
                      const std::string& last_good_version, const std::string& message) {
  DiscoveryRequest out = request(*portico::xds::typeFromUrl(response.type_url()), std::move(names),
                                 response.nonce(), last_good_version);
  out.mutable_error_detail()->set_code(3);
  out.mutable_error_detail()->set_message(message);
  return out;
}

// Names of the resources a response carries, in order.
std::vector<std::string> namesIn(const DiscoveryResponse& response) {
  std::vector<std::string> out;
  for (const auto& any : response.resources()) {
    if (Cluster c; any.UnpackTo(&c) && any.type_url() == portico::xds::kClusterType) {
      out.push_back(c.name());
    } else if (ClusterLoadAssignment e;
               any.UnpackTo(&e) && any.type_url() == portico::xds::kEndpointType) {
      out.push_back(e.cluster_name());
    } else if (Listener l; any.UnpackTo(&l) && any.type_url() == portico::xds::kListenerType) {
      out.push_back(l.name());
    } else if (RouteConfiguration r;
               any.UnpackTo(&r) && any.type_url() == portico::xds::kRouteType) {
      out.push_back(r.name());
    } else {
      ADD_FAILURE() << "unexpected resource " << any.type_url();
    }
  }
  return out;
}

class SotwSessionTest : public ::testing::Test {
 protected:
  // Sends `req` and returns the response it requires; fails the test when there is none.
  DiscoveryResponse expectResponse(const DiscoveryRequest& req, const SnapshotPtr& snapshot,
                                   Kind kind) {
    SotwSessionUnderTest::RequestOutcome outcome = session_.onRequest(req, snapshot);
    EXPECT_EQ(outcome.kind, kind);
    EXPECT_TRUE(outcome.response.has_value()) << "no response to " << req.DebugString();
    if (!outcome.response) {
      return DiscoveryResponse();
    }
    EXPECT_EQ(outcome.response->type_url(), req.type_url());
    EXPECT_FALSE(outcome.response->nonce().empty());
    EXPECT_FALSE(outcome.response->version_info().empty());
    return *outcome.response;
  }
  void expectNoResponse(const DiscoveryRequest& req, const SnapshotPtr& snapshot, Kind kind) {
    SotwSessionUnderTest::RequestOutcome outcome = session_.onRequest(req, snapshot);
    EXPECT_EQ(outcome.kind, kind);
    EXPECT_FALSE(outcome.response.has_value()) << "unexpected " << outcome.response->DebugString();
  }

  SotwSessionUnderTest session_;
  SnapshotPtr snapshot_ = standard().build();
};

TEST_F(SotwSessionTest, InitialRequestIsAnsweredWithFullState) {
  DiscoveryResponse cds = expectResponse(request(kCds, {}), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(cds), ElementsAre("orders", "users"));
  EXPECT_EQ(cds.type_url(), portico::xds::kClusterType);
  EXPECT_EQ(session_.sentVersion(kCds), cds.version_info());
  EXPECT_EQ(session_.ackedVersion(kCds), "");

  DiscoveryResponse eds =
      expectResponse(request(kEds, {"orders", "users"}), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(eds), ElementsAre("orders", "users"));
}

TEST_F(SotwSessionTest, InitialRequestWithAnOldVersionIsStillAnswered) {
  // A reconnecting client presents the version it had and a nonce from the old stream.
  DiscoveryResponse cds =
      expectResponse(request(kCds, {"orders"}, "17", "abc"), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(cds), ElementsAre("orders"));
}

TEST_F(SotwSessionTest, UnknownTypeUrl) {
  DiscoveryRequest req;
  req.set_type_url("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");
  SotwSessionUnderTest::RequestOutcome outcome = session_.onRequest(req, snapshot_);
  EXPECT_EQ(outcome.kind, Kind::kUnknownType);
  EXPECT_FALSE(outcome.type.has_value());
  EXPECT_FALSE(outcome.response.has_value());
}

TEST_F(SotwSessionTest, AckOfTheSameSnapshotGetsNoResponse) {
  DiscoveryResponse cds = expectResponse(request(kCds, {}), snapshot_, Kind::kInitial);
  SotwSessionUnderTest::RequestOutcome outcome = session_.onRequest(ack(cds, {}), snapshot_);
  EXPECT_EQ(outcome.kind, Kind::kAck);
  ASSERT_TRUE(outcome.type.has_value());
  EXPECT_EQ(*outcome.type, kCds);
  EXPECT_EQ(outcome.version, cds.version_info());
  EXPECT_FALSE(outcome.response.has_value());
  EXPECT_EQ(session_.ackedVersion(kCds), cds.version_info());

  // The same snapshot again, or an equal one built anew: nothing to push.
  EXPECT_THAT(session_.onSnapshot(snapshot_), IsEmpty());
  EXPECT_THAT(session_.onSnapshot(standard().build()), IsEmpty());
}

TEST_F(SotwSessionTest, NackIsRecordedAndNotAnsweredWithTheSameContent) {
  DiscoveryResponse cds = expectResponse(request(kCds, {}), snapshot_, Kind::kInitial);
  SotwSessionUnderTest::RequestOutcome outcome = session_.onRequest(
      nack(cds, {}, "", "xDS response validation errors: [bad cluster]"), snapshot_);
  EXPECT_EQ(outcome.kind, Kind::kNack);
  EXPECT_EQ(outcome.nack_message, "xDS response validation errors: [bad cluster]");
  EXPECT_EQ(outcome.version, cds.version_info());  // the rejected version
  EXPECT_FALSE(outcome.response.has_value());
  EXPECT_EQ(session_.ackedVersion(kCds), "");

  // A new snapshot with the same content must not re-send what was rejected...
  EXPECT_THAT(session_.onSnapshot(standard().build()), IsEmpty());
  // ...but different content is sent.
  std::vector<DiscoveryResponse> pushed =
      session_.onSnapshot(standard().cluster("billing").build());
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_EQ(pushed[0].type_url(), portico::xds::kClusterType);
  EXPECT_THAT(namesIn(pushed[0]), ElementsAre("billing", "orders", "users"));
  EXPECT_NE(pushed[0].version_info(), cds.version_info());
  EXPECT_NE(pushed[0].nonce(), cds.nonce());
}

TEST_F(SotwSessionTest, NackThenSubscriptionChangeIsServed) {
  DiscoveryResponse eds = expectResponse(request(kEds, {"orders"}), snapshot_, Kind::kInitial);
  SotwSessionUnderTest::RequestOutcome outcome =
      session_.onRequest(nack(eds, {"orders", "users"}, "", "bad endpoint"), snapshot_);
  EXPECT_EQ(outcome.kind, Kind::kNack);
  ASSERT_TRUE(outcome.response.has_value());
  EXPECT_THAT(namesIn(*outcome.response), ElementsAre("orders", "users"));
}

TEST_F(SotwSessionTest, StaleNonceIsIgnored) {
  DiscoveryResponse first = expectResponse(request(kCds, {}), snapshot_, Kind::kInitial);
  std::vector<DiscoveryResponse> pushed =
      session_.onSnapshot(standard().cluster("billing").build());
  ASSERT_EQ(pushed.size(), 1u);
  const DiscoveryResponse& second = pushed[0];

  // The client's ACK of the first response crosses our second one: stale, ignored, even if it
  // asks for something else.
  SotwSessionUnderTest::RequestOutcome outcome = session_.onRequest(ack(first, {"orders"}), snapshot_);
  EXPECT_EQ(outcome.kind, Kind::kStale);
  EXPECT_FALSE(outcome.response.has_value());
  EXPECT_EQ(session_.ackedVersion(kCds), "");

  outcome = session_.onRequest(ack(second, {}), standard().cluster("billing").build());
  EXPECT_EQ(outcome.kind, Kind::kAck);
  EXPECT_FALSE(outcome.response.has_value());
  EXPECT_EQ(session_.ackedVersion(kCds), second.version_info());
}

TEST_F(SotwSessionTest, AddingANameIsAnsweredWithIt) {
  DiscoveryResponse eds = expectResponse(request(kEds, {"orders"}), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(eds), ElementsAre("orders"));
  DiscoveryResponse more = expectResponse(ack(eds, {"orders", "users"}), snapshot_, Kind::kAck);
  EXPECT_THAT(namesIn(more), ::testing::Contains("users"));
  EXPECT_NE(more.nonce(), eds.nonce());

  DiscoveryResponse cds = expectResponse(request(kCds, {"orders"}), snapshot_, Kind::kInitial);
  DiscoveryResponse cds_more = expectResponse(ack(cds, {"orders", "users"}), snapshot_, Kind::kAck);
  EXPECT_THAT(namesIn(cds_more), ElementsAre("orders", "users"));  // full state
}

TEST_F(SotwSessionTest, RemovingThenReAddingANameResendsIt) {
  DiscoveryResponse cds =
      expectResponse(request(kCds, {"orders", "users"}), snapshot_, Kind::kInitial);
  DiscoveryResponse fewer = expectResponse(ack(cds, {"orders"}), snapshot_, Kind::kAck);
  EXPECT_THAT(namesIn(fewer), ElementsAre("orders"));  // full state: users is deleted
  DiscoveryResponse again = expectResponse(ack(fewer, {"orders", "users"}), snapshot_, Kind::kAck);
  EXPECT_THAT(namesIn(again), ElementsAre("orders", "users"));

  DiscoveryResponse eds =
      expectResponse(request(kEds, {"orders", "users"}), snapshot_, Kind::kInitial);
  SotwSessionUnderTest::RequestOutcome outcome = session_.onRequest(ack(eds, {"orders"}), snapshot_);
  DiscoveryResponse last = outcome.response ? *outcome.response : eds;
  DiscoveryResponse eds_again =
      expectResponse(ack(last, {"orders", "users"}), snapshot_, Kind::kAck);
  EXPECT_THAT(namesIn(eds_again), ::testing::Contains("users"));
}

// A name dropped and asked for again is re-sent (xds-wire.md §1.3), even at an unchanged version.
TEST(SotwSessionSeparateStreamsTest, SessionsAreIndependent) {
  SnapshotPtr snapshot = standard().build();
  SotwSessionUnderTest a;
  SotwSessionUnderTest b;
  auto ra = a.onRequest(request(kCds, {}), snapshot);
  ASSERT_TRUE(ra.response.has_value());
  EXPECT_EQ(b.sentVersion(kCds), "");
  EXPECT_THAT(b.onSnapshot(snapshot), IsEmpty());  // b never asked for anything
}

}  // namespace
}  // namespace portico::cp::xds
