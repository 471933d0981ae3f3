#include "control-plane/translator/hcm_options.h"

#include "absl/strings/ascii.h"
#include "common/strings.h"
#include "common/xds/hcm_extensions.h"
#include "control-plane/translator/proto_util.h"
#include "envoy/config/accesslog/v3/accesslog.pb.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
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

}  // namespace portico::cp::translator
