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
// - listeners[].http (always sent in full, so Envoy and portico-proxy apply the documented
//   defaults rather than their own): max_header_count → common_http_protocol_options
//   .max_headers_count, idle_timeout → common_http_protocol_options.idle_timeout,
//   max_header_size → max_request_headers_kb, header_timeout → request_headers_timeout,
//   normalize_path, merge_slashes, escaped_slashes → path_with_escaped_slashes_action
//   (KEEP_UNCHANGED / REJECT_REQUEST / UNESCAPE_AND_FORWARD), xff_trusted_hops →
//   xff_num_trusted_hops, use_remote_address = true (the proxy is the edge: the peer is
//   appended to X-Forwarded-For), via. Envoy has no field for max_request_line and max_body:
//   they go in Portico's HttpLimits in the Listener's metadata (setHttpLimitsMetadata).

#include <google/protobuf/struct.pb.h>

#include <string>

#include "control-plane/model/portico_config.h"
#include "envoy/config/listener/v3/listener.pb.h"
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

// Sets the HTTP/1.1 fields of `manager` from a listener's `http` block.
void applyListenerHttp(
    const model::ListenerHttpConfig& http,
    envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager&
        manager);

// Puts Portico's HttpLimits (max_request_line, max_body) in the listener's
// metadata.typed_filter_metadata["portico.http_limits"]: Envoy ignores metadata it does not use.
void setHttpLimitsMetadata(const model::ListenerHttpConfig& http,
                           envoy::config::listener::v3::Listener& listener);

// The FileAccessLog path for portico.yaml's access_log.path.
std::string accessLogPath(const std::string& path);

// The json_format of Portico's access log line; the request id is read from `request_id_header`.
google::protobuf::Struct accessLogJsonFormat(const std::string& request_id_header);

}  // namespace portico::cp::translator
