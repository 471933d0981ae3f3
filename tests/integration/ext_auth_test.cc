// End to end: external authorization (the ext-auth plugin) against a real HTTP authorization
// service on loopback, scripted per token: allowed answers with headers for the upstream,
// refusals (401 with WWW-Authenticate, 403), failures (500, a hang past the timeout, a closed
// port) under fail-closed and fail-open, the identity-keyed cache of allowed answers, what the
// service is sent, and that clients cannot spoof the headers the service grants.
//
// One proxy worker, so the per-worker cache is observable exactly.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/scripted_http_server.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

// The authorization service's script, by Authorization header.
ScriptedHttpServer::Answer authorize(const ScriptedHttpServer::Request& request) {
  const std::string token(request[boost::beast::http::field::authorization]);
  if (token == "Bearer alice" || token == "Bearer bob") {
    const std::string user = token.substr(7);
    return {scriptedResponse(200, "", {{"x-auth-subject", user}, {"x-auth-tier", "gold"}, {"x-not-granted", "1"}})};
  }
  if (token == "Bearer expired") {
    return {scriptedResponse(401, "", {{"www-authenticate", "Bearer error=\"invalid_token\""}})};
  }
  if (token == "Bearer mallory") return {scriptedResponse(403)};
  if (token == "Bearer slow") return {scriptedResponse(200), std::chrono::milliseconds(1500)};
  if (token == "Bearer drop") return {scriptedResponse(200), {}, /*close_without_answer=*/true};
  return {scriptedResponse(500)};
}

std::string configYaml(uint16_t port, uint16_t auth_port, uint16_t dead_port) {
  const std::string url = cat("http://127.0.0.1:", auth_port, "/check?from=portico");
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
routes:
  - { name: guarded, match: { path_prefix: /guarded }, service: echo }
  - { name: lenient, match: { path_prefix: /lenient }, service: echo }
  - { name: nocache, match: { path_prefix: /nocache }, service: echo }
  - { name: dead, match: { path_prefix: /dead }, service: echo }
  - { name: dead-open, match: { path_prefix: /open-when-dead }, service: echo }
  - { name: open, match: { path_prefix: /open }, service: echo }
plugins:
  - name: ext-auth
    route: guarded
    config: { url: ")yaml", url, R"yaml(", identity_headers: [authorization], upstream_headers: [x-auth-subject, x-auth-tier], cache_ttl: 300s, timeout: 500ms }
  - name: ext-auth
    route: lenient
    config: { url: ")yaml", url, R"yaml(", identity_headers: [authorization], upstream_headers: [x-auth-subject], timeout: 500ms, fail: open }
  - name: ext-auth
    route: nocache
    config: { url: ")yaml", url, R"yaml(", upstream_headers: [x-auth-subject], timeout: 500ms }
  - name: ext-auth
    route: dead
    config: { url: "http://127.0.0.1:)yaml", dead_port, R"yaml(/check", timeout: 500ms }
  - name: ext-auth
    route: dead-open
    config: { url: "http://127.0.0.1:)yaml", dead_port, R"yaml(/check", timeout: 500ms, fail: open }
)yaml");
}

class ExtAuthTest : public GatewaySuite<ExtAuthTest> {
 protected:
  // The authorization service first: the config names its port. One worker (see the top).
  static void SetUpTestSuite() {
    auto auth = ScriptedHttpServer::start(authorize);
    if (!auth.ok()) {
      setup_error_ = auth.status().ToString();
      return;
    }
    auth_ = std::move(*auth);
    const uint16_t dead_port = pickFreePort();
    startGateway({.proxy = {.workers = 1}}, [dead_port](uint16_t port) { return configYaml(port, auth_->port(), dead_port); });
  }

  static void TearDownTestSuite() {
    GatewaySuite::TearDownTestSuite();
    if (auth_) auth_->stop();
    auth_.reset();
  }

  static EchoReply send(const std::string& target, http::HeaderList headers = {}) {
    return gateway().send("GET", target, std::move(headers));
  }
  static std::string header(const std::string& name) { return gateway().header(name); }

  static inline std::unique_ptr<ScriptedHttpServer> auth_;
};

TEST_F(ExtAuthTest, MissingIdentityIsRefusedWithoutCallingTheService) {
  const size_t before = auth_->requestCount();
  const EchoReply reply = send("/guarded/a");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(localErrorCode(reply.body), "unauthorized");
  EXPECT_EQ(auth_->requestCount(), before);
}

