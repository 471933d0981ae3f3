// Gateway groups (BFF): listeners, routes and plugins per group, shared clusters; the shipped
// examples; and determinism of every resource version.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <string>
#include <vector>

#include "common/hash.h"
#include "common/strings.h"
#include "control-plane/xds/snapshot_cache.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

namespace px = portico::xds;
using ::testing::ElementsAre;

constexpr char kGroups[] =
    "listeners:\n"
    "  - { name: web, address: 127.0.0.1, port: 8080 }\n"
    "  - { name: mobile, address: 127.0.0.1, port: 8081 }\n"
    "groups:\n"
    "  - { name: web, listeners: [web] }\n"
    "  - { name: mobile, listeners: [mobile], routes: [users] }\n"
    "routes:\n"
    "  - { name: users, match: { path_prefix: /users }, service: users }\n"
    "  - { name: orders, match: { path_prefix: /orders }, service: orders }\n"
    "plugins:\n"
    "  - { name: rate-limit, groups: [web], config: { limit: 10 } }\n"
    "  - { name: key-auth, groups: [mobile] }\n"
    "  - { name: request-size-limit, config: { max_body: 1KB } }\n";

// Traffic listeners only (not the proxyless api_listeners, which are served by name).
std::vector<std::string> trafficListeners(const xds::Snapshot& snapshot) {
  std::vector<std::string> out;
  for (const auto& [name, resource] : snapshot.resources(ResourceType::kListener)) {
    if (resource->wildcard) out.push_back(name);
  }
  return out;
}

std::vector<std::string> trafficRouteConfigs(const xds::Snapshot& snapshot) {
  std::vector<std::string> out;
  for (const auto& [name, resource] : snapshot.resources(ResourceType::kRoute)) {
    if (resource->wildcard) out.push_back(name);
  }
  return out;
}

TEST(GroupTranslationTest, EveryConfiguredGroupPlusDefault) {
  const GroupSnapshots snapshots = translate(parse(kGroups), {});
  std::vector<std::string> names;
  for (const auto& [name, snapshot] : snapshots) names.push_back(name);
  EXPECT_THAT(names, ElementsAre("default", "mobile", "web"));
  EXPECT_THAT(groupNames(parse(kGroups)), ElementsAre("default", "mobile", "web"));
}

TEST(GroupTranslationTest, ListenersAndRoutesPerGroup) {
  const auto state = registryOf({instance("unrouted", "u-1", "10.0.0.9", 80)});
  const GroupSnapshots snapshots = translate(parse(kGroups), state);
  const xds::SnapshotPtr web = snapshots.at("web");
  const xds::SnapshotPtr mobile = snapshots.at("mobile");
  const xds::SnapshotPtr all = snapshots.at("default");
  EXPECT_THAT(trafficListeners(*web), ElementsAre("web"));
  EXPECT_THAT(trafficRouteConfigs(*web), ElementsAre("web"));
  EXPECT_THAT(trafficListeners(*mobile), ElementsAre("mobile"));
  EXPECT_THAT(trafficRouteConfigs(*mobile), ElementsAre("mobile"));
  EXPECT_THAT(trafficListeners(*all), ElementsAre("mobile", "web"));

  EXPECT_EQ(listenerOf(web, "web").address().socket_address().port_value(), 8080u);
  EXPECT_EQ(listenerOf(mobile, "mobile").address().socket_address().port_value(), 8081u);
  // web takes every route (and so the default route of the unrouted service); mobile only users.
  EXPECT_THAT(routeNames(catchAll(routesOf(web, "web"))),
              ElementsAre("users", "orders", "unrouted"));
  EXPECT_THAT(routeNames(catchAll(routesOf(mobile, "mobile"))), ElementsAre("users"));
  EXPECT_THAT(routeNames(catchAll(routesOf(all, "web"))),
              ElementsAre("users", "orders", "unrouted"));
  EXPECT_THAT(routeNames(catchAll(routesOf(all, "mobile"))),
              ElementsAre("users", "orders", "unrouted"));
}

