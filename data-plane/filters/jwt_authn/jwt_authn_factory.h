#pragma once

// The jwt_authn factory: JwtAuthentication (+ the listener's JwtPolicy from the build context)
// → JwtAuthnFilter; PerRouteConfig → JwtRouteConfig. Registered in filters/builtin_filters.cc
// under kJwtAuthnType.

#include <string_view>

#include "data-plane/filters/jwt_authn/token_verifier.h"
#include "data-plane/http/filter.h"

namespace portico::dp::filters::jwt_authn {

inline constexpr std::string_view kJwtAuthnType =
    "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";
inline constexpr std::string_view kJwtPerRouteType =
    "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig";
inline constexpr std::string_view kJwtPolicyType = "type.googleapis.com/portico.filters.jwt_policy.v1.JwtPolicy";

class JwtAuthnFactory : public http::FilterFactory {
 public:
  // `clock`: tests only (null: the system clock).
  explicit JwtAuthnFactory(Clock clock = nullptr) : clock_(std::move(clock)) {}

  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext& context) const override;
  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext& context) const override;

 private:
  Clock clock_;
};

const http::FilterFactory& jwtAuthnFactory();

}  // namespace portico::dp::filters::jwt_authn
