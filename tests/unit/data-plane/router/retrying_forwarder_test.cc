// The retry loop and the breakers of one try, in process: a real Worker (its io_context driven
// by the test thread, not started) forwards to echo servers on the same io_context over
// loopback, with ports picked at run time. Covers classification of results, retries per
// condition, per-try and route timeouts, retry overflow, max_requests / max_connections
// overflow, outlier ejection, and that every breaker slot is given back.

#include "data-plane/router/retrying_forwarder.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/config/cluster_compiler.h"
#include "data-plane/http/raw_fields.h"
#include "data-plane/listener/worker.h"
#include "data-plane/upstream/lb/lb_tables.h"
#include "tests/support/test_env.h"
#include "tools/echo-backend/echo_server.h"

namespace portico::dp::router {
namespace {

namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;
using upstream::Resource;

class RetryingForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a", "b", "c"}) {
      tools::echo::EchoServer::Options options;
      options.name = name;
      auto server = tools::echo::EchoServer::create(worker_.io(), options);
      ASSERT_TRUE(server.ok()) << server.status();
      (*server)->start();
      echoes_.push_back(std::move(*server));
    }
    policy_.retry_on = RetryPolicy::k5xx | RetryPolicy::kConnectFailure | RetryPolicy::kReset;
    policy_.num_retries = 2;
    policy_.backoff_base = absl::Milliseconds(1);
    policy_.backoff_max = absl::Milliseconds(5);
  }

  void TearDown() override {
    // Every request slot, pending slot and retry slot must be back; connections may idle.
    if (snapshot_ == nullptr) return;
    const upstream::ClusterState& state = *cluster().state;
    EXPECT_EQ(state.inUse(Resource::kRequests), 0u);
    EXPECT_EQ(state.inUse(Resource::kPendingRequests), 0u);
    EXPECT_EQ(state.inUse(Resource::kRetries), 0u);
    // Every try gave its request-in-flight count back (least_request reads it).
    for (const upstream::Endpoint& endpoint : cluster().endpoints) {
      EXPECT_EQ(endpoint.state->active_requests.load(), 0) << endpoint.key;
    }
  }

  // Publishes a one-cluster snapshot whose endpoints are the given ports (0: a dead port).
  void useCluster(const std::vector<uint16_t>& ports,
                  const std::function<void(upstream::Cluster&)>& tweak = nullptr) {
    upstream::Cluster cluster;
    cluster.name = "svc";
    cluster.index = 0;
    cluster.state = std::make_shared<upstream::ClusterState>();
    for (uint16_t port : ports) {
      upstream::Endpoint endpoint;
      const uint16_t real = port == 0 ? testing::pickFreePort() : port;  // nobody listens there
      endpoint.address =
          boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), real);
      endpoint.key = cat("127.0.0.1:", real);
      endpoint.pool_key = cat("svc\n", endpoint.key);
      endpoint.state = std::make_shared<upstream::EndpointState>();
      cluster.endpoints.push_back(std::move(endpoint));
    }
    upstream::lb::buildLbTables(cluster);
    if (tweak) tweak(cluster);
    std::vector<upstream::Cluster> clusters;
    clusters.push_back(std::move(cluster));
    snapshot_ = std::make_shared<const config::Snapshot>(std::vector<config::ListenerConfig>{},
                                                         std::move(clusters), xds::ResourceSet{});
    worker_.publish(snapshot_);
    worker_.io().poll();
  }

  const upstream::Cluster& cluster() const { return snapshot_->clusters()[0]; }
  uint16_t port(int i) const { return echoes_[static_cast<size_t>(i)]->port(); }

  static Request request(bhttp::verb method,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request out{method, "/x", 11};
    out.set(bhttp::field::host, "svc");
    for (const auto& [name, value] : headers) out.set(name, value);
    out.keep_alive(true);
    out.prepare_payload();
    return out;
  }

  // Runs forwardWithRetries to completion (bounded: 20 s of io).
  UpstreamResult forward(Request& req, const RetryPolicy* policy,
                         absl::Duration timeout = absl::Seconds(10)) {
    std::vector<Request*> one{&req};
    return std::move(forwardAll(one, policy, timeout).front());
  }

  // Runs several requests concurrently on the worker.
  std::vector<UpstreamResult> forwardAll(std::vector<Request*>& requests, const RetryPolicy* policy,
                                         absl::Duration timeout = absl::Seconds(10)) {
    std::vector<UpstreamResult> results(requests.size());
    std::vector<bool> finished(requests.size(), false);
    size_t done = 0;
    const auto deadline = Clock::now() + absl::ToChronoNanoseconds(timeout);
    for (size_t i = 0; i < requests.size(); ++i) {
      boost::asio::co_spawn(
          worker_.io(),
          forwardWithRetries(worker_, cluster(), policy, *requests[i], added_, deadline, pick_, results[i]),
          [&, i](std::exception_ptr error) {
            EXPECT_FALSE(error);
            finished[i] = true;
            ++done;
          });
    }
    const auto give_up = Clock::now() + std::chrono::seconds(20);
    while (done < requests.size() && Clock::now() < give_up)
      worker_.io().run_for(std::chrono::milliseconds(10));
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_TRUE(finished[i]) << "request " << i << " did not finish";
    }
    return results;
  }

  // forward() with the fixture's policy.
  UpstreamResult withPolicy(Request& req, absl::Duration timeout = absl::Seconds(10)) {
    return forward(req, &policy_, timeout);
  }

  // The answering backend's name: the upstream's header lines are still raw (http/raw_fields.h).
  static std::string backend(const UpstreamResult& result) {
    router::Response response;
    http::RawFields raw = result.raw_fields;
    http::adoptRawFields(raw, response);
    auto it = response.find("x-echo-name");
    return it == response.end() ? "" : std::string(it->value());
  }

  // A header of the request the echo server answered, from its JSON body; nullopt when absent.
  static std::optional<std::string> received(const UpstreamResult& result, std::string_view name) {
    boost::system::error_code ec;
    const boost::json::value body = boost::json::parse(result.response.body(), ec);
    if (ec || !body.is_object()) return "<not an echo answer>";
    const boost::json::value* headers = body.as_object().if_contains("headers");
    if (headers == nullptr || !headers->is_object()) return "<no headers>";
    const boost::json::value* value = headers->as_object().if_contains(name);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return std::string(value->as_string());
  }

  uint64_t counter(const std::atomic<uint64_t>& c) const { return c.load(); }

  prometheus::Registry registry_;
  listener::ProxyStats stats_{registry_};
  listener::Worker worker_{0, stats_, nullptr, listener::WorkerLimits{}};
  std::vector<std::unique_ptr<tools::echo::EchoServer>> echoes_;
  config::SnapshotPtr snapshot_;
  RetryPolicy policy_;
  upstream::PickContext pick_;  // what the route hands the balancer (a hash, for hashing policies)
  http::AddedFields added_;  // the session's added fields, handed to every forward()
};

