#include "data-plane/filters/quota/quota_filter.h"

#include <google/protobuf/any.pb.h>

#include <chrono>
#include <string>

#include "common/strings.h"
#include "data-plane/filters/quota/quota_counter.h"
#include "data-plane/filters/rate_limit/limit_key.h"
#include "data-plane/redis/redis_target.h"
#include "portico/filters/quota/v1/quota.pb.h"

namespace portico::dp::filters::quota {

namespace {

namespace pq = portico::filters::quota::v1;

class QuotaConfig : public http::FilterRouteConfig {
 public:
  rate_limit::LimitKey key;
  std::string limit_text;
  std::shared_ptr<const QuotaCounter> counter;
  bool fail_open = true;
};

absl::StatusOr<std::shared_ptr<const QuotaConfig>> compileQuota(const google::protobuf::Any& any,
                                                                const http::FilterBuildContext& context) {
  pq::Quota in;
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(cat("expected portico.filters.quota.v1.Quota, got ", any.type_url()));
  }
  if (in.limit() == 0) return absl::InvalidArgumentError("limit: must be at least 1");
  auto key = rate_limit::LimitKey::parse(in.key().empty() ? "consumer" : in.key());
  if (!key.ok()) return key.status();
  auto target = redis::compileTarget(in.redis(), context.redis, context.worker_count, "");
  if (!target.ok()) return target.status();
  QuotaCounter::Settings settings;
  settings.limit = in.limit();
  settings.period = in.period() == pq::Quota::DAY ? PeriodKind::kDay : PeriodKind::kMonth;
  settings.timeout = target->timeout;
  // Not the limit: raising a plan's limit keeps what was used this period.
  settings.key_prefix = cat("portico:quota:", in.scope(), ":");
  auto out = std::make_shared<QuotaConfig>();
  out->key = std::move(*key);
  out->limit_text = std::to_string(in.limit());
  out->counter = std::make_shared<const QuotaCounter>(std::move(target->client), std::move(settings));
  out->fail_open = in.fail_open();
  return std::shared_ptr<const QuotaConfig>(std::move(out));
}

class QuotaFilter : public http::HttpFilter {
 public:
  explicit QuotaFilter(std::shared_ptr<const QuotaConfig> defaults) : defaults_(std::move(defaults)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    if (effective(route) != nullptr) return http::FilterStatus::kAsync;
    state.reply.status = 503;
    state.reply.code = "filter_not_supported";
    state.reply.message = "quota is enabled on this route without a configuration";
    return http::FilterStatus::kLocalReply;
  }

  net::Awaitable<http::FilterStatus> decodeHeadersAsync(http::FilterState& state,
                                                        const http::FilterRouteConfig* route) const override {
    const QuotaConfig& quota = *effective(route);
    auto decision =
        co_await quota.counter->take(state.worker_index, quota.key.of(state), std::chrono::system_clock::now());
    if (!decision.ok()) {
      if (quota.fail_open) co_return http::FilterStatus::kContinue;
      state.reply.status = 503;
      state.reply.code = "quota_unavailable";
      state.reply.message = cat("the quota store is unavailable: ", decision.status().message());
      co_return http::FilterStatus::kLocalReply;
    }
    const std::string reset = std::to_string(decision->reset.count());
    state.response_headers.emplace_back("x-quota-limit", quota.limit_text);
    state.response_headers.emplace_back("x-quota-remaining", std::to_string(decision->remaining));
    state.response_headers.emplace_back("x-quota-reset", reset);
    if (decision->allowed) co_return http::FilterStatus::kContinue;
    state.reply.status = 429;
    state.reply.code = "quota_exceeded";
    state.reply.message = cat("quota of ", quota.limit_text, " requests per ",
                              quota.counter->settings().period == PeriodKind::kDay ? "day" : "month",
                              " used up; it renews in ", reset, " s");
    state.reply.headers.emplace_back("retry-after", reset);
    co_return http::FilterStatus::kLocalReply;
  }

 private:
  const QuotaConfig* effective(const http::FilterRouteConfig* route) const {
    return route != nullptr ? static_cast<const QuotaConfig*>(route) : defaults_.get();
  }

  std::shared_ptr<const QuotaConfig> defaults_;  // null: only routes with their own config
};

class QuotaFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext& context) const override {
    pq::Quota probe;
    if (config.UnpackTo(&probe) && probe.limit() == 0) {
      return std::make_shared<QuotaFilter>(nullptr);  // no filter-level quota (disabled by default)
    }
    auto quota = compileQuota(config, context);
    if (!quota.ok()) return quota.status();
    return std::make_shared<QuotaFilter>(std::move(*quota));
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext& context) const override {
    auto quota = compileQuota(config, context);
    if (!quota.ok()) return quota.status();
    return http::FilterRouteConfigConstSharedPtr(std::move(*quota));
  }
};

}  // namespace

const http::FilterFactory& quotaFactory() {
  static const QuotaFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::quota
