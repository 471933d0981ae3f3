// portico.yaml configs of the traffic plugins (rate-limit, quota, request-size-limit, cache, cors,
// request/response headers, grpc-transcode): parsed values, and each invalid value refused with
// its own message.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/strings.h"
#include "control-plane/model/config_parser.h"
#include "tests/support/test_env.h"
#include "tests/unit/control-plane/model/parser_test_util.h"

namespace portico::cp::model {
namespace {

using test::errorOf;
using test::parseOk;

// A FileDescriptorSet in the source tree (the one examples/full.yaml uses).
std::string catalogDescriptor() { return std::string(PORTICO_SOURCE_DIR) + "/examples/catalog.pb"; }

TEST(TrafficPluginsTest, TrafficPluginConfigs) {
  PorticoConfig config = parseOk(R"(plugins:
  - name: quota
    config:
      limit: 500
      period: day
      key: "header:x-tenant"
      redis: { address: "redis:6379", timeout: 20ms }
      fail: closed
  - name: request-size-limit
    config: { max_body: 1024 }
  - name: cache
  - name: cors
    config:
      origins: ["~^https://.*\\.example\\.com$", "*"]
      methods: [get]
      expose_headers: [X-Request-Id]
  - name: response-headers
    config: { set: { Cache-Control: no-store }, add: { X-A: "1", X-B: "${claim.sub}" } }
  - name: grpc-transcode
    config: { descriptor: )" + catalogDescriptor() +
                                 R"(, services: [catalog.v1.Catalog] }
  - name: rate-limit
    config: { limit: 5, policy: redis, redis: { address: "10.0.0.1:6379" } }
)");
  ASSERT_EQ(config.plugins.size(), 7u);
  ASSERT_TRUE(std::holds_alternative<QuotaConfig>(config.plugins[0].config));
  const auto& quota = std::get<QuotaConfig>(config.plugins[0].config);
  EXPECT_EQ(quota.limit, 500u);
  EXPECT_EQ(quota.period, QuotaConfig::Period::kDay);
  EXPECT_EQ(quota.key, "header:x-tenant");
  EXPECT_EQ(quota.redis.address, "redis:6379");
  EXPECT_EQ(quota.redis.timeout, absl::Milliseconds(20));
  EXPECT_FALSE(quota.fail_open);

  ASSERT_TRUE(std::holds_alternative<RequestSizeLimitConfig>(config.plugins[1].config));
  EXPECT_EQ(std::get<RequestSizeLimitConfig>(config.plugins[1].config).max_body_bytes, 1024u);

  ASSERT_TRUE(std::holds_alternative<CacheConfig>(config.plugins[2].config));
  const auto& cache = std::get<CacheConfig>(config.plugins[2].config);  // config is optional
  EXPECT_EQ(cache.ttl, absl::Minutes(5));
  EXPECT_TRUE(cache.include_query);  // the query string is in the key unless configured otherwise
  EXPECT_EQ(cache.backend, CacheConfig::Backend::kMemory);

  ASSERT_TRUE(std::holds_alternative<CorsConfig>(config.plugins[3].config));
  const auto& cors = std::get<CorsConfig>(config.plugins[3].config);
  EXPECT_EQ(cors.origins, (std::vector<std::string>{"~^https://.*\\.example\\.com$", "*"}));
  EXPECT_EQ(cors.methods, (std::vector<std::string>{"GET"}));
  EXPECT_FALSE(cors.credentials);

  ASSERT_TRUE(std::holds_alternative<HeadersConfig>(config.plugins[4].config));
  const auto& headers = std::get<HeadersConfig>(config.plugins[4].config);
  EXPECT_EQ(headers.set,
            (std::vector<std::pair<std::string, std::string>>{{"Cache-Control", "no-store"}}));
  EXPECT_EQ(headers.add, (std::vector<std::pair<std::string, std::string>>{
                             {"X-A", "1"}, {"X-B", "${claim.sub}"}}));

  ASSERT_TRUE(std::holds_alternative<GrpcTranscodeConfig>(config.plugins[5].config));
  const auto& transcode = std::get<GrpcTranscodeConfig>(config.plugins[5].config);
  EXPECT_EQ(transcode.descriptor, catalogDescriptor());
  EXPECT_FALSE(transcode.reflection);
  EXPECT_EQ(transcode.services, (std::vector<std::string>{"catalog.v1.Catalog"}));
  EXPECT_FALSE(transcode.descriptor_bytes.empty());  // read when the file is loaded

  ASSERT_TRUE(std::holds_alternative<RateLimitConfig>(config.plugins[6].config));
  const auto& redis_limit = std::get<RateLimitConfig>(config.plugins[6].config);
  EXPECT_EQ(redis_limit.policy, RateLimitConfig::Policy::kRedis);
  EXPECT_EQ(redis_limit.algorithm, RateLimitConfig::Algorithm::kSlidingWindow);  // redis default
}

TEST(TrafficPluginsTest, RateLimitRedisPolicyWithoutRedis) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: rate-limit
    config: { limit: 100, policy: redis }
)"),
            "portico.yaml:3: plugins[0].config.redis: required with policy: redis");
}

