// End to end: portico.yaml retries, timeouts, circuit breakers and outlier detection, translated
// by portico-cp and enforced by portico-proxy against real echo backends that fail, hang, reset
// and answer slowly on request (tools/echo-backend knobs), plus a port nobody listens on.
//
// Behaviour is asserted, never wall-clock durations: retried requests are proven by the
// backends' own request counters (GET /__echo/requests) and the x-portico-attempt-count header
// they echo; waits are bounded polls.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/proxy_process.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

std::string endpoint(uint16_t port) { return cat("{ address: 127.0.0.1, port: ", port, " }"); }

// A loopback port where connections hang in SYN_SENT: a listener with a backlog of 0 that never
// accepts, its accept queue filled by connections this class opens and keeps. Linux then drops
// further SYNs to it, so a connect neither succeeds nor is refused: the only way to exercise a
// connect timeout without sending anything off the machine.
class Blackhole {
 public:
  Blackhole() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 0) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
    for (int i = 0; i < 3; ++i) {  // the queue holds backlog + 1; extra ones just hang
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      ::fcntl(fd, F_SETFL, O_NONBLOCK);
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
      fillers_.push_back(fd);
    }
  }
  ~Blackhole() {
    for (int fd : fillers_) ::close(fd);
    if (listener_ >= 0) ::close(listener_);
  }
  uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::vector<int> fillers_;
};

std::string configYaml(uint16_t listener, uint16_t a1, uint16_t a2, uint16_t dead, uint16_t hole) {
  const std::string one = cat("[", endpoint(a1), "]");
  const std::string two = cat("[", endpoint(a1), ", ", endpoint(a2), "]");
  std::string routes;
  for (const char* service : {"retry", "spread", "dead", "hang", "overflow", "budget", "limited",
                              "conns", "flaky", "recovering", "hole", "holeretry"}) {
    routes += cat("  - { name: ", service, ", match: { path_prefix: /", service,
                  "/ }, service: ", service, " }\n");
  }
  return cat(
      "version: 1\nlisteners: [{ name: public, address: 127.0.0.1, port: ", listener, " }]\n",
      "services:\n", "  - name: retry\n    endpoints: ", one, "\n",
      "    retries: { attempts: 2, retry_on: [5xx, reset, connect-failure], backoff: { base: 5ms } "
      "}\n",
      "  - name: spread\n    endpoints: ", two, "\n    timeout: 10s\n",
      "    retries: { attempts: 2, retry_on: [reset, connect-failure, gateway-error], "
      "per_try_timeout: 300ms,\n",
      "               backoff: { base: 5ms } }\n", "  - name: dead\n    endpoints: [",
      endpoint(dead), ", ", endpoint(a1), "]\n",
      "    retries: { attempts: 1, retry_on: [connect-failure], backoff: { base: 5ms } }\n",
      "  - name: hang\n    endpoints: ", one, "\n    timeout: 500ms\n",
      "    retries: { attempts: 3, retry_on: [reset, 5xx] }\n",
      "  - name: overflow\n    endpoints: ", one, "\n",
      "    retries: { attempts: 2, retry_on: [5xx], backoff: { base: 5ms } }\n",
      "    circuit_breaker: { max_retries: 0 }\n", "  - name: budget\n    endpoints: ", one, "\n",
      "    retries: { attempts: 2, retry_on: [5xx], backoff: { base: 5ms } }\n",
      "    circuit_breaker: { retry_budget: { percent: 0%, min_concurrency: 0 } }\n",
      "  - name: limited\n    endpoints: ", one, "\n    circuit_breaker: { max_requests: 2 }\n",
      "  - name: conns\n    endpoints: ", one, "\n    circuit_breaker: { max_connections: 1 }\n",
      "  - name: flaky\n    endpoints: ", two, "\n",
      "    outlier_detection: { consecutive_5xx: 3, base_ejection: 10m, max_ejection_percent: 50 "
      "}\n",
      "  - name: recovering\n    endpoints: ", two, "\n",
      "    outlier_detection: { consecutive_5xx: 2, base_ejection: 1s, interval: 1s, "
      "max_ejection_percent: 50 }\n",
      "  - name: hole\n    endpoints: [", endpoint(hole), "]\n    connect_timeout: 300ms\n",
      "  - name: holeretry\n    endpoints: [", endpoint(hole), ", ", endpoint(a2), "]\n",
      "    connect_timeout: 300ms\n",
      "    retries: { attempts: 1, retry_on: [connect-failure], backoff: { base: 5ms } }\n",
      "routes:\n", routes);
}

