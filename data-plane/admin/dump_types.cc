#include "data-plane/admin/dump_types.h"

#include <google/protobuf/descriptor.h>

#include "envoy/extensions/filters/http/cors/v3/cors.pb.h"
#include "envoy/extensions/filters/http/grpc_json_transcoder/v3/transcoder.pb.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "portico/filters/authorize/v1/authorize.pb.h"
#include "portico/filters/cache/v1/cache.pb.h"
#include "portico/filters/consumers/v1/consumers.pb.h"
#include "portico/filters/ext_auth/v1/ext_auth.pb.h"
#include "portico/filters/headers/v1/headers.pb.h"
#include "portico/filters/jwt_policy/v1/jwt_policy.pb.h"
#include "portico/filters/key_auth/v1/key_auth.pb.h"
#include "portico/filters/quota/v1/quota.pb.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"
#include "portico/filters/request_size_limit/v1/request_size_limit.pb.h"

namespace portico::dp::admin {

void linkDumpTypes() {
  // One message per .proto file is enough: linking a file registers all of its messages.
  static const google::protobuf::Descriptor* const kTypes[] = {
      envoy::extensions::filters::http::router::v3::Router::descriptor(),
      envoy::extensions::filters::http::cors::v3::Cors::descriptor(),
      envoy::extensions::filters::http::grpc_json_transcoder::v3::GrpcJsonTranscoder::descriptor(),
      envoy::extensions::filters::http::jwt_authn::v3::JwtAuthentication::descriptor(),
      portico::filters::authorize::v1::Authorize::descriptor(),
      portico::filters::cache::v1::Cache::descriptor(),
      portico::filters::consumers::v1::Consumers::descriptor(),
      portico::filters::ext_auth::v1::ExtAuth::descriptor(),
      portico::filters::headers::v1::HeaderMutation::descriptor(),
      portico::filters::jwt_policy::v1::JwtPolicy::descriptor(),
      portico::filters::key_auth::v1::KeyAuth::descriptor(),
      portico::filters::quota::v1::Quota::descriptor(),
      portico::filters::rate_limit::v1::RateLimit::descriptor(),
      portico::filters::request_size_limit::v1::RequestSizeLimit::descriptor(),
  };
  static_cast<void>(kTypes);
}

}  // namespace portico::dp::admin
