#pragma once

// Responses the proxy makes itself (no route, no endpoint, upstream failures, bad requests):
// small JSON bodies {"error": code, "message": text, "request_id": id} so clients and
// operators can tell a gateway answer from an upstream one.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string_view>

#include "data-plane/router/message.h"

namespace portico::dp::http {

using Response = router::Response;

// Builds the response; `version` is the request's HTTP version (10 or 11). The request id goes
// in the body only: the caller sets the listener's request id header when it echoes ids.
Response localReply(int status, std::string_view code, std::string_view message, std::string_view request_id,
                    unsigned version, bool keep_alive);

}  // namespace portico::dp::http
