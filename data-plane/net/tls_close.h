#pragma once

// Ending the TLS side of a connection (RFC 8446 §6.1, RFC 5246 §7.2.1): the proxy sends its
// close_notify alert and does not wait for the client's, since the connection is being closed
// (or, in a tunnel, half-closed) anyway — waiting would hold the socket for a client that may
// never answer, and would need a read that can collide with a read already pending on the
// stream. The caller bounds the write with the connection's deadline.
//
// Threading: the connection's worker thread.

#include "data-plane/net/executor.h"
#include "data-plane/net/timed_stream.h"

namespace portico::dp::net {

Awaitable<void> sendCloseNotify(TlsStream& stream);

}  // namespace portico::dp::net
