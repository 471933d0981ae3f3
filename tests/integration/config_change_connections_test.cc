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
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

std::string config(uint16_t port, bool with_extra_route) {
  std::string yaml = cat("version: 1\nlisteners:\n  - { name: public, address: 127.0.0.1, port: ", port,
                         " }\nroutes:\n  - { name: echo, match: { path_prefix: /echo }, service: echo }\n");
  if (with_extra_route) yaml += "  - { name: extra, match: { path_prefix: /extra }, service: echo }\n";
  return yaml;
}

class ConfigChangeConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = pickFreePort();
    ControlPlaneProcess::Options options;
    options.config_yaml = config(port_, false);
    auto cp = ControlPlaneProcess::start(options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    auto backend = EchoBackend::start({"e1", cat("127.0.0.1:", cp_->adminPort()), "echo", 10});
    ASSERT_TRUE(backend.ok()) << backend.status();
    backends_.push_back(std::move(*backend));
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = cp_->xdsAddress();
    proxy_options.workers = 1;  // one worker: every connection shares the snapshot swaps
    auto proxy = ProxyProcess::start(proxy_options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
    ASSERT_TRUE(waitUntil([&] { return status("/echo/up") == 200; }, absl::Seconds(20)));
  }

  void TearDown() override {
    if (HasFailure() && proxy_) std::cerr << "--- proxy log:\n" << proxy_->process().logTail(6000) << "\n";
    if (proxy_) proxy_->stop();
    for (auto& backend : backends_) backend->stop();
    if (cp_) cp_->stop();
  }

  int status(const std::string& target) {
    http::ClientRequest request;
    request.target = target;
    auto response = http::fetch("127.0.0.1", port_, request, absl::Seconds(5));
    return response.ok() ? response->status : 0;
  }

  uint16_t port_ = 0;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::vector<std::unique_ptr<EchoBackend>> backends_;
  std::unique_ptr<ProxyProcess> proxy_;
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

  cp_->reloadConfig(config(port_, true));
  ASSERT_TRUE(waitUntil([&] { return status("/extra/x") == 200; }, absl::Seconds(20)));

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

  auto second = EchoBackend::start({"e2", cat("127.0.0.1:", cp_->adminPort()), "echo", 10});
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