TEST(TryClassificationTest, OutcomesForRetryAndOutlierDetection) {
  UpstreamResult result;
  const auto outcome = [&](UpstreamOutcome o, bool route_bound = false) {
    result.outcome = o;
    return tryOutcome(result, route_bound);
  };
  EXPECT_EQ(outcome(UpstreamOutcome::kOk), TryOutcome::kResponse);
  EXPECT_EQ(outcome(UpstreamOutcome::kConnectFailed), TryOutcome::kConnectFailure);
  EXPECT_EQ(outcome(UpstreamOutcome::kConnectTimeout), TryOutcome::kConnectFailure);
  EXPECT_EQ(outcome(UpstreamOutcome::kTimeout, false), TryOutcome::kPerTryTimeout);
  EXPECT_EQ(outcome(UpstreamOutcome::kTimeout, true), TryOutcome::kFinal);
  EXPECT_EQ(outcome(UpstreamOutcome::kReset), TryOutcome::kReset);
  EXPECT_EQ(outcome(UpstreamOutcome::kBadResponse), TryOutcome::kReset);
  EXPECT_EQ(outcome(UpstreamOutcome::kResponseTooLarge), TryOutcome::kFinal);
  EXPECT_EQ(outcome(UpstreamOutcome::kNoEndpoint), TryOutcome::kFinal);
  EXPECT_EQ(outcome(UpstreamOutcome::kOverloaded), TryOutcome::kFinal);

  using upstream::outlier::TryResult;
  result.outcome = UpstreamOutcome::kOk;
  result.response.result(503);
  EXPECT_EQ(outlierResult(result), TryResult::kGatewayFailure);
  result.response.result(500);
  EXPECT_EQ(outlierResult(result), TryResult::k5xx);
  result.response.result(404);
  EXPECT_EQ(outlierResult(result), TryResult::kSuccess);
  for (UpstreamOutcome o :
       {UpstreamOutcome::kConnectFailed, UpstreamOutcome::kConnectTimeout,
        UpstreamOutcome::kTimeout, UpstreamOutcome::kReset, UpstreamOutcome::kBadResponse}) {
    result.outcome = o;
    EXPECT_EQ(outlierResult(result), TryResult::kGatewayFailure);
  }
  for (UpstreamOutcome o : {UpstreamOutcome::kResponseTooLarge, UpstreamOutcome::kNoEndpoint,
                            UpstreamOutcome::kOverloaded}) {
    result.outcome = o;
    EXPECT_FALSE(outlierResult(result).has_value());
  }
}

