// Config changes never drop requests in flight or idle client connections (issue 4, connections):
// a kept-alive client connection opened before a config push keeps working after it (and sees
// the new routes), a request in flight across the push completes, and an endpoint change does
// not disturb either.

#include <gtest/gtest.h>

#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/echo_gateway.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

class ConfigChangeConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One worker: every connection shares the snapshot swaps.
    auto gateway = EchoGateway::start({.backend_name = "e1", .workers = 1});
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    port_ = gateway_->port();
  }

  void TearDown() override {
    if (HasFailure() && gateway_) std::cerr << "--- proxy log:\n" << gateway_->proxy().process().logTail(6000) << "\n";
    for (auto& backend : backends_) backend->stop();
    if (gateway_) gateway_->stop();
  }

  uint16_t port_ = 0;
  std::unique_ptr<EchoGateway> gateway_;
  std::vector<std::unique_ptr<EchoBackend>> backends_;  // started by a test
};

TEST_F(ConfigChangeConnectionsTest, RoutePushKeepsIdleAndInFlightConnections) {
  auto idle = http::HttpConnection::connect("127.0.0.1", port_);
  ASSERT_TRUE(idle.ok());
  ASSERT_EQ((*idle)->send(http::ClientRequest{"GET", "/echo/before", "", {}})->status, 200);
  ASSERT_EQ((*idle)->send(http::ClientRequest{"GET", "/extra/before", "", {}})->status, 404);

  auto in_flight = std::async(std::launch::async, [&] {
    http::ClientRequest request;
    request.target = "/echo/slow";
    request.headers = {{"x-echo-delay-ms", "1500"}};
    auto response = http::fetch("127.0.0.1", port_, request, absl::Seconds(30));
    return response.ok() ? response->status : 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  ASSERT_TRUE(gateway_->addExtraRoute());

  EXPECT_EQ(in_flight.get(), 200);
  // The connection opened before the push is still served, with the new routes.
  auto after = (*idle)->send(http::ClientRequest{"GET", "/extra/after", "", {}});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ((*idle)->send(http::ClientRequest{"GET", "/echo/after", "", {}})->status, 200);
}

TEST_F(ConfigChangeConnectionsTest, EndpointChangeKeepsIdleConnections) {
  auto idle = http::HttpConnection::connect("127.0.0.1", port_);
  ASSERT_TRUE(idle.ok());
  ASSERT_EQ((*idle)->send(http::ClientRequest{"GET", "/echo/1", "", {}})->status, 200);

  auto second = EchoBackend::start({"e2", cat("127.0.0.1:", gateway_->cp().adminPort()), "echo", 10});
  ASSERT_TRUE(second.ok()) << second.status();
  backends_.push_back(std::move(*second));
  // Both endpoints in use through the connection opened before the EDS push.
  bool saw_second = waitUntil(
      [&] {
        auto response = (*idle)->send(http::ClientRequest{"GET", "/echo/which", "", {}});
        if (!response.ok() || response->status != 200) return false;
        const std::string* name = response->header("x-echo-name");
        return name != nullptr && *name == "e2";
      },
      absl::Seconds(20), absl::Milliseconds(20));
  EXPECT_TRUE(saw_second);
  EXPECT_TRUE((*idle)->open());
}

}  // namespace
}  // namespace portico::testing
