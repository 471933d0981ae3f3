// End to end: load balancing and active health checking through real processes. portico-cp
// serves a portico.yaml whose services list static endpoints (echo backends started first, on
// ports picked at run time); portico-proxy runs 2 workers. Every wait is a bounded poll; no
// test asserts how long anything took.
//
// - weighted round robin and random: 3:1 weights give a 3:1 split over many requests;
// - ring hash on a header / Maglev on a cookie: each user sticks to one backend, users spread;
//   ring hash on the client IP: every connection from 127.0.0.1 reaches the same backend;
// - least_request: a backend holding requests in flight gets the smaller share;
// - zone awareness: the proxy runs with --zone zone-a; a zone_aware cluster with healthy
//   endpoints in zone-a and zone-b sends everything to zone-a, the same endpoints without
//   zone_aware get both zones;
// - health checks: a backend whose /health answers 503 stops getting traffic and gets it back
//   when it answers 200 again; /clusters shows it; the backend counts the checks it receives,
//   which arrive at one per interval (one checker per proxy, not one per worker); a 204 is
//   healthy only where expected_statuses lists it; a check slower than its timeout fails;
// - panic mode: with every endpoint failing its checks, requests are balanced over all of them
//   (and counted), unless panic_threshold is 0%, where they get 503 no_healthy_upstream.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

constexpr double kCheckIntervalSeconds = 0.2;  // health_check.interval below

const char* const kBackends[] = {"a",  "b",  "c",  "slow", "fast", "h1", "h2", "p1",
                                 "p2", "z4", "z5", "z6",   "e1",   "e2", "t1", "t2"};

std::string endpoint(uint16_t port, uint32_t weight = 1) {
  return cat("{ address: 127.0.0.1, port: ", port, ", weight: ", weight, " }");
}

std::string zonedEndpoint(uint16_t port, const std::string& zone) {
  return cat("{ address: 127.0.0.1, port: ", port, ", zone: ", zone, " }");
}

class LoadBalancingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_error_ = startAll(); }

  static void TearDownTestSuite() {
    if (proxy_) proxy_->stop();
    if (cp_) cp_->stop();
    for (auto& [name, backend] : backends_) backend->stop();
    proxy_.reset();
    cp_.reset();
    backends_.clear();
  }

  void SetUp() override { ASSERT_EQ(setup_error_, "") << "suite set-up failed"; }

  void TearDown() override {
    if (HasFailure() && proxy_) {
      std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(6000) << "\n";
      auto clusters = proxy_->admin("/clusters");
      if (clusters.ok()) std::cerr << "--- /clusters:\n" << clusters->body << "\n";
    }
  }

  static uint16_t port(const std::string& name) { return backends_.at(name)->port(); }

  static std::string configYaml() {
    const std::string check =
        "{ path: /health, interval: 200ms, timeout: 100ms, healthy: 2, unhealthy: 2 }";
    return cat(
        "version: 1\nlisteners:\n  - { name: public, address: 127.0.0.1, port: ", listener_port_,
        " }\n", "services:\n", "  - { name: weighted, endpoints: [", endpoint(port("a"), 3), ", ",
        endpoint(port("b"), 1), "] }\n",
        "  - { name: sticky, lb: ring_hash, hash_on: { header: x-session-id }, endpoints: [",
        endpoint(port("a")), ", ", endpoint(port("b")), ", ", endpoint(port("c")), "] }\n",
        "  - { name: cookie, lb: maglev, hash_on: { cookie: session }, endpoints: [",
        endpoint(port("a")), ", ", endpoint(port("b")), ", ", endpoint(port("c")), "] }\n",
        "  - { name: least, lb: least_request, endpoints: [", endpoint(port("slow")), ", ",
        endpoint(port("fast")), "] }\n", "  - { name: checked, health_check: ", check,
        ", endpoints: [", endpoint(port("h1")), ", ", endpoint(port("h2")), "] }\n",
        "  - { name: panicky, health_check: ", check, ", endpoints: [", endpoint(port("p1")), ", ",
        endpoint(port("p2")), "] }\n",
        "  - { name: strict, panic_threshold: 0%, health_check: ", check, ", endpoints: [",
        endpoint(port("p1")), ", ", endpoint(port("p2")), "] }\n",
        "  - { name: rand, lb: random, endpoints: [", endpoint(port("a"), 3), ", ",
        endpoint(port("b"), 1), "] }\n",
        "  - { name: by-ip, lb: ring_hash, hash_on: { client_ip: true }, endpoints: [",
        endpoint(port("a")), ", ", endpoint(port("b")), ", ", endpoint(port("c")), "] }\n",
        "  - { name: zoned, zone_aware: true, endpoints: [", zonedEndpoints(), "] }\n",
        "  - { name: unzoned, endpoints: [", zonedEndpoints(), "] }\n",
        // e1's /health answers 204 (set in startAll): healthy only where 204 is expected.
        "  - { name: accept204, panic_threshold: 0%, health_check: ", checkExpecting("[200, 204]"),
        ", endpoints: [", endpoint(port("e1")), ", ", endpoint(port("e2")), "] }\n",
        "  - { name: only200, panic_threshold: 0%, health_check: ", checkExpecting("[200]"),
        ", endpoints: [", endpoint(port("e1")), ", ", endpoint(port("e2")), "] }\n",
        // /probe is a plain echo (200), slowed beyond the timeout by PUT /__echo/delay.
        "  - { name: timed, panic_threshold: 0%, health_check: ", probeCheck(), ", endpoints: [",
        endpoint(port("t1")), ", ", endpoint(port("t2")), "] }\n", "routes:\n",
        "  - { name: weighted, match: { path_prefix: /weighted }, service: weighted }\n",
        "  - { name: sticky, match: { path_prefix: /sticky }, service: sticky }\n",
        "  - { name: cookie, match: { path_prefix: /cookie }, service: cookie }\n",
        "  - { name: least, match: { path_prefix: /least }, service: least }\n",
        "  - { name: checked, match: { path_prefix: /checked }, service: checked }\n",
        "  - { name: panicky, match: { path_prefix: /panicky }, service: panicky }\n",
        "  - { name: strict, match: { path_prefix: /strict }, service: strict }\n",
        "  - { name: rand, match: { path_prefix: /rand }, service: rand }\n",
        "  - { name: by-ip, match: { path_prefix: /by-ip }, service: by-ip }\n",
        "  - { name: zoned, match: { path_prefix: /zoned }, service: zoned }\n",
        "  - { name: unzoned, match: { path_prefix: /unzoned }, service: unzoned }\n",
        "  - { name: accept204, match: { path_prefix: /accept204 }, service: accept204 }\n",
        "  - { name: only200, match: { path_prefix: /only200 }, service: only200 }\n",
        "  - { name: timed, match: { path_prefix: /timed }, service: timed }\n");
  }

  // a, b, c in the proxy's zone; z4, z5, z6 in another (6 endpoints: zone_min_cluster_size).
  static std::string zonedEndpoints() {
    return cat(zonedEndpoint(port("a"), "zone-a"), ", ", zonedEndpoint(port("b"), "zone-a"), ", ",
               zonedEndpoint(port("c"), "zone-a"), ", ", zonedEndpoint(port("z4"), "zone-b"), ", ",
               zonedEndpoint(port("z5"), "zone-b"), ", ", zonedEndpoint(port("z6"), "zone-b"));
  }
  static std::string checkExpecting(const std::string& statuses) {
    return cat(
        "{ path: /health, interval: 200ms, timeout: 100ms, healthy: 2, unhealthy: 2, "
        "expected_statuses: ",
        statuses, " }");
  }
  static std::string probeCheck() {
    return "{ path: /probe, interval: 200ms, timeout: 100ms, healthy: 2, unhealthy: 2 }";
  }

  static std::string startAll() {
    for (const char* name : kBackends) {
      auto backend = EchoBackend::start({name});
      if (!backend.ok()) return cat("echo-backend ", name, ": ", backend.status().ToString());
      backends_[name] = std::move(*backend);
    }
    // p1 and p2 fail their health checks from the start (panic mode tests).
    if (!setHealth("p1", 503) || !setHealth("p2", 503)) return "cannot set p1/p2 health";
    if (!setHealth("e1", 204)) return "cannot set e1 health";
    listener_port_ = pickFreePort();
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml = configYaml();
    auto cp = ControlPlaneProcess::start(cp_options);
    if (!cp.ok()) return cat("portico-cp: ", cp.status().ToString());
    cp_ = std::move(*cp);
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = cp_->xdsAddress();
    proxy_options.workers = 2;
    proxy_options.extra_args = {"--zone=zone-a"};
    auto proxy = ProxyProcess::start(proxy_options);
    if (!proxy.ok()) return cat("portico-proxy: ", proxy.status().ToString());
    proxy_ = std::move(*proxy);
    const bool routed = waitUntil([] { return send("/weighted").status == 200; }, absl::Seconds(30),
                                  absl::Milliseconds(100));
    if (!routed)
      return cat("/weighted never answered 200; proxy log:\n", proxy_->process().logTail());
    return "";
  }

  struct Answer {
    int status = 0;
    std::string backend;  // x-echo-name; "" for local replies
    std::string body;
  };

  // One request on a fresh connection (so requests spread over both workers).
  static Answer send(const std::string& target, http::HeaderList headers = {}) {
    http::ClientRequest request;
    request.target = target;
    request.headers = std::move(headers);
    auto response = http::fetch("127.0.0.1", listener_port_, request, absl::Seconds(10));
    Answer out;
    if (!response.ok()) return out;
    out.status = response->status;
    out.body = response->body;
    if (const std::string* name = response->header("x-echo-name")) out.backend = *name;
    return out;
  }

  static std::map<std::string, int> countBackends(const std::string& target, int requests,
                                                  http::HeaderList headers = {}) {
    std::map<std::string, int> counts;
    for (int i = 0; i < requests; ++i) ++counts[send(target, headers).backend];
    return counts;
  }

  static bool putJson(const std::string& backend, const std::string& target,
                      const std::string& body) {
    http::ClientRequest request;
    request.method = "PUT";
    request.target = target;
    request.body = body;
    auto response = http::fetch("127.0.0.1", port(backend), request, absl::Seconds(5));
    return response.ok() && response->status == 200;
  }
  static bool setHealth(const std::string& backend, int status) {
    return putJson(backend, "/__echo/health", cat("{\"status\":", status, "}"));
  }

  static json::object stats(const std::string& backend) {
    http::ClientRequest request;
    request.target = "/__echo/stats";
    auto response = http::fetch("127.0.0.1", port(backend), request, absl::Seconds(5));
    if (!response.ok()) return {};
    return json::parse(response->body).as_object();
  }

  // The endpoints of `cluster` in the proxy's /clusters, keyed by "ip:port".
  static std::map<std::string, json::object> endpointsOf(const std::string& cluster) {
    std::map<std::string, json::object> out;
    auto response = proxy_->admin("/clusters");
    if (!response.ok()) return out;
    const json::value body = json::parse(response->body);  // outlives the loop
    for (const json::value& entry : body.at("clusters").as_array()) {
      if (entry.at("name").as_string() != cluster) continue;
      for (const json::value& e : entry.at("endpoints").as_array()) {
        out[std::string(e.at("address").as_string())] = e.as_object();
      }
    }
    return out;
  }
  static bool healthyInProxy(const std::string& cluster, const std::string& backend) {
    auto endpoints = endpointsOf(cluster);
    auto it = endpoints.find(cat("127.0.0.1:", port(backend)));
    return it != endpoints.end() && it->second.at("healthy").as_bool();
  }

  // The value of one series in the proxy's /metrics (0 when absent).
  static double metric(const std::string& series) {
    auto response = proxy_->admin("/metrics");
    if (!response.ok()) return -1;
    const std::string& text = response->body;
    const size_t at = text.find(series + " ");
    if (at == std::string::npos) return 0;
    const size_t end = text.find('\n', at);
    double value = 0;
    if (!absl::SimpleAtod(text.substr(at + series.size() + 1, end - at - series.size() - 1),
                          &value))
      return -1;
    return value;
  }

  static inline uint16_t listener_port_ = 0;
  static inline std::map<std::string, std::unique_ptr<EchoBackend>> backends_;
  static inline std::unique_ptr<ControlPlaneProcess> cp_;
  static inline std::unique_ptr<ProxyProcess> proxy_;
  static inline std::string setup_error_;
};

