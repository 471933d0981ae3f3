#pragma once

// Helpers shared by the translator tests: operator configs are written as portico.yaml text,
// parsed with the real parser, translated, and the resources unpacked from the snapshots.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/xds/filter_names.h"
#include "common/xds/type_urls.h"
#include "control-plane/model/config_parser.h"
#include "control-plane/translator/translator.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::cp::translator::test {

using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::FilterConfig;
using envoy::config::route::v3::Route;
using envoy::config::route::v3::RouteConfiguration;
using envoy::config::route::v3::VirtualHost;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpFilter;
using portico::xds::ResourceType;

// A listener section every test config can start with.
inline constexpr char kListener[] =
    "listeners:\n"
    "  - { name: public, address: 127.0.0.1, port: 8080 }\n";

// Parses portico.yaml text that must be valid (the test fails otherwise).
inline model::PorticoConfig parse(const std::string& yaml) {
  auto parsed = model::parseConfig(yaml, "portico.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\nin:\n" << yaml;
  return parsed.ok() ? *std::move(parsed) : model::PorticoConfig{};
}

inline registry::Instance instance(const std::string& service, const std::string& id,
                                   const std::string& address, uint32_t port, uint32_t weight = 1,
                                   const std::string& zone = "") {
  registry::Instance out;
  out.set_service(service);
  out.set_id(id);
  out.set_address(address);
  out.set_port(port);
  out.set_weight(weight);
  out.set_zone(zone);
  out.set_ttl_seconds(30);
  return out;
}

// Instances grouped by service in id order, as Store::state() gives them.
inline registry::RegistryState registryOf(const std::vector<registry::Instance>& instances) {
  registry::RegistryState state;
  for (const registry::Instance& one : instances) state[one.service()].push_back(one);
  for (auto& [service, list] : state) {
    std::sort(list.begin(), list.end(),
              [](const auto& a, const auto& b) { return a.id() < b.id(); });
  }
  return state;
}

// The snapshot of `group` for a config (and registry).
inline xds::SnapshotPtr snapshotOf(const std::string& yaml,
                                   const registry::RegistryState& state = {},
                                   const std::string& group = "default") {
  const GroupSnapshots snapshots = translate(parse(yaml), state);
  auto it = snapshots.find(group);
  EXPECT_NE(it, snapshots.end()) << "no snapshot for group " << group;
  return it == snapshots.end() ? nullptr : it->second;
}

template <typename T>
T unpackResource(const xds::SnapshotPtr& snapshot, ResourceType type, const std::string& name) {
  T message;
  if (snapshot == nullptr) {
    ADD_FAILURE() << "no snapshot";
    return message;
  }
  xds::ResourcePtr resource = snapshot->find(type, name);
  if (resource == nullptr) {
    ADD_FAILURE() << "no " << portico::xds::shortName(type) << " resource named " << name;
    return message;
  }
  EXPECT_TRUE(resource->body.UnpackTo(&message)) << resource->body.type_url();
  return message;
}

inline Cluster clusterOf(const xds::SnapshotPtr& s, const std::string& name) {
  return unpackResource<Cluster>(s, ResourceType::kCluster, name);
}
inline ClusterLoadAssignment assignmentOf(const xds::SnapshotPtr& s, const std::string& name) {
  return unpackResource<ClusterLoadAssignment>(s, ResourceType::kEndpoint, name);
}
inline RouteConfiguration routesOf(const xds::SnapshotPtr& s, const std::string& name = "public") {
  return unpackResource<RouteConfiguration>(s, ResourceType::kRoute, name);
}
inline Listener listenerOf(const xds::SnapshotPtr& s, const std::string& name = "public") {
  return unpackResource<Listener>(s, ResourceType::kListener, name);
}

inline HttpConnectionManager hcmOf(const Listener& listener) {
  HttpConnectionManager hcm;
  if (listener.filter_chains_size() != 1 || listener.filter_chains(0).filters_size() != 1) {
    ADD_FAILURE() << "listener " << listener.name() << " has no single HCM";
    return hcm;
  }
  EXPECT_TRUE(listener.filter_chains(0).filters(0).typed_config().UnpackTo(&hcm));
  return hcm;
}

inline std::vector<std::string> filterNames(const HttpConnectionManager& hcm) {
  std::vector<std::string> out;
  for (const HttpFilter& filter : hcm.http_filters()) out.push_back(filter.name());
  return out;
}

// The HTTP filter named `name`, or a failure and an empty filter.
inline HttpFilter filterNamed(const HttpConnectionManager& hcm, std::string_view name) {
  for (const HttpFilter& filter : hcm.http_filters()) {
    if (filter.name() == name) return filter;
  }
  ADD_FAILURE() << "no http filter " << name;
  return HttpFilter();
}

inline bool hasFilter(const HttpConnectionManager& hcm, std::string_view name) {
  for (const HttpFilter& filter : hcm.http_filters()) {
    if (filter.name() == name) return true;
  }
  return false;
}

inline const VirtualHost* vhostNamed(const RouteConfiguration& config, const std::string& domain) {
  for (const VirtualHost& vhost : config.virtual_hosts()) {
    if (vhost.domains_size() == 1 && vhost.domains(0) == domain) return &vhost;
  }
  return nullptr;
}

// The catch-all virtual host ("*"), a reference into `config`.
inline const VirtualHost& catchAll(const RouteConfiguration& config) {
  const VirtualHost* vhost = vhostNamed(config, "*");
  if (vhost == nullptr) {
    ADD_FAILURE() << "no \"*\" virtual host in " << config.name();
    return VirtualHost::default_instance();
  }
  return *vhost;
}

inline std::vector<std::string> routeNames(const VirtualHost& vhost) {
  std::vector<std::string> out;
  for (const Route& route : vhost.routes()) out.push_back(route.name());
  return out;
}

// The first Envoy route named `name` in the catch-all virtual host.
inline Route routeNamed(const RouteConfiguration& config, const std::string& name) {
  for (const Route& route : catchAll(config).routes()) {
    if (route.name() == name) return route;
  }
  ADD_FAILURE() << "no route " << name;
  return Route();
}

// typed_per_filter_config[filter] unpacked as the FilterConfig wrapper.
inline bool perFilterConfig(const google::protobuf::Map<std::string, google::protobuf::Any>& map,
                            std::string_view filter, FilterConfig* out) {
  auto it = map.find(std::string(filter));
  if (it == map.end()) return false;
  EXPECT_TRUE(it->second.UnpackTo(out)) << it->second.type_url();
  return true;
}

}  // namespace portico::cp::translator::test
