#include "data-plane/filters/rate_limit/rate_limit_filter.h"

#include <google/protobuf/any.pb.h>

#include <chrono>
#include <string>

#include "common/strings.h"
#include "data-plane/filters/rate_limit/bucket_table.h"
#include "data-plane/filters/rate_limit/limit_key.h"
#include "data-plane/filters/rate_limit/limiter_registry.h"
#include "data-plane/filters/rate_limit/redis_limiter.h"
#include "data-plane/redis/redis_target.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"

namespace portico::dp::filters::rate_limit {

namespace {

namespace rl = portico::filters::rate_limit::v1;
using Clock = BucketTable::Clock;

class Limit : public http::FilterRouteConfig {
 public:
  LimitKey key;
  uint64_t limit = 0;
  std::string limit_text;
  std::shared_ptr<BucketTable> table;           // policy LOCAL
  std::shared_ptr<const RedisLimiter> redis;    // policy REDIS
  bool fail_open = true;                        // policy REDIS: Redis unreachable → let through
};

absl::StatusOr<std::shared_ptr<const RedisLimiter>> compileRedis(const rl::RateLimit& in,
                                                                 std::chrono::milliseconds window,
                                                                 const http::FilterBuildContext& context) {
  auto target = redis::compileTarget(in.redis(), context.redis, context.worker_count, "with policy REDIS");
  if (!target.ok()) return target.status();
  RedisLimiter::Settings settings;
  switch (in.algorithm()) {
    case rl::RateLimit::FIXED_WINDOW:
      settings.algorithm = RedisLimiter::Algorithm::kFixedWindow;
      break;
    case rl::RateLimit::SLIDING_WINDOW:
      settings.algorithm = RedisLimiter::Algorithm::kSlidingWindow;
      break;
    default:
      settings.algorithm = RedisLimiter::Algorithm::kTokenBucket;
      break;
  }
  settings.limit = in.limit();
  settings.burst = in.burst();
  settings.window = window;
  settings.timeout = target->timeout;
  // The instance and its settings name the counters: a changed limit starts fresh ones.
  settings.key_prefix = cat("portico:rl:", in.scope(), ":", rl::RateLimit::Algorithm_Name(in.algorithm()), ":",
                            in.limit(), ":", in.burst(), ":", window.count(), ":");
  return std::make_shared<const RedisLimiter>(std::move(target->client), std::move(settings));
}

absl::StatusOr<std::shared_ptr<const Limit>> compileLimit(const google::protobuf::Any& any,
                                                          const http::FilterBuildContext& context) {
  rl::RateLimit in;
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(cat("expected portico.filters.rate_limit.v1.RateLimit, got ", any.type_url()));
  }
  auto out = std::make_shared<Limit>();
  auto key = LimitKey::parse(in.key());
  if (!key.ok()) return key.status();
  out->key = std::move(*key);
  if (in.limit() == 0) return absl::InvalidArgumentError("limit: must be at least 1");
  const auto window = std::chrono::seconds(in.window().seconds()) + std::chrono::nanoseconds(in.window().nanos());
  if (window < std::chrono::milliseconds(1)) return absl::InvalidArgumentError("window: must be at least 1ms");
  out->limit = in.limit();
  out->limit_text = std::to_string(in.limit());
  if (in.policy() == rl::RateLimit::REDIS) {
    auto limiter = compileRedis(in, std::chrono::duration_cast<std::chrono::milliseconds>(window), context);
    if (!limiter.ok()) return limiter.status();
    out->redis = std::move(*limiter);
    out->fail_open = in.fail_open();
    return std::shared_ptr<const Limit>(out);
  }
  if (in.algorithm() == rl::RateLimit::SLIDING_WINDOW) {
    return absl::InvalidArgumentError("algorithm: SLIDING_WINDOW needs policy REDIS");
  }
  BucketShape shape;
  shape.tokens_per_fill = in.limit();
  shape.max_tokens = in.algorithm() == rl::RateLimit::FIXED_WINDOW || in.burst() == 0 ? in.limit() : in.burst();
  const auto interval = std::chrono::duration_cast<Clock::duration>(window);
  // The same instance with the same settings keeps its buckets across pushes.
  const std::string identity = cat(in.scope(), "|", in.SerializeAsString());
  out->table = context.rate_limits != nullptr ? context.rate_limits->get(identity, shape, interval)
                                              : std::make_shared<BucketTable>(shape, interval);
  return std::shared_ptr<const Limit>(out);
}

std::string seconds(Clock::duration d) {
  const auto s = std::chrono::ceil<std::chrono::seconds>(d).count();
  return std::to_string(std::max<int64_t>(s, 0));
}

// The RateLimit-* headers for every response on the route, and a 429 when refused.
http::FilterStatus decide(http::FilterState& state, const Limit& limit, const BucketTable::Decision& decision) {
  const std::string remaining = std::to_string(decision.remaining);
  const std::string reset = seconds(decision.reset);
  auto& headers = state.response_headers;
  headers.reserve(headers.size() + 5);  // one allocation, not the four of growing from empty
  headers.emplace_back("ratelimit-limit", limit.limit_text);
  headers.emplace_back("ratelimit-remaining", remaining);
  headers.emplace_back("ratelimit-reset", reset);
  headers.emplace_back("x-ratelimit-limit", limit.limit_text);
  headers.emplace_back("x-ratelimit-remaining", remaining);
  if (decision.allowed) return http::FilterStatus::kContinue;
  state.reply.status = 429;
  state.reply.code = "rate_limited";
  state.reply.message = cat("rate limit of ", limit.limit_text, " exceeded; retry in ", std::max<std::string>(reset, "1"), " s");
  state.reply.headers.emplace_back("retry-after", reset == "0" ? "1" : reset);
  return http::FilterStatus::kLocalReply;
}

class RateLimitFilter : public http::HttpFilter {
 public:
  explicit RateLimitFilter(std::shared_ptr<const Limit> defaults) : defaults_(std::move(defaults)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    const Limit* limit = effective(route);
    if (limit == nullptr) {
      state.reply.status = 503;
      state.reply.code = "filter_not_supported";
      state.reply.message = "rate-limit is enabled on this route without a configuration";
      return http::FilterStatus::kLocalReply;
    }
    if (limit->redis != nullptr) return http::FilterStatus::kAsync;
    // The bucket key in this worker thread's buffer: no allocation per request, whatever its length.
    thread_local std::string key;
    limit->key.write(state, key);
    return decide(state, *limit, limit->table->take(key));
  }

