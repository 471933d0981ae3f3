// portico.yaml `access_log` and `request_id` → every traffic listener's HttpConnectionManager:
// access_log as Envoy's FileAccessLog with a json_format of command operators,
// always_set_request_id_in_response, and Portico's RequestId extension only when the header is
// not x-request-id.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/strings.h"
#include "common/xds/hcm_extensions.h"
#include "envoy/config/accesslog/v3/accesslog.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "portico/config/http/v1/http_limits.pb.h"
#include "portico/config/request_id/v1/request_id.pb.h"
#include "tests/unit/control-plane/translator/translator_test_util.h"

namespace portico::cp::translator::test {
namespace {

using envoy::extensions::access_loggers::file::v3::FileAccessLog;
using portico::config::request_id::v1::RequestId;

constexpr char kTwoListeners[] =
    "listeners:\n"
    "  - { name: public, address: 127.0.0.1, port: 8080 }\n"
    "  - { name: admin, address: 127.0.0.1, port: 8081 }\n";

HttpConnectionManager hcmFor(const std::string& yaml, const std::string& listener = "public") {
  return hcmOf(listenerOf(snapshotOf(cat(kTwoListeners, yaml)), listener));
}

FileAccessLog fileLogOf(const HttpConnectionManager& hcm) {
  FileAccessLog file;
  if (hcm.access_log_size() != 1) {
    ADD_FAILURE() << "expected one access_log entry, got " << hcm.access_log_size();
    return file;
  }
  EXPECT_EQ(hcm.access_log(0).name(), "envoy.access_loggers.file");
  EXPECT_EQ(hcm.access_log(0).typed_config().type_url(),
            "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog");
  EXPECT_TRUE(hcm.access_log(0).typed_config().UnpackTo(&file));
  return file;
}

std::map<std::string, std::string> jsonFormatOf(const FileAccessLog& file) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(file.has_log_format());
  for (const auto& [key, value] : file.log_format().json_format().fields()) {
    EXPECT_EQ(value.kind_case(), google::protobuf::Value::kStringValue) << key;
    out[key] = value.string_value();
  }
  return out;
}

TEST(HcmOptionsTranslationTest, NoAccessLogByDefaultAndDefaultRequestIdNeedsNoExtension) {
  const HttpConnectionManager hcm = hcmFor("");
  EXPECT_EQ(hcm.access_log_size(), 0);
  EXPECT_FALSE(hcm.has_request_id_extension());
  EXPECT_TRUE(hcm.always_set_request_id_in_response());
}

TEST(HcmOptionsTranslationTest, AccessLogToAFileWithEnvoyCommandOperators) {
  const HttpConnectionManager hcm =
      hcmFor("access_log: { format: json, path: /var/log/portico.log }\n");
  const FileAccessLog file = fileLogOf(hcm);
  EXPECT_EQ(file.path(), "/var/log/portico.log");
  EXPECT_EQ(file.access_log_format_case(), FileAccessLog::kLogFormat);
  EXPECT_FALSE(file.log_format().omit_empty_values());
  const std::map<std::string, std::string> expected = {
      {"time", "%START_TIME%"},
      {"method", "%REQ(:METHOD)%"},
      {"path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"},
      {"status", "%RESPONSE_CODE%"},
      {"duration_ms", "%DURATION%"},
      {"upstream", "%UPSTREAM_HOST%"},
      {"route", "%ROUTE_NAME%"},
      {"request_id", "%REQ(X-REQUEST-ID)%"},
      {"client_ip", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"},
      {"bytes_sent", "%BYTES_SENT%"},
  };
  EXPECT_EQ(jsonFormatOf(file), expected);
}

TEST(HcmOptionsTranslationTest, EveryTrafficListenerGetsTheSameAccessLog) {
  const std::string yaml = "access_log: { path: /tmp/a.log }\n";
  EXPECT_EQ(fileLogOf(hcmFor(yaml, "public")).path(), "/tmp/a.log");
  EXPECT_EQ(fileLogOf(hcmFor(yaml, "admin")).path(), "/tmp/a.log");
}

TEST(HcmOptionsTranslationTest, StdoutAndStderrAreEnvoysDevicePaths) {
  EXPECT_EQ(fileLogOf(hcmFor("access_log: { path: stdout }\n")).path(), "/dev/stdout");
  EXPECT_EQ(fileLogOf(hcmFor("access_log: { path: stderr }\n")).path(), "/dev/stderr");
  EXPECT_EQ(fileLogOf(hcmFor("access_log: { format: json }\n")).path(), "/dev/stdout")
      << "stdout is the default path";
}

TEST(HcmOptionsTranslationTest, DisabledAccessLogIsNotSent) {
  EXPECT_EQ(hcmFor("access_log: { path: /tmp/a.log, enabled: false }\n").access_log_size(), 0);
}

TEST(HcmOptionsTranslationTest, CustomRequestIdHeaderTravelsInTheExtension) {
  const HttpConnectionManager hcm =
      hcmFor("request_id: { header: X-Trace-Id }\naccess_log: { path: /tmp/a.log }\n");
  ASSERT_TRUE(hcm.has_request_id_extension());
  EXPECT_EQ(hcm.request_id_extension().typed_config().type_url(),
            "type.googleapis.com/portico.config.request_id.v1.RequestId");
  RequestId request_id;
  ASSERT_TRUE(hcm.request_id_extension().typed_config().UnpackTo(&request_id));
  EXPECT_EQ(request_id.header(), "x-trace-id");
  EXPECT_TRUE(request_id.response());
  EXPECT_TRUE(hcm.always_set_request_id_in_response());
  // The access log reads the id from the configured header.
  EXPECT_EQ(jsonFormatOf(fileLogOf(hcm)).at("request_id"), "%REQ(X-TRACE-ID)%");
}

TEST(HcmOptionsTranslationTest, CustomHeaderWithoutEcho) {
  const HttpConnectionManager hcm = hcmFor("request_id: { header: x-trace-id, response: false }\n");
  ASSERT_TRUE(hcm.has_request_id_extension());
  RequestId request_id;
  ASSERT_TRUE(hcm.request_id_extension().typed_config().UnpackTo(&request_id));
  EXPECT_EQ(request_id.header(), "x-trace-id");
  EXPECT_FALSE(request_id.response());
  EXPECT_FALSE(hcm.always_set_request_id_in_response());
}

// The default header needs no extension, whatever `response` says: Envoy's own field carries
// the echo, so the listener stays one that Envoy loads.
TEST(HcmOptionsTranslationTest, DefaultHeaderWithoutEchoUsesOnlyEnvoysField) {
  const HttpConnectionManager hcm =
      hcmFor("request_id: { header: X-Request-Id, response: false }\n");
  EXPECT_FALSE(hcm.has_request_id_extension());
  EXPECT_FALSE(hcm.always_set_request_id_in_response());
}

TEST(HcmOptionsTranslationTest, ProxylessGrpcListenersCarryNeither) {
  registry::RegistryState state = registryOf({instance("greeter", "g1", "10.0.0.1", 50051)});
  const xds::SnapshotPtr snapshot = snapshotOf(
      cat(kTwoListeners, "request_id: { header: x-trace-id }\naccess_log: { path: stdout }\n"),
      state);
  ASSERT_NE(snapshot, nullptr);
  xds::ResourcePtr resource = snapshot->find(ResourceType::kListener, "greeter");
  ASSERT_NE(resource, nullptr) << "the api_listener of a registered service";
  Listener api;
  ASSERT_TRUE(resource->body.UnpackTo(&api));
  HttpConnectionManager hcm;
  ASSERT_TRUE(api.api_listener().api_listener().UnpackTo(&hcm));
  EXPECT_EQ(hcm.access_log_size(), 0);
  EXPECT_FALSE(hcm.has_request_id_extension());
}

TEST(HcmOptionsTranslationTest, TranslationIsDeterministic) {
  const std::string yaml = cat(kTwoListeners, "request_id: { header: x-trace-id }\n",
                               "access_log: { path: /tmp/a.log }\n");
  const xds::SnapshotPtr a = snapshotOf(yaml);
  const xds::SnapshotPtr b = snapshotOf(yaml);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->find(ResourceType::kListener, "public")->version,
            b->find(ResourceType::kListener, "public")->version);
}

// listeners[].http → Envoy's own HCM fields, always sent in full (so Envoy applies Portico's
// defaults, not its own), and Portico's HttpLimits in the listener's metadata.
TEST(HcmOptionsTranslationTest, HttpBlockDefaultsBecomeEnvoyFields) {
  const Listener listener = listenerOf(snapshotOf(kTwoListeners));
  const HttpConnectionManager hcm = hcmOf(listener);
  EXPECT_EQ(hcm.common_http_protocol_options().max_headers_count().value(), 100u);
  EXPECT_EQ(hcm.common_http_protocol_options().idle_timeout().seconds(), 60);
  EXPECT_EQ(hcm.max_request_headers_kb().value(), 64u);
  EXPECT_EQ(hcm.request_headers_timeout().seconds(), 30);
  ASSERT_TRUE(hcm.has_normalize_path());
  EXPECT_TRUE(hcm.normalize_path().value());
  EXPECT_TRUE(hcm.merge_slashes());
  EXPECT_EQ(hcm.path_with_escaped_slashes_action(), HttpConnectionManager::KEEP_UNCHANGED);
  ASSERT_TRUE(hcm.has_use_remote_address());
  EXPECT_TRUE(hcm.use_remote_address().value());
  EXPECT_EQ(hcm.xff_num_trusted_hops(), 0u);
  EXPECT_EQ(hcm.via(), "");
  const auto& typed = listener.metadata().typed_filter_metadata();
  ASSERT_EQ(typed.count("portico.http_limits"), 1u);
  EXPECT_EQ(typed.at("portico.http_limits").type_url(),
            "type.googleapis.com/portico.config.http.v1.HttpLimits");
  portico::config::http::v1::HttpLimits limits;
  ASSERT_TRUE(typed.at("portico.http_limits").UnpackTo(&limits));
  EXPECT_EQ(limits.max_request_line_bytes().value(), 16u << 10);
  EXPECT_EQ(limits.max_request_body_bytes().value(), 16u << 20);
}

TEST(HcmOptionsTranslationTest, HttpBlockPerListener) {
  const xds::SnapshotPtr snapshot = snapshotOf(R"(listeners:
  - name: public
    address: 127.0.0.1
    port: 8080
    http:
      max_header_count: 10
      max_header_size: 8KB
      max_request_line: 1KB
      max_body: 2KB
      header_timeout: 1500ms
      idle_timeout: 10s
      normalize_path: false
      merge_slashes: false
      escaped_slashes: unescape
      xff_trusted_hops: 2
      via: 1.1 edge
  - { name: admin, address: 127.0.0.1, port: 8081, http: { escaped_slashes: reject } }
)");
  const Listener listener = listenerOf(snapshot, "public");
  const HttpConnectionManager hcm = hcmOf(listener);
  EXPECT_EQ(hcm.common_http_protocol_options().max_headers_count().value(), 10u);
  EXPECT_EQ(hcm.common_http_protocol_options().idle_timeout().seconds(), 10);
  EXPECT_EQ(hcm.max_request_headers_kb().value(), 8u);
  EXPECT_EQ(hcm.request_headers_timeout().seconds(), 1);
  EXPECT_EQ(hcm.request_headers_timeout().nanos(), 500000000);
  ASSERT_TRUE(hcm.has_normalize_path()) << "false is sent explicitly too";
  EXPECT_FALSE(hcm.normalize_path().value());
  EXPECT_FALSE(hcm.merge_slashes());
  EXPECT_EQ(hcm.path_with_escaped_slashes_action(), HttpConnectionManager::UNESCAPE_AND_FORWARD);
  EXPECT_EQ(hcm.xff_num_trusted_hops(), 2u);
  EXPECT_EQ(hcm.via(), "1.1 edge");
  portico::config::http::v1::HttpLimits limits;
  ASSERT_TRUE(listener.metadata().typed_filter_metadata().at("portico.http_limits").UnpackTo(&limits));
  EXPECT_EQ(limits.max_request_line_bytes().value(), 1024u);
  EXPECT_EQ(limits.max_request_body_bytes().value(), 2048u);
  EXPECT_EQ(hcmOf(listenerOf(snapshot, "admin")).path_with_escaped_slashes_action(),
            HttpConnectionManager::REJECT_REQUEST);
}

}  // namespace
}  // namespace portico::cp::translator::test
