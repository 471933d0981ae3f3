// The HCM's request id and access log settings, compiled by the proxy: what portico-cp sends is
// accepted and compiled; everything the proxy cannot honour is NACKed with the exact reason.

#include "data-plane/config/hcm_options_compiler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "control-plane/translator/hcm_options.h"
#include "envoy/config/accesslog/v3/accesslog.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "portico/config/request_id/v1/request_id.pb.h"
#include "tests/unit/data-plane/config/snapshot_compiler_test_util.h"

namespace portico::dp::config {
namespace {

using namespace compiler_test;  // NOLINT(google-build-using-namespace): test helpers
using envoy::extensions::access_loggers::file::v3::FileAccessLog;

constexpr char kHcmWhere[] = "listener \"public\": http_connection_manager";

class HcmOptionsCompilerTest : public SnapshotCompilerTest {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/portico-hcm-options-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    log_path_ = cat(dir_, "/access.log");
  }
  void TearDown() override {
    std::remove(log_path_.c_str());
    rmdir(dir_.c_str());
  }

  // minimalSet() whose listener "public" has `manager`'s fields merged into its HCM.
  static xds::ResourceSet setWithHcm(const hcm::HttpConnectionManager& extra) {
    xds::ResourceSet set = minimalSet();
    Listener in = listener("public");
    hcm::HttpConnectionManager manager = hcmOf(in);
    manager.MergeFrom(extra);
    add(set, withHcm(in, manager));
    return set;
  }

  // An HCM with one access_log entry "envoy.access_loggers.file" holding `file`.
  static hcm::HttpConnectionManager withFileLog(const FileAccessLog& file) {
    hcm::HttpConnectionManager manager;
    auto* log = manager.add_access_log();
    log->set_name("envoy.access_loggers.file");
    log->mutable_typed_config()->PackFrom(file);
    return manager;
  }

  // A FileAccessLog to log_path_ with portico-cp's json_format for header x-request-id.
  FileAccessLog goodFileLog() const {
    FileAccessLog file;
    file.set_path(log_path_);
    *file.mutable_log_format()->mutable_json_format() =
        portico::cp::translator::accessLogJsonFormat("x-request-id");
    return file;
  }

  std::string dir_;
  std::string log_path_;
};

TEST_F(HcmOptionsCompilerTest, DefaultsWithoutAccessLogOrExtension) {
  SnapshotPtr snapshot = compileOk(minimalSet());
  ASSERT_NE(snapshot, nullptr);
  const ListenerConfig* l = snapshot->listener("public");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->request_id_header, "x-request-id");
  EXPECT_TRUE(l->request_id_in_response) << "buildListener's default: response: true";
  EXPECT_TRUE(l->access_logs.empty());
}

TEST_F(HcmOptionsCompilerTest, AcceptsWhatTheControlPlaneSends) {
  const xds::ResourceSet set =
      translateYaml(cat("listeners:\n  - { name: public, address: 127.0.0.1, port: 8080 }\n",
                        "request_id: { header: X-Trace-Id, response: false }\n",
                        "access_log: { path: ", log_path_, " }\n"));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  const ListenerConfig* l = snapshot->listener("public");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->request_id_header, "x-trace-id");
  EXPECT_FALSE(l->request_id_in_response);
  ASSERT_EQ(l->access_logs.size(), 1u);
  EXPECT_EQ(l->access_logs[0]->file->path(), log_path_);
  EXPECT_EQ(access(log_path_.c_str(), F_OK), 0) << "the file is opened (created) at compile time";

  // The compiled format renders portico-cp's keys; the request id comes from x-trace-id.
  http::AccessLogEntry entry;
  entry.method = "GET";
  entry.path = "/a?b=1";
  entry.status = 200;
  entry.duration_ms = 7;
  entry.route = "r";
  entry.request_id = "abc";
  entry.client_ip = "127.0.0.1";
  entry.bytes_sent = 12;
  std::string line;
  l->access_logs[0]->format.render(entry, line);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  const boost::json::object json = boost::json::parse(line).as_object();
  EXPECT_EQ(json.size(), 10u);
  EXPECT_EQ(json.at("method").as_string(), "GET");
  EXPECT_EQ(json.at("path").as_string(), "/a?b=1");
  EXPECT_EQ(json.at("status").as_int64(), 200);
  EXPECT_EQ(json.at("duration_ms").as_int64(), 7);
  EXPECT_TRUE(json.at("upstream").is_null()) << "no upstream: null, as Envoy writes it";
  EXPECT_EQ(json.at("route").as_string(), "r");
  EXPECT_EQ(json.at("request_id").as_string(), "abc");
  EXPECT_EQ(json.at("client_ip").as_string(), "127.0.0.1");
  EXPECT_EQ(json.at("bytes_sent").as_int64(), 12);
  EXPECT_EQ(json.at("time").as_string().size(), 24u);  // 1970-01-01T00:00:00.000Z
}

