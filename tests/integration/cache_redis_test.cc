// End to end: the response cache with backend redis, shared by two portico-proxy processes
// through one real redis-server (issue 6). The proxies are in two gateway groups with a
// listener each (a and b), so the test chooses which proxy serves each request:
// - a response cached through proxy A is a hit through proxy B, byte for byte;
// - an entry's expiry (its freshness as a Redis TTL) is seen by both;
// - a purge (POST /v1/cache/purge on portico-cp) reaches both proxies and removes the entries
//   from Redis, for a route and for a path prefix;
// - Redis killed: both proxies keep answering 200 (X-Cache: MISS), counted in
//   portico_proxy_cache_redis_errors_total; Redis restarted: hits again.

#include <gtest/gtest.h>

#include <string>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

std::string configYaml(uint16_t port_a, uint16_t port_b, const std::string& redis) {
  const std::string backend = cat("backend: redis, redis: { address: \"", redis, "\", timeout: 2s }");  // generous: the machine may be loaded
  return cat(R"yaml(version: 1
listeners:
  - { name: a, address: 127.0.0.1, port: )yaml", port_a, R"yaml( }
  - { name: b, address: 127.0.0.1, port: )yaml", port_b, R"yaml( }
groups:
  - { name: a, listeners: [a] }
  - { name: b, listeners: [b] }
routes:
  - { name: open, match: { path_prefix: /open }, service: echo }
  - { name: cached, match: { path_prefix: /cached }, service: echo }
  - { name: short, match: { path_prefix: /short }, service: echo }
plugins:
  - { name: cache, route: cached, config: { ttl: 60s, )yaml", backend, R"yaml( } }
  - { name: cache, route: short, config: { ttl: 1s, )yaml", backend, R"yaml( } }
)yaml");
}

struct Answer {
  int status = 0;
  std::string x_cache;
  std::string age;
  std::string body;
};

class CacheRedisTest : public GatewaySuite<CacheRedisTest> {
 protected:
  static void SetUpTestSuite() {
    auto redis = RedisServer::start(makeTempDir("cache-redis"));
    if (!redis.ok()) {
      setup_error_ = cat("redis-server: ", redis.status().ToString());
      return;
    }
    redis_ = std::move(*redis);
    port_b_ = pickFreePort();
    const std::string address = redis_->address();
    startGateway({.proxy = {.group = "a", .workers = 2}},
                 [&address](uint16_t port) { return configYaml(port, port_b_, address); });
    if (!setup_error_.empty()) return;
    auto added = gateway().addProxy({.group = "b", .workers = 2});
    if (!added.ok()) {
      setup_error_ = cat("proxy b: ", added.status().ToString());
      return;
    }
    const absl::Status serving = gateway().waitUntilServing(port_b_);
    if (!serving.ok()) setup_error_ = cat("listener b: ", serving.ToString());
  }
  static void TearDownTestSuite() {
    GatewaySuite::TearDownTestSuite();
    redis_.reset();
  }

  // GET `target` through proxy A (0) or B (1). The Host is part of the key: both get the one a
  // load balancer in front of them would pass on (not their own listener's address).
  static Answer get(int proxy, const std::string& target) {
    const http::ClientResponse response =
        gateway().fetch({"GET", target, "", {{"Host", "api.example.com"}}}, proxy == 0 ? gateway().port() : port_b_);
    Answer out;
    out.status = response.status;
    out.x_cache = GatewayFixture::header(response, "x-cache");
    out.age = GatewayFixture::header(response, "age");
    out.body = response.body;
    return out;
  }

  // Waits until `target` is a miss through `proxy` (a purge or an expiry reached it).
  static bool becomesMiss(int proxy, const std::string& target) {
    return waitUntil([&] { return get(proxy, target).x_cache == "MISS"; }, absl::Seconds(20), absl::Milliseconds(50));
  }

  // The sum of a series' samples whose line contains `match` on proxy `index`'s /metrics.
  static double metric(size_t index, const std::string& name, const std::string& match) {
    auto response = gateway().proxy(index).admin("/metrics");
    if (!response.ok()) return -1;
    double sum = 0;
    size_t at = 0;
    while ((at = response->body.find(name, at)) != std::string::npos) {
      const size_t end = response->body.find('\n', at);
      const std::string line = response->body.substr(at, end - at);
      if ((at == 0 || response->body[at - 1] == '\n') && line.find(match) != std::string::npos) {
        sum += std::stod(line.substr(line.rfind(' ') + 1));
      }
      at = end == std::string::npos ? response->body.size() : end;
    }
    return sum;
  }

