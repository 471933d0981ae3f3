#pragma once

// The HttpConnectionManager's request id and access log settings, compiled into a listener's
// config (the control plane's side is control-plane/translator/hcm_options.h):
// - request id header: x-request-id, or the header of Portico's RequestId in
//   request_id_extension (Envoy's UuidRequestIdConfig, or an extension without typed_config,
//   means x-request-id); any other extension type is refused. Echoed on responses when
//   always_set_request_id_in_response is set, or as the RequestId's `response` says.
// - access_log: each entry must be a FileAccessLog without filter, with a path and a
//   log_format.json_format of the operators JsonLogFormat implements; anything else is refused
//   by name (the NACK says what is supported). The file is opened here, once per path.
// - HTTP/1.1 limits, timeouts, path normalization and forwarding headers: see
//   http_options_compiler.h (compileHttpOptions; the listener-level HttpLimits are compiled by
//   compileHttpLimits).

#include <string>
#include <vector>

#include "data-plane/config/snapshot.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::dp::config {

// Fills out.request_id_header, out.request_id_in_response, out.access_logs and out.http from
// `manager`; appends one message per problem to `errors` (each starting with `where`). xDS
// thread.
void compileHcmOptions(
    const envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager&
        manager,
    const std::string& where, ListenerConfig& out, std::vector<std::string>& errors);

}  // namespace portico::dp::config
