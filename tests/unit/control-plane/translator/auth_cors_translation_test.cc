// The plugins assembled across instances: jwt (Envoy's jwt_authn + Portico's jwt_policy) and
// cors (Envoy's cors filter with CorsPolicy per virtual host and per route).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/strings.h"
#include "envoy/extensions/filters/http/cors/v3/cors.pb.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

namespace px = portico::xds;
namespace jwt = envoy::extensions::filters::http::jwt_authn::v3;
using envoy::extensions::filters::http::cors::v3::Cors;
using envoy::extensions::filters::http::cors::v3::CorsPolicy;
using portico::filters::jwt_policy::v1::JwtPolicy;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr char kJwtPolicyFilter[] = "portico.filters.http.jwt_policy";

constexpr char kRoutes[] =
    "routes:\n"
    "  - { name: r1, match: { path_prefix: /one }, service: users }\n"
    "  - { name: r2, match: { path_prefix: /two }, service: users }\n"
    "  - { name: r3, match: { path_prefix: /three }, service: orders }\n"
    "  - { name: r4, match: { hosts: [api.example.com], path_prefix: /four }, service: orders }\n";

// A global jwt with a JWKS provider and an HMAC provider (secret "\xfb\xff\xbf" × 11 in base64).
constexpr char kGlobalJwt[] =
    "  - name: jwt\n"
    "    config:\n"
    "      providers:\n"
    "        - name: idp\n"
    "          issuer: https://idp.example.com/\n"
    "          audiences: [api.example.com]\n"
    "          jwks_uri: https://idp.example.com/jwks.json\n"
    "          require: [exp, sub]\n"
    "          algorithms: [RS256, ES256]\n"
    "        - { name: internal, issuer: internal, secret: { base64: \"+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/\" } }\n"
    "      consumer_claim: client_id\n"
    "      claims_to_headers: { sub: x-user-id }\n";

struct Translated {
  HttpConnectionManager hcm;
  RouteConfiguration routes;
};

Translated translated(const std::string& plugins_yaml) {
  const xds::SnapshotPtr snapshot = snapshotOf(cat(kListener, kRoutes, "plugins:\n", plugins_yaml));
  return {hcmOf(listenerOf(snapshot)), routesOf(snapshot)};
}

jwt::JwtAuthentication authnOf(const HttpConnectionManager& hcm) {
  jwt::JwtAuthentication out;
  const HttpFilter filter = filterNamed(hcm, px::kJwtFilter);
  EXPECT_TRUE(filter.typed_config().UnpackTo(&out)) << filter.typed_config().type_url();
  return out;
}

std::vector<std::string> keysOf(const google::protobuf::Map<std::string, jwt::JwtProvider>& map) {
  std::vector<std::string> out;
  for (const auto& [key, value] : map) out.push_back(key);
  return out;
}

// The jwt_authn PerRouteConfig of a route, through its FilterConfig wrapper.
bool jwtPerRoute(const Route& route, jwt::PerRouteConfig* out, FilterConfig* wrapper) {
  if (!perFilterConfig(route.typed_per_filter_config(), px::kJwtFilter, wrapper)) return false;
  if (wrapper->has_config()) {
    EXPECT_TRUE(wrapper->config().UnpackTo(out)) << wrapper->config().type_url();
  }
  return true;
}