TEST(TrafficPluginsTest, RateLimitBadKey) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: rate-limit
    config: { limit: 100, key: ip }
)"),
            "portico.yaml:3: plugins[0].config.key: \"ip\" is not a key; use consumer, client_ip, "
            "global, header:<name> or claim:<name>");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: rate-limit
    config: { limit: 100, key: "header:" }
)"),
            "portico.yaml:3: plugins[0].config.key: \"header:\" is not a key; use consumer, "
            "client_ip, global, header:<name> or claim:<name>");
}

TEST(TrafficPluginsTest, RateLimitLimit) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: rate-limit
    config: { window: 1m }
)"),
            "portico.yaml:3: plugins[0].config.limit: required");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: rate-limit
    config: { limit: 0 }
)"),
            "portico.yaml:3: plugins[0].config.limit: 0 is out of range (1..1099511627776)");
}

TEST(TrafficPluginsTest, RedisAddress) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: rate-limit
    config: { limit: 1, policy: redis, redis: { address: redis } }
)"),
            "portico.yaml:3: plugins[0].config.redis.address: must be host:port");
}

TEST(TrafficPluginsTest, CorsWildcardWithCredentials) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: cors
    config: { origins: ["*"], credentials: true }
)"),
            "portico.yaml:3: plugins[0].config.origins: \"*\" cannot be combined with credentials: "
            "true");
}

TEST(TrafficPluginsTest, CorsBadOriginRegex) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: cors
    config: { origins: [https://a.example.com, "~("] }
)"),
            "portico.yaml:3: plugins[0].config.origins: invalid RE2 regex: missing ): (");
}

TEST(TrafficPluginsTest, CorsNeedsOrigins) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: cors
    config: { credentials: true }
)"),
            "portico.yaml:3: plugins[0].config.origins: required");
}

TEST(TrafficPluginsTest, HeadersPluginCannotSetManagedHeaders) {
  EXPECT_EQ(
      errorOf(R"(plugins:
  - name: request-headers
    config: { set: { Host: evil.example.com } }
)"),
      "portico.yaml:3: plugins[0].config: header \"Host\" is managed by the gateway and cannot "
      "be set");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: response-headers
    config: { add: { X-Portico-Route: x } }
)"),
            "portico.yaml:3: plugins[0].config: header \"X-Portico-Route\" is managed by the "
            "gateway and cannot be set");
}

TEST(TrafficPluginsTest, HeadersPluginNeedsAnAction) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: response-headers
    config: {}
)"),
            "portico.yaml:3: plugins[0].config: give add, set or remove");
}

TEST(TrafficPluginsTest, CacheMethodPost) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: cache
    config: { methods: [GET, POST] }
)"),
            "portico.yaml:3: plugins[0].config.methods: only GET and HEAD are cacheable");
}

TEST(TrafficPluginsTest, CacheRedisBackendNeedsRedis) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: cache
    config: { backend: redis }
)"),
            "portico.yaml:3: plugins[0].config.redis: required with backend: redis");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: cache
    config: { backend: redis, redis: { address: redis } }
)"),
            "portico.yaml:3: plugins[0].config.redis.address: must be host:port");
}

