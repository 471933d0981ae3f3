// The example configurations shipped in examples/ always validate, and parse to what they say.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "control-plane/model/config_parser.h"

namespace portico::cp::model {
namespace {

using Kind = PluginScope::Kind;
using PathKind = RouteMatchConfig::PathKind;

std::string example(const std::string& name) {
  return std::string(PORTICO_SOURCE_DIR) + "/examples/" + name;
}

const PluginInstance* findPlugin(const PorticoConfig& config, const std::string& name, Kind kind,
                                 const std::string& target) {
  for (const PluginInstance& plugin : config.plugins) {
    if (plugin.name == name && plugin.scope.kind == kind && plugin.scope.target == target) {
      return &plugin;
    }
  }
  return nullptr;
}

TEST(ConfigExamplesTest, QuickstartParses) {
  auto config = loadConfigFile(example("quickstart.yaml"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->version, 1);
  ASSERT_EQ(config->listeners.size(), 1u);
  EXPECT_EQ(config->listeners[0].name, "public");
  EXPECT_EQ(config->listeners[0].address, "0.0.0.0");
  EXPECT_EQ(config->listeners[0].port, 8080u);
  ASSERT_EQ(config->routes.size(), 1u);
  EXPECT_EQ(config->routes[0].name, "echo");
  EXPECT_EQ(config->routes[0].match.path_kind, PathKind::kPrefix);
  EXPECT_EQ(config->routes[0].match.paths, (std::vector<std::string>{"/echo"}));
  EXPECT_EQ(config->routes[0].service, "echo");
  EXPECT_FALSE(config->routes[0].strip_prefix);
  EXPECT_TRUE(config->services.empty());
  EXPECT_TRUE(config->plugins.empty());
  EXPECT_TRUE(config->consumers.empty());
  EXPECT_TRUE(config->groups.empty());
}

class FullExampleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The example's HMAC provider takes its secret from $JWT_SECRET, resolved at load.
    ::setenv("JWT_SECRET", "example-secret-0123456789abcdef0123", 1);
    auto parsed = loadConfigFile(example("full.yaml"));
    ::unsetenv("JWT_SECRET");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    config_ = new PorticoConfig(*std::move(parsed));
  }
  static void TearDownTestSuite() {
    delete config_;
    config_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(config_, nullptr) << "examples/full.yaml did not parse"; }

  static PorticoConfig* config_;
};

PorticoConfig* FullExampleTest::config_ = nullptr;

TEST_F(FullExampleTest, TopLevel) {
  const PorticoConfig& c = *config_;
  EXPECT_EQ(c.version, 1);
  EXPECT_EQ(c.source, example("full.yaml"));
  EXPECT_EQ(c.request_id.header, "x-request-id");
  EXPECT_TRUE(c.request_id.response);
  EXPECT_TRUE(c.access_log.enabled);
  EXPECT_EQ(c.access_log.path, "stdout");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[1].name, "public-tls");
  EXPECT_EQ(c.listeners[1].port, 8443u);
  ASSERT_TRUE(c.listeners[1].tls.has_value());
  ASSERT_EQ(c.listeners[1].tls->certificates.size(), 1u);
  EXPECT_EQ(c.listeners[1].tls->certificates[0].key, "/etc/portico/tls/api.example.com.key");
  EXPECT_EQ(c.listeners[1].tls->min_version, "1.2");
  EXPECT_FALSE(c.listeners[0].tls.has_value());
}

TEST_F(FullExampleTest, Groups) {
  const PorticoConfig& c = *config_;
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_EQ(c.groups[0].name, "web");
  EXPECT_EQ(c.groups[0].listeners, (std::vector<std::string>{"public", "public-tls"}));
  EXPECT_FALSE(c.groups[0].routes.has_value());
  EXPECT_EQ(c.groups[1].name, "mobile");
  EXPECT_EQ(c.groups[1].listeners, (std::vector<std::string>{"public"}));
  ASSERT_TRUE(c.groups[1].routes.has_value());
  EXPECT_EQ(*c.groups[1].routes, (std::vector<std::string>{"users", "orders", "health"}));
}

