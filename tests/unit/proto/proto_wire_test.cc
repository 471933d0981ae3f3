// Guards the field numbers of proto/ against accidental edits. Envoy's numbers are facts checked
// against envoyproxy/data-plane-api (proto/FIELD_SOURCES.md, reference/xds-wire.md); Portico's
// own numbers are frozen once shipped. Each check sets one field, serializes the message and
// reads the tag that opens the bytes: (field number << 3) | wire type.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

#include "envoy/config/accesslog/v3/accesslog.pb.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/health_check.pb.h"
#include "envoy/config/core/v3/protocol.pb.h"
#include "envoy/config/core/v3/substitution_format_string.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "envoy/extensions/filters/http/cors/v3/cors.pb.h"
#include "envoy/extensions/filters/http/grpc_json_transcoder/v3/transcoder.pb.h"
#include "envoy/extensions/filters/http/jwt_authn/v3/config.pb.h"
#include "envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/type/v3/http_status.pb.h"
#include "envoy/type/v3/percent.pb.h"
#include "envoy/type/v3/token_bucket.pb.h"
#include "portico/config/http/v1/http_limits.pb.h"
#include "portico/config/request_id/v1/request_id.pb.h"
#include "portico/filters/authorize/v1/authorize.pb.h"
#include "portico/filters/cache/v1/cache.pb.h"
#include "portico/filters/common/v1/redis.pb.h"
#include "portico/filters/consumers/v1/consumers.pb.h"
#include "portico/filters/ext_auth/v1/ext_auth.pb.h"
#include "portico/filters/headers/v1/headers.pb.h"
#include "portico/filters/key_auth/v1/key_auth.pb.h"
#include "portico/filters/quota/v1/quota.pb.h"
#include "portico/filters/rate_limit/v1/rate_limit.pb.h"
#include "portico/filters/request_size_limit/v1/request_size_limit.pb.h"

namespace portico {
namespace {

namespace pb = google::protobuf;

constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLen = 2;

// Reads the varint at the start of `bytes`; -1 when there is none.
int64_t firstVarint(const std::string& bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes.size() && i < 10; ++i) {
    const auto byte = static_cast<uint8_t>(bytes[i]);
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return static_cast<int64_t>(value);
  }
  return -1;
}

std::string varint(uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string tag(uint32_t number, uint32_t wire_type) { return varint((number << 3) | wire_type); }

// Gives `field` a non-default value, so that it is serialized.
void setOne(pb::Message* msg, const pb::FieldDescriptor* field) {
  const pb::Reflection* r = msg->GetReflection();
  if (field->is_map()) {
    pb::Message* entry = r->AddMessage(msg, field);
    const pb::FieldDescriptor* key = entry->GetDescriptor()->map_key();
    entry->GetReflection()->SetString(entry, key, "k");
    return;
  }
  const bool rep = field->is_repeated();
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      rep ? r->AddInt32(msg, field, 1) : r->SetInt32(msg, field, 1);
      break;
    case pb::FieldDescriptor::CPPTYPE_INT64:
      rep ? r->AddInt64(msg, field, 1) : r->SetInt64(msg, field, 1);
      break;
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      rep ? r->AddUInt32(msg, field, 1) : r->SetUInt32(msg, field, 1);
      break;
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      rep ? r->AddUInt64(msg, field, 1) : r->SetUInt64(msg, field, 1);
      break;
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      rep ? r->AddDouble(msg, field, 1.5) : r->SetDouble(msg, field, 1.5);
      break;
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      rep ? r->AddFloat(msg, field, 1.5f) : r->SetFloat(msg, field, 1.5f);
      break;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      rep ? r->AddBool(msg, field, true) : r->SetBool(msg, field, true);
      break;
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumDescriptor* e = field->enum_type();
      const int value = e->value(e->value_count() - 1)->number();  // the last one: never the default
      rep ? r->AddEnumValue(msg, field, value) : r->SetEnumValue(msg, field, value);
      break;
    }
    case pb::FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(msg, field, "x") : r->SetString(msg, field, "x");
      break;
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      // An empty sub-message that is present is still written (tag, length 0).
      rep ? (void)r->AddMessage(msg, field) : (void)r->MutableMessage(msg, field);
      break;
  }
}

struct FieldCase {
  const char* message;  // full name
  const char* field;
  uint32_t number;
  uint32_t wire_type;
};

void checkFields(const std::vector<FieldCase>& cases) {
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  for (const FieldCase& c : cases) {
    SCOPED_TRACE(std::string(c.message) + "." + c.field);
    const pb::Descriptor* desc = pool->FindMessageTypeByName(c.message);
    ASSERT_NE(desc, nullptr) << "message not compiled in";
    const pb::FieldDescriptor* field = desc->FindFieldByName(c.field);
    ASSERT_NE(field, nullptr) << "field missing";
    EXPECT_EQ(field->number(), static_cast<int>(c.number));
    std::unique_ptr<pb::Message> msg(factory->GetPrototype(desc)->New());
    setOne(msg.get(), field);
    const std::string bytes = msg->SerializeAsString();
    EXPECT_EQ(firstVarint(bytes), static_cast<int64_t>((c.number << 3) | c.wire_type));
  }
}

// ---- Envoy messages: every field Portico added beyond the first subset ----------------------

