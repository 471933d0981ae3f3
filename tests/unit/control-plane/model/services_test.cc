// portico.yaml `services`: every key parsed, and each invalid value refused with its own message.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "control-plane/model/config_parser.h"
#include "tests/unit/control-plane/model/parser_test_util.h"

namespace portico::cp::model {
namespace {

using test::errorOf;
using test::parseOk;

TEST(ServicesTest, ParsesEveryKey) {
  PorticoConfig config = parseOk(R"(services:
  - name: user-service
    protocol: grpc
    lb: maglev
    hash_on: { cookie: session }
    connect_timeout: 250ms
    timeout: 1m30s
    retries:
      attempts: 2
      retry_on: [5xx, refused-stream, "409"]
      per_try_timeout: 2s
      backoff: { base: 10ms, max: 1s }
      non_idempotent: true
    circuit_breaker: { max_connections: 10, max_pending: 20, max_requests: 30, max_retries: 0 }
    outlier_detection: { consecutive_5xx: 7, consecutive_gateway_failure: 3, interval: 5s,
                         base_ejection: 1m, max_ejection_percent: 25 }
    health_check: { path: /ready, interval: 10s, timeout: 2s, healthy: 1, unhealthy: 5,
                    expected_statuses: [200, 204] }
    panic_threshold: 0%
    endpoints:
      - { address: 10.0.0.1, port: 80, weight: 5, zone: eu-1 }
      - { address: "::1", port: 8080 }
  - name: hashed.by-ip
    lb: ring_hash
    hash_on: { client_ip: true }
    panic_threshold: 20
  - name: by-header
    lb: ring_hash
    hash_on: { header: X-User-Id }
)");
  ASSERT_EQ(config.services.size(), 3u);
  const ServiceConfig& s = config.services[0];
  EXPECT_EQ(s.name, "user-service");
  EXPECT_EQ(s.protocol, Protocol::kGrpc);
  EXPECT_EQ(s.lb, LbPolicy::kMaglev);
  ASSERT_TRUE(s.hash_on.has_value());
  EXPECT_EQ(s.hash_on->kind, HashOn::Kind::kCookie);
  EXPECT_EQ(s.hash_on->name, "session");
  EXPECT_EQ(s.connect_timeout, absl::Milliseconds(250));
  EXPECT_EQ(s.timeout, absl::Seconds(90));
  ASSERT_TRUE(s.retries.has_value());
  EXPECT_EQ(s.retries->attempts, 2u);
  EXPECT_EQ(s.retries->retry_on, (std::vector<std::string>{"5xx", "refused-stream", "409"}));
  EXPECT_EQ(s.retries->per_try_timeout, absl::Seconds(2));
  EXPECT_EQ(s.retries->backoff_base, absl::Milliseconds(10));
  EXPECT_EQ(s.retries->backoff_max, absl::Seconds(1));
  EXPECT_TRUE(s.retries->allow_non_idempotent);
  ASSERT_TRUE(s.circuit_breaker.has_value());
  EXPECT_EQ(s.circuit_breaker->max_connections, 10u);
  EXPECT_EQ(s.circuit_breaker->max_pending, 20u);
  EXPECT_EQ(s.circuit_breaker->max_requests, 30u);
  EXPECT_EQ(s.circuit_breaker->max_retries, 0u);
  ASSERT_TRUE(s.outlier_detection.has_value());
  EXPECT_EQ(s.outlier_detection->consecutive_5xx, 7u);
  EXPECT_EQ(s.outlier_detection->consecutive_gateway_failure, 3u);
  EXPECT_EQ(s.outlier_detection->interval, absl::Seconds(5));
  EXPECT_EQ(s.outlier_detection->base_ejection, absl::Minutes(1));
  EXPECT_EQ(s.outlier_detection->max_ejection_percent, 25u);
  ASSERT_TRUE(s.health_check.has_value());
  EXPECT_EQ(s.health_check->path, "/ready");
  EXPECT_EQ(s.health_check->interval, absl::Seconds(10));
  EXPECT_EQ(s.health_check->timeout, absl::Seconds(2));
  EXPECT_EQ(s.health_check->healthy, 1u);
  EXPECT_EQ(s.health_check->unhealthy, 5u);
  EXPECT_EQ(s.health_check->expected_statuses,
            (std::vector<std::pair<uint32_t, uint32_t>>{{200, 201}, {204, 205}}));
  EXPECT_EQ(s.panic_threshold_percent, 0u);
  ASSERT_EQ(s.endpoints.size(), 2u);
  EXPECT_EQ(s.endpoints[0].address, "10.0.0.1");
  EXPECT_EQ(s.endpoints[0].port, 80u);
  EXPECT_EQ(s.endpoints[0].weight, 5u);
  EXPECT_EQ(s.endpoints[0].zone, "eu-1");
  EXPECT_EQ(s.endpoints[1].address, "::1");
  EXPECT_EQ(s.endpoints[1].port, 8080u);
  EXPECT_EQ(s.endpoints[1].weight, 1u);

  EXPECT_EQ(config.services[1].name, "hashed.by-ip");  // service names may contain "."
  EXPECT_EQ(config.services[1].lb, LbPolicy::kRingHash);
  ASSERT_TRUE(config.services[1].hash_on.has_value());
  EXPECT_EQ(config.services[1].hash_on->kind, HashOn::Kind::kClientIp);
  EXPECT_EQ(config.services[1].panic_threshold_percent, 20u);
  ASSERT_TRUE(config.services[2].hash_on.has_value());
  EXPECT_EQ(config.services[2].hash_on->kind, HashOn::Kind::kHeader);
  EXPECT_EQ(config.services[2].hash_on->name, "x-user-id");  // header names are lower-cased
}

TEST(ServicesTest, Defaults) {
  PorticoConfig config = parseOk(R"(services:
  - name: plain
  - name: retried
    retries: { attempts: 1 }
    health_check: {}
    outlier_detection: {}
    circuit_breaker: {}
)");
  ASSERT_EQ(config.services.size(), 2u);
  const ServiceConfig& plain = config.services[0];
  EXPECT_EQ(plain.protocol, Protocol::kHttp);
  EXPECT_EQ(plain.lb, LbPolicy::kRoundRobin);
  EXPECT_FALSE(plain.hash_on.has_value());
  EXPECT_EQ(plain.connect_timeout, absl::Seconds(5));
  EXPECT_FALSE(plain.timeout.has_value());
  EXPECT_FALSE(plain.retries.has_value());
  EXPECT_FALSE(plain.circuit_breaker.has_value());
  EXPECT_FALSE(plain.outlier_detection.has_value());
  EXPECT_FALSE(plain.health_check.has_value());
  EXPECT_EQ(plain.panic_threshold_percent, 50u);
  EXPECT_TRUE(plain.endpoints.empty());

  const ServiceConfig& retried = config.services[1];
  ASSERT_TRUE(retried.retries.has_value());
  EXPECT_EQ(retried.retries->attempts, 1u);
  EXPECT_EQ(retried.retries->retry_on,
            (std::vector<std::string>{"connect-failure", "reset", "gateway-error"}));
  EXPECT_FALSE(retried.retries->per_try_timeout.has_value());
  EXPECT_EQ(retried.retries->backoff_base, absl::Milliseconds(25));
  EXPECT_EQ(retried.retries->backoff_max, absl::Milliseconds(250));
  EXPECT_FALSE(retried.retries->allow_non_idempotent);
  ASSERT_TRUE(retried.health_check.has_value());
  EXPECT_EQ(retried.health_check->path, "/health");
  EXPECT_EQ(retried.health_check->interval, absl::Seconds(5));
  EXPECT_EQ(retried.health_check->timeout, absl::Seconds(1));
  EXPECT_EQ(retried.health_check->expected_statuses,
            (std::vector<std::pair<uint32_t, uint32_t>>{{200, 400}}));
  ASSERT_TRUE(retried.outlier_detection.has_value());
  EXPECT_EQ(retried.outlier_detection->max_ejection_percent, 10u);
  ASSERT_TRUE(retried.circuit_breaker.has_value());
  EXPECT_EQ(retried.circuit_breaker->max_pending, 1024u);
}

TEST(ServicesTest, UnknownLb) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    lb: consistent-hashing
)"),
            "portico.yaml:3: services[0].lb: \"consistent-hashing\" is not allowed; use one of: "
            "round_robin, least_request, random, ring_hash, maglev");
}

