#include "data-plane/xds/ads_client_core.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/strings.h"
#include "control-plane/translator/resource_builders.h"
#include "data-plane/config/snapshot_compiler.h"
#include "data-plane/router/route_stats.h"

namespace portico::dp::xds {
namespace {

namespace builders = portico::cp::translator;
using envoy::config::cluster::v3::Cluster;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;
using Instance = portico::cp::registry::Instance;
using portico::xds::kClusterType;
using portico::xds::kEndpointType;
using portico::xds::kListenerType;
using portico::xds::kRouteType;

Listener listener(const std::string& name, uint32_t port) {
  return builders::buildListener(portico::cp::model::ListenerConfig{name, "127.0.0.1", port});
}

RouteConfiguration routes(const std::string& name, const std::string& cluster = "echo") {
  return builders::buildRouteConfiguration(
      name, {builders::RouteEntry{name, "/", cluster, std::nullopt}});
}

envoy::config::endpoint::v3::ClusterLoadAssignment assignment(const std::string& name,
                                                              uint32_t port) {
  Instance instance;
  instance.set_service(name);
  instance.set_id("i1");
  instance.set_address("127.0.0.1");
  instance.set_port(port);
  instance.set_weight(1);
  return builders::buildLoadAssignment(name, {instance});
}

template <typename T>
google::protobuf::Any pack(const T& message) {
  google::protobuf::Any any;
  any.PackFrom(message);
  return any;
}

template <typename T>
google::protobuf::Any wrapped(const T& message, const std::string& name) {
  envoy::service::discovery::v3::Resource resource;
  resource.set_name(name);
  resource.set_version("v");
  resource.mutable_resource()->PackFrom(message);
  return pack(resource);
}

DiscoveryResponse response(std::string_view type_url, const std::string& version,
                           const std::string& nonce, std::vector<google::protobuf::Any> resources) {
  DiscoveryResponse out;
  out.set_type_url(std::string(type_url));
  out.set_version_info(version);
  out.set_nonce(nonce);
  for (auto& any : resources) {
    *out.add_resources() = std::move(any);
  }
  return out;
}

std::vector<std::string> namesOf(const DiscoveryRequest& request) {
  return {request.resource_names().begin(), request.resource_names().end()};
}

template <typename Map>
std::vector<std::string> keysOf(const Map& map) {
  std::vector<std::string> out;
  for (const auto& [name, value] : map) {
    out.push_back(name);
  }
  return out;
}

void expectAck(const DiscoveryRequest& request, std::string_view type_url,
               const std::string& version, const std::string& nonce) {
  EXPECT_EQ(request.type_url(), type_url);
  EXPECT_EQ(request.version_info(), version);
  EXPECT_EQ(request.response_nonce(), nonce);
  EXPECT_FALSE(request.has_error_detail()) << request.error_detail().message();
  EXPECT_FALSE(request.has_node());
}

void expectSubscription(const DiscoveryRequest& request, std::string_view type_url,
                        const std::vector<std::string>& names) {
  EXPECT_EQ(request.type_url(), type_url);
  EXPECT_EQ(namesOf(request), names);
  EXPECT_FALSE(request.has_error_detail());
  EXPECT_FALSE(request.has_node());
}

class AdsClientCoreTest : public ::testing::Test {
 protected:
  AdsClientCoreTest() {
    node_.set_id("proxy-1");
    node_.set_cluster("web");
  }

  // A core whose apply compiles the candidate for real (as the proxy does), unless
  // reject_with_ is set, and records every candidate it was shown.
  std::unique_ptr<AdsClientCore> makeCore() {
    return std::make_unique<AdsClientCore>(
        node_, [this](const ResourceSet& candidate) -> absl::Status {
          candidates_.push_back(candidate);
          if (!reject_with_.empty()) {
            return absl::InvalidArgumentError(reject_with_);
          }
          return config::compileSnapshot(candidate, stats_).status();
        });
  }