struct Answer {
  int status = 0;
  std::string backend;      // x-echo-name; "" for local replies
  std::string attempt;      // x-portico-attempt-count the backend received ("" when absent)
  std::string error;        // a local reply's "error" code
  bool overloaded = false;  // x-portico-overloaded: true
};

class ResilienceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_error_ = startAll(); }

  static void TearDownTestSuite() {
    if (proxy_) proxy_->stop();
    for (auto& backend : backends_) backend->stop();
    if (cp_) cp_->stop();
    proxy_.reset();
    backends_.clear();
    cp_.reset();
    blackhole_.reset();
  }

  void SetUp() override { ASSERT_EQ(setup_error_, "") << "suite set-up failed"; }

  void TearDown() override {
    if (HasFailure() && proxy_)
      std::cerr << "--- portico-proxy log:\n" << proxy_->process().logTail(6000) << "\n";
  }

  static std::string startAll() {
    blackhole_ = std::make_unique<Blackhole>();
    if (blackhole_->port() == 0) return "could not set up the blackhole listener";
    for (const char* name : {"a1", "a2"}) {
      auto backend = EchoBackend::start({name, "", "", 10});
      if (!backend.ok()) return cat("echo-backend ", name, ": ", backend.status().ToString());
      backends_.push_back(std::move(*backend));
    }
    listener_port_ = pickFreePort();
    ControlPlaneProcess::Options cp_options;
    cp_options.config_yaml =
        configYaml(listener_port_, backends_[0]->port(), backends_[1]->port(), pickFreePort(),
                   blackhole_->port());
    auto cp = ControlPlaneProcess::start(cp_options);
    if (!cp.ok()) return cat("portico-cp: ", cp.status().ToString());
    cp_ = std::move(*cp);
    ProxyProcess::Options proxy_options;
    proxy_options.xds_address = cp_->xdsAddress();
    auto proxy = ProxyProcess::start(proxy_options);
    if (!proxy.ok()) return cat("portico-proxy: ", proxy.status().ToString());
    proxy_ = std::move(*proxy);
    const bool routed = waitUntil([] { return send("GET", "/recovering/x").status == 200; },
                                  absl::Seconds(30), absl::Milliseconds(100));
    return routed ? "" : cat("routes did not arrive; proxy log:\n", proxy_->process().logTail());
  }

  // One request on a fresh connection (bounded: 15 s).
  static Answer send(const std::string& method, const std::string& target,
                     http::HeaderList headers = {}) {
    http::ClientRequest request;
    request.method = method;
    request.target = target;
    request.headers = std::move(headers);
    if (method == "POST") request.body = "{}";
    auto response = http::fetch("127.0.0.1", listener_port_, request, absl::Seconds(15));
    Answer out;
    if (!response.ok()) return out;
    out.status = response->status;
    if (const std::string* name = response->header("x-echo-name")) out.backend = *name;
    if (const std::string* flag = response->header("x-portico-overloaded"))
      out.overloaded = *flag == "true";
    boost::system::error_code ec;
    json::value body = json::parse(response->body, ec);
    if (ec || !body.is_object()) return out;
    const json::object& object = body.as_object();
    if (const json::value* error = object.if_contains("error"); error && error->is_string()) {
      out.error = std::string(error->as_string());
    }
    if (const json::value* headers = object.if_contains("headers");
        headers && headers->is_object()) {
      if (const json::value* attempt =
              headers->as_object().if_contains("x-portico-attempt-count")) {
        out.attempt = std::string(attempt->as_string());
      }
    }
    return out;
  }

  // How many requests backend `i` has seen with x-echo-fail-key `key` (-1 when unreadable).
  static int64_t seenWithKey(size_t i, const std::string& key) {
    http::ClientRequest request;
    request.target = "/__echo/requests";
    auto response = http::fetch("127.0.0.1", backends_[i]->port(), request, absl::Seconds(5));
    if (!response.ok()) return -1;
    boost::system::error_code ec;
    json::value body = json::parse(response->body, ec);
    if (ec) return -1;
    const json::value* count = body.as_object().at("keys").as_object().if_contains(key);
    return count == nullptr ? 0 : count->as_int64();
  }

  // A sample's value in the proxy's /metrics (-1 if absent).
  static double metric(const std::string& sample) {
    auto response = proxy_->admin("/metrics");
    if (!response.ok()) return -1;
    const std::string& body = response->body;
    for (size_t at = body.find(sample); at != std::string::npos; at = body.find(sample, at + 1)) {
      if ((at == 0 || body[at - 1] == '\n') && body.size() > at + sample.size() &&
          body[at + sample.size()] == ' ') {
        return std::stod(body.substr(at + sample.size() + 1));
      }
    }
    return -1;
  }

  // Sends the requests concurrently, one thread and connection each.
  static std::vector<Answer> sendConcurrently(
      const std::vector<std::pair<std::string, http::HeaderList>>& requests) {
    std::vector<Answer> answers(requests.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < requests.size(); ++i) {
      threads.emplace_back(
          [&, i] { answers[i] = send("GET", requests[i].first, requests[i].second); });
    }
    for (std::thread& thread : threads) thread.join();
    return answers;
  }

  static inline uint16_t listener_port_ = 0;
  static inline std::unique_ptr<ControlPlaneProcess> cp_;
  static inline std::vector<std::unique_ptr<EchoBackend>> backends_;
  static inline std::unique_ptr<ProxyProcess> proxy_;
  static inline std::string setup_error_;
  static inline std::unique_ptr<Blackhole> blackhole_;
};

