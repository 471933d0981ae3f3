#include "data-plane/xds/delta_client_core.h"

#include <gtest/gtest.h>

#include <map>
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
using envoy::service::discovery::v3::Resource;
using Instance = portico::cp::registry::Instance;
using portico::xds::kClusterType;
using portico::xds::kEndpointType;
using portico::xds::kListenerType;
using portico::xds::kRouteType;
using portico::xds::typeIndex;
using Names = std::vector<std::string>;
using Versions = std::map<std::string, std::string>;

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
Resource resource(const T& message, const std::string& name, const std::string& version) {
  Resource out;
  out.set_name(name);
  out.set_version(version);
  out.mutable_resource()->PackFrom(message);
  return out;
}

DeltaDiscoveryResponse delta(std::string_view type_url, const std::string& nonce,
                             std::vector<Resource> resources, Names removed = {},
                             const std::string& system_version = "") {
  DeltaDiscoveryResponse out;
  out.set_type_url(std::string(type_url));
  out.set_nonce(nonce);
  out.set_system_version_info(system_version);
  for (auto& r : resources) {
    *out.add_resources() = std::move(r);
  }
  for (auto& name : removed) {
    out.add_removed_resources(name);
  }
  return out;
}

Names subscribed(const DeltaDiscoveryRequest& request) {
  return {request.resource_names_subscribe().begin(), request.resource_names_subscribe().end()};
}

Names unsubscribed(const DeltaDiscoveryRequest& request) {
  return {request.resource_names_unsubscribe().begin(), request.resource_names_unsubscribe().end()};
}

Versions initialVersions(const DeltaDiscoveryRequest& request) {
  return {request.initial_resource_versions().begin(), request.initial_resource_versions().end()};
}

template <typename Map>
Names keysOf(const Map& map) {
  Names out;
  for (const auto& [name, value] : map) {
    out.push_back(name);
  }
  return out;
}

Versions versionsOf(const ResourceSet& set, ResourceType type) {
  const VersionMap& map = set.resource_versions[typeIndex(type)];
  return {map.begin(), map.end()};
}

void expectAck(const DeltaDiscoveryRequest& request, std::string_view type_url,
               const std::string& nonce) {
  EXPECT_EQ(request.type_url(), type_url);
  EXPECT_EQ(request.response_nonce(), nonce);
  EXPECT_FALSE(request.has_error_detail()) << request.error_detail().message();
  EXPECT_FALSE(request.has_node());
  EXPECT_EQ(request.resource_names_subscribe_size(), 0);
  EXPECT_EQ(request.resource_names_unsubscribe_size(), 0);
  EXPECT_EQ(request.initial_resource_versions_size(), 0);
}

void expectSubscriptionChange(const DeltaDiscoveryRequest& request, std::string_view type_url,
                              const Names& subscribe, const Names& unsubscribe) {
  EXPECT_EQ(request.type_url(), type_url);
  EXPECT_EQ(subscribed(request), subscribe);
  EXPECT_EQ(unsubscribed(request), unsubscribe);
  EXPECT_EQ(request.response_nonce(), "");
  EXPECT_FALSE(request.has_error_detail());
  EXPECT_FALSE(request.has_node());
}

void expectNack(const DeltaDiscoveryRequest& request, std::string_view type_url,
                const std::string& nonce, const std::string& message) {
  EXPECT_EQ(request.type_url(), type_url);
  EXPECT_EQ(request.response_nonce(), nonce);
  ASSERT_TRUE(request.has_error_detail());
  EXPECT_EQ(request.error_detail().code(), 3);
  EXPECT_EQ(request.error_detail().message(), message);
  EXPECT_EQ(request.resource_names_subscribe_size(), 0);
  EXPECT_EQ(request.resource_names_unsubscribe_size(), 0);
}

class DeltaClientCoreTest : public ::testing::Test {
 protected:
  DeltaClientCoreTest() {
    node_.set_id("proxy-1");
    node_.set_cluster("web");
  }

  // A core whose apply compiles the candidate for real (as the proxy does), unless reject_with_
  // is set, and records every candidate it was shown.
  std::unique_ptr<DeltaClientCore> makeCore() {
    return std::make_unique<DeltaClientCore>(
        node_, [this](const ResourceSet& candidate) -> absl::Status {
          candidates_.push_back(candidate);
          if (!reject_with_.empty()) {
            return absl::InvalidArgumentError(reject_with_);
          }
          return config::compileSnapshot(candidate, stats_).status();
        });
  }