  envoy::config::core::v3::Node node_;
  router::RouteStatsStore stats_{1};
  std::string reject_with_;
  std::vector<ResourceSet> candidates_;
};

// ---- stream start ----

TEST_F(AdsClientCoreTest, FreshStreamStartAsksForClustersThenListenersWithTheNodeOnTheFirstOnly) {
  auto core = makeCore();
  std::vector<DiscoveryRequest> start = core->streamStart();
  ASSERT_EQ(start.size(), 2u);
  EXPECT_EQ(start[0].type_url(), kClusterType);
  EXPECT_EQ(start[1].type_url(), kListenerType);
  ASSERT_TRUE(start[0].has_node());
  EXPECT_EQ(start[0].node().id(), "proxy-1");
  EXPECT_EQ(start[0].node().cluster(), "web");
  EXPECT_FALSE(start[1].has_node());
  for (const DiscoveryRequest& request : start) {
    EXPECT_EQ(request.resource_names_size(), 0) << "LDS and CDS are wildcard subscriptions";
    EXPECT_EQ(request.version_info(), "");
    EXPECT_EQ(request.response_nonce(), "");
    EXPECT_FALSE(request.has_error_detail());
  }
  EXPECT_FALSE(core->initialFetchDone());
}

// ---- LDS / RDS ----

TEST_F(AdsClientCoreTest, AcceptedLdsIsAckedThenRdsIsSubscribed) {
  auto core = makeCore();
  core->streamStart();
  auto result =
      core->onResponse(response(kListenerType, "lds-1", "n1", {pack(listener("public", 8080))}));
  EXPECT_TRUE(result.accepted);
  ASSERT_TRUE(result.type.has_value());
  EXPECT_EQ(*result.type, ResourceType::kListener);
  EXPECT_EQ(result.error, "");
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kListenerType, "lds-1", "n1");
  EXPECT_EQ(result.requests[0].resource_names_size(), 0);
  expectSubscription(result.requests[1], kRouteType, {"public"});
  EXPECT_EQ(result.requests[1].version_info(), "");
  EXPECT_EQ(result.requests[1].response_nonce(), "");

