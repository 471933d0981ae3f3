#include "data-plane/filters/rate_limit/rate_limit_filter.h"

#include <google/protobuf/any.pb.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/filters/rate_limit/bucket_table.h"
#include "data-plane/filters/rate_limit/limiter_registry.h"
#include "data-plane/http/consumer.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"

namespace portico::dp::filters::rate_limit {

namespace {

namespace rl = portico::filters::rate_limit::v1;
using Clock = BucketTable::Clock;

class Limit : public http::FilterRouteConfig {
 public:
  enum class Key { kConsumer, kClientIp, kHeader, kClaim, kGlobal };
  Key key = Key::kClientIp;
  std::string key_name;  // header (lower case) or claim
  uint64_t limit = 0;
  std::string limit_text;
  std::shared_ptr<BucketTable> table;  // null: policy REDIS, not implemented here
};

absl::StatusOr<Limit::Key> parseKey(const std::string& key, std::string& name) {
  if (key.empty() || key == "client_ip") return Limit::Key::kClientIp;
  if (key == "consumer") return Limit::Key::kConsumer;
  if (key == "global") return Limit::Key::kGlobal;
  if (absl::StartsWith(key, "header:") && key.size() > 7) {
    name = absl::AsciiStrToLower(key.substr(7));
    return Limit::Key::kHeader;
  }
  if (absl::StartsWith(key, "claim:") && key.size() > 6) {
    name = key.substr(6);
    return Limit::Key::kClaim;
  }
  return absl::InvalidArgumentError(
      cat("key: \"", key, "\" is not consumer, client_ip, global, header:<name> or claim:<name>"));
}

absl::StatusOr<std::shared_ptr<const Limit>> compileLimit(const google::protobuf::Any& any,
                                                          const http::FilterBuildContext& context) {
  rl::RateLimit in;
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(cat("expected portico.filters.rate_limit.v1.RateLimit, got ", any.type_url()));
  }
  auto out = std::make_shared<Limit>();
  auto key = parseKey(in.key(), out->key_name);
  if (!key.ok()) return key.status();
  out->key = *key;
  if (in.limit() == 0) return absl::InvalidArgumentError("limit: must be at least 1");
  const auto window = std::chrono::seconds(in.window().seconds()) + std::chrono::nanoseconds(in.window().nanos());
  if (window < std::chrono::milliseconds(1)) return absl::InvalidArgumentError("window: must be at least 1ms");
  out->limit = in.limit();
  out->limit_text = std::to_string(in.limit());
  if (in.policy() == rl::RateLimit::REDIS) return std::shared_ptr<const Limit>(out);  // fails closed
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

std::string claimText(const boost::json::object& claims, const std::string& name) {
  auto it = claims.find(name);
  if (it == claims.end()) return "";
  if (const auto* s = it->value().if_string()) return std::string(*s);
  if (it->value().is_int64()) return std::to_string(it->value().get_int64());
  if (it->value().is_uint64()) return std::to_string(it->value().get_uint64());
  return "";
}

// "<kind>:<value>" so that values of different kinds never share a bucket.
std::string bucketKey(const Limit& limit, const http::FilterState& state) {
  switch (limit.key) {
    case Limit::Key::kGlobal:
      return "global";
    case Limit::Key::kConsumer:
      if (state.consumer != nullptr) return cat("consumer:", state.consumer->name);
      break;
    case Limit::Key::kHeader:
      if (auto it = state.request->find(limit.key_name); it != state.request->end()) return cat("header:", it->value());
      break;
    case Limit::Key::kClaim:
      if (state.jwt_claims != nullptr) {
        std::string value = claimText(*state.jwt_claims, limit.key_name);
        if (!value.empty()) return cat("claim:", value);
      }
      break;
    case Limit::Key::kClientIp:
      break;
  }
  return cat("ip:", state.client_address);
}

std::string seconds(Clock::duration d) {
  const auto s = std::chrono::ceil<std::chrono::seconds>(d).count();
  return std::to_string(std::max<int64_t>(s, 0));
}

class RateLimitFilter : public http::HttpFilter {
 public:
  explicit RateLimitFilter(std::shared_ptr<const Limit> defaults) : defaults_(std::move(defaults)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    const Limit* limit = route != nullptr ? static_cast<const Limit*>(route) : defaults_.get();
    if (limit == nullptr || limit->table == nullptr) {
      state.reply.status = 503;
      state.reply.code = "filter_not_supported";
      state.reply.message = limit == nullptr ? "rate-limit is enabled on this route without a configuration"
                                             : "rate-limit with policy redis is not implemented by this proxy version";
      return http::FilterStatus::kLocalReply;
    }
    const BucketTable::Decision decision = limit->table->take(bucketKey(*limit, state));
    const std::string remaining = std::to_string(decision.remaining);
    const std::string reset = seconds(decision.reset);
    auto& headers = state.response_headers;
    headers.reserve(headers.size() + 5);  // one allocation, not the four of growing from empty
    headers.emplace_back("ratelimit-limit", limit->limit_text);
    headers.emplace_back("ratelimit-remaining", remaining);
    headers.emplace_back("ratelimit-reset", reset);
    headers.emplace_back("x-ratelimit-limit", limit->limit_text);
    headers.emplace_back("x-ratelimit-remaining", remaining);
    if (decision.allowed) return http::FilterStatus::kContinue;
    state.reply.status = 429;
    state.reply.code = "rate_limited";
    state.reply.message = cat("rate limit of ", limit->limit_text, " exceeded; retry in ", std::max<std::string>(reset, "1"), " s");
    state.reply.headers.emplace_back("retry-after", reset == "0" ? "1" : reset);
    return http::FilterStatus::kLocalReply;
  }

 private:
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
