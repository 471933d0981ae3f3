#include "control-plane/xds/delta_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
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
using Kind = DeltaSession::RequestKind;

// The session under test seen through protobuf messages: the session emits Pushes (resources
// by pointer, wire.h); converting them keeps the assertions about what goes on the wire.
class DeltaSessionUnderTest {
 public:
  struct RequestOutcome {
    DeltaSession::RequestKind kind;
    std::optional<ResourceType> type;
    std::string nack_message;
    std::string version;
    std::optional<DeltaDiscoveryResponse> response;
  };
  template <typename Request>
  RequestOutcome onRequest(const Request& request, const SnapshotPtr& snapshot) {
    DeltaSession::RequestOutcome in = session_.onRequest(request, snapshot);
    RequestOutcome out{in.kind, in.type, in.nack_message, in.version, std::nullopt};
    if (in.response) out.response = toDeltaMessage(*in.response);
    return out;
  }
  std::vector<DeltaDiscoveryResponse> onSnapshot(const SnapshotPtr& snapshot) {
    std::vector<DeltaDiscoveryResponse> out;
    for (const Push& push : session_.onSnapshot(snapshot)) out.push_back(toDeltaMessage(push));
    return out;
  }
  std::map<std::string, std::string, std::less<>> held(ResourceType type) const { return session_.held(type); }
  bool wildcard(ResourceType type) const { return session_.wildcard(type); }
 private:
  DeltaSession session_;
};
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

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
  SnapshotBuilder& erase(ResourceType type, const std::string& name) {
    maps_[portico::xds::typeIndex(type)].erase(name);
    return *this;
  }
  SnapshotPtr build() const { return std::make_shared<const Snapshot>(maps_); }

 private:
  void put(ResourceType type, ResourcePtr resource) {
    maps_[portico::xds::typeIndex(type)][resource->name] = std::move(resource);
  }
  std::array<Snapshot::Map, portico::xds::kResourceTypeCount> maps_;
};

// Two clusters with endpoints, a traffic listener with its routes, and a gRPC api_listener (with
// its route configuration) served only by name.
SnapshotBuilder standard() {
  SnapshotBuilder b;
  b.cluster("orders").cluster("users");
  b.endpoints("orders").endpoints("users");
  b.listener("public").listener("greeter", 1, /*wildcard=*/false);
  b.route("public").route("grpc/greeter", 1, /*wildcard=*/false);
  return b;
}

DeltaDiscoveryRequest request(ResourceType type, std::vector<std::string> subscribe,
                              std::vector<std::string> unsubscribe = {},
                              const std::string& nonce = "") {
  DeltaDiscoveryRequest out;
  out.set_type_url(std::string(portico::xds::typeUrl(type)));
  for (auto& name : subscribe) {
    out.add_resource_names_subscribe(std::move(name));
  }
  for (auto& name : unsubscribe) {
    out.add_resource_names_unsubscribe(std::move(name));
  }
  out.set_response_nonce(nonce);
  return out;
}

DeltaDiscoveryRequest ack(const DeltaDiscoveryResponse& response) {
  return request(*portico::xds::typeFromUrl(response.type_url()), {}, {}, response.nonce());
}

DeltaDiscoveryRequest nack(const DeltaDiscoveryResponse& response, const std::string& message) {
  DeltaDiscoveryRequest out = ack(response);
  out.mutable_error_detail()->set_code(3);
  out.mutable_error_detail()->set_message(message);
  return out;
}

// Names of the resources a response carries, in order; checks that each wraps the resource of
// that name with the snapshot's version.
std::vector<std::string> namesIn(const DeltaDiscoveryResponse& response) {
  std::vector<std::string> out;
  for (const auto& resource : response.resources()) {
    const auto& any = resource.resource();
    std::string inner;
    if (Cluster c; any.type_url() == portico::xds::kClusterType && any.UnpackTo(&c)) {
      inner = c.name();
    } else if (ClusterLoadAssignment e;
               any.type_url() == portico::xds::kEndpointType && any.UnpackTo(&e)) {
      inner = e.cluster_name();
    } else if (Listener l; any.type_url() == portico::xds::kListenerType && any.UnpackTo(&l)) {
      inner = l.name();
    } else if (RouteConfiguration r;
               any.type_url() == portico::xds::kRouteType && any.UnpackTo(&r)) {
      inner = r.name();
    } else {
      ADD_FAILURE() << "unexpected resource " << any.type_url();
    }
    EXPECT_EQ(inner, resource.name());
    EXPECT_FALSE(resource.version().empty()) << resource.name();
    out.push_back(resource.name());
  }
  return out;
}

