// Retry decisions: which try outcomes and responses each retry_on condition retries, and which
// requests retriable_request_headers lets through.

#include "data-plane/router/retry_policy.h"

#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>

#include <string>
#include <vector>

#include <boost/beast/http/fields.hpp>

namespace portico::dp::router {
namespace {

RetryPolicy policyOn(uint32_t conditions) {
  RetryPolicy policy;
  policy.retry_on = conditions;
  return policy;
}

HeaderMatcher exact(const std::string& name, const std::string& value) {
  HeaderMatcher matcher;
  matcher.name = name;
  matcher.kind = HeaderMatcher::Kind::kExact;
  matcher.value = value;
  return matcher;
}

HeaderMatcher idempotentMethods() {
  HeaderMatcher matcher;
  matcher.name = ":method";
  matcher.kind = HeaderMatcher::Kind::kRegex;
  matcher.regex = std::make_shared<re2::RE2>("GET|HEAD|OPTIONS|PUT|DELETE|TRACE");
  return matcher;
}

bool retriesStatus(const RetryPolicy& policy, unsigned status) {
  return policy.retriable(TryOutcome::kResponse, status, nullptr);
}

TEST(RetryPolicyTest, NoConditionsRetryNothing) {
  const RetryPolicy policy;
  for (TryOutcome outcome : {TryOutcome::kConnectFailure, TryOutcome::kReset,
                             TryOutcome::kPerTryTimeout, TryOutcome::kFinal}) {
    EXPECT_FALSE(policy.retriable(outcome));
  }
  EXPECT_FALSE(retriesStatus(policy, 503));
}

TEST(RetryPolicyTest, ConnectFailureRetriesOnlyConnectFailures) {
  const RetryPolicy policy = policyOn(RetryPolicy::kConnectFailure);
  EXPECT_TRUE(policy.retriable(TryOutcome::kConnectFailure));
  EXPECT_FALSE(policy.retriable(TryOutcome::kReset));
  EXPECT_FALSE(policy.retriable(TryOutcome::kPerTryTimeout));
  EXPECT_FALSE(retriesStatus(policy, 503));
}

TEST(RetryPolicyTest, ResetCoversEveryTryWithoutAResponse) {
  const RetryPolicy policy = policyOn(RetryPolicy::kReset);
  EXPECT_TRUE(policy.retriable(TryOutcome::kConnectFailure));
  EXPECT_TRUE(policy.retriable(TryOutcome::kReset));
  EXPECT_TRUE(policy.retriable(TryOutcome::kPerTryTimeout));
  EXPECT_FALSE(policy.retriable(TryOutcome::kFinal)) << "the route timeout and overflows are final";
  EXPECT_FALSE(retriesStatus(policy, 503)) << "a response is not a reset";
}

TEST(RetryPolicyTest, RefusedStreamIsAResetForHttp1) {
  const RetryPolicy policy = policyOn(RetryPolicy::kRefusedStream);
  EXPECT_TRUE(policy.retriable(TryOutcome::kReset));
  EXPECT_FALSE(policy.retriable(TryOutcome::kConnectFailure));
  EXPECT_FALSE(policy.retriable(TryOutcome::kPerTryTimeout));
  EXPECT_FALSE(retriesStatus(policy, 503));
}

TEST(RetryPolicyTest, FiveXxRetriesEvery5xxAndNoResponse) {
  const RetryPolicy policy = policyOn(RetryPolicy::k5xx);
  for (unsigned status : {500u, 501u, 502u, 503u, 504u, 599u})
    EXPECT_TRUE(retriesStatus(policy, status)) << status;
  for (unsigned status : {200u, 404u, 409u, 429u})
    EXPECT_FALSE(retriesStatus(policy, status)) << status;
  EXPECT_TRUE(policy.retriable(TryOutcome::kConnectFailure));
  EXPECT_TRUE(policy.retriable(TryOutcome::kReset));
  EXPECT_TRUE(policy.retriable(TryOutcome::kPerTryTimeout));
}

TEST(RetryPolicyTest, GatewayErrorRetries502To504AndNoResponse) {
  const RetryPolicy policy = policyOn(RetryPolicy::kGatewayError);
  for (unsigned status : {502u, 503u, 504u}) EXPECT_TRUE(retriesStatus(policy, status)) << status;
  for (unsigned status : {500u, 501u, 505u, 409u})
    EXPECT_FALSE(retriesStatus(policy, status)) << status;
  EXPECT_TRUE(policy.retriable(TryOutcome::kConnectFailure));
  EXPECT_TRUE(policy.retriable(TryOutcome::kReset));
  EXPECT_TRUE(policy.retriable(TryOutcome::kPerTryTimeout));
}

TEST(RetryPolicyTest, Retriable4xxIs409Only) {
  const RetryPolicy policy = policyOn(RetryPolicy::kRetriable4xx);
  EXPECT_TRUE(retriesStatus(policy, 409));
  EXPECT_FALSE(retriesStatus(policy, 400));
  EXPECT_FALSE(retriesStatus(policy, 429));
  EXPECT_FALSE(policy.retriable(TryOutcome::kReset));
}

TEST(RetryPolicyTest, RetriableStatusCodesNeedTheCondition) {
  RetryPolicy policy;
  policy.retriable_status_codes = {429, 503};
  EXPECT_FALSE(retriesStatus(policy, 429))
      << "Envoy ignores the codes without retriable-status-codes";
  policy.retry_on = RetryPolicy::kRetriableStatusCodes;
  EXPECT_TRUE(retriesStatus(policy, 429));
  EXPECT_TRUE(retriesStatus(policy, 503));
  EXPECT_FALSE(retriesStatus(policy, 502));
  EXPECT_FALSE(policy.retriable(TryOutcome::kReset));
}

TEST(RetryPolicyTest, RetriableHeadersMatchResponseHeadersAndStatus) {
  RetryPolicy policy = policyOn(RetryPolicy::kRetriableHeaders);
  policy.retriable_headers.push_back(exact("x-upstream-retry", "yes"));
  HeaderMatcher status_range;
  status_range.name = ":method";  // how the compiler stores ":status"
  status_range.kind = HeaderMatcher::Kind::kRange;
  status_range.range_start = 420;
  status_range.range_end = 430;
  policy.retriable_headers.push_back(status_range);

  router::Fields with;
  with.set("x-upstream-retry", "yes");
  router::Fields without;
  without.set("x-upstream-retry", "no");
  EXPECT_TRUE(policy.retriable(TryOutcome::kResponse, 200, &with));
  EXPECT_FALSE(policy.retriable(TryOutcome::kResponse, 200, &without));
  EXPECT_TRUE(policy.retriable(TryOutcome::kResponse, 425, &without))
      << "\":status\" in [420, 430)";
  EXPECT_FALSE(policy.retriable(TryOutcome::kResponse, 430, &without));

  policy.retry_on = 0;
  EXPECT_FALSE(policy.retriable(TryOutcome::kResponse, 200, &with)) << "needs retriable-headers";
}

TEST(RetryPolicyTest, FinalOutcomesAreNeverRetried) {
  const RetryPolicy policy = policyOn(~0u);
  EXPECT_FALSE(policy.retriable(TryOutcome::kFinal));
  EXPECT_FALSE(retriesStatus(policy, 200));
}

TEST(RetryPolicyTest, EveryRequestIsRetriableWithoutRequestMatchers) {
  const RetryPolicy policy = policyOn(RetryPolicy::k5xx);
  EXPECT_TRUE(policy.allowsRequest(RequestView{"POST", "/", "", nullptr}));
  EXPECT_TRUE(policy.allowsRequest(RequestView{"GET", "/", "", nullptr}));
}

TEST(RetryPolicyTest, IdempotentMethodsOnlyWithTheMethodMatcher) {
  RetryPolicy policy = policyOn(RetryPolicy::k5xx);
  policy.retriable_request_headers.push_back(idempotentMethods());
  for (const char* method : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}) {
    EXPECT_TRUE(policy.allowsRequest(RequestView{method, "/", "", nullptr})) << method;
  }
  for (const char* method : {"POST", "PATCH", "CONNECT"}) {
    EXPECT_FALSE(policy.allowsRequest(RequestView{method, "/", "", nullptr})) << method;
  }
}

TEST(RetryPolicyTest, PrecomputedMethodVerdictsAnswerLikeTheMatchers) {
  RetryPolicy matched = policyOn(RetryPolicy::k5xx);
  matched.retriable_request_headers.push_back(idempotentMethods());
  RetryPolicy precomputed = matched;
  precomputed.precomputeMethodVerdicts();
  ASSERT_FALSE(precomputed.method_verdicts.empty());
  // Every known verb, a lower-case spelling (methods are case-sensitive) and unknown methods.
  std::vector<std::string> methods = {"get", "Get", "BREW", "GETX", ""};
  for (int v = 1; v <= static_cast<int>(boost::beast::http::verb::unlink); ++v) {
    methods.emplace_back(boost::beast::http::to_string(static_cast<boost::beast::http::verb>(v)));
  }
  for (const std::string& method : methods) {
    const RequestView view{method, "/", "", nullptr};
    EXPECT_EQ(precomputed.allowsRequest(view), matched.allowsRequest(view)) << method;
  }
  EXPECT_TRUE(precomputed.allowsRequest(RequestView{"DELETE", "/", "", nullptr}));
  EXPECT_FALSE(precomputed.allowsRequest(RequestView{"POST", "/", "", nullptr}));
}

TEST(RetryPolicyTest, NoMethodVerdictsWhenAMatcherReadsOtherHeaders) {
  RetryPolicy policy = policyOn(RetryPolicy::k5xx);
  policy.retriable_request_headers.push_back(idempotentMethods());
  policy.retriable_request_headers.push_back(exact("x-idempotency-key", "k1"));
  policy.precomputeMethodVerdicts();
  EXPECT_TRUE(policy.method_verdicts.empty());
  router::Fields keyed;
  keyed.set("x-idempotency-key", "k1");
  EXPECT_TRUE(policy.allowsRequest(RequestView{"POST", "/", "", &keyed}));
  EXPECT_FALSE(policy.allowsRequest(RequestView{"POST", "/", "", nullptr}));
}

TEST(RetryPolicyTest, AnyRequestMatcherSuffices) {
  RetryPolicy policy = policyOn(RetryPolicy::k5xx);
  policy.retriable_request_headers.push_back(idempotentMethods());
  policy.retriable_request_headers.push_back(exact("x-idempotency-key", "k1"));
  router::Fields keyed;
  keyed.set("x-idempotency-key", "k1");
  EXPECT_TRUE(policy.allowsRequest(RequestView{"POST", "/", "", &keyed}));
  router::Fields other;
  other.set("x-idempotency-key", "k2");
  EXPECT_FALSE(policy.allowsRequest(RequestView{"POST", "/", "", &other}));
}

}  // namespace
}  // namespace portico::dp::router
