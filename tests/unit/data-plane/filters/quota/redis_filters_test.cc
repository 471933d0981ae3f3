// The rate-limit filter with policy REDIS and the quota filter, built through their factories
// as a snapshot builds them, against a real Redis: headers, refusals, and fail open / closed
// when Redis is gone.

#include <gtest/gtest.h>

#include "data-plane/filters/quota/quota_filter.h"
#include "data-plane/filters/rate_limit/rate_limit_filter.h"
#include "data-plane/http/consumer.h"
#include "portico/filters/quota/v1/quota.pb.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_env.h"
#include "tests/unit/data-plane/filters/filter_test_util.h"
#include "tests/unit/data-plane/redis/redis_test_util.h"

namespace portico::dp::filters {
namespace {

using portico::filters::quota::v1::Quota;
using portico::filters::rate_limit::v1::RateLimit;
using testing::packed;
using testing::RequestUnderTest;

std::string header(const http::FilterState& state, const std::string& name) {
  for (const auto& [n, v] : state.response_headers) {
    if (n == name) return v;
  }
  for (const auto& [n, v] : state.reply.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

class RedisFiltersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = portico::testing::RedisServer::start(portico::testing::makeTempDir("redis-filters"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  RateLimit redisLimit(uint64_t n, bool fail_open) const {
    RateLimit out;
    out.set_limit(n);
    out.mutable_window()->set_seconds(3600);
    out.set_key("consumer");
    out.set_scope("route.orders");
    out.set_policy(RateLimit::REDIS);
    out.set_algorithm(RateLimit::SLIDING_WINDOW);
    out.mutable_redis()->set_address(server_->address());
    out.mutable_redis()->mutable_timeout()->set_nanos(500'000'000);
    out.set_fail_open(fail_open);
    return out;
  }

  Quota quota(uint64_t n, bool fail_open) const {
    Quota out;
    out.set_limit(n);
    out.set_period(Quota::DAY);
    out.set_key("consumer");
    out.set_scope("global");
    out.mutable_redis()->set_address(server_->address());
    out.set_fail_open(fail_open);
    return out;
  }

  // Runs the filter's decodeHeaders and, when it asks to wait, its decodeHeadersAsync.
  template <typename Config>
  http::FilterStatus run(const http::FilterFactory& factory, const Config& config) {
    auto filter = factory.createFilter(packed(Config()), context_);
    EXPECT_TRUE(filter.ok()) << filter.status();
    auto route = factory.createRouteConfig(packed(config), context_);
    EXPECT_TRUE(route.ok()) << route.status();
    last_ = std::make_unique<RequestUnderTest>("/orders");
    last_->state.client_address = "10.1.2.3";
    last_->state.consumer = &alice_;
    http::FilterStatus status = (*filter)->decodeHeaders(last_->state, route->get());
    if (status != http::FilterStatus::kAsync) return status;
    auto async = redis::testing::runOne(io_, (*filter)->decodeHeadersAsync(last_->state, route->get()));
    EXPECT_TRUE(async.has_value());
    return async.value_or(http::FilterStatus::kAsync);
  }

  boost::asio::io_context io_;
  std::unique_ptr<portico::testing::RedisServer> server_;
  http::FilterBuildContext context_;
  http::Consumer alice_{.name = "alice"};
  std::unique_ptr<RequestUnderTest> last_;
};

TEST_F(RedisFiltersTest, RedisRateLimitSetsHeadersAndRefusesWith429) {
  const RateLimit config = redisLimit(2, true);
  EXPECT_EQ(run(rate_limit::rateLimitFactory(), config), http::FilterStatus::kContinue);
  EXPECT_EQ(header(last_->state, "ratelimit-limit"), "2");
  EXPECT_EQ(header(last_->state, "ratelimit-remaining"), "1");
  EXPECT_EQ(run(rate_limit::rateLimitFactory(), config), http::FilterStatus::kContinue);
  ASSERT_EQ(run(rate_limit::rateLimitFactory(), config), http::FilterStatus::kLocalReply);
  EXPECT_EQ(last_->state.reply.status, 429);
  EXPECT_EQ(last_->state.reply.code, "rate_limited");
  EXPECT_NE(header(last_->state, "retry-after"), "<absent>");
  EXPECT_EQ(*server_->command({"ZCARD", "portico:rl:route.orders:SLIDING_WINDOW:2:0:3600000:consumer:alice"}), "2");
}

TEST_F(RedisFiltersTest, RedisRateLimitFailsOpenOrClosedAsConfigured) {
  server_->kill();
  EXPECT_EQ(run(rate_limit::rateLimitFactory(), redisLimit(2, true)), http::FilterStatus::kContinue);
  EXPECT_EQ(header(last_->state, "ratelimit-limit"), "<absent>") << "no counter, no headers";
  ASSERT_EQ(run(rate_limit::rateLimitFactory(), redisLimit(2, false)), http::FilterStatus::kLocalReply);
  EXPECT_EQ(last_->state.reply.status, 503);
  EXPECT_EQ(last_->state.reply.code, "rate_limit_unavailable");
}

TEST_F(RedisFiltersTest, BadRedisAddressIsAConfigError) {
  RateLimit config = redisLimit(2, true);
  config.mutable_redis()->set_address("redis-without-port");
  auto route = rate_limit::rateLimitFactory().createRouteConfig(packed(config), context_);
  ASSERT_FALSE(route.ok());
  EXPECT_NE(route.status().message().find("redis.address"), std::string::npos) << route.status();
  Quota q = quota(1, true);
  q.mutable_redis()->clear_address();
  EXPECT_FALSE(quota::quotaFactory().createRouteConfig(packed(q), context_).ok());
}

TEST_F(RedisFiltersTest, QuotaCountsDownThenRefusesUntilTheNextPeriod) {
  const Quota config = quota(2, true);
  EXPECT_EQ(run(quota::quotaFactory(), config), http::FilterStatus::kContinue);
  EXPECT_EQ(header(last_->state, "x-quota-limit"), "2");
  EXPECT_EQ(header(last_->state, "x-quota-remaining"), "1");
  const int64_t reset = std::stoll(header(last_->state, "x-quota-reset"));
  EXPECT_GT(reset, 0);
  EXPECT_LE(reset, 86400);
  EXPECT_EQ(run(quota::quotaFactory(), config), http::FilterStatus::kContinue);
  EXPECT_EQ(header(last_->state, "x-quota-remaining"), "0");
  ASSERT_EQ(run(quota::quotaFactory(), config), http::FilterStatus::kLocalReply);
  EXPECT_EQ(last_->state.reply.status, 429);
  EXPECT_EQ(last_->state.reply.code, "quota_exceeded");
  EXPECT_EQ(header(last_->state, "retry-after"), header(last_->state, "x-quota-reset"));
}

TEST_F(RedisFiltersTest, QuotaFailsOpenOrClosedAsConfigured) {
  server_->kill();
  EXPECT_EQ(run(quota::quotaFactory(), quota(2, true)), http::FilterStatus::kContinue);
  ASSERT_EQ(run(quota::quotaFactory(), quota(2, false)), http::FilterStatus::kLocalReply);
  EXPECT_EQ(last_->state.reply.status, 503);
  EXPECT_EQ(last_->state.reply.code, "quota_unavailable");
}

}  // namespace
}  // namespace portico::dp::filters