  static size_t entries() {
    auto keys = redis_->command({"KEYS", "portico:cache:e:*"});
    if (!keys.ok() || keys->empty()) return 0;
    return static_cast<size_t>(std::count(keys->begin(), keys->end(), ',')) + 1;
  }

  static inline std::unique_ptr<RedisServer> redis_;
  static inline uint16_t port_b_ = 0;
};

TEST_F(CacheRedisTest, AResponseCachedThroughProxyAIsAHitThroughProxyB) {
  const Answer first = get(0, "/cached/items?page=1");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.x_cache, "MISS");
  // The store is sent after the response: wait for it to land.
  ASSERT_TRUE(waitUntil([] { return entries() >= 1; }, absl::Seconds(10)));
  for (int i = 0; i < 4; ++i) {  // fresh connections: both of B's workers
    const Answer again = get(1, "/cached/items?page=1");
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.x_cache, "HIT");
    EXPECT_NE(again.age, "<absent>");
    EXPECT_EQ(again.body, first.body) << "A's stored response, byte for byte (the echo names A's request)";
  }
  EXPECT_EQ(get(0, "/cached/items?page=1").x_cache, "HIT");
  EXPECT_GE(metric(1, "portico_proxy_cache_hits_total", ""), 4);
  EXPECT_GE(metric(0, "portico_proxy_cache_stores_total", ""), 1);
}

TEST_F(CacheRedisTest, ExpiryIsSeenByBothProxies) {
  ASSERT_EQ(get(1, "/short/x").x_cache, "MISS");
  ASSERT_TRUE(waitUntil([] { return get(0, "/short/x").x_cache == "HIT"; }, absl::Seconds(5),
                        absl::Milliseconds(20)))
      << "stored through B, a hit through A while fresh";
  EXPECT_TRUE(becomesMiss(0, "/short/x")) << "ttl 1s: Redis expires it";
}

TEST_F(CacheRedisTest, APurgeReachesBothProxiesAndRedis) {
  ASSERT_EQ(get(0, "/cached/p/1").status, 200);
  ASSERT_EQ(get(0, "/cached/q/1").status, 200);
  ASSERT_TRUE(waitUntil([] { return get(1, "/cached/p/1").x_cache == "HIT" && get(1, "/cached/q/1").x_cache == "HIT"; },
                        absl::Seconds(10), absl::Milliseconds(20)));
  auto purged = gateway().cp().request("POST", "/v1/cache/purge", R"({"route": "cached", "prefix": "/cached/p"})");
  ASSERT_TRUE(purged.ok()) << purged.status();
  ASSERT_EQ(purged->status, 202) << purged->body;
  EXPECT_TRUE(becomesMiss(1, "/cached/p/1"));
  EXPECT_EQ(get(0, "/cached/q/1").x_cache, "HIT") << "outside the prefix";
  // The whole route: its generation moves, every entry of it is unreachable through both.
  ASSERT_TRUE(waitUntil([] { return get(0, "/cached/p/1").x_cache == "HIT"; }, absl::Seconds(10), absl::Milliseconds(20)));
  purged = gateway().cp().request("POST", "/v1/cache/purge", R"({"route": "cached"})");
  ASSERT_TRUE(purged.ok() && purged->status == 202);
  EXPECT_TRUE(becomesMiss(0, "/cached/q/1"));
  EXPECT_TRUE(becomesMiss(1, "/cached/p/1"));
  EXPECT_EQ(redis_->command({"GET", "portico:cache:g:cached"}).value_or("?"), "1")
      << "both proxies applied the purge; Redis changed once";
}

// Last: it kills Redis (and starts it again).
TEST_F(CacheRedisTest, RedisKilledRequestsStillSucceed) {
  ASSERT_EQ(get(0, "/cached/down").status, 200);
  redis_->kill();
  for (int i = 0; i < 6; ++i) {
    for (int proxy : {0, 1}) {
      const Answer answer = get(proxy, "/cached/down");
      EXPECT_EQ(answer.status, 200);
      EXPECT_EQ(answer.x_cache, "MISS");
    }
  }
  EXPECT_GT(metric(0, "portico_proxy_cache_redis_errors_total", "op=\"lookup\""), 0);
  EXPECT_GT(metric(1, "portico_proxy_cache_redis_errors_total", "op=\"lookup\""), 0);
  // Back: within the client's reconnect delay (≤ 1 s), the cache works again.
  ASSERT_TRUE(redis_->restart().ok());
  EXPECT_TRUE(waitUntil(
      [] {
        get(0, "/cached/back");  // stores, once A's connection is back
        return get(1, "/cached/back").x_cache == "HIT";
      },
      absl::Seconds(15), absl::Milliseconds(100)));
}

}  // namespace
}  // namespace portico::testing
