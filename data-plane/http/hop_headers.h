#pragma once

// The headers a proxy must not pass on as received: hop-by-hop headers (RFC 9110 §7.6.1, and
// those named in Connection), the WebSocket upgrade pair it passes on deliberately, and the
// identity headers only the gateway may set (x-portico-*, x-user-*).

#include "data-plane/router/message.h"

namespace portico::dp::http {

// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade.
bool hopByHop(boost::beast::http::field name);

// Removes the hop-by-hop headers and every header the Connection fields name.
void removeHopByHop(router::Fields& fields);

// A WebSocket handshake (RFC 6455 §4.1): GET with "Upgrade: websocket" and "upgrade" among the
// Connection tokens.
bool isWebSocketUpgrade(const router::Request& request);

// Puts back the two hop-by-hop headers an upgrade needs on the next hop (after removeHopByHop).
void setUpgradeHeaders(router::Fields& fields);

// Removes x-portico-* and x-user-* (a client must never be able to send them).
void removeIdentityHeaders(router::Fields& fields);

}  // namespace portico::dp::http
