#pragma once

// portico.yaml's top-level request_id and access_log, as fields of every traffic listener's
// HttpConnectionManager (the wire shapes are in common/xds/hcm_extensions.h):
// - access_log → HttpConnectionManager.access_log: one "envoy.access_loggers.file" entry whose
//   FileAccessLog has the path ("stdout"/"stderr" become /dev/stdout and /dev/stderr) and a
//   log_format.json_format naming Portico's fields as Envoy command operators.
// - request_id.response → always_set_request_id_in_response (Envoy's own field).
// - request_id.header → request_id_extension with Portico's RequestId, only when the header is
//   not x-request-id: Envoy NACKs an extension type it does not know, so a default config stays
//   one that Envoy loads.

#include <google/protobuf/struct.pb.h>

#include <string>

#include "control-plane/model/portico_config.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::cp::translator {

struct HcmOptions {
  model::RequestIdConfig request_id;
  model::AccessLogConfig access_log;
};

// Sets the access log and request id fields of `manager` from `options`.
void applyHcmOptions(
    const HcmOptions& options,
    envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager&
        manager);

// The FileAccessLog path for portico.yaml's access_log.path.
std::string accessLogPath(const std::string& path);

// The json_format of Portico's access log line; the request id is read from `request_id_header`.
google::protobuf::Struct accessLogJsonFormat(const std::string& request_id_header);

}  // namespace portico::cp::translator