TEST(ProtoWireTest, RouteComponentsFieldNumbers) {
  checkFields({
      {"envoy.config.route.v3.VirtualHost", "require_tls", 4, kVarint},
      {"envoy.config.route.v3.RetryPolicy", "retriable_headers", 9, kLen},
      {"envoy.config.route.v3.RetryPolicy", "retriable_request_headers", 10, kLen},
      {"envoy.config.route.v3.RouteAction.HashPolicy", "connection_properties", 3, kLen},
      {"envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties", "source_ip", 1, kVarint},
      {"envoy.config.route.v3.RedirectAction", "host_redirect", 1, kLen},
      {"envoy.config.route.v3.RedirectAction", "path_redirect", 2, kLen},
      {"envoy.config.route.v3.RedirectAction", "response_code", 3, kVarint},
      {"envoy.config.route.v3.RedirectAction", "https_redirect", 4, kVarint},
      {"envoy.config.route.v3.RedirectAction", "prefix_rewrite", 5, kLen},
      {"envoy.config.route.v3.RedirectAction", "strip_query", 6, kVarint},
      {"envoy.config.route.v3.RedirectAction", "scheme_redirect", 7, kLen},
      {"envoy.config.route.v3.RedirectAction", "port_redirect", 8, kVarint},
      {"envoy.config.route.v3.DirectResponseAction", "status", 1, kVarint},
      {"envoy.config.route.v3.DirectResponseAction", "body", 2, kLen},
  });
}

TEST(ProtoWireTest, ClusterAndHealthCheckFieldNumbers) {
  checkFields({
      {"envoy.config.cluster.v3.Cluster", "http2_protocol_options", 14, kLen},
      {"envoy.config.cluster.v3.Cluster", "common_lb_config", 27, kLen},
      {"envoy.config.cluster.v3.Cluster", "least_request_lb_config", 37, kLen},
      {"envoy.config.cluster.v3.Cluster", "maglev_lb_config", 52, kLen},
      {"envoy.config.cluster.v3.Cluster.LeastRequestLbConfig", "choice_count", 1, kLen},
      {"envoy.config.cluster.v3.Cluster.MaglevLbConfig", "table_size", 1, kLen},
      {"envoy.config.cluster.v3.Cluster.CommonLbConfig", "healthy_panic_threshold", 1, kLen},
      {"envoy.config.cluster.v3.Cluster.CommonLbConfig", "zone_aware_lb_config", 2, kLen},
      {"envoy.config.cluster.v3.Cluster.CommonLbConfig", "locality_weighted_lb_config", 3, kLen},
      {"envoy.config.cluster.v3.Cluster.CommonLbConfig.ZoneAwareLbConfig", "routing_enabled", 1, kLen},
      {"envoy.config.cluster.v3.Cluster.CommonLbConfig.ZoneAwareLbConfig", "min_cluster_size", 2, kLen},
      {"envoy.config.cluster.v3.Cluster.CommonLbConfig.ZoneAwareLbConfig", "fail_traffic_on_panic", 3,
       kVarint},
      {"envoy.type.v3.Percent", "value", 1, kFixed64},
      {"envoy.config.core.v3.HealthCheck", "no_traffic_interval", 12, kLen},
      {"envoy.config.core.v3.HealthCheck", "unhealthy_interval", 14, kLen},
      {"envoy.config.cluster.v3.OutlierDetection", "enforcing_consecutive_gateway_failure", 11, kLen},
      {"envoy.config.cluster.v3.CircuitBreakers.Thresholds", "retry_budget", 8, kLen},
      {"envoy.config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget", "budget_percent", 1, kLen},
      {"envoy.config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget", "min_retry_concurrency", 2,
       kLen},
  });
}