TEST_F(FullExampleTest, Services) {
  const PorticoConfig& c = *config_;
  ASSERT_EQ(c.services.size(), 5u);
  const ServiceConfig* users = c.service("user-service");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->protocol, Protocol::kHttp);
  EXPECT_EQ(users->lb, LbPolicy::kRingHash);
  ASSERT_TRUE(users->hash_on.has_value());
  EXPECT_EQ(users->hash_on->kind, HashOn::Kind::kHeader);
  EXPECT_EQ(users->hash_on->name, "x-user-id");
  EXPECT_EQ(users->connect_timeout, absl::Seconds(2));
  EXPECT_EQ(users->timeout, absl::Seconds(60));
  ASSERT_TRUE(users->retries.has_value());
  EXPECT_EQ(users->retries->attempts, 3u);
  EXPECT_EQ(users->retries->retry_on,
            (std::vector<std::string>{"connect-failure", "reset", "502", "503", "504"}));
  EXPECT_EQ(users->retries->backoff_base, absl::Milliseconds(25));
  EXPECT_EQ(users->retries->backoff_max, absl::Milliseconds(250));
  ASSERT_TRUE(users->circuit_breaker.has_value());
  EXPECT_EQ(users->circuit_breaker->max_connections, 1024u);
  EXPECT_EQ(users->circuit_breaker->max_pending, 256u);
  EXPECT_EQ(users->circuit_breaker->max_requests, 1024u);
  EXPECT_EQ(users->circuit_breaker->max_retries, 3u);
  ASSERT_TRUE(users->outlier_detection.has_value());
  EXPECT_EQ(users->outlier_detection->consecutive_5xx, 5u);
  EXPECT_EQ(users->outlier_detection->interval, absl::Seconds(10));
  EXPECT_EQ(users->outlier_detection->base_ejection, absl::Seconds(30));
  EXPECT_EQ(users->outlier_detection->max_ejection_percent, 50u);
  ASSERT_TRUE(users->health_check.has_value());
  EXPECT_EQ(users->health_check->path, "/health");
  EXPECT_EQ(users->health_check->interval, absl::Seconds(5));
  EXPECT_EQ(users->health_check->timeout, absl::Seconds(1));
  EXPECT_EQ(users->health_check->healthy, 2u);
  EXPECT_EQ(users->health_check->unhealthy, 3u);
  EXPECT_EQ(users->panic_threshold_percent, 50u);
  ASSERT_EQ(users->endpoints.size(), 1u);
  EXPECT_EQ(users->endpoints[0].address, "10.0.0.12");
  EXPECT_EQ(users->endpoints[0].port, 3000u);
  EXPECT_EQ(users->endpoints[0].weight, 1u);

  const ServiceConfig* orders = c.service("order-service");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->lb, LbPolicy::kLeastRequest);
  EXPECT_EQ(orders->connect_timeout, absl::Seconds(5));
  ASSERT_TRUE(orders->retries.has_value());
  EXPECT_EQ(orders->retries->attempts, 2u);
  EXPECT_EQ(orders->retries->retry_on,
            (std::vector<std::string>{"connect-failure", "reset", "gateway-error"}));

  const ServiceConfig* products = c.service("product-service");
  ASSERT_NE(products, nullptr);
  EXPECT_EQ(products->lb, LbPolicy::kRoundRobin);
  EXPECT_FALSE(products->retries.has_value());
  EXPECT_FALSE(products->health_check.has_value());
  EXPECT_EQ(products->panic_threshold_percent, 50u);
  EXPECT_TRUE(products->endpoints.empty());

  ASSERT_NE(c.service("catalog-grpc"), nullptr);
  EXPECT_EQ(c.service("catalog-grpc")->protocol, Protocol::kGrpc);
}

