#include "tests/support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/time/clock.h"
#include "common/strings.h"

namespace portico::testing {

absl::StatusOr<std::unique_ptr<RawConnection>> RawConnection::connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(cat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::UnavailableError(cat("connect 127.0.0.1:", port, ": ", std::strerror(error)));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return std::unique_ptr<RawConnection>(new RawConnection(fd));
}

RawConnection::~RawConnection() { ::close(fd_); }

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void RawConnection::shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

RawConnection::Received RawConnection::readUntilClose(absl::Duration timeout) {
  Received out;
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + timeout;
  char chunk[4096];
  for (;;) {
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left_ms <= 0) break;
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      out.closed = true;
      break;
    }
    out.data.append(chunk, static_cast<size_t>(n));
  }
  out.elapsed = absl::Now() - start;
  return out;
}

namespace {

// Reads from `fd` into `data` until `done(data)` or the timeout (false) or the peer closes or
// fails (false unless `done` holds by then).
template <typename Done>
bool readUntilDone(int fd, std::string& data, absl::Duration timeout, Done done) {
  const absl::Time deadline = absl::Now() + timeout;
  char chunk[16384];
  while (!done(data)) {
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left_ms <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return done(data);
    data.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool RawConnection::readUntil(std::string& data, std::string_view marker, absl::Duration timeout) {
  return readUntilDone(fd_, data, timeout,
                       [marker](const std::string& d) { return d.find(marker) != std::string::npos; });
}

bool RawConnection::readAtLeast(std::string& data, size_t size, absl::Duration timeout) {
  return readUntilDone(fd_, data, timeout, [size](const std::string& d) { return d.size() >= size; });
}

int statusOf(std::string_view data) {
  if (data.size() < 12 || data.substr(0, 7) != "HTTP/1.") return 0;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (data[i] < '0' || data[i] > '9') return 0;
    status = status * 10 + (data[i] - '0');
  }
  return status;
}

int responseCount(std::string_view data) {
  int count = 0;
  for (size_t at = 0; (at = data.find("HTTP/1.", at)) != std::string_view::npos; at += 7) {
    if (at == 0 || data[at - 1] == '\n') ++count;
  }
  return count;
}

}  // namespace portico::testing