TEST(ProtoWireTest, JwtAuthnFieldNumbers) {
  constexpr const char* kPkg = "envoy.extensions.filters.http.jwt_authn.v3.";
  const auto m = [&](const char* name) { return std::string(kPkg) + name; };
  const std::string provider = m("JwtProvider"), auth = m("JwtAuthentication"), req = m("JwtRequirement"),
                    rule = m("RequirementRule"), remote = m("RemoteJwks"), header = m("JwtHeader"),
                    claim = m("JwtClaimToHeader"), pwa = m("ProviderWithAudiences"),
                    any_list = m("JwtRequirementOrList"), all_list = m("JwtRequirementAndList"),
                    per_route = m("PerRouteConfig");
  checkFields({
      {auth.c_str(), "providers", 1, kLen},
      {auth.c_str(), "rules", 2, kLen},
      {auth.c_str(), "bypass_cors_preflight", 4, kVarint},
      {auth.c_str(), "requirement_map", 5, kLen},
      {provider.c_str(), "issuer", 1, kLen},
      {provider.c_str(), "audiences", 2, kLen},
      {provider.c_str(), "remote_jwks", 3, kLen},
      {provider.c_str(), "local_jwks", 4, kLen},
      {provider.c_str(), "forward", 5, kVarint},
      {provider.c_str(), "from_headers", 6, kLen},
      {provider.c_str(), "from_params", 7, kLen},
      {provider.c_str(), "forward_payload_header", 8, kLen},
      {provider.c_str(), "payload_in_metadata", 9, kLen},
      {provider.c_str(), "clock_skew_seconds", 10, kVarint},
      {provider.c_str(), "claim_to_headers", 15, kLen},
      {provider.c_str(), "require_expiration", 20, kVarint},
      {remote.c_str(), "http_uri", 1, kLen},
      {remote.c_str(), "cache_duration", 2, kLen},
      {header.c_str(), "name", 1, kLen},
      {header.c_str(), "value_prefix", 2, kLen},
      {claim.c_str(), "header_name", 1, kLen},
      {claim.c_str(), "claim_name", 2, kLen},
      {rule.c_str(), "match", 1, kLen},
      // Envoy's "requires" is a C++20 keyword that protoc 3.21 does not escape, so the proto
      // names it requires_ with json_name "requires" (checked below); number and type are Envoy's.
      {rule.c_str(), "requires_", 2, kLen},
      {rule.c_str(), "requirement_name", 3, kLen},
      {req.c_str(), "provider_name", 1, kLen},
      {req.c_str(), "provider_and_audiences", 2, kLen},
      {req.c_str(), "requires_any", 3, kLen},
      {req.c_str(), "requires_all", 4, kLen},
      {req.c_str(), "allow_missing_or_failed", 5, kLen},
      {req.c_str(), "allow_missing", 6, kLen},
      {pwa.c_str(), "provider_name", 1, kLen},
      {pwa.c_str(), "audiences", 2, kLen},
      {any_list.c_str(), "requirements", 1, kLen},
      {all_list.c_str(), "requirements", 1, kLen},
      {per_route.c_str(), "disabled", 1, kVarint},
      {per_route.c_str(), "requirement_name", 2, kLen},
  });
  const pb::FieldDescriptor* requires_field =
      envoy::extensions::filters::http::jwt_authn::v3::RequirementRule::descriptor()->FindFieldByNumber(2);
  ASSERT_NE(requires_field, nullptr);
  EXPECT_EQ(requires_field->json_name(), "requires");
}

TEST(ProtoWireTest, LocalRateLimitCorsTranscoderFieldNumbers) {
  constexpr const char* kLrl = "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";
  constexpr const char* kCors = "envoy.extensions.filters.http.cors.v3.CorsPolicy";
  constexpr const char* kTc = "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder";
  constexpr const char* kTcPrint =
      "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder.PrintOptions";
  checkFields({
      {kLrl, "stat_prefix", 1, kLen},
      {kLrl, "status", 2, kLen},
      {kLrl, "token_bucket", 3, kLen},
      {kLrl, "filter_enabled", 4, kLen},
      {kLrl, "filter_enforced", 5, kLen},
      {kLrl, "response_headers_to_add", 6, kLen},
      {kLrl, "local_rate_limit_per_downstream_connection", 11, kVarint},
      {"envoy.type.v3.HttpStatus", "code", 1, kVarint},
      {"envoy.type.v3.TokenBucket", "max_tokens", 1, kVarint},
      {"envoy.type.v3.TokenBucket", "tokens_per_fill", 2, kLen},
      {"envoy.type.v3.TokenBucket", "fill_interval", 3, kLen},
      {kCors, "allow_origin_string_match", 1, kLen},
      {kCors, "allow_methods", 2, kLen},
      {kCors, "allow_headers", 3, kLen},
      {kCors, "expose_headers", 4, kLen},
      {kCors, "max_age", 5, kLen},
      {kCors, "allow_credentials", 6, kLen},
      {kCors, "filter_enabled", 7, kLen},
      {kTc, "proto_descriptor", 1, kLen},
      {kTc, "services", 2, kLen},
      {kTc, "print_options", 3, kLen},
      {kTc, "proto_descriptor_bin", 4, kLen},
      {kTc, "match_incoming_request_route", 5, kVarint},
      {kTc, "ignored_query_parameters", 6, kLen},
      {kTc, "auto_mapping", 7, kVarint},
      {kTc, "ignore_unknown_query_parameters", 8, kVarint},
      {kTc, "convert_grpc_status", 9, kVarint},
      {kTcPrint, "add_whitespace", 1, kVarint},
      {kTcPrint, "always_print_primitive_fields", 2, kVarint},
      {kTcPrint, "always_print_enums_as_ints", 3, kVarint},
      {kTcPrint, "preserve_proto_field_names", 4, kVarint},
  });
}