  // Clusters a and b with endpoints, listener public with its routes: a complete config.
  std::unique_ptr<DeltaClientCore> makeLoadedCore() {
    auto core = makeCore();
    core->streamStart();
    EXPECT_TRUE(core->onResponse(delta(kClusterType, "c1",
                                       {resource(builders::buildCluster("a"), "a", "ca1"),
                                        resource(builders::buildCluster("b"), "b", "cb1")}))
                    .accepted);
    EXPECT_TRUE(core->onResponse(delta(kEndpointType, "e1",
                                       {resource(assignment("a", 1001), "a", "ea1"),
                                        resource(assignment("b", 1002), "b", "eb1")}))
                    .accepted);
    EXPECT_TRUE(core->onResponse(delta(kListenerType, "l1",
                                       {resource(listener("public", 8080), "public", "lp1")}))
                    .accepted);
    EXPECT_TRUE(core->onResponse(
                        delta(kRouteType, "r1", {resource(routes("public", "a"), "public", "rp1")}))
                    .accepted);
    EXPECT_TRUE(core->initialFetchDone());
    candidates_.clear();
    return core;
  }

  envoy::config::core::v3::Node node_;
  router::RouteStatsStore stats_{1};
  std::string reject_with_;
  std::vector<ResourceSet> candidates_;
};

// ---- stream start ----

TEST_F(DeltaClientCoreTest, FreshStreamStartSubscribesClustersThenListenersByWildcard) {
  auto core = makeCore();
  std::vector<DeltaDiscoveryRequest> start = core->streamStart();
  ASSERT_EQ(start.size(), 2u);
  EXPECT_EQ(start[0].type_url(), kClusterType);
  EXPECT_EQ(start[1].type_url(), kListenerType);
  ASSERT_TRUE(start[0].has_node());
  EXPECT_EQ(start[0].node().id(), "proxy-1");
  EXPECT_EQ(start[0].node().cluster(), "web");
  EXPECT_FALSE(start[1].has_node()) << "the node goes on the first request only";
  for (const DeltaDiscoveryRequest& request : start) {
    EXPECT_EQ(subscribed(request), Names{"*"});
    EXPECT_EQ(unsubscribed(request), Names{});
    EXPECT_EQ(request.initial_resource_versions_size(), 0);
    EXPECT_EQ(request.response_nonce(), "");
    EXPECT_FALSE(request.has_error_detail());
  }
  EXPECT_EQ(core->subscriptions(ResourceType::kCluster), std::set<std::string>{"*"});
  EXPECT_TRUE(core->subscriptions(ResourceType::kRoute).empty());
  EXPECT_FALSE(core->initialFetchDone());
}

// ---- LDS / RDS ----

TEST_F(DeltaClientCoreTest, LdsDeltaIsAckedThenRdsIsSubscribed) {
  auto core = makeCore();
  core->streamStart();
  auto result = core->onResponse(delta(
      kListenerType, "n1", {resource(listener("public", 8080), "public", "lp1")}, {}, "sys-1"));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_TRUE(result.type.has_value());
  EXPECT_EQ(*result.type, ResourceType::kListener);
  EXPECT_EQ(result.error, "");
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kListenerType, "n1");
  expectSubscriptionChange(result.requests[1], kRouteType, {"public"}, {});
  EXPECT_EQ(result.requests[1].initial_resource_versions_size(), 0);

  EXPECT_EQ(keysOf(core->accepted().listeners), Names{"public"});
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kListener), (Versions{{"public", "lp1"}}));
  EXPECT_EQ(core->accepted().versions[typeIndex(ResourceType::kListener)], "sys-1");
  EXPECT_EQ(core->subscriptions(ResourceType::kRoute), std::set<std::string>{"public"});
}