TEST_F(HcmOptionsCompilerTest, StdoutIsFdOneAndOnePathIsOpenedOnce) {
  FileAccessLog file = goodFileLog();
  file.set_path("/dev/stdout");
  xds::ResourceSet set = setWithHcm(withFileLog(file));
  // A second listener logging to the same file shares the open file.
  Listener second = listener("second", "127.0.0.1", 8081);
  hcm::HttpConnectionManager manager = hcmOf(second);
  manager.MergeFrom(withFileLog(file));
  add(set, withHcm(second, manager));
  SnapshotPtr snapshot = compileOk(set);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->listener("public")->access_logs.size(), 1u);
  ASSERT_EQ(snapshot->listener("second")->access_logs.size(), 1u);
  EXPECT_EQ(snapshot->listener("public")->access_logs[0]->file,
            snapshot->listener("second")->access_logs[0]->file);
}

TEST_F(HcmOptionsCompilerTest, UnknownCommandOperatorIsNacked) {
  FileAccessLog file = goodFileLog();
  (*file.mutable_log_format()->mutable_json_format()->mutable_fields())["agent"].set_string_value(
      "%REQ(USER-AGENT)%");
  EXPECT_EQ(
      errorOf(setWithHcm(withFileLog(file))),
      cat(kHcmWhere,
          ".access_log[0] \"envoy.access_loggers.file\".typed_config.log_format.json_format."
          "\"agent\": unsupported command operator \"%REQ(USER-AGENT)%\"; this proxy supports "
          "%START_TIME%, %REQ(:METHOD)%, %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%, %RESPONSE_CODE%, "
          "%DURATION%, %UPSTREAM_HOST%, %ROUTE_NAME%, %REQ(<request id header>)%, "
          "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%, %BYTES_SENT%, each as the whole value"));
  EXPECT_EQ(access(log_path_.c_str(), F_OK), -1) << "a refused log opens no file";
}

TEST_F(HcmOptionsCompilerTest, OperatorInsideLiteralTextAndNonStringValuesAreNacked) {
  FileAccessLog file = goodFileLog();
  auto& fields = *file.mutable_log_format()->mutable_json_format()->mutable_fields();
  fields["took"].set_string_value("%DURATION% ms");
  fields["version"].set_number_value(1);
  const std::string where =
      cat(kHcmWhere,
          ".access_log[0] \"envoy.access_loggers.file\".typed_config.log_format.json_format.");
  const std::string error = errorOf(setWithHcm(withFileLog(file)));
  EXPECT_NE(error.find(cat(where, "\"took\": unsupported command operator \"%DURATION% ms\"")),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(cat(where, "\"version\": must be a string holding one command operator")),
            std::string::npos)
      << error;
}

TEST_F(HcmOptionsCompilerTest, RequestIdOperatorMustNameTheConfiguredHeader) {
  // %REQ(X-REQUEST-ID)% with header x-trace-id is an ordinary request header: not supported.
  hcm::HttpConnectionManager manager = withFileLog(goodFileLog());
  portico::config::request_id::v1::RequestId request_id;
  request_id.set_header("x-trace-id");
  request_id.set_response(true);
  manager.mutable_request_id_extension()->mutable_typed_config()->PackFrom(request_id);
  EXPECT_NE(errorOf(setWithHcm(manager))
                .find("\"request_id\": unsupported command operator "
                      "\"%REQ(X-REQUEST-ID)%\""),
            std::string::npos);
}

TEST_F(HcmOptionsCompilerTest, TextFormatsAreNacked) {
  const std::string where =
      cat(kHcmWhere, ".access_log[0] \"envoy.access_loggers.file\".typed_config");
  FileAccessLog text;
  text.set_path(log_path_);
  text.mutable_log_format()->set_text_format("%START_TIME% %REQ(:METHOD)%\n");
  EXPECT_EQ(errorOf(setWithHcm(withFileLog(text))),
            cat(where, ".log_format: only json_format is supported"));

  FileAccessLog none;
  none.set_path(log_path_);
  EXPECT_EQ(errorOf(setWithHcm(withFileLog(none))),
            cat(where,
                ".log_format.json_format: required (this proxy writes JSON lines only; "
                "Envoy's default text format is not supported)"));

  FileAccessLog deprecated;
  deprecated.set_path(log_path_);
  (*deprecated.mutable_json_format()->mutable_fields())["status"].set_string_value(
      "%RESPONSE_CODE%");
  EXPECT_EQ(
      errorOf(setWithHcm(withFileLog(deprecated))),
      cat(where, ": the deprecated format fields are not supported; use log_format.json_format"));
}

