#pragma once

// Reads one downstream request through an http::RequestDecoder, with the listener's timeouts:
// - Header timeout (slowloris): the whole head must have arrived by a deadline that starts when
//   the connection was accepted (first request) or when the first byte of the request arrived
//   (later requests on a kept-alive connection). It is a deadline, not a per-read timeout, so a
//   client dribbling one byte at a time is cut when it passes: 408 and close.
// - Idle timeout: how long a kept-alive connection may wait for the first byte of its next
//   request (then it is closed without an answer), and how long any single read of a request
//   body may wait (408 and close).
// A zero timeout means none. "100 Continue" is sent when a request expects it.
//
// Templates over the client stream (net/timed_stream.h), instantiated for the plain socket and
// the TLS stream only (request_reader.cc).
//
// Worker thread only.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>

#include "data-plane/net/executor.h"
#include "data-plane/http/refusal.h"
#include "data-plane/http/request_decoder.h"
#include "data-plane/listener/http_settings.h"
#include "data-plane/net/timed_stream.h"

namespace portico::dp::listener {

struct ReadResult {
  enum class Status {
    kRequest,  // decoder.request() is complete and valid
    kRefused,  // answer `refusal`, then close
    kClosed,   // the client went away or idled out: close without an answer
  };
  Status status = Status::kClosed;
  http::Refusal refusal;
  std::chrono::steady_clock::time_point head_done;  // when the head was complete
};

// `accepted`: when the connection was accepted, for its first request; nullopt for later ones.
// While the head is incomplete the socket is registered with `worker` as idle, so a graceful
// drain (Worker::drain) can cancel the read: the result is then kClosed.
template <typename Stream>
net::Awaitable<ReadResult> readRequest(
    net::TimedStream<Stream>& client, boost::beast::flat_buffer& buffer,
    http::RequestDecoder& decoder, const HttpSettings& settings,
    std::optional<std::chrono::steady_clock::time_point> accepted, Worker& worker);

// After a refusal has been written: stops sending, then reads and discards what the client is
// still sending for up to a second (or 256 KiB), so closing does not reset the connection
// before the client has read the refusal (a close with unread data sends an RST). On TLS,
// close_notify goes first; what follows is discarded undecrypted.
template <typename Stream>
net::Awaitable<void> lingerBeforeClose(net::TimedStream<Stream>& client,
                                       boost::beast::flat_buffer& buffer);

}  // namespace portico::dp::listener