std::vector<std::string> removedIn(const DeltaDiscoveryResponse& response) {
  return {response.removed_resources().begin(), response.removed_resources().end()};
}

class DeltaSessionTest : public ::testing::Test {
 protected:
  // Sends `req` and returns the response it requires; fails the test when there is none.
  DeltaDiscoveryResponse expectResponse(const DeltaDiscoveryRequest& req,
                                        const SnapshotPtr& snapshot, Kind kind) {
    DeltaSessionUnderTest::RequestOutcome outcome = session_.onRequest(req, snapshot);
    EXPECT_EQ(outcome.kind, kind);
    EXPECT_TRUE(outcome.response.has_value()) << "no response to " << req.DebugString();
    if (!outcome.response) {
      return DeltaDiscoveryResponse();
    }
    EXPECT_EQ(outcome.response->type_url(), req.type_url());
    EXPECT_FALSE(outcome.response->nonce().empty());
    EXPECT_FALSE(outcome.response->system_version_info().empty());
    return *outcome.response;
  }
  void expectNoResponse(const DeltaDiscoveryRequest& req, const SnapshotPtr& snapshot, Kind kind) {
    DeltaSessionUnderTest::RequestOutcome outcome = session_.onRequest(req, snapshot);
    EXPECT_EQ(outcome.kind, kind);
    EXPECT_FALSE(outcome.response.has_value()) << "unexpected " << outcome.response->DebugString();
  }
  // A wildcard CDS subscription and an EDS one for both clusters, each ACKed.
  void subscribeCdsAndEds() {
    DeltaDiscoveryResponse cds = expectResponse(request(kCds, {"*"}), snapshot_, Kind::kInitial);
    expectNoResponse(ack(cds), snapshot_, Kind::kAck);
    DeltaDiscoveryResponse eds =
        expectResponse(request(kEds, {"orders", "users"}), snapshot_, Kind::kInitial);
    expectNoResponse(ack(eds), snapshot_, Kind::kAck);
  }

  DeltaSessionUnderTest session_;
  SnapshotPtr snapshot_ = standard().build();
};

TEST_F(DeltaSessionTest, InitialWildcardGetsEveryWildcardResourceWithItsVersion) {
  DeltaDiscoveryResponse cds = expectResponse(request(kCds, {"*"}), snapshot_, Kind::kInitial);
  EXPECT_EQ(cds.type_url(), portico::xds::kClusterType);
  EXPECT_THAT(namesIn(cds), ElementsAre("orders", "users"));
  EXPECT_EQ(cds.resources(0).version(), snapshot_->find(kCds, "orders")->version);
  EXPECT_EQ(cds.resources(1).version(), snapshot_->find(kCds, "users")->version);
  EXPECT_THAT(removedIn(cds), IsEmpty());
  EXPECT_TRUE(session_.wildcard(kCds));

  // Legacy wildcard: a first LDS request with both lists empty. The api_listener is left out.
  DeltaDiscoveryResponse lds = expectResponse(request(kLds, {}), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(lds), ElementsAre("public"));
  EXPECT_TRUE(session_.wildcard(kLds));
}

TEST_F(DeltaSessionTest, UnknownTypeUrl) {
  DeltaDiscoveryRequest req;
  req.set_type_url("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");
  DeltaSessionUnderTest::RequestOutcome outcome = session_.onRequest(req, snapshot_);
  EXPECT_EQ(outcome.kind, Kind::kUnknownType);
  EXPECT_FALSE(outcome.type.has_value());
  EXPECT_FALSE(outcome.response.has_value());
}

TEST_F(DeltaSessionTest, AckGetsNothingAndAnEquivalentSnapshotSendsNothing) {
  DeltaDiscoveryResponse cds = expectResponse(request(kCds, {"*"}), snapshot_, Kind::kInitial);
  DeltaSessionUnderTest::RequestOutcome outcome = session_.onRequest(ack(cds), snapshot_);
  EXPECT_EQ(outcome.kind, Kind::kAck);
  ASSERT_TRUE(outcome.type.has_value());
  EXPECT_EQ(*outcome.type, kCds);
  EXPECT_EQ(outcome.version, cds.system_version_info());
  EXPECT_FALSE(outcome.response.has_value());

  EXPECT_THAT(session_.onSnapshot(snapshot_), IsEmpty());
  // The same content built anew (new Snapshot, new Resource objects): still nothing.
  EXPECT_THAT(session_.onSnapshot(standard().build()), IsEmpty());
}