TEST_F(HcmOptionsCompilerTest, FiltersOtherLoggersAndMissingPathsAreNacked) {
  hcm::HttpConnectionManager filtered = withFileLog(goodFileLog());
  filtered.mutable_access_log(0)->mutable_filter();
  EXPECT_EQ(errorOf(setWithHcm(filtered)),
            cat(kHcmWhere,
                ".access_log[0] \"envoy.access_loggers.file\".filter: not supported "
                "(this proxy logs every request)"));

  hcm::HttpConnectionManager stream;
  auto* log = stream.add_access_log();
  log->set_name("envoy.access_loggers.stdout");
  log->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog");
  EXPECT_EQ(errorOf(setWithHcm(stream)),
            cat(kHcmWhere,
                ".access_log[0] \"envoy.access_loggers.stdout\": unsupported access "
                "logger type \"type.googleapis.com/envoy.extensions.access_loggers.stream."
                "v3.StdoutAccessLog\" (supported: type.googleapis.com/envoy.extensions."
                "access_loggers.file.v3.FileAccessLog)"));

  FileAccessLog no_path = goodFileLog();
  no_path.clear_path();
  EXPECT_EQ(
      errorOf(setWithHcm(withFileLog(no_path))),
      cat(kHcmWhere, ".access_log[0] \"envoy.access_loggers.file\".typed_config.path: required"));
}

TEST_F(HcmOptionsCompilerTest, FileThatCannotBeOpenedIsNacked) {
  FileAccessLog file = goodFileLog();
  file.set_path("/nonexistent-portico-dir/access.log");
  EXPECT_EQ(errorOf(setWithHcm(withFileLog(file))),
            cat(kHcmWhere,
                ".access_log[0] \"envoy.access_loggers.file\".typed_config.path: cannot "
                "open \"/nonexistent-portico-dir/access.log\": No such file or directory"));
}

TEST_F(HcmOptionsCompilerTest, RequestIdExtensions) {
  // Envoy's UUID extension: the default header.
  hcm::HttpConnectionManager uuid;
  uuid.mutable_request_id_extension()->mutable_typed_config()->set_type_url(
      "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig");
  SnapshotPtr snapshot = compileOk(setWithHcm(uuid));
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->listener("public")->request_id_header, "x-request-id");

  // Portico's own: header and echo.
  hcm::HttpConnectionManager portico_ext;
  portico::config::request_id::v1::RequestId request_id;
  request_id.set_header("X-Corr");
  request_id.set_response(false);
  portico_ext.mutable_request_id_extension()->mutable_typed_config()->PackFrom(request_id);
  snapshot = compileOk(setWithHcm(portico_ext));
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->listener("public")->request_id_header, "x-corr");
  EXPECT_FALSE(snapshot->listener("public")->request_id_in_response);

  // A header the proxy manages itself cannot carry ids.
  request_id.set_header("content-length");
  portico_ext.mutable_request_id_extension()->mutable_typed_config()->PackFrom(request_id);
  EXPECT_EQ(errorOf(setWithHcm(portico_ext)),
            cat(kHcmWhere,
                ".request_id_extension.typed_config.header: \"content-length\" cannot "
                "carry request ids (an HTTP header name of at most 64 characters that "
                "the proxy does not manage itself)"));

  hcm::HttpConnectionManager other;
  other.mutable_request_id_extension()->mutable_typed_config()->set_type_url(
      "type.googleapis.com/example.RequestIdThing");
  EXPECT_EQ(errorOf(setWithHcm(other)),
            cat(kHcmWhere,
                ".request_id_extension.typed_config: unsupported request id extension "
                "type.googleapis.com/example.RequestIdThing (supported: "
                "type.googleapis.com/portico.config.request_id.v1.RequestId, "
                "type.googleapis.com/envoy.extensions.request_id.uuid.v3."
                "UuidRequestIdConfig)"));
}

}  // namespace
}  // namespace portico::dp::config
