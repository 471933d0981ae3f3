// End to end: rate limits and quotas shared by three portico-proxy processes through one real
// redis-server (issue 6). The proxies share the listener port (SO_REUSEPORT), so the kernel
// spreads the test's connections over them as a load balancer would; each proxy's own metrics
// show it took part.
// - exactness: 3 proxies × 2 workers, 8 concurrent clients, 120 requests against a limit of 30
//   → exactly 30 pass (sliding window, and fixed window keyed by a header);
// - quotas per consumer per day, with X-Quota-* headers and 429 once spent;
// - Redis killed: a fail-open route keeps serving, a fail-closed one answers 503; Redis
//   restarted: limits apply again without restarting anything else.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

constexpr int kProxies = 3;
constexpr int kLimit = 30;

std::string configYaml(uint16_t port, const std::string& redis) {
  const std::string r = cat("redis: { address: \"", redis, "\", timeout: 500ms }");
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
routes:
  - { name: sliding, match: { path_prefix: /sliding }, service: echo }
  - { name: fixed, match: { path_prefix: /fixed }, service: echo }
  - { name: fail-open, match: { path_prefix: /fail-open }, service: echo }
  - { name: fail-closed, match: { path_prefix: /fail-closed }, service: echo }
  - { name: metered, match: { path_prefix: /metered }, service: echo }
  - { name: open, match: { path_prefix: /open }, service: echo }
plugins:
  - { name: rate-limit, route: sliding, config: { limit: )yaml", kLimit, R"yaml(, window: 1h, key: global, policy: redis, algorithm: sliding_window, )yaml", r, R"yaml( } }
  - { name: rate-limit, route: fixed, config: { limit: )yaml", kLimit, R"yaml(, window: 24h, key: "header:x-tenant", policy: redis, algorithm: fixed_window, )yaml", r, R"yaml( } }
  - { name: rate-limit, route: fail-open, config: { limit: 1000, window: 1h, policy: redis, fail: open, )yaml", r, R"yaml( } }
  - { name: rate-limit, route: fail-closed, config: { limit: 1000, window: 1h, policy: redis, fail: closed, )yaml", r, R"yaml( } }
  - { name: key-auth, route: metered }
  - { name: quota, route: metered, config: { limit: 5, period: day, key: consumer, )yaml", r, R"yaml( } }
consumers:
  - { name: alice, api_keys: [")yaml", apiKeyHash("alice-key"), R"yaml("] }
  - { name: bob, api_keys: [")yaml", apiKeyHash("bob-key"), R"yaml("] }
)yaml");
}

class GlobalRateLimitTest : public GatewaySuite<GlobalRateLimitTest> {
 protected:
  static void SetUpTestSuite() {
    auto redis = RedisServer::start(makeTempDir("global-rate-limit"));
    if (!redis.ok()) {
      setup_error_ = cat("redis-server: ", redis.status().ToString());
      return;
    }
    redis_ = std::move(*redis);
    const std::string address = redis_->address();
    startGateway({.proxy = {.workers = 2}}, [&address](uint16_t port) { return configYaml(port, address); });
    if (!setup_error_.empty()) return;
    for (int i = 1; i < kProxies; ++i) {
      auto added = gateway().addProxy({.workers = 2});
      if (!added.ok()) {
        setup_error_ = cat("proxy ", i + 1, ": ", added.status().ToString());
        return;
      }
    }
  }
  static void TearDownTestSuite() {
    GatewaySuite::TearDownTestSuite();
    redis_.reset();
  }

  static http::ClientResponse send(const std::string& target, http::HeaderList headers = {}) {
    return gateway().fetch({"GET", target, "", std::move(headers)});
  }
  static std::string header(const http::ClientResponse& response, const std::string& name) {
    return GatewayFixture::header(response, name);
  }

  // `total` requests from 8 concurrent clients, each on a fresh connection: statuses counted.
  static std::map<int, int> burst(const std::string& target, int total, http::HeaderList headers = {}) {
    std::atomic<int> next{0};
    std::mutex mu;
    std::map<int, int> statuses;
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
      clients.emplace_back([&] {
        while (next.fetch_add(1) < total) {
          const int status = send(target, headers).status;
          std::lock_guard<std::mutex> lock(mu);
          ++statuses[status];
        }
      });
    }
    for (auto& t : clients) t.join();
    return statuses;
  }

  // Requests this proxy's rate-limit filter refused (portico_proxy_filter_replies_total).
  static double limitedBy(size_t proxy) {
    auto metrics = gateway().proxy(proxy).admin("/metrics");
    if (!metrics.ok()) return -1;
    double sum = 0;
    std::istringstream lines(metrics->body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("portico_proxy_filter_replies_total{", 0) == 0 && line.find("\"429\"") != std::string::npos) {
        sum += std::stod(line.substr(line.rfind(' ') + 1));
      }
    }
    return sum;
  }

  static inline std::unique_ptr<RedisServer> redis_;
};