TEST(ServicesTest, UnknownProtocol) {
  EXPECT_EQ(
      errorOf(R"(services:
  - name: s
    protocol: http2
)"),
      "portico.yaml:3: services[0].protocol: \"http2\" is not allowed; use one of: http, grpc");
}

TEST(ServicesTest, RingHashWithoutHashOn) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    lb: ring_hash
)"),
            "portico.yaml:2: services[0].hash_on: required when lb is ring_hash or maglev");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    lb: maglev
)"),
            "portico.yaml:2: services[0].hash_on: required when lb is ring_hash or maglev");
}

TEST(ServicesTest, HashOnWithRoundRobin) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    lb: round_robin
    hash_on: { header: x-user-id }
)"),
            "portico.yaml:4: services[0].hash_on: only applies when lb is ring_hash or maglev");
  // Without lb: the default is round_robin.
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    hash_on: { header: x-user-id }
)"),
            "portico.yaml:3: services[0].hash_on: only applies when lb is ring_hash or maglev");
}

TEST(ServicesTest, HashOnNeedsExactlyOneSource) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    lb: ring_hash
    hash_on: { header: a, cookie: b }
)"),
            "portico.yaml:4: services[0].hash_on: give exactly one of header, cookie or client_ip");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    lb: ring_hash
    hash_on: { client_ip: false }
)"),
            "portico.yaml:4: services[0].hash_on.client_ip: must be true");
}

