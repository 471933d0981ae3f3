#pragma once

// A raw TCP connection to 127.0.0.1 for tests that must send bytes no HTTP client would
// (request smuggling, malformed heads, slow senders) and see exactly what comes back and when
// the server closes. Every wait is bounded.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace portico::testing {

class RawConnection {
 public:
  static absl::StatusOr<std::unique_ptr<RawConnection>> connect(uint16_t port);
  ~RawConnection();

  // Writes all of `bytes`; false when the peer has closed or reset.
  bool send(std::string_view bytes);
  // No more bytes from us (the server sees EOF after what was sent).
  void shutdownWrite();

  struct Received {
    std::string data;
    bool closed = false;     // the server closed (EOF or reset) before the deadline
    absl::Duration elapsed;  // until the close, or the whole wait when not closed
  };
  // Reads until the server closes or `timeout` passes.
  Received readUntilClose(absl::Duration timeout);
  // Reads until `data` contains `marker` (true), the server closes or `timeout` passes.
  bool readUntil(std::string& data, std::string_view marker, absl::Duration timeout);
  // Reads until `data` holds at least `size` bytes (true), the server closes or `timeout` passes.
  bool readAtLeast(std::string& data, size_t size, absl::Duration timeout);

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  int fd_;
};

// The status code of the first HTTP response in `data` (0 when there is none).
int statusOf(std::string_view data);
// How many HTTP responses `data` holds (status lines at the start of a line).
int responseCount(std::string_view data);

}  // namespace portico::testing