TEST_F(ExtAuthTest, AllowedAnswersGrantTheirHeadersAndAreCached) {
  const size_t before = auth_->requestCount();
  const EchoReply reply = send("/guarded/a?q=1", {{"authorization", "Bearer alice"}, {"x-auth-subject", "root"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(headerOf(reply, "x-auth-subject"), "alice") << "granted by the service, not the client's copy";
  EXPECT_EQ(headerOf(reply, "x-auth-tier"), "gold");
  EXPECT_EQ(headerOf(reply, "x-not-granted"), "<absent>") << "only upstream_headers are copied";
  EXPECT_EQ(headerOf(reply, "authorization"), "Bearer alice") << "the request itself is unchanged";
  ASSERT_EQ(auth_->requestCount(), before + 1);
  for (int i = 0; i < 5; ++i) {
    const EchoReply again = send("/guarded/b", {{"authorization", "Bearer alice"}});
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(headerOf(again, "x-auth-subject"), "alice");
  }
  EXPECT_EQ(auth_->requestCount(), before + 1) << "cached by identity for cache_ttl";
  EXPECT_EQ(send("/guarded/b", {{"authorization", "Bearer bob"}}).status, 200);
  EXPECT_EQ(headerOf(send("/guarded/b", {{"authorization", "Bearer bob"}}), "x-auth-subject"), "bob");
  EXPECT_EQ(auth_->requestCount(), before + 2) << "another identity, another call";
}

TEST_F(ExtAuthTest, TheServiceSeesTheRequestsHeadersAndWhatWasAsked) {
  const size_t before = auth_->requestCount();
  ASSERT_EQ(send("/nocache/items?x=1", {{"authorization", "Bearer bob"}, {"x-custom", "v"}}).status, 200);
  const auto requests = auth_->requests();
  ASSERT_EQ(requests.size(), before + 1);
  const ScriptedHttpServer::Request& check = requests.back();
  EXPECT_EQ(check.method(), boost::beast::http::verb::get);
  EXPECT_EQ(check.target(), "/check?from=portico");
  EXPECT_EQ(check["authorization"], "Bearer bob");
  EXPECT_EQ(check["x-custom"], "v");
  EXPECT_EQ(check["x-forwarded-method"], "GET");
  EXPECT_EQ(check["x-forwarded-uri"], "/nocache/items?x=1");
  EXPECT_EQ(check["x-forwarded-for"], "127.0.0.1");
  EXPECT_EQ(check.body(), "");
}

TEST_F(ExtAuthTest, WithoutCacheEveryRequestIsChecked) {
  const size_t before = auth_->requestCount();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send("/nocache/a", {{"authorization", "Bearer alice"}}).status, 200);
  EXPECT_EQ(auth_->requestCount(), before + 3);
}

TEST_F(ExtAuthTest, RefusalsKeepTheirStatusAndAreNotCached) {
  const size_t before = auth_->requestCount();
  EchoReply reply = send("/guarded/a", {{"authorization", "Bearer mallory"}});
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(localErrorCode(reply.body), "forbidden");
  EXPECT_EQ(reply.backend, "");
  reply = send("/guarded/a", {{"authorization", "Bearer mallory"}});
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(auth_->requestCount(), before + 2) << "refusals are asked again";
  reply = send("/guarded/a", {{"authorization", "Bearer expired"}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(header("www-authenticate"), "Bearer error=\"invalid_token\"") << "the service's challenge";
}

TEST_F(ExtAuthTest, FailuresFailClosedByDefault) {
  for (const char* token : {"Bearer boom", "Bearer slow", "Bearer drop"}) {
    const EchoReply reply = send("/guarded/a", {{"authorization", token}});
    EXPECT_EQ(reply.status, 503) << token;
    EXPECT_EQ(localErrorCode(reply.body), "authorizer_unavailable") << token << ": " << reply.body;
    EXPECT_EQ(reply.backend, "") << token;
  }
  EXPECT_NE(send("/guarded/a", {{"authorization", "Bearer slow"}}).body.find("timeout"), std::string::npos);
  EXPECT_EQ(send("/dead/a").status, 503) << "nothing listens on the service's port";
}

TEST_F(ExtAuthTest, FailOpenLetsRequestsThroughWithoutGrantedHeaders) {
  const EchoReply reply = send("/lenient/a", {{"authorization", "Bearer boom"}, {"x-auth-subject", "root"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(headerOf(reply, "x-auth-subject"), "<absent>") << "a client's copy is dropped even then";
  EXPECT_EQ(send("/open-when-dead/a").status, 200);
  EXPECT_EQ(send("/lenient/a", {{"authorization", "Bearer mallory"}}).status, 403) << "a refusal is still a refusal";
}

}  // namespace
}  // namespace portico::testing
