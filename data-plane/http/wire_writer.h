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

namespace portico::dp::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Frames a fully read request body for forwarding: a de-chunked body goes out with an exact
// Content-Length; a bodiless request without one gets none (RFC 9110 §8.6).
void frameRequestBody(Request& request);

// Replaces `out` with "METHOD target HTTP/x.y\r\n" + fields + "\r\n" (capacity is kept, so a
// reused buffer allocates only while it grows).
void writeRequestHead(const Request& request, std::string& out);
// Replaces `out` with "HTTP/x.y code reason\r\n" + fields + "\r\n".
void writeResponseHead(const Response& response, std::string& out);

}  // namespace portico::dp::http
