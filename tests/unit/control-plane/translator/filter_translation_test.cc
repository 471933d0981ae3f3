// portico.yaml `plugins` and `consumers` → the HCM's http_filters and per-route
// typed_per_filter_config (Kong's precedence: route > service > global).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/hash.h"
#include "common/strings.h"
#include "envoy/extensions/filters/http/grpc_json_transcoder/v3/transcoder.pb.h"
#include "portico/filters/consumers/v1/consumers.pb.h"
#include "portico/filters/key_auth/v1/key_auth.pb.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"
#include "portico/filters/request_size_limit/v1/request_size_limit.pb.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

namespace px = portico::xds;
using portico::filters::consumers::v1::Consumers;
using portico::filters::key_auth::v1::KeyAuth;
using portico::filters::rate_limit::v1::RateLimit;
using ::testing::ElementsAre;

constexpr char kRoutes[] =
    "services:\n"
    "  - { name: users }\n"
    "routes:\n"
    "  - { name: r1, match: { path_prefix: /one }, service: users }\n"
    "  - { name: r2, match: { path_prefix: /two }, service: users }\n"
    "  - { name: r3, match: { path_prefix: /three }, service: orders }\n"
    "  - name: r4\n"
    "    match: { path_prefix: /four }\n"
    "    split: [ { service: users, weight: 1 }, { service: orders, weight: 1 } ]\n";

struct Translated {
  HttpConnectionManager hcm;
  RouteConfiguration routes;
};

Translated translated(const std::string& plugins_yaml, const std::string& group = "default") {
  const xds::SnapshotPtr snapshot = snapshotOf(cat(kListener, kRoutes, plugins_yaml), {}, group);
  return {hcmOf(listenerOf(snapshot)), routesOf(snapshot)};
}

uint64_t rateLimitOf(const google::protobuf::Any& any) {
  RateLimit limit;
  EXPECT_TRUE(any.UnpackTo(&limit)) << any.type_url();
  return limit.limit();
}

TEST(FilterTranslationTest, NoPluginsMeansRouterOnly) {
  const Translated t = translated("");
  EXPECT_THAT(filterNames(t.hcm), ElementsAre(px::kRouterFilterName));
  EXPECT_EQ(catchAll(t.routes).routes(0).typed_per_filter_config_size(), 0);
}

TEST(FilterTranslationTest, FilterOrderFollowsPluginNamesWithRouterLast) {
  const Translated t = translated(
      "plugins:\n"
      "  - { name: response-headers, config: { add: { X-A: b } } }\n"
      "  - { name: rate-limit, config: { limit: 5 } }\n"
      "  - { name: key-auth }\n"
      "  - { name: cache, route: r1 }\n"
      "  - { name: cors, config: { origins: [\"*\"] } }\n"
      "  - { name: request-size-limit, config: { max_body: 1KB } }\n"
      "  - { name: authorize, config: { any_of: [ { consumer_group: g } ] } }\n"
      "  - { name: request-headers, config: { remove: [X-Debug] } }\n");
  EXPECT_THAT(
      filterNames(t.hcm),
      ElementsAre(px::kCorsFilter, px::kRequestSizeLimitFilter, px::kKeyAuthFilter,
                  px::kAuthorizeFilter, px::kRateLimitFilter, px::kCacheFilter,
                  px::kRequestHeadersFilter, px::kResponseHeadersFilter, px::kRouterFilterName));
}

TEST(FilterTranslationTest, ConsumersFilterComesFirstWhenConsumersExist) {
  const Translated t = translated(
      "plugins:\n"
      "  - { name: cors, config: { origins: [\"*\"] } }\n"
      "  - { name: key-auth }\n"
      "consumers:\n"
      "  - { name: app, api_keys: [\"sha256:" +
      sha256Hex("k") + "\"] }\n");
  EXPECT_THAT(filterNames(t.hcm), ElementsAre(px::kConsumersFilter, px::kCorsFilter,
                                              px::kKeyAuthFilter, px::kRouterFilterName));
}