TEST(ProtoWireTest, TlsTransportSocketFieldNumbers) {
  constexpr const char* kDown = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
  constexpr const char* kCommon = "envoy.extensions.transport_sockets.tls.v3.CommonTlsContext";
  constexpr const char* kParams = "envoy.extensions.transport_sockets.tls.v3.TlsParameters";
  constexpr const char* kCert = "envoy.extensions.transport_sockets.tls.v3.TlsCertificate";
  constexpr const char* kValidation =
      "envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext";
  // Referenced so that the static library's listener.pb.o is linked into the generated pool.
  ASSERT_NE(envoy::config::listener::v3::FilterChain::descriptor(), nullptr);
  checkFields({
      {kDown, "common_tls_context", 1, kLen},
      {kDown, "require_client_certificate", 2, kLen},
      {kDown, "require_sni", 3, kLen},
      {kCommon, "tls_params", 1, kLen},
      {kCommon, "tls_certificates", 2, kLen},
      {kCommon, "validation_context", 3, kLen},
      {kCommon, "alpn_protocols", 4, kLen},
      {kParams, "tls_minimum_protocol_version", 1, kVarint},
      {kParams, "tls_maximum_protocol_version", 2, kVarint},
      {kParams, "cipher_suites", 3, kLen},
      {kCert, "certificate_chain", 1, kLen},
      {kCert, "private_key", 2, kLen},
      {kValidation, "trusted_ca", 1, kLen},
      {"envoy.config.core.v3.TransportSocket", "name", 1, kLen},
      {"envoy.config.core.v3.TransportSocket", "typed_config", 3, kLen},
      {"envoy.config.listener.v3.FilterChain", "transport_socket", 6, kLen},
      {"envoy.config.core.v3.DataSource", "filename", 1, kLen},
  });
  // validation_context is a member of Envoy's oneof validation_context_type.
  const pb::FieldDescriptor* validation =
      envoy::extensions::transport_sockets::tls::v3::CommonTlsContext::descriptor()
          ->FindFieldByName("validation_context");
  ASSERT_NE(validation, nullptr);
  ASSERT_NE(validation->containing_oneof(), nullptr);
  EXPECT_EQ(validation->containing_oneof()->name(), "validation_context_type");
}

TEST(ProtoWireTest, AccessLogAndRequestIdFieldNumbers) {
  constexpr const char* kHcm =
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  constexpr const char* kFile = "envoy.extensions.access_loggers.file.v3.FileAccessLog";
  constexpr const char* kSfs = "envoy.config.core.v3.SubstitutionFormatString";
  checkFields({
      {kHcm, "access_log", 13, kLen},
      {kHcm, "request_id_extension", 36, kLen},
      {kHcm, "always_set_request_id_in_response", 37, kVarint},
      {"envoy.extensions.filters.network.http_connection_manager.v3.RequestIDExtension",
       "typed_config", 1, kLen},
      {"envoy.config.accesslog.v3.AccessLog", "name", 1, kLen},
      {"envoy.config.accesslog.v3.AccessLog", "filter", 2, kLen},
      {"envoy.config.accesslog.v3.AccessLog", "typed_config", 4, kLen},
      {kFile, "path", 1, kLen},
      {kFile, "format", 2, kLen},
      {kFile, "json_format", 3, kLen},
      {kFile, "typed_json_format", 4, kLen},
      {kFile, "log_format", 5, kLen},
      {kSfs, "text_format", 1, kLen},
      {kSfs, "json_format", 2, kLen},
      {kSfs, "omit_empty_values", 3, kVarint},
      {kSfs, "content_type", 4, kLen},
      {kSfs, "text_format_source", 5, kLen},
      {"portico.config.request_id.v1.RequestId", "header", 1, kLen},
      {"portico.config.request_id.v1.RequestId", "response", 2, kVarint},
  });
  EXPECT_EQ(envoy::extensions::access_loggers::file::v3::FileAccessLog::descriptor()->full_name(),
            "envoy.extensions.access_loggers.file.v3.FileAccessLog");
  EXPECT_EQ(config::request_id::v1::RequestId::descriptor()->full_name(),
            "portico.config.request_id.v1.RequestId");
}

TEST(ProtoWireTest, HttpHardeningFieldNumbers) {
  constexpr const char* kHcm =
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  checkFields({
      {kHcm, "use_remote_address", 14, kLen},
      {kHcm, "xff_num_trusted_hops", 19, kVarint},
      {kHcm, "via", 22, kLen},
      {kHcm, "max_request_headers_kb", 29, kLen},
      {kHcm, "normalize_path", 30, kLen},
      {kHcm, "merge_slashes", 33, kVarint},
      {kHcm, "common_http_protocol_options", 35, kLen},
      {kHcm, "request_headers_timeout", 41, kLen},
      {kHcm, "path_with_escaped_slashes_action", 45, kVarint},
      {"envoy.config.core.v3.HttpProtocolOptions", "idle_timeout", 1, kLen},
      {"envoy.config.core.v3.HttpProtocolOptions", "max_headers_count", 2, kLen},
      {"envoy.config.listener.v3.Listener", "metadata", 6, kLen},
      {"envoy.config.core.v3.Metadata", "typed_filter_metadata", 2, kLen},
      {"portico.config.http.v1.HttpLimits", "max_request_line_bytes", 1, kLen},
      {"portico.config.http.v1.HttpLimits", "max_request_body_bytes", 2, kLen},
  });
  using Hcm = envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
  EXPECT_EQ(Hcm::IMPLEMENTATION_SPECIFIC_DEFAULT, 0);
  EXPECT_EQ(Hcm::KEEP_UNCHANGED, 1);
  EXPECT_EQ(Hcm::REJECT_REQUEST, 2);
  EXPECT_EQ(Hcm::UNESCAPE_AND_REDIRECT, 3);
  EXPECT_EQ(Hcm::UNESCAPE_AND_FORWARD, 4);
  EXPECT_EQ(config::http::v1::HttpLimits::descriptor()->full_name(),
            "portico.config.http.v1.HttpLimits");
}

// ---- The same facts through the generated C++ API, down to the exact bytes ------------------

