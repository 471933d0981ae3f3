// End to end: API keys and consumers, authorization on consumer groups, and CORS, from a real
// portico.yaml through portico-cp to portico-proxy in front of a self-registering echo backend
// (which echoes the headers it received, so the test sees exactly what reached the upstream).
// Covers: missing / wrong / valid keys (header and query), keys hidden from the upstream, the
// consumer's name passed upstream, spoofed identity headers dropped, 403 for a consumer outside
// the route's group, a consumer whose override enables a filter the proxy does not implement
// (fail closed), CORS preflights answered at the gateway (exact and regex origins; a refused
// origin's preflight is not answered) and CORS headers on actual responses.
//
// The processes are started once for the suite; every test only sends requests.

#include <gtest/gtest.h>

#include <string>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_suite.h"

namespace portico::testing {
namespace {

constexpr char kMobileKey[] = "mobile-key-0123456789";
constexpr char kPartnerKey[] = "partner-key-abcdef";
constexpr char kLimitedKey[] = "limited-key-42";

std::string configYaml(uint16_t port) {
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
routes:
  - { name: open, match: { path_prefix: /open }, service: echo }
  - { name: keyed, match: { path_prefix: /keyed }, service: echo }
  - { name: keyed-query, match: { path_prefix: /kq }, service: echo }
  - { name: partners, match: { path_prefix: /partners }, service: echo }
  - { name: web, match: { path_prefix: /web, methods: [GET, POST] }, service: echo }
plugins:
  - { name: key-auth, route: keyed, config: { header: x-api-key } }
  - { name: key-auth, route: keyed-query, config: { header: x-api-key, query: apikey } }
  - { name: key-auth, route: partners }
  - { name: authorize, route: partners, config: { any_of: [ { consumer_group: partners } ] } }
  - name: cors
    route: web
    config:
      origins: [https://app.example.com, "~https://[a-z]+\\.example\\.org"]
      methods: [GET, POST]
      headers: [Authorization, Content-Type]
      expose_headers: [X-Request-Id]
      credentials: true
      max_age: 1h
consumers:
  - { name: mobile-app, api_keys: [")yaml", apiKeyHash(kMobileKey), R"yaml("] }
  - { name: partner-api, groups: [partners], api_keys: [")yaml", apiKeyHash(kPartnerKey), R"yaml("] }
  - name: limited
    api_keys: [")yaml", apiKeyHash(kLimitedKey), R"yaml("]
    plugins:
      - { name: quota, config: { limit: 10, period: day, fail: closed, redis: { address: "127.0.0.1:1" } } }
)yaml");
}

class AuthFiltersTest : public GatewaySuite<AuthFiltersTest> {
 protected:
  static void SetUpTestSuite() { startGateway({}, configYaml); }