TEST(FilterTranslationTest, GlobalInstanceCarriesItsConfigAndIsEnabled) {
  const Translated t = translated(
      "plugins:\n"
      "  - { name: rate-limit, config: { limit: 100, window: 10s, key: consumer } }\n"
      "  - { name: key-auth, config: { header: x-token, query: token } }\n");
  const HttpFilter limit = filterNamed(t.hcm, px::kRateLimitFilter);
  EXPECT_FALSE(limit.disabled());
  RateLimit config;
  ASSERT_TRUE(limit.typed_config().UnpackTo(&config)) << limit.typed_config().type_url();
  EXPECT_EQ(config.limit(), 100u);
  EXPECT_EQ(config.window().seconds(), 10);
  EXPECT_EQ(config.key(), "consumer");
  EXPECT_TRUE(config.fail_open());
  const HttpFilter key = filterNamed(t.hcm, px::kKeyAuthFilter);
  EXPECT_FALSE(key.disabled());
  KeyAuth key_config;
  ASSERT_TRUE(key.typed_config().UnpackTo(&key_config));
  EXPECT_EQ(key_config.header(), "x-token");
  EXPECT_EQ(key_config.query(), "token");
  // No route overrides a global instance.
  for (const Route& route : catchAll(t.routes).routes())
    EXPECT_EQ(route.typed_per_filter_config_size(), 0);
}

TEST(FilterTranslationTest, RouteOnlyPluginIsDisabledAtFilterLevelAndEnabledByItsRoute) {
  const Translated t =
      translated("plugins:\n  - { name: key-auth, route: r1, config: { header: x-key } }\n");
  const HttpFilter filter = filterNamed(t.hcm, px::kKeyAuthFilter);
  EXPECT_TRUE(filter.disabled());
  EXPECT_TRUE(filter.typed_config().Is<KeyAuth>()) << filter.typed_config().type_url();
  FilterConfig wrapper;
  ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, "r1").typed_per_filter_config(),
                              px::kKeyAuthFilter, &wrapper));
  EXPECT_FALSE(wrapper.disabled());
  KeyAuth config;
  ASSERT_TRUE(wrapper.config().UnpackTo(&config)) << wrapper.config().type_url();
  EXPECT_EQ(config.header(), "x-key");
  for (const char* other : {"r2", "r3", "r4"}) {
    EXPECT_FALSE(perFilterConfig(routeNamed(t.routes, other).typed_per_filter_config(),
                                 px::kKeyAuthFilter, &wrapper))
        << other;
  }
}

TEST(FilterTranslationTest, OverrideIsOnEveryPrefixOfTheRoute) {
  const std::string yaml =
      cat(kListener,
          "routes:\n"
          "  - { name: multi, match: { path_prefix: [/a, /b] }, service: s }\n"
          "plugins:\n"
          "  - { name: request-size-limit, route: multi, config: { max_body: 10 } }\n");
  const VirtualHost vhost = catchAll(routesOf(snapshotOf(yaml)));
  ASSERT_EQ(vhost.routes_size(), 2);
  for (const Route& route : vhost.routes()) {
    FilterConfig wrapper;
    EXPECT_TRUE(
        perFilterConfig(route.typed_per_filter_config(), px::kRequestSizeLimitFilter, &wrapper))
        << route.match().prefix();
  }
}

TEST(FilterTranslationTest, DisabledAtRouteScopeIsFilterConfigDisabled) {
  const Translated t = translated(
      "plugins:\n"
      "  - { name: rate-limit, config: { limit: 10 } }\n"
      "  - { name: rate-limit, route: r2, enabled: false }\n"
      "  - { name: rate-limit, route: r4, config: { limit: 4 } }\n");  // r4 splits: needs its own
  const HttpFilter filter = filterNamed(t.hcm, px::kRateLimitFilter);
  EXPECT_FALSE(filter.disabled());
  FilterConfig wrapper;
  ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, "r2").typed_per_filter_config(),
                              px::kRateLimitFilter, &wrapper));
  EXPECT_TRUE(wrapper.disabled());
  EXPECT_FALSE(wrapper.has_config());
  EXPECT_FALSE(perFilterConfig(routeNamed(t.routes, "r1").typed_per_filter_config(),
                               px::kRateLimitFilter, &wrapper));
}