TEST_F(ResilienceTest, A503IsRetriedAndTheClientGetsTheSuccess) {
  const Answer answer =
      send("GET", "/retry/x", {{"x-echo-fail-times", "1"}, {"x-echo-fail-key", "retry-503"}});
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.attempt, "2") << "the second try answered, and was told so";
  EXPECT_EQ(seenWithKey(0, "retry-503"), 2) << "the backend saw the first try and the retry";
  EXPECT_GE(metric("portico_proxy_upstream_retries_total{cluster=\"retry\"}"), 1);
}

TEST_F(ResilienceTest, PostIsNotRetriedByDefault) {
  const Answer answer =
      send("POST", "/retry/x", {{"x-echo-fail-times", "1"}, {"x-echo-fail-key", "retry-post"}});
  EXPECT_EQ(answer.status, 503) << "the upstream's own 503 comes back";
  EXPECT_EQ(answer.backend, "a1");
  EXPECT_EQ(answer.attempt, "1");
  EXPECT_EQ(seenWithKey(0, "retry-post"), 1);
}

TEST_F(ResilienceTest, ARetried503ThatStays503IsTheUpstreamsAnswer) {
  const Answer answer =
      send("GET", "/retry/x", {{"x-echo-status", "503"}, {"x-echo-fail-key", "retry-always"}});
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.backend, "a1") << "not a local reply";
  EXPECT_EQ(answer.attempt, "3") << "attempts: 2 retries after the first try";
  EXPECT_EQ(seenWithKey(0, "retry-always"), 3);
}

