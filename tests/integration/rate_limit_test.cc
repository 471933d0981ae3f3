// End to end: local rate limiting and per-route request size limits from a real portico.yaml,
// through portico-cp, on a two-worker portico-proxy in front of an echo backend:
// - exactness: 200 requests from 8 concurrent clients against a limit of 50 → exactly 50 pass,
//   whichever worker each connection lands on (one bucket per key per proxy);
// - the RateLimit-* / X-RateLimit-* headers, 429 with Retry-After and a JSON body;
// - keys: the client address, the consumer (key-auth), with a consumer's own limit replacing the
//   route's for that consumer;
// - counters survive a configuration push that changes something else;
// - request-size-limit: 413 over the route's limit.

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

std::string configYaml(uint16_t port, bool extra_route) {
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
routes:
  - { name: shared, match: { path_prefix: /shared }, service: echo }
  - { name: per-client, match: { path_prefix: /per-client }, service: echo }
  - { name: per-consumer, match: { path_prefix: /per-consumer }, service: echo }
  - { name: upload, match: { path_prefix: /upload }, service: echo }
  - { name: open, match: { path_prefix: /open }, service: echo }
)yaml", extra_route ? "  - { name: extra, match: { path_prefix: /extra }, service: echo }\n" : "", R"yaml(plugins:
  - { name: rate-limit, route: shared, config: { limit: 50, window: 1h, key: global } }
  - { name: rate-limit, route: per-client, config: { limit: 3, window: 1h, key: client_ip } }
  - { name: key-auth, route: per-consumer }
  - { name: rate-limit, route: per-consumer, config: { limit: 2, window: 1h, key: consumer } }
  - { name: request-size-limit, route: upload, config: { max_body: 1KB } }
consumers:
  - { name: silver, api_keys: [")yaml", apiKeyHash("silver-key"), R"yaml("] }
  - name: gold
    api_keys: [")yaml", apiKeyHash("gold-key"), R"yaml("]
    plugins:
      - { name: rate-limit, config: { limit: 5, window: 1h, key: consumer } }
)yaml");
}

class RateLimitTest : public GatewaySuite<RateLimitTest> {
 protected:
  static void SetUpTestSuite() {
    startGateway({.proxy = {.workers = 2}}, [](uint16_t port) { return configYaml(port, false); });
  }

  // One request on a fresh connection (bounded: 5 s); safe from several threads.
  static http::ClientResponse send(const std::string& method, const std::string& target,
                                   http::HeaderList headers = {}, const std::string& body = "") {
    return gateway().fetch({method, target, body, std::move(headers)});
  }
  static std::string header(const http::ClientResponse& response, const std::string& name) {
    return GatewayFixture::header(response, name);
  }
};

// Each client thread opens a new connection per request, so the kernel spreads them over both
// workers; the limit is still exact.
TEST_F(RateLimitTest, ExactUnderConcurrencyAcrossWorkers) {
  std::atomic<int> passed{0};
  std::atomic<int> limited{0};
  std::atomic<int> other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        const int status = send("GET", "/shared/x").status;
        (status == 200 ? passed : status == 429 ? limited : other).fetch_add(1);
      }
    });
  }
  for (auto& client : clients) client.join();
  std::cout << "200 requests against a limit of 50: " << passed << " passed, " << limited << " limited\n";
  EXPECT_EQ(passed.load(), 50);
  EXPECT_EQ(limited.load(), 150);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(RateLimitTest, HeadersAnd429) {
  http::ClientResponse first = send("GET", "/per-client/a");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(header(first, "ratelimit-limit"), "3");
  EXPECT_EQ(header(first, "ratelimit-remaining"), "2");
  EXPECT_EQ(header(first, "x-ratelimit-limit"), "3");
  EXPECT_EQ(header(first, "x-ratelimit-remaining"), "2");
  const int reset = std::stoi(header(first, "ratelimit-reset"));
  EXPECT_GT(reset, 0);
  EXPECT_LE(reset, 3600);
  EXPECT_EQ(send("GET", "/per-client/a").status, 200);
  EXPECT_EQ(send("GET", "/per-client/a").status, 200);
  http::ClientResponse refused = send("GET", "/per-client/a");
  ASSERT_EQ(refused.status, 429);
  EXPECT_EQ(localErrorCode(refused.body), "rate_limited");
  EXPECT_NE(header(refused, "retry-after"), "<absent>");
  EXPECT_GE(std::stoi(header(refused, "retry-after")), 1);
  EXPECT_EQ(header(refused, "ratelimit-remaining"), "0");
  EXPECT_EQ(parseEchoReply(refused).backend, "") << "never reached the upstream";
  EXPECT_EQ(send("GET", "/open/a").status, 200) << "other routes are not limited";
  EXPECT_EQ(header(send("GET", "/open/a"), "ratelimit-limit"), "<absent>");
}