  net::Awaitable<http::FilterStatus> decodeHeadersAsync(http::FilterState& state,
                                                        const http::FilterRouteConfig* route) const override {
    const Limit& limit = *effective(route);
    auto decision = co_await limit.redis->take(state.worker_index, limit.key.of(state));
    if (decision.ok()) co_return decide(state, limit, *decision);
    // Redis is unreachable or too slow (its client logs and counts why).
    if (limit.fail_open) co_return http::FilterStatus::kContinue;
    state.reply.status = 503;
    state.reply.code = "rate_limit_unavailable";
    state.reply.message = cat("the rate-limit store is unavailable: ", decision.status().message());
    co_return http::FilterStatus::kLocalReply;
  }

 private:
  const Limit* effective(const http::FilterRouteConfig* route) const {
    return route != nullptr ? static_cast<const Limit*>(route) : defaults_.get();
  }

  std::shared_ptr<const Limit> defaults_;  // null: only routes with their own config
};

class RateLimitFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext& context) const override {
    rl::RateLimit probe;
    if (config.UnpackTo(&probe) && probe.limit() == 0) {
      return std::make_shared<RateLimitFilter>(nullptr);  // no filter-level limit (disabled by default)
    }
    auto limit = compileLimit(config, context);
    if (!limit.ok()) return limit.status();
    return std::make_shared<RateLimitFilter>(std::move(*limit));
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext& context) const override {
    auto limit = compileLimit(config, context);
    if (!limit.ok()) return limit.status();
    return http::FilterRouteConfigConstSharedPtr(std::move(*limit));
  }
};

}  // namespace

const http::FilterFactory& rateLimitFactory() {
  static const RateLimitFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::rate_limit
