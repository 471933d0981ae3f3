// The health checker against real servers in this process: an echo backend whose health
// answer the test switches (tools/echo-backend), and a socket that accepts nothing (timeouts).
// Thresholds, expected statuses, timeouts, metrics, and reconciliation across updates.

#include "data-plane/upstream/health/health_checker.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>

#include <memory>
#include <thread>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/test_env.h"
#include "tools/echo-backend/echo_server.h"

namespace portico::dp::upstream::health {
namespace {

namespace asio = boost::asio;
using portico::testing::waitUntil;

constexpr absl::Duration kWait = absl::Seconds(10);

// An echo backend on its own thread.
class Backend {
 public:
  Backend() {
    tools::echo::EchoServer::Options options;
    options.name = "backend";
    server_ = std::move(*tools::echo::EchoServer::create(io_, options));
    server_->start();
    thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }
  ~Backend() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return server_->port(); }
  void setHealth(int status) {
    http::ClientRequest request;
    request.method = "PUT";
    request.target = "/__echo/health";
    request.body = cat("{\"status\":", status, "}");
    auto response = http::fetch("127.0.0.1", port(), request);
    ASSERT_TRUE(response.ok() && response->status == 200);
  }
  int64_t healthChecks() {
    http::ClientRequest request;
    request.target = "/__echo/stats";
    auto response = http::fetch("127.0.0.1", port(), request);
    if (!response.ok()) return -1;
    return boost::json::parse(response->body).at("health_checks").as_int64();
  }

 private:
  asio::io_context io_{1};
  std::unique_ptr<tools::echo::EchoServer> server_;
  std::thread thread_;
};

Endpoint endpointAt(uint16_t port) {
  Endpoint endpoint;
  endpoint.address = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
  endpoint.key = cat("127.0.0.1:", port);
  endpoint.state = std::make_shared<EndpointState>();
  return endpoint;
}

Cluster checkedCluster(std::vector<Endpoint> endpoints) {
  Cluster cluster;
  cluster.name = "checked";
  cluster.index = 0;
  cluster.endpoints = std::move(endpoints);
  HealthCheck& check = cluster.health_check.emplace();
  check.path = "/health";
  check.interval = absl::Milliseconds(20);
  check.timeout = absl::Milliseconds(300);
  check.unhealthy_threshold = 2;
  check.healthy_threshold = 2;
  return cluster;
}

double counterValue(prometheus::Registry& registry, const std::string& result) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "portico_proxy_health_checks_total") continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.name == "result" && label.value == result) return metric.counter.value;
      }
    }
  }
  return 0;
}

class HealthCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override { checker_.start(); }
  prometheus::Registry registry_;
  HealthChecker checker_{registry_, 7};
};

TEST_F(HealthCheckerTest, FailingChecksMakeTheEndpointUnhealthyAndPassesBringItBack) {
  Backend backend;
  Cluster cluster = checkedCluster({endpointAt(backend.port())});
  EndpointState& state = *cluster.endpoints[0].state;
  checker_.update({cluster});
  ASSERT_TRUE(waitUntil([&] { return counterValue(registry_, "success") >= 3; }, kWait));
  EXPECT_FALSE(state.health_check_failed) << "an endpoint that passes stays healthy";

  backend.setHealth(503);
  ASSERT_TRUE(waitUntil([&] { return state.health_check_failed.load(); }, kWait));
  auto targets = checker_.targets();
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_GE(targets[0].failures, 2u) << "unhealthy_threshold failures in a row";
  EXPECT_TRUE(targets[0].unhealthy);
  EXPECT_GE(counterValue(registry_, "failure"), 2);

  backend.setHealth(200);
  ASSERT_TRUE(waitUntil([&] { return !state.health_check_failed.load(); }, kWait));
  targets = checker_.targets();
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_GE(targets[0].passes, 2u) << "healthy_threshold passes in a row";
}

