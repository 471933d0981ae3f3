#include "control-plane/translator/hcm_options.h"

#include "absl/strings/ascii.h"
#include "common/strings.h"
#include "common/xds/hcm_extensions.h"
#include "control-plane/translator/proto_util.h"
#include "envoy/config/accesslog/v3/accesslog.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "portico/config/http/v1/http_limits.pb.h"
#include "portico/config/request_id/v1/request_id.pb.h"

namespace portico::cp::translator {

namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;

std::string accessLogPath(const std::string& path) {
  if (path == "stdout") return std::string(portico::xds::kStdoutPath);
  if (path == "stderr") return std::string(portico::xds::kStderrPath);
  return path;
}

google::protobuf::Struct accessLogJsonFormat(const std::string& request_id_header) {
  google::protobuf::Struct format;
  auto& fields = *format.mutable_fields();
  for (const portico::xds::AccessLogField& field : portico::xds::kAccessLogFields) {
    fields[std::string(field.key)].set_string_value(std::string(field.command));
  }
  fields[std::string(portico::xds::kRequestIdKey)].set_string_value(
      cat("%REQ(", absl::AsciiStrToUpper(request_id_header), ")%"));
  return format;
}

void applyHcmOptions(const HcmOptions& options, hcm::HttpConnectionManager& manager) {
  if (options.access_log.enabled) {
    envoy::extensions::access_loggers::file::v3::FileAccessLog file;
    file.set_path(accessLogPath(options.access_log.path));
    *file.mutable_log_format()->mutable_json_format() =
        accessLogJsonFormat(options.request_id.header);
    envoy::config::accesslog::v3::AccessLog* log = manager.add_access_log();
    log->set_name(std::string(portico::xds::kFileAccessLogName));
    packDeterministic(file, log->mutable_typed_config());
  }
  manager.set_always_set_request_id_in_response(options.request_id.response);
  if (options.request_id.header != portico::xds::kDefaultRequestIdHeader) {
    portico::config::request_id::v1::RequestId request_id;
    request_id.set_header(options.request_id.header);
    request_id.set_response(options.request_id.response);
    packDeterministic(request_id, manager.mutable_request_id_extension()->mutable_typed_config());
  }
}

namespace {

hcm::HttpConnectionManager::PathWithEscapedSlashesAction escapedSlashesAction(
    model::ListenerHttpConfig::EscapedSlashes value) {
  switch (value) {
    case model::ListenerHttpConfig::EscapedSlashes::kReject:
      return hcm::HttpConnectionManager::REJECT_REQUEST;
    case model::ListenerHttpConfig::EscapedSlashes::kUnescape:
      return hcm::HttpConnectionManager::UNESCAPE_AND_FORWARD;
    case model::ListenerHttpConfig::EscapedSlashes::kKeep:
      break;
  }
  return hcm::HttpConnectionManager::KEEP_UNCHANGED;
}

}  // namespace

void applyListenerHttp(const model::ListenerHttpConfig& http, hcm::HttpConnectionManager& manager) {
  auto* common = manager.mutable_common_http_protocol_options();
  common->mutable_max_headers_count()->set_value(http.max_header_count);
  setDuration(http.idle_timeout, common->mutable_idle_timeout());
  manager.mutable_max_request_headers_kb()->set_value(static_cast<uint32_t>(http.max_header_size >> 10));
  setDuration(http.header_timeout, manager.mutable_request_headers_timeout());
  manager.mutable_normalize_path()->set_value(http.normalize_path);
  manager.set_merge_slashes(http.merge_slashes);
  manager.set_path_with_escaped_slashes_action(escapedSlashesAction(http.escaped_slashes));
  manager.mutable_use_remote_address()->set_value(true);
  manager.set_xff_num_trusted_hops(http.xff_trusted_hops);
  manager.set_via(http.via);
}

void setHttpLimitsMetadata(const model::ListenerHttpConfig& http,
                           envoy::config::listener::v3::Listener& listener) {
  portico::config::http::v1::HttpLimits limits;
  limits.mutable_max_request_line_bytes()->set_value(static_cast<uint32_t>(http.max_request_line));
  limits.mutable_max_request_body_bytes()->set_value(http.max_body);
  auto& typed = *listener.mutable_metadata()->mutable_typed_filter_metadata();
  packDeterministic(limits, &typed[std::string(portico::xds::kHttpLimitsMetadataKey)]);
}

}  // namespace portico::cp::translator
