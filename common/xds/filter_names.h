#pragma once

// HTTP filter names as they appear in HttpConnectionManager.http_filters and as keys of
// typed_per_filter_config. Envoy's names where Envoy has the filter; Portico's own otherwise.
// Shared by the control plane (which emits them) and the proxy (which implements them).

#include <string_view>

namespace portico::xds {

inline constexpr std::string_view kConsumersFilter = "portico.filters.http.consumers";
inline constexpr std::string_view kCorsFilter = "envoy.filters.http.cors";
inline constexpr std::string_view kRequestSizeLimitFilter = "portico.filters.http.request_size_limit";
inline constexpr std::string_view kKeyAuthFilter = "portico.filters.http.key_auth";
inline constexpr std::string_view kJwtFilter = "envoy.filters.http.jwt_authn";
inline constexpr std::string_view kExtAuthFilter = "portico.filters.http.ext_auth";
inline constexpr std::string_view kAuthorizeFilter = "portico.filters.http.authorize";
inline constexpr std::string_view kRateLimitFilter = "portico.filters.http.rate_limit";
inline constexpr std::string_view kQuotaFilter = "portico.filters.http.quota";
inline constexpr std::string_view kCacheFilter = "portico.filters.http.cache";
inline constexpr std::string_view kRequestHeadersFilter = "portico.filters.http.request_headers";
inline constexpr std::string_view kResponseHeadersFilter = "portico.filters.http.response_headers";
inline constexpr std::string_view kGrpcTranscodeFilter = "envoy.filters.http.grpc_json_transcoder";

// The filter each portico.yaml plugin becomes.
inline std::string_view filterForPlugin(std::string_view plugin) {
  if (plugin == "cors") return kCorsFilter;
  if (plugin == "request-size-limit") return kRequestSizeLimitFilter;
  if (plugin == "key-auth") return kKeyAuthFilter;
  if (plugin == "jwt") return kJwtFilter;
  if (plugin == "ext-auth") return kExtAuthFilter;
  if (plugin == "authorize") return kAuthorizeFilter;
  if (plugin == "rate-limit") return kRateLimitFilter;
  if (plugin == "quota") return kQuotaFilter;
  if (plugin == "cache") return kCacheFilter;
  if (plugin == "request-headers") return kRequestHeadersFilter;
  if (plugin == "response-headers") return kResponseHeadersFilter;
  if (plugin == "grpc-transcode") return kGrpcTranscodeFilter;
  return {};
}

}  // namespace portico::xds
