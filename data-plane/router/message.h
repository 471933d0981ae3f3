#pragma once

// The HTTP/1.1 messages the proxy handles: Beast messages with whole bodies in a string.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace portico::dp::router {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

}  // namespace portico::dp::router