TEST(ProtoWireTest, DownstreamTlsContextTagBytes) {
  namespace tls = envoy::extensions::transport_sockets::tls::v3;
  tls::TlsParameters params;
  params.set_tls_minimum_protocol_version(tls::TlsParameters::TLSv1_3);
  EXPECT_EQ(params.SerializeAsString(), std::string("\x08\x04", 2));
  params.Clear();
  params.set_tls_maximum_protocol_version(tls::TlsParameters::TLSv1_2);
  EXPECT_EQ(params.SerializeAsString(), std::string("\x10\x03", 2));

  tls::TlsCertificate certificate;
  certificate.mutable_private_key()->set_filename("k");
  // private_key = 2 (12), length 3; DataSource.filename = 1 (0a), length 1, "k".
  EXPECT_EQ(certificate.SerializeAsString(), std::string("\x12\x03\x0a\x01k", 5));

  tls::DownstreamTlsContext context;
  context.mutable_require_client_certificate()->set_value(true);
  // require_client_certificate = 2 (12), length 2; BoolValue.value = 1 (08) true.
  EXPECT_EQ(context.SerializeAsString(), std::string("\x12\x02\x08\x01", 4));
  context.Clear();
  context.mutable_common_tls_context()->add_alpn_protocols("h2");
  // common_tls_context = 1 (0a), length 4; alpn_protocols = 4 (22), length 2, "h2".
  EXPECT_EQ(context.SerializeAsString(), std::string("\x0a\x04\x22\x02h2", 6));
}


TEST(ProtoWireTest, JwtProviderTagBytes) {
  envoy::extensions::filters::http::jwt_authn::v3::JwtProvider p;
  auto* c = p.add_claim_to_headers();
  c->set_header_name("x-sub");
  c->set_claim_name("sub");
  // claim_to_headers = 15, length-delimited: 0x7a; then the sub-message: 0a 05 "x-sub" 12 03 "sub".
  EXPECT_EQ(p.SerializeAsString(), std::string("\x7a\x0c\x0a\x05x-sub\x12\x03sub", 14));

  envoy::extensions::filters::http::jwt_authn::v3::JwtProvider q;
  q.set_require_expiration(true);  // 20 << 3 = 160: varint a0 01
  EXPECT_EQ(q.SerializeAsString(), std::string("\xa0\x01\x01", 3));
  q.Clear();
  q.set_clock_skew_seconds(30);  // 10 << 3 = 0x50
  EXPECT_EQ(q.SerializeAsString(), std::string("\x50\x1e", 2));
}

TEST(ProtoWireTest, ClusterLbConfigTagBytes) {
  envoy::config::cluster::v3::Cluster c;
  c.mutable_maglev_lb_config()->mutable_table_size()->set_value(65537);
  EXPECT_EQ(c.SerializeAsString().substr(0, 2), tag(52, kLen));  // a2 03
  EXPECT_EQ(tag(52, kLen), std::string("\xa2\x03", 2));
  // The lb_config oneof: least_request replaces maglev.
  c.mutable_least_request_lb_config()->mutable_choice_count()->set_value(3);
  EXPECT_FALSE(c.has_maglev_lb_config());
  EXPECT_EQ(c.SerializeAsString(), tag(37, kLen) + "\x04" + tag(1, kLen) + "\x02\x08\x03");

  envoy::config::cluster::v3::Cluster d;
  d.mutable_common_lb_config()->mutable_healthy_panic_threshold()->set_value(25.0);
  const std::string bytes = d.SerializeAsString();
  // common_lb_config: 27 << 3 | 2 = 218 (da 01), length 11; healthy_panic_threshold: 0a, length 9;
  // Percent.value, a double: tag 09 and 8 bytes.
  ASSERT_EQ(bytes.size(), 14u);
  EXPECT_EQ(bytes.substr(0, 6), std::string("\xda\x01\x0b\x0a\x09\x09", 6));
}

TEST(ProtoWireTest, EnumValuesAreEnvoys) {
  using envoy::type::v3::StatusCode;
  envoy::type::v3::HttpStatus s;
  s.set_code(envoy::type::v3::TooManyRequests);
  EXPECT_EQ(s.SerializeAsString(), std::string("\x08\xad\x03", 3));  // 429
  const std::vector<std::pair<StatusCode, int>> codes = {
      {envoy::type::v3::Empty, 0},          {envoy::type::v3::Continue, 100},
      {envoy::type::v3::OK, 200},           {envoy::type::v3::BadRequest, 400},
      {envoy::type::v3::Unauthorized, 401}, {envoy::type::v3::Forbidden, 403},
      {envoy::type::v3::NotFound, 404},     {envoy::type::v3::PayloadTooLarge, 413},
      {envoy::type::v3::TooManyRequests, 429}, {envoy::type::v3::InternalServerError, 500},
      {envoy::type::v3::ServiceUnavailable, 503}};
  for (const auto& [code, number] : codes) EXPECT_EQ(static_cast<int>(code), number);

  using Redirect = envoy::config::route::v3::RedirectAction;
  EXPECT_EQ(Redirect::MOVED_PERMANENTLY, 0);
  EXPECT_EQ(Redirect::FOUND, 1);
  EXPECT_EQ(Redirect::SEE_OTHER, 2);
  EXPECT_EQ(Redirect::TEMPORARY_REDIRECT, 3);
  EXPECT_EQ(Redirect::PERMANENT_REDIRECT, 4);
  Redirect r;
  r.set_response_code(Redirect::PERMANENT_REDIRECT);
  EXPECT_EQ(r.SerializeAsString(), std::string("\x18\x04", 2));

  using Vh = envoy::config::route::v3::VirtualHost;
  EXPECT_EQ(Vh::NONE, 0);
  EXPECT_EQ(Vh::EXTERNAL_ONLY, 1);
  EXPECT_EQ(Vh::ALL, 2);

  using Tls = envoy::extensions::transport_sockets::tls::v3::TlsParameters;
  EXPECT_EQ(Tls::TLS_AUTO, 0);
  EXPECT_EQ(Tls::TLSv1_0, 1);
  EXPECT_EQ(Tls::TLSv1_1, 2);
  EXPECT_EQ(Tls::TLSv1_2, 3);
  EXPECT_EQ(Tls::TLSv1_3, 4);
  EXPECT_EQ(Tls::TlsProtocol_descriptor()->value_count(), 5);
}