TEST_F(DeltaClientCoreTest, LdsDeltasMergeAndSubscribeOnlyTheNewRouteNames) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(delta(kListenerType, "n1", {resource(listener("public", 8080), "public", "1")}));
  auto result = core->onResponse(
      delta(kListenerType, "n2", {resource(listener("admin", 9000), "admin", "1")}));
  EXPECT_TRUE(result.accepted) << result.error;
  EXPECT_EQ(keysOf(core->accepted().listeners), (Names{"admin", "public"}))
      << "a delta carries only what changed: public stays";
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kListenerType, "n2");
  expectSubscriptionChange(result.requests[1], kRouteType, {"admin"}, {});

  // A changed listener with the same route name: ACK only.
  auto same = core->onResponse(
      delta(kListenerType, "n3", {resource(listener("public", 8081), "public", "2")}));
  EXPECT_TRUE(same.accepted) << same.error;
  ASSERT_EQ(same.requests.size(), 1u);
  expectAck(same.requests[0], kListenerType, "n3");
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kListener),
            (Versions{{"admin", "1"}, {"public", "2"}}));
}

TEST_F(DeltaClientCoreTest, RemovedListenerUnsubscribesItsRoutesAndDropsThem) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(delta(kListenerType, "n1",
                         {resource(listener("admin", 9000), "admin", "1"),
                          resource(listener("public", 8080), "public", "1")}));
  core->onResponse(delta(
      kRouteType, "r1",
      {resource(routes("admin"), "admin", "ra"), resource(routes("public"), "public", "rp")}));
  ASSERT_EQ(keysOf(core->accepted().routes), (Names{"admin", "public"}));

  auto result = core->onResponse(delta(kListenerType, "n2", {}, {"admin"}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kListenerType, "n2");
  expectSubscriptionChange(result.requests[1], kRouteType, {}, {"admin"});
  EXPECT_EQ(keysOf(core->accepted().listeners), Names{"public"});
  EXPECT_EQ(keysOf(core->accepted().routes), Names{"public"});
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kRoute), (Versions{{"public", "rp"}}));
  ASSERT_FALSE(candidates_.empty());
  EXPECT_EQ(keysOf(candidates_.back().routes), Names{"public"})
      << "apply already saw the candidate without the dropped route configuration";
}

TEST_F(DeltaClientCoreTest, RdsResourcesNotSubscribedAreIgnored) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(delta(kListenerType, "n1", {resource(listener("public", 8080), "public", "1")}));
  auto result = core->onResponse(delta(
      kRouteType, "r1",
      {resource(routes("public"), "public", "1"), resource(routes("stranger"), "stranger", "1")}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 1u);
  expectAck(result.requests[0], kRouteType, "r1");
  EXPECT_EQ(keysOf(core->accepted().routes), Names{"public"});
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kRoute), (Versions{{"public", "1"}}));
}

// ---- CDS / EDS ----

TEST_F(DeltaClientCoreTest, CdsDeltaIsAckedThenEdsIsSubscribedByServiceName) {
  auto core = makeCore();
  core->streamStart();
  Cluster renamed = builders::buildCluster("orders");
  renamed.mutable_eds_cluster_config()->set_service_name("orders-eds");
  Cluster static_cluster;
  static_cluster.set_name("static");
  static_cluster.set_type(Cluster::STATIC);
  auto result = core->onResponse(
      delta(kClusterType, "c1",
            {resource(builders::buildCluster("echo"), "echo", "1"),
             resource(renamed, "orders", "1"), resource(static_cluster, "static", "1")}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kClusterType, "c1");
  expectSubscriptionChange(result.requests[1], kEndpointType, {"echo", "orders-eds"}, {});
  EXPECT_EQ(keysOf(core->accepted().clusters), (Names{"echo", "orders", "static"}));
}

TEST_F(DeltaClientCoreTest, CdsRemovalUnsubscribesEdsAndDropsTheAssignment) {
  auto core = makeLoadedCore();
  auto result = core->onResponse(delta(kClusterType, "c2", {}, {"b"}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 2u);
  expectAck(result.requests[0], kClusterType, "c2");
  expectSubscriptionChange(result.requests[1], kEndpointType, {}, {"b"});
  EXPECT_EQ(keysOf(core->accepted().clusters), Names{"a"});
  EXPECT_EQ(keysOf(core->accepted().endpoints), Names{"a"});
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kCluster), (Versions{{"a", "ca1"}}));
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kEndpoint), (Versions{{"a", "ea1"}}));
  ASSERT_EQ(candidates_.size(), 1u);
  EXPECT_EQ(keysOf(candidates_[0].endpoints), Names{"a"});

  // The cluster comes back: its assignment is subscribed again (the server re-sends it).
  auto back = core->onResponse(
      delta(kClusterType, "c3", {resource(builders::buildCluster("b"), "b", "cb2")}));
  EXPECT_TRUE(back.accepted) << back.error;
  ASSERT_EQ(back.requests.size(), 2u);
  expectSubscriptionChange(back.requests[1], kEndpointType, {"b"}, {});
}