TEST(ServicesTest, BadDuration) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    connect_timeout: 5x
)"),
            "portico.yaml:3: services[0].connect_timeout: missing or unknown unit in duration "
            "\"5x\"; units are ns, us, ms, s, m, h");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    timeout: 30s1m
)"),
            "portico.yaml:3: services[0].timeout: units out of order in duration \"30s1m\"; write "
            "larger units first");
}

TEST(ServicesTest, RetryAttemptsOutOfRange) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    retries: { attempts: 11 }
)"),
            "portico.yaml:3: services[0].retries.attempts: 11 is out of range (0..10)");
}

TEST(ServicesTest, UnknownRetryCondition) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    retries:
      attempts: 2
      retry_on: [reset, timeout]
)"),
            "portico.yaml:5: services[0].retries.retry_on: \"timeout\" is not a retry condition; "
            "use connect-failure, reset, refused-stream, 5xx, gateway-error, retriable-4xx or a "
            "status code");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    retries: { attempts: 2, retry_on: ["600"] }
)"),
            "portico.yaml:3: services[0].retries.retry_on: \"600\" is not a retry condition; use "
            "connect-failure, reset, refused-stream, 5xx, gateway-error, retriable-4xx or a "
            "status code");
}

TEST(ServicesTest, RetryBackoff) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    retries: { attempts: 2, backoff: { base: 1s, max: 100ms } }
)"),
            "portico.yaml:3: services[0].retries.backoff.max: must be at least base");
}

TEST(ServicesTest, RetryBackoffMaxDefaultsToTenTimesBase) {
  PorticoConfig config = parseOk(R"(services:
  - name: s
    retries: { attempts: 2, backoff: { base: 500ms } }
)");
  ASSERT_TRUE(config.services[0].retries.has_value());
  EXPECT_EQ(config.services[0].retries->backoff_base, absl::Milliseconds(500));
  EXPECT_EQ(config.services[0].retries->backoff_max, absl::Seconds(5));
}

TEST(ServicesTest, PerTryTimeoutMustBePositive) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    retries: { attempts: 2, per_try_timeout: 0s }
)"),
            "portico.yaml:3: services[0].retries.per_try_timeout: must be positive");
}

TEST(ServicesTest, RetryBudget) {
  PorticoConfig config = parseOk(R"(services:
  - name: s
    circuit_breaker: { max_requests: 100, retry_budget: { percent: 25%, min_concurrency: 5 } }
  - name: defaults
    circuit_breaker: { retry_budget: {} }
)");
  ASSERT_TRUE(config.services[0].circuit_breaker->retry_budget.has_value());
  EXPECT_EQ(config.services[0].circuit_breaker->retry_budget->percent, 25u);
  EXPECT_EQ(config.services[0].circuit_breaker->retry_budget->min_concurrency, 5u);
  EXPECT_EQ(config.services[0].circuit_breaker->max_requests, 100u);
  ASSERT_TRUE(config.services[1].circuit_breaker->retry_budget.has_value());
  EXPECT_EQ(config.services[1].circuit_breaker->retry_budget->percent, 20u);
  EXPECT_EQ(config.services[1].circuit_breaker->retry_budget->min_concurrency, 3u);
}

TEST(ServicesTest, RetryBudgetErrors) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    circuit_breaker:
      max_retries: 5
      retry_budget: { percent: 20% }
)"),
            "portico.yaml:4: services[0].circuit_breaker.max_retries: does not apply with retry_budget "
            "(the budget replaces it); give one of them");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    circuit_breaker: { retry_budget: { percent: 120% } }
)"),
            "portico.yaml:3: services[0].circuit_breaker.retry_budget.percent: \"120%\" is not a percentage "
            "(0%..100%)");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    circuit_breaker: { retry_budget: { share: 20% } }
)"),
            "portico.yaml:3: services[0].circuit_breaker.retry_budget.share: unknown key; allowed here: percent, "
            "min_concurrency");
}

