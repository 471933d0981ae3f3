#include "data-plane/config/hcm_options_compiler.h"

#include "absl/strings/ascii.h"
#include "common/strings.h"
#include "common/xds/hcm_extensions.h"
#include "data-plane/config/http_options_compiler.h"
#include "envoy/extensions/access_loggers/file/v3/file.pb.h"
#include "portico/config/request_id/v1/request_id.pb.h"

namespace portico::dp::config {

namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;
namespace file_v3 = envoy::extensions::access_loggers::file::v3;
using envoy::config::core::v3::SubstitutionFormatString;

namespace {

void compileRequestId(const hcm::HttpConnectionManager& manager, const std::string& where,
                      ListenerConfig& out, std::vector<std::string>& errors) {
  out.request_id_header = std::string(portico::xds::kDefaultRequestIdHeader);
  out.request_id_in_response = manager.always_set_request_id_in_response();
  if (!manager.has_request_id_extension()) return;
  const google::protobuf::Any& typed = manager.request_id_extension().typed_config();
  const std::string ewhere = cat(where, ".request_id_extension.typed_config");
  if (typed.type_url().empty() || typed.type_url() == portico::xds::kUuidRequestIdType) {
    return;  // Envoy's UUID extension: x-request-id
  }
  if (typed.type_url() != portico::xds::kRequestIdType) {
    errors.push_back(cat(ewhere, ": unsupported request id extension ", typed.type_url(),
                         " (supported: ", portico::xds::kRequestIdType, ", ",
                         portico::xds::kUuidRequestIdType, ")"));
    return;
  }
  portico::config::request_id::v1::RequestId request_id;
  if (!typed.UnpackTo(&request_id)) {
    errors.push_back(cat(ewhere, ": cannot decode RequestId"));
    return;
  }
  const std::string header = absl::AsciiStrToLower(request_id.header());
  if (!portico::xds::validRequestIdHeader(header)) {
    errors.push_back(cat(ewhere, ".header: \"", request_id.header(),
                         "\" cannot carry request ids (an HTTP header name of at most 64 "
                         "characters that the proxy does not manage itself)"));
    return;
  }
  out.request_id_header = header;
  out.request_id_in_response = request_id.response();
}

// The json_format of one FileAccessLog, or an error appended.
const google::protobuf::Struct* jsonFormatOf(const file_v3::FileAccessLog& file,
                                             const std::string& where,
                                             std::vector<std::string>& errors) {
  switch (file.access_log_format_case()) {
    case file_v3::FileAccessLog::kLogFormat:
      break;
    case file_v3::FileAccessLog::kFormat:
    case file_v3::FileAccessLog::kJsonFormat:
    case file_v3::FileAccessLog::kTypedJsonFormat:
      errors.push_back(cat(where,
                           ": the deprecated format fields are not supported; use "
                           "log_format.json_format"));
      return nullptr;
    case file_v3::FileAccessLog::ACCESS_LOG_FORMAT_NOT_SET:
      errors.push_back(cat(where,
                           ".log_format.json_format: required (this proxy writes JSON "
                           "lines only; Envoy's default text format is not supported)"));
      return nullptr;
  }
  const SubstitutionFormatString& format = file.log_format();
  if (format.format_case() != SubstitutionFormatString::kJsonFormat) {
    errors.push_back(cat(where, ".log_format: only json_format is supported"));
    return nullptr;
  }
  return &format.json_format();
}

void compileAccessLogs(const hcm::HttpConnectionManager& manager, const std::string& where,
                       ListenerConfig& out, std::vector<std::string>& errors) {
  out.access_logs.clear();
  for (int i = 0; i < manager.access_log_size(); ++i) {
    const envoy::config::accesslog::v3::AccessLog& entry = manager.access_log(i);
    const std::string lwhere = cat(where, ".access_log[", i, "] \"", entry.name(), "\"");
    if (entry.has_filter()) {
      errors.push_back(cat(lwhere, ".filter: not supported (this proxy logs every request)"));
      continue;
    }
    if (entry.typed_config().type_url() != portico::xds::kFileAccessLogType) {
      errors.push_back(cat(lwhere, ": unsupported access logger type \"",
                           entry.typed_config().type_url(),
                           "\" (supported: ", portico::xds::kFileAccessLogType, ")"));
      continue;
    }
    file_v3::FileAccessLog file;
    if (!entry.typed_config().UnpackTo(&file)) {
      errors.push_back(cat(lwhere, ".typed_config: cannot decode FileAccessLog"));
      continue;
    }
    const std::string fwhere = cat(lwhere, ".typed_config");
    if (file.path().empty()) {
      errors.push_back(cat(fwhere, ".path: required"));
      continue;
    }
    const google::protobuf::Struct* json = jsonFormatOf(file, fwhere, errors);
    if (json == nullptr) continue;
    auto format = http::JsonLogFormat::compile(*json, out.request_id_header,
                                               file.log_format().omit_empty_values(),
                                               cat(fwhere, ".log_format.json_format"));
    if (!format.ok()) {
      errors.push_back(std::string(format.status().message()));
      continue;
    }
    auto opened = http::AccessLogFile::open(file.path());
    if (!opened.ok()) {
      errors.push_back(cat(fwhere, ".", opened.status().message()));
      continue;
    }
    out.access_logs.push_back(std::make_shared<const http::AccessLog>(
        http::AccessLog{std::move(*opened), std::move(*format)}));
  }
}

}  // namespace

void compileHcmOptions(const hcm::HttpConnectionManager& manager, const std::string& where,
                       ListenerConfig& out, std::vector<std::string>& errors) {
  compileRequestId(manager, where, out, errors);
  compileAccessLogs(manager, where, out, errors);
  compileHttpOptions(manager, where, out.http, errors);
}

}  // namespace portico::dp::config