TEST_F(RetryingForwarderTest, RetriedA503AndAnsweredTheSuccess) {
  useCluster({port(0)});
  Request req = request(bhttp::verb::get, {{"x-echo-fail-times", "1"}, {"x-echo-fail-key", "k"}});
  UpstreamResult result = withPolicy(req);
  ASSERT_EQ(result.outcome, UpstreamOutcome::kOk) << result.detail;
  EXPECT_EQ(result.response.result_int(), 200u);
  EXPECT_EQ(result.attempts, 2u);
  EXPECT_EQ(received(result, kAttemptCountHeader), "2") << "the upstream was told which try it got";
  EXPECT_EQ(req.find(kAttemptCountHeader), req.end()) << "the count is added on the wire only";
  EXPECT_EQ(counter(cluster().state->counters.retries), 1u);
}

TEST_F(RetryingForwarderTest, TheLastTryIsTheAnswer) {
  useCluster({port(0), port(1)});
  Request req = request(bhttp::verb::get, {{"x-echo-status", "503"}});
  UpstreamResult result = withPolicy(req);
  ASSERT_EQ(result.outcome, UpstreamOutcome::kOk) << "the upstream's 503, not a local reply";
  EXPECT_EQ(result.response.result_int(), 503u);
  EXPECT_EQ(result.attempts, 3u) << "num_retries 2";
  EXPECT_EQ(counter(cluster().state->counters.retries), 2u);
}

TEST_F(RetryingForwarderTest, OnlyRequestsMatchingRetriableRequestHeadersAreRetried) {
  useCluster({port(0)});
  HeaderMatcher idempotent;
  idempotent.name = ":method";
  idempotent.kind = HeaderMatcher::Kind::kRegex;
  idempotent.regex = std::make_shared<re2::RE2>("GET|HEAD|OPTIONS|PUT|DELETE|TRACE");
  policy_.retriable_request_headers.push_back(idempotent);
  Request post =
      request(bhttp::verb::post, {{"x-echo-fail-times", "1"}, {"x-echo-fail-key", "post"}});
  UpstreamResult result = withPolicy(post);
  EXPECT_EQ(result.response.result_int(), 503u);
  EXPECT_EQ(result.attempts, 1u);
  Request put = request(bhttp::verb::put, {{"x-echo-fail-times", "1"}, {"x-echo-fail-key", "put"}});
  result = withPolicy(put);
  EXPECT_EQ(result.response.result_int(), 200u);
  EXPECT_EQ(result.attempts, 2u);
}

TEST_F(RetryingForwarderTest, NoPolicyMeansOneTryAndNoAttemptHeader) {
  useCluster({port(0)});
  Request req = request(bhttp::verb::get, {{"x-echo-status", "503"}});
  UpstreamResult result = forward(req, nullptr);
  EXPECT_EQ(result.response.result_int(), 503u);
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_EQ(received(result, kAttemptCountHeader), std::nullopt);
  EXPECT_EQ(received(result, "host"), "svc") << "the echo's answer is read right";
}