TEST_F(LoadBalancingTest, WeightsAreHonoured) {
  const std::map<std::string, int> counts = countBackends("/weighted", 400);
  std::cout << "weighted 3:1 over 400 requests: a=" << (counts.count("a") ? counts.at("a") : 0)
            << " b=" << (counts.count("b") ? counts.at("b") : 0) << "\n";
  ASSERT_EQ(counts.size(), 2u) << "only a and b, no failures";
  EXPECT_NEAR(counts.at("a") / 400.0, 0.75, 0.05);
}

// Statistical: 600 random picks at p = 0.75 have a standard deviation of 1.8 points; ±7 points
// is about 4 sigma.
TEST_F(LoadBalancingTest, RandomHonoursWeights) {
  const std::map<std::string, int> counts = countBackends("/rand", 600);
  ASSERT_EQ(counts.size(), 2u) << "only a and b, no failures";
  std::cout << "random 3:1 over 600 requests: a=" << counts.at("a") << " b=" << counts.at("b")
            << "\n";
  EXPECT_NEAR(counts.at("a") / 600.0, 0.75, 0.07);
}

TEST_F(LoadBalancingTest, RingHashOnAHeaderIsStickyAndSpreadsUsers) {
  std::map<std::string, int> users_per_backend;
  for (int user = 0; user < 30; ++user) {
    const http::HeaderList headers = {{"x-session-id", cat("user-", user)}};
    const std::map<std::string, int> counts = countBackends("/sticky", 4, headers);
    ASSERT_EQ(counts.size(), 1u) << "user-" << user << " moved between backends";
    ++users_per_backend[counts.begin()->first];
  }
  std::cout << "ring hash, 30 users:";
  for (const auto& [backend, users] : users_per_backend)
    std::cout << " " << backend << "=" << users;
  std::cout << "\n";
  EXPECT_EQ(users_per_backend.size(), 3u) << "30 users over 3 backends: each gets some";
  EXPECT_EQ(users_per_backend.count(""), 0u);
}

