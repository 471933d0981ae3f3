#pragma once

// Serialises HTTP/1.1 message heads into one contiguous buffer, so a message goes out as two
// buffers (head, body) in one write. Beast's own serializer walks a deep buffer-sequence view
// per field, which profiling showed as the largest user-space cost of proxying a small request.
//
// The caller owns framing: the message must already carry the right Content-Length or
// Transfer-Encoding for its body.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

#include "data-plane/http/added_fields.h"
#include "data-plane/router/message.h"

namespace portico::dp::http {

using Request = router::Request;
using Response = router::Response;

// Frames a fully read request body for forwarding: a de-chunked body goes out with an exact
// Content-Length; a bodiless request without one gets none (RFC 9110 §8.6).
void frameRequestBody(Request& request);

// Frames a body sent whole: no Transfer-Encoding, one Content-Length of `size`. An existing
// single Content-Length that already says `size` is kept (the common proxied case), which
// saves the field's removal and re-insertion.
void setExactLength(router::Fields& fields, uint64_t size);

// Beast's keep_alive(bool) for a message that has no Connection field left (after hop-by-hop
// removal): adds "close" (HTTP/1.1) or "keep-alive" (HTTP/1.0) when the default differs from
// `keep_alive`. Beast's own version re-parses and rewrites the Connection field.
void setPersistence(router::Fields& fields, unsigned version, bool keep_alive);

// Replaces `out` with "METHOD target HTTP/x.y\r\n" + fields + added + "\r\n" (capacity is
// kept, so a reused buffer allocates only while it grows). `added`: the gateway's own fields
// for the upstream (added_fields.h).
void writeRequestHead(const Request& request, const AddedFields& added, std::string& out);
// Replaces `out` with "HTTP/x.y code reason\r\n" + raw_fields + fields + "\r\n": `raw_fields`
// are the upstream's header lines as received (raw_fields.h), before the gateway's own.
void writeResponseHead(const Response& response, std::string_view raw_fields, std::string& out);

}  // namespace portico::dp::http