// A filter config travels inside HttpFilter.typed_config; the Any must name Envoy's type and
// come back intact.
TEST(ProtoWireTest, JwtAuthenticationRoundTripsThroughHttpFilter) {
  namespace jwt = envoy::extensions::filters::http::jwt_authn::v3;
  jwt::JwtAuthentication config;
  jwt::JwtProvider& provider = (*config.mutable_providers())["corp"];
  provider.set_issuer("https://idp.example.com");
  provider.add_audiences("api");
  provider.mutable_remote_jwks()->mutable_http_uri()->set_uri("https://idp.example.com/jwks");
  provider.mutable_remote_jwks()->mutable_http_uri()->set_cluster("idp");
  provider.mutable_remote_jwks()->mutable_cache_duration()->set_seconds(600);
  auto* from = provider.add_from_headers();
  from->set_name("authorization");
  from->set_value_prefix("Bearer ");
  provider.set_clock_skew_seconds(60);
  jwt::JwtRequirement& optional = (*config.mutable_requirement_map())["optional"];
  auto* any_of = optional.mutable_requires_any();
  any_of->add_requirements()->set_provider_name("corp");
  any_of->add_requirements()->mutable_allow_missing();
  auto* rule = config.add_rules();
  rule->mutable_match()->set_prefix("/");
  rule->set_requirement_name("optional");

  envoy::extensions::filters::network::http_connection_manager::v3::HttpFilter filter;
  filter.set_name("envoy.filters.http.jwt_authn");
  filter.mutable_typed_config()->PackFrom(config);
  EXPECT_EQ(filter.typed_config().type_url(),
            "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication");

  envoy::extensions::filters::network::http_connection_manager::v3::HttpFilter parsed;
  ASSERT_TRUE(parsed.ParseFromString(filter.SerializeAsString()));
  jwt::JwtAuthentication back;
  ASSERT_TRUE(parsed.typed_config().UnpackTo(&back));
  EXPECT_EQ(back.providers().at("corp").remote_jwks().http_uri().cluster(), "idp");
  EXPECT_EQ(back.requirement_map().at("optional").requires_any().requirements(1).requires_type_case(),
            jwt::JwtRequirement::kAllowMissing);
  EXPECT_EQ(back.rules(0).requirement_name(), "optional");
}

// ---- Type URLs -------------------------------------------------------------------------------

TEST(ProtoWireTest, FullNamesAreEnvoys) {
  const std::vector<std::pair<const pb::Message*, const char*>> names = {
      {&envoy::config::route::v3::RedirectAction::default_instance(), "envoy.config.route.v3.RedirectAction"},
      {&envoy::config::route::v3::DirectResponseAction::default_instance(),
       "envoy.config.route.v3.DirectResponseAction"},
      {&envoy::config::route::v3::RouteAction::HashPolicy::ConnectionProperties::default_instance(),
       "envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties"},
      {&envoy::config::cluster::v3::Cluster::CommonLbConfig::default_instance(),
       "envoy.config.cluster.v3.Cluster.CommonLbConfig"},
      {&envoy::config::cluster::v3::Cluster::LeastRequestLbConfig::default_instance(),
       "envoy.config.cluster.v3.Cluster.LeastRequestLbConfig"},
      {&envoy::config::cluster::v3::Cluster::MaglevLbConfig::default_instance(),
       "envoy.config.cluster.v3.Cluster.MaglevLbConfig"},
      {&envoy::config::core::v3::Http2ProtocolOptions::default_instance(),
       "envoy.config.core.v3.Http2ProtocolOptions"},
      {&envoy::type::v3::Percent::default_instance(), "envoy.type.v3.Percent"},
      {&envoy::type::v3::HttpStatus::default_instance(), "envoy.type.v3.HttpStatus"},
      {&envoy::type::v3::TokenBucket::default_instance(), "envoy.type.v3.TokenBucket"},
      {&envoy::extensions::filters::http::jwt_authn::v3::JwtAuthentication::default_instance(),
       "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"},
      {&envoy::extensions::filters::http::jwt_authn::v3::PerRouteConfig::default_instance(),
       "envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig"},
      {&envoy::extensions::filters::http::jwt_authn::v3::JwtProvider::default_instance(),
       "envoy.extensions.filters.http.jwt_authn.v3.JwtProvider"},
      {&envoy::extensions::filters::http::jwt_authn::v3::JwtRequirement::default_instance(),
       "envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement"},
      {&envoy::extensions::filters::http::local_ratelimit::v3::LocalRateLimit::default_instance(),
       "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"},
      {&envoy::extensions::filters::http::cors::v3::Cors::default_instance(),
       "envoy.extensions.filters.http.cors.v3.Cors"},
      {&envoy::extensions::filters::http::cors::v3::CorsPolicy::default_instance(),
       "envoy.extensions.filters.http.cors.v3.CorsPolicy"},
      {&envoy::extensions::filters::http::grpc_json_transcoder::v3::GrpcJsonTranscoder::default_instance(),
       "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder"},
      {&envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext::default_instance(),
       "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"},
      {&envoy::extensions::transport_sockets::tls::v3::CommonTlsContext::default_instance(),
       "envoy.extensions.transport_sockets.tls.v3.CommonTlsContext"},
      {&envoy::extensions::transport_sockets::tls::v3::TlsParameters::default_instance(),
       "envoy.extensions.transport_sockets.tls.v3.TlsParameters"},
      {&envoy::extensions::transport_sockets::tls::v3::TlsCertificate::default_instance(),
       "envoy.extensions.transport_sockets.tls.v3.TlsCertificate"},
      {&envoy::extensions::transport_sockets::tls::v3::CertificateValidationContext::
           default_instance(),
       "envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext"},
  };
  for (const auto& [msg, name] : names) EXPECT_EQ(msg->GetDescriptor()->full_name(), name);

  pb::Any any;
  any.PackFrom(envoy::extensions::filters::http::cors::v3::CorsPolicy());
  EXPECT_EQ(any.type_url(), "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy");
}