TEST_F(LoadBalancingTest, MaglevOnACookieIsSticky) {
  std::map<std::string, int> users_per_backend;
  for (int user = 0; user < 30; ++user) {
    const http::HeaderList headers = {{"cookie", cat("theme=dark; session=s", user)}};
    const std::map<std::string, int> counts = countBackends("/cookie", 3, headers);
    ASSERT_EQ(counts.size(), 1u) << "session s" << user << " moved between backends";
    ++users_per_backend[counts.begin()->first];
  }
  EXPECT_EQ(users_per_backend.size(), 3u);
  // Without the cookie: a random pick, still answered.
  EXPECT_EQ(send("/cookie").status, 200);
}

// Every request comes from 127.0.0.1 (each on a new connection, so from a new port): hashing the
// client IP keeps them all on one backend, where round robin would use all three.
TEST_F(LoadBalancingTest, RingHashOnTheClientIpIsSticky) {
  const std::map<std::string, int> counts = countBackends("/by-ip", 30);
  ASSERT_EQ(counts.size(), 1u) << "the client moved between backends";
  EXPECT_NE(counts.begin()->first, "") << "answered by a backend";
}

TEST_F(LoadBalancingTest, ZoneAwareClusterStaysInTheProxysZone) {
  const std::map<std::string, int> zoned = countBackends("/zoned", 60);
  for (const auto& [backend, count] : zoned) {
    EXPECT_TRUE(backend == "a" || backend == "b" || backend == "c")
        << backend << " is not in zone-a";
  }
  EXPECT_EQ(zoned.size(), 3u) << "every local endpoint takes a share";
  // The same endpoints without zone_aware: both zones.
  const std::map<std::string, int> unzoned = countBackends("/unzoned", 60);
  EXPECT_EQ(unzoned.size(), 6u);
  EXPECT_EQ(unzoned.count(""), 0u);
}