// The session's added fields (its request id, the forwarding headers) reach the upstream on
// every try, after the request's own fields, with the try's count.
TEST_F(RetryingForwarderTest, EveryTryCarriesTheAddedFieldsAndItsCount) {
  useCluster({port(0)});
  Request req = request(bhttp::verb::get, {{"x-echo-fail-times", "2"}, {"x-echo-fail-key", "added"}});
  added_.add("x-request-id", "id-1");
  added_.add("x-forwarded-for", "192.0.2.9");
  const UpstreamResult result = withPolicy(req);
  EXPECT_EQ(result.response.result_int(), 200u);
  EXPECT_EQ(result.attempts, 3u);
  EXPECT_EQ(received(result, kAttemptCountHeader), "3");
  EXPECT_EQ(received(result, "x-request-id"), "id-1");
  EXPECT_EQ(received(result, "x-forwarded-for"), "192.0.2.9");
}

TEST_F(RetryingForwarderTest, ConnectFailureIsRetriedOnTheOtherEndpoint) {
  useCluster({0, port(0)});  // endpoint 0: nobody listens
  int retried = 0;
  for (int i = 0; i < 4; ++i) {
    Request req = request(bhttp::verb::get);
    UpstreamResult result = withPolicy(req);
    ASSERT_EQ(result.outcome, UpstreamOutcome::kOk) << result.detail;
    EXPECT_EQ(backend(result), "a");
    retried += result.attempts == 2 ? 1 : 0;
  }
  EXPECT_GE(retried, 1) << "round robin sent some first tries to the dead endpoint";
}

TEST_F(RetryingForwarderTest, ConnectFailureWithoutRetriesIs502Material) {
  useCluster({0});
  Request req = request(bhttp::verb::get);
  UpstreamResult result = forward(req, nullptr);
  EXPECT_EQ(result.outcome, UpstreamOutcome::kConnectFailed);
  EXPECT_EQ(counter(cluster().state->counters.retries), 0u);
}

TEST_F(RetryingForwarderTest, ResetIsRetriedOnTheOtherEndpoint) {
  useCluster({port(0), port(1)});
  for (int i = 0; i < 4; ++i) {
    Request req = request(bhttp::verb::get, {{"x-echo-reset", "1"}, {"x-echo-only", "a"}});
    UpstreamResult result = withPolicy(req);
    ASSERT_EQ(result.outcome, UpstreamOutcome::kOk) << result.detail;
    EXPECT_EQ(backend(result), "b");
  }
}

TEST_F(RetryingForwarderTest, ResetWithoutTheConditionIsFinal) {
  useCluster({port(0)});
  policy_.retry_on = RetryPolicy::kConnectFailure;
  Request req = request(bhttp::verb::get, {{"x-echo-reset", "1"}});
  UpstreamResult result = withPolicy(req);
  EXPECT_EQ(result.outcome, UpstreamOutcome::kReset);
  EXPECT_EQ(result.attempts, 1u);
}

TEST_F(RetryingForwarderTest, PerTryTimeoutMovesToTheOtherEndpoint) {
  useCluster({port(0), port(1)});
  policy_.per_try_timeout = absl::Milliseconds(200);
  for (int i = 0; i < 2; ++i) {
    Request req = request(bhttp::verb::get, {{"x-echo-delay-ms", "5000"}, {"x-echo-only", "a"}});
    UpstreamResult result = withPolicy(req);
    ASSERT_EQ(result.outcome, UpstreamOutcome::kOk) << result.detail;
    EXPECT_EQ(backend(result), "b");
  }
}

TEST_F(RetryingForwarderTest, PerTryTimeoutOnEveryTryIsATimeout) {
  useCluster({port(0)});
  policy_.per_try_timeout = absl::Milliseconds(100);
  policy_.num_retries = 1;
  Request req = request(bhttp::verb::get, {{"x-echo-delay-ms", "5000"}});
  UpstreamResult result = withPolicy(req);
  EXPECT_EQ(result.outcome, UpstreamOutcome::kTimeout);
  EXPECT_EQ(result.attempts, 2u);
  EXPECT_NE(result.detail.find("per-try timeout"), std::string::npos) << result.detail;
}

