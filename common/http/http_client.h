#pragma once

// A small blocking HTTP/1.1 client (Boost.Beast) for porticoctl, the example backend's
// self-registration and tests. Not for the proxy's request path (that is async, per worker).

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace portico::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  int status = 0;
  std::string body;
  HeaderList headers;  // names lower-cased, in order
  bool keep_alive = false;
  // First header with this lower-case name, or nullptr.
  const std::string* header(std::string_view name) const;
};

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  HeaderList headers;  // Host is added when absent
};

// One keep-alive connection. Not thread-safe.
class HttpConnection {
 public:
  static absl::StatusOr<std::unique_ptr<HttpConnection>> connect(const std::string& host, uint16_t port,
                                                                 absl::Duration timeout = absl::Seconds(5));
  ~HttpConnection();
  // Sends one request and reads the answer. Fails on I/O errors and timeouts; after a failure
  // the connection is unusable.
  absl::StatusOr<ClientResponse> send(const ClientRequest& request,
                                      absl::Duration timeout = absl::Seconds(5));
  // True while the server has not closed the connection (as far as can be told without I/O).
  bool open() const;

  class Impl;

 private:
  explicit HttpConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
absl::StatusOr<ClientResponse> fetch(const std::string& host, uint16_t port, const ClientRequest& request,
                                     absl::Duration timeout = absl::Seconds(5));

}  // namespace portico::http