// ---- Portico's own messages: names and numbers are frozen once shipped -----------------------

TEST(ProtoWireTest, PorticoFilterNames) {
  const std::vector<std::pair<const pb::Message*, const char*>> names = {
      {&filters::key_auth::v1::KeyAuth::default_instance(), "portico.filters.key_auth.v1.KeyAuth"},
      {&filters::authorize::v1::Authorize::default_instance(), "portico.filters.authorize.v1.Authorize"},
      {&filters::rate_limit::v1::RateLimit::default_instance(), "portico.filters.rate_limit.v1.RateLimit"},
      {&filters::quota::v1::Quota::default_instance(), "portico.filters.quota.v1.Quota"},
      {&filters::request_size_limit::v1::RequestSizeLimit::default_instance(),
       "portico.filters.request_size_limit.v1.RequestSizeLimit"},
      {&filters::cache::v1::Cache::default_instance(), "portico.filters.cache.v1.Cache"},
      {&filters::headers::v1::HeaderMutation::default_instance(), "portico.filters.headers.v1.HeaderMutation"},
      {&filters::ext_auth::v1::ExtAuth::default_instance(), "portico.filters.ext_auth.v1.ExtAuth"},
      {&filters::consumers::v1::Consumers::default_instance(), "portico.filters.consumers.v1.Consumers"},
      {&filters::common::v1::Redis::default_instance(), "portico.filters.common.v1.Redis"},
  };
  for (const auto& [msg, name] : names) EXPECT_EQ(msg->GetDescriptor()->full_name(), name);
}