TEST(GroupTranslationTest, GroupRestrictedPluginsOnlyInTheirGroups) {
  const GroupSnapshots snapshots = translate(parse(kGroups), {});
  const HttpConnectionManager web = hcmOf(listenerOf(snapshots.at("web"), "web"));
  const HttpConnectionManager mobile = hcmOf(listenerOf(snapshots.at("mobile"), "mobile"));
  EXPECT_THAT(filterNames(web), ElementsAre(px::kRequestSizeLimitFilter, px::kRateLimitFilter,
                                            px::kRouterFilterName));
  EXPECT_THAT(filterNames(mobile),
              ElementsAre(px::kRequestSizeLimitFilter, px::kKeyAuthFilter, px::kRouterFilterName));
}

TEST(GroupTranslationTest, GroupRestrictedRouteOverrideOnlyInItsGroup) {
  const std::string yaml = cat(kGroups, "  - { name: cache, route: users, groups: [mobile] }\n");
  const GroupSnapshots snapshots = translate(parse(yaml), {});
  FilterConfig wrapper;
  EXPECT_TRUE(perFilterConfig(
      routeNamed(routesOf(snapshots.at("mobile"), "mobile"), "users").typed_per_filter_config(),
      px::kCacheFilter, &wrapper));
  EXPECT_FALSE(perFilterConfig(
      routeNamed(routesOf(snapshots.at("web"), "web"), "users").typed_per_filter_config(),
      px::kCacheFilter, &wrapper));
  EXPECT_FALSE(hasFilter(hcmOf(listenerOf(snapshots.at("web"), "web")), px::kCacheFilter));
}

TEST(GroupTranslationTest, UndefinedGroupGetsTheDefaultSnapshot) {
  xds::SnapshotCache cache;
  const GroupSnapshots snapshots = translate(parse(kGroups), {});
  cache.setAll({snapshots.begin(), snapshots.end()});
  EXPECT_EQ(cache.get("no-such-group"), snapshots.at("default"));
  EXPECT_EQ(cache.get("web"), snapshots.at("web"));
}

TEST(GroupTranslationTest, GroupsShareClusterAndEndpointVersions) {
  const auto state = registryOf(
      {instance("users", "u-1", "10.0.0.1", 80), instance("orders", "o-1", "10.0.0.2", 80)});
  const GroupSnapshots snapshots = translate(parse(kGroups), state);
  const xds::SnapshotPtr reference = snapshots.at("default");
  for (const auto& [group, snapshot] : snapshots) {
    for (ResourceType type : {ResourceType::kCluster, ResourceType::kEndpoint}) {
      EXPECT_EQ(snapshot->version(type), reference->version(type)) << group;
      ASSERT_EQ(snapshot->resources(type).size(), reference->resources(type).size()) << group;
      for (const auto& [name, resource] : reference->resources(type)) {
        const xds::ResourcePtr other = snapshot->find(type, name);
        ASSERT_NE(other, nullptr) << group << " " << name;
        EXPECT_EQ(other->version, resource->version) << group << " " << name;
      }
    }
  }
}

absl::StatusOr<model::PorticoConfig> loadFullExample() {
  ::setenv("JWT_SECRET", "example-secret-for-translator-tests", 1);
  auto config = model::loadConfigFile(std::string(PORTICO_SOURCE_DIR) + "/examples/full.yaml");
  ::unsetenv("JWT_SECRET");
  return config;
}

