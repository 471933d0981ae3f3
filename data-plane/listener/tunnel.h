#pragma once

// The byte tunnel behind a WebSocket upgrade (RFC 6455 over HTTP/1.1 Upgrade): once the
// upstream has answered 101 Switching Protocols and that answer has gone to the client, the
// proxy stops parsing HTTP on both connections and copies bytes both ways until both sides
// have closed, or neither side has sent anything for `idle_timeout`. A side that half-closes
// (FIN) is passed on as a half-close, so a WebSocket close handshake completes normally; a
// reset or a write error on either side closes both. Bytes that were already read past the
// request (client) or past the 101 response (upstream) are sent first.
//
// Runs in the session's coroutine on its worker's thread; the upstream connection is owned by
// the tunnel (never pooled) and keeps its max_connections breaker slot until the tunnel ends.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>

#include "data-plane/net/executor.h"
#include "data-plane/net/connection_deadline.h"
#include "data-plane/upstream/conn_pool.h"

namespace portico::dp::listener {


net::Awaitable<void> runTunnel(net::TimedSocket& client,
                                               boost::beast::flat_buffer& client_pending,
                                               upstream::UpstreamConnectionPtr upstream,
                                               std::chrono::steady_clock::duration idle_timeout);

}  // namespace portico::dp::listener