TEST_F(DeltaClientCoreTest, EdsUpdateOfOneAssignmentMerges) {
  auto core = makeLoadedCore();
  auto result =
      core->onResponse(delta(kEndpointType, "e2", {resource(assignment("a", 2001), "a", "ea2")}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 1u);
  expectAck(result.requests[0], kEndpointType, "e2");
  const ResourceSet& set = core->accepted();
  EXPECT_EQ(keysOf(set.endpoints), (Names{"a", "b"}));
  EXPECT_EQ(set.endpoints.at("a")
                ->endpoints(0)
                .lb_endpoints(0)
                .endpoint()
                .address()
                .socket_address()
                .port_value(),
            2001u);
  EXPECT_EQ(set.endpoints.at("b")
                ->endpoints(0)
                .lb_endpoints(0)
                .endpoint()
                .address()
                .socket_address()
                .port_value(),
            1002u);
  EXPECT_EQ(versionsOf(set, ResourceType::kEndpoint), (Versions{{"a", "ea2"}, {"b", "eb1"}}));
}

TEST_F(DeltaClientCoreTest, RemovedResourcesRemoveAndKeepTheSubscription) {
  auto core = makeLoadedCore();
  auto result = core->onResponse(delta(kEndpointType, "e2", {}, {"a", "never-had"}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 1u) << "cluster a still references it: still subscribed";
  expectAck(result.requests[0], kEndpointType, "e2");
  EXPECT_EQ(keysOf(core->accepted().endpoints), Names{"b"});
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kEndpoint), (Versions{{"b", "eb1"}}));
  EXPECT_EQ(core->subscriptions(ResourceType::kEndpoint), (std::set<std::string>{"a", "b"}));
}

TEST_F(DeltaClientCoreTest, BodilessResourceListedAsRemovedIsAccepted) {
  auto core = makeLoadedCore();
  Resource tombstone;
  tombstone.set_name("a");
  auto result = core->onResponse(delta(kEndpointType, "e2", {tombstone}, {"a"}));
  EXPECT_TRUE(result.accepted) << result.error;
  EXPECT_EQ(keysOf(core->accepted().endpoints), Names{"b"});
}

// ---- NACK ----

TEST_F(DeltaClientCoreTest, RejectedUpdateIsNackedAndTheAcceptedSetStaysExactlyAsItWas) {
  auto core = makeLoadedCore();
  const ResourceSet before = core->accepted();
  reject_with_ = "listener \"admin\": no good";
  auto result = core->onResponse(delta(kListenerType, "l2",
                                       {resource(listener("admin", 9000), "admin", "la1")},
                                       {"public"}, "sys-2"));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, "listener \"admin\": no good");
  ASSERT_EQ(result.requests.size(), 1u) << "a NACK and nothing else (no RDS change)";
  expectNack(result.requests[0], kListenerType, "l2", "listener \"admin\": no good");
  EXPECT_FALSE(result.requests[0].has_node());

  const ResourceSet& after = core->accepted();
  EXPECT_EQ(keysOf(after.listeners), keysOf(before.listeners));
  EXPECT_EQ(after.listeners.at("public"), before.listeners.at("public"));
  EXPECT_EQ(keysOf(after.routes), keysOf(before.routes));
  EXPECT_EQ(keysOf(after.clusters), keysOf(before.clusters));
  EXPECT_EQ(keysOf(after.endpoints), keysOf(before.endpoints));
  EXPECT_EQ(after.versions, before.versions);
  EXPECT_EQ(after.resource_versions, before.resource_versions);
  EXPECT_EQ(core->subscriptions(ResourceType::kRoute), std::set<std::string>{"public"});

  // The next good delta is ACKed.
  reject_with_.clear();
  auto good = core->onResponse(
      delta(kListenerType, "l3", {resource(listener("public", 8081), "public", "lp2")}));
  EXPECT_TRUE(good.accepted) << good.error;
  ASSERT_EQ(good.requests.size(), 1u);
  expectAck(good.requests[0], kListenerType, "l3");
}