  EXPECT_EQ(keysOf(core->accepted().listeners), (std::vector<std::string>{"public"}));
  EXPECT_EQ(core->accepted().versions[portico::xds::typeIndex(ResourceType::kListener)], "lds-1");
}

TEST_F(AdsClientCoreTest, SameLdsAgainIsAckedWithoutANewRdsRequest) {
  auto core = makeCore();
  core->onResponse(response(kListenerType, "lds-1", "n1", {pack(listener("public", 8080))}));
  auto result =
      core->onResponse(response(kListenerType, "lds-2", "n2", {pack(listener("public", 8081))}));
  EXPECT_TRUE(result.accepted);
  ASSERT_EQ(result.requests.size(), 1u) << "the route names did not change";
  expectAck(result.requests[0], kListenerType, "lds-2", "n2");
}

TEST_F(AdsClientCoreTest, RdsMergesByNameAndIgnoresUnsubscribedNames) {
  auto core = makeCore();
  core->onResponse(response(kListenerType, "lds-1", "n1",
                            {pack(listener("admin", 9000)), pack(listener("public", 8080))}));

  auto first = core->onResponse(
      response(kRouteType, "rds-1", "r1", {pack(routes("public")), pack(routes("stranger"))}));
  EXPECT_TRUE(first.accepted);
  ASSERT_EQ(first.requests.size(), 1u);
  expectAck(first.requests[0], kRouteType, "rds-1", "r1");
  EXPECT_EQ(namesOf(first.requests[0]), (std::vector<std::string>{"admin", "public"}));
  EXPECT_EQ(keysOf(core->accepted().routes), (std::vector<std::string>{"public"}));

  auto second = core->onResponse(response(kRouteType, "rds-2", "r2", {pack(routes("admin"))}));
  EXPECT_TRUE(second.accepted);
  EXPECT_EQ(keysOf(core->accepted().routes), (std::vector<std::string>{"admin", "public"}))
      << "an RDS response is not full state: public stays";

  auto third =
      core->onResponse(response(kRouteType, "rds-3", "r3", {pack(routes("public", "other"))}));
  EXPECT_TRUE(third.accepted);
  EXPECT_EQ(core->accepted().routes.at("public")->virtual_hosts(0).routes(0).route().cluster(),
            "other");
  EXPECT_EQ(core->accepted().routes.at("admin")->virtual_hosts(0).routes(0).route().cluster(),
            "echo");

  auto empty = core->onResponse(response(kRouteType, "rds-4", "r4", {}));
  EXPECT_TRUE(empty.accepted);
  EXPECT_EQ(keysOf(core->accepted().routes), (std::vector<std::string>{"admin", "public"}))
      << "an empty RDS response deletes nothing";
}

TEST_F(AdsClientCoreTest, LdsWithoutAListenerDropsItsRoutesAndShrinksRds) {
  auto core = makeCore();
  core->onResponse(response(kListenerType, "lds-1", "n1",
                            {pack(listener("admin", 9000)), pack(listener("public", 8080))}));
  core->onResponse(
      response(kRouteType, "rds-1", "r1", {pack(routes("admin")), pack(routes("public"))}));
  ASSERT_EQ(core->accepted().routes.size(), 2u);

  auto result =
      core->onResponse(response(kListenerType, "lds-2", "n2", {pack(listener("public", 8080))}));
  EXPECT_TRUE(result.accepted);
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kListenerType, "lds-2", "n2");
  expectSubscription(result.requests[1], kRouteType, {"public"});
  EXPECT_EQ(result.requests[1].version_info(), "rds-1");
  EXPECT_EQ(result.requests[1].response_nonce(), "r1");
  EXPECT_EQ(keysOf(core->accepted().listeners), (std::vector<std::string>{"public"}));
  EXPECT_EQ(keysOf(core->accepted().routes), (std::vector<std::string>{"public"}));
  // The apply already saw the candidate without the dropped route configuration.
  ASSERT_FALSE(candidates_.empty());
  EXPECT_EQ(keysOf(candidates_.back().routes), (std::vector<std::string>{"public"}));

  // No listener at all: RDS is unsubscribed with an empty name list.
  auto none = core->onResponse(response(kListenerType, "lds-3", "n3", {}));
  EXPECT_TRUE(none.accepted);
  ASSERT_EQ(none.requests.size(), 2u);
  expectAck(none.requests[0], kListenerType, "lds-3", "n3");
  expectSubscription(none.requests[1], kRouteType, {});
  EXPECT_TRUE(core->accepted().listeners.empty());
  EXPECT_TRUE(core->accepted().routes.empty());
}

TEST_F(AdsClientCoreTest, ApiListenersDoNotSubscribeRds) {
  auto core = makeCore();
  auto result = core->onResponse(
      response(kListenerType, "1", "n1", {pack(builders::buildApiListener("grpc-svc"))}));
  EXPECT_TRUE(result.accepted);
  ASSERT_EQ(result.requests.size(), 1u);
  expectAck(result.requests[0], kListenerType, "1", "n1");
}

// ---- CDS / EDS ----

