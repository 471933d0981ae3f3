#pragma once

// The byte tunnel behind a WebSocket upgrade (RFC 6455 over HTTP/1.1 Upgrade): once the
// upstream has answered 101 Switching Protocols and that answer has gone to the client, the
// proxy stops parsing HTTP on both connections and copies bytes both ways until both sides
// have closed, or neither side has sent anything for `idle_timeout`. A side that half-closes
// (FIN) is passed on as a half-close, so a WebSocket close handshake completes normally; a
// reset or a write error on either side closes both. Bytes that were already read past the
// request (client) or past the 101 response (upstream) are sent first.
//
// Over TLS the client side is decrypted and re-encrypted like any other bytes. A client's
// close_notify (or a bare FIN) is passed on to the upstream as a half-close; an upstream's FIN
// becomes the proxy's close_notify plus a FIN to the client (after close_notify a TLS 1.2
// client may not send more, so the client side is done once it answers or closes).
//
// Runs in the session's coroutine on its worker's thread; the upstream connection is owned by
// the tunnel (never pooled) and keeps its max_connections breaker slot until the tunnel ends.
// Instantiated for the plain socket and the TLS stream (tunnel.cc).

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>

#include "data-plane/net/executor.h"
#include "data-plane/net/timed_stream.h"
#include "data-plane/upstream/conn_pool.h"

namespace portico::dp::listener {

template <typename Stream>
net::Awaitable<void> runTunnel(net::TimedStream<Stream>& client,
                               boost::beast::flat_buffer& client_pending,
                               upstream::UpstreamConnectionPtr upstream,
                               std::chrono::steady_clock::duration idle_timeout);

}  // namespace portico::dp::listener