TEST_F(DeltaSessionTest, EndpointOnlyChangeSendsExactlyTheChangedAssignment) {
  subscribeCdsAndEds();
  SnapshotPtr next = standard().endpoints("users", 2).build();
  std::vector<DeltaDiscoveryResponse> pushed = session_.onSnapshot(next);
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_EQ(pushed[0].type_url(), portico::xds::kEndpointType);
  EXPECT_THAT(namesIn(pushed[0]), ElementsAre("users"));
  EXPECT_EQ(pushed[0].resources(0).version(), next->find(kEds, "users")->version);
  EXPECT_THAT(removedIn(pushed[0]), IsEmpty());
}

TEST_F(DeltaSessionTest, DeletedResourcesAreListedAsRemoved) {
  subscribeCdsAndEds();
  std::vector<DeltaDiscoveryResponse> pushed =
      session_.onSnapshot(standard().erase(kCds, "users").erase(kEds, "users").build());
  ASSERT_EQ(pushed.size(), 2u);
  EXPECT_EQ(pushed[0].type_url(), portico::xds::kClusterType);
  EXPECT_THAT(namesIn(pushed[0]), IsEmpty());
  EXPECT_THAT(removedIn(pushed[0]), ElementsAre("users"));
  EXPECT_EQ(pushed[1].type_url(), portico::xds::kEndpointType);
  EXPECT_THAT(removedIn(pushed[1]), ElementsAre("users"));
  EXPECT_THAT(session_.held(kCds), UnorderedElementsAre(::testing::Key("orders")));
}

TEST_F(DeltaSessionTest, InitialResourceVersionsSendOnlyWhatDiffers) {
  // A reconnecting client: "orders" current, "users" stale, "billing" gone from the server.
  DeltaDiscoveryRequest req = request(kCds, {"*"});
  (*req.mutable_initial_resource_versions())["orders"] = snapshot_->find(kCds, "orders")->version;
  (*req.mutable_initial_resource_versions())["users"] = "stale";
  (*req.mutable_initial_resource_versions())["billing"] = "v0";
  DeltaDiscoveryResponse cds = expectResponse(req, snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(cds), ElementsAre("users"));
  EXPECT_THAT(removedIn(cds), ElementsAre("billing"));

  // Explicit names, both current: nothing is re-sent.
  DeltaDiscoveryRequest eds_req = request(kEds, {"orders", "users"});
  (*eds_req.mutable_initial_resource_versions())["orders"] =
      snapshot_->find(kEds, "orders")->version;
  (*eds_req.mutable_initial_resource_versions())["users"] = snapshot_->find(kEds, "users")->version;
  DeltaDiscoveryResponse eds = expectResponse(eds_req, snapshot_, Kind::kInitial);
  // Everything is current: the first answer still goes out, empty.
  EXPECT_THAT(namesIn(eds), IsEmpty());
  EXPECT_THAT(removedIn(eds), IsEmpty());
  expectNoResponse(ack(eds), snapshot_, Kind::kAck);
}

TEST_F(DeltaSessionTest, NackIsRecordedAndNotAnsweredUntilTheContentChanges) {
  subscribeCdsAndEds();
  std::vector<DeltaDiscoveryResponse> pushed =
      session_.onSnapshot(standard().cluster("users", 7).build());
  ASSERT_EQ(pushed.size(), 1u);
  DeltaSessionUnderTest::RequestOutcome outcome = session_.onRequest(nack(pushed[0], "bad cluster users"),
                                                            standard().cluster("users", 7).build());
  EXPECT_EQ(outcome.kind, Kind::kNack);
  EXPECT_EQ(outcome.nack_message, "bad cluster users");
  EXPECT_EQ(outcome.version, pushed[0].system_version_info());
  EXPECT_FALSE(outcome.response.has_value());

  // The same bad content again: not re-sent. An unrelated change: only that is sent.
  EXPECT_THAT(session_.onSnapshot(standard().cluster("users", 7).build()), IsEmpty());
  pushed = session_.onSnapshot(standard().cluster("users", 7).endpoints("orders", 3).build());
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_THAT(namesIn(pushed[0]), ElementsAre("orders"));
  EXPECT_EQ(pushed[0].type_url(), portico::xds::kEndpointType);
  // The rejected cluster changes (here: back to the good content): now it is sent.
  pushed = session_.onSnapshot(standard().endpoints("orders", 3).build());
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_THAT(namesIn(pushed[0]), ElementsAre("users"));
}

