// End to end: real portico-cp, portico-proxy and self-registering echo backends on loopback.
// Covers the walking skeleton's promises: registration → xDS → routing (round robin), removal
// and TTL expiry, control-plane loss and restart, listeners coming and going, NACK keeping the
// last good config, local replies, request ids and metrics.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

std::string configYaml(uint16_t port, const std::string& extra_listeners = "") {
  return cat("version: 1\n",
             "listeners:\n",
             "  - name: public\n",
             "    address: 127.0.0.1\n",
             "    port: ", port, "\n", extra_listeners,
             "routes:\n",
             "  - name: echo\n",
             "    match: { path_prefix: /echo }\n",
             "    service: echo\n",
             "  - name: slow\n",
             "    match: { path_prefix: /slow }\n",
             "    service: echo\n",
             "    timeout: 300ms\n",
             "  - name: ghost\n",
             "    match: { path_prefix: /ghost }\n",
             "    service: ghost\n",
             "  - name: dead\n",
             "    match: { path_prefix: /dead }\n",
             "    service: dead\n");
}

class WalkingSkeletonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_port_ = pickFreePort();
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = configYaml(listener_port_);
    auto cp = ControlPlaneProcess::start(cp_options);
    ASSERT_TRUE(cp.ok()) << cp.status();
    cp_ = std::move(*cp);
    for (const char* name : {"echo-1", "echo-2"}) {
      auto backend = EchoBackend::start({name, cat("127.0.0.1:", cp_->adminPort()), "echo", 2});
      ASSERT_TRUE(backend.ok()) << backend.status();
      backends_.push_back(std::move(*backend));
    }
    ASSERT_TRUE(waitUntil([&] { return registered("echo") == 2; }, absl::Seconds(10)));
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = cp_->xdsAddress();
    auto proxy = ProxyProcess::start(proxy_options);
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
    // Registrations reach the proxy after the control plane's debounce: wait until both do.
    ASSERT_TRUE(waitUntil([&] { return spread(4).size() == 2; }, absl::Seconds(10)));
  }

  void TearDown() override {
    if (HasFailure()) {
      if (proxy_) std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(8000) << "\n";
      if (cp_ && cp_->process().running()) std::cerr << "--- portico-cp log:\n" << cp_->process().logTail(8000) << "\n";
    }
  }

  int registered(const std::string& service) {
    auto response = cp_->get("/v1/services/" + service);
    if (!response.ok() || response->status != 200) return 0;
    return static_cast<int>(json::parse(response->body).at("instances").as_array().size());
  }

  absl::StatusOr<http::ClientResponse> get(const std::string& target, http::HeaderList headers = {},
                                           uint16_t port = 0) {
    http::ClientRequest request;
    request.target = target;
    request.headers = std::move(headers);
    return http::fetch("127.0.0.1", port ? port : listener_port_, request, absl::Seconds(5));
  }

  static std::string backendName(const http::ClientResponse& response) {
    if (response.status != 200) return "";
    auto parsed = json::parse(response.body);
    return std::string(parsed.at("name").as_string());
  }

  // Names of the backends that answered `n` requests on one keep-alive connection.
  std::map<std::string, int> spread(int n) {
    std::map<std::string, int> seen;
    auto connection = http::HttpConnection::connect("127.0.0.1", listener_port_);
    if (!connection.ok()) return seen;
    for (int i = 0; i < n; ++i) {
      http::ClientRequest request;
      request.target = "/echo/spread";
      auto response = (*connection)->send(request);
      if (!response.ok()) break;
      seen[response->status == 200 ? backendName(*response) : cat("status-", response->status)]++;
    }
    return seen;
  }

  uint16_t listener_port_ = 0;
  std::unique_ptr<ControlPlaneProcess> cp_;
  std::vector<std::unique_ptr<EchoBackend>> backends_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(WalkingSkeletonTest, RoundRobinReachesBothBackends) {
  ASSERT_TRUE(waitUntil([&] { return spread(4).size() == 2; }, absl::Seconds(10)));
  // One keep-alive connection stays on one worker, whose cursor alternates strictly.
  auto seen = spread(20);
  EXPECT_EQ(seen["echo-1"], 10);
  EXPECT_EQ(seen["echo-2"], 10);
}