TEST(JwtTranslationTest, GlobalInstanceProvidersRequirementAndRule) {
  const Translated t = translated(kGlobalJwt);
  EXPECT_THAT(filterNames(t.hcm),
              ElementsAre(px::kJwtFilter, kJwtPolicyFilter, px::kRouterFilterName));
  EXPECT_FALSE(filterNamed(t.hcm, px::kJwtFilter).disabled());
  const jwt::JwtAuthentication authn = authnOf(t.hcm);
  EXPECT_THAT(keysOf(authn.providers()), UnorderedElementsAre("global/idp", "global/internal"));
  const jwt::JwtProvider& idp = authn.providers().at("global/idp");
  EXPECT_EQ(idp.issuer(), "https://idp.example.com/");
  EXPECT_THAT(idp.audiences(), ElementsAre("api.example.com"));
  EXPECT_EQ(idp.remote_jwks().http_uri().uri(), "https://idp.example.com/jwks.json");
  EXPECT_EQ(idp.remote_jwks().cache_duration().seconds(), 600);
  EXPECT_TRUE(idp.require_expiration());
  ASSERT_EQ(idp.from_headers_size(), 1);
  EXPECT_EQ(idp.from_headers(0).name(), "Authorization");
  EXPECT_EQ(idp.from_headers(0).value_prefix(), "Bearer ");
  EXPECT_EQ(idp.clock_skew_seconds(), 60u);
  ASSERT_EQ(idp.claim_to_headers_size(), 1);
  EXPECT_EQ(idp.claim_to_headers(0).claim_name(), "sub");
  EXPECT_EQ(idp.claim_to_headers(0).header_name(), "x-user-id");

  ASSERT_EQ(authn.requirement_map_size(), 1);
  const jwt::JwtRequirement& global = authn.requirement_map().at("global");
  ASSERT_TRUE(global.has_requires_any());
  std::vector<std::string> any;
  for (const auto& r : global.requires_any().requirements()) any.push_back(r.provider_name());
  EXPECT_THAT(any, ElementsAre("global/idp", "global/internal"));

  ASSERT_EQ(authn.rules_size(), 1);
  EXPECT_EQ(authn.rules(0).match().prefix(), "/");
  EXPECT_EQ(authn.rules(0).requirement_name(), "global");
  for (const Route& route : catchAll(t.routes).routes()) {
    EXPECT_EQ(route.typed_per_filter_config().count(std::string(px::kJwtFilter)), 0u)
        << route.name();
  }
}

TEST(JwtTranslationTest, HmacSecretBecomesInlineOctJwks) {
  const jwt::JwtAuthentication authn = authnOf(translated(kGlobalJwt).hcm);
  const jwt::JwtProvider& internal = authn.providers().at("global/internal");
  EXPECT_FALSE(internal.has_remote_jwks());
  // base64url without padding of 0xfb 0xff 0xbf.
  EXPECT_EQ(internal.local_jwks().inline_string(), R"({"keys":[{"kty":"oct","k":"-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_"}]})");
}

TEST(JwtTranslationTest, PolicyCompanionCarriesClaimsAlgorithmsAndConsumerClaim) {
  const Translated t = translated(kGlobalJwt);
  const HttpFilter filter = filterNamed(t.hcm, kJwtPolicyFilter);
  JwtPolicy policy;
  ASSERT_TRUE(filter.typed_config().UnpackTo(&policy)) << filter.typed_config().type_url();
  ASSERT_EQ(policy.providers_size(), 2);
  const auto& idp = policy.providers().at("global/idp");
  EXPECT_THAT(idp.required_claims(), ElementsAre("exp", "sub"));
  EXPECT_THAT(idp.algorithms(), ElementsAre("RS256", "ES256"));
  EXPECT_EQ(idp.consumer_claim(), "client_id");
  const auto& internal = policy.providers().at("global/internal");
  EXPECT_EQ(internal.required_claims_size(), 0);
  EXPECT_EQ(internal.consumer_claim(), "client_id");
}

TEST(JwtTranslationTest, RouteInstancesGetTheirOwnProvidersRequirementsAndPerRouteConfig) {
  const Translated t = translated(
      cat(kGlobalJwt,
          "  - name: jwt\n"
          "    route: r2\n"
          "    config:\n"
          "      providers: [ { name: partner, issuer: partner, jwks: '{\"keys\":[]}' } ]\n"
          "      requirement: optional\n"
          "  - { name: jwt, route: r3, enabled: false }\n"));
  const jwt::JwtAuthentication authn = authnOf(t.hcm);
  ASSERT_EQ(std::count_if(t.hcm.http_filters().begin(), t.hcm.http_filters().end(),
                          [](const HttpFilter& f) { return f.name() == px::kJwtFilter; }),
            1);
  EXPECT_THAT(keysOf(authn.providers()),
              UnorderedElementsAre("global/idp", "global/internal", "route.r2/partner"));
  EXPECT_EQ(authn.providers().at("route.r2/partner").local_jwks().inline_string(), "{\"keys\":[]}");
  ASSERT_EQ(authn.requirement_map_size(), 2);
  const jwt::JwtRequirement& r2 = authn.requirement_map().at("route.r2");
  ASSERT_TRUE(r2.has_requires_any());
  ASSERT_EQ(r2.requires_any().requirements_size(), 2);
  EXPECT_EQ(r2.requires_any().requirements(0).provider_name(), "route.r2/partner");
  EXPECT_TRUE(r2.requires_any().requirements(1).has_allow_missing());

  jwt::PerRouteConfig per_route;
  FilterConfig wrapper;
  ASSERT_TRUE(jwtPerRoute(routeNamed(t.routes, "r2"), &per_route, &wrapper));
  EXPECT_FALSE(wrapper.disabled());
  EXPECT_EQ(per_route.requirement_name(), "route.r2");

  per_route.Clear();
  ASSERT_TRUE(jwtPerRoute(routeNamed(t.routes, "r3"), &per_route, &wrapper));
  EXPECT_TRUE(wrapper.disabled() || per_route.disabled()) << "jwt must be off on r3";

  EXPECT_FALSE(jwtPerRoute(routeNamed(t.routes, "r1"), &per_route, &wrapper));
}

