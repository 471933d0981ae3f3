#pragma once

// The HTTP/1.1 settings one connection reads requests with: a listener's HttpOptions from the
// current snapshot, each unset value taken from the proxy's command-line defaults
// (WorkerLimits). Resolved once per snapshot per connection, not per request.

#include <chrono>

#include "data-plane/http/http_options.h"
#include "data-plane/http/request_decoder.h"
#include "data-plane/listener/worker.h"

namespace portico::dp::listener {

struct HttpSettings {
  http::DecoderSettings decoder;
  std::chrono::milliseconds header_timeout{0};  // zero: none
  std::chrono::milliseconds idle_timeout{0};    // zero: none
  http::ForwardingOptions forwarding;
};

// `options` null (no snapshot yet, or the listener is gone): the defaults alone.
HttpSettings resolveHttpSettings(const http::HttpOptions* options, const WorkerLimits& defaults);

}  // namespace portico::dp::listener
