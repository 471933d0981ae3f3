#pragma once

// The echo backend's WebSocket side (RFC 6455, Boost.Beast): a request that asks for a
// WebSocket upgrade, on any path, is accepted; the server first sends one text message, the
// JSON echo of the upgrade request (the same shape as an HTTP echo, so a test can see the
// headers the proxy forwarded), then echoes every message back as it came (text or binary)
// until the client closes. Tests use it to prove the proxy's upgrade pass-through.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace portico::tools::echo {

// Takes over `stream` (whose upgrade request is `request`) and runs until the WebSocket ends.
void startWebSocketEcho(boost::beast::tcp_stream stream,
                        boost::beast::http::request<boost::beast::http::string_body> request,
                        std::string first_message);

}  // namespace portico::tools::echo
