#pragma once

// Per-route request body limit (portico.filters.request_size_limit.v1.RequestSizeLimit): a
// request whose body is larger than max_body_bytes is refused with 413 `body_too_large`
// before it reaches the upstream. The declared Content-Length is checked as well as the body
// read, so a client announcing more than the limit is refused even if it sends less. The
// listener's own body limit (http_options, checked while reading) still applies first.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::request_size_limit {

// Registered for type.googleapis.com/portico.filters.request_size_limit.v1.RequestSizeLimit.
const http::FilterFactory& requestSizeLimitFactory();

}  // namespace portico::dp::filters::request_size_limit
