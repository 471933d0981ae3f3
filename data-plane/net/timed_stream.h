#pragma once

// A client connection as a session reads and writes it: a stream with its lazy deadline
// (connection_deadline.h). The stream is the plain TCP socket or a TLS stream over it; session
// code is written once as templates over the stream type, so the plaintext path compiles to
// exactly the socket calls it always made (no virtual call or branch per read or write).
//
// `stream` is what requests are read from and responses written to; `socket()` is the TCP
// socket underneath, for what only TCP has (the deadline closes it, a drain cancels it,
// half-close, options).
//
// Threading: the connection's worker thread only.

#include <boost/asio/ssl/stream.hpp>

#include <type_traits>
#include <utility>

#include "data-plane/net/connection_deadline.h"
#include "data-plane/net/executor.h"

namespace portico::dp::net {

using TlsStream = boost::asio::ssl::stream<Socket>;

template <typename Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

inline Socket& lowestSocket(Socket& socket) { return socket; }
inline Socket& lowestSocket(TlsStream& stream) { return stream.next_layer(); }

template <typename Stream>
struct TimedStream {
  // Plaintext: TimedStream(std::move(socket)); TLS: TimedStream(std::move(socket), ssl_context).
  template <typename... Args>
  explicit TimedStream(Args&&... args) : stream(std::forward<Args>(args)...) {}
  TimedStream(const TimedStream&) = delete;
  TimedStream& operator=(const TimedStream&) = delete;

  Socket& socket() { return lowestSocket(stream); }

  Stream stream;
  ConnectionDeadline deadline{lowestSocket(stream)};
};

using TimedSocket = TimedStream<Socket>;
using TimedTlsStream = TimedStream<TlsStream>;

}  // namespace portico::dp::net
