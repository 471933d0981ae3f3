#pragma once

// The HTTP/1.1 messages the proxy handles: Beast messages with whole bodies in a string, whose
// header fields (and the request target / response reason) are allocated from the worker's
// net::FramePool instead of malloc: a proxied request creates and frees a dozen field nodes
// of 80–112 bytes, which were most of its remaining mallocs (docs/benchmarks.md). The
// allocator is stateless, so messages move and copy as before; only the type differs from
// Beast's default `fields`: spell it router::Fields.

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "data-plane/net/frame_pool.h"

namespace portico::dp::router {

using FieldAllocator = net::PoolAllocator<char>;
using Fields = boost::beast::http::basic_fields<FieldAllocator>;
using Request = boost::beast::http::request<boost::beast::http::string_body, Fields>;
using Response = boost::beast::http::response<boost::beast::http::string_body, Fields>;
using ResponseParser = boost::beast::http::parser<false, boost::beast::http::string_body, FieldAllocator>;

}  // namespace portico::dp::router