TEST_F(FullExampleTest, Routes) {
  const PorticoConfig& c = *config_;
  ASSERT_EQ(c.routes.size(), 7u);
  std::vector<std::string> names;
  for (const RouteConfig& route : c.routes) names.push_back(route.name);
  EXPECT_EQ(names, (std::vector<std::string>{"users", "orders", "order-by-id", "products-public",
                                             "catalog-rest", "legacy", "health"}));

  const RouteConfig& users = c.routes[0];
  EXPECT_EQ(users.match.hosts, (std::vector<std::string>{"api.example.com", "*.example.com"}));
  EXPECT_EQ(users.match.path_kind, PathKind::kPrefix);
  EXPECT_EQ(users.match.paths, (std::vector<std::string>{"/api/users", "/api/auth"}));
  EXPECT_EQ(users.match.methods, (std::vector<std::string>{"GET", "POST", "PUT", "DELETE"}));
  EXPECT_EQ(users.service, "user-service");
  EXPECT_FALSE(users.strip_prefix);
  EXPECT_FALSE(users.rewrite.has_value());

  const RouteConfig& orders = c.routes[1];
  EXPECT_EQ(orders.match.paths, (std::vector<std::string>{"/api/orders"}));
  ASSERT_EQ(orders.match.headers.size(), 1u);
  EXPECT_EQ(orders.match.headers[0].name, "x-api-version");
  EXPECT_EQ(orders.match.headers[0].values, (std::vector<std::string>{"v1", "v2"}));
  ASSERT_EQ(orders.match.query.size(), 1u);
  EXPECT_EQ(orders.match.query[0].name, "region");
  EXPECT_EQ(orders.match.query[0].values, (std::vector<std::string>{"eu"}));
  ASSERT_TRUE(orders.rewrite.has_value());
  EXPECT_EQ(orders.rewrite->prefix, "/orders");

  const RouteConfig& by_id = c.routes[2];
  EXPECT_EQ(by_id.match.path_kind, PathKind::kTemplate);
  EXPECT_EQ(by_id.match.paths, (std::vector<std::string>{"/api/order/{id}"}));
  EXPECT_EQ(by_id.match.methods, (std::vector<std::string>{"GET"}));

  const RouteConfig& products = c.routes[3];
  EXPECT_TRUE(products.service.empty());
  ASSERT_EQ(products.split.size(), 2u);
  EXPECT_EQ(products.split[0].service, "product-service");
  EXPECT_EQ(products.split[0].weight, 90u);
  EXPECT_EQ(products.split[1].service, "product-service-canary");
  EXPECT_EQ(products.split[1].weight, 10u);
  EXPECT_EQ(products.timeout, absl::Seconds(30));

  EXPECT_EQ(c.routes[4].service, "catalog-grpc");

  const RouteConfig& legacy = c.routes[5];
  EXPECT_EQ(legacy.match.path_kind, PathKind::kRegex);
  EXPECT_EQ(legacy.match.paths, (std::vector<std::string>{"^/old/.*$"}));
  ASSERT_TRUE(legacy.redirect.has_value());
  EXPECT_EQ(legacy.redirect->status, 301u);
  EXPECT_EQ(legacy.redirect->path, "/api/public/products");
  EXPECT_FALSE(legacy.redirect->host.has_value());

  const RouteConfig& health = c.routes[6];
  EXPECT_EQ(health.match.path_kind, PathKind::kExact);
  EXPECT_EQ(health.match.paths, (std::vector<std::string>{"/health"}));
  ASSERT_TRUE(health.direct_response.has_value());
  EXPECT_EQ(health.direct_response->status, 200u);
  EXPECT_EQ(health.direct_response->content_type, "application/json");
  EXPECT_EQ(health.direct_response->body, "{\"status\":\"healthy\"}");
  EXPECT_FALSE(health.timeout.has_value());
}

