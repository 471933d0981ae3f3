// Envoy RetryPolicy → router::RetryPolicy: every field, Envoy's defaults, refused values with
// their field path, the virtual host's policy as the routes' default, and the policies portico-cp
// itself sends for portico.yaml retries.

#include "data-plane/config/retry_policy_compiler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data-plane/router/retry_policy.h"
#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers
using envoy::config::route::v3::RetryPolicy;
using router::RequestView;
using testing::ElementsAre;
using testing::IsEmpty;

std::shared_ptr<const router::RetryPolicy> compileOk(const RetryPolicy& in) {
  std::vector<std::string> errors;
  auto out = compileRetryPolicy(in, "rp", errors);
  EXPECT_THAT(errors, IsEmpty());
  return out;
}

std::vector<std::string> errorsOf(const RetryPolicy& in) {
  std::vector<std::string> errors;
  EXPECT_EQ(compileRetryPolicy(in, "rp", errors), nullptr);
  return errors;
}

TEST(RetryPolicyCompilerTest, EveryField) {
  RetryPolicy in;
  in.set_retry_on(
      "connect-failure, reset,refused-stream,5xx,gateway-error,retriable-4xx,"
      "retriable-status-codes,retriable-headers");
  in.mutable_num_retries()->set_value(4);
  in.mutable_per_try_timeout()->set_nanos(250'000'000);
  in.mutable_retry_back_off()->mutable_base_interval()->set_nanos(10'000'000);
  in.mutable_retry_back_off()->mutable_max_interval()->set_seconds(1);
  in.add_retriable_status_codes(429);
  in.add_retriable_status_codes(503);
  auto* header = in.add_retriable_headers();
  header->set_name("x-retry-me");
  header->set_present_match(true);
  auto* status = in.add_retriable_headers();
  status->set_name(":status");
  status->set_exact_match("418");
  auto* method = in.add_retriable_request_headers();
  method->set_name(":method");
  method->mutable_safe_regex_match()->set_regex("GET|PUT");

  auto out = compileOk(in);
  ASSERT_NE(out, nullptr);
  using P = router::RetryPolicy;
  EXPECT_EQ(out->retry_on, P::kConnectFailure | P::kReset | P::kRefusedStream | P::k5xx |
                               P::kGatewayError | P::kRetriable4xx | P::kRetriableStatusCodes |
                               P::kRetriableHeaders);
  EXPECT_EQ(out->num_retries, 4u);
  EXPECT_EQ(out->per_try_timeout, absl::Milliseconds(250));
  EXPECT_EQ(out->backoff_base, absl::Milliseconds(10));
  EXPECT_EQ(out->backoff_max, absl::Seconds(1));
  EXPECT_THAT(out->retriable_status_codes, ElementsAre(429u, 503u));
  ASSERT_EQ(out->retriable_headers.size(), 2u);
  EXPECT_EQ(out->retriable_headers[1].name, ":method") << "\":status\" reads the status slot";
  EXPECT_TRUE(out->retriable(router::TryOutcome::kResponse, 418, nullptr));
  ASSERT_EQ(out->retriable_request_headers.size(), 1u);
  EXPECT_TRUE(out->allowsRequest(RequestView{"PUT", "/", "", nullptr}));
  EXPECT_FALSE(out->allowsRequest(RequestView{"POST", "/", "", nullptr}));
}

TEST(RetryPolicyCompilerTest, EnvoyDefaults) {
  auto out = compileOk(RetryPolicy());
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->retry_on, 0u) << "no conditions: nothing is retried";
  EXPECT_EQ(out->num_retries, 1u);
  EXPECT_EQ(out->per_try_timeout, absl::ZeroDuration());
  EXPECT_EQ(out->backoff_base, absl::Milliseconds(25));
  EXPECT_EQ(out->backoff_max, absl::Milliseconds(250));
  EXPECT_THAT(out->retriable_request_headers, IsEmpty());
}

