#pragma once

// Writing without the reactor: one sendmsg(MSG_DONTWAIT) straight from the coroutine.
//
// A request or response that fits in the socket's send buffer (nearly all of them) is sent by
// the first system call. asio::async_write makes that same call, but then posts its completion
// through the scheduler and resumes the coroutine from there: an operation object, a queue
// round trip and a resumption per write, which the request path pays twice per request. nginx
// writes directly, too. Only what the socket does not take now is left to async_write.
//
// Plain-TCP requests and responses now go through net/batched_send.h, which shares toIovecs()
// and sendError() with this file; sendNow() is what they use where io_uring is unavailable.

#include <sys/uio.h>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <span>

namespace portico::dp::net {

// The non-empty ones of `buffers`, in order, as iovecs in `out`, as many as fit; returns how
// many. What does not fit is left to the caller's asynchronous write, with the rest.
size_t toIovecs(std::span<const boost::asio::const_buffer> buffers, std::span<iovec> out);

// A failed non-blocking send's errno as an error: none for a full send buffer (EAGAIN).
boost::system::error_code sendError(int error);

// Sends as much of `buffers` as the socket `fd` takes without waiting and returns how many
// bytes that was. A full send buffer is not an error (fewer bytes, maybe 0); any other failure
// sets `ec`.
size_t sendNow(int fd, std::span<const boost::asio::const_buffer> buffers, boost::system::error_code& ec);

// The part of `buffers` after their first `sent` bytes (the unused tail entries are empty).
template <size_t N>
std::array<boost::asio::const_buffer, N> unsent(const std::array<boost::asio::const_buffer, N>& buffers,
                                               size_t sent) {
  std::array<boost::asio::const_buffer, N> rest;
  size_t next = 0;
  for (const boost::asio::const_buffer& buffer : buffers) {
    if (sent >= buffer.size()) {
      sent -= buffer.size();
      continue;
    }
    rest[next++] = buffer + sent;
    sent = 0;
  }
  return rest;
}

}  // namespace portico::dp::net