TEST_F(DeltaSessionTest, MissingNameIsReportedOnceThenSentWhenItAppears) {
  DeltaDiscoveryResponse eds =
      expectResponse(request(kEds, {"orders", "billing"}), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(eds), ElementsAre("orders"));
  EXPECT_THAT(removedIn(eds), ElementsAre("billing"));
  expectNoResponse(ack(eds), snapshot_, Kind::kAck);
  EXPECT_THAT(session_.onSnapshot(standard().build()), IsEmpty());  // not reported again

  std::vector<DeltaDiscoveryResponse> pushed =
      session_.onSnapshot(standard().endpoints("billing").build());
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_THAT(namesIn(pushed[0]), ElementsAre("billing"));
  EXPECT_THAT(removedIn(pushed[0]), IsEmpty());

  // Gone again: reported once more.
  pushed = session_.onSnapshot(standard().build());
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_THAT(removedIn(pushed[0]), ElementsAre("billing"));
  EXPECT_THAT(session_.onSnapshot(standard().build()), IsEmpty());
}

TEST_F(DeltaSessionTest, UnsubscribedNameIsNoLongerUpdated) {
  subscribeCdsAndEds();
  expectNoResponse(request(kEds, {}, {"users"}), snapshot_, Kind::kSubscription);
  EXPECT_THAT(session_.onSnapshot(standard().endpoints("users", 5).build()), IsEmpty());
  // Subscribing again sends it, even at a version the client once had.
  DeltaDiscoveryResponse again =
      expectResponse(request(kEds, {"users"}), snapshot_, Kind::kSubscription);
  EXPECT_THAT(namesIn(again), ElementsAre("users"));
}

TEST_F(DeltaSessionTest, ResubscribingAHeldNameResendsIt) {
  subscribeCdsAndEds();
  // The client may have forgotten it; the protocol says send it anyway.
  DeltaDiscoveryResponse again =
      expectResponse(request(kEds, {"orders"}), snapshot_, Kind::kSubscription);
  EXPECT_THAT(namesIn(again), ElementsAre("orders"));
}

TEST_F(DeltaSessionTest, StaleNonceStillHonoursSubscriptionChanges) {
  DeltaDiscoveryResponse eds = expectResponse(request(kEds, {"orders"}), snapshot_, Kind::kInitial);
  SnapshotPtr next = standard().endpoints("orders", 2).build();
  std::vector<DeltaDiscoveryResponse> pushed = session_.onSnapshot(next);
  ASSERT_EQ(pushed.size(), 1u);
  // Replies to both responses, in order, are ACKs.
  expectNoResponse(ack(eds), next, Kind::kAck);
  expectNoResponse(ack(pushed[0]), next, Kind::kAck);

  // A nonce we no longer track (already answered) with a new name: still served.
  DeltaDiscoveryResponse more =
      expectResponse(request(kEds, {"users"}, {}, eds.nonce()), next, Kind::kSubscription);
  EXPECT_THAT(namesIn(more), ElementsAre("users"));
  // Likewise a nonce we never sent, with an unsubscription: honoured (no more updates).
  expectNoResponse(request(kEds, {}, {"orders"}, "no-such-nonce"), next, Kind::kSubscription);
  EXPECT_THAT(session_.onSnapshot(standard().endpoints("orders", 3).build()), IsEmpty());
}

TEST_F(DeltaSessionTest, ApiListenerIsOnlyServedByName) {
  DeltaDiscoveryResponse lds = expectResponse(request(kLds, {"*"}), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(lds), ElementsAre("public"));
  DeltaDiscoveryResponse named =
      expectResponse(request(kLds, {"greeter"}, {}, lds.nonce()), snapshot_, Kind::kAck);
  EXPECT_THAT(namesIn(named), ElementsAre("greeter"));

  // A proxyless client names both its listener and its route configuration.
  DeltaSessionUnderTest grpc_client;
  auto rds = grpc_client.onRequest(request(kRds, {"grpc/greeter"}), snapshot_);
  ASSERT_TRUE(rds.response.has_value());
  EXPECT_THAT(namesIn(*rds.response), ElementsAre("grpc/greeter"));
  // "*" means nothing for RDS: no wildcard there.
  auto star = grpc_client.onRequest(request(kRds, {"*"}), snapshot_);
  EXPECT_FALSE(star.response.has_value());
  EXPECT_FALSE(grpc_client.wildcard(kRds));
}

