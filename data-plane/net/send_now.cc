#include "data-plane/net/send_now.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/error.hpp>

#include <cerrno>

namespace portico::dp::net {

size_t sendNow(int fd, std::span<const boost::asio::const_buffer> buffers, boost::system::error_code& ec) {
  constexpr size_t kMaxBuffers = 8;
  iovec iov[kMaxBuffers];
  size_t count = 0;
  for (const boost::asio::const_buffer& buffer : buffers) {
    if (buffer.size() == 0) continue;
    if (count == kMaxBuffers) break;  // the rest goes with the asynchronous write
    iov[count].iov_base = const_cast<void*>(buffer.data());
    iov[count].iov_len = buffer.size();
    ++count;
  }
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
    if (errno != EAGAIN && errno != EWOULDBLOCK) ec.assign(errno, boost::system::system_category());
    return 0;
  }
}

}  // namespace portico::dp::net