TEST_F(ResilienceTest, ResetIsRetriedOnTheOtherEndpoint) {
  for (int i = 0; i < 4; ++i) {
    const Answer answer =
        send("GET", "/spread/x",
             {{"x-echo-reset", "1"}, {"x-echo-only", "a1"}, {"x-echo-fail-key", "spread-reset"}});
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.backend, "a2");
  }
  EXPECT_GE(seenWithKey(0, "spread-reset"), 1) << "some first tries went to a1 and were reset";
}

TEST_F(ResilienceTest, ConnectFailureIsRetriedOnTheOtherEndpoint) {
  for (int i = 0; i < 4; ++i) {
    const Answer answer = send("GET", "/dead/x");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.backend, "a1");
  }
  EXPECT_GE(metric("portico_proxy_upstream_retries_total{cluster=\"dead\"}"), 1);
}

TEST_F(ResilienceTest, PerTryTimeoutThenSuccessOnTheOtherEndpoint) {
  for (int i = 0; i < 3; ++i) {
    const Answer answer =
        send("GET", "/spread/x", {{"x-echo-delay-ms", "10000"}, {"x-echo-only", "a1"}});
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.backend, "a2");
  }
}

TEST_F(ResilienceTest, RouteTimeoutIs504WhileTheBackendHangs) {
  const Answer answer =
      send("GET", "/hang/x", {{"x-echo-delay-ms", "10000"}, {"x-echo-fail-key", "hang"}});
  EXPECT_EQ(answer.status, 504);
  EXPECT_EQ(answer.error, "upstream_timeout");
  EXPECT_EQ(seenWithKey(0, "hang"), 1) << "the route timeout is final: no retry";
}

TEST_F(ResilienceTest, ConnectTimeoutIs504) {
  const Answer answer = send("GET", "/hole/x");
  EXPECT_EQ(answer.status, 504);
  EXPECT_EQ(answer.error, "upstream_timeout");
  EXPECT_GE(metric("portico_proxy_upstream_connect_failures_total"), 1);
}

TEST_F(ResilienceTest, ConnectTimeoutIsRetriedOnTheOtherEndpoint) {
  for (int i = 0; i < 4; ++i) {
    const Answer answer = send("GET", "/holeretry/x");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.backend, "a2");
  }
  EXPECT_GE(metric("portico_proxy_upstream_retries_total{cluster=\"holeretry\"}"), 1);
}

TEST_F(ResilienceTest, RetryOverflowIsCountedAndEndsWithTheLastTry) {
  for (const char* service : {"overflow", "budget"}) {
    const std::string key = cat(service, "-overflow");
    const Answer answer =
        send("GET", cat("/", service, "/x"), {{"x-echo-status", "503"}, {"x-echo-fail-key", key}});
    EXPECT_EQ(answer.status, 503) << service;
    EXPECT_EQ(answer.backend, "a1") << service << ": the last try's answer, not a local reply";
    EXPECT_EQ(seenWithKey(0, key), 1) << service;
    EXPECT_EQ(metric(cat("portico_proxy_retry_overflow_total{cluster=\"", service, "\"}")), 1)
        << service;
    EXPECT_EQ(metric(cat("portico_proxy_upstream_retries_total{cluster=\"", service, "\"}")), 0)
        << service;
  }
}

