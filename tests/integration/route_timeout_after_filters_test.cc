// The route timeout bounds the upstream exchange, not the filters before it (Envoy starts its
// route timer when the router filter has the request, after ext_authz). ext-auth's service
// answers after 800 ms (its own timeout is 3 s); the route's service has a 400 ms timeout and
// answers in 100 ms, so the request must succeed.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/scripted_http_server.h"

namespace portico::testing {
namespace {

ScriptedHttpServer::Answer slowAllow(const ScriptedHttpServer::Request&) {
  return {scriptedResponse(200), std::chrono::milliseconds(800)};
}
ScriptedHttpServer::Answer fast(const ScriptedHttpServer::Request&) {
  return {scriptedResponse(200, "fast"), std::chrono::milliseconds(100)};
}

std::string configYaml(uint16_t port, uint16_t auth_port, uint16_t up_port) {
  return cat(R"yaml(version: 1
listeners:
  - { name: public, address: 127.0.0.1, port: )yaml", port, R"yaml( }
services:
  - name: quick
    timeout: 400ms
    endpoints: [{ address: 127.0.0.1, port: )yaml", up_port, R"yaml( }]
routes:
  - { name: guarded, match: { path_prefix: /guarded }, service: quick }
  - { name: plain, match: { path_prefix: /plain }, service: quick }
  - { name: open, match: { path_prefix: /open }, service: echo }
plugins:
  - name: ext-auth
    route: guarded
    config: { url: "http://127.0.0.1:)yaml", auth_port, R"yaml(/check", timeout: 3s }
)yaml");
}

class RouteTimeoutAfterFiltersTest : public GatewaySuite<RouteTimeoutAfterFiltersTest> {
 protected:
  static void SetUpTestSuite() {
    auto auth = ScriptedHttpServer::start(slowAllow);
    auto up = ScriptedHttpServer::start(fast);
    if (!auth.ok() || !up.ok()) {
      setup_error_ = "scripted servers";
      return;
    }
    auth_ = std::move(*auth);
    up_ = std::move(*up);
    startGateway({.proxy = {.workers = 1}},
                 [](uint16_t port) { return configYaml(port, auth_->port(), up_->port()); });
  }
  static void TearDownTestSuite() {
    GatewaySuite::TearDownTestSuite();
    if (auth_) auth_->stop();
    if (up_) up_->stop();
  }
  static inline std::unique_ptr<ScriptedHttpServer> auth_;
  static inline std::unique_ptr<ScriptedHttpServer> up_;
};

TEST_F(RouteTimeoutAfterFiltersTest, PlainRouteAnswers) {
  const EchoReply reply = gateway().send("GET", "/plain/a");
  EXPECT_EQ(reply.status, 200) << reply.body;
}

TEST_F(RouteTimeoutAfterFiltersTest, SlowAuthorizationDoesNotEatTheRouteTimeout) {
  const size_t before = up_->requestCount();
  const EchoReply reply = gateway().send("GET", "/guarded/a", {{"authorization", "Bearer x"}});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(up_->requestCount(), before + 1) << "the upstream was never asked";
}

}  // namespace
}  // namespace portico::testing