TEST_F(DeltaClientCoreTest, CompileErrorBecomesTheNackMessage) {
  auto core = makeCore();
  core->streamStart();
  auto result = core->onResponse(
      delta(kListenerType, "n1", {resource(listener("public", 0), "public", "1")}));
  EXPECT_FALSE(result.accepted);
  ASSERT_EQ(result.requests.size(), 1u);
  expectNack(
      result.requests[0], kListenerType, "n1",
      "listener \"public\": address.socket_address.port_value: 0 is out of range (1..65535)");
  EXPECT_TRUE(core->accepted().listeners.empty());
  EXPECT_TRUE(core->accepted().resource_versions[typeIndex(ResourceType::kListener)].empty());
}

TEST_F(DeltaClientCoreTest, ResourceOfTheWrongTypeIsNacked) {
  auto core = makeCore();
  core->streamStart();
  auto result = core->onResponse(delta(kListenerType, "n1",
                                       {resource(listener("public", 8080), "public", "1"),
                                        resource(builders::buildCluster("echo"), "echo", "1")}));
  EXPECT_FALSE(result.accepted);
  const std::string message =
      cat("a resource of type ", kClusterType, " in a ", kListenerType, " response");
  EXPECT_EQ(result.error, message);
  ASSERT_EQ(result.requests.size(), 1u);
  expectNack(result.requests[0], kListenerType, "n1", message);
  EXPECT_TRUE(candidates_.empty()) << "a response that does not decode never reaches apply";
  EXPECT_TRUE(core->accepted().listeners.empty());
}

TEST_F(DeltaClientCoreTest, SameNameTwiceInOneResponseIsNacked) {
  auto core = makeCore();
  core->streamStart();
  auto result = core->onResponse(delta(kListenerType, "n1",
                                       {resource(listener("public", 8080), "public", "1"),
                                        resource(listener("public", 8081), "public", "2")}));
  EXPECT_FALSE(result.accepted);
  ASSERT_EQ(result.requests.size(), 1u);
  expectNack(result.requests[0], kListenerType, "n1",
             "resource \"public\" appears twice in one response");
  EXPECT_TRUE(candidates_.empty());
  EXPECT_TRUE(core->accepted().listeners.empty());
}

TEST_F(DeltaClientCoreTest, BodilessResourceNotListedAsRemovedIsNacked) {
  auto core = makeLoadedCore();
  Resource bodiless;
  bodiless.set_name("a");
  bodiless.set_version("x");
  auto result = core->onResponse(delta(kEndpointType, "e2", {bodiless}));
  EXPECT_FALSE(result.accepted);
  ASSERT_EQ(result.requests.size(), 1u);
  expectNack(result.requests[0], kEndpointType, "e2",
             "resource \"a\" has no body and is not in removed_resources");
  EXPECT_EQ(keysOf(core->accepted().endpoints), (Names{"a", "b"}));
}