TEST_F(DeltaSessionTest, UnsubscribingUnderAWildcardIsAnswered) {
  DeltaDiscoveryResponse lds =
      expectResponse(request(kLds, {"*", "public", "greeter"}), snapshot_, Kind::kInitial);
  EXPECT_THAT(namesIn(lds), ElementsAre("greeter", "public"));
  expectNoResponse(ack(lds), snapshot_, Kind::kAck);

  // "public" is still covered by the wildcard: re-sent. "greeter" is not: removed.
  DeltaDiscoveryResponse answer =
      expectResponse(request(kLds, {}, {"public", "greeter"}), snapshot_, Kind::kSubscription);
  EXPECT_THAT(namesIn(answer), ElementsAre("public"));
  EXPECT_THAT(removedIn(answer), ElementsAre("greeter"));

  // Dropping the wildcard itself needs no answer, and nothing is pushed afterwards.
  expectNoResponse(request(kLds, {}, {"*"}), snapshot_, Kind::kSubscription);
  EXPECT_FALSE(session_.wildcard(kLds));
  EXPECT_THAT(session_.onSnapshot(standard().listener("public", 9).build()), IsEmpty());
}

TEST_F(DeltaSessionTest, NoncesAreUnique) {
  std::set<std::string> nonces;
  auto note = [&](const DeltaDiscoveryResponse& response) {
    EXPECT_TRUE(nonces.insert(response.nonce()).second) << "repeated nonce " << response.nonce();
  };
  note(expectResponse(request(kCds, {"*"}), snapshot_, Kind::kInitial));
  note(expectResponse(request(kEds, {"orders"}), snapshot_, Kind::kInitial));
  note(expectResponse(request(kLds, {"*"}), snapshot_, Kind::kInitial));
  for (int tag = 2; tag < 6; ++tag) {
    for (const DeltaDiscoveryResponse& response :
         session_.onSnapshot(standard().cluster("orders", tag).endpoints("orders", tag).build())) {
      note(response);
    }
  }
  EXPECT_EQ(nonces.size(), 3u + 4u * 2u);
}

TEST_F(DeltaSessionTest, PushesGoOutInMakeBeforeBreakOrder) {
  // Subscribe in the "wrong" order; pushes must still be CDS, EDS, LDS, RDS.
  session_.onRequest(request(kRds, {"public"}), snapshot_);
  session_.onRequest(request(kLds, {"*"}), snapshot_);
  session_.onRequest(request(kEds, {"orders"}), snapshot_);
  session_.onRequest(request(kCds, {"*"}), snapshot_);
  std::vector<DeltaDiscoveryResponse> pushed = session_.onSnapshot(standard()
                                                                       .route("public", 2)
                                                                       .listener("public", 2)
                                                                       .endpoints("orders", 2)
                                                                       .cluster("orders", 2)
                                                                       .build());
  std::vector<std::string> types;
  for (const auto& response : pushed) {
    types.push_back(response.type_url());
  }
  EXPECT_THAT(types, ElementsAre(portico::xds::kClusterType, portico::xds::kEndpointType,
                                 portico::xds::kListenerType, portico::xds::kRouteType));
}

TEST_F(DeltaSessionTest, RequestBeforeTheFirstSnapshotIsAnsweredByIt) {
  DeltaSessionUnderTest::RequestOutcome outcome = session_.onRequest(request(kCds, {}), nullptr);
  EXPECT_EQ(outcome.kind, Kind::kInitial);
  EXPECT_FALSE(outcome.response.has_value());
  std::vector<DeltaDiscoveryResponse> pushed = session_.onSnapshot(snapshot_);
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_THAT(namesIn(pushed[0]), ElementsAre("orders", "users"));
}

TEST_F(DeltaSessionTest, SystemVersionDescribesWhatTheClientHolds) {
  DeltaDiscoveryResponse cds = expectResponse(request(kCds, {"*"}), snapshot_, Kind::kInitial);
  // A second client reaching the same state in two steps reports the same version.
  DeltaSessionUnderTest other;
  auto first = other.onRequest(request(kCds, {"orders"}), snapshot_);
  ASSERT_TRUE(first.response.has_value());
  EXPECT_NE(first.response->system_version_info(), cds.system_version_info());
  auto second = other.onRequest(request(kCds, {"users"}), snapshot_);
  ASSERT_TRUE(second.response.has_value());
  EXPECT_EQ(second.response->system_version_info(), cds.system_version_info());
}

}  // namespace
}  // namespace portico::cp::xds
