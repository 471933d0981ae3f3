// A listener's HTTP/1.1 settings compiled by the proxy: what portico-cp sends becomes
// http::HttpOptions; what Envoy leaves unset stays unset (the proxy's flags apply); what the
// proxy cannot honour is NACKed with the field path.

#include "data-plane/config/http_options_compiler.h"

#include <gtest/gtest.h>

#include <string>

#include "common/xds/hcm_extensions.h"
#include "portico/config/http/v1/http_limits.pb.h"
#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers
using HcmProto = hcm::HttpConnectionManager;
using std::chrono::milliseconds;

constexpr char kWhere[] = "listener \"public\": http_connection_manager";

class HttpOptionsCompilerTest : public SnapshotCompilerTest {
 protected:
  // minimalSet() with the listener "public" changed by `edit`.
  template <typename Edit>
  static xds::ResourceSet setWith(Edit edit) {
    xds::ResourceSet set = minimalSet();
    Listener in = listener("public");
    HcmProto manager = hcmOf(in);
    edit(in, manager);
    add(set, withHcm(in, manager));
    return set;
  }

  const http::HttpOptions* optionsOf(const xds::ResourceSet& set) {
    snapshot_ = compileOk(set);
    if (snapshot_ == nullptr || snapshot_->listener("public") == nullptr) return nullptr;
    return &snapshot_->listener("public")->http;
  }

  SnapshotPtr snapshot_;
};

TEST_F(HttpOptionsCompilerTest, WhatPorticoCpSendsForTheDefaults) {
  const http::HttpOptions* o = optionsOf(translateYaml(
      "listeners:\n  - { name: public, address: 127.0.0.1, port: 8080 }\n"));
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->max_header_count, 100u);
  EXPECT_EQ(o->max_header_bytes, 64u << 10);
  EXPECT_EQ(o->max_request_line, 16u << 10);
  EXPECT_EQ(o->max_body_bytes, uint64_t{16} << 20);
  EXPECT_EQ(o->header_timeout, milliseconds(30000));
  EXPECT_EQ(o->idle_timeout, milliseconds(60000));
  EXPECT_TRUE(o->path.normalize);
  EXPECT_TRUE(o->path.merge_slashes);
  EXPECT_EQ(o->path.escaped_slashes, http::EscapedSlashes::kKeep);
  EXPECT_TRUE(o->forwarding.use_remote_address);
  EXPECT_EQ(o->forwarding.xff_trusted_hops, 0u);
  EXPECT_EQ(o->forwarding.via, "");
}

TEST_F(HttpOptionsCompilerTest, WhatPorticoCpSendsForAnHttpBlock) {
  const http::HttpOptions* o = optionsOf(translateYaml(R"(listeners:
  - name: public
    address: 127.0.0.1
    port: 8080
    http:
      max_header_count: 20
      max_header_size: 8KB
      max_request_line: 2KB
      max_body: 1MB
      header_timeout: 2500ms
      idle_timeout: 5s
      normalize_path: false
      merge_slashes: false
      escaped_slashes: reject
      xff_trusted_hops: 2
      via: 1.1 portico
)"));
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->max_header_count, 20u);
  EXPECT_EQ(o->max_header_bytes, 8u << 10);
  EXPECT_EQ(o->max_request_line, 2u << 10);
  EXPECT_EQ(o->max_body_bytes, uint64_t{1} << 20);
  EXPECT_EQ(o->header_timeout, milliseconds(2500));
  EXPECT_EQ(o->idle_timeout, milliseconds(5000));
  EXPECT_FALSE(o->path.normalize);
  EXPECT_FALSE(o->path.merge_slashes);
  EXPECT_EQ(o->path.escaped_slashes, http::EscapedSlashes::kReject);
  EXPECT_EQ(o->forwarding.xff_trusted_hops, 2u);
  EXPECT_EQ(o->forwarding.via, "1.1 portico");
}