TEST_F(RetryingForwarderTest, RouteTimeoutIsFinal) {
  useCluster({port(0), port(1)});
  Request req = request(bhttp::verb::get, {{"x-echo-delay-ms", "5000"}});
  UpstreamResult result = withPolicy(req, absl::Milliseconds(300));
  EXPECT_EQ(result.outcome, UpstreamOutcome::kTimeout);
  EXPECT_EQ(result.attempts, 1u) << "the route timeout bounds every try";
  EXPECT_NE(result.detail.find("route timeout"), std::string::npos) << result.detail;
}

TEST_F(RetryingForwarderTest, RouteTimeoutBoundsTheBackoff) {
  useCluster({port(0)});
  policy_.backoff_base = absl::Seconds(30);
  policy_.backoff_max = absl::Seconds(30);
  Request req = request(bhttp::verb::get, {{"x-echo-status", "503"}});
  // The first back-off draws in [0, 30 s]; a draw under 300 ms is possible but rare, so try a
  // few requests and require that one ran into the deadline while waiting.
  bool bounded = false;
  for (int i = 0; i < 5 && !bounded; ++i) {
    UpstreamResult result = withPolicy(req, absl::Milliseconds(300));
    bounded = result.outcome == UpstreamOutcome::kTimeout &&
              result.detail.find("waiting to retry") != std::string::npos;
  }
  EXPECT_TRUE(bounded);
}

TEST_F(RetryingForwarderTest, RetryOverflowEndsWithTheLastTry) {
  useCluster({port(0)}, [](upstream::Cluster& c) { c.limits.max_retries = 0; });
  Request req = request(bhttp::verb::get, {{"x-echo-status", "503"}});
  UpstreamResult result = withPolicy(req);
  EXPECT_EQ(result.outcome, UpstreamOutcome::kOk);
  EXPECT_EQ(result.response.result_int(), 503u);
  EXPECT_EQ(result.attempts, 1u);
  EXPECT_EQ(counter(cluster().state->counters.retry_overflow), 1u);
  EXPECT_EQ(counter(cluster().state->counters.breaker_open[static_cast<int>(Resource::kRetries)]),
            1u);
  EXPECT_EQ(counter(cluster().state->counters.retries), 0u);
}