// Power of two choices over {slow, fast}: while slow holds requests in flight and fast holds
// none, slow is picked only when both draws are slow (1 in 4), where round robin would give it
// half. The requests in flight are pinned (held 3 s by slow alone, x-echo-only), so the share
// depends on the counts, not on how fast this machine is. Statistical: 200 picks at p = 0.25
// have a standard deviation of 3 points; the bound of 40% is 5 sigma away.
TEST_F(LoadBalancingTest, LeastRequestAvoidsTheBusyEndpoint) {
  const http::HeaderList hold = {{"x-echo-delay-ms", "3000"}, {"x-echo-only", "slow"}};
  std::vector<std::thread> holders;
  for (int h = 0; h < 3; ++h) {
    holders.emplace_back([&hold] {
      // A hold that lands on fast is answered at once: send again until slow holds one.
      for (int tries = 0; tries < 50 && send("/least", hold).backend != "slow"; ++tries) {
      }
    });
  }
  const bool busy = waitUntil(
      [] {
        const auto endpoints = endpointsOf("least");
        const auto it = endpoints.find(cat("127.0.0.1:", port("slow")));
        return it != endpoints.end() && it->second.at("active_requests").as_int64() >= 2;
      },
      absl::Seconds(2), absl::Milliseconds(5));
  std::map<std::string, int> counts;
  if (busy) counts = countBackends("/least", 200);
  for (std::thread& holder : holders) holder.join();
  ASSERT_TRUE(busy) << "slow never held two requests";
  std::cout << "least_request, slow holding requests, 200 picks: slow=" << counts["slow"]
            << " fast=" << counts["fast"] << "\n";
  EXPECT_EQ(counts[""], 0) << "every request answered";
  EXPECT_LT(counts["slow"] / 200.0, 0.40) << "round robin would give the slow backend half";
  EXPECT_GT(counts["slow"], 0)
      << "both draws slow: still picked sometimes (power of two, not least)";
}

TEST_F(LoadBalancingTest, FailingHealthChecksStopTrafficUntilRecovery) {
  const std::map<std::string, int> before = countBackends("/checked", 20);
  ASSERT_GT(before.count("h1") ? before.at("h1") : 0, 0) << "both serve at first";
  ASSERT_GT(before.count("h2") ? before.at("h2") : 0, 0);

  ASSERT_TRUE(setHealth("h1", 503));
  // Within a bounded time every request goes to h2 (unhealthy after 2 failed checks).
  const bool drained = waitUntil(
      [] {
        const std::map<std::string, int> counts = countBackends("/checked", 10);
        return counts.size() == 1 && counts.count("h2") == 1;
      },
      absl::Seconds(20), absl::Milliseconds(50));
  ASSERT_TRUE(drained) << "h1 kept getting traffic";
  EXPECT_FALSE(healthyInProxy("checked", "h1"));
  EXPECT_TRUE(healthyInProxy("checked", "h2"));
  const std::map<std::string, int> after = countBackends("/checked", 30);
  EXPECT_EQ(after.count("h1"), 0u) << "no request reaches the unhealthy backend";
  EXPECT_GT(metric("portico_proxy_health_checks_total{cluster=\"checked\",result=\"failure\"}"), 1);

  ASSERT_TRUE(setHealth("h1", 200));
  EXPECT_TRUE(waitUntil([] { return countBackends("/checked", 10).count("h1") == 1; },
                        absl::Seconds(20), absl::Milliseconds(50)))
      << "h1 never got traffic back";
  EXPECT_TRUE(healthyInProxy("checked", "h1"));
}

TEST_F(LoadBalancingTest, ExpectedStatusesDecideWhatIsHealthy) {
  // e1's /health answers 204: a failure where only 200 is expected (the default is any 2xx/3xx).
  ASSERT_TRUE(waitUntil([] { return !healthyInProxy("only200", "e1"); }, absl::Seconds(20)));
  EXPECT_TRUE(healthyInProxy("only200", "e2"));
  const std::map<std::string, int> only200 = countBackends("/only200", 20);
  EXPECT_EQ(only200.count("e1"), 0u);
  EXPECT_EQ(only200.count("e2"), 1u);
  // The same backend, checked by a cluster that lists 204, is healthy and gets traffic.
  EXPECT_TRUE(healthyInProxy("accept204", "e1"));
  EXPECT_GT(metric("portico_proxy_health_checks_total{cluster=\"accept204\",result=\"success\"}"),
            0);
  EXPECT_TRUE(waitUntil([] { return countBackends("/accept204", 10).count("e1") == 1; },
                        absl::Seconds(10), absl::Milliseconds(50)));
}

TEST_F(LoadBalancingTest, ACheckSlowerThanItsTimeoutFails) {
  ASSERT_TRUE(
      waitUntil([] { return healthyInProxy("timed", "t1") && healthyInProxy("timed", "t2"); },
                absl::Seconds(20)))
      << "/probe (a plain 200) passes";
  ASSERT_TRUE(putJson("t1", "/__echo/delay", "{\"ms\":400}"));  // timeout: 100ms
  const bool failed = waitUntil([] { return !healthyInProxy("timed", "t1"); }, absl::Seconds(20));
  ASSERT_TRUE(putJson("t1", "/__echo/delay", "{\"ms\":0}"));
  ASSERT_TRUE(failed) << "t1 stayed healthy although every check timed out";
  EXPECT_TRUE(healthyInProxy("timed", "t2"));
  EXPECT_GE(metric("portico_proxy_health_checks_total{cluster=\"timed\",result=\"timeout\"}"), 2);
  EXPECT_TRUE(waitUntil([] { return healthyInProxy("timed", "t1"); }, absl::Seconds(20)))
      << "t1 recovers";
}

