#pragma once

// A listener's HTTP/1.1 settings (http::HttpOptions), compiled from Envoy's own
// HttpConnectionManager fields and Portico's HttpLimits in the Listener's metadata. What Envoy
// would refuse is refused (NACKed) with the field's path; an unset field stays unset (the
// proxy's command-line default applies):
// - common_http_protocol_options.max_headers_count (≥ 1) → max_header_count (431);
//   common_http_protocol_options.idle_timeout (≥ 0; 0: none) → idle_timeout;
// - max_request_headers_kb (1..8192, Envoy's range) → max_header_bytes (431);
// - request_headers_timeout (≥ 0; 0: none) → header_timeout (408 and close);
// - normalize_path (absent: false, Envoy's default), merge_slashes,
//   path_with_escaped_slashes_action (KEEP_UNCHANGED and the implementation default keep,
//   REJECT_REQUEST, UNESCAPE_AND_FORWARD; UNESCAPE_AND_REDIRECT is refused: not implemented);
// - use_remote_address (absent: false), xff_num_trusted_hops, via (validViaValue);
//   original_ip_detection_extensions are refused (not implemented; they would change the
//   client address).
// - metadata.typed_filter_metadata["portico.http_limits"]: HttpLimits (max_request_line_bytes
//   ≥ 1 → 414; max_request_body_bytes → 413); any other type under that key is refused.

#include <string>
#include <vector>

#include "data-plane/http/http_options.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"

namespace portico::dp::config {

// The HCM's fields into `out`; one message per problem appended to `errors`. xDS thread.
void compileHttpOptions(
    const envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager&
        manager,
    const std::string& where, http::HttpOptions& out, std::vector<std::string>& errors);

// The listener's Portico HttpLimits into `out`. xDS thread.
void compileHttpLimits(const envoy::config::listener::v3::Listener& listener,
                       const std::string& where, http::HttpOptions& out,
                       std::vector<std::string>& errors);

}  // namespace portico::dp::config