TEST_F(RetryingForwarderTest, MaxRequestsOverflowIsOverloaded) {
  useCluster({port(0)}, [](upstream::Cluster& c) { c.limits.max_requests = 2; });
  std::vector<Request> requests;
  for (int i = 0; i < 5; ++i)
    requests.push_back(request(bhttp::verb::get, {{"x-echo-delay-ms", "300"}}));
  std::vector<Request*> pointers;
  for (Request& r : requests) pointers.push_back(&r);
  int ok = 0;
  int overloaded = 0;
  for (const UpstreamResult& result : forwardAll(pointers, &policy_)) {
    ok += result.outcome == UpstreamOutcome::kOk ? 1 : 0;
    if (result.outcome == UpstreamOutcome::kOverloaded) {
      ++overloaded;
      EXPECT_EQ(result.overloaded, Resource::kRequests);
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(overloaded, 3) << "an overflow is never retried";
  EXPECT_EQ(counter(cluster().state->counters.breaker_open[static_cast<int>(Resource::kRequests)]),
            3u);
}

TEST_F(RetryingForwarderTest, MaxConnectionsOverflowIsOverloaded) {
  useCluster({port(0)}, [](upstream::Cluster& c) { c.limits.max_connections = 1; });
  std::vector<Request> requests;
  for (int i = 0; i < 2; ++i)
    requests.push_back(request(bhttp::verb::get, {{"x-echo-delay-ms", "300"}}));
  std::vector<Request*> pointers{&requests[0], &requests[1]};
  std::vector<UpstreamResult> results = forwardAll(pointers, nullptr);
  EXPECT_EQ(results[0].outcome, UpstreamOutcome::kOk);
  EXPECT_EQ(results[1].outcome, UpstreamOutcome::kOverloaded);
  EXPECT_EQ(results[1].overloaded, Resource::kConnections);
  EXPECT_EQ(cluster().state->inUse(Resource::kConnections), 1u)
      << "the first connection idles in the pool";
  Request again = request(bhttp::verb::get);
  EXPECT_EQ(forward(again, nullptr).outcome, UpstreamOutcome::kOk)
      << "the idle connection is reused";
}

TEST_F(RetryingForwarderTest, MaxPendingOverflowIsOverloaded) {
  useCluster({port(0)}, [](upstream::Cluster& c) { c.limits.max_pending_requests = 0; });
  Request req = request(bhttp::verb::get);
  UpstreamResult result = withPolicy(req);
  EXPECT_EQ(result.outcome, UpstreamOutcome::kOverloaded);
  EXPECT_EQ(result.overloaded, Resource::kPendingRequests);
}

TEST_F(RetryingForwarderTest, FailingEndpointIsEjectedAndTrafficMoves) {
  useCluster({port(0), port(1)}, [](upstream::Cluster& c) {
    upstream::OutlierDetection outlier;
    outlier.consecutive_5xx = 2;
    outlier.max_ejection_percent = 50;
    c.outlier = outlier;
  });
  std::vector<std::string> seen;
  for (int i = 0; i < 8; ++i) {
    Request req = request(bhttp::verb::get, {{"x-echo-status", "500"}, {"x-echo-only", "a"}});
    seen.push_back(backend(forward(req, nullptr)));
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "a"), 2) << "ejected after its second 500";
  EXPECT_FALSE(cluster().endpoints[0].state->healthy(upstream::EndpointState::nowNs()));
  EXPECT_EQ(counter(cluster().state->counters.ejections[0]), 1u);
}

// Envoy's previous_hosts: a retry avoids every endpoint tried so far, not just the last one.
// Endpoint 0 refuses connections, a resets, b answers: with two retries every request must
// end on b whatever the policy's first choice, which it can only do if the third try avoids
// both earlier ones (a hashed request walking the ring would otherwise come back to its first
// endpoint).
TEST_F(RetryingForwarderTest, RetriesAvoidEveryEndpointTriedBefore) {
  for (upstream::LbPolicy policy :
       {upstream::LbPolicy::kRoundRobin, upstream::LbPolicy::kLeastRequest,
        upstream::LbPolicy::kRandom, upstream::LbPolicy::kRingHash, upstream::LbPolicy::kMaglev}) {
    useCluster({0, port(0), port(1)}, [policy](upstream::Cluster& c) {
      c.lb.policy = policy;
      upstream::lb::buildLbTables(c);
    });
    for (uint64_t key = 1; key <= 12; ++key) {
      pick_.hash = key * 0x9E3779B97F4A7C15ULL;
      Request req = request(bhttp::verb::get, {{"x-echo-reset", "1"}, {"x-echo-only", "a"}});
      UpstreamResult result = withPolicy(req);
      ASSERT_EQ(result.outcome, UpstreamOutcome::kOk)
          << "policy " << static_cast<int>(policy) << ", key " << key << ": " << result.detail;
      EXPECT_EQ(backend(result), "b");
    }
  }
}

// A try counts as a request in flight on its endpoint while it runs (least_request's input);
// its connection counts as open until it is closed, here still idle in the pool.
TEST_F(RetryingForwarderTest, ATryInFlightAndItsConnectionAreCountedOnTheEndpoint) {
  useCluster({port(0)});
  Request req = request(bhttp::verb::get, {{"x-echo-delay-ms", "300"}});
  UpstreamResult result;
  bool done = false;
  boost::asio::co_spawn(
      worker_.io(),
      forwardWithRetries(worker_, cluster(), &policy_, req, http::AddedFields{}, Clock::time_point::max(), pick_,
                         result),
      [&](std::exception_ptr) { done = true; });
  const std::atomic<int32_t>& active = cluster().endpoints[0].state->active_requests;
  int32_t seen = 0;
  const auto give_up = Clock::now() + std::chrono::seconds(10);
  while (!done && Clock::now() < give_up) {
    worker_.io().run_for(std::chrono::milliseconds(5));
    seen = std::max(seen, active.load());
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(active.load(), 0);
  EXPECT_EQ(worker_.pool().idleCount(), 1u);
  EXPECT_EQ(cluster().endpoints[0].state->connections.load(), 1);
}

}  // namespace
}  // namespace portico::dp::router
