#include "data-plane/net/tls_close.h"

#include <openssl/ssl.h>

namespace portico::dp::net {

Awaitable<void> sendCloseNotify(TlsStream& stream) {
  SSL* ssl = stream.native_handle();
  // Marked as received, SSL_shutdown() sends our alert and reports the shutdown complete
  // instead of asking for the peer's alert, so Asio's shutdown only writes.
  SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
  co_await stream.async_shutdown(kNoThrow);
}

}  // namespace portico::dp::net