TEST(RetryPolicyCompilerTest, MaxIntervalDefaultsToTenTimesBase) {
  RetryPolicy in;
  in.mutable_retry_back_off()->mutable_base_interval()->set_nanos(40'000'000);
  auto out = compileOk(in);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->backoff_max, absl::Milliseconds(400));
}

TEST(RetryPolicyCompilerTest, UnknownConditionIsRefusedByName) {
  RetryPolicy in;
  in.set_retry_on("5xx,envoy-ratelimited");
  EXPECT_THAT(
      errorsOf(in),
      ElementsAre("rp.retry_on: \"envoy-ratelimited\" is not supported (connect-failure, reset, "
                  "refused-stream, 5xx, gateway-error, retriable-4xx, retriable-status-codes, "
                  "retriable-headers)"));
}

TEST(RetryPolicyCompilerTest, BadBackoff) {
  RetryPolicy zero;
  zero.mutable_retry_back_off()->mutable_base_interval();
  zero.mutable_retry_back_off()->mutable_max_interval()->set_seconds(1);
  EXPECT_THAT(errorsOf(zero), ElementsAre("rp.retry_back_off.base_interval: must be positive"));
  RetryPolicy inverted;
  inverted.mutable_retry_back_off()->mutable_base_interval()->set_seconds(2);
  inverted.mutable_retry_back_off()->mutable_max_interval()->set_seconds(1);
  EXPECT_THAT(errorsOf(inverted),
              ElementsAre("rp.retry_back_off.max_interval: must be at least base_interval"));
}

TEST(RetryPolicyCompilerTest, BadValuesNameTheirField) {
  RetryPolicy negative;
  negative.mutable_per_try_timeout()->set_seconds(-1);
  EXPECT_THAT(errorsOf(negative), ElementsAre("rp.per_try_timeout: must not be negative"));
  RetryPolicy code;
  code.add_retriable_status_codes(600);
  EXPECT_THAT(errorsOf(code), ElementsAre("rp.retriable_status_codes: 600 is not an HTTP status"));
  RetryPolicy regex;
  auto* header = regex.add_retriable_request_headers();
  header->set_name(":method");
  header->mutable_safe_regex_match()->set_regex("GET(");
  const auto errors = errorsOf(regex);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0],
              testing::StartsWith("rp.retriable_request_headers[0]: invalid RE2 \"GET(\""));
}

TEST(RetryPolicyCompilerTest, ABadPolicyRejectsTheRouteConfiguration) {
  envoy::config::route::v3::Route route = goodRoute();
  route.mutable_route()->mutable_retry_policy()->set_retry_on("sometimes");
  router::RouteStatsStore stats(1);
  auto result = compileSnapshot(setWithRoute(route), stats);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()),
              testing::HasSubstr(
                  "virtual_hosts[0].routes[0].route.retry_policy.retry_on: \"sometimes\" is not "
                  "supported"));
}

TEST(RetryPolicyCompilerTest, VirtualHostPolicyIsTheRoutesDefault) {
  RouteConfiguration config = builders::buildRouteConfiguration(
      "public", {entry("a", "/a", "echo"), entry("b", "/b", "echo")});
  auto* vhost = config.mutable_virtual_hosts(0);
  vhost->mutable_retry_policy()->set_retry_on("5xx");
  vhost->mutable_retry_policy()->mutable_num_retries()->set_value(7);
  vhost->mutable_routes(1)->mutable_route()->mutable_retry_policy()->set_retry_on("reset");
  xds::ResourceSet set = minimalSet();
  add(set, config);
  router::RouteStatsStore stats(1);
  auto snapshot = compileSnapshot(set, stats);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const router::RouteTable* table = (*snapshot)->routeTable("public");
  ASSERT_NE(table, nullptr);
  const router::Route* a = findRoute(*table, 0, "a");
  const router::Route* b = findRoute(*table, 0, "b");
  ASSERT_TRUE(a && b && a->retry_policy && b->retry_policy);
  EXPECT_EQ(a->retry_policy->retry_on, router::RetryPolicy::k5xx);
  EXPECT_EQ(a->retry_policy->num_retries, 7u);
  EXPECT_EQ(b->retry_policy->retry_on, router::RetryPolicy::kReset)
      << "the route's own policy wins, whole";
  EXPECT_EQ(b->retry_policy->num_retries, 1u);
}