TEST(FilterTranslationTest, PluginWhoseOnlyInstanceIsDisabledHasNoFilter) {
  const Translated t =
      translated("plugins:\n  - { name: rate-limit, enabled: false, config: { limit: 1 } }\n");
  EXPECT_FALSE(hasFilter(t.hcm, px::kRateLimitFilter));
  EXPECT_THAT(filterNames(t.hcm), ElementsAre(px::kRouterFilterName));
}

TEST(FilterTranslationTest, DisabledGlobalWithRouteInstanceRunsOnlyThere) {
  const Translated t = translated(
      "plugins:\n"
      "  - { name: rate-limit, enabled: false, config: { limit: 1 } }\n"
      "  - { name: rate-limit, route: r1, config: { limit: 7 } }\n");
  const HttpFilter filter = filterNamed(t.hcm, px::kRateLimitFilter);
  EXPECT_TRUE(filter.disabled());
  FilterConfig wrapper;
  ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, "r1").typed_per_filter_config(),
                              px::kRateLimitFilter, &wrapper));
  EXPECT_EQ(rateLimitOf(wrapper.config()), 7u);
}

TEST(FilterTranslationTest, ServiceScopeAppliesToTheServicesRoutes) {
  // r4 splits across users and orders, so a users-scoped plugin needs a route-scoped instance
  // on r4 (the parser refuses it otherwise); that instance wins there.
  const Translated t = translated(
      "plugins:\n"
      "  - { name: rate-limit, service: users, config: { limit: 3 } }\n"
      "  - { name: rate-limit, route: r4, config: { limit: 9 } }\n");
  EXPECT_TRUE(filterNamed(t.hcm, px::kRateLimitFilter).disabled());
  for (const auto& [name, limit] : {std::pair{"r1", 3u}, std::pair{"r2", 3u}, std::pair{"r4", 9u}}) {
    FilterConfig wrapper;
    ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, name).typed_per_filter_config(),
                                px::kRateLimitFilter, &wrapper))
        << name;
    EXPECT_FALSE(wrapper.disabled());
    EXPECT_EQ(rateLimitOf(wrapper.config()), limit) << name;
  }
  FilterConfig wrapper;
  EXPECT_FALSE(perFilterConfig(routeNamed(t.routes, "r3").typed_per_filter_config(),
                               px::kRateLimitFilter, &wrapper));
}

TEST(FilterTranslationTest, ServiceScopedPluginOnASplitTargetNeedsARouteInstance) {
  auto parsed = model::parseConfig(
      cat(kListener, kRoutes, "plugins:\n  - { name: rate-limit, service: users, config: { limit: 3 } }\n"),
      "portico.yaml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()),
              ::testing::HasSubstr("service \"users\" is one of several split targets of route \"r4\""));
}

// r4 splits users (first) and orders. A plugin scoped to orders must not be lost on the share r4
// sends to orders: either the config is refused, or the override reaches that share (on the
// route, or on the weighted cluster "orders").
TEST(FilterTranslationTest, ServiceScopedPluginOnASecondSplitTargetIsHonoured) {
  const std::string yaml =
      cat(kListener, kRoutes,
          "plugins:\n  - { name: key-auth, service: orders, config: { header: x-orders-key } }\n");
  auto parsed = model::parseConfig(yaml, "portico.yaml");
  if (!parsed.ok()) return;  // refused: the split's targets disagree on their plugins
  const RouteConfiguration routes = routesOf(translate(*parsed, {}).at("default"));
  const Route r4 = routeNamed(routes, "r4");
  FilterConfig wrapper;
  bool covered = perFilterConfig(r4.typed_per_filter_config(), px::kKeyAuthFilter, &wrapper) &&
                 !wrapper.disabled();
  for (const auto& cluster : r4.route().weighted_clusters().clusters()) {
    if (cluster.name() == "orders" &&
        perFilterConfig(cluster.typed_per_filter_config(), px::kKeyAuthFilter, &wrapper) &&
        !wrapper.disabled()) {
      covered = true;
    }
  }
  EXPECT_TRUE(covered)
      << "key-auth of service orders does not apply to the requests r4 sends to orders";
}