TEST_F(GlobalRateLimitTest, ThreeProxiesAdmitExactlyTheLimitWithASlidingWindow) {
  ASSERT_EQ(gateway().proxyCount(), static_cast<size_t>(kProxies));
  const auto statuses = burst("/sliding/x", 4 * kLimit);
  EXPECT_EQ(statuses.count(200) ? statuses.at(200) : 0, kLimit);
  EXPECT_EQ(statuses.count(429) ? statuses.at(429) : 0, 3 * kLimit);
  EXPECT_EQ(statuses.size(), 2u) << "only 200 and 429";
  EXPECT_EQ(*redis_->command({"ZCARD", cat("portico:rl:route.sliding:SLIDING_WINDOW:", kLimit, ":0:3600000:global")}),
            std::to_string(kLimit));
  // Every proxy refused some: the limit is shared, not per proxy.
  for (size_t p = 0; p < kProxies; ++p) EXPECT_GT(limitedBy(p), 0) << "proxy " << p + 1;
}

TEST_F(GlobalRateLimitTest, ThreeProxiesAdmitExactlyTheLimitWithAFixedWindow) {
  const auto statuses = burst("/fixed/x", 4 * kLimit, {{"x-tenant", "acme"}});
  const http::ClientResponse probe = send("/fixed/x", {{"x-tenant", "acme"}});
  // A one-day window aligned to midnight UTC: a run that straddles midnight sees two windows.
  if (probe.status == 200) GTEST_SKIP() << "the run crossed a window boundary";
  EXPECT_EQ(statuses.count(200) ? statuses.at(200) : 0, kLimit);
  EXPECT_EQ(probe.status, 429);
  EXPECT_EQ(header(probe, "ratelimit-limit"), std::to_string(kLimit));
  EXPECT_EQ(header(probe, "ratelimit-remaining"), "0");
  EXPECT_NE(header(probe, "retry-after"), "<absent>");
  // Another tenant has its own counter.
  const http::ClientResponse other = send("/fixed/x", {{"x-tenant", "globex"}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(header(other, "ratelimit-remaining"), std::to_string(kLimit - 1));
}

TEST_F(GlobalRateLimitTest, QuotaPerConsumerPerDay) {
  for (int i = 1; i <= 5; ++i) {
    const http::ClientResponse ok = send("/metered/x", {{"x-api-key", "alice-key"}});
    ASSERT_EQ(ok.status, 200) << i;
    EXPECT_EQ(header(ok, "x-quota-limit"), "5");
    EXPECT_EQ(header(ok, "x-quota-remaining"), std::to_string(5 - i));
  }
  const http::ClientResponse spent = send("/metered/x", {{"x-api-key", "alice-key"}});
  EXPECT_EQ(spent.status, 429);
  EXPECT_NE(spent.body.find("quota_exceeded"), std::string::npos) << spent.body;
  const int64_t reset = std::stoll(header(spent, "x-quota-reset"));
  EXPECT_GT(reset, 0);
  EXPECT_LE(reset, 86400) << "renews at the next midnight UTC";
  EXPECT_EQ(header(spent, "retry-after"), header(spent, "x-quota-reset"));
  EXPECT_EQ(send("/metered/x", {{"x-api-key", "bob-key"}}).status, 200) << "bob's quota is his own";
}

TEST_F(GlobalRateLimitTest, RedisDownFailsOpenOrClosedAndRecovers) {
  ASSERT_EQ(send("/fail-closed/x").status, 200);
  redis_->kill();
  for (int i = 0; i < 6; ++i) {
    const http::ClientResponse open = send("/fail-open/x");
    EXPECT_EQ(open.status, 200) << i;
    EXPECT_EQ(header(open, "ratelimit-limit"), "<absent>");
    const http::ClientResponse closed = send("/fail-closed/x");
    EXPECT_EQ(closed.status, 503) << i;
    EXPECT_NE(closed.body.find("rate_limit_unavailable"), std::string::npos) << closed.body;
  }
  ASSERT_TRUE(redis_->restart().ok()) << redis_->logTail();
  // Every proxy reconnects on its own (within about a second); bounded wait.
  const bool recovered = waitUntil(
      [] {
        for (int i = 0; i < 2 * kProxies; ++i) {
          if (send("/fail-closed/x").status != 200) return false;
        }
        return true;
      },
      absl::Seconds(15), absl::Milliseconds(200));
  EXPECT_TRUE(recovered);
  const http::ClientResponse limited = send("/fail-open/x");
  EXPECT_EQ(limited.status, 200);
  EXPECT_EQ(header(limited, "ratelimit-limit"), "1000") << "counted in Redis again";
  // The outage is in the Redis client's metrics of the proxies that served it.
  const std::string series =
      cat("portico_proxy_redis_commands_total{address=\"", redis_->address(), "\",result=\"unavailable\"}");
  bool counted = false;
  for (size_t p = 0; p < kProxies; ++p) {
    auto metrics = gateway().proxy(p).admin("/metrics");
    if (metrics.ok() && metrics->body.find(series) != std::string::npos) counted = true;
  }
  EXPECT_TRUE(counted) << series;
}

}  // namespace
}  // namespace portico::testing