// What portico-cp sends for portico.yaml `retries`, as the proxy runs it.
const router::Route* translatedRoute(const std::string& yaml, router::RouteStatsStore& stats,
                                     SnapshotPtr& keep) {
  auto snapshot = compileSnapshot(translateYaml(yaml), stats);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  if (!snapshot.ok()) return nullptr;
  keep = *snapshot;
  const router::RouteTable* table = keep->routeTable("public");
  return table == nullptr ? nullptr : findRoute(*table, 0, "r");
}

constexpr char kYamlHead[] = R"yaml(
listeners: [{ name: public, port: 8080 }]
services:
  - name: svc
    endpoints: [{ address: 127.0.0.1, port: 9001 }]
)yaml";

TEST(RetryPolicyCompilerTest, PorticoYamlRetriesReachTheRoute) {
  router::RouteStatsStore stats(1);
  SnapshotPtr keep;
  const router::Route* route = translatedRoute(
      cat(kYamlHead,
          "    retries: { attempts: 3, retry_on: [5xx, \"409\"], per_try_timeout: 2s, "
          "backoff: { base: 10ms, max: 100ms } }\n",
          "routes: [{ name: r, match: { path_prefix: / }, service: svc }]\n"),
      stats, keep);
  ASSERT_TRUE(route && route->retry_policy);
  const router::RetryPolicy& policy = *route->retry_policy;
  EXPECT_EQ(policy.retry_on,
            router::RetryPolicy::k5xx | router::RetryPolicy::kRetriableStatusCodes);
  EXPECT_THAT(policy.retriable_status_codes, ElementsAre(409u));
  EXPECT_EQ(policy.num_retries, 3u);
  EXPECT_EQ(policy.per_try_timeout, absl::Seconds(2));
  EXPECT_EQ(policy.backoff_base, absl::Milliseconds(10));
  EXPECT_EQ(policy.backoff_max, absl::Milliseconds(100));
  for (const char* method : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}) {
    EXPECT_TRUE(policy.allowsRequest(RequestView{method, "/", "", nullptr})) << method;
  }
  EXPECT_FALSE(policy.allowsRequest(RequestView{"POST", "/", "", nullptr})) << "not idempotent";
  EXPECT_FALSE(policy.allowsRequest(RequestView{"PATCH", "/", "", nullptr}));
}

TEST(RetryPolicyCompilerTest, PorticoYamlNonIdempotentRetriesEveryMethod) {
  router::RouteStatsStore stats(1);
  SnapshotPtr keep;
  const router::Route* route = translatedRoute(
      cat(kYamlHead, "routes:\n  - { name: r, match: { path_prefix: / }, service: svc,\n",
          "      retries: { attempts: 1, non_idempotent: true } }\n"),
      stats, keep);
  ASSERT_TRUE(route && route->retry_policy);
  EXPECT_EQ(route->retry_policy->retry_on, router::RetryPolicy::kConnectFailure |
                                               router::RetryPolicy::kReset |
                                               router::RetryPolicy::kGatewayError);
  EXPECT_TRUE(route->retry_policy->allowsRequest(RequestView{"POST", "/", "", nullptr}));
}

TEST(RetryPolicyCompilerTest, NoRetriesNoPolicy) {
  router::RouteStatsStore stats(1);
  SnapshotPtr keep;
  const router::Route* route = translatedRoute(
      cat(kYamlHead, "routes: [{ name: r, match: { path_prefix: / }, service: svc }]\n"), stats,
      keep);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->retry_policy, nullptr);
}

}  // namespace
}  // namespace portico::dp::config