TEST_F(LoadBalancingTest, OneCheckerPerProxyNotPerWorker) {
  // h2 is checked by the "checked" cluster only, every 200 ms. Count what it receives over a
  // window the test measures itself: about window / interval checks with one checker, twice
  // that if each of the 2 workers checked.
  const auto start = std::chrono::steady_clock::now();
  const int64_t first = stats("h2").at("health_checks").as_int64();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const json::object last_stats = stats("h2");
  const double window =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t checks = last_stats.at("health_checks").as_int64() - first;
  const double expected = window / kCheckIntervalSeconds;
  std::cout << "health checks received by h2 over " << window << " s: " << checks
            << " (one checker: ~" << expected << ", one per worker: ~" << 2 * expected << ")\n";
  EXPECT_LE(checks, 1.4 * expected + 1) << "more than one checker is checking";
  EXPECT_GE(checks, 0.3 * expected) << "checks are not happening at the interval";
  const json::object& agents = last_stats.at("health_checks_by_user_agent").as_object();
  EXPECT_EQ(agents.size(), 1u);
  EXPECT_TRUE(agents.contains("portico-health-check"));
}

TEST_F(LoadBalancingTest, PanicModeWhenAllEndpointsAreUnhealthy) {
  ASSERT_TRUE(
      waitUntil([] { return !healthyInProxy("panicky", "p1") && !healthyInProxy("panicky", "p2"); },
                absl::Seconds(20)));
  const double panics_before = metric("portico_proxy_lb_panic_total{cluster=\"panicky\"}");
  const std::map<std::string, int> counts = countBackends("/panicky", 20);
  EXPECT_EQ(counts.count(""), 0u) << "panic mode serves every request";
  EXPECT_EQ(counts.size(), 2u) << "over all endpoints";
  EXPECT_GE(metric("portico_proxy_lb_panic_total{cluster=\"panicky\"}") - panics_before, 20);

  // panic_threshold: 0% disables panic mode: no healthy endpoint, no traffic.
  ASSERT_TRUE(
      waitUntil([] { return !healthyInProxy("strict", "p1") && !healthyInProxy("strict", "p2"); },
                absl::Seconds(20)));
  const Answer refused = send("/strict");
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("no_healthy_upstream"), std::string::npos) << refused.body;
  EXPECT_EQ(metric("portico_proxy_endpoints_healthy{cluster=\"strict\"}"), 0);
  EXPECT_EQ(metric("portico_proxy_endpoints{cluster=\"strict\"}"), 2);
}

TEST_F(LoadBalancingTest, ClustersAdminShowsPolicyAndEndpointState) {
  auto response = proxy_->admin("/clusters");
  ASSERT_TRUE(response.ok());
  std::map<std::string, json::object> clusters;
  const json::value body = json::parse(response->body);  // outlives the loop
  for (const json::value& entry : body.at("clusters").as_array()) {
    clusters[std::string(entry.at("name").as_string())] = entry.as_object();
  }
  EXPECT_EQ(clusters.at("sticky").at("lb_policy").as_string(), "ring_hash");
  EXPECT_EQ(clusters.at("least").at("lb_policy").as_string(), "least_request");
  EXPECT_TRUE(clusters.at("weighted").at("health_check").is_null());
  EXPECT_EQ(clusters.at("checked").at("health_check").at("path").as_string(), "/health");
  EXPECT_EQ(clusters.at("strict").at("healthy_panic_threshold").to_number<double>(), 0);
  const json::object endpoint = endpointsOf("checked").at(cat("127.0.0.1:", port("h2")));
  EXPECT_TRUE(endpoint.contains("active_requests"));
  EXPECT_TRUE(endpoint.contains("ejected"));
  EXPECT_TRUE(endpoint.at("health_check").as_object().contains("consecutive_passes"));
}

}  // namespace
}  // namespace portico::testing