TEST_F(DeltaClientCoreTest, ResourceUpdatedAndRemovedInOneResponseIsNacked) {
  auto core = makeLoadedCore();
  auto result =
      core->onResponse(delta(kEndpointType, "e2", {resource(assignment("a", 1), "a", "x")}, {"a"}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, "resource \"a\" is both updated and removed in one response");
  EXPECT_EQ(versionsOf(core->accepted(), ResourceType::kEndpoint),
            (Versions{{"a", "ea1"}, {"b", "eb1"}}));
}

TEST_F(DeltaClientCoreTest, WrapperNameThatDiffersFromTheResourceIsNacked) {
  auto core = makeCore();
  core->streamStart();
  auto result = core->onResponse(
      delta(kListenerType, "n1", {resource(listener("public", 8080), "other", "1")}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, "resource \"other\" holds a resource named \"public\"");
}

TEST_F(DeltaClientCoreTest, UndecodableResourceIsNacked) {
  auto core = makeCore();
  core->streamStart();
  Resource garbage;
  garbage.set_name("public");
  garbage.mutable_resource()->set_type_url(std::string(kListenerType));
  garbage.mutable_resource()->set_value("\xff\xff\xff");
  auto result = core->onResponse(delta(kListenerType, "n1", {garbage}));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.error, cat("cannot decode a ", kListenerType));
}

TEST_F(DeltaClientCoreTest, UnknownTypeUrlIsIgnored) {
  auto core = makeCore();
  core->streamStart();
  auto result = core->onResponse(
      delta("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", "s1", {}));
  EXPECT_FALSE(result.accepted);
  EXPECT_FALSE(result.type.has_value());
  EXPECT_TRUE(result.requests.empty());
  EXPECT_TRUE(candidates_.empty());
}

// ---- reconnect ----

TEST_F(DeltaClientCoreTest, StreamStartAfterAcceptedStatePresentsVersionsAndSubscriptions) {
  auto core = makeLoadedCore();
  // A rejected response on the old stream: its nonce must not leak into the new one.
  reject_with_ = "bad";
  core->onResponse(
      delta(kListenerType, "l2", {resource(listener("public", 8080), "public", "lp2")}));

  std::vector<DeltaDiscoveryRequest> start = core->streamStart();
  ASSERT_EQ(start.size(), 4u);
  EXPECT_EQ(start[0].type_url(), kClusterType);
  EXPECT_EQ(start[1].type_url(), kEndpointType);
  EXPECT_EQ(start[2].type_url(), kListenerType);
  EXPECT_EQ(start[3].type_url(), kRouteType);
  EXPECT_EQ(subscribed(start[0]), Names{"*"});
  EXPECT_EQ(subscribed(start[1]), (Names{"a", "b"}));
  EXPECT_EQ(subscribed(start[2]), Names{"*"});
  EXPECT_EQ(subscribed(start[3]), Names{"public"});
  EXPECT_EQ(initialVersions(start[0]), (Versions{{"a", "ca1"}, {"b", "cb1"}}));
  EXPECT_EQ(initialVersions(start[1]), (Versions{{"a", "ea1"}, {"b", "eb1"}}));
  EXPECT_EQ(initialVersions(start[2]), (Versions{{"public", "lp1"}}));
  EXPECT_EQ(initialVersions(start[3]), (Versions{{"public", "rp1"}}));
  // Exactly the accepted per-resource versions.
  const ResourceSet& set = core->accepted();
  for (size_t i = 0; i < start.size(); ++i) {
    const auto type = *portico::xds::typeFromUrl(start[i].type_url());
    EXPECT_EQ(initialVersions(start[i]), versionsOf(set, type)) << i;
    EXPECT_EQ(start[i].response_nonce(), "") << i;
    EXPECT_EQ(start[i].resource_names_unsubscribe_size(), 0) << i;
    EXPECT_FALSE(start[i].has_error_detail()) << i;
    EXPECT_EQ(start[i].has_node(), i == 0) << i;
  }
  EXPECT_EQ(start[0].node().id(), "proxy-1");

  // On the new stream, a subscription change is a delta again.
  reject_with_.clear();
  auto result = core->onResponse(
      delta(kClusterType, "c9", {resource(builders::buildCluster("c"), "c", "cc1")}));
  EXPECT_TRUE(result.accepted) << result.error;
  ASSERT_EQ(result.requests.size(), 2u);
  expectSubscriptionChange(result.requests[1], kEndpointType, {"c"}, {});
  EXPECT_EQ(result.requests[1].initial_resource_versions_size(), 0);
}

TEST_F(DeltaClientCoreTest, FirstRequestOfATypeOnANewStreamCarriesAllItsSubscriptions) {
  auto core = makeLoadedCore();
  core->onResponse(delta(kClusterType, "c2", {}, {"a", "b"}));  // no EDS names left
  ASSERT_TRUE(core->subscriptions(ResourceType::kEndpoint).empty());
  std::vector<DeltaDiscoveryRequest> start = core->streamStart();
  ASSERT_EQ(start.size(), 3u) << "EDS has nothing to subscribe";
  EXPECT_EQ(start[0].type_url(), kClusterType);
  EXPECT_EQ(start[1].type_url(), kListenerType);
  EXPECT_EQ(start[2].type_url(), kRouteType);

  // EDS opens on this stream when a cluster appears: a plain subscription (nothing held).
  auto result = core->onResponse(
      delta(kClusterType, "c3", {resource(builders::buildCluster("d"), "d", "cd1")}));
  ASSERT_EQ(result.requests.size(), 2u);
  expectSubscriptionChange(result.requests[1], kEndpointType, {"d"}, {});
}

TEST_F(DeltaClientCoreTest, ResourcesWithoutAVersionAreNotPresentedOnReconnect) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(delta(kClusterType, "c1",
                         {resource(builders::buildCluster("a"), "a", ""),
                          resource(builders::buildCluster("b"), "b", "v")}));
  std::vector<DeltaDiscoveryRequest> start = core->streamStart();
  ASSERT_FALSE(start.empty());
  EXPECT_EQ(initialVersions(start[0]), (Versions{{"b", "v"}}));
}