TEST_F(FullExampleTest, PluginScopesAndPrecedenceFields) {
  const PorticoConfig& c = *config_;
  ASSERT_EQ(c.plugins.size(), 16u);  // 15 under plugins, 1 under consumers

  const PluginInstance* jwt = findPlugin(c, "jwt", Kind::kGlobal, "");
  ASSERT_NE(jwt, nullptr);
  EXPECT_TRUE(jwt->enabled);
  EXPECT_EQ(jwt->line, 86);
  ASSERT_TRUE(std::holds_alternative<JwtConfig>(jwt->config));
  const auto& jwt_config = std::get<JwtConfig>(jwt->config);
  ASSERT_EQ(jwt_config.providers.size(), 2u);
  EXPECT_EQ(jwt_config.providers[0].name, "idp");
  EXPECT_EQ(jwt_config.providers[0].issuer, "https://idp.example.com/");
  EXPECT_EQ(jwt_config.providers[0].audiences, (std::vector<std::string>{"api.example.com"}));
  EXPECT_EQ(jwt_config.providers[0].jwks_uri, "https://idp.example.com/.well-known/jwks.json");
  EXPECT_EQ(jwt_config.providers[0].require, (std::vector<std::string>{"exp"}));
  EXPECT_EQ(jwt_config.providers[1].name, "internal");
  ASSERT_TRUE(jwt_config.providers[1].secret.has_value());
  EXPECT_EQ(jwt_config.providers[1].secret->kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(jwt_config.providers[1].secret->value, "JWT_SECRET");
  EXPECT_EQ(jwt_config.providers[1].secret_bytes, "example-secret-0123456789abcdef0123");
  EXPECT_EQ(jwt_config.consumer_claim, "client_id");
  EXPECT_EQ(jwt_config.claims_to_headers,
            (std::map<std::string, std::string>{{"role", "x-user-role"}, {"sub", "x-user-id"}}));

  // jwt switched off on two routes: more specific scopes, without config.
  for (const char* route : {"products-public", "health"}) {
    const PluginInstance* off = findPlugin(c, "jwt", Kind::kRoute, route);
    ASSERT_NE(off, nullptr) << route;
    EXPECT_FALSE(off->enabled);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(off->config));
  }

  const PluginInstance* global_limit = findPlugin(c, "rate-limit", Kind::kGlobal, "");
  ASSERT_NE(global_limit, nullptr);
  ASSERT_TRUE(std::holds_alternative<RateLimitConfig>(global_limit->config));
  const auto& shared = std::get<RateLimitConfig>(global_limit->config);
  EXPECT_EQ(shared.limit, 100u);
  EXPECT_EQ(shared.window, absl::Minutes(1));
  EXPECT_EQ(shared.key, "consumer");
  EXPECT_EQ(shared.policy, RateLimitConfig::Policy::kRedis);
  ASSERT_TRUE(shared.redis.has_value());
  EXPECT_EQ(shared.redis->address, "redis:6379");

  const PluginInstance* route_limit = findPlugin(c, "rate-limit", Kind::kRoute, "products-public");
  ASSERT_NE(route_limit, nullptr);
  ASSERT_TRUE(std::holds_alternative<RateLimitConfig>(route_limit->config));
  const auto& local = std::get<RateLimitConfig>(route_limit->config);
  EXPECT_EQ(local.limit, 1000u);
  EXPECT_EQ(local.burst, 1200u);
  EXPECT_EQ(local.key, "client_ip");
  EXPECT_EQ(local.policy, RateLimitConfig::Policy::kLocal);

  const PluginInstance* consumer_limit =
      findPlugin(c, "rate-limit", Kind::kConsumer, "partner-api");
  ASSERT_NE(consumer_limit, nullptr);
  EXPECT_EQ(consumer_limit->line, 156);
  ASSERT_TRUE(std::holds_alternative<RateLimitConfig>(consumer_limit->config));
  EXPECT_EQ(std::get<RateLimitConfig>(consumer_limit->config).limit, 1000u);

  const PluginInstance* quota = findPlugin(c, "quota", Kind::kGlobal, "");
  ASSERT_NE(quota, nullptr);
  ASSERT_TRUE(std::holds_alternative<QuotaConfig>(quota->config));
  EXPECT_EQ(std::get<QuotaConfig>(quota->config).limit, 10000u);
  EXPECT_EQ(std::get<QuotaConfig>(quota->config).period, QuotaConfig::Period::kMonth);

  const PluginInstance* size = findPlugin(c, "request-size-limit", Kind::kRoute, "orders");
  ASSERT_NE(size, nullptr);
  ASSERT_TRUE(std::holds_alternative<RequestSizeLimitConfig>(size->config));
  EXPECT_EQ(std::get<RequestSizeLimitConfig>(size->config).max_body_bytes, 5u << 20);

  const PluginInstance* cache = findPlugin(c, "cache", Kind::kRoute, "products-public");
  ASSERT_NE(cache, nullptr);
  ASSERT_TRUE(std::holds_alternative<CacheConfig>(cache->config));
  const auto& cache_config = std::get<CacheConfig>(cache->config);
  EXPECT_EQ(cache_config.ttl, absl::Seconds(300));
  EXPECT_EQ(cache_config.methods, (std::vector<std::string>{"GET"}));
  EXPECT_EQ(cache_config.statuses, (std::vector<uint32_t>{200}));
  EXPECT_EQ(cache_config.max_size_bytes, uint64_t{256} << 20);
  EXPECT_TRUE(cache_config.include_query);

  const PluginInstance* cors = findPlugin(c, "cors", Kind::kGlobal, "");
  ASSERT_NE(cors, nullptr);
  ASSERT_TRUE(std::holds_alternative<CorsConfig>(cors->config));
  EXPECT_EQ(std::get<CorsConfig>(cors->config).origins,
            (std::vector<std::string>{"https://app.example.com"}));
  EXPECT_TRUE(std::get<CorsConfig>(cors->config).credentials);
  EXPECT_EQ(std::get<CorsConfig>(cors->config).max_age, absl::Hours(1));

  const PluginInstance* headers = findPlugin(c, "request-headers", Kind::kRoute, "users");
  ASSERT_NE(headers, nullptr);
  ASSERT_TRUE(std::holds_alternative<HeadersConfig>(headers->config));
  EXPECT_EQ(
      std::get<HeadersConfig>(headers->config).add,
      (std::vector<std::pair<std::string, std::string>>{{"X-Correlation-Id", "${request_id}"}}));
  EXPECT_EQ(std::get<HeadersConfig>(headers->config).remove, (std::vector<std::string>{"X-Debug"}));

  const PluginInstance* transcode = findPlugin(c, "grpc-transcode", Kind::kRoute, "catalog-rest");
  ASSERT_NE(transcode, nullptr);
  ASSERT_TRUE(std::holds_alternative<GrpcTranscodeConfig>(transcode->config));
  const auto& transcode_config = std::get<GrpcTranscodeConfig>(transcode->config);
  EXPECT_EQ(transcode_config.descriptor, "catalog.pb");  // relative to full.yaml
  EXPECT_EQ(transcode_config.services, (std::vector<std::string>{"catalog.v1.Catalog"}));
  EXPECT_FALSE(transcode_config.descriptor_bytes.empty());

  const PluginInstance* ext = findPlugin(c, "ext-auth", Kind::kRoute, "users");
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->groups, (std::vector<std::string>{"web"}));
  ASSERT_TRUE(std::holds_alternative<ExtAuthConfig>(ext->config));
  const auto& ext_config = std::get<ExtAuthConfig>(ext->config);
  EXPECT_EQ(ext_config.url, "http://authz.internal:9000/check");
  EXPECT_EQ(ext_config.identity_headers, (std::vector<std::string>{"authorization"}));
  EXPECT_EQ(ext_config.upstream_headers, (std::vector<std::string>{"x-user-id"}));
  EXPECT_EQ(ext_config.cache_ttl, absl::Seconds(300));
  EXPECT_FALSE(ext_config.fail_open);

  ASSERT_NE(findPlugin(c, "key-auth", Kind::kRoute, "orders"), nullptr);
  ASSERT_NE(findPlugin(c, "authorize", Kind::kRoute, "orders"), nullptr);
  ASSERT_NE(findPlugin(c, "response-headers", Kind::kGlobal, ""), nullptr);
}

TEST_F(FullExampleTest, Consumers) {
  const PorticoConfig& c = *config_;
  ASSERT_EQ(c.consumers.size(), 2u);
  EXPECT_EQ(c.consumers[0].name, "mobile-app");
  EXPECT_EQ(c.consumers[0].api_key_hashes,
            (std::vector<std::string>{
                "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"}));
  EXPECT_EQ(c.consumers[1].name, "partner-api");
  EXPECT_EQ(c.consumers[1].groups, (std::vector<std::string>{"partners"}));
  EXPECT_EQ(c.consumers[1].api_key_hashes,
            (std::vector<std::string>{
                "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"}));
}

}  // namespace
}  // namespace portico::cp::model
