#pragma once

// A listener's HTTP/1.1 settings as the control plane sent them (compiled from the
// HttpConnectionManager and Portico's HttpLimits in data-plane/config/http_options_compiler.h).
// A limit or timeout the xDS resource leaves unset is std::nullopt: the proxy's command-line
// default applies (see listener/http_settings.h).

#include <chrono>
#include <cstdint>
#include <optional>

#include "data-plane/http/forwarded_headers.h"
#include "data-plane/http/path_normalizer.h"

namespace portico::dp::http {

struct HttpOptions {
  std::optional<uint32_t> max_header_count;
  std::optional<uint32_t> max_header_bytes;
  std::optional<uint32_t> max_request_line;
  std::optional<uint64_t> max_body_bytes;
  std::optional<std::chrono::milliseconds> header_timeout;  // zero: none (Envoy's meaning)
  std::optional<std::chrono::milliseconds> idle_timeout;    // zero: none
  PathOptions path;
  ForwardingOptions forwarding;
};

}  // namespace portico::dp::http