TEST(TrafficPluginsTest, CacheRedisBackend) {
  const PorticoConfig config = parseOk(R"(plugins:
  - name: cache
    config: { backend: redis, redis: { address: "redis:6379", timeout: 20ms } }
)");
  ASSERT_EQ(config.plugins.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<CacheConfig>(config.plugins[0].config));
  const auto& cache = std::get<CacheConfig>(config.plugins[0].config);
  EXPECT_EQ(cache.backend, CacheConfig::Backend::kRedis);
  ASSERT_TRUE(cache.redis.has_value());
  EXPECT_EQ(cache.redis->address, "redis:6379");
  EXPECT_EQ(cache.redis->timeout, absl::Milliseconds(20));
}

TEST(TrafficPluginsTest, CacheEntryLargerThanCache) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: cache
    config: { max_size: 1MB, max_entry_size: 2MB }
)"),
            "portico.yaml:3: plugins[0].config.max_entry_size: must not exceed max_size");
}

// Regression (fixed): a cache smaller than the default max_entry_size (1MB) is refused
// with "max_entry_size must not exceed max_size" although the file never sets max_entry_size.
TEST(TrafficPluginsTest, SmallCacheWithDefaultEntrySizeIsAccepted) {
  PorticoConfig config = parseOk(R"(plugins:
  - name: cache
    config: { max_size: 512KB }
)");
  ASSERT_EQ(config.plugins.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<CacheConfig>(config.plugins[0].config));
  const auto& cache = std::get<CacheConfig>(config.plugins[0].config);
  EXPECT_EQ(cache.max_size_bytes, 512u << 10);
  EXPECT_LE(cache.max_entry_bytes, cache.max_size_bytes);
}

TEST(TrafficPluginsTest, RequestSizeLimitBadSize) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: request-size-limit
    config: { max_body: 5XB }
)"),
            "portico.yaml:3: plugins[0].config.max_body: \"5XB\" is not a size; use bytes or a "
            "number with KB, MB or GB");
}

TEST(TrafficPluginsTest, QuotaWithoutRedis) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: quota
    config: { limit: 1000, period: day }
)"),
            "portico.yaml:3: plugins[0].config.redis: required (quotas are kept in Redis)");
}

TEST(TrafficPluginsTest, QuotaPeriod) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: quota
    config: { limit: 1000, period: week, redis: { address: "redis:6379" } }
)"),
            "portico.yaml:3: plugins[0].config.period: \"week\" is not allowed; use one of: day, "
            "month");
}

TEST(TrafficPluginsTest, GrpcTranscodeNeedsADescriptor) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: grpc-transcode
    config: { services: [catalog.v1.Catalog] }
)"),
            "portico.yaml:3: plugins[0].config.descriptor: required");
  EXPECT_EQ(errorOf(R"(plugins:
  - name: grpc-transcode
    config: { reflection: true }
)"),
            "portico.yaml:3: plugins[0].config.reflection: server reflection is not supported yet; "
            "give descriptor (a FileDescriptorSet, protoc --descriptor_set_out)");
}

TEST(TrafficPluginsTest, GrpcTranscodeDescriptorIsReadAtLoad) {
  EXPECT_EQ(errorOf(R"(plugins:
  - name: grpc-transcode
    config: { descriptor: /nonexistent/catalog.pb }
)"),
            "portico.yaml:3: plugins[0].config.descriptor: cannot read /nonexistent/catalog.pb");
  const std::string dir = testing::makeTempDir("plugins-test");
  testing::writeFile(dir + "/bad.pb", "not a descriptor set");
  EXPECT_EQ(
      errorOf(cat("plugins:\n  - name: grpc-transcode\n    config: { descriptor: ", dir,
                  "/bad.pb }\n")),
      cat("portico.yaml:3: plugins[0].config.descriptor: ", dir,
          "/bad.pb is not a FileDescriptorSet (protoc --descriptor_set_out --include_imports)"));
  EXPECT_EQ(
      errorOf(cat("plugins:\n  - name: grpc-transcode\n    config:\n      descriptor: ",
                  catalogDescriptor(),
                  "\n      services: [catalog.v1.Catalog, catalog.v1.Nope]\n")),
      cat("portico.yaml:5: plugins[0].config.services: service \"catalog.v1.Nope\" is not in ",
          catalogDescriptor()));
}

}  // namespace
}  // namespace portico::cp::model