// A registered service nobody routes to gets a default route; its service-scoped plugins must
// run there (an auth plugin silently skipped would expose the service).
TEST(FilterTranslationTest, ServiceScopedPluginAppliesToTheDefaultRoute) {
  const std::string yaml = cat(kListener,
                               "services:\n"
                               "  - { name: internal }\n"
                               "plugins:\n"
                               "  - { name: key-auth, service: internal }\n");
  const auto state = registryOf({instance("internal", "i-1", "10.0.0.1", 80)});
  const xds::SnapshotPtr snapshot = snapshotOf(yaml, state);
  EXPECT_TRUE(filterNamed(hcmOf(listenerOf(snapshot)), px::kKeyAuthFilter).disabled());
  const RouteConfiguration routes = routesOf(snapshot);
  const Route route = routeNamed(routes, "internal");
  EXPECT_EQ(route.match().prefix(), "/internal/");
  FilterConfig wrapper;
  ASSERT_TRUE(perFilterConfig(route.typed_per_filter_config(), px::kKeyAuthFilter, &wrapper))
      << "key-auth of service internal is not enabled on its default route";
  EXPECT_FALSE(wrapper.disabled());
}

TEST(FilterTranslationTest, RouteBeatsServiceBeatsGlobal) {
  const Translated t = translated(
      "plugins:\n"
      "  - { name: rate-limit, config: { limit: 1 } }\n"
      "  - { name: rate-limit, service: users, config: { limit: 2 } }\n"
      "  - { name: rate-limit, route: r1, config: { limit: 3 } }\n"
      "  - { name: rate-limit, route: r2, enabled: false }\n"
      "  - { name: rate-limit, route: r4, config: { limit: 4 } }\n");  // r4 splits: needs its own
  const HttpFilter filter = filterNamed(t.hcm, px::kRateLimitFilter);
  EXPECT_FALSE(filter.disabled());
  EXPECT_EQ(rateLimitOf(filter.typed_config()), 1u);
  FilterConfig wrapper;
  ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, "r1").typed_per_filter_config(),
                              px::kRateLimitFilter, &wrapper));
  EXPECT_EQ(rateLimitOf(wrapper.config()), 3u);  // route beats service
  ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, "r2").typed_per_filter_config(),
                              px::kRateLimitFilter, &wrapper));
  EXPECT_TRUE(wrapper.disabled());  // route's enabled:false beats service
  ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, "r4").typed_per_filter_config(),
                              px::kRateLimitFilter, &wrapper));
  EXPECT_EQ(rateLimitOf(wrapper.config()), 4u);
  const Translated service_only = translated(
      "plugins:\n"
      "  - { name: rate-limit, config: { limit: 1 } }\n"
      "  - { name: rate-limit, service: orders, config: { limit: 2 } }\n"
      "  - { name: rate-limit, route: r4, config: { limit: 4 } }\n");
  ASSERT_TRUE(perFilterConfig(routeNamed(service_only.routes, "r3").typed_per_filter_config(),
                              px::kRateLimitFilter, &wrapper));
  EXPECT_EQ(rateLimitOf(wrapper.config()), 2u);  // service beats global
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(FilterTranslationTest, GrpcTranscodeCarriesTheDescriptorBytes) {
  const std::string descriptor = std::string(PORTICO_SOURCE_DIR) + "/examples/catalog.pb";
  const std::string bytes = readFile(descriptor);
  ASSERT_FALSE(bytes.empty());
  const Translated t = translated(cat(
      "plugins:\n  - name: grpc-transcode\n    route: r3\n    config: { descriptor: ", descriptor,
      ", services: [catalog.v1.Catalog] }\n"));
  using envoy::extensions::filters::http::grpc_json_transcoder::v3::GrpcJsonTranscoder;
  const HttpFilter filter = filterNamed(t.hcm, px::kGrpcTranscodeFilter);
  EXPECT_TRUE(filter.disabled());
  GrpcJsonTranscoder level;
  ASSERT_TRUE(filter.typed_config().UnpackTo(&level)) << filter.typed_config().type_url();
  EXPECT_EQ(level.proto_descriptor_bin(), bytes);
  FilterConfig wrapper;
  ASSERT_TRUE(perFilterConfig(routeNamed(t.routes, "r3").typed_per_filter_config(),
                              px::kGrpcTranscodeFilter, &wrapper));
  GrpcJsonTranscoder route_config;
  ASSERT_TRUE(wrapper.config().UnpackTo(&route_config)) << wrapper.config().type_url();
  EXPECT_EQ(route_config.proto_descriptor_bin(), bytes);
  EXPECT_THAT(route_config.services(), ElementsAre("catalog.v1.Catalog"));
}