TEST(ServicesTest, OutlierMaxEjectionTimeAndOff) {
  PorticoConfig config = parseOk(R"(services:
  - name: s
    outlier_detection: { consecutive_5xx: 0, consecutive_gateway_failure: 2, base_ejection: 10s,
                         max_ejection_time: 1m }
  - name: defaults
    outlier_detection: {}
)");
  const OutlierDetectionConfig& o = *config.services[0].outlier_detection;
  EXPECT_EQ(o.consecutive_5xx, 0u) << "0 switches the 5xx detector off";
  EXPECT_EQ(o.consecutive_gateway_failure, 2u);
  EXPECT_EQ(o.max_ejection_time, absl::Minutes(1));
  const OutlierDetectionConfig& d = *config.services[1].outlier_detection;
  EXPECT_EQ(d.consecutive_5xx, 5u);
  EXPECT_EQ(d.consecutive_gateway_failure, 5u);
  EXPECT_EQ(d.interval, absl::Seconds(10));
  EXPECT_EQ(d.base_ejection, absl::Seconds(30));
  EXPECT_FALSE(d.max_ejection_time.has_value());
}

TEST(ServicesTest, OutlierErrors) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    outlier_detection: { base_ejection: 1m, max_ejection_time: 30s }
)"),
            "portico.yaml:3: services[0].outlier_detection.max_ejection_time: must be at least base_ejection");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    outlier_detection: { interval: 0s }
)"),
            "portico.yaml:3: services[0].outlier_detection.interval: must be positive");
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    outlier_detection: { max_ejection: 1m }
)"),
            "portico.yaml:3: services[0].outlier_detection.max_ejection: unknown key; allowed here: "
            "consecutive_5xx, consecutive_gateway_failure, interval, base_ejection, max_ejection_time, "
            "max_ejection_percent");
}

TEST(ServicesTest, HealthCheckTimeoutAboveInterval) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    health_check:
      interval: 1s
      timeout: 2s
)"),
            "portico.yaml:4: services[0].health_check: timeout must not exceed interval");
}

TEST(ServicesTest, HealthCheckPathWithoutSlash) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    health_check: { path: health }
)"),
            "portico.yaml:3: services[0].health_check.path: must start with \"/\"");
}

TEST(ServicesTest, HealthCheckExpectedStatus) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    health_check: { expected_statuses: [200, 700] }
)"),
            "portico.yaml:3: services[0].health_check.expected_statuses: \"700\" is not an HTTP "
            "status (100..599)");
}

TEST(ServicesTest, PanicThresholdAbove100) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    panic_threshold: 150%
)"),
            "portico.yaml:3: services[0].panic_threshold: \"150%\" is not a percentage (0%..100%)");
}

TEST(ServicesTest, EndpointHostName) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    endpoints:
      - { address: backend.internal, port: 80 }
)"),
            "portico.yaml:4: services[0].endpoints[0].address: \"backend.internal\" is not an IPv4 "
            "or IPv6 literal");
}

TEST(ServicesTest, EndpointPortZero) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    endpoints:
      - address: 10.0.0.1
        port: 0
)"),
            "portico.yaml:5: services[0].endpoints[0].port: 0 is out of range (1..65535)");
}

TEST(ServicesTest, EndpointPortRequired) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    endpoints:
      - { address: 10.0.0.1 }
)"),
            "portico.yaml:4: services[0].endpoints[0].port: required");
}

TEST(ServicesTest, DuplicateService) {
  EXPECT_EQ(errorOf(R"(services:
  - name: orders
  - name: users
  - name: orders
)"),
            "portico.yaml:4: services[2].name: duplicate service name \"orders\"");
}

TEST(ServicesTest, BadServiceName) {
  EXPECT_EQ(errorOf(R"(services:
  - name: "orders/v1"
)"),
            "portico.yaml:2: services[0].name: must be 1..63 characters of A-Z a-z 0-9 . _ -, "
            "starting with a letter or digit");
}

TEST(ServicesTest, UnknownKey) {
  EXPECT_EQ(errorOf(R"(services:
  - name: s
    retry: { attempts: 1 }
)"),
            "portico.yaml:3: services[0].retry: unknown key; allowed here: name, protocol, lb, "
            "hash_on, connect_timeout, timeout, retries, circuit_breaker, outlier_detection, "
            "health_check, panic_threshold, endpoints");
}

}  // namespace
}  // namespace portico::cp::model