  // One request on a fresh connection (bounded: 5 s); header() reads its response.
  static EchoReply send(const std::string& method, const std::string& target, http::HeaderList headers = {}) {
    return gateway().send(method, target, std::move(headers));
  }
  static std::string header(const std::string& name) { return gateway().header(name); }
};

TEST_F(AuthFiltersTest, RouteWithoutPluginsNeedsNoKey) {
  EXPECT_EQ(send("GET", "/open/a").status, 200);
}

TEST_F(AuthFiltersTest, MissingKeyIsRefusedWith401) {
  const EchoReply reply = send("GET", "/keyed/a");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.backend, "") << "never reached the upstream";
  EXPECT_EQ(localErrorCode(reply.body), "unauthorized");
  EXPECT_EQ(header("www-authenticate"), "Key realm=\"portico\"");
  EXPECT_NE(header("x-request-id"), "<absent>") << "local replies carry the request id";
}

TEST_F(AuthFiltersTest, UnknownKeyIsRefusedWith401) {
  const EchoReply reply = send("GET", "/keyed/a", {{"x-api-key", "not-a-key"}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(localErrorCode(reply.body), "unauthorized");
  EXPECT_NE(reply.body.find("invalid API key"), std::string::npos) << reply.body;
  // A key differing from a real one in its last character is just another unknown key.
  std::string almost = kMobileKey;
  almost.back() = 'X';
  EXPECT_EQ(send("GET", "/keyed/a", {{"x-api-key", almost}}).status, 401);
}

TEST_F(AuthFiltersTest, ValidKeyPassesTheConsumerAndHidesTheKey) {
  const EchoReply reply = send("GET", "/keyed/a", {{"x-api-key", kMobileKey}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(headerOf(reply, "x-portico-consumer"), "mobile-app");
  EXPECT_EQ(reply.headers.count("x-api-key"), 0u) << "hide_credentials is the default";
}

TEST_F(AuthFiltersTest, SpoofedIdentityHeadersNeverReachTheUpstream) {
  const EchoReply reply = send("GET", "/keyed/a",
                               {{"x-api-key", kMobileKey},
                                {"x-portico-consumer", "partner-api"},
                                {"X-User-Id", "admin"},
                                {"x-user-role", "admin"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(headerOf(reply, "x-portico-consumer"), "mobile-app");
  EXPECT_EQ(reply.headers.count("x-user-id"), 0u);
  EXPECT_EQ(reply.headers.count("x-user-role"), 0u);
  // And without any authentication on the route, too.
  const EchoReply open = send("GET", "/open/a", {{"x-portico-consumer", "partner-api"}, {"x-user-id", "1"}});
  ASSERT_EQ(open.status, 200);
  EXPECT_EQ(open.headers.count("x-portico-consumer"), 0u);
  EXPECT_EQ(open.headers.count("x-user-id"), 0u);
}

TEST_F(AuthFiltersTest, KeyFromTheQueryIsAcceptedAndRemoved) {
  const EchoReply reply = send("GET", cat("/kq/items?x=1&apikey=", kPartnerKey, "&y=2"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(headerOf(reply, "x-portico-consumer"), "partner-api");
  EXPECT_EQ(reply.path, "/kq/items");
  EXPECT_EQ(reply.query, "x=1&y=2") << "the key is not forwarded; the other parameters are";
  EXPECT_EQ(send("GET", "/kq/items?apikey=wrong").status, 401);
  EXPECT_EQ(send("GET", "/kq/items", {{"x-api-key", kMobileKey}}).status, 200) << "the header still works";
}

TEST_F(AuthFiltersTest, AuthorizationOnConsumerGroups) {
  const EchoReply outsider = send("GET", "/partners/report", {{"x-api-key", kMobileKey}});
  EXPECT_EQ(outsider.status, 403);
  EXPECT_EQ(localErrorCode(outsider.body), "forbidden");
  EXPECT_EQ(outsider.backend, "");
  const EchoReply partner = send("GET", "/partners/report", {{"x-api-key", kPartnerKey}});
  EXPECT_EQ(partner.status, 200);
  EXPECT_EQ(headerOf(partner, "x-portico-consumer"), "partner-api");
  EXPECT_EQ(send("GET", "/partners/report").status, 401) << "authentication comes before authorization";
}

// The consumer "limited" carries its own quota, kept in a Redis nobody listens on and set to
// fail closed: once key-auth identifies the consumer, the override applies and its requests
// are refused rather than served unlimited.
TEST_F(AuthFiltersTest, ConsumerOverrideAppliesAndFailsClosed) {
  const EchoReply reply = send("GET", "/keyed/a", {{"x-api-key", kLimitedKey}});
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(localErrorCode(reply.body), "quota_unavailable");
  EXPECT_EQ(reply.backend, "");
  EXPECT_EQ(send("GET", "/keyed/a", {{"x-api-key", kMobileKey}}).status, 200) << "other consumers are served";
}

TEST_F(AuthFiltersTest, PreflightIsAnsweredAtTheGateway) {
  const EchoReply reply = send("OPTIONS", "/web/items",
                               {{"origin", "https://app.example.com"},
                                {"access-control-request-method", "POST"},
                                {"access-control-request-headers", "content-type"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.backend, "") << "answered by the gateway, not the upstream";
  EXPECT_EQ(header("access-control-allow-origin"), "https://app.example.com");
  EXPECT_EQ(header("access-control-allow-methods"), "GET,POST");
  EXPECT_EQ(header("access-control-allow-headers"), "Authorization,Content-Type");
  EXPECT_EQ(header("access-control-max-age"), "3600");
  EXPECT_EQ(header("access-control-allow-credentials"), "true");
  EXPECT_EQ(header("vary"), "Origin");
}

TEST_F(AuthFiltersTest, PreflightFromARegexOrigin) {
  EXPECT_EQ(send("OPTIONS", "/web/items", {{"origin", "https://shop.example.org"}, {"access-control-request-method", "GET"}})
                .status,
            200);
  EXPECT_EQ(header("access-control-allow-origin"), "https://shop.example.org");
}

// A preflight from an origin the policy does not allow is not answered: it goes on as a plain
// OPTIONS, which the route (GET, POST only) does not take.
TEST_F(AuthFiltersTest, PreflightFromAnotherOriginIsNotAnswered) {
  const EchoReply reply = send("OPTIONS", "/web/items",
                               {{"origin", "https://evil.example.net"}, {"access-control-request-method", "POST"}});
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(localErrorCode(reply.body), "no_route");
  EXPECT_EQ(header("access-control-allow-origin"), "<absent>");
}

TEST_F(AuthFiltersTest, ActualRequestsGetCorsHeadersForAllowedOriginsOnly) {
  const EchoReply allowed = send("GET", "/web/items", {{"origin", "https://app.example.com"}});
  ASSERT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.backend, "echo-1");
  EXPECT_EQ(header("access-control-allow-origin"), "https://app.example.com");
  EXPECT_EQ(header("access-control-allow-credentials"), "true");
  EXPECT_EQ(header("access-control-expose-headers"), "X-Request-Id");
  EXPECT_EQ(header("vary"), "Origin");

  const EchoReply other = send("GET", "/web/items", {{"origin", "https://evil.example.net"}});
  ASSERT_EQ(other.status, 200) << "CORS never blocks; the browser enforces it";
  EXPECT_EQ(header("access-control-allow-origin"), "<absent>");
  EXPECT_EQ(header("vary"), "Origin");

  send("GET", "/web/items");
  EXPECT_EQ(header("access-control-allow-origin"), "<absent>") << "no Origin: not a CORS request";
  EXPECT_EQ(send("GET", "/open/x", {{"origin", "https://app.example.com"}}).status, 200);
  EXPECT_EQ(header("access-control-allow-origin"), "<absent>") << "no CORS policy on that route";
}

}  // namespace
}  // namespace portico::testing