TEST(GroupTranslationTest, FullExampleTranslatesForEveryGroup) {
  auto config = loadFullExample();
  ASSERT_TRUE(config.ok()) << config.status();
  const GroupSnapshots snapshots = translate(*config, {});
  std::vector<std::string> names;
  for (const auto& [name, snapshot] : snapshots) names.push_back(name);
  EXPECT_THAT(names, ElementsAre("default", "mobile", "web"));
  EXPECT_THAT(trafficListeners(*snapshots.at("web")), ElementsAre("public", "public-tls"));
  EXPECT_THAT(trafficListeners(*snapshots.at("mobile")), ElementsAre("public"));
  const RouteConfiguration mobile_routes = routesOf(snapshots.at("mobile"));
  EXPECT_THAT(routeNames(catchAll(mobile_routes)), ElementsAre("orders", "health"));
  const VirtualHost* api = vhostNamed(mobile_routes, "api.example.com");
  ASSERT_NE(api, nullptr);
  EXPECT_THAT(routeNames(*api), ElementsAre("users", "users", "orders", "health"));
  // ext-auth is restricted to web.
  EXPECT_TRUE(hasFilter(hcmOf(listenerOf(snapshots.at("web"))), px::kExtAuthFilter));
  EXPECT_FALSE(hasFilter(hcmOf(listenerOf(snapshots.at("mobile"))), px::kExtAuthFilter));
  const HttpConnectionManager hcm = hcmOf(listenerOf(snapshots.at("default")));
  EXPECT_EQ(hcm.http_filters(0).name(), px::kConsumersFilter);
  EXPECT_EQ(hcm.http_filters(hcm.http_filters_size() - 1).name(), px::kRouterFilterName);
  for (const auto& [group, snapshot] : snapshots) {
    for (ResourceType type : px::kAllResourceTypes) {
      EXPECT_FALSE(snapshot->resources(type).empty()) << group << " " << px::shortName(type);
    }
  }
}

// Every (group, type, name) → version.
using Versions = std::map<std::string, std::string>;

Versions versionsOf(const GroupSnapshots& snapshots) {
  Versions out;
  for (const auto& [group, snapshot] : snapshots) {
    for (ResourceType type : px::kAllResourceTypes) {
      out[cat(group, "/", px::shortName(type), "/*")] = snapshot->version(type);
      for (const auto& [name, resource] : snapshot->resources(type)) {
        out[cat(group, "/", px::shortName(type), "/", name)] = resource->version;
      }
    }
  }
  return out;
}

// A config with every multi-valued part that could be serialized in varying order: several
// jwt instances and providers (maps inside the packed filter configs), consumers, headers maps.
constexpr char kRich[] =
    "listeners:\n"
    "  - { name: a, port: 8080 }\n"
    "  - { name: b, port: 8081 }\n"
    "groups:\n"
    "  - { name: g1, listeners: [a] }\n"
    "  - { name: g2, listeners: [b], routes: [r1] }\n"
    "services:\n"
    "  - { name: s1, lb: ring_hash, hash_on: { header: x-k }, endpoints: [ { address: 10.0.0.1, "
    "port: 1 } ] }\n"
    "routes:\n"
    "  - { name: r1, match: { hosts: [x.example, \"*.y.example\"], path_prefix: [/a, /b] }, "
    "service: s1 }\n"
    "  - { name: r2, match: { path_prefix: /c, headers: { x-a: [1, 2] } }, split: [ { service: s1, "
    "weight: 1 }, "
    "{ service: s2, weight: 3 } ] }\n"
    "plugins:\n"
    "  - name: jwt\n"
    "    config:\n"
    "      providers:\n"
    "        - { name: p1, issuer: i1, jwks_uri: https://one/jwks, require: [exp, sub] }\n"
    "        - { name: p2, issuer: i2, jwks_uri: https://two/jwks }\n"
    "        - { name: p3, issuer: i3, secret: { base64: c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA== } }\n"
    "      claims_to_headers: { sub: x-sub, role: x-role, tenant: x-tenant }\n"
    "  - { name: jwt, route: r2, config: { providers: [ { name: q, issuer: q, jwks_uri: "
    "https://q/jwks } ] } }\n"
    "  - { name: jwt, service: s1, config: { providers: [ { name: s, issuer: s, jwks_uri: "
    "https://s/jwks } ] } }\n"
    "  - { name: cors, config: { origins: [\"*\"], methods: [GET] } }\n"
    "  - { name: rate-limit, config: { limit: 5 } }\n"
    "  - { name: request-headers, route: r1, config: { add: { X-B: b, X-A: a }, set: { X-C: c } } "
    "}\n"
    "consumers:\n"
    "  - { name: c1, groups: [x, y], api_keys: [\"sha256:";

