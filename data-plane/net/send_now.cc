#include "data-plane/net/send_now.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/error.hpp>

#include <cerrno>

namespace portico::dp::net {

size_t toIovecs(std::span<const boost::asio::const_buffer> buffers, std::span<iovec> out) {
  size_t count = 0;
  for (const boost::asio::const_buffer& buffer : buffers) {
    if (buffer.size() == 0) continue;
    if (count == out.size()) break;
    out[count].iov_base = const_cast<void*>(buffer.data());  // sendmsg only reads it
    out[count].iov_len = buffer.size();
    ++count;
  }
  return count;
}

boost::system::error_code sendError(int error) {
  if (error == EAGAIN || error == EWOULDBLOCK) return {};
  return boost::system::error_code(error, boost::system::system_category());
}

size_t sendNow(int fd, std::span<const boost::asio::const_buffer> buffers, boost::system::error_code& ec) {
  iovec iov[8];
  const size_t count = toIovecs(buffers, iov);
  if (count == 0) return 0;
  if (fd < 0) {  // closed, e.g. by its deadline
    ec = boost::asio::error::bad_descriptor;
    return 0;
  }
  msghdr message{};
  message.msg_iov = iov;
  message.msg_iovlen = count;
  while (true) {
    const ssize_t sent = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<size_t>(sent);
    if (errno == EINTR) continue;
    if (const boost::system::error_code error = sendError(errno)) ec = error;
    return 0;
  }
}

}  // namespace portico::dp::net