TEST_F(WalkingSkeletonTest, DeregisteredBackendStopsReceivingTraffic) {
  ASSERT_TRUE(waitUntil([&] { return spread(4).size() == 2; }, absl::Seconds(10)));
  backends_[1]->stop();  // SIGTERM: deregisters itself
  EXPECT_TRUE(waitUntil([&] { return registered("echo") == 1; }, absl::Seconds(5)));
  EXPECT_TRUE(waitUntil(
      [&] {
        auto seen = spread(10);
        return seen.size() == 1 && seen["echo-1"] == 10;
      },
      absl::Seconds(10)));
}

TEST_F(WalkingSkeletonTest, BackendWhoseHeartbeatsStopExpires) {
  backends_[1]->process().signal(SIGKILL);  // no deregistration, no more heartbeats (ttl 2 s)
  EXPECT_TRUE(waitUntil([&] { return registered("echo") == 1; }, absl::Seconds(10)));
  EXPECT_TRUE(waitUntil(
      [&] {
        auto seen = spread(10);
        return seen.size() == 1 && seen["echo-1"] == 10;
      },
      absl::Seconds(10)));
}

TEST_F(WalkingSkeletonTest, ProxyKeepsServingWhileControlPlaneIsDown) {
  ASSERT_TRUE(waitUntil([&] { return spread(4).size() == 2; }, absl::Seconds(10)));
  cp_->stop();
  // Keep going well past several backoff rounds.
  for (int round = 0; round < 5; ++round) {
    auto seen = spread(10);
    EXPECT_EQ(seen["echo-1"] + seen["echo-2"], 10) << "round " << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_TRUE(proxy_->ready());
}

TEST_F(WalkingSkeletonTest, RestartedControlPlaneRelearnsBackendsAndProxyResyncs) {
  ASSERT_TRUE(waitUntil([&] { return spread(4).size() == 2; }, absl::Seconds(10)));
  ASSERT_TRUE(cp_->restart().ok());
  // In-memory store: registrations are gone until the next heartbeat gets 404 and the
  // backends register again.
  EXPECT_TRUE(waitUntil([&] { return registered("echo") == 2; }, absl::Seconds(10)));
  EXPECT_TRUE(waitUntil(
      [&] {
        auto proxies = cp_->get("/v1/proxies");
        if (!proxies.ok()) return false;
        auto list = json::parse(proxies->body).at("proxies").as_array();
        return list.size() == 1;
      },
      absl::Seconds(10)));
  // A new backend registered after the restart is routed to: the proxy is on the new stream.
  auto third = EchoBackend::start({"echo-3", cat("127.0.0.1:", cp_->adminPort()), "echo", 2});
  ASSERT_TRUE(third.ok()) << third.status();
  backends_.push_back(std::move(*third));
  EXPECT_TRUE(waitUntil([&] { return spread(6).size() == 3; }, absl::Seconds(10)));
}

TEST_F(WalkingSkeletonTest, KeepAliveConnectionSurvivesClusterAndRouteUpdates) {
  auto connection = http::HttpConnection::connect("127.0.0.1", listener_port_);
  ASSERT_TRUE(connection.ok());
  http::ClientRequest request;
  request.target = "/echo/keep";
  ASSERT_TRUE(waitUntil([&] { auto r = (*connection)->send(request); return r.ok() && r->status == 200; },
                        absl::Seconds(5)));
  // An endpoint update and a new service (which adds a default route) while the connection idles.
  auto third = EchoBackend::start({"echo-3", cat("127.0.0.1:", cp_->adminPort()), "echo", 2});
  ASSERT_TRUE(third.ok());
  auto other = EchoBackend::start({"other-1", cat("127.0.0.1:", cp_->adminPort()), "other", 2});
  ASSERT_TRUE(other.ok());
  backends_.push_back(std::move(*third));
  backends_.push_back(std::move(*other));
  ASSERT_TRUE(waitUntil(
      [&] {
        auto r = get("/other/x");
        return r.ok() && r->status == 200 && backendName(*r) == "other-1";
      },
      absl::Seconds(10)));
  for (int i = 0; i < 6; ++i) {
    auto response = (*connection)->send(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_TRUE((*connection)->open());
}

TEST_F(WalkingSkeletonTest, ListenersComeAndGoWithLds) {
  const uint16_t second = pickFreePort();
  cp_->reloadConfig(configYaml(listener_port_, cat("  - name: second\n    address: 127.0.0.1\n    port: ", second, "\n")));
  EXPECT_TRUE(waitUntil(
      [&] {
        auto r = get("/echo/second", {}, second);
        return r.ok() && r->status == 200;
      },
      absl::Seconds(10)));
  cp_->reloadConfig(configYaml(listener_port_));
  EXPECT_TRUE(waitUntil([&] { return !get("/echo/second", {}, second).ok(); }, absl::Seconds(10)));
  auto still = get("/echo/first");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, 200);
}

TEST_F(WalkingSkeletonTest, ListenerThatCannotBindIsNackedAndLastGoodKeepsServing) {
  // Hold a port (without SO_REUSEPORT) so the proxy cannot bind it.
  const uint16_t taken = pickFreePort();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(taken);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  cp_->reloadConfig(configYaml(listener_port_, cat("  - name: taken\n    address: 127.0.0.1\n    port: ", taken, "\n")));
  std::string nack;
  EXPECT_TRUE(waitUntil(
      [&] {
        auto proxies = cp_->get("/v1/proxies");
        if (!proxies.ok()) return false;
        auto list = json::parse(proxies->body).at("proxies").as_array();
        if (list.empty()) return false;
        auto lds = list[0].at("types").at("lds").as_object();
        if (!lds.contains("last_nack")) return false;
        nack = std::string(lds.at("last_nack").as_string());
        return true;
      },
      absl::Seconds(10)));
  EXPECT_NE(nack.find("cannot listen on 127.0.0.1:" + std::to_string(taken)), std::string::npos) << nack;
  auto response = get("/echo/still-good");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  auto metrics = cp_->get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("portico_cp_xds_nacks_total{type=\"lds\"} 1"), std::string::npos);
  ::close(fd);
}

TEST_F(WalkingSkeletonTest, LocalRepliesAreJsonWithTheRightStatus) {
  auto no_route = get("/nowhere");
  ASSERT_TRUE(no_route.ok());
  EXPECT_EQ(no_route->status, 404);
  EXPECT_EQ(json::parse(no_route->body).at("error").as_string(), "no_route");

  auto no_endpoint = get("/ghost/x");
  ASSERT_TRUE(no_endpoint.ok());
  EXPECT_EQ(no_endpoint->status, 503);
  EXPECT_EQ(json::parse(no_endpoint->body).at("error").as_string(), "no_healthy_upstream");

  const uint16_t closed = pickFreePort();  // nothing listens there
  ASSERT_TRUE(cp_->registerInstance("dead", "d1", "127.0.0.1", closed, 60));
  ASSERT_TRUE(waitUntil([&] { auto r = get("/dead/x"); return r.ok() && r->status == 502; }, absl::Seconds(10)));
  auto refused = get("/dead/x");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(json::parse(refused->body).at("error").as_string(), "upstream_connect_failed");

  auto slow = get("/slow/x", {{"x-echo-delay-ms", "3000"}});
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(slow->status, 504);
  EXPECT_EQ(json::parse(slow->body).at("error").as_string(), "upstream_timeout");
  ASSERT_NE(slow->header("x-request-id"), nullptr);
}

TEST_F(WalkingSkeletonTest, RequestIdIsKeptWhenValidAndGeneratedOtherwise) {
  auto kept = get("/echo/id", {{"X-Request-Id", "trace-abc.123"}});
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->status, 200);
  EXPECT_EQ(*kept->header("x-request-id"), "trace-abc.123");
  EXPECT_EQ(json::parse(kept->body).at("headers").at("x-request-id").as_string(), "trace-abc.123");

  auto replaced = get("/echo/id", {{"X-Request-Id", "bad id with spaces"}});
  ASSERT_TRUE(replaced.ok());
  const std::string generated = *replaced->header("x-request-id");
  EXPECT_EQ(generated.size(), 36u);
  EXPECT_EQ(generated[14], '4');  // UUID v4
  EXPECT_EQ(json::parse(replaced->body).at("headers").at("x-request-id").as_string(), generated);

  auto fresh = get("/echo/id");
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(*fresh->header("x-request-id"), generated);
}

