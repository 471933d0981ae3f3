#include "data-plane/filters/rate_limit/rate_limit_filter.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>

#include "data-plane/filters/rate_limit/limiter_registry.h"
#include "data-plane/http/consumer.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"

namespace portico::dp::filters::rate_limit {
namespace {

using portico::filters::rate_limit::v1::RateLimit;
using testing::packed;
using testing::RequestUnderTest;

RateLimit limit(uint64_t n, const std::string& key, const std::string& scope = "route.r") {
  RateLimit out;
  out.set_limit(n);
  out.mutable_window()->set_seconds(3600);
  out.set_key(key);
  out.set_scope(scope);
  return out;
}

std::string header(const http::FilterState& state, const std::string& name) {
  for (const auto& [n, v] : state.response_headers) {
    if (n == name) return v;
  }
  for (const auto& [n, v] : state.reply.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

class RateLimitFilterTest : public ::testing::Test {
 protected:
  http::FilterStatus run(const RateLimit& config, const std::string& client = "10.0.0.1",
                         const http::Consumer* consumer = nullptr, const std::string& api_header = "") {
    auto filter = rateLimitFactory().createFilter(packed(RateLimit()), context_);
    EXPECT_TRUE(filter.ok()) << filter.status();
    auto route = rateLimitFactory().createRouteConfig(packed(config), context_);
    EXPECT_TRUE(route.ok()) << route.status();
    last_ = std::make_unique<RequestUnderTest>("/x");
    last_->state.client_address = client;
    last_->state.consumer = consumer;
    if (!api_header.empty()) last_->request.set("x-tenant", api_header);
    keep_.push_back(*route);  // as a snapshot would: the registry holds limits weakly
    return (*filter)->decodeHeaders(last_->state, route->get());
  }

  http::RateLimiterRegistry registry_;
  http::FilterBuildContext context_{.rate_limits = &registry_};
  std::unique_ptr<RequestUnderTest> last_;
  std::vector<http::FilterRouteConfigConstSharedPtr> keep_;
};

TEST_F(RateLimitFilterTest, LimitsPerClientAddressWithHeaders) {
  const RateLimit config = limit(2, "client_ip");
  EXPECT_EQ(run(config), http::FilterStatus::kContinue);
  EXPECT_EQ(header(last_->state, "ratelimit-limit"), "2");
  EXPECT_EQ(header(last_->state, "ratelimit-remaining"), "1");
  EXPECT_EQ(header(last_->state, "x-ratelimit-remaining"), "1");
  EXPECT_EQ(run(config), http::FilterStatus::kContinue);
  EXPECT_EQ(header(last_->state, "ratelimit-remaining"), "0");
  ASSERT_EQ(run(config), http::FilterStatus::kLocalReply);
  EXPECT_EQ(last_->state.reply.status, 429);
  EXPECT_EQ(last_->state.reply.code, "rate_limited");
  const int retry = std::stoi(header(last_->state, "retry-after"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 3600);
  EXPECT_EQ(run(config, "10.0.0.2"), http::FilterStatus::kContinue) << "another client";
}

TEST_F(RateLimitFilterTest, ALimitNoSnapshotHoldsStartsAfresh) {
  EXPECT_EQ(run(limit(1, "global", "route.gone")), http::FilterStatus::kContinue);
  keep_.clear();
  EXPECT_EQ(run(limit(1, "global", "route.gone")), http::FilterStatus::kContinue) << "freed with its last holder";
}

TEST_F(RateLimitFilterTest, CountersSurviveRecompilationOfTheSameLimit) {
  const RateLimit config = limit(1, "global");
  EXPECT_EQ(run(config), http::FilterStatus::kContinue);
  EXPECT_EQ(run(config, "10.9.9.9"), http::FilterStatus::kLocalReply) << "recompiled, same registry entry";
  EXPECT_EQ(run(limit(1, "global", "route.other")), http::FilterStatus::kContinue) << "another scope";
}

TEST_F(RateLimitFilterTest, ConsumerKeyFallsBackToTheClientAddress) {
  http::Consumer alice;
  alice.name = "alice";
  const RateLimit config = limit(1, "consumer");
  EXPECT_EQ(run(config, "10.0.0.1", &alice), http::FilterStatus::kContinue);
  EXPECT_EQ(run(config, "10.0.0.2", &alice), http::FilterStatus::kLocalReply) << "one bucket for alice";
  EXPECT_EQ(run(config, "10.0.0.1"), http::FilterStatus::kContinue) << "anonymous: by address";
  EXPECT_EQ(run(config, "10.0.0.1"), http::FilterStatus::kLocalReply);
}

TEST_F(RateLimitFilterTest, HeaderKey) {
  const RateLimit config = limit(1, "header:X-Tenant");
  EXPECT_EQ(run(config, "10.0.0.1", nullptr, "t1"), http::FilterStatus::kContinue);
  EXPECT_EQ(run(config, "10.0.0.2", nullptr, "t1"), http::FilterStatus::kLocalReply);
  EXPECT_EQ(run(config, "10.0.0.1", nullptr, "t2"), http::FilterStatus::kContinue);
}

TEST_F(RateLimitFilterTest, BurstAllowsMoreThanTheLimitAtFirst) {
  RateLimit config = limit(2, "global");
  config.set_burst(4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(run(config), http::FilterStatus::kContinue) << i;
  EXPECT_EQ(run(config), http::FilterStatus::kLocalReply);
}

TEST_F(RateLimitFilterTest, BadConfigsAreRefused) {
  RateLimit redis = limit(5, "global");
  redis.set_policy(RateLimit::REDIS);
  EXPECT_EQ(rateLimitFactory().createRouteConfig(packed(redis), context_).status().message(),
            "redis.address: required with policy REDIS");
  EXPECT_EQ(rateLimitFactory().createRouteConfig(packed(limit(1, "cookie:x")), context_).status().message(),
            "key: \"cookie:x\" is not consumer, client_ip, global, header:<name> or claim:<name>");
  RateLimit sliding = limit(1, "global");
  sliding.set_algorithm(RateLimit::SLIDING_WINDOW);
  EXPECT_FALSE(rateLimitFactory().createRouteConfig(packed(sliding), context_).ok());
}

}  // namespace
}  // namespace portico::dp::filters::rate_limit