TEST(FilterTranslationTest, ConsumersCarryHashesGroupsAndOverridesNeverPlaintext) {
  const std::string key1 = "plaintext-key-Zq81u";
  const std::string key2 = "another-secret-Vx02";
  const std::string yaml =
      cat(kListener, kRoutes,
          "plugins:\n"
          "  - { name: key-auth }\n"
          "  - { name: rate-limit, config: { limit: 10 } }\n"
          "  - { name: request-size-limit, consumer: partner, enabled: false }\n"
          "consumers:\n"
          "  - name: partner\n"
          "    groups: [partners, beta]\n"
          "    api_keys: [\"sha256:",
          sha256Hex(key1), "\", \"sha256:", sha256Hex(key2),
          "\"]\n"
          "    plugins:\n"
          "      - { name: rate-limit, config: { limit: 1000 } }\n"
          "  - { name: mobile, api_keys: [\"sha256:",
          sha256Hex("m"), "\"] }\n");
  const GroupSnapshots snapshots = translate(parse(yaml), {});
  const HttpConnectionManager hcm = hcmOf(listenerOf(snapshots.at("default")));
  const HttpFilter filter = filterNamed(hcm, px::kConsumersFilter);
  EXPECT_FALSE(filter.disabled());
  Consumers consumers;
  ASSERT_TRUE(filter.typed_config().UnpackTo(&consumers)) << filter.typed_config().type_url();
  ASSERT_EQ(consumers.consumers_size(), 2);
  const auto& partner = consumers.consumers(0);
  EXPECT_EQ(partner.name(), "partner");
  EXPECT_THAT(partner.groups(), ElementsAre("partners", "beta"));
  EXPECT_THAT(partner.api_key_sha256(), ElementsAre(sha256Hex(key1), sha256Hex(key2)));
  ASSERT_EQ(partner.plugins_size(), 2);
  std::map<std::string, portico::filters::consumers::v1::PluginOverride> overrides;
  for (const auto& p : partner.plugins()) overrides[p.name()] = p;
  EXPECT_FALSE(overrides["rate-limit"].disabled());
  EXPECT_EQ(rateLimitOf(overrides["rate-limit"].config()), 1000u);
  EXPECT_TRUE(overrides["request-size-limit"].disabled());
  EXPECT_EQ(consumers.consumers(1).name(), "mobile");
  EXPECT_EQ(consumers.consumers(1).plugins_size(), 0);
  // Nowhere in any resource of any group does a plaintext key appear.
  for (const auto& [group, snapshot] : snapshots) {
    for (ResourceType type : px::kAllResourceTypes) {
      for (const auto& [name, resource] : snapshot->resources(type)) {
        const std::string bytes = resource->body.SerializeAsString();
        EXPECT_EQ(bytes.find(key1), std::string::npos) << group << " " << name;
        EXPECT_EQ(bytes.find(key2), std::string::npos) << group << " " << name;
      }
    }
  }
}

}  // namespace
}  // namespace portico::cp::translator::test