TEST_F(RateLimitTest, ConsumersHaveTheirOwnBucketsAndOverrides) {
  for (int i = 0; i < 2; ++i) EXPECT_EQ(send("GET", "/per-consumer/a", {{"x-api-key", "silver-key"}}).status, 200);
  EXPECT_EQ(send("GET", "/per-consumer/a", {{"x-api-key", "silver-key"}}).status, 429);
  for (int i = 0; i < 5; ++i) {
    http::ClientResponse gold = send("GET", "/per-consumer/a", {{"x-api-key", "gold-key"}});
    EXPECT_EQ(gold.status, 200) << i;
    EXPECT_EQ(header(gold, "ratelimit-limit"), "5") << "gold's own limit";
  }
  EXPECT_EQ(send("GET", "/per-consumer/a", {{"x-api-key", "gold-key"}}).status, 429);
}

TEST_F(RateLimitTest, CountersSurviveAnUnrelatedConfigPush) {
  for (int i = 0; i < 3; ++i) send("GET", "/per-client/b");
  ASSERT_EQ(send("GET", "/per-client/b").status, 429);
  gateway().cp().reloadConfig(configYaml(gateway().port(), true));
  ASSERT_TRUE(waitUntil([] { return send("GET", "/extra/x").status == 200; }, absl::Seconds(20)));
  EXPECT_EQ(send("GET", "/per-client/b").status, 429) << "no fresh tokens from a push";
}

// The value of one series in a Prometheus text exposition (0 when absent).
double metricValue(const std::string& body, const std::string& series) {
  const size_t at = body.find(series + " ");
  return at == std::string::npos ? 0 : std::stod(body.substr(at + series.size() + 1));
}

TEST_F(RateLimitTest, LimitedRequestsAreCounted) {
  const std::string series =
      "portico_proxy_filter_replies_total{filter=\"portico.filters.http.rate_limit\",status=\"429\"}";
  for (int i = 0; i < 3; ++i) send("GET", "/per-client/metrics");
  auto before = gateway().proxy().admin("/metrics");
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(send("GET", "/per-client/metrics").status, 429);
  ASSERT_EQ(send("GET", "/per-client/metrics").status, 429);
  auto after = gateway().proxy().admin("/metrics");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(metricValue(after->body, series) - metricValue(before->body, series), 2) << after->body;
}

TEST_F(RateLimitTest, RequestSizeLimitPerRoute) {
  EXPECT_EQ(send("POST", "/upload/f", {{"content-type", "text/plain"}}, std::string(1000, 'x')).status, 200);
  http::ClientResponse big = send("POST", "/upload/f", {{"content-type", "text/plain"}}, std::string(1025, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(localErrorCode(big.body), "body_too_large");
  EXPECT_EQ(send("POST", "/open/f", {{"content-type", "text/plain"}}, std::string(5000, 'x')).status, 200)
      << "only that route";
}

}  // namespace
}  // namespace portico::testing