TEST_F(AdsClientCoreTest, AcceptedCdsIsAckedThenEdsIsSubscribedByServiceName) {
  auto core = makeCore();
  Cluster renamed = builders::buildCluster("orders");
  renamed.mutable_eds_cluster_config()->set_service_name("orders-eds");
  Cluster static_cluster;
  static_cluster.set_name("static");
  static_cluster.set_type(Cluster::STATIC);
  auto result = core->onResponse(
      response(kClusterType, "cds-1", "c1",
               {pack(builders::buildCluster("echo")), pack(renamed), pack(static_cluster)}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kClusterType, "cds-1", "c1");
  EXPECT_EQ(result.requests[0].resource_names_size(), 0);
  expectSubscription(result.requests[1], kEndpointType, {"echo", "orders-eds"});
  EXPECT_EQ(keysOf(core->accepted().clusters),
            (std::vector<std::string>{"echo", "orders", "static"}));
}

TEST_F(AdsClientCoreTest, EdsMergesAndFollowsClusters) {
  auto core = makeCore();
  core->onResponse(
      response(kClusterType, "cds-1", "c1",
               {pack(builders::buildCluster("a")), pack(builders::buildCluster("b"))}));
  core->onResponse(response(kEndpointType, "eds-1", "e1",
                            {pack(assignment("a", 1001)), pack(assignment("zz", 1))}));
  EXPECT_EQ(keysOf(core->accepted().endpoints), (std::vector<std::string>{"a"}));
  core->onResponse(response(kEndpointType, "eds-2", "e2", {pack(assignment("b", 1002))}));
  EXPECT_EQ(keysOf(core->accepted().endpoints), (std::vector<std::string>{"a", "b"}));

  // CDS is full state: dropping cluster a drops its endpoints and shrinks EDS.
  auto result =
      core->onResponse(response(kClusterType, "cds-2", "c2", {pack(builders::buildCluster("b"))}));
  EXPECT_TRUE(result.accepted);
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kClusterType, "cds-2", "c2");
  expectSubscription(result.requests[1], kEndpointType, {"b"});
  EXPECT_EQ(result.requests[1].version_info(), "eds-2");
  EXPECT_EQ(keysOf(core->accepted().endpoints), (std::vector<std::string>{"b"}));
}

// ---- NACK ----