TEST_F(WalkingSkeletonTest, SpoofedIdentityHeadersNeverReachTheUpstream) {
  auto response = get("/echo/who", {{"x-portico-consumer", "admin"}, {"X-User-Id", "root"}, {"x-keep", "yes"}});
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200);
  auto headers = json::parse(response->body).at("headers").as_object();
  EXPECT_FALSE(headers.contains("x-portico-consumer"));
  EXPECT_FALSE(headers.contains("x-user-id"));
  EXPECT_EQ(headers.at("x-keep").as_string(), "yes");
  EXPECT_EQ(headers.at("x-forwarded-for").as_string(), "127.0.0.1");
}

// The value of one series in a Prometheus text exposition (0 when absent).
double metricValue(const std::string& body, const std::string& series) {
  const size_t at = body.find(series + " ");
  return at == std::string::npos ? 0 : std::stod(body.substr(at + series.size() + 1));
}

TEST_F(WalkingSkeletonTest, MetricsCountRequestsByRouteServiceAndCode) {
  const std::string ok_series = "portico_proxy_requests_total{code=\"200\",route=\"echo\",service=\"echo\"}";
  const std::string count_series = "portico_proxy_request_duration_seconds_count{route=\"echo\",service=\"echo\"}";
  // SetUp already sent some requests, and a worker records a request's metrics just after
  // writing its response: wait (bounded) until two reads agree before taking the baseline.
  auto before = proxy_->admin("/metrics");
  ASSERT_TRUE(before.ok());
  for (int i = 0; i < 20; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    auto again = proxy_->admin("/metrics");
    ASSERT_TRUE(again.ok());
    const bool settled = metricValue(again->body, ok_series) == metricValue(before->body, ok_series);
    before = std::move(again);
    if (settled) break;
  }
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(get("/echo/m").ok());
  }
  ASSERT_TRUE(get("/nowhere").ok());
  // The same lag after the last response: read until the counts stop moving (bounded).
  auto metrics = proxy_->admin("/metrics");
  ASSERT_TRUE(metrics.ok());
  for (int i = 0; i < 20; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    auto again = proxy_->admin("/metrics");
    ASSERT_TRUE(again.ok());
    const bool settled = metricValue(again->body, ok_series) == metricValue(metrics->body, ok_series) &&
                         metricValue(again->body, count_series) == metricValue(metrics->body, count_series);
    metrics = std::move(again);
    if (settled) break;
  }
  EXPECT_EQ(metricValue(metrics->body, ok_series) - metricValue(before->body, ok_series), 5) << metrics->body;
  EXPECT_EQ(metricValue(metrics->body, count_series) - metricValue(before->body, count_series), 5);
  // A delta too: SetUp's wait for the route may itself have met a 404 before the route arrived.
  const std::string unrouted_series = "portico_proxy_requests_total{code=\"404\",route=\"\",service=\"\"}";
  EXPECT_EQ(metricValue(metrics->body, unrouted_series) - metricValue(before->body, unrouted_series), 1);
  auto cp_metrics = cp_->get("/metrics");
  ASSERT_TRUE(cp_metrics.ok());
  EXPECT_NE(cp_metrics->body.find("portico_cp_registered_instances{service=\"echo\"} 2"), std::string::npos);
  EXPECT_NE(cp_metrics->body.find("portico_cp_xds_connected_proxies 1"), std::string::npos);
  auto dump = proxy_->admin("/config_dump");
  ASSERT_TRUE(dump.ok());
  auto parsed = json::parse(dump->body);
  EXPECT_TRUE(parsed.at("xds_connected").as_bool());
  EXPECT_EQ(parsed.at("listeners").as_array().size(), 1u);
}

}  // namespace
}  // namespace portico::testing
