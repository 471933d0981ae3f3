// The shared end-to-end fixture itself (tests/support/gateway_fixture.h), for what the suites
// built on it do not exercise: several proxies on one control plane. Two proxies of one group
// share the listener port (SO_REUSEPORT); a proxy of another group serves its own listener only.

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "common/strings.h"
#include "tests/support/echo_reply.h"
#include "tests/support/gateway_fixture.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

std::string oneListener(uint16_t port) {
  return cat("version: 1\nlisteners:\n  - { name: public, address: 127.0.0.1, port: ", port,
             " }\nroutes:\n  - { name: open, match: { path_prefix: /open }, service: echo }\n");
}

std::string twoGroups(uint16_t port_a, uint16_t port_b) {
  return cat("version: 1\nlisteners:\n", "  - { name: a, address: 127.0.0.1, port: ", port_a, " }\n",
             "  - { name: b, address: 127.0.0.1, port: ", port_b, " }\n",
             "groups:\n  - { name: a, listeners: [a] }\n  - { name: b, listeners: [b] }\n",
             "routes:\n  - { name: open, match: { path_prefix: /open }, service: echo }\n");
}

// How many of `n` GETs of /open/x on `port` the echo backend answered.
int servedOf(GatewayFixture& gateway, uint16_t port, int n) {
  int served = 0;
  for (int i = 0; i < n; ++i) {
    served += parseEchoReply(gateway.fetch({"GET", "/open/x", "", {}}, port)).backend == "echo-1";
  }
  return served;
}

class GatewayFixtureTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && gateway_ != nullptr) gateway_->printLogs(std::cerr);
  }
  std::unique_ptr<GatewayFixture> gateway_;
};

TEST_F(GatewayFixtureTest, ProxiesOfOneGroupShareTheListener) {
  gateway_ = std::make_unique<GatewayFixture>();
  const absl::Status started = gateway_->start(oneListener(gateway_->port()));
  ASSERT_TRUE(started.ok()) << started;
  auto second = gateway_->addProxy({});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(gateway_->proxyCount(), 2u);
  EXPECT_TRUE(waitUntil([&] { return listeningPorts((*second)->process().pid()).count(gateway_->port()) == 1; },
                        absl::Seconds(20)))
      << "the second proxy opens the same listener";
  EXPECT_EQ(listeningPorts(gateway_->proxy(0).process().pid()).count(gateway_->port()), 1u);
  EXPECT_EQ(servedOf(*gateway_, gateway_->port(), 20), 20);
  auto dump = gateway_->cp().get("/v1/proxies");
  ASSERT_TRUE(dump.ok()) << dump.status();
  EXPECT_NE(dump->body.find("proxy-1"), std::string::npos) << dump->body;
  EXPECT_NE(dump->body.find("proxy-2"), std::string::npos) << dump->body;
}

TEST_F(GatewayFixtureTest, AProxyOfAnotherGroupServesItsOwnListener) {
  const uint16_t port_b = pickFreePort();
  gateway_ = std::make_unique<GatewayFixture>(GatewayFixture::Options{.proxy = {.group = "a"}});
  const absl::Status started = gateway_->start(twoGroups(gateway_->port(), port_b));
  ASSERT_TRUE(started.ok()) << started;
  auto proxy_b = gateway_->addProxy({.node_id = "b-1", .group = "b", .workers = 1});
  ASSERT_TRUE(proxy_b.ok()) << proxy_b.status();
  const absl::Status serving = gateway_->waitUntilServing(port_b);
  ASSERT_TRUE(serving.ok()) << serving;
  EXPECT_EQ(servedOf(*gateway_, port_b, 10), 10);
  EXPECT_EQ(servedOf(*gateway_, gateway_->port(), 10), 10);
  EXPECT_EQ(listeningPorts((*proxy_b)->process().pid()).count(gateway_->port()), 0u);
  EXPECT_EQ(listeningPorts(gateway_->proxy(0).process().pid()).count(port_b), 0u);
}

}  // namespace
}  // namespace portico::testing