TEST_F(HttpOptionsCompilerTest, UnsetFieldsStayUnsetWithEnvoysDefaults) {
  const http::HttpOptions* o = optionsOf(setWith([](Listener& l, HcmProto& m) {
    l.clear_metadata();
    HcmProto bare;
    bare.set_stat_prefix(m.stat_prefix());
    *bare.mutable_rds() = m.rds();
    *bare.mutable_http_filters() = m.http_filters();
    m = bare;
  }));
  ASSERT_NE(o, nullptr);
  EXPECT_FALSE(o->max_header_count);
  EXPECT_FALSE(o->max_header_bytes);
  EXPECT_FALSE(o->max_request_line);
  EXPECT_FALSE(o->max_body_bytes);
  EXPECT_FALSE(o->header_timeout);
  EXPECT_FALSE(o->idle_timeout);
  EXPECT_FALSE(o->path.normalize) << "Envoy's default";
  EXPECT_FALSE(o->path.merge_slashes);
  EXPECT_FALSE(o->forwarding.use_remote_address) << "Envoy's default";
}

TEST_F(HttpOptionsCompilerTest, UnescapeAndForwardAndTinyTimeouts) {
  const http::HttpOptions* o = optionsOf(setWith([](Listener&, HcmProto& m) {
    m.set_path_with_escaped_slashes_action(HcmProto::UNESCAPE_AND_FORWARD);
    m.mutable_request_headers_timeout()->set_nanos(1000);  // 1µs must not become "none"
    m.mutable_request_headers_timeout()->set_seconds(0);
    m.mutable_common_http_protocol_options()->mutable_idle_timeout()->Clear();
  }));
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->path.escaped_slashes, http::EscapedSlashes::kUnescape);
  EXPECT_EQ(o->header_timeout, milliseconds(1));
  EXPECT_EQ(o->idle_timeout, milliseconds(0)) << "zero: none";
}

TEST_F(HttpOptionsCompilerTest, NacksWhatThisProxyCannotHonour) {
  EXPECT_EQ(errorOf(setWith([](Listener&, HcmProto& m) {
              m.mutable_common_http_protocol_options()->mutable_max_headers_count()->set_value(0);
            })),
            cat(kWhere, ".common_http_protocol_options.max_headers_count: must be at least 1"));
  EXPECT_EQ(errorOf(setWith([](Listener&, HcmProto& m) {
              m.mutable_max_request_headers_kb()->set_value(8193);
            })),
            cat(kWhere, ".max_request_headers_kb: 8193 is out of range (1..8192)"));
  EXPECT_EQ(errorOf(setWith([](Listener&, HcmProto& m) {
              m.mutable_request_headers_timeout()->set_seconds(-1);
            })),
            cat(kWhere, ".request_headers_timeout: must be a non-negative duration"));
  EXPECT_EQ(errorOf(setWith([](Listener&, HcmProto& m) {
              m.set_path_with_escaped_slashes_action(HcmProto::UNESCAPE_AND_REDIRECT);
            })),
            cat(kWhere, ".path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT is not supported "
                        "(KEEP_UNCHANGED, REJECT_REQUEST, UNESCAPE_AND_FORWARD are)"));
  EXPECT_EQ(errorOf(setWith([](Listener&, HcmProto& m) { m.set_via("a\r\nb"); })),
            cat(kWhere, ".via: must be 1..256 visible ASCII characters (inner spaces allowed)"));
  EXPECT_EQ(errorOf(setWith([](Listener&, HcmProto& m) {
              m.add_original_ip_detection_extensions()->set_name("envoy.http.original_ip_detection.xff");
            })),
            cat(kWhere, ".original_ip_detection_extensions: not supported (use use_remote_address "
                        "and xff_num_trusted_hops)"));
}

TEST_F(HttpOptionsCompilerTest, NacksBadHttpLimitsMetadata) {
  const std::string where =
      "listener \"public\": metadata.typed_filter_metadata[\"portico.http_limits\"]";
  EXPECT_EQ(errorOf(setWith([](Listener& l, HcmProto&) {
              portico::config::http::v1::HttpLimits limits;
              limits.mutable_max_request_line_bytes()->set_value(0);
              (*l.mutable_metadata()->mutable_typed_filter_metadata())["portico.http_limits"].PackFrom(limits);
            })),
            cat(where, ".max_request_line_bytes: must be at least 1"));
  EXPECT_EQ(errorOf(setWith([](Listener& l, HcmProto&) {
              google::protobuf::Any other;
              other.set_type_url("type.googleapis.com/x.Y");
              (*l.mutable_metadata()->mutable_typed_filter_metadata())["portico.http_limits"] = other;
            })),
            cat(where, ": expected type.googleapis.com/portico.config.http.v1.HttpLimits, got "
                       "\"type.googleapis.com/x.Y\""));
}

}  // namespace
}  // namespace portico::dp::config