TEST(JwtTranslationTest, WithoutAnEnabledGlobalInstanceThereIsNoCatchAllRule) {
  const Translated t = translated(
      "  - name: jwt\n"
      "    service: users\n"
      "    config:\n"
      "      providers: [ { name: idp, issuer: idp, jwks_uri: https://idp/jwks } ]\n"
      "      requirement: permissive\n");
  EXPECT_TRUE(filterNamed(t.hcm, px::kJwtFilter).disabled());  // only the routes that enable it
  const jwt::JwtAuthentication authn = authnOf(t.hcm);
  EXPECT_EQ(authn.rules_size(), 0);
  EXPECT_THAT(keysOf(authn.providers()), ElementsAre("service.users/idp"));
  const jwt::JwtRequirement& req = authn.requirement_map().at("service.users");
  ASSERT_EQ(req.requires_any().requirements_size(), 2);
  EXPECT_EQ(req.requires_any().requirements(0).provider_name(), "service.users/idp");
  EXPECT_TRUE(req.requires_any().requirements(1).has_allow_missing_or_failed());
  for (const char* name : {"r1", "r2"}) {
    jwt::PerRouteConfig per_route;
    FilterConfig wrapper;
    ASSERT_TRUE(jwtPerRoute(routeNamed(t.routes, name), &per_route, &wrapper)) << name;
    EXPECT_EQ(per_route.requirement_name(), "service.users") << name;
  }
  jwt::PerRouteConfig per_route;
  FilterConfig wrapper;
  EXPECT_FALSE(jwtPerRoute(routeNamed(t.routes, "r3"), &per_route, &wrapper));
}

TEST(JwtTranslationTest, SingleRequiredProviderIsAPlainProviderRequirement) {
  const Translated t = translated(
      "  - name: jwt\n"
      "    config: { providers: [ { name: idp, issuer: idp, jwks_uri: https://idp/jwks } ] }\n");
  const jwt::JwtAuthentication authn = authnOf(t.hcm);
  EXPECT_EQ(authn.requirement_map().at("global").provider_name(), "global/idp");
  ASSERT_EQ(authn.rules_size(), 1);
}

TEST(JwtTranslationTest, DisabledGlobalInstanceHasNoRule) {
  const Translated t = translated(
      "  - name: jwt\n"
      "    enabled: false\n"
      "    config: { providers: [ { name: idp, issuer: idp, jwks_uri: https://idp/jwks } ] }\n"
      "  - name: jwt\n"
      "    route: r1\n"
      "    config: { providers: [ { name: idp, issuer: idp, jwks_uri: https://idp/jwks } ] }\n");
  const jwt::JwtAuthentication authn = authnOf(t.hcm);
  EXPECT_EQ(authn.rules_size(), 0);
  jwt::PerRouteConfig per_route;
  FilterConfig wrapper;
  ASSERT_TRUE(jwtPerRoute(routeNamed(t.routes, "r1"), &per_route, &wrapper));
  EXPECT_EQ(per_route.requirement_name(), "route.r1");
}

// ---- cors --------------------------------------------------------------------------------------

constexpr char kGlobalCors[] =
    "  - name: cors\n"
    "    config:\n"
    "      origins: [https://app.example.com, \"~^https://.*\\\\.example\\\\.com$\", \"*\"]\n"
    "      methods: [GET, POST]\n"
    "      headers: [Authorization, Content-Type]\n"
    "      expose_headers: [X-Request-Id]\n"
    "      max_age: 1h\n";

