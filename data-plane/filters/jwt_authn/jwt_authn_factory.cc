#include "data-plane/filters/jwt_authn/jwt_authn_factory.h"

#include <google/protobuf/any.pb.h>

#include "common/strings.h"
#include "data-plane/filters/jwt_authn/jwt_authn_filter.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"

namespace portico::dp::filters::jwt_authn {

namespace v3 = envoy::extensions::filters::http::jwt_authn::v3;

absl::StatusOr<http::HttpFilterConstSharedPtr> JwtAuthnFactory::createFilter(
    const google::protobuf::Any& config, const http::FilterBuildContext& context) const {
  v3::JwtAuthentication proto;
  if (config.type_url() != kJwtAuthnType || !config.UnpackTo(&proto)) {
    return absl::InvalidArgumentError(cat("cannot decode JwtAuthentication from ", config.type_url()));
  }
  portico::filters::jwt_policy::v1::JwtPolicy policy;
  if (context.jwt_policy != nullptr) {
    if (context.jwt_policy->type_url() != kJwtPolicyType || !context.jwt_policy->UnpackTo(&policy)) {
      return absl::InvalidArgumentError(cat("cannot decode the JwtPolicy companion from ", context.jwt_policy->type_url()));
    }
  }
  auto compiled = JwtAuthnConfig::create(proto, policy, context, clock_);
  if (!compiled.ok()) return compiled.status();
  return std::make_shared<const JwtAuthnFilter>(std::move(*compiled));
}

absl::StatusOr<http::FilterRouteConfigConstSharedPtr> JwtAuthnFactory::createRouteConfig(
    const google::protobuf::Any& config, const http::FilterBuildContext& context) const {
  (void)context;
  v3::PerRouteConfig proto;
  if (config.type_url() != kJwtPerRouteType || !config.UnpackTo(&proto)) {
    return absl::InvalidArgumentError(cat("cannot decode PerRouteConfig from ", config.type_url()));
  }
  switch (proto.requirement_specifier_case()) {
    case v3::PerRouteConfig::kDisabled:
      if (!proto.disabled()) return absl::InvalidArgumentError("disabled: must be true when set");
      return std::make_shared<const JwtRouteConfig>(true, "");
    case v3::PerRouteConfig::kRequirementName:
      if (proto.requirement_name().empty()) return absl::InvalidArgumentError("requirement_name: empty");
      return std::make_shared<const JwtRouteConfig>(false, proto.requirement_name());
    default:
      return absl::InvalidArgumentError("disabled or requirement_name is required");
  }
}

const http::FilterFactory& jwtAuthnFactory() {
  static const JwtAuthnFactory factory;
  return factory;
}

}  // namespace portico::dp::filters::jwt_authn