TEST_F(AdsClientCoreTest, RejectedFirstResponseIsNackedWithAnEmptyVersion) {
  auto core = makeCore();
  reject_with_ = "listener \"public\": no good";
  auto result =
      core->onResponse(response(kListenerType, "lds-1", "n1", {pack(listener("public", 8080))}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, "listener \"public\": no good");
  ASSERT_EQ(result.requests.size(), 1u) << "a NACK and nothing else (no RDS subscription)";
  const DiscoveryRequest& nack = result.requests[0];
  EXPECT_EQ(nack.type_url(), kListenerType);
  EXPECT_EQ(nack.version_info(), "");
  EXPECT_EQ(nack.response_nonce(), "n1");
  ASSERT_TRUE(nack.has_error_detail());
  EXPECT_EQ(nack.error_detail().code(), 3);
  EXPECT_EQ(nack.error_detail().message(), "listener \"public\": no good");
  EXPECT_TRUE(core->accepted().listeners.empty());
  EXPECT_EQ(core->accepted().versions[portico::xds::typeIndex(ResourceType::kListener)], "");
}

TEST_F(AdsClientCoreTest, RejectedLaterResponseKeepsTheAcceptedStateAndVersion) {
  auto core = makeCore();
  core->onResponse(response(kListenerType, "lds-1", "n1", {pack(listener("public", 8080))}));
  core->onResponse(response(kRouteType, "rds-1", "r1", {pack(routes("public"))}));

  reject_with_ = "nope";
  auto result =
      core->onResponse(response(kListenerType, "lds-2", "n2",
                                {pack(listener("public", 8080)), pack(listener("admin", 9000))}));
  EXPECT_FALSE(result.accepted);
  ASSERT_EQ(result.requests.size(), 1u);
  const DiscoveryRequest& nack = result.requests[0];
  EXPECT_EQ(nack.version_info(), "lds-1");
  EXPECT_EQ(nack.response_nonce(), "n2");
  EXPECT_EQ(nack.error_detail().code(), 3);
  EXPECT_EQ(nack.error_detail().message(), "nope");
  EXPECT_EQ(keysOf(core->accepted().listeners), (std::vector<std::string>{"public"}));
  EXPECT_EQ(keysOf(core->accepted().routes), (std::vector<std::string>{"public"}));
  EXPECT_EQ(core->accepted().versions[portico::xds::typeIndex(ResourceType::kListener)], "lds-1");

  // The RDS subscription did not grow: a rejected LDS changes nothing.
  reject_with_.clear();
  auto rds = core->onResponse(response(kRouteType, "rds-2", "r2", {pack(routes("admin"))}));
  EXPECT_TRUE(rds.accepted);
  EXPECT_EQ(keysOf(core->accepted().routes), (std::vector<std::string>{"public"}));
  EXPECT_EQ(namesOf(rds.requests[0]), (std::vector<std::string>{"public"}));

  // The next good response is ACKed with its own version.
  auto good =
      core->onResponse(response(kListenerType, "lds-3", "n3", {pack(listener("public", 8080))}));
  EXPECT_TRUE(good.accepted);
  expectAck(good.requests[0], kListenerType, "lds-3", "n3");
}

TEST_F(AdsClientCoreTest, CompileErrorBecomesTheNackMessage) {
  auto core = makeCore();
  auto result =
      core->onResponse(response(kListenerType, "lds-1", "n1", {pack(listener("public", 0))}));
  EXPECT_FALSE(result.accepted);
  ASSERT_EQ(result.requests.size(), 1u);
  EXPECT_EQ(result.requests[0].error_detail().message(),
            "listener \"public\": address.socket_address.port_value: 0 is out of range (1..65535)");
}

TEST_F(AdsClientCoreTest, SameNameTwiceInOneResponseIsNacked) {
  auto core = makeCore();
  auto result =
      core->onResponse(response(kListenerType, "lds-1", "n1",
                                {pack(listener("public", 8080)), pack(listener("public", 8081))}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, "resource \"public\" appears twice in one response");
  ASSERT_EQ(result.requests.size(), 1u);
  EXPECT_EQ(result.requests[0].response_nonce(), "n1");
  EXPECT_EQ(result.requests[0].error_detail().message(),
            "resource \"public\" appears twice in one response");
  EXPECT_TRUE(candidates_.empty()) << "a response that does not decode never reaches apply";
  EXPECT_TRUE(core->accepted().listeners.empty());
}

TEST_F(AdsClientCoreTest, WrappedResourcesAreAccepted) {
  auto core = makeCore();
  auto lds = core->onResponse(
      response(kListenerType, "lds-1", "n1", {wrapped(listener("public", 8080), "public")}));
  EXPECT_TRUE(lds.accepted) << lds.error;
  auto rds =
      core->onResponse(response(kRouteType, "rds-1", "r1", {wrapped(routes("public"), "public")}));
  EXPECT_TRUE(rds.accepted) << rds.error;
  EXPECT_EQ(keysOf(core->accepted().listeners), (std::vector<std::string>{"public"}));
  EXPECT_EQ(keysOf(core->accepted().routes), (std::vector<std::string>{"public"}));
}

TEST_F(AdsClientCoreTest, ResourceOfTheWrongTypeIsNacked) {
  auto core = makeCore();
  auto result = core->onResponse(
      response(kListenerType, "lds-1", "n1",
               {pack(listener("public", 8080)), pack(builders::buildCluster("echo"))}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error,
            cat("a resource of type ", kClusterType, " in a ", kListenerType, " response"));
  ASSERT_EQ(result.requests.size(), 1u);
  EXPECT_EQ(result.requests[0].error_detail().code(), 3);
  EXPECT_TRUE(core->accepted().listeners.empty());
}

TEST_F(AdsClientCoreTest, WrappedResourceOfTheWrongTypeIsNacked) {
  auto core = makeCore();
  auto result = core->onResponse(
      response(kListenerType, "lds-1", "n1", {wrapped(builders::buildCluster("echo"), "echo")}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error,
            cat("a resource of type ", kClusterType, " in a ", kListenerType, " response"));
}

TEST_F(AdsClientCoreTest, UndecodableResourceIsNacked) {
  auto core = makeCore();
  google::protobuf::Any garbage;
  garbage.set_type_url(std::string(kListenerType));
  garbage.set_value("\xff\xff\xff");
  auto result = core->onResponse(response(kListenerType, "lds-1", "n1", {garbage}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, cat("cannot decode a ", kListenerType));
}

TEST_F(AdsClientCoreTest, ResourceWithoutNameIsNacked) {
  auto core = makeCore();
  auto result = core->onResponse(response(kListenerType, "lds-1", "n1", {pack(Listener())}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, cat("a ", kListenerType, " has no name"));
}

TEST_F(AdsClientCoreTest, UnknownTypeUrlIsIgnored) {
  auto core = makeCore();
  auto result = core->onResponse(response(
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", "1", "s1", {}));
  EXPECT_FALSE(result.accepted);
  EXPECT_FALSE(result.type.has_value());
  EXPECT_TRUE(result.requests.empty());
  EXPECT_TRUE(candidates_.empty());
}

// ---- reconnect ----

TEST_F(AdsClientCoreTest, StreamStartAfterAcceptedStatePresentsVersionsAndNames) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(response(kClusterType, "cds-1", "c1", {pack(builders::buildCluster("echo"))}));
  core->onResponse(response(kEndpointType, "eds-1", "e1", {pack(assignment("echo", 9001))}));
  core->onResponse(response(kListenerType, "lds-1", "n1", {pack(listener("public", 8080))}));
  core->onResponse(response(kRouteType, "rds-1", "r1", {pack(routes("public"))}));
  // A rejected response on the old stream: its nonce must not leak into the new one.
  reject_with_ = "bad";
  core->onResponse(response(kListenerType, "lds-2", "n2", {pack(listener("public", 8080))}));

  std::vector<DiscoveryRequest> start = core->streamStart();
  ASSERT_EQ(start.size(), 4u);
  EXPECT_EQ(start[0].type_url(), kClusterType);
  EXPECT_EQ(start[1].type_url(), kEndpointType);
  EXPECT_EQ(start[2].type_url(), kListenerType);
  EXPECT_EQ(start[3].type_url(), kRouteType);
  EXPECT_EQ(start[0].version_info(), "cds-1");
  EXPECT_EQ(start[1].version_info(), "eds-1");
  EXPECT_EQ(start[2].version_info(), "lds-1");
  EXPECT_EQ(start[3].version_info(), "rds-1");
  EXPECT_EQ(namesOf(start[0]), (std::vector<std::string>{}));
  EXPECT_EQ(namesOf(start[1]), (std::vector<std::string>{"echo"}));
  EXPECT_EQ(namesOf(start[2]), (std::vector<std::string>{}));
  EXPECT_EQ(namesOf(start[3]), (std::vector<std::string>{"public"}));
  ASSERT_TRUE(start[0].has_node());
  EXPECT_EQ(start[0].node().id(), "proxy-1");
  for (size_t i = 0; i < start.size(); ++i) {
    EXPECT_EQ(start[i].response_nonce(), "") << i;
    EXPECT_FALSE(start[i].has_error_detail()) << i;
    if (i > 0) {
      EXPECT_FALSE(start[i].has_node()) << i;
    }
  }
}

// ---- initial fetch ----

TEST_F(AdsClientCoreTest, InitialFetchDoneNeedsLdsCdsAndEveryReferencedRdsAndEds) {
  auto core = makeCore();
  core->streamStart();
  EXPECT_FALSE(core->initialFetchDone());
  core->onResponse(response(kListenerType, "lds-1", "n1",
                            {pack(listener("admin", 9000)), pack(listener("public", 8080))}));
  EXPECT_FALSE(core->initialFetchDone()) << "no CDS yet";
  core->onResponse(
      response(kClusterType, "cds-1", "c1",
               {pack(builders::buildCluster("a")), pack(builders::buildCluster("b"))}));
  EXPECT_FALSE(core->initialFetchDone()) << "no RDS or EDS yet";
  core->onResponse(response(kRouteType, "rds-1", "r1", {pack(routes("public"))}));
  EXPECT_FALSE(core->initialFetchDone()) << "admin's routes missing";
  core->onResponse(response(kRouteType, "rds-2", "r2", {pack(routes("admin"))}));
  EXPECT_FALSE(core->initialFetchDone()) << "no EDS yet";
  core->onResponse(response(kEndpointType, "eds-1", "e1", {pack(assignment("a", 1))}));
  EXPECT_FALSE(core->initialFetchDone()) << "b's endpoints missing";
  core->onResponse(response(kEndpointType, "eds-2", "e2", {pack(assignment("b", 2))}));
  EXPECT_TRUE(core->initialFetchDone());
}

TEST_F(AdsClientCoreTest, InitialFetchDoneWithEmptyLdsAndCds) {
  auto core = makeCore();
  core->onResponse(response(kListenerType, "1", "n1", {}));
  EXPECT_FALSE(core->initialFetchDone());
  core->onResponse(response(kClusterType, "1", "c1", {}));
  EXPECT_TRUE(core->initialFetchDone());
}

TEST_F(AdsClientCoreTest, RejectedLdsDoesNotCountAsReceived) {
  auto core = makeCore();
  core->onResponse(response(kClusterType, "1", "c1", {}));
  reject_with_ = "bad";
  core->onResponse(response(kListenerType, "1", "n1", {}));
  EXPECT_FALSE(core->initialFetchDone());
}

// ---- per-resource versions ----

TEST_F(AdsClientCoreTest, PerResourceVersionsFollowTheResponseOrTheWrapper) {
  auto core = makeCore();
  core->onResponse(
      response(kClusterType, "cds-1", "c1",
               {pack(builders::buildCluster("a")), wrapped(builders::buildCluster("b"), "b")}));
  const auto& cds =
      core->accepted().resource_versions[portico::xds::typeIndex(ResourceType::kCluster)];
  EXPECT_EQ(keysOf(cds), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(cds.at("a"), "cds-1");
  EXPECT_EQ(cds.at("b"), "v") << "a wrapped resource keeps its own version";
  core->onResponse(
      response(kEndpointType, "eds-1", "e1", {pack(assignment("a", 1)), pack(assignment("b", 2))}));
  core->onResponse(response(kEndpointType, "eds-2", "e2", {pack(assignment("b", 3))}));
  const auto& eds =
      core->accepted().resource_versions[portico::xds::typeIndex(ResourceType::kEndpoint)];
  EXPECT_EQ(eds.at("a"), "eds-1");
  EXPECT_EQ(eds.at("b"), "eds-2");
  // Full-state CDS without b: b, its assignment and their versions go.
  core->onResponse(response(kClusterType, "cds-2", "c2", {pack(builders::buildCluster("a"))}));
  EXPECT_EQ(
      keysOf(core->accepted().resource_versions[portico::xds::typeIndex(ResourceType::kCluster)]),
      (std::vector<std::string>{"a"}));
  EXPECT_EQ(
      keysOf(core->accepted().resource_versions[portico::xds::typeIndex(ResourceType::kEndpoint)]),
      (std::vector<std::string>{"a"}));
}

// ---- what apply sees ----

TEST_F(AdsClientCoreTest, ApplySeesTheFullCandidateWithTheNewVersion) {
  auto core = makeCore();
  core->onResponse(response(kClusterType, "cds-1", "c1", {pack(builders::buildCluster("echo"))}));
  core->onResponse(response(kListenerType, "lds-1", "n1", {pack(listener("public", 8080))}));
  ASSERT_EQ(candidates_.size(), 2u);
  const ResourceSet& seen = candidates_.back();
  EXPECT_EQ(keysOf(seen.clusters), (std::vector<std::string>{"echo"}));
  EXPECT_EQ(keysOf(seen.listeners), (std::vector<std::string>{"public"}));
  EXPECT_EQ(seen.versions[portico::xds::typeIndex(ResourceType::kCluster)], "cds-1");
  EXPECT_EQ(seen.versions[portico::xds::typeIndex(ResourceType::kListener)], "lds-1");
}

}  // namespace
}  // namespace portico::dp::xds