CorsPolicy corsOf(const google::protobuf::Map<std::string, google::protobuf::Any>& map,
                  FilterConfig* wrapper) {
  CorsPolicy policy;
  EXPECT_TRUE(perFilterConfig(map, px::kCorsFilter, wrapper));
  if (wrapper->has_config()) {
    EXPECT_TRUE(wrapper->config().UnpackTo(&policy)) << wrapper->config().type_url();
  }
  return policy;
}

TEST(CorsTranslationTest, GlobalPolicyOnEveryVirtualHost) {
  const Translated t = translated(kGlobalCors);
  const HttpFilter filter = filterNamed(t.hcm, px::kCorsFilter);
  EXPECT_FALSE(filter.disabled());
  EXPECT_TRUE(filter.typed_config().Is<Cors>()) << filter.typed_config().type_url();
  ASSERT_EQ(t.routes.virtual_hosts_size(), 2);  // api.example.com and "*"
  for (const VirtualHost& vhost : t.routes.virtual_hosts()) {
    FilterConfig wrapper;
    const CorsPolicy policy = corsOf(vhost.typed_per_filter_config(), &wrapper);
    EXPECT_FALSE(wrapper.disabled()) << vhost.name();
    ASSERT_EQ(policy.allow_origin_string_match_size(), 3) << vhost.name();
    EXPECT_EQ(policy.allow_origin_string_match(0).exact(), "https://app.example.com");
    EXPECT_EQ(policy.allow_origin_string_match(1).safe_regex().regex(),
              "^https://.*\\.example\\.com$");
    EXPECT_TRUE(policy.allow_origin_string_match(2).has_prefix());
    EXPECT_EQ(policy.allow_origin_string_match(2).prefix(), "");
    EXPECT_EQ(policy.allow_methods(), "GET,POST");
    EXPECT_EQ(policy.allow_headers(), "Authorization,Content-Type");
    EXPECT_EQ(policy.expose_headers(), "X-Request-Id");
    EXPECT_EQ(policy.max_age(), "3600");
    EXPECT_FALSE(policy.allow_credentials().value());
  }
  for (const Route& route : catchAll(t.routes).routes()) {
    EXPECT_EQ(route.typed_per_filter_config().count(std::string(px::kCorsFilter)), 0u)
        << route.name();
  }
}

TEST(CorsTranslationTest, RouteOverridesCarryTheirOwnPolicyOrDisable) {
  const Translated t =
      translated(cat(kGlobalCors,
                     "  - name: cors\n"
                     "    route: r1\n"
                     "    config: { origins: [https://partner.example], credentials: true }\n"
                     "  - { name: cors, route: r2, enabled: false }\n"));
  FilterConfig wrapper;
  const CorsPolicy r1 = corsOf(routeNamed(t.routes, "r1").typed_per_filter_config(), &wrapper);
  EXPECT_FALSE(wrapper.disabled());
  ASSERT_EQ(r1.allow_origin_string_match_size(), 1);
  EXPECT_EQ(r1.allow_origin_string_match(0).exact(), "https://partner.example");
  EXPECT_TRUE(r1.allow_credentials().value());
  wrapper.Clear();
  corsOf(routeNamed(t.routes, "r2").typed_per_filter_config(), &wrapper);
  EXPECT_TRUE(wrapper.disabled());
  EXPECT_EQ(
      routeNamed(t.routes, "r3").typed_per_filter_config().count(std::string(px::kCorsFilter)), 0u);
}

TEST(CorsTranslationTest, RouteOnlyCorsHasNoVirtualHostPolicy) {
  const Translated t =
      translated("  - { name: cors, route: r1, config: { origins: [https://a.example] } }\n");
  EXPECT_TRUE(hasFilter(t.hcm, px::kCorsFilter));
  for (const VirtualHost& vhost : t.routes.virtual_hosts()) {
    EXPECT_EQ(vhost.typed_per_filter_config_size(), 0) << vhost.name();
  }
  FilterConfig wrapper;
  EXPECT_EQ(corsOf(routeNamed(t.routes, "r1").typed_per_filter_config(), &wrapper)
                .allow_origin_string_match(0)
                .exact(),
            "https://a.example");
}

}  // namespace
}  // namespace portico::cp::translator::test