// ---- initial fetch ----

TEST_F(DeltaClientCoreTest, InitialFetchDoneNeedsLdsCdsAndEveryReferencedRdsAndEds) {
  auto core = makeCore();
  core->streamStart();
  EXPECT_FALSE(core->initialFetchDone());
  core->onResponse(delta(kListenerType, "n1",
                         {resource(listener("admin", 9000), "admin", "1"),
                          resource(listener("public", 8080), "public", "1")}));
  EXPECT_FALSE(core->initialFetchDone()) << "no CDS yet";
  core->onResponse(delta(kClusterType, "c1",
                         {resource(builders::buildCluster("a"), "a", "1"),
                          resource(builders::buildCluster("b"), "b", "1")}));
  EXPECT_FALSE(core->initialFetchDone()) << "no RDS or EDS yet";
  core->onResponse(delta(kRouteType, "r1", {resource(routes("public"), "public", "1")}));
  EXPECT_FALSE(core->initialFetchDone()) << "admin's routes missing";
  core->onResponse(delta(kRouteType, "r2", {resource(routes("admin"), "admin", "1")}));
  EXPECT_FALSE(core->initialFetchDone()) << "no EDS yet";
  core->onResponse(delta(kEndpointType, "e1", {resource(assignment("a", 1), "a", "1")}));
  EXPECT_FALSE(core->initialFetchDone()) << "b's endpoints missing";
  // The server says b's assignment does not exist: nothing more to wait for.
  core->onResponse(delta(kEndpointType, "e2", {}, {"b"}));
  EXPECT_TRUE(core->initialFetchDone());
}

TEST_F(DeltaClientCoreTest, InitialFetchDoneWithEmptyLdsAndCds) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(delta(kListenerType, "n1", {}));
  EXPECT_FALSE(core->initialFetchDone());
  core->onResponse(delta(kClusterType, "c1", {}));
  EXPECT_TRUE(core->initialFetchDone());
}

TEST_F(DeltaClientCoreTest, RejectedLdsDoesNotCountAsReceived) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(delta(kClusterType, "c1", {}));
  reject_with_ = "bad";
  core->onResponse(delta(kListenerType, "n1", {}));
  EXPECT_FALSE(core->initialFetchDone());
}

// ---- what apply sees ----

TEST_F(DeltaClientCoreTest, ApplySeesTheFullCandidateWithVersions) {
  auto core = makeCore();
  core->streamStart();
  core->onResponse(delta(kClusterType, "c1",
                         {resource(builders::buildCluster("echo"), "echo", "ce")}, {}, "s1"));
  core->onResponse(
      delta(kListenerType, "n1", {resource(listener("public", 8080), "public", "lp")}, {}, "s2"));
  ASSERT_EQ(candidates_.size(), 2u);
  const ResourceSet& seen = candidates_.back();
  EXPECT_EQ(keysOf(seen.clusters), Names{"echo"});
  EXPECT_EQ(keysOf(seen.listeners), Names{"public"});
  EXPECT_EQ(seen.versions[typeIndex(ResourceType::kCluster)], "s1");
  EXPECT_EQ(seen.versions[typeIndex(ResourceType::kListener)], "s2");
  EXPECT_EQ(versionsOf(seen, ResourceType::kCluster), (Versions{{"echo", "ce"}}));
  EXPECT_EQ(versionsOf(seen, ResourceType::kListener), (Versions{{"public", "lp"}}));
}

}  // namespace
}  // namespace portico::dp::xds
