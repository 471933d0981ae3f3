#include "control-plane/translator/plugin_messages.h"

#include "absl/strings/str_join.h"
#include "control-plane/translator/proto_util.h"
#include "envoy/extensions/filters/http/cors/v3/cors.pb.h"
#include "portico/filters/authorize/v1/authorize.pb.h"
#include "portico/filters/cache/v1/cache.pb.h"
#include "portico/filters/ext_auth/v1/ext_auth.pb.h"
#include "portico/filters/headers/v1/headers.pb.h"
#include "portico/filters/key_auth/v1/key_auth.pb.h"
#include "portico/filters/quota/v1/quota.pb.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"
#include "portico/filters/request_size_limit/v1/request_size_limit.pb.h"

namespace portico::cp::translator {

namespace pf = portico::filters;

namespace {

void setRedis(const model::RedisConfig& in, pf::common::v1::Redis* out) {
  out->set_address(in.address);
  setDuration(in.timeout, out->mutable_timeout());
}

template <typename T>
google::protobuf::Any pack(const T& message) {
  google::protobuf::Any any;
  packDeterministic(message, &any);
  return any;
}

google::protobuf::Any keyAuth(const model::KeyAuthConfig& in) {
  pf::key_auth::v1::KeyAuth out;
  out.set_header(in.header);
  out.set_query(in.query);
  out.set_hide_credentials(in.hide_credentials);
  return pack(out);
}

void addRules(const std::vector<model::AuthorizeRule>& in,
              google::protobuf::RepeatedPtrField<pf::authorize::v1::Rule>* out) {
  for (const model::AuthorizeRule& rule : in) {
    pf::authorize::v1::Rule* r = out->Add();
    r->set_claim(rule.claim);
    for (const std::string& v : rule.in) r->add_in(v);
    r->set_contains(rule.contains);
    r->set_consumer_group(rule.consumer_group);
  }
}

google::protobuf::Any authorize(const model::AuthorizeConfig& in) {
  pf::authorize::v1::Authorize out;
  addRules(in.any_of, out.mutable_any_of());
  addRules(in.all_of, out.mutable_all_of());
  return pack(out);
}

google::protobuf::Any extAuth(const model::ExtAuthConfig& in) {
  pf::ext_auth::v1::ExtAuth out;
  out.set_url(in.url);
  for (const auto& h : in.identity_headers) out.add_identity_headers(h);
  for (const auto& h : in.upstream_headers) out.add_upstream_headers(h);
  setDuration(in.cache_ttl, out.mutable_cache_ttl());
  setDuration(in.timeout, out.mutable_timeout());
  out.set_fail_open(in.fail_open);
  return pack(out);
}

google::protobuf::Any rateLimit(const model::RateLimitConfig& in, const std::string& scope) {
  pf::rate_limit::v1::RateLimit out;
  out.set_scope(scope);
  out.set_limit(in.limit);
  setDuration(in.window, out.mutable_window());
  out.set_burst(in.burst);
  out.set_key(in.key);
  out.set_policy(in.policy == model::RateLimitConfig::Policy::kRedis ? pf::rate_limit::v1::RateLimit::REDIS
                                                                     : pf::rate_limit::v1::RateLimit::LOCAL);
  if (in.redis) setRedis(*in.redis, out.mutable_redis());
  switch (in.algorithm) {
    case model::RateLimitConfig::Algorithm::kTokenBucket:
      out.set_algorithm(pf::rate_limit::v1::RateLimit::TOKEN_BUCKET);
      break;
    case model::RateLimitConfig::Algorithm::kFixedWindow:
      out.set_algorithm(pf::rate_limit::v1::RateLimit::FIXED_WINDOW);
      break;
    case model::RateLimitConfig::Algorithm::kSlidingWindow:
      out.set_algorithm(pf::rate_limit::v1::RateLimit::SLIDING_WINDOW);
      break;
  }
  out.set_fail_open(in.fail_open);
  return pack(out);
}

google::protobuf::Any quota(const model::QuotaConfig& in, const std::string& scope) {
  pf::quota::v1::Quota out;
  out.set_scope(scope);
  out.set_limit(in.limit);
  out.set_period(in.period == model::QuotaConfig::Period::kDay ? pf::quota::v1::Quota::DAY
                                                               : pf::quota::v1::Quota::MONTH);
  out.set_key(in.key);
  setRedis(in.redis, out.mutable_redis());
  out.set_fail_open(in.fail_open);
  return pack(out);
}

google::protobuf::Any requestSizeLimit(const model::RequestSizeLimitConfig& in) {
  pf::request_size_limit::v1::RequestSizeLimit out;
  out.set_max_body_bytes(in.max_body_bytes);
  return pack(out);
}

google::protobuf::Any cache(const model::CacheConfig& in) {
  pf::cache::v1::Cache out;
  setDuration(in.ttl, out.mutable_ttl());
  for (const auto& m : in.methods) out.add_methods(m);
  for (uint32_t s : in.statuses) out.add_statuses(s);
  for (const auto& c : in.content_types) out.add_content_types(c);
  out.set_max_size_bytes(in.max_size_bytes);
  out.set_max_entry_bytes(in.max_entry_bytes);
  out.set_include_query(in.include_query);
  for (const auto& q : in.query_params) out.add_query_params(q);
  for (const auto& h : in.key_headers) out.add_key_headers(h);
  out.set_backend(in.backend == model::CacheConfig::Backend::kRedis ? pf::cache::v1::Cache::REDIS
                                                                    : pf::cache::v1::Cache::MEMORY);
  if (in.redis) setRedis(*in.redis, out.mutable_redis());
  return pack(out);
}

google::protobuf::Any headers(const model::HeadersConfig& in, bool response) {
  pf::headers::v1::HeaderMutation out;
  for (const auto& [name, value] : in.add) {
    auto* h = out.add_add();
    h->set_name(name);
    h->set_value(value);
  }
  for (const auto& [name, value] : in.set) {
    auto* h = out.add_set();
    h->set_name(name);
    h->set_value(value);
  }
  for (const auto& name : in.remove) out.add_remove(name);
  out.set_response(response);
  return pack(out);
}

}  // namespace

google::protobuf::Any corsPolicy(const model::CorsConfig& in) {
  envoy::extensions::filters::http::cors::v3::CorsPolicy out;
  for (const std::string& origin : in.origins) {
    auto* matcher = out.add_allow_origin_string_match();
    if (origin == "*") {
      matcher->set_prefix("");  // any origin
    } else if (!origin.empty() && origin[0] == '~') {
      matcher->mutable_safe_regex()->set_regex(origin.substr(1));
    } else {
      matcher->set_exact(origin);
    }
  }
  out.set_allow_methods(absl::StrJoin(in.methods, ","));
  out.set_allow_headers(absl::StrJoin(in.headers, ","));
  out.set_expose_headers(absl::StrJoin(in.expose_headers, ","));
  if (in.max_age > absl::ZeroDuration()) {
    out.set_max_age(std::to_string(absl::ToInt64Seconds(in.max_age)));
  }
  out.mutable_allow_credentials()->set_value(in.credentials);
  return pack(out);
}

google::protobuf::Any pluginMessage(const std::string& plugin, const model::PluginConfig& config,
                                    const std::string& scope) {
  if (const auto* c = std::get_if<model::KeyAuthConfig>(&config)) return keyAuth(*c);
  if (const auto* c = std::get_if<model::AuthorizeConfig>(&config)) return authorize(*c);
  if (const auto* c = std::get_if<model::ExtAuthConfig>(&config)) return extAuth(*c);
  if (const auto* c = std::get_if<model::RateLimitConfig>(&config)) return rateLimit(*c, scope);
  if (const auto* c = std::get_if<model::QuotaConfig>(&config)) return quota(*c, scope);
  if (const auto* c = std::get_if<model::RequestSizeLimitConfig>(&config)) return requestSizeLimit(*c);
  if (const auto* c = std::get_if<model::CacheConfig>(&config)) return cache(*c);
  if (const auto* c = std::get_if<model::HeadersConfig>(&config)) return headers(*c, plugin == "response-headers");
  if (const auto* c = std::get_if<model::CorsConfig>(&config)) return corsPolicy(*c);
  return {};
}

}  // namespace portico::cp::translator