// max_requests 2: two slow requests hold both slots (the backend has seen them); four more sent
// meanwhile are refused at once with 503 overloaded. Then the slow two complete normally.
TEST_F(ResilienceTest, MaxRequestsRefusesTheOverflowWithOverloaded) {
  std::vector<Answer> slow(2);
  std::vector<std::thread> holders;
  for (size_t i = 0; i < slow.size(); ++i) {
    holders.emplace_back([&, i] {
      slow[i] = send("GET", "/limited/x",
                     {{"x-echo-delay-ms", "3000"}, {"x-echo-fail-key", "limited-slow"}});
    });
  }
  ASSERT_TRUE(waitUntil([] { return seenWithKey(0, "limited-slow") == 2; }, absl::Seconds(10)));
  std::vector<std::pair<std::string, http::HeaderList>> rest(
      4, {"/limited/x", {{"x-echo-fail-key", "limited-fast"}}});
  int refused = 0;
  for (const Answer& answer : sendConcurrently(rest)) {
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.error, "overloaded");
    EXPECT_TRUE(answer.overloaded) << "x-portico-overloaded: true";
    refused += answer.status == 503 && answer.overloaded ? 1 : 0;
  }
  for (std::thread& holder : holders) holder.join();
  EXPECT_EQ(refused, 4);
  EXPECT_EQ(slow[0].status, 200);
  EXPECT_EQ(slow[1].status, 200);
  EXPECT_EQ(seenWithKey(0, "limited-fast"), 0) << "refused requests never reach the backend";
  EXPECT_EQ(
      metric("portico_proxy_circuit_breaker_open_total{cluster=\"limited\",resource=\"requests\"}"),
      4);
  EXPECT_EQ(
      metric("portico_proxy_circuit_breaker_in_use{cluster=\"limited\",resource=\"requests\"}"), 0);
}

// max_connections 1: while one slow request holds the cluster's only connection, another
// request that needs a connection is refused.
TEST_F(ResilienceTest, MaxConnectionsRefusesASecondConnection) {
  Answer slow;
  std::thread holder([&] {
    slow = send("GET", "/conns/x", {{"x-echo-delay-ms", "3000"}, {"x-echo-fail-key", "conns"}});
  });
  ASSERT_TRUE(waitUntil([] { return seenWithKey(0, "conns") == 1; }, absl::Seconds(10)));
  const Answer second = send("GET", "/conns/x");
  holder.join();
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.error, "overloaded");
  EXPECT_TRUE(second.overloaded);
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(
      metric(
          "portico_proxy_circuit_breaker_open_total{cluster=\"conns\",resource=\"connections\"}"),
      1);
  EXPECT_LE(
      metric("portico_proxy_circuit_breaker_in_use{cluster=\"conns\",resource=\"connections\"}"),
      1);
}

// consecutive_5xx 3: a1 answers 500 (x-echo-only) and is ejected after its third; from then on
// every request goes to a2 (the ejection lasts 10 minutes, far beyond the test).
TEST_F(ResilienceTest, FailingEndpointIsEjectedAndTrafficMoves) {
  int failures = 0;
  std::map<std::string, int> by_backend;
  for (int i = 0; i < 16; ++i) {
    const Answer answer =
        send("GET", "/flaky/x", {{"x-echo-status", "500"}, {"x-echo-only", "a1"}});
    failures += answer.status == 500 ? 1 : 0;
    ++by_backend[answer.backend];
  }
  EXPECT_EQ(failures, 3) << "ejected at the third consecutive 5xx";
  EXPECT_EQ(by_backend["a1"], 3);
  EXPECT_EQ(by_backend["a2"], 13);
  EXPECT_EQ(
      metric("portico_proxy_outlier_ejections_total{cluster=\"flaky\",reason=\"consecutive_5xx\"}"),
      1);
}

// consecutive_5xx 2, base_ejection 1s: after the ejection ends a1 gets traffic again.
TEST_F(ResilienceTest, EjectedEndpointComesBackAfterTheEjectionTime) {
  ASSERT_TRUE(waitUntil(
      [] {
        send("GET", "/recovering/x", {{"x-echo-status", "500"}, {"x-echo-only", "a1"}});
        return metric(
                   "portico_proxy_outlier_ejections_total{cluster=\"recovering\",reason="
                   "\"consecutive_5xx\"}") >= 1;
      },
      absl::Seconds(10), absl::Milliseconds(1)));
  // Healthy requests from now on: a1 answers again once its ejection has ended.
  EXPECT_TRUE(waitUntil([] { return send("GET", "/recovering/x").backend == "a1"; },
                        absl::Seconds(20), absl::Milliseconds(50)));
}

}  // namespace
}  // namespace portico::testing