TEST(ProtoWireTest, PorticoFieldNumbers) {
  checkFields({
      {"portico.filters.common.v1.Redis", "address", 1, kLen},
      {"portico.filters.common.v1.Redis", "timeout", 2, kLen},
      {"portico.filters.key_auth.v1.KeyAuth", "header", 1, kLen},
      {"portico.filters.key_auth.v1.KeyAuth", "query", 2, kLen},
      {"portico.filters.key_auth.v1.KeyAuth", "hide_credentials", 3, kVarint},
      {"portico.filters.authorize.v1.Authorize", "any_of", 1, kLen},
      {"portico.filters.authorize.v1.Authorize", "all_of", 2, kLen},
      {"portico.filters.authorize.v1.Rule", "claim", 1, kLen},
      {"portico.filters.authorize.v1.Rule", "in", 2, kLen},
      {"portico.filters.authorize.v1.Rule", "contains", 3, kLen},
      {"portico.filters.authorize.v1.Rule", "consumer_group", 4, kLen},
      {"portico.filters.rate_limit.v1.RateLimit", "limit", 1, kVarint},
      {"portico.filters.rate_limit.v1.RateLimit", "window", 2, kLen},
      {"portico.filters.rate_limit.v1.RateLimit", "burst", 3, kVarint},
      {"portico.filters.rate_limit.v1.RateLimit", "key", 4, kLen},
      {"portico.filters.rate_limit.v1.RateLimit", "policy", 5, kVarint},
      {"portico.filters.rate_limit.v1.RateLimit", "redis", 6, kLen},
      {"portico.filters.rate_limit.v1.RateLimit", "algorithm", 7, kVarint},
      {"portico.filters.rate_limit.v1.RateLimit", "fail_open", 8, kVarint},
      {"portico.filters.quota.v1.Quota", "limit", 1, kVarint},
      {"portico.filters.quota.v1.Quota", "period", 2, kVarint},
      {"portico.filters.quota.v1.Quota", "key", 3, kLen},
      {"portico.filters.quota.v1.Quota", "redis", 4, kLen},
      {"portico.filters.quota.v1.Quota", "fail_open", 5, kVarint},
      {"portico.filters.quota.v1.Quota", "scope", 6, kLen},
      {"portico.filters.request_size_limit.v1.RequestSizeLimit", "max_body_bytes", 1, kVarint},
      {"portico.filters.cache.v1.Cache", "ttl", 1, kLen},
      {"portico.filters.cache.v1.Cache", "methods", 2, kLen},
      {"portico.filters.cache.v1.Cache", "statuses", 3, kLen},  // packed
      {"portico.filters.cache.v1.Cache", "content_types", 4, kLen},
      {"portico.filters.cache.v1.Cache", "max_size_bytes", 5, kVarint},
      {"portico.filters.cache.v1.Cache", "max_entry_bytes", 6, kVarint},
      {"portico.filters.cache.v1.Cache", "include_query", 7, kVarint},
      {"portico.filters.cache.v1.Cache", "query_params", 8, kLen},
      {"portico.filters.cache.v1.Cache", "key_headers", 9, kLen},
      {"portico.filters.cache.v1.Cache", "backend", 10, kVarint},
      {"portico.filters.cache.v1.Cache", "redis", 11, kLen},
      {"portico.filters.headers.v1.HeaderMutation", "add", 1, kLen},
      {"portico.filters.headers.v1.HeaderMutation", "set", 2, kLen},
      {"portico.filters.headers.v1.HeaderMutation", "remove", 3, kLen},
      {"portico.filters.headers.v1.HeaderMutation", "response", 4, kVarint},
      {"portico.filters.headers.v1.Header", "name", 1, kLen},
      {"portico.filters.headers.v1.Header", "value", 2, kLen},
      {"portico.filters.ext_auth.v1.ExtAuth", "url", 1, kLen},
      {"portico.filters.ext_auth.v1.ExtAuth", "identity_headers", 2, kLen},
      {"portico.filters.ext_auth.v1.ExtAuth", "upstream_headers", 3, kLen},
      {"portico.filters.ext_auth.v1.ExtAuth", "cache_ttl", 4, kLen},
      {"portico.filters.ext_auth.v1.ExtAuth", "timeout", 5, kLen},
      {"portico.filters.ext_auth.v1.ExtAuth", "fail_open", 6, kVarint},
      {"portico.filters.consumers.v1.Consumers", "consumers", 1, kLen},
      {"portico.filters.consumers.v1.Consumers", "jwt_consumer_claims", 2, kLen},
      {"portico.filters.consumers.v1.Consumer", "name", 1, kLen},
      {"portico.filters.consumers.v1.Consumer", "groups", 2, kLen},
      {"portico.filters.consumers.v1.Consumer", "api_key_sha256", 3, kLen},
      {"portico.filters.consumers.v1.Consumer", "plugins", 4, kLen},
      {"portico.filters.consumers.v1.PluginOverride", "name", 1, kLen},
      {"portico.filters.consumers.v1.PluginOverride", "config", 2, kLen},
      {"portico.filters.consumers.v1.PluginOverride", "disabled", 3, kVarint},
  });
  using Rl = filters::rate_limit::v1::RateLimit;
  EXPECT_EQ(Rl::LOCAL, 0);
  EXPECT_EQ(Rl::REDIS, 1);
  EXPECT_EQ(Rl::TOKEN_BUCKET, 0);
  EXPECT_EQ(Rl::FIXED_WINDOW, 1);
  EXPECT_EQ(Rl::SLIDING_WINDOW, 2);
  EXPECT_EQ(filters::quota::v1::Quota::DAY, 0);
  EXPECT_EQ(filters::quota::v1::Quota::MONTH, 1);
  EXPECT_EQ(filters::cache::v1::Cache::MEMORY, 0);
  EXPECT_EQ(filters::cache::v1::Cache::REDIS, 1);
}

// A per-consumer override carries another plugin's config in an Any.
TEST(ProtoWireTest, ConsumerOverrideCarriesTypedConfig) {
  filters::consumers::v1::Consumers all;
  (*all.mutable_jwt_consumer_claims())["corp"] = "sub";
  auto* c = all.add_consumers();
  c->set_name("acme");
  c->add_groups("partners");
  c->add_api_key_sha256("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  filters::rate_limit::v1::RateLimit limit;
  limit.set_limit(1000);
  limit.mutable_window()->set_seconds(60);
  limit.set_key("consumer");
  auto* o = c->add_plugins();
  o->set_name("rate-limit");
  o->mutable_config()->PackFrom(limit);

  filters::consumers::v1::Consumers back;
  ASSERT_TRUE(back.ParseFromString(all.SerializeAsString()));
  ASSERT_EQ(back.consumers_size(), 1);
  EXPECT_EQ(back.consumers(0).plugins(0).config().type_url(),
            "type.googleapis.com/portico.filters.rate_limit.v1.RateLimit");
  filters::rate_limit::v1::RateLimit unpacked;
  ASSERT_TRUE(back.consumers(0).plugins(0).config().UnpackTo(&unpacked));
  EXPECT_EQ(unpacked.limit(), 1000u);
  EXPECT_EQ(back.jwt_consumer_claims().at("corp"), "sub");
}

}  // namespace
}  // namespace portico
