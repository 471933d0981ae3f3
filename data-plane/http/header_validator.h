#pragma once

// Checks a parsed request head for ambiguous message framing and routing (request smuggling,
// RFC 9112 §6.1-6.3 and §3.2), after Beast has parsed it. Beast already refuses a
// Content-Length after "Transfer-Encoding: chunked", a second chunked Transfer-Encoding, and
// differing Content-Length values; it accepts the rest of what is refused here, each with 400:
// - Transfer-Encoding and Content-Length together (in either order);
// - Transfer-Encoding in an HTTP/1.0 request;
// - more than one Transfer-Encoding field, or one whose value is not exactly "chunked"
//   (case-insensitive, surrounding whitespace aside): "chunked, identity", "gzip, chunked",
//   "xchunked", "chunked;x" are all refused — Beast would treat an unknown coding as "no body"
//   and parse the body bytes as the next request;
// - more than one Content-Length field, even with the same value, or a comma list such as
//   "5, 5" (RFC 9112 §6.3 lets a recipient collapse identical values; any duplicate is
//   refused here because an upstream or another hop may not collapse them the same way);
// - a Content-Length that is not 1..19 decimal digits (no sign, no inner whitespace);
// - no Host in an HTTP/1.1 request, or more than one Host field (§3.2: a server MUST answer
//   400): with two Hosts the proxy would route on one and the upstream could use the other.
//
// Pure; reads the fields once.

#include <boost/beast/http/message.hpp>

#include "data-plane/http/refusal.h"
#include "data-plane/router/message.h"

namespace portico::dp::http {

Refusal validateRequestHeader(const boost::beast::http::request_header<router::Fields>& header);

}  // namespace portico::dp::http