TEST_F(HealthCheckerTest, ExpectedStatusesDecide) {
  Backend backend;
  backend.setHealth(503);
  Cluster cluster = checkedCluster({endpointAt(backend.port())});
  cluster.health_check->expected_statuses = {{503, 504}};  // "503 is what healthy looks like"
  EndpointState& state = *cluster.endpoints[0].state;
  checker_.update({cluster});
  ASSERT_TRUE(waitUntil([&] { return counterValue(registry_, "success") >= 3; }, kWait));
  EXPECT_FALSE(state.health_check_failed);
  backend.setHealth(200);
  EXPECT_TRUE(waitUntil([&] { return state.health_check_failed.load(); }, kWait));
}

TEST_F(HealthCheckerTest, ASilentEndpointTimesOut) {
  // Listening but never accepting: connect completes (backlog), no answer ever comes.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Cluster cluster = checkedCluster({endpointAt(silent.local_endpoint().port())});
  cluster.health_check->timeout = absl::Milliseconds(50);
  EndpointState& state = *cluster.endpoints[0].state;
  checker_.update({cluster});
  ASSERT_TRUE(waitUntil([&] { return state.health_check_failed.load(); }, kWait));
  EXPECT_GE(counterValue(registry_, "timeout"), 2);
  EXPECT_EQ(counterValue(registry_, "success"), 0);
}

TEST_F(HealthCheckerTest, ARefusedConnectionIsAFailure) {
  uint16_t port = portico::testing::pickFreePort();  // nothing listens there
  Cluster cluster = checkedCluster({endpointAt(port)});
  checker_.update({cluster});
  ASSERT_TRUE(waitUntil([&] { return cluster.endpoints[0].state->health_check_failed.load(); }, kWait));
  EXPECT_GE(counterValue(registry_, "failure"), 2);
}

TEST_F(HealthCheckerTest, UpdatesKeepTargetsByStateAndStopThoseThatLeft) {
  Backend a;
  Backend b;
  Cluster cluster = checkedCluster({endpointAt(a.port()), endpointAt(b.port())});
  checker_.update({cluster});
  ASSERT_TRUE(waitUntil([&] { return a.healthChecks() >= 2 && b.healthChecks() >= 2; }, kWait));

  // b becomes unhealthy, then a new snapshot keeps a (same state object) and drops b.
  b.setHealth(500);
  std::shared_ptr<EndpointState> b_state = cluster.endpoints[1].state;
  ASSERT_TRUE(waitUntil([&] { return b_state->health_check_failed.load(); }, kWait));
  Cluster next = cluster;
  next.endpoints.pop_back();
  uint32_t passes_before = 0;
  for (const auto& target : checker_.targets()) passes_before = target.endpoint == next.endpoints[0].key ? target.passes : passes_before;
  checker_.update({next});
  ASSERT_TRUE(waitUntil([&] { return checker_.targets().size() == 1; }, kWait));
  EXPECT_FALSE(b_state->health_check_failed) << "an endpoint nobody checks is not held unhealthy";
  const auto targets = checker_.targets();
  EXPECT_EQ(targets[0].endpoint, next.endpoints[0].key);
  EXPECT_GE(targets[0].passes, passes_before) << "counters carry over: the same target";

  const int64_t b_checks = b.healthChecks();
  ASSERT_TRUE(waitUntil([&] { return a.healthChecks() >= 10; }, kWait));
  EXPECT_LE(b.healthChecks(), b_checks + 1) << "b is no longer checked (one check may have been in flight)";

  // A cluster without a health check stops every target.
  Cluster unchecked = next;
  unchecked.health_check.reset();
  checker_.update({unchecked});
  EXPECT_TRUE(waitUntil([&] { return checker_.targets().empty(); }, kWait));
}

TEST_F(HealthCheckerTest, AnEndpointThatReturnsWithItsStateResumesIt) {
  Backend backend;
  backend.setHealth(503);
  Cluster cluster = checkedCluster({endpointAt(backend.port())});
  cluster.endpoints[0].state->health_check_failed = true;  // known bad from before
  cluster.health_check->interval = absl::Seconds(30);       // no check during the test
  checker_.update({cluster});
  ASSERT_TRUE(waitUntil([&] { return checker_.targets().size() == 1; }, kWait));
  EXPECT_TRUE(checker_.targets()[0].unhealthy);
  EXPECT_TRUE(cluster.endpoints[0].state->health_check_failed);
}

}  // namespace
}  // namespace portico::dp::upstream::health