std::string richConfig() {
  return cat(kRich, sha256Hex("k1"),
             "\"], plugins: [ { name: rate-limit, config: { limit: 9 } } ] }\n"
             "  - { name: c2, api_keys: [\"sha256:",
             sha256Hex("k2"), "\"] }\n");
}

TEST(DeterminismTest, SameInputGivesIdenticalVersionsEverywhere) {
  const auto state = registryOf(
      {instance("s1", "b", "10.0.1.2", 80, 2, "z2"), instance("s1", "a", "10.0.1.1", 80, 1, "z1"),
       instance("s2", "c", "10.0.2.1", 80), instance("s3", "d", "10.0.3.1", 80)});
  const Versions first = versionsOf(translate(parse(richConfig()), state));
  ASSERT_FALSE(first.empty());
  for (int i = 0; i < 20; ++i) {
    const Versions again = versionsOf(translate(parse(richConfig()), state));
    ASSERT_EQ(again.size(), first.size());
    for (const auto& [key, version] : first) {
      EXPECT_EQ(again.at(key), version) << key << " (translation " << i + 2 << ")";
    }
    if (HasFailure()) break;
  }
}

// Without jwt (whose filter configs hold protobuf maps) the same holds; a control for the
// tests around it.
TEST(DeterminismTest, SameInputWithoutJwtGivesIdenticalVersions) {
  std::string yaml = richConfig();
  const size_t jwt = yaml.find("  - name: jwt\n");
  const size_t cors = yaml.find("  - { name: cors");
  ASSERT_NE(jwt, std::string::npos);
  yaml.erase(jwt, cors - jwt);
  const Versions first = versionsOf(translate(parse(yaml), {}));
  for (int i = 0; i < 20 && !HasFailure(); ++i) {
    const Versions again = versionsOf(translate(parse(yaml), {}));
    for (const auto& [key, version] : first) EXPECT_EQ(again.at(key), version) << key;
  }
}

// A jwt plugin with several providers: its jwt_authn and jwt_policy configs carry maps
// (providers, requirement_map). Packed into the HCM, they must serialize the same each time.
TEST(DeterminismTest, ListenerWithSeveralJwtProvidersHasAStableVersion) {
  const std::string yaml =
      cat(kListener,
          "plugins:\n"
          "  - name: jwt\n"
          "    config:\n"
          "      providers:\n"
          "        - { name: p1, issuer: i1, jwks_uri: https://one/jwks }\n"
          "        - { name: p2, issuer: i2, jwks_uri: https://two/jwks }\n"
          "        - { name: p3, issuer: i3, jwks_uri: https://three/jwks }\n");
  const std::string first =
      translate(parse(yaml), {}).at("default")->find(ResourceType::kListener, "public")->version;
  int different = 0;
  for (int i = 0; i < 20; ++i) {
    if (translate(parse(yaml), {})
            .at("default")
            ->find(ResourceType::kListener, "public")
            ->version != first) {
      ++different;
    }
  }
  EXPECT_EQ(different, 0) << "of 20 re-translations, " << different
                          << " gave listener \"public\" another version";
}

TEST(DeterminismTest, FullExampleGivesIdenticalVersionsEverywhere) {
  auto config = loadFullExample();
  ASSERT_TRUE(config.ok()) << config.status();
  const Versions first = versionsOf(translate(*config, {}));
  for (int i = 0; i < 20; ++i) {
    auto reparsed = loadFullExample();
    ASSERT_TRUE(reparsed.ok());
    const Versions again = versionsOf(translate(*reparsed, {}));
    ASSERT_EQ(again.size(), first.size());
    for (const auto& [key, version] : first) {
      EXPECT_EQ(again.at(key), version) << key << " (translation " << i + 2 << ")";
    }
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace portico::cp::translator::test
