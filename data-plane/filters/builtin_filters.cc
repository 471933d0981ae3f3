#include "data-plane/filters/builtin_filters.h"

#include <utility>

#include "data-plane/filters/authorize/authorize_filter.h"
#include "data-plane/filters/cache/cache_filter.h"
#include "data-plane/filters/cors/cors_filter.h"
#include "data-plane/filters/jwt_authn/jwt_authn_factory.h"
#include "data-plane/filters/ext_auth/ext_auth_filter.h"
#include "data-plane/filters/key_auth/key_auth_filter.h"
#include "data-plane/filters/quota/quota_filter.h"
#include "data-plane/filters/rate_limit/rate_limit_filter.h"
#include "data-plane/filters/request_size_limit/request_size_limit_filter.h"

namespace portico::dp::filters {

const http::FilterFactory* findFilterFactory(std::string_view type_url) {
  // One entry per implemented filter: {type URL of its filter-level config, its factory}.
  static const std::pair<std::string_view, const http::FilterFactory*> kFactories[] = {
      {"type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors", &cors::corsFactory()},
      {"type.googleapis.com/portico.filters.key_auth.v1.KeyAuth", &key_auth::keyAuthFactory()},
      {"type.googleapis.com/portico.filters.authorize.v1.Authorize", &authorize::authorizeFactory()},
      {jwt_authn::kJwtAuthnType, &jwt_authn::jwtAuthnFactory()},
      {"type.googleapis.com/portico.filters.ext_auth.v1.ExtAuth", &ext_auth::extAuthFactory()},
      {"type.googleapis.com/portico.filters.rate_limit.v1.RateLimit", &rate_limit::rateLimitFactory()},
      {"type.googleapis.com/portico.filters.quota.v1.Quota", &quota::quotaFactory()},
      {"type.googleapis.com/portico.filters.request_size_limit.v1.RequestSizeLimit",
       &request_size_limit::requestSizeLimitFactory()},
      {"type.googleapis.com/portico.filters.cache.v1.Cache", &cache::cacheFactory()},
  };
  for (const auto& [url, factory] : kFactories) {
    if (url == type_url) return factory;
  }
  return nullptr;
}

}  // namespace portico::dp::filters
